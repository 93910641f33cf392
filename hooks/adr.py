"""Architecture Decision Records: one per decision, written from the answers.

The generated service keeps them in docs/adr/ so the next engineer reads why, not only what.
No date is written: a date would change on every `copier update` and bury real changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .decisions import DECISIONS, Context, Value, reasons, recommend, show_value

ADR_ORDER: tuple[str, ...] = (
    "stack",
    "tenancy",
    "auth",
    "cache",
    "pagination",
    "primary_key",
    "soft_delete",
    "ci",
    "metrics",
    "tracing",
)


@dataclass(frozen=True)
class Option:
    """One option an architect weighs; `value` is its answer code, offered or not yet."""

    value: Value
    name: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """What an ADR says about a decision, apart from what depends on the answers."""

    title: str
    context_fields: tuple[str, ...]
    options: tuple[Option, ...]
    consequences: Callable[[Value, Mapping[str, Any]], list[str]]


def _stack_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    dependencies = "`DbSession`, `CurrentPrincipal`"
    if answers.get("tenancy", "none") != "none":
        dependencies += ", `CurrentTenant`"
    return [
        (
            "The service is a FastAPI application packaged by domain, with the same files in "
            "every domain: `router.py`, `schemas.py`, `models.py`, `service.py`, `deps.py`."
        ),
        (
            "Database access is async SQLAlchemy 2 over asyncpg; schema changes are Alembic "
            "migrations that downgrade as well as upgrade."
        ),
        (
            "The request owns the transaction: the session dependency commits on success and "
            "rolls back on error; services and repositories flush, never commit."
        ),
        (
            f"Dependencies are `Annotated` aliases ({dependencies}), so a route's signature "
            "states what it needs."
        ),
        (
            "One pydantic-settings class is validated at start, and every error uses one "
            'envelope: `{"error": {"code", "message", "details", "request_id"}}`.'
        ),
    ]


def _tenancy_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            "Tables carry no `tenant_id` and no row-level security policies.",
            (
                "Serving a second organisation later means a migration over every table "
                "(`tenant_id`, backfill, tenant-first indexes, policies) and new isolation tests; "
                "choose `shared` now if that is likely within a year."
            ),
        ]
    if value == "shared":
        found = _shared_consequences()
    elif value == "schema":
        found = _schema_consequences(answers)
    else:
        found = _database_consequences(answers)
    return found + _tenant_lifecycle_consequences(value)


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
            "would outlive the request on a pooled connection."
        ),
        (
            "Isolation tests run against PostgreSQL: tenant A sees only its rows, an insert "
            "carrying tenant B is rejected, a cross-tenant update or delete changes nothing, and "
            "a query with no tenant filter returns only the current tenant's rows."
        ),
    ]


def _migrate_all(answers: Mapping[str, Any], unit: str) -> str:
    package = answers.get("package_name", "<package>")
    return (
        f"`python -m {package}.tenancy.migrate` upgrades every tenant {unit}, one transaction "
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
            "`set_config('search_path', ..., true)`, so the setting ends with the transaction "
            "and never reaches the next request on a pooled connection."
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


def _auth_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    found = [
        "Users live in the service's database; passwords are hashed with argon2.",
        (
            "Access tokens are short-lived JWTs signed with a secret from settings, which refuses "
            "a default or weak secret outside development."
        ),
        (
            "Refresh tokens rotate on every use; presenting an already rotated token revokes its "
            "whole family, so a stolen token, once reused, signs out both thief and user."
        ),
        'Routes declare what they need with `CurrentPrincipal` and `require_role("admin")`.',
    ]
    if answers.get("tenancy", "none") != "none":
        found.append(
            "The tenant is read from the authenticated user, so the token, not a request "
            "header, decides which rows the database shows."
        )
    found.append(
        "Moving to an external OIDC provider later replaces token issuance and verification; "
        "the `CurrentPrincipal` dependency is the seam that stays."
    )
    return found


def _cache_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "Every read goes to PostgreSQL: one server to run, and a read always sees the "
                "latest committed write."
            ),
            (
                "Add a cache when read latency or database CPU nears its target; cache-aside "
                "belongs in the domain services, behind the same routes."
            ),
        ]
    if answers.get("tenancy", "none") == "none":
        keys = "Keys carry the service name, so services sharing a Redis do not collide."
    else:
        keys = "Keys carry the service name and the tenant, so no tenant is served another's entry."
    found = [
        (
            "Reads are cache-aside: look up Redis, and on a miss read PostgreSQL and store the "
            f"result for {answers.get('cache_ttl_seconds', 300)} seconds, so a change made "
            "outside the API ages out."
        ),
        "Writes invalidate the keys they affect.",
        keys,
        (
            "When Redis is down or slow, reads fall back to the database instead of failing; "
            "Redis is a performance dependency, not a correctness one."
        ),
        "Tests run against a real Redis server, never a mock.",
    ]
    if answers.get("consistency") == "strong":
        found.append(
            "Clients need to read their own writes, so reads that must see a write just "
            "committed should not be served from the cache."
        )
    return found


def _pagination_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    return [
        (
            "List endpoints take a page size and an opaque cursor and return the cursor of the "
            "next page; clients pass it back without parsing it."
        ),
        (
            "The cursor encodes the last key seen, so each page seeks on an index and costs the "
            "same at any depth; its format can change without breaking clients."
        ),
        (
            "Lists are ordered by a unique, indexed key; a total count, when a client needs one, "
            "is a separate query."
        ),
    ]


def _primary_key_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    return [
        (
            "Every primary key is a UUIDv7 generated by the service, so related rows can be built "
            "before the first database round trip."
        ),
        "Foreign keys are UUID columns, each with an index.",
        (
            "Ids are exposed in the API as canonical UUID strings; they reveal creation time, "
            "which `created_at` records anyway."
        ),
    ]


def _soft_delete_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value is True:
        return [
            (
                "Soft-deletable tables have a nullable `deleted_at`; a delete sets it and the "
                "record disappears from the API."
            ),
            (
                "Queries exclude deleted rows, and unique constraints and hot indexes are partial "
                "(`WHERE deleted_at IS NULL`), so a deleted row neither blocks a new one nor "
                "slows reads."
            ),
            (
                "The API never erases rows; a legal erasure request (e.g. GDPR) needs an explicit "
                "purge."
            ),
        ]
    return [
        "A delete removes the row; foreign keys decide what happens to dependent rows.",
        (
            "Nothing records what was deleted; if retention or an audit trail becomes a "
            "requirement, adding `deleted_at` is a migration plus a filter in each query."
        ),
    ]


def _ci_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "No CI configuration is generated; run `uv run ruff check`, `uv run mypy` and "
                "`uv run pytest` before merging, or wire them into the platform's CI."
            ),
        ]
    servers = "PostgreSQL and Redis" if answers.get("cache") == "redis" else "PostgreSQL"
    return [
        (
            "A GitHub Actions workflow runs the service's own checks on every push and pull "
            f"request: ruff, mypy, and the tests against real {servers}."
        ),
    ]


def _metrics_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "No metrics endpoint: request rates and latencies are known only from the JSON "
                "request log lines, each of which carries method, route, status and duration."
            ),
        ]
    found = [
        (
            "`GET /metrics` serves the Prometheus exposition format: requests and their "
            "duration per method, route template and status, and the database pool's "
            "connections by state."
        ),
        (
            "Labels are bounded: route templates, never raw paths or ids; requests matching no "
            "route count under `unmatched`."
        ),
    ]
    if answers.get("cache") == "redis":
        found.append("Cache reads are counted by result: hit, miss, or error.")
    found.append(
        "With several worker processes each serves its own counters; scrape every worker or "
        "run one worker per container."
    )
    return found


def _tracing_consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "No traces; the request id in every log line and in the error envelope is what "
                "ties a request's lines together."
            ),
        ]
    stores = "PostgreSQL and Redis" if answers.get("cache") == "redis" else "PostgreSQL"
    return [
        (
            f"The OpenTelemetry SDK creates spans for each HTTP request and each call to "
            f"{stores}, through the maintained instrumentation packages."
        ),
        (
            "Spans go to the OTLP endpoint in `OTEL_EXPORTER_OTLP_ENDPOINT` when it is set; "
            "without it traces are still created, so trace ids appear in logs."
        ),
        "Every log line written inside a span carries its `trace_id` and `span_id`.",
        "Health and metrics endpoints are not traced: they would drown the real requests.",
    ]


RECORDS: dict[str, Record] = {
    "stack": Record(
        "Service stack",
        ("team_stack",),
        (
            Option(
                "fastapi",
                "FastAPI with async SQLAlchemy 2, asyncpg and Alembic",
                (
                    (
                        "Typed request and response models validate input and generate the "
                        "OpenAPI document from the code."
                    ),
                    "Async I/O end to end, over asyncpg.",
                    (
                        "SQLAlchemy 2 and Alembic are mature: explicit transactions, reversible "
                        "migrations."
                    ),
                ),
                (
                    (
                        "Lower CPU throughput per process than Go or the JVM; CPU-bound work "
                        "belongs in workers."
                    ),
                    "One blocking call in async code stalls every request on that worker.",
                ),
            ),
            Option(
                "nestjs",
                "NestJS on TypeScript",
                ("One language with a TypeScript front end.",),
                (
                    (
                        "ORM support for a per-transaction setting, which row-level security "
                        "relies on, varies."
                    ),
                ),
            ),
            Option(
                "go",
                "Go with net/http and pgx",
                ("Low memory, high throughput, a single static binary.",),
                ("More hand-written code for validation, OpenAPI and migrations.",),
            ),
            Option(
                "spring",
                "Spring Boot on Java or Kotlin",
                ("Mature ecosystem and tooling, high sustained throughput.",),
                ("Heavier runtime and slower start; much framework for a small service.",),
            ),
        ),
        _stack_consequences,
    ),
    "tenancy": Record(
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
                    (
                        "Every tenant-owned table needs `tenant_id`, tenant-first indexes and a "
                        "policy."
                    ),
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
        _tenancy_consequences,
    ),
    "auth": Record(
        "Authentication",
        ("tenancy_need",),
        (
            Option(
                "jwt",
                "JWT with built-in users",
                (
                    "Self-contained: no identity provider to run or pay for.",
                    "Access tokens are checked without a lookup per request.",
                ),
                (
                    "The service owns password storage, reset and lockout.",
                    (
                        "An access token stays valid until it expires, so lifetimes must be "
                        "short and revocation needs refresh-token state."
                    ),
                ),
            ),
            Option(
                "oidc",
                "External OIDC provider such as Keycloak, Auth0, Entra ID or Cognito",
                ("Single sign-on, MFA and password handling done by a specialist.",),
                (
                    (
                        "Another dependency on the login path, often priced per user; claims "
                        "must be mapped to local users and tenants."
                    ),
                ),
            ),
            Option(
                "sessions",
                "Server-side sessions behind a cookie",
                ("Instant revocation; simple for a browser-only client.",),
                (
                    (
                        "A session-store lookup on every request and CSRF protection; awkward "
                        "for non-browser clients and service-to-service calls."
                    ),
                ),
            ),
        ),
        _auth_consequences,
    ),
    "cache": Record(
        "Caching",
        ("scale", "read_write", "latency_p99_ms", "consistency"),
        (
            Option(
                "none",
                "None: every read goes to PostgreSQL",
                ("One server to run; every read sees the latest committed write.",),
                ("Every read costs a database round trip; hot rows load PostgreSQL.",),
            ),
            Option(
                "redis",
                "Redis cache-aside",
                (
                    "Sub-millisecond hot reads and less load on PostgreSQL.",
                    "Shared by every instance, so one invalidation reaches all of them.",
                ),
                (
                    "A second server to run and monitor.",
                    (
                        "Every write must invalidate, and a read racing a write can be stale "
                        "until the TTL expires."
                    ),
                ),
            ),
            Option(
                "in_process",
                "In-process cache",
                ("No network hop and nothing extra to run.",),
                (
                    (
                        "Each instance holds its own copy, so an invalidation does not reach the "
                        "others."
                    ),
                ),
            ),
        ),
        _cache_consequences,
    ),
    "pagination": Record(
        "Pagination",
        ("scale", "read_write"),
        (
            Option(
                "cursor",
                "Keyset pagination with an opaque cursor",
                (
                    "Each page seeks on an index, so it costs the same at any depth.",
                    "Rows inserted or deleted between pages are neither skipped nor repeated.",
                ),
                (
                    "No jumping to page N and no total count for free.",
                    "Ordering must end on a unique, indexed key.",
                ),
            ),
            Option(
                "offset",
                "Offset / limit",
                ("Simple, familiar, and any page is one request away.",),
                (
                    "OFFSET n reads and discards n rows, so deep pages slow down.",
                    "Inserts between requests shift rows: skips and duplicates.",
                ),
            ),
        ),
        _pagination_consequences,
    ),
    "primary_key": Record(
        "Primary keys",
        ("scale", "read_write"),
        (
            Option(
                "uuid7",
                "Time-ordered UUIDv7",
                (
                    "Generated by the service, without a database round trip.",
                    "Time-ordered, so inserts append to the index like a sequence.",
                    "Not guessable by counting; unique across services and databases.",
                ),
                (
                    "16 bytes instead of 8: larger indexes and foreign keys.",
                    "Reveals the creation time to anyone who sees the id.",
                ),
            ),
            Option(
                "bigint",
                "bigint identity",
                ("8 bytes, compact indexes, readable ids.",),
                (
                    (
                        "The id is known only after an insert; sequential ids reveal volume, "
                        "invite enumeration and collide when data from two databases is merged."
                    ),
                ),
            ),
            Option(
                "uuid4",
                "Random UUIDv4",
                ("Unguessable and reveals nothing.",),
                (
                    (
                        "Random inserts scatter across the index: page splits, cache misses and "
                        "write amplification on large tables."
                    ),
                ),
            ),
        ),
        _primary_key_consequences,
    ),
    "soft_delete": Record(
        "Deleting records",
        ("compliance",),
        (
            Option(
                True,
                "Soft delete with a `deleted_at` timestamp",
                (
                    (
                        "Deleted records stay for audit, retention and undo; references to them "
                        "keep resolving."
                    ),
                ),
                (
                    (
                        "Every query must exclude deleted rows, and unique constraints must be "
                        "partial."
                    ),
                    "Erasure requests need a separate purge.",
                ),
            ),
            Option(
                False,
                "Hard delete",
                ("A deleted row is gone: lean tables and queries, immediate erasure.",),
                ("No undo and no record of what was deleted.",),
            ),
            Option(
                "history",
                "History table or change log",
                ("Records every change, not only deletion; the main table stays lean.",),
                ("Triggers or code to keep in sync, more storage, harder queries.",),
            ),
        ),
        _soft_delete_consequences,
    ),
    "ci": Record(
        "Continuous integration",
        (),
        (
            Option(
                "github",
                "GitHub Actions",
                (
                    (
                        "Runs where most code already lives; service containers give the tests "
                        "real servers."
                    ),
                ),
                ("Tied to GitHub; private repositories pay for minutes beyond the free tier.",),
            ),
            Option(
                "none",
                "None",
                ("Nothing to maintain when the platform provides CI.",),
                ("Nothing stops a change that breaks the tests from merging.",),
            ),
            Option(
                "gitlab",
                "GitLab CI",
                ("Built into GitLab, with the same service-container model.",),
                ("Tied to GitLab.",),
            ),
        ),
        _ci_consequences,
    ),
    "metrics": Record(
        "Metrics",
        ("scale",),
        (
            Option(
                "prometheus",
                "Prometheus exposition at /metrics",
                (
                    "The format every monitoring stack scrapes; no agent or push gateway.",
                    "prometheus-client is small and has no runtime dependencies.",
                ),
                (
                    "Pull-based: something must scrape each instance.",
                    "Per-process counters: several workers need a scrape each, or multiprocess mode.",
                ),
            ),
            Option(
                "none",
                "None",
                ("Nothing to run or secure.",),
                ("Rates and latencies must be reconstructed from logs, after the fact.",),
            ),
            Option(
                "otlp",
                "OpenTelemetry metrics over OTLP",
                ("One protocol for metrics and traces; push, so no scraper is needed.",),
                ("Needs a collector; heavier SDK.",),
            ),
        ),
        _metrics_consequences,
    ),
    "tracing": Record(
        "Distributed tracing",
        ("scale",),
        (
            Option(
                "otlp",
                "OpenTelemetry, exported over OTLP",
                (
                    "The vendor-neutral standard: any backend (Jaeger, Tempo, a SaaS) reads it.",
                    "Maintained instrumentation for FastAPI, SQLAlchemy and Redis.",
                ),
                (
                    "A collector or backend to run; spans cost CPU on every request.",
                    "Sampling has to be chosen once traffic grows.",
                ),
            ),
            Option(
                "none",
                "None",
                ("Nothing to run; no per-request cost.",),
                ("Latency across components is guessed from logs and metrics.",),
            ),
            Option(
                "vendor",
                "A vendor's agent (APM)",
                ("Turnkey dashboards.",),
                ("Lock-in to one vendor's agent and pricing.",),
            ),
        ),
        _tracing_consequences,
    ),
}

_FIELD_LABELS = {
    "scale": "Scale",
    "read_write": "Read/write pattern",
    "latency_p99_ms": "Latency target",
    "consistency": "Consistency",
    "tenancy_need": "Tenancy",
    "expected_tenants": "Expected tenants",
    "compliance": "Compliance",
    "team_stack": "Team stack",
}
_WORDS = {
    "prototype": "prototype (under 50 requests/s, under 10 GB of data)",
    "growth": "growth (50 to 1,000 requests/s, 10 GB to 1 TB)",
    "large": "large (over 1,000 requests/s, over 1 TB)",
    "read_heavy": "read-heavy (10:1 or more)",
    "balanced": "balanced",
    "write_heavy": "write-heavy (ingestion, events, logging)",
    "strong": "strong (a read always sees the latest committed write)",
    "eventual": "eventual (a read may lag a write by seconds)",
    "single": "single tenant",
    "multi_shared": "multi-tenant, rows kept apart by the database",
    "multi_schema": "multi-tenant, each tenant's tables apart",
    "multi_database": "multi-tenant, each tenant in its own database",
    "tens": "up to 100 tenants",
    "thousands": "100 to 10,000 tenants",
    "more": "over 10,000 tenants",
    "audit_trail": "audit trail",
    "retention": "retention",
    "tenant_separation": "dedicated storage per tenant",
    "python": "Python",
    "typescript": "TypeScript / Node.js",
    "go": "Go",
    "jvm": "Java / Kotlin",
    "other": "other",
}


def markdown(decision: str, answers: Mapping[str, Any]) -> str:
    """The ADR for one decision, as Markdown, from the answers given."""
    record = RECORDS[decision]
    context = Context.from_answers(answers)
    recommended = recommend(context)[decision]
    chosen = answers.get(decision, recommended)
    number = ADR_ORDER.index(decision) + 1
    lines = [f"# ADR-{number:04d}: {record.title}", "", "## Status", "", "Accepted", ""]
    lines += ["## Context", ""]
    for name in record.context_fields:
        lines.append(f"- {_FIELD_LABELS[name]}: {_describe(name, context)}")
    if record.context_fields:
        lines.append("")
    lines += [f"Recommended: {_label(decision, recommended)}. {reasons(context)[decision]}", ""]
    lines += ["## Options considered", ""]
    for option in record.options:
        lines += _option_lines(decision, option)
    if chosen == recommended:
        verdict = f"{_label(decision, chosen)}, as recommended."
    else:
        verdict = (
            f"{_label(decision, chosen)}, chosen over the recommended "
            f"{_label(decision, recommended)}."
        )
    lines += ["## Decision", "", verdict, "", "## Consequences", ""]
    lines += [f"- {line}" for line in record.consequences(chosen, answers)]
    return "\n".join(lines) + "\n"


def _describe(name: str, context: Context) -> str:
    value = getattr(context, name)
    if name == "latency_p99_ms":
        return f"{value} ms at p99"
    if name == "compliance":
        return ", ".join(_WORDS[item] for item in value) or "none stated"
    if name == "expected_tenants" and context.tenancy_need == "single":
        return "not asked (single tenant)"
    return _WORDS[value]


def _option_lines(decision: str, option: Option) -> list[str]:
    offered = "" if option.value in DECISIONS[decision] else ", not offered by Groundwork yet"
    lines = [f"### {option.name} (`{show_value(option.value)}`{offered})", "", "Pros:", ""]
    lines += [f"- {pro}" for pro in option.pros]
    lines += ["", "Cons:", ""]
    lines += [f"- {con}" for con in option.cons]
    return [*lines, ""]


def _label(decision: str, value: Value) -> str:
    """An option's name followed by its answer code, e.g. "Redis cache-aside (`redis`)"."""
    return f"{_name(decision, value)} (`{show_value(value)}`)"


def _name(decision: str, value: Value) -> str:
    for option in RECORDS[decision].options:
        if option.value == value:
            return option.name
    return str(value)
