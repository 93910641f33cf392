"""API keys: a machine client's credential, shown once, stored as a hash, acting with its role
only, and refused (401, never 500) whenever it is not exactly a live key."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from example_service import signals
from example_service.settings import Settings

from ..support.api import add_member, register
from ..support.apps import started
from .keys import API_KEYS, create_key, key_headers

PROJECTS = "/api/v1/projects"


async def _stored(engine: AsyncEngine, key_id: str) -> Any:
    """The key's row, read behind the service's back."""
    async with engine.connect() as connection:
        result = await connection.execute(
            text("SELECT * FROM api_keys WHERE id = :id"), {"id": UUID(key_id)}
        )
        return result.mappings().one()


async def _refused(client: AsyncClient, headers: dict[str, str]) -> str:
    response = await client.get(PROJECTS, headers=headers)
    assert response.status_code == 401, response.text
    code: str = response.json()["error"]["code"]
    return code


async def test_a_key_is_shown_once_and_only_its_hash_is_stored(
    client: AsyncClient, superuser_engine: AsyncEngine
) -> None:
    admin = await register(client)

    created = await create_key(client, admin, "member")

    prefix, secret = created["key"].split(".")
    assert created["prefix"] == prefix
    assert len(secret) >= 43  # 32 random bytes, base64url
    row = await _stored(superuser_engine, created["id"])
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())
    listed = await client.get(API_KEYS, headers=admin.headers)
    assert listed.status_code == 200
    assert secret not in listed.text
    assert row["secret_hash"] not in listed.text
    assert [key["id"] for key in listed.json()["items"]] == [created["id"]]
    assert "key" not in listed.json()["items"][0]
    assert listed.headers["cache-control"] == "no-store"


async def test_a_key_acts_with_its_role_and_as_itself(client: AsyncClient) -> None:
    admin = await register(client)
    viewer = key_headers(await create_key(client, admin, "viewer"))
    member_key = await create_key(client, admin, "member")
    member = key_headers(member_key)

    assert (await client.get(PROJECTS, headers=viewer)).status_code == 200
    written = await client.post(PROJECTS, json={"name": "by a viewer"}, headers=viewer)
    assert written.status_code == 403
    assert written.json()["error"]["code"] == "insufficient_role"
    created = await client.post(
        PROJECTS, json={"name": "by a robot"}, headers={**member, "Idempotency-Key": "run-1"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_by"] == member_key["id"]
    again = await client.post(
        PROJECTS, json={"name": "by a robot"}, headers={**member, "Idempotency-Key": "run-1"}
    )
    assert again.json()["id"] == created.json()["id"]
    me = (await client.get("/api/v1/auth/me", headers=member)).json()
    assert (me["user_id"], me["roles"]) == (member_key["id"], ["member"])


async def test_nobody_gives_a_key_more_than_their_own_role(client: AsyncClient) -> None:
    admin = await register(client)
    member = await add_member(client, admin, "member")
    viewer = await add_member(client, admin, "viewer")

    too_high = await client.post(
        API_KEYS, json={"name": "escalate", "role": "admin"}, headers=member.headers
    )
    as_viewer = await client.post(
        API_KEYS, json={"name": "escalate", "role": "viewer"}, headers=viewer.headers
    )

    assert too_high.status_code == 403
    assert too_high.json()["error"]["code"] == "role_too_high"
    assert as_viewer.status_code == 403
    assert (await create_key(client, member, "member"))["role"] == "member"


async def test_a_key_cannot_create_list_or_revoke_keys(client: AsyncClient) -> None:
    admin = await register(client)
    created = await create_key(client, admin, "admin")
    robot = key_headers(created)

    minted = await client.post(API_KEYS, json={"name": "child", "role": "viewer"}, headers=robot)
    listed = await client.get(API_KEYS, headers=robot)
    revoked = await client.delete(f"{API_KEYS}/{created['id']}", headers=robot)

    for response in (minted, listed, revoked):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "api_key_not_allowed"


async def test_a_member_sees_and_revokes_only_the_keys_they_created(client: AsyncClient) -> None:
    admin = await register(client)
    member = await add_member(client, admin, "member")
    admins_key = await create_key(client, admin, "viewer")
    members_key = await create_key(client, member, "viewer")

    seen = (await client.get(API_KEYS, headers=member.headers)).json()["items"]
    revoking = await client.delete(f"{API_KEYS}/{admins_key['id']}", headers=member.headers)
    all_keys = (await client.get(API_KEYS, headers=admin.headers)).json()["items"]

    assert [key["id"] for key in seen] == [members_key["id"]]
    assert revoking.status_code == 404
    assert (await client.get(PROJECTS, headers=key_headers(admins_key))).status_code == 200
    assert {key["id"] for key in all_keys} == {admins_key["id"], members_key["id"]}


def _forged(created: dict[str, Any]) -> str:
    prefix, secret = created["key"].split(".")
    return f"{prefix}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"


@pytest.mark.parametrize(
    "presented",
    [
        pytest.param(_forged, id="valid-prefix-wrong-secret"),
        pytest.param(lambda c: "0123456789abcdef." + c["key"].split(".")[1], id="unknown-prefix"),
        pytest.param(lambda c: c["key"] + "x", id="one-character-more"),
        pytest.param(lambda c: c["key"].upper(), id="upper-case"),
        pytest.param(lambda c: c["key"].split(".")[0], id="prefix-alone"),
        pytest.param(lambda c: "x" * 60_000, id="huge"),
        pytest.param(lambda c: c["key"][:20] + "\x00" + c["key"][21:], id="nul-byte"),
        pytest.param(lambda c: f"{c['key']}\x00", id="trailing-nul"),
        pytest.param(lambda c: "' OR 1=1 --", id="sql"),
    ],
)
async def test_anything_but_a_live_key_is_refused_without_a_hint(
    client: AsyncClient, presented: Any
) -> None:
    admin = await register(client)
    created = await create_key(client, admin, "admin")

    assert await _refused(client, {"X-API-Key": presented(created)}) == "invalid_api_key"
    assert (await client.get(PROJECTS, headers=key_headers(created))).status_code == 200


async def test_an_empty_key_header_is_no_credential(client: AsyncClient) -> None:
    assert await _refused(client, {"X-API-Key": ""}) == "missing_token"


async def test_a_revoked_key_is_refused_at_once(client: AsyncClient) -> None:
    admin = await register(client)
    created = await create_key(client, admin, "member")
    assert (await client.get(PROJECTS, headers=key_headers(created))).status_code == 200

    revoked = await client.delete(f"{API_KEYS}/{created['id']}", headers=admin.headers)
    again = await client.delete(f"{API_KEYS}/{created['id']}", headers=admin.headers)

    assert (revoked.status_code, again.status_code) == (204, 204)
    assert await _refused(client, key_headers(created)) == "invalid_api_key"
    listed = (await client.get(API_KEYS, headers=admin.headers)).json()["items"]
    assert listed[0]["revoked_at"] is not None


async def test_an_expired_key_is_refused_and_no_key_is_born_expired(
    client: AsyncClient, superuser_engine: AsyncEngine
) -> None:
    admin = await register(client)
    soon = datetime.now(UTC) + timedelta(hours=1)
    created = await create_key(client, admin, "member", expires_at=soon.isoformat())
    assert (await client.get(PROJECTS, headers=key_headers(created))).status_code == 200

    async with superuser_engine.begin() as connection:
        await connection.execute(
            text("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = :id"),
            {"id": UUID(created["id"])},
        )
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    born_expired = await client.post(
        API_KEYS, json={"name": "x", "role": "viewer", "expires_at": past}, headers=admin.headers
    )

    assert await _refused(client, key_headers(created)) == "invalid_api_key"
    assert born_expired.status_code == 422


async def test_revoking_a_key_that_does_not_exist_is_not_found(client: AsyncClient) -> None:
    admin = await register(client)

    response = await client.delete(
        f"{API_KEYS}/00000000-0000-7000-8000-000000000000", headers=admin.headers
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "api_key_not_found"


async def test_last_use_is_recorded_at_most_once_a_minute(
    client: AsyncClient, superuser_engine: AsyncEngine
) -> None:
    admin = await register(client)
    created = await create_key(client, admin, "viewer")
    assert created["last_used_at"] is None

    await client.get(PROJECTS, headers=key_headers(created))
    first = (await _stored(superuser_engine, created["id"]))["last_used_at"]
    await client.get(PROJECTS, headers=key_headers(created))
    second = (await _stored(superuser_engine, created["id"]))["last_used_at"]
    async with superuser_engine.begin() as connection:
        await connection.execute(
            text("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = :id"),
            {"id": UUID(created["id"])},
        )
    await client.get(PROJECTS, headers=key_headers(created))
    third = (await _stored(superuser_engine, created["id"]))["last_used_at"]

    assert first is not None
    assert second == first
    assert third > first


async def test_each_key_has_its_own_rate_limit(client: AsyncClient, settings: Settings) -> None:
    admin = await register(client)
    busy = key_headers(await create_key(client, admin, "viewer"))
    quiet = key_headers(await create_key(client, admin, "viewer"))

    async with started(settings, rate_limit_api="3/minute") as limited:
        answers = [(await limited.get(PROJECTS, headers=busy)).status_code for _ in range(4)]
        other = await limited.get(PROJECTS, headers=quiet)

    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200


async def test_creation_and_revocation_are_announced_to_the_audit_trail(
    client: AsyncClient,
) -> None:
    heard: list[tuple[str, dict[str, Any]]] = []

    def receiver(action: str, **event: Any) -> None:
        heard.append((action, {**event, "in_transaction": event["session"].in_transaction()}))

    admin = await register(client)
    me = (await client.get("/api/v1/auth/me", headers=admin.headers)).json()
    with signals.audited.connected_to(receiver):
        created = await create_key(client, admin, "viewer")
        await client.delete(f"{API_KEYS}/{created['id']}", headers=admin.headers)

    assert [action for action, _ in heard] == ["api_key.created", "api_key.revoked"]
    for _, event in heard:
        assert event["actor_id"] == UUID(me["user_id"])
        assert event["resource_id"] == UUID(created["id"])
        assert event["in_transaction"]
        assert created["key"].split(".")[1] not in str(event["changes"])
