"""The generated guard catches a table that escapes isolation, as a careless change would add it.

A team adds a table the quick way: a model on `Entity` (shared by every tenant) instead of
`Resource`, and a migration with a plain `op.create_table`. The service's own guard
(tests/tenancy/test_guard.py) must fail and name the table, in a mode with shared tables and in
one where each tenant has its own storage.
"""

from typing import Any

import pytest
from pytest_copie.plugin import Copie

from tests.conftest import attempt, render, run

LEAK_MODEL = '''\
"""A table every tenant would share: what the guard must refuse."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .db import Entity


class Leak(Entity):
    __tablename__ = "leaks"

    secret: Mapped[str] = mapped_column(String(100))
'''
LEAK_MIGRATION = '''\
"""Leaks: a table created without create_resource_table.

Revision ID: leaks
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "leaks"
down_revision = "{head}"


def upgrade() -> None:
    op.create_table(
        "leaks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("leaks")
'''


@pytest.mark.parametrize(
    "answers",
    [
        {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "none"},
        {"tenancy_need": "multi_schema", "tenancy": "schema", "cache": "none"},
    ],
    ids=["shared", "schema"],
)
def test_the_guard_fails_on_a_table_that_escapes_isolation(
    copie: Copie, answers: dict[str, Any]
) -> None:
    project = render(copie, {**answers, "metrics": "none", "tracing": "none"})
    package = next((project / "src").iterdir())
    guard = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "tests/tenancy/test_guard.py"]
    run(guard, project)  # clean as generated

    (package / "leak.py").write_text(LEAK_MODEL)
    models = package / "models.py"
    models.write_text(models.read_text() + "\nfrom .leak import Leak  # noqa: E402, F401\n")
    versions = project / "migrations" / "versions"
    head = max(path.name.partition("_")[0] for path in versions.glob("[0-9]*.py"))
    (versions / "leaks.py").write_text(LEAK_MIGRATION.format(head=head))
    failed = attempt(guard, project)

    assert failed.returncode == 1, failed.stdout
    assert "Leak is neither a Resource" in failed.stdout
    assert "leaks" in failed.stdout.split("short test summary")[0]
    assert failed.stdout.count("FAILED") == 2, failed.stdout
