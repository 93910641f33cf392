"""Audit trail: an append-only table of who did what to which record, when compliance asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("none", "table")

RULES: tuple[Rule[Value], ...] = (
    Rule(
        "an audit trail is required",
        lambda context: "audit_trail" in context.compliance,
        "table",
        (
            "An audit trail was stated as a compliance need, so every change to a tenant's "
            "records and every sign-in is written to an append-only table, in the transaction "
            "of the change."
        ),
    ),
    otherwise(
        "none",
        (
            "No audit trail was stated, so changes are not recorded beyond the request log, "
            "and writes carry no second insert."
        ),
    ),
)


def _where(answers: Mapping[str, Any]) -> str:
    tenancy = answers.get("tenancy", "none")
    if tenancy == "shared":
        return (
            "`audit_events` carries `tenant_id` under the same row-level security policy as "
            "every resource table: a tenant's administrator reads only that tenant's events."
        )
    if tenancy == "schema":
        return (
            "`audit_events` lives in each tenant's own schema (tenant migration `t0002`), beside "
            "the records it describes; so do the tenant's lifecycle events (created, suspended, "
            "reactivated)."
        )
    if tenancy == "database":
        return (
            "`audit_events` lives in each tenant's own database (tenant migration `t0002`), "
            "beside the records it describes; so do the tenant's lifecycle events. An event "
            "about a catalog table (a login, a new member, a tenant's status) commits there just "
            "after the catalog's transaction, not atomically with it."
        )
    return "`audit_events` is a plain table of the service's database."


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "Nothing records who changed a record; the request log (request id, user id, "
                "route, status) is all there is, and it holds no before and after values."
            ),
            (
                "Adding the trail later is a new answer (`audit: table`) and `copier update`: "
                "one table, one migration, and the events from then on, none from before."
            ),
        ]
    return [
        (
            "What the trail proves: who (`actor_id`, the user; empty when anonymous) did what "
            "(`action`, such as `project.updated` or `auth.login`) to which record "
            "(`resource_type`, `resource_id`) and when (`occurred_at`, the time of the change's "
            "transaction; the row's `created_at`), with each changed field's "
            "value before and after, and the request (`request_id`) that did it."
        ),
        (
            "Each event is written in the same transaction as its change: a change that rolls "
            "back leaves no event, and a committed change always has one. A session listener "
            "records the inserts, updates and deletes of every resource table (soft deletes "
            "too), found by its base class, not by name; auth and the tenant lifecycle announce "
            "logins, logouts, new members and tenant status changes through `signals.audited`."
        ),
        _where(answers),
        (
            "The service's database role may only INSERT and SELECT the table: PostgreSQL "
            "refuses its UPDATE, DELETE and TRUNCATE, so a flaw in the application cannot "
            "rewrite history."
        ),
        (
            "Columns whose names say password, secret, token, hash or API key are recorded as "
            "changed, never with their values."
        ),
        (
            "Administrators read their tenant's trail at `GET /api/v1/audit-events`, newest first, "
            "filtered by resource, actor or action, one cursor page at a time."
        ),
        (
            "What it does not prove: the database owner or a superuser can still rewrite or "
            "drop it (it is not a tamper-evident hash chain, and it is not shipped to write-once "
            "storage); reads are not audited; failed logins are in the request log only; and "
            "a tenant's deletion deletes its trail with the rest of its data, so only the "
            "operator's log line records it."
        ),
    ]


RECORD = Record(
    "Audit trail",
    ("compliance",),
    (
        Option(
            "table",
            "An append-only table written in the transaction of each change",
            (
                "An event exists if and only if its change committed.",
                "Isolated per tenant like every resource; read through the API.",
            ),
            (
                "A second insert on every write.",
                "Append-only for the service's role only: the owner can still rewrite it.",
            ),
        ),
        Option(
            "none",
            "None",
            ("No extra write, no table growing with every change.",),
            ("No answer to who changed a record, or what it was before.",),
        ),
        Option(
            "log",
            "Audit lines in the application log",
            ("Nothing to store in the database.",),
            (
                (
                    "Written outside the transaction: a line for a rolled-back change, or none "
                    "for a committed one when the process dies."
                ),
            ),
        ),
        Option(
            "hash_chain",
            "A tamper-evident hash chain, or write-once external storage",
            ("Proves that no event was altered or removed, even by the database owner.",),
            ("Serialises every write of a tenant on the chain's head; another system to run.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("audit", VALUES, RULES, RECORD)
