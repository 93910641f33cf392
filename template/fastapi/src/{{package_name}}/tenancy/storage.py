"""Storage of a tenant's own (a schema or a database): the tables it holds, their Alembic
scripts, and the owner's connections that create, migrate and drop it.

Resource tables live in every tenant's storage and nowhere else, and reference nothing outside
it (users live in the common tables), so one tenant can be restored, exported or dropped alone.
Creating, migrating and dropping storage is DDL, so it runs as the owner
(MIGRATION_DATABASE_URL); the service's own role only reads and writes rows.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, DateTime, Index, MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import SchemaItem

from .. import ddl
from ..db import NAMING_CONVENTION, EntityColumns, Settings
from .context import set_config

MIGRATIONS = Path(__file__).with_name("migrations")

Revisions = tuple[str | None, str | None]


class TenantBase(DeclarativeBase):
    """Declarative base of the tables every tenant has a copy of, in storage of its own."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012  # SQLAlchemy hook


class Resource(EntityColumns, TenantBase):
    """Base of a domain's table: it lives in each tenant's storage, and nowhere else."""

    __abstract__ = True


def index(*columns: str, **options: Any) -> Index:
    """An index of a resource table (the storage is the tenant's: no tenant column to lead)."""
    return Index(None, *columns, **options)


def user_ref(*, ondelete: str) -> Mapped[UUID]:  # the signature of every mode
    """A reference to a user, who lives in the common tables: no foreign key leaves storage."""
    return mapped_column()


def alembic_config() -> Config:
    """Alembic pointed at the tenant tables' scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")  # ids are t0001, t0002, ...
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(
    connection: AsyncConnection,
    settings: Settings,
    tenant_id: UUID,
    revision: str,
    *,
    version_schema: str | None = None,
) -> Revisions:
    """Bring the tenant's storage, reached by `connection`, to `revision`; the revisions before
    and after. The caller's transaction holds the whole upgrade."""
    # A data migration sees the tenant's rows, as the tables' policies require.
    await connection.execute(set_config("app.tenant_id", str(tenant_id)))

    def revision_of(sync: Connection) -> str | None:
        options = {"version_table_schema": version_schema}
        return MigrationContext.configure(sync, opts=options).get_current_revision()

    def run(sync: Connection) -> Revisions:
        before = revision_of(sync)
        config = alembic_config()
        config.attributes.update(
            connection=sync,
            app_role=settings.app_role,
            tenant_id=tenant_id,
            version_schema=version_schema,
        )
        command.upgrade(config, revision)
        return before, revision_of(sync)

    return await connection.run_sync(run)


@asynccontextmanager
async def owner_connection(url: str, *, autocommit: bool = False) -> AsyncIterator[AsyncConnection]:
    """A connection as the owner, committed when the block succeeds."""
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_async_engine(url, poolclass=NullPool, **options)
    try:
        async with engine.begin() as connection:
            yield connection
    finally:
        await engine.dispose()


# ── Migrations of a tenant's storage: a resource table is created isolated ───────────────────


def create_resource_table(name: str, *items: SchemaItem) -> None:
    """Create a resource table in the tenant's storage, isolated (see `isolate`)."""
    ddl.create_table(name, *items)
    isolate(name)


def create_resource_index(table: str, columns: list[str], **options: Any) -> None:
    op.create_index(None, table, columns, **options)


def user_column(name: str, *, ondelete: str) -> sa.Column[UUID]:
    """A user's id: users live in the common tables, out of the reach of a foreign key."""
    return sa.Column(name, sa.Uuid(), nullable=False)


def isolate(table: str) -> None:
    """Only a transaction scoped to this tenant may read or write `table`, and the application
    role may use it. The storage already keeps tenants apart; the policy also stops a query
    that reaches another tenant's storage by mistake (a schema named outright, a session routed
    to the wrong database)."""
    tenant_id = context.config.attributes["tenant_id"]
    this_tenant = f"NULLIF(current_setting('app.tenant_id', true), '')::uuid = '{tenant_id}'::uuid"
    ddl.row_level_security(table, using=this_tenant)
    ddl.grant(table)
