"""Helpers for Alembic scripts: the columns every table has, the application role's grants,
and autogenerate writing a new resource table isolated.

The tenancy mode builds on these (`tenancy.create_resource_table`, `tenancy.isolate`), so a
migration states what is particular to its table and nothing else.
"""

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from alembic.autogenerate import render, renderers, rewriter
from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, ops
from alembic.runtime.migration import MigrationContext
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


# ── Autogenerate: a new resource table comes out as `create_resource_table(...)` ─────────────

# What `create_resource_table` adds to every resource table by itself.
_STANDARD_COLUMNS = frozenset({"id", "tenant_id", "created_at", "updated_at"})


class CreateResourceTableOp(MigrateOperation):
    """The creation of a resource table, written as `tenancy.create_resource_table(...)` so the
    tenancy mode's isolation comes with it."""

    def __init__(self, table: ops.CreateTableOp) -> None:
        self.table = table


def isolate_resources(resource_tables: Collection[str]) -> rewriter.Rewriter:
    """Autogenerate's hook (`process_revision_directives`) turning the creation of any of
    `resource_tables` into `create_resource_table(...)`."""
    writer = rewriter.Rewriter()

    @writer.rewrites(ops.CreateTableOp)
    def _isolated(
        context: MigrationContext, revision: Any, op: ops.CreateTableOp
    ) -> MigrateOperation:
        return CreateResourceTableOp(op) if op.table_name in resource_tables else op

    return writer


@renderers.dispatch_for(CreateResourceTableOp)
def _render(context: AutogenContext, op: CreateResourceTableOp) -> str:
    package = __name__.rpartition(".")[0]
    context.imports.add(f"from {package}.tenancy import create_resource_table")
    items = [item for item in op.table.columns if not _standard(item)]
    plain = ops.CreateTableOp(op.table.table_name, items, schema=op.table.schema)
    return render.render_op_text(context, plain).replace(
        "op.create_table(", "create_resource_table(", 1
    )


def _standard(item: SchemaItem) -> bool:
    """A column (or a key on columns) that `create_resource_table` adds itself."""
    if isinstance(item, sa.Column):
        return item.name in _STANDARD_COLUMNS
    if isinstance(item, sa.ForeignKeyConstraint):
        return set(item.column_keys) <= _STANDARD_COLUMNS
    if isinstance(item, sa.PrimaryKeyConstraint):
        return set(item.columns.keys()) <= _STANDARD_COLUMNS
    return False
