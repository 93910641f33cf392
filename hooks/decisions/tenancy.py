"""Tenancy: how tenants are kept apart, from none to a database per tenant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..model import (
    Context,
    Decision,
    Option,
    Problem,
    Record,
    Rule,
    Value,
    compliance,
    otherwise,
)

VALUES: tuple[Value, ...] = ("none", "shared", "schema", "database")

# The need each tenancy mode answers: the context the render matrix completes it with.
NEED_FOR_TENANCY: dict[str, str] = {
    "none": "single",
    "shared": "multi_shared",
    "schema": "multi_schema",
    "database": "multi_database",
}
# Compliance answer: contracts require each tenant's data in a database of its own.
TENANT_SEPARATION = "tenant_separation"


def _database_reason(why: str) -> Callable[[Context], str]:
    """A database per tenant because of `why`, minding the connection budget once it grows."""

    def reason(context: Context) -> str:
        sentence = (
            f"{why}, so each tenant gets its own database, with tenants, users and memberships "
            "in a catalog database."
        )
        if context.scale in ("growth", "large") or context.expected_tenants == "thousands":
            sentence += (
                " Mind the connection budget: each tenant engine holds its own pool, so the "
                "registry of open engines is bounded."
            )
        return sentence

    return reason


# The tenancy question of the context assessment names the mechanism, so each need has one mode
# and the mode is never asked again. What a need cannot serve (a schema or a database per tenant
# past 10,000 tenants, dedicated storage without a database per tenant) is refused on the
# context question that contradicts it, so the mode derived from the need is never refused.
TENANCY_FOR_NEED: dict[str, str] = {need: mode for mode, need in NEED_FOR_TENANCY.items()}

RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the service holds one organisation's data",
        lambda context: context.tenancy_need == "single",
        "none",
        (
            "The service holds one organisation's data, so a tenant boundary would add a "
            "column, policies and tests that protect nothing."
        ),
    ),
    Rule(
        "contracts require dedicated storage per tenant",
        lambda context: (
            context.tenancy_need == "multi_database" and TENANT_SEPARATION in context.compliance
        ),
        "database",
        _database_reason("Contracts require each tenant's data in a database of its own"),
    ),
    Rule(
        "tenants need physical separation",
        lambda context: context.tenancy_need == "multi_database",
        "database",
        _database_reason("Tenants need physical separation"),
    ),
    Rule(
        "tenants need their tables apart",
        lambda context: context.tenancy_need == "multi_schema",
        "schema",
        (
            "Tenants need their tables apart, so one tenant can be restored, exported or dropped "
            "alone: a schema per tenant gives that within one database, for up to thousands of "
            "tenants."
        ),
    ),
    otherwise(
        "shared",
        (
            "Tenants share the service and need isolation the database enforces, which row-level "
            "security on a tenant_id column gives without a schema or a database per tenant."
        ),
    ),
)

_NEED_WORDS: dict[str, str] = {
    "single": "single tenant",
    "multi_shared": "rows kept apart by the database",
    "multi_schema": "each tenant's tables apart",
    "multi_database": "each tenant in its own database",
}


def refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """Context answers the tenancy need cannot serve, then a mode other than the need's."""
    return _tenant_count_problems(answers) + _compliance_problems(answers) + _mode_problems(answers)


def _tenant_count_problems(answers: Mapping[str, Any]) -> list[Problem]:
    """Past 10,000 tenants only shared tables scale: refused on the tenant count question."""
    need = answers.get("tenancy_need")
    if answers.get("expected_tenants") != "more" or need not in ("multi_schema", "multi_database"):
        return []
    unit = "schema" if need == "multi_schema" else "database"
    cost = (
        "over 10,000 copies of every table and index: the PostgreSQL catalog bloats"
        if unit == "schema"
        else "over 10,000 databases, each with a connection pool of its own"
    )
    return [
        Problem(
            "expected_tenants",
            f"Over 10,000 tenants, a {unit} per tenant means {cost}, and migrate-all runs "
            "for hours; answer 'rows kept apart by the database' to the tenancy question "
            "(row-level security grows with rows, not tenants), or a smaller tenant count.",
        )
    ]


def _compliance_problems(answers: Mapping[str, Any]) -> list[Problem]:
    """Dedicated storage is a database per tenant: refused with any other tenancy need."""
    need = answers.get("tenancy_need")
    if TENANT_SEPARATION not in compliance(answers) or need in (None, "multi_database"):
        return []
    if need == "single":
        message = (
            "Dedicated storage keeps each tenant's data apart from other tenants', and a "
            "single-tenant service has no other tenant: its database is already its own; "
            "leave dedicated storage unticked."
        )
    else:
        message = (
            "Dedicated storage means a database per tenant, and the tenancy answer "
            f"'{_NEED_WORDS[str(need)]}' keeps tenants in one database; answer 'each tenant "
            "in its own database' to the tenancy question, or leave dedicated storage unticked."
        )
    return [Problem("compliance", message)]


