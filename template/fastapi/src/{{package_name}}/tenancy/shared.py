"""Shared tables: every tenant's rows in the same tables, kept apart by row-level security.

A resource table has a `tenant_id` column that defaults to the transaction's tenant, indexes
that lead with it, and a policy, ENABLEd and FORCEd, that admits only rows of the transaction's
tenant: a query that forgets its tenant still sees and changes only the current tenant's rows.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import SchemaItem

from .. import db, ddl
from ..db import Entity
from .context import scoped_by
from .directory import Settings, feature, forget_tenant
from .models import TenantOwned

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
    "user_column",
    "user_ref",
]


class Resource(TenantOwned, Entity):
    """Base of a domain's table: one row per tenant's row, under row-level security."""

    __abstract__ = True


def index(*columns: str, **options: Any) -> Index:
    """An index of a resource table, tenant first: every query of a tenant starts there."""
    return Index(None, "tenant_id", *columns, **options)


def user_ref(*, ondelete: str) -> Mapped[UUID]:  # the signature of every mode
    """Who acted: a user, or an API key (which is no user, so no foreign key to `users`)."""
    return mapped_column()


def tenant_settings(tenant_id: UUID) -> dict[str, str]:
    """What PostgreSQL must know of the tenant: the setting the policies read."""
    return {"app.tenant_id": str(tenant_id)}


set_tenant = scoped_by(tenant_settings)


async def create_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """A new tenant's storage is its rows in the shared tables: nothing to create."""


async def drop_storage(settings: db.Settings, tenant_id: UUID) -> None:
    """A tenant's rows go with its row in `tenants` (ON DELETE CASCADE): nothing to drop."""


# ── Migrations: a resource table is created isolated ──────────────────────────────────────────


def tenant_column() -> sa.Column[UUID]:
    """The tenant of a row, the transaction's by default; deleting a tenant deletes its rows."""
    return sa.Column(
        "tenant_id",
        sa.Uuid(),
        sa.ForeignKey("tenants.id", ondelete="CASCADE"),
        server_default=sa.text("current_tenant_id()"),
        nullable=False,
    )


def create_resource_table(name: str, *items: SchemaItem) -> None:
    """Create a resource table with its tenant column, isolated (see `isolate`)."""
    ddl.create_table(name, tenant_column(), *items)
    isolate(name)


def create_resource_index(table: str, columns: Sequence[str], **options: Any) -> None:
    op.create_index(None, table, ["tenant_id", *columns], **options)


def user_column(name: str, *, ondelete: str) -> sa.Column[UUID]:
    """Who acted: a user or an API key, by id (see `user_ref`)."""
    return sa.Column(name, sa.Uuid(), nullable=False)


def isolate(table: str) -> None:
    """Only rows of the transaction's tenant are visible and writable, and the application role
    (which owns nothing and cannot bypass the policy) may use the table."""
    ddl.row_level_security(table, using="tenant_id = current_tenant_id()")
    ddl.grant(table)
