"""Read replicas: reads that may lag go to a streaming replica, and a caller's own recent writes
are read from the primary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Problem, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = (False, True)


def _reads_outgrow_one_server(context: Context) -> bool:
    return (
        context.read_write == "read_heavy"
        and context.scale in ("growth", "large")
        and context.consistency == "eventual"
        and context.tenancy_need != "multi_database"
    )


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "reads dominate at growth or large scale and may lag writes",
        _reads_outgrow_one_server,
        True,
        lambda context: (
            f"Reads outnumber writes by 10:1 or more at {context.scale} scale, and may lag "
            "writes by seconds: reads that may lag go to a streaming replica, so the primary "
            "keeps its capacity for writes, while a caller's own recent writes are read from "
            "the primary."
        ),
    ),
    otherwise(
        False,
        (
            "One PostgreSQL server serves the reads: they do not dominate at a scale past "
            "one server, or they must see every write, which a replica cannot promise."
        ),
    ),
)


def refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """Replicas need reads that may lag, Redis for read-your-writes across processes, and one
    database to replicate engines for."""
    if answers.get("read_replicas") is not True:
        return []
    if answers.get("consistency", "strong") == "strong":
        return [
            Problem(
                "read_replicas",
                (
                    "Read replicas need reads that may lag writes: a replica applies a commit "
                    "after the primary, so under strong consistency another client's read could "
                    "miss the latest committed write. Answer false, or consistency 'eventual'."
                ),
                "needs consistency 'eventual'",
            )
        ]
    if answers.get("tenancy", "none") == "database":
        return [
            Problem(
                "read_replicas",
                (
                    "Read replicas are not offered with a database per tenant: the bounded engine "
                    "registry would need a replica engine beside every tenant's, doubling the "
                    "connections it exists to bound. Answer false, or another tenancy need."
                ),
                "not with a database per tenant",
            )
        ]
    if "cache" in answers and answers.get("cache") != "redis":
        return [
            Problem(
                "read_replicas",
                (
                    "Read replicas need Redis (cache 'redis'): every process of the service must "
                    "know that a caller wrote a moment ago, to read its own writes from the "
                    "primary. Answer false, or cache 'redis'."
                ),
                "needs cache 'redis'",
            )
        ]
    return []


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value is False:
        return [
            "Every read and write goes to the primary, which sees every committed write.",
            (
                "Adding replicas later is a new answer (`read_replicas: true`) and "
                "`copier update`: routes already marked as safe to read from a replica move "
                "there."
            ),
        ]
    return [
        (
            "A second engine (`DATABASE_REPLICA_URL`, with the primary's engine options and "
            "read-only transactions) serves the reads of routes that may lag (`ReadSession`: "
            "the project list and a project by id), scoped to the caller's tenant exactly as "
            "the primary's sessions are; every write, and every read inside a write, uses the "
            "primary. Unset, every read goes to the primary."
        ),
        (
            "Read-your-writes by a bounded stickiness window: after a caller's committed write "
            "(any request but GET, HEAD or OPTIONS), its reads go to the primary for "
            "`READ_YOUR_WRITES_SECONDS`, a mark kept in Redis so every process honours it (one "
            "Redis round trip per replica read; Redis out of reach means the primary). A window "
            "was chosen over comparing the caller's commit position with the replica's replay "
            "position because it costs no database round trip on a read and needs nothing "
            "from the client."
        ),
        (
            "The window is only safe while the replica is closer than it: every "
            "`REPLICA_LAG_CHECK_SECONDS` the service measures the replica's lag "
            "(`database_replica_lag_seconds`) and reads from the primary whenever the lag "
            "exceeds `REPLICA_MAX_LAG_SECONDS` (which must be below the window) or the replica "
            "fails: a read that cannot connect to it is served by the primary, without an "
            "error to the caller, and the replica is left alone until it is measured again."
        ),
        (
            "A value read from the replica is never stored in the cache: it may predate the "
            "version it would be stored under, and would then outlive the write it misses."
        ),
        (
            "The replica is a streaming replica of the primary (`pg_basebackup -R`; compose's "
            "`postgres-replica`, streaming as a replication-only role), connected to directly."
        ),
    ]


RECORD = Record(
    "Read replicas",
    ("read_write", "scale", "consistency"),
    (
        Option(
            False,
            "One primary serves every read and write",
            ("Every read sees every committed write; one server to run.",),
            ("Reads compete with writes for the primary's CPU, memory and connections.",),
        ),
        Option(
            True,
            "Streaming replicas for reads that may lag",
            (
                "Read capacity grows with replicas; the primary keeps its capacity for writes.",
                "A replica is also a warm standby.",
            ),
            (
                "A replica lags: reads that must see the latest write stay on the primary.",
                "Routing rules to keep, and another server to run and monitor.",
            ),
        ),
        Option(
            "synchronous",
            "Synchronous replicas with remote_apply (not offered)",
            ("A replica read sees every acknowledged write.",),
            ("Every commit waits for a replica to apply it, and stops when none answers.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("read_replicas", VALUES, RULES, RECORD, refusals=refusals)