def _mode_problems(answers: Mapping[str, Any]) -> list[Problem]:
    """A tenancy mode is the one the tenancy need names: never asked, refused when it differs.

    Given on the command line, or kept from an answers file whose need has changed since, a mode
    other than the need's is refused, and Copier then derives it again from the need.
    """
    need = answers.get("tenancy_need")
    tenancy = answers.get("tenancy")
    if need not in TENANCY_FOR_NEED or tenancy not in VALUES or tenancy == TENANCY_FOR_NEED[need]:
        return []
    mode = TENANCY_FOR_NEED[need]
    return [
        Problem(
            "tenancy",
            f"Tenancy '{tenancy}' contradicts the tenancy need '{need}', which is tenancy "
            f"'{mode}': the mode follows from the tenancy question; give tenancy '{mode}', or "
            "leave tenancy out and answer the tenancy question for the mode you want.",
        )
    ]


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            "Tables carry no `tenant_id` and no row-level security policies.",
            (
                "Serving a second organisation later means a migration over every table "
                "(`tenant_id`, backfill, tenant-first indexes, policies) and new isolation tests; "
                "choose `shared` now if that is likely within a year."
            ),
            _one_module("single"),
        ]
    if value == "shared":
        found = _shared_consequences()
    elif value == "schema":
        found = _schema_consequences(answers)
    else:
        found = _database_consequences(answers)
    return [_one_module(str(value)), *found, *_tenant_lifecycle_consequences(value), _GUARD]


def _one_module(module: str) -> str:
    return (
        f"The mode is decided in one module, `tenancy/{module}.py`; auth and the domains read it "
        "through the names `tenancy` exports (`Resource`, `index`, `user_ref`, "
        "`create_resource_table`), so a resource is written the same way in every mode."
    )


_GUARD = (
    "A new resource is isolated by default: its model derives from `tenancy.Resource`, its "
    "migration creates it with `tenancy.create_resource_table` (`scripts/scaffold.py` writes "
    "both), the isolation tests attack every resource they find, and a guard test fails on any "
    "table that is not isolated and not declared global (`models.GLOBAL_TABLES`)."
)


def _shared_consequences() -> list[str]:
    return [
        "Every tenant-owned table has a NOT NULL `tenant_id`, and its indexes lead with it.",
        (
            "Row-level security is ENABLEd and FORCEd on those tables, so even the owner is "
            "subject to it; policies compare `tenant_id` with "
            "`NULLIF(current_setting('app.tenant_id', true), '')::uuid`, so a missing tenant "
            "matches no rows instead of raising."
        ),
        (
            "The session dependency sets the tenant inside each transaction with "
            "`set_config('app.tenant_id', ..., true)`, never with a session-level SET that "
            "would outlive the request on a pooled connection; it travels in the same round "
            "trip as the transaction's BEGIN, so it holds from the first statement on."
        ),
        (
            "Isolation tests run against PostgreSQL: tenant A sees only its rows, an insert "
            "carrying tenant B is rejected, a cross-tenant update or delete changes nothing, and "
            "a query with no tenant filter returns only the current tenant's rows."
        ),
        (
            "Past one PostgreSQL: when the primary, with a pooler and replicas, no longer keeps "
            "up with the writes, the next step is to distribute the shared tables by tenant "
            "across servers (Citus, `create_distributed_table(..., 'tenant_id')`). What the "
            "service has today already fits: every tenant-owned table carries `tenant_id` and "
            "its indexes lead with it, and a request touches one tenant. What it would need: "
            "primary and unique keys and foreign keys that include `tenant_id` (today they are "
            "the UUID `id` alone), global tables (tenants, users) made reference tables, and the "
            "audit and outbox tables distributed by tenant like the rest."
        ),
    ]


def _migrate_all(answers: Mapping[str, Any], unit: str) -> str:
    package = answers.get("package_name", "<package>")
    return (
        f"`python -m {package}.migrate` upgrades every tenant {unit}, one transaction "
        f"per tenant, and resumes where it stopped; a new tenant's {unit} is created at the "
        "head revision."
    )


def _schema_consequences(answers: Mapping[str, Any]) -> list[str]:
    return [
        (
            "Each tenant's data (projects, idempotency keys) lives in a PostgreSQL schema of its "
            "own; tenants, users, memberships and refresh tokens stay in the common schema."
        ),
        (
            "The session dependency points the transaction at the tenant's schema with "
            "`set_config('search_path', ..., true)`, sent with the transaction's BEGIN, so the "
            "setting ends with the transaction and never reaches the next request on a pooled "
            "connection."
        ),
        (
            "Tenant tables carry no foreign key out of the tenant's schema, so one tenant can be "
            "restored, exported or dropped alone."
        ),
        _tenant_policy("a query that names another tenant's schema"),
        _migrate_all(answers, "schema"),
        "Deleting a tenant drops its schema (`DROP SCHEMA ... CASCADE`).",
        (
            "Every schema multiplies tables and indexes in the PostgreSQL catalog, and every "
            "migration runs once per tenant: past 10,000 tenants move to `shared`."
        ),
    ]


