"""The audit table's monthly partitions: created ahead, dropped past their retention.

`audit_events` is range-partitioned by month on `created_at` (migration 0011). Run
`python -m <package>.partitions` after the migrations and on a schedule (daily is
plenty): it creates the partitions of the coming `PARTITIONS_AHEAD_MONTHS`, moves into them any
row the default partition caught for those months, detaches and drops every partition wholly
older than `AUDIT_RETENTION_MONTHS`, and reports the rows left in the default partition (exit
status 1 when there are some: a partition is missing for their months).

It runs as the owner (`MIGRATION_DATABASE_URL`): creating and dropping tables is DDL, which the
service's role may not do. Runs at once wait for each other (an advisory lock held for the
transaction), and a second run finds nothing to do.
"""

import asyncio
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from pydantic import Field
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from .config import ServiceSettings
from .features import Feature

if TYPE_CHECKING:
    from .settings import Settings as ServiceSettingsAll

log = logging.getLogger(__name__)

TABLE = "audit_events"
DEFAULT = f"{TABLE}_default"
# Partitions are named after their month, the only thing that tells them apart.
_NAME = re.compile(rf"^{TABLE}_y(\d\d\d\d)m(\d\d)$")
# Any number: the same for every run, so runs at once take their turns.
_LOCK = 7_256_301_311
PARTITIONS_AHEAD_MONTHS = 3


class Settings(ServiceSettings):
    # A month's partition is dropped once all of it is older than this many months.
    audit_retention_months: int = Field(default=13, ge=1)
    partitions_ahead_months: int = Field(default=PARTITIONS_AHEAD_MONTHS, ge=1)


feature = Feature()  # a command, nothing in the running service


@dataclass
class Report:
    """What one run did."""

    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved: int = 0  # rows the default partition held for a month now created
    in_default: int = 0  # rows still there: no partition covers their month


def is_partition(name: str | None) -> bool:
    """Whether `name` is one of the audit table's partitions (part of it, no table of its own)."""
    return name == DEFAULT or bool(name and _NAME.match(name))


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def partitions(connection: Connection) -> dict[str, date]:
    """The monthly partitions that exist, by name."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:table AS regclass)"
        ),
        {"table": TABLE},
    ).scalars()
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            found[name] = date(int(match[1]), int(match[2]), 1)
    return found


@contextmanager
def unforced(connection: Connection, *tables: str) -> Iterator[None]:
    """The owner past the tables' row-level security for the block, in its transaction (no
    other session ever sees them unforced): moving rows between partitions is no tenant's."""
    forced = [
        table
        for table in tables
        if connection.execute(
            text("SELECT relforcerowsecurity FROM pg_class WHERE oid = CAST(:t AS regclass)"),
            {"t": table},
        ).scalar_one()
    ]
    for table in forced:
        connection.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
    yield
    for table in forced:
        connection.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))


def secure(connection: Connection, partition: str) -> None:
    """A partition as guarded as its parent: its row-level security and policies, so a role
    granted the partition directly still sees only its tenant's rows. The service's role is
    granted nothing on it: it reaches the rows through the parent, whose grants and policies
    apply."""
    enabled, forced = connection.execute(
        text(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE oid = CAST(:t AS regclass)"
        ),
        {"t": TABLE},
    ).one()
    if enabled:
        connection.execute(text(f"ALTER TABLE {partition} ENABLE ROW LEVEL SECURITY"))
    if forced:
        connection.execute(text(f"ALTER TABLE {partition} FORCE ROW LEVEL SECURITY"))
    policies = connection.execute(
        text(
            "SELECT policyname, permissive, cmd, qual, with_check FROM pg_policies "
            "WHERE schemaname = current_schema() AND tablename = :t"
        ),
        {"t": TABLE},
    ).all()
    for name, permissive, command, using, check in policies:
        statement = f"CREATE POLICY {name} ON {partition} AS {permissive} FOR {command}"
        statement += f" USING ({using})" if using else ""
        statement += f" WITH CHECK ({check})" if check else ""
        connection.execute(text(statement))


def create_default(connection: Connection) -> None:
    """The partition of a row no month's partition covers: an insert never fails."""
    connection.execute(text(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT"))
    secure(connection, DEFAULT)


def create_partition(connection: Connection, month: date) -> int:
    """The partition of `month`, with the rows the default partition held for it; their count."""
    name = partition_name(month)
    bounds = {"low": month, "high": add_months(month, 1)}
    with unforced(connection, TABLE, DEFAULT):
        # PostgreSQL refuses a partition for rows the default partition holds: they move.
        connection.execute(
            text(
                "CREATE TEMPORARY TABLE moving ON COMMIT DROP AS "
                "SELECT * FROM audit_events_default LIMIT 0"
            )
        )
        connection.execute(
            text(
                "WITH moved AS (DELETE FROM audit_events_default WHERE created_at >= "
                "CAST(:low AS date) AND created_at < CAST(:high AS date) RETURNING *) "
                "INSERT INTO moving SELECT * FROM moved"
            ),
            bounds,
        )
        low, high = (f"'{bound.isoformat()} 00:00:00+00'" for bound in bounds.values())
        connection.execute(
            text(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ({low}) TO ({high})")
        )
        moved = connection.execute(text("INSERT INTO audit_events SELECT * FROM moving")).rowcount
        connection.execute(text("DROP TABLE moving"))
    secure(connection, name)
    return moved


def maintain(
    connection: Connection,
    *,
    ahead: int,
    retention: int | None,
    since: date | None = None,
    today: date | None = None,
) -> Report:
    """Partitions from `since` (default: this month) to `ahead` months from now, none wholly
    older than `retention` months; in the connection's transaction, after any other run's."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    report = Report()
    this_month = month_of(today or datetime.now(UTC))
    existing = partitions(connection)
    month = since or this_month
    while month <= add_months(this_month, ahead):
        if partition_name(month) not in existing:
            report.moved += create_partition(connection, month)
            report.created.append(partition_name(month))
        month = add_months(month, 1)
    if retention is not None:
        cutoff = add_months(this_month, -retention)  # months ending by then are past it
        for name, start in sorted(existing.items(), key=lambda item: item[1]):
            if add_months(start, 1) <= cutoff:
                # Not CONCURRENTLY: PostgreSQL allows it only without a default partition.
                connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {name}"))
                connection.execute(text(f"DROP TABLE {name}"))
                report.dropped.append(name)
    with unforced(connection, DEFAULT):
        report.in_default = connection.execute(
            text("SELECT count(*) FROM audit_events_default")
        ).scalar_one()
    return report


async def run(settings: "ServiceSettingsAll") -> Report:
    """One maintenance run as the owner, committed."""
    engine = create_async_engine(settings.owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(
                lambda sync: maintain(
                    sync,
                    ahead=settings.partitions_ahead_months,
                    retention=settings.audit_retention_months,
                )
            )
    finally:
        await engine.dispose()


if __name__ == "__main__":  # pragma: no cover - the command's entry point
    from .settings import Settings as PartitionSettings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    done = asyncio.run(run(PartitionSettings()))
    log.info(
        "partitions created: %s; dropped: %s; rows moved from the default partition: %d",
        ", ".join(done.created) or "none",
        ", ".join(done.dropped) or "none",
        done.moved,
    )
    if done.in_default:
        log.warning(
            "%d rows are in %s: no partition covers their months (created_at far ahead?)",
            done.in_default,
            DEFAULT,
        )
        sys.exit(1)
