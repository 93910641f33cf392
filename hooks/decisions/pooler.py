"""Connection pooling: PgBouncer in transaction mode between the service's replicas and
PostgreSQL, once there are enough replicas for their pools to outgrow the server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("none", "pgbouncer")


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the scale is growth or large",
        lambda context: context.scale in ("growth", "large"),
        "pgbouncer",
        lambda context: (
            f"At {context.scale} scale many replicas each hold a pool of connections, and "
            "PostgreSQL spends a process and memory on each: PgBouncer in transaction mode "
            "lets them share a small number of server connections."
        ),
    ),
    otherwise(
        "none",
        (
            "At prototype scale a few processes' pools fit well within PostgreSQL's connection "
            "limit, so the service connects directly."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "Each process of the service keeps its own pool of connections straight to "
                "PostgreSQL (`DATABASE_POOL_SIZE`): processes × pool size must stay under the "
                "server's `max_connections`."
            ),
            ("Adding PgBouncer later is a new answer (`pooler: pgbouncer`) and `copier update`."),
        ]
    tenancy = answers.get("tenancy", "none")
    found = [
        (
            "The service connects through PgBouncer in transaction mode (`DATABASE_URL`, "
            "`DATABASE_POOLER=pgbouncer`): a server connection is the service's only for the "
            "length of a transaction, so hundreds of client connections share a pool sized "
            "for PostgreSQL."
        ),
        (
            "Nothing the service does lasts past a transaction: the tenant is set with "
            "`SET LOCAL` semantics (`set_config(..., true)`), never for the session, so one "
            "tenant's setting can never reach another tenant's transaction on the same server "
            "connection; the tests prove it over a pool of one. The statement timeout "
            "(`DB_STATEMENT_TIMEOUT_MS`), which PgBouncer refuses as a startup parameter, is "
            "set the same way at the start of each transaction: one more round trip."
        ),
        (
            "asyncpg's prepared statements get unique names and are never cached per "
            "connection, since the next transaction may run on another server connection "
            "(PgBouncer 1.18, Debian 12's, does not track prepared statements)."
        ),
        (
            "Migrations connect as the owner (`MIGRATION_DATABASE_URL`), and whatever needs a "
            "session of its own (LISTEN for the outbox relay, the job worker's connections) "
            "as the service's role through `DATABASE_DIRECT_URL` (default: `DATABASE_URL`): "
            "both straight to PostgreSQL, bypassing the pooler."
        ),
        (
            "`compose.yaml` runs PgBouncer beside PostgreSQL, and with Kubernetes it is a "
            "Deployment and Service of its own (`deploy/kubernetes/`); elsewhere, run one (or "
            "the provider's) in transaction mode and point `DATABASE_URL` at it."
        ),
    ]
    if tenancy == "database":
        found.append(
            "With a database per tenant PgBouncer keeps a pool per tenant database "
            "(`DEFAULT_POOL_SIZE` server connections each); idle ones are closed after "
            "`server_idle_timeout`."
        )
    return found


RECORD = Record(
    "Connection pooling",
    ("scale",),
    (
        Option(
            "none",
            "Each process pools its own connections to PostgreSQL",
            ("Nothing more to run; session features (LISTEN, advisory locks) work anywhere.",),
            (
                (
                    "Connections grow with replicas × pool size; PostgreSQL spends a process on "
                    "each and refuses past `max_connections`."
                ),
            ),
        ),
        Option(
            "pgbouncer",
            "PgBouncer in transaction mode",
            (
                "Thousands of client connections share tens of server connections.",
                "Small, single-purpose, packaged everywhere and offered by managed PostgreSQL.",
            ),
            (
                (
                    "Session state does not survive a transaction: no session SET, LISTEN or "
                    "session advisory locks through it, and prepared statements must not be "
                    "cached per connection."
                ),
                "One more hop, and one more server to run.",
            ),
        ),
        Option(
            "pgcat",
            "PgCat or Supavisor (not offered)",
            ("Pooling with load balancing across replicas and sharding.",),
            (
                (
                    "Younger, and not packaged in Debian, where this template is tested; the "
                    "service routes its reads to replicas itself when it has them."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("pooler", VALUES, RULES, RECORD)
