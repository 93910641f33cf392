"""Partitioning: the append-only audit table range-partitioned by month, created ahead and
dropped past its retention, once the scale makes it the largest table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Problem, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = (False, True)


def _large_trail(context: Context) -> bool:
    return (
        context.scale == "large"
        and "audit_trail" in context.compliance
        and context.tenancy_need in ("single", "multi_shared")
    )


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the scale is large and compliance asks for an audit trail in shared tables",
        _large_trail,
        True,
        (
            "At large scale the audit trail, which only grows, becomes the largest table: "
            "partitioned by month, a query for a period reads only that period's partitions, "
            "and a month past its retention is dropped at once instead of deleted row by row."
        ),
    ),
    otherwise(
        False,
        (
            "No table is expected to outgrow plain indexes: the scale is below large, there is "
            "no audit trail, or each tenant's storage already keeps its tables small."
        ),
    ),
)


def refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """Partitioning applies to the audit table, shared by the tenants."""
    if answers.get("partitioning") is not True:
        return []
    if "audit" in answers and answers["audit"] != "table":
        return [
            Problem(
                "partitioning",
                (
                    "Partitioning applies to the append-only audit table, and this service has "
                    "none. Answer false, or audit 'table'."
                ),
                "needs audit 'table'",
            )
        ]
    if answers.get("tenancy", "none") in ("schema", "database"):
        return [
            Problem(
                "partitioning",
                (
                    "Partitioning is not offered with a schema or a database per tenant: each "
                    "tenant's storage already divides the audit table by tenant, and months "
                    "of partitions per tenant would multiply the tables to migrate. Answer "
                    "false, or a tenancy need with shared tables."
                ),
                "not with storage per tenant",
            )
        ]
    return []


def _schedule(answers: Mapping[str, Any]) -> str:
    if answers.get("deploy") == "kubernetes":
        slug = answers.get("project_slug", "<service>")
        return (
            f"from the CronJob `{slug}-partitions` (`deploy/kubernetes/base/partitions.yaml`: "
            "03:17 UTC, one run at a time) with the migration Job's image, environment and "
            "network policy, a failed run failing its Job"
        )
    return "from cron (`make partitions`)"


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value is False:
        return [
            "Every table is a plain table; indexes lead with the tenant where there is one.",
            (
                "Partitioning the audit table later is a new answer (`partitioning: true`) and "
                "`copier update`; its migration copies the existing rows into the partitions."
            ),
        ]
    return [
        (
            "`audit_events` is range-partitioned by month on `created_at`; its primary key is "
            "`(id, created_at)` (every unique key must hold the partition key) and its "
            "indexes, made on the table, are every partition's and lead with the tenant, so a "
            "tenant's query for a period reads only that period's partitions (pruning, shown "
            "by EXPLAIN in the tests). Migration 0011 rebuilds the table partitioned and moves "
            "an existing trail's rows into their months."
        ),
        (
            "`python -m <package>.partitions` (`make partitions`) creates the partitions of the "
            "coming months (`PARTITIONS_AHEAD_MONTHS`, 3) and detaches and drops those wholly "
            "older than `AUDIT_RETENTION_MONTHS` (13). It is DDL, so it runs as the owner "
            "(`MIGRATION_DATABASE_URL`), not in the worker's jobs, which run as the service's "
            f"role: after the migrations, and daily {_schedule(answers)}. A default "
            "partition catches a row no partition covers, so an insert never fails; "
            "the command exits 1 while rows sit there, and moves them once their month is "
            "created."
        ),
        (
            "Every partition carries the table's row-level security, and the service's role "
            "is granted none of them: it appends and reads through the table, never updates "
            "nor deletes."
        ),
        (
            "The maintenance is written here rather than taken from pg_partman: it is a few "
            "statements the service's own migrations and tests cover, and pg_partman's "
            "background worker is not available on every managed PostgreSQL."
        ),
    ]


RECORD = Record(
    "Partitioning",
    ("scale", "compliance", "tenancy_need"),
    (
        Option(
            False,
            "Plain tables",
            ("Nothing to maintain; every query plans simply.",),
            (
                (
                    "An append-only table grows without bound; deleting old rows is slow and "
                    "leaves bloat for vacuum."
                ),
            ),
        ),
        Option(
            True,
            "Monthly range partitions of the audit table",
            (
                "Queries for a period prune to its partitions; retention drops a whole month.",
                "Each partition's indexes stay small enough to stay in memory.",
            ),
            (
                (
                    "Partitions must be created ahead, and every unique key must include the "
                    "partition key."
                ),
            ),
        ),
        Option(
            "pg_partman",
            "pg_partman (not used)",
            ("Partition creation and retention maintained by an extension.",),
            (
                (
                    "An extension to install on every server, not available on every managed "
                    "PostgreSQL; the few statements it would run are the service's own here."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("partitioning", VALUES, RULES, RECORD, refusals=refusals)
