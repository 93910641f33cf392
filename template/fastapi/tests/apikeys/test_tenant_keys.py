"""API keys across tenants: a key acts in the tenant its row names and nowhere else, and goes
with its tenant."""

from uuid import UUID

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from example_service.apikeys.models import ApiKey
from example_service.db import transaction

from ..support.api import OPERATOR, create_project, register
from .keys import API_KEYS, create_key, key_headers

PROJECTS = "/api/v1/projects"
TENANTS = "/api/v1/tenants"


async def test_a_key_reads_only_its_own_tenant(client: AsyncClient) -> None:
    a, b = await register(client, "tenant-a"), await register(client, "tenant-b")
    await create_project(client, a, "a's")
    theirs = await create_project(client, b, "b's")
    key = key_headers(await create_key(client, a, "admin"))

    listed = await client.get(PROJECTS, headers=key)
    read = await client.get(f"{PROJECTS}/{theirs['id']}", headers=key)
    changed = await client.patch(f"{PROJECTS}/{theirs['id']}", json={"name": "x"}, headers=key)

    assert [project["name"] for project in listed.json()["items"]] == ["a's"]
    assert (read.status_code, changed.status_code) == (404, 404)
    assert (await client.get(f"{PROJECTS}/{theirs['id']}", headers=b.headers)).json()["name"] == (
        "b's"
    )


async def test_an_admin_can_neither_list_nor_revoke_another_tenants_keys(
    client: AsyncClient,
) -> None:
    a, b = await register(client, "tenant-a"), await register(client, "tenant-b")
    await create_key(client, a, "viewer")
    bs_key = await create_key(client, b, "viewer")

    listed = await client.get(API_KEYS, headers=a.headers)
    revoked = await client.delete(f"{API_KEYS}/{bs_key['id']}", headers=a.headers)

    assert bs_key["id"] not in {key["id"] for key in listed.json()["items"]}
    assert revoked.status_code == 404
    assert revoked.json()["error"]["code"] == "api_key_not_found"
    assert (await client.get(PROJECTS, headers=key_headers(bs_key))).status_code == 200


async def test_the_database_shows_a_key_to_its_tenant_or_to_the_lookup_of_its_prefix(
    app: FastAPI, client: AsyncClient
) -> None:
    """Row-level security, as the service's role: a transaction with no tenant sees no key but
    the one whose prefix it names, and cannot write one."""
    a = await register(client, "tenant-a")
    created = await create_key(client, a, "viewer")
    await create_key(client, a, "viewer")
    count = select(func.count()).select_from(ApiKey)

    async with transaction(app.state.database.sessions) as session:
        unnamed = await session.scalar(count)
        await session.execute(select(func.set_config("app.api_key_prefix", created["prefix"], True)))
        named = list(await session.scalars(select(ApiKey.id)))

    assert unnamed == 0
    assert named == [UUID(created["id"])]


async def test_a_suspended_or_deleted_tenants_key_is_refused(
    client: AsyncClient, superuser_engine: AsyncEngine
) -> None:
    a = await register(client, "tenant-a")
    key = key_headers(await create_key(client, a, "member"))

    await client.post(f"{TENANTS}/{a.tenant_id}/suspend", headers=OPERATOR)
    suspended = await client.get(PROJECTS, headers=key)
    await client.delete(f"{TENANTS}/{a.tenant_id}", headers=OPERATOR)
    deleted = await client.get(PROJECTS, headers=key)

    assert suspended.status_code == 403
    assert suspended.json()["error"]["code"] == "tenant_suspended"
    assert deleted.status_code == 401
    async with superuser_engine.connect() as connection:
        left = await connection.scalar(
            text("SELECT count(*) FROM api_keys WHERE tenant_id = :id"), {"id": a.tenant_id}
        )
    assert left == 0
