"""A single tenant: the service holds one organisation's data, and tables need no boundary.

Resources are plain tables; their indexes, user references and migrations have nothing to add.
Serving a second organisation later means a tenancy mode and a migration over every resource
table (see docs/adr/0002-tenancy.md).
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Index
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.schema import SchemaItem

from .. import ddl
from ..db import Entity

__all__ = [
    "Resource",
    "create_resource_index",
    "create_resource_table",
    "index",
    "isolate",
    "tenant_of",
    "user_column",
    "user_ref",
]


class Resource(Entity):
    """Base of a domain's table."""

    __abstract__ = True


def index(*columns: str, **options: Any) -> Index:
    return Index(None, *columns, **options)


def user_ref(*, ondelete: str) -> Mapped[UUID]:  # the signature of every mode
    """Who acted: a user, or an API key (which is no user, so no foreign key to `users`)."""
    return mapped_column()


def tenant_of(session: Session | AsyncSession) -> UUID | None:
    """No session has a tenant: there is one organisation."""
    return None


# ── Migrations ───────────────────────────────────────────────────────────────────────────────


def create_resource_table(name: str, *items: SchemaItem) -> None:
    """Create a resource table that the application role may use (see `isolate`)."""
    ddl.create_table(name, *items)
    isolate(name)


def create_resource_index(table: str, columns: Sequence[str], **options: Any) -> None:
    op.create_index(None, table, list(columns), **options)


def user_column(name: str, *, ondelete: str) -> sa.Column[UUID]:
    """Who acted: a user or an API key, by id (see `user_ref`)."""
    return sa.Column(name, sa.Uuid(), nullable=False)


def isolate(table: str) -> None:
    """With one tenant there is nothing to keep apart: the application role (which owns
    nothing) is granted the table."""
    ddl.grant(table)
