"""A schema per tenant: each tenant's resource tables in a PostgreSQL schema of its own.

A transaction scoped to a tenant puts the tenant's schema first on its `search_path`, so its
tables resolve there and shared ones in `public`; both settings end with the transaction. One
tenant is restored, exported or dropped (`DROP SCHEMA ... CASCADE`) alone.
"""

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import db
from .context import scoped_by
from .directory import Settings, feature, forget_tenant
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


def schema_name(tenant_id: UUID) -> str:
    """The schema holding one tenant's tables; derived from its id, never from a request."""
    return f"tenant_{tenant_id.hex}"


def tenant_settings(tenant_id: UUID) -> dict[str, str]:
    """The setting the policies read, and the tenant's schema first on the search path."""
    return {"app.tenant_id": str(tenant_id), "search_path": f"{schema_name(tenant_id)}, public"}


set_tenant = scoped_by(tenant_settings)


async def create_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """Create the tenant's schema with its tables at the current head."""
    schema = schema_name(tenant_id)
    async with owner_connection(settings.owner_url) as connection:
        # One transaction: the schema exists with all its tables, or not at all.
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await connection.execute(text(f'GRANT USAGE ON SCHEMA {schema} TO "{settings.app_role}"'))
        await _upgrade_in(connection, settings, tenant_id, "head")


async def drop_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """Drop the tenant's schema and every row in it."""
    async with owner_connection(settings.owner_url) as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema_name(tenant_id)} CASCADE"))


async def upgrade_tenant(
    settings: db.Settings, tenant_id: UUID, revision: str = "head"
) -> Revisions:
    """Bring one tenant to `revision` in one transaction; the revisions before and after."""
    async with owner_connection(settings.owner_url) as connection:
        return await _upgrade_in(connection, settings, tenant_id, revision)


async def _upgrade_in(
    connection: AsyncConnection, settings: db.Settings, tenant_id: UUID, revision: str
) -> Revisions:
    schema = schema_name(tenant_id)
    # Only the tenant's schema: its tables are created there and nowhere else.
    await connection.execute(text(f"SET LOCAL search_path TO {schema}"))
    return await upgrade(connection, settings, tenant_id, revision, version_schema=schema)
