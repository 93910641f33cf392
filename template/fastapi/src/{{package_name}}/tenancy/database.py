"""A database per tenant: each tenant's resource tables in a PostgreSQL database of its own.

A catalog database holds the tables every tenant shares (tenants, users, memberships,
invitations, refresh tokens); a session scoped to a tenant sends resource tables to that
tenant's database, through a bounded registry of engines. One tenant is restored, moved or
dropped (`DROP DATABASE`) alone.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import db
from ..features import Feature
from . import directory, engines
from .context import scoped_by
from .engines import TenantEngines, route
from .storage import (
    Resource,
    Revisions,
    create_resource_index,
    create_resource_table,
    index,
    isolate,
    owner_connection,
    upgrade,
    user_column,
    user_ref,
)

__all__ = [
    "Resource",
    "Settings",
    "create_resource_index",
    "create_resource_table",
    "create_storage",
    "drop_storage",
    "feature",
    "forget_tenant",
    "index",
    "isolate",
    "set_tenant",
    "upgrade_tenant",
    "user_column",
    "user_ref",
]


class Settings(engines.Settings, directory.Settings, db.Settings):
    """What this mode reads: the engines' limits, the status TTL, how to reach PostgreSQL."""


def database_name(catalog: str, tenant_id: UUID) -> str:
    """The tenant's database, derived from the catalog's name and its id, never from a request."""
    return f"{catalog[:28]}_{tenant_id.hex}"  # within PostgreSQL's 63-byte identifiers


def tenant_database_url(
    settings: db.Settings, tenant_id: UUID, *, owner: bool = False, direct: bool = False
) -> str:
    """The URL of the tenant's database, as the service's role (through the pooler, if any, or
    `direct`ly) or as the owner."""
    if owner:
        base = settings.owner_url
    else:
        base = settings.direct_url if direct else settings.database_url.unicode_string()
    url = make_url(base)
    url = url.set(database=database_name(url.database or "", tenant_id))
    return url.render_as_string(hide_password=False)


def tenant_settings(tenant_id: UUID) -> dict[str, str]:
    """The setting the policies of the catalog and of the tenant's database read."""
    return {"app.tenant_id": str(tenant_id)}


set_tenant = scoped_by(tenant_settings)


async def create_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """Create the tenant's database with its tables at the current head."""
    name = database_name(make_url(settings.owner_url).database or "", tenant_id)
    async with owner_connection(settings.owner_url, autocommit=True) as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))  # not allowed in a transaction
    try:
        await upgrade_tenant(settings, tenant_id)
    except BaseException:
        await drop_storage(settings, tenant_id)
        raise


async def drop_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """Drop the tenant's database and every row in it."""
    name = database_name(make_url(settings.owner_url).database or "", tenant_id)
    async with owner_connection(settings.owner_url, autocommit=True) as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def upgrade_tenant(
    settings: db.Settings, tenant_id: UUID, revision: str = "head"
) -> Revisions:
    """Bring one tenant to `revision` in one transaction; the revisions before and after."""
    url = tenant_database_url(settings, tenant_id, owner=True)
    async with owner_connection(url) as connection:
        return await upgrade(connection, settings, tenant_id, revision)


async def forget_tenant(app: FastAPI, tenant_id: UUID) -> None:
    """Drop what this worker holds of a tenant whose status has just changed: its status and
    its engine (before its database is dropped)."""
    registry: TenantEngines = app.state.tenant_engines
    await registry.discard(tenant_id)
    await directory.forget_tenant(app, tenant_id)


def engine_registry(settings: Settings) -> TenantEngines:
    """A registry of engines to the tenants' databases, connected as the service's role."""

    def create(tenant_id: UUID) -> AsyncEngine:
        return db.create_engine(
            settings,
            url=tenant_database_url(settings, tenant_id),
            pool_size=settings.tenant_db_pool_size,
            max_overflow=settings.tenant_db_max_overflow,
        )

    return TenantEngines(settings, create)


@asynccontextmanager
async def _open_engines(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    registry = engine_registry(settings)
    route(db.database(app).sessions, registry)
    app.state.tenant_engines = registry
    async with directory.open_directory(app, settings):
        try:
            yield
        finally:
            await registry.dispose()


feature = Feature(lifespan=_open_engines)