def _tenant_policy(stopped: str) -> str:
    return (
        "Every tenant table also has a row-level security policy, ENABLEd and FORCEd, admitting "
        f"only transactions scoped to its own tenant: {stopped} sees and changes nothing."
    )


def _database_consequences(answers: Mapping[str, Any]) -> list[str]:
    return [
        (
            "Each tenant's data (projects, idempotency keys) lives in a database of its own; a "
            "catalog database holds tenants, users, memberships and refresh tokens."
        ),
        (
            "Tenant database names are derived from configuration and the tenant id, never from "
            "the request."
        ),
        (
            "Engines for tenant databases sit in a bounded LRU registry: at most "
            "`TENANT_ENGINES_MAX` are open, and idle ones are disposed, so the number of tenants "
            "does not set the number of connections. Each engine holds its own pool: the "
            "connection budget is `TENANT_ENGINES_MAX` pools plus the catalog's."
        ),
        _tenant_policy("a session routed to another tenant's database"),
        _migrate_all(answers, "database"),
        "Deleting a tenant drops its database (`DROP DATABASE`).",
    ]


def _tenant_lifecycle_consequences(value: Value) -> list[str]:
    where = {
        "shared": "the shared tables",
        "schema": "the common schema",
        "database": "the catalog database",
    }[str(value)]
    return [
        (
            f"Memberships and refresh tokens stay in {where}, under row-level security; the "
            "application connects as a role that is NOSUPERUSER and NOBYPASSRLS and owns no "
            "table, and migrations run as the owner."
        ),
        (
            "The tenant comes from the authenticated principal, never from an unauthenticated "
            "header; log lines and cache keys carry it too."
        ),
        "A suspended tenant's requests are refused with 403 `tenant_suspended`; its data is kept.",
        (
            "Operators create, suspend, reactivate and delete tenants through `/api/v1/tenants`, "
            "authenticated by the `X-Operator-Key` header."
        ),
    ]


RECORD = Record(
    "Tenancy and tenant isolation",
    ("scale", "tenancy_need", "expected_tenants", "compliance"),
    (
        Option(
            "none",
            "None: a single-tenant service",
            ("Simplest schema and queries; no tenant context to set or test.",),
            ("Adding tenants later touches every table: column, backfill, indexes, policies.",),
        ),
        Option(
            "shared",
            "Shared tables with row-level security",
            (
                "One schema and one migration run for all tenants; a new tenant is a row.",
                (
                    "PostgreSQL enforces isolation, so a query that forgets its tenant filter "
                    "still returns only the current tenant's rows."
                ),
            ),
            (
                ("Every tenant-owned table needs `tenant_id`, tenant-first indexes and a policy."),
                (
                    "Policies protect only if the application role cannot bypass them "
                    "(NOSUPERUSER, NOBYPASSRLS, not the table owner)."
                ),
                (
                    "Tenants share capacity; restoring one tenant is a filtered export, not a "
                    "file copy."
                ),
            ),
        ),
        Option(
            "schema",
            "Schema per tenant",
            (
                (
                    "Each tenant's tables stand apart: restore, export or drop one tenant "
                    "alone (`DROP SCHEMA`)."
                ),
                "A query that forgets its tenant cannot reach another tenant's schema.",
                "One database and one connection pool for every tenant.",
            ),
            (
                (
                    "Migrations run once per schema, so a schema change takes longer with "
                    "every tenant; thousands of schemas bloat the catalog, and past 10,000 "
                    "tenants it does not scale."
                ),
                (
                    "`search_path` must be set per transaction, and tenant tables may not "
                    "reference rows outside their schema."
                ),
            ),
        ),
        Option(
            "database",
            "Database per tenant",
            (
                (
                    "Physical separation, the strongest isolation; per-tenant placement, "
                    "sizing, backups and encryption keys."
                ),
                "Restore, move or drop one tenant as a whole database.",
            ),
            (
                (
                    "A connection pool per tenant database: without a bounded engine "
                    "registry the tenant count sets the connection count."
                ),
                (
                    "A migration run per tenant and a database to create for each new one: "
                    "the highest operating cost, and past 10,000 tenants it does not scale."
                ),
                "Queries across tenants (reporting) need another path.",
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("tenancy", VALUES, RULES, RECORD, refusals)
