"""Helpers for Alembic scripts: the columns every table has, and the application role's grants.

The tenancy mode builds on these (`tenancy.create_resource_table`, `tenancy.isolate`), so a
migration states what is particular to its table and nothing else.
"""

from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.schema import SchemaItem

# What the application role may do with a resource table; it owns nothing.
RESOURCE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def create_table(name: str, *items: SchemaItem) -> None:
    """A table with a UUID key, `items`, and creation and update timestamps."""
    op.create_table(name, sa.Column("id", sa.Uuid(), primary_key=True), *items, *timestamps())


def timestamps() -> list[sa.Column[Any]]:
    now = sa.func.now()
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=now, nullable=False)
        for name in ("created_at", "updated_at")
    ]


def grant(table: str, privileges: str = RESOURCE_PRIVILEGES) -> None:
    """Let the application role, named by the migration's settings, use `table`."""
    op.execute(f'GRANT {privileges} ON {table} TO "{context.config.attributes["app_role"]}"')


def revoke(table: str, privileges: str) -> None:
    op.execute(f'REVOKE {privileges} ON {table} FROM "{context.config.attributes["app_role"]}"')


def row_level_security(table: str, *, using: str, check: str | None = None) -> None:
    """A policy on `table`, ENABLEd and FORCEd, so even the owner is subject to it: rows are
    visible when `using` holds, and written only when `check` (default: `using`) holds."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({check or using})"
    )
