"""The parts of a FastAPI service, and the answers that bring each one.

A part is a feature module of the service (`module`, listed in its application factory and,
when it has settings, in its `Settings` class) and the files only it needs. Copier leaves out
the files of every part a service does not have (`_exclude` in copier.yml), so the template's
file names stay plain and a file belongs to exactly one place here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]


def _always(_: Answers) -> bool:
    return True


def _multi_tenant(answers: Answers) -> bool:
    return bool(answers.get("tenancy", "none") != "none")


def _tenancy(*modes: str) -> Callable[[Answers], bool]:
    return lambda answers: answers.get("tenancy", "none") in modes


def _answer(name: str, value: object) -> Callable[[Answers], bool]:
    return lambda answers: answers.get(name) == value


def _events(answers: Answers) -> bool:
    return bool(answers.get("events", "none") != "none")


def _worker(answers: Answers) -> bool:
    return _events(answers) or answers.get("jobs", "none") != "none"


@dataclass(frozen=True)
class Part:
    """A piece of the service that some answers bring and others leave out."""

    name: str
    present: Callable[[Answers], bool] = _always
    module: str | None = None  # the feature module, as `main.FEATURES` lists it
    settings: bool = False  # whether `module.Settings` joins the service's settings
    worker: str | None = None  # the module whose `run(settings, stopping)` the worker runs
    files: tuple[str, ...] = ()  # gitignore-style patterns, relative to the service's root
    dependencies: tuple[str, ...] = ()
    dev_dependencies: tuple[str, ...] = ()


# In the order the service starts them (main.FEATURES); a later one's middleware is outer.
PARTS: tuple[Part, ...] = (
    Part(
        "service",
        dependencies=(
            "alembic>=1.16",
            "asyncpg>=0.30",
            "blinker>=1.9",
            "email-validator>=2.2",
            "fastapi>=0.165",
            "limits>=5.0",
            "pydantic-settings>=2.10",
            "pyjwt>=2.10",
            "sqlalchemy[asyncio]>=2.0.40",
            "structlog>=25.4",
            "uuid-utils>=0.11",
            "uvicorn[standard]>=0.35",
        ),
        dev_dependencies=(
            "asgi-lifespan>=2.1",
            "httpx>=0.28",
            "mypy>=1.18",
            "pytest>=8.4",
            "pytest-asyncio>=1.2",
            "aiosmtpd>=1.4",
            "ruff>=0.14",
            "schemathesis>=4.32,<5",
        ),
    ),
    Part("errors", module="errors", settings=True),
    Part("database", module="db", settings=True),
    # Transaction pooling between the service and PostgreSQL (pooler: pgbouncer).
    # The engine's settings for it are the database part's (DATABASE_POOLER); these are its tests.
    Part(
        "PgBouncer",
        _answer("pooler", "pgbouncer"),
        files=("tests/pooler", "tests/support/pgbouncer_server.py"),
    ),
    # Reads that may lag go to a streaming replica (read_replicas: true).
    Part(
        "read replicas",
        _answer("read_replicas", True),
        module="replicas",
        settings=True,
        files=("src/*/replicas.py", "tests/replicas", "deploy/postgres/replica-entrypoint.sh"),
    ),
    Part(
        "tenancy",
        _multi_tenant,
        module="tenancy",
        settings=True,
        files=(
            "src/*/tenancy/context.py",
            "src/*/tenancy/directory.py",
            "src/*/tenancy/jobs.py",
            "src/*/tenancy/lifecycle.py",
            "src/*/tenancy/models.py",
            "migrations/versions/0002_tenant_lifecycle.py",
            "migrations/versions/0003_accounts_of_deleted_tenants.py",
            "tests/tenancy",
            "tests/apikeys/test_tenant_keys.py",
            "docs/tenancy.md",
        ),
        dependencies=("cachetools>=6.2",),
        dev_dependencies=("types-cachetools>=6.2",),
    ),
    Part("single tenant", _tenancy("none"), files=("src/*/tenancy/single.py",)),
    Part(
        "shared tables",
        _tenancy("shared"),
        files=("src/*/tenancy/shared.py", "tests/tenancy/test_shared_isolation.py"),
    ),
    Part(
        "schema per tenant",
        _tenancy("schema"),
        files=("src/*/tenancy/schema.py", "tests/tenancy/test_schema_isolation.py"),
    ),
    Part(
        "database per tenant",
        _tenancy("database"),
        files=(
            "src/*/tenancy/database.py",
            "src/*/tenancy/engines.py",
            "tests/tenancy/test_database_isolation.py",
            "tests/tenancy/test_engines.py",
        ),
    ),
    Part(
        "resource tables in the service's migrations",
        _tenancy("none", "shared"),
        files=("tests/test_autogenerate.py",),
    ),
    Part(
        "tenant storage",
        _tenancy("schema", "database"),
        files=(
            "src/*/tenancy/storage.py",
            "src/*/migrate.py",
            "src/*/tenancy/migrations",
            "tests/tenancy/test_migrate_all.py",
        ),
    ),
    Part(
        "redis",
        _answer("cache", "redis"),
        module="redis_store",
        settings=True,
        files=(
            "src/*/redis_store.py",
            "tests/projects/test_cache.py",
            "tests/support/redis_server.py",
            "tests/support/tcp_proxy.py",
        ),
        dependencies=("circuitbreaker>=2.1", "redis>=6.2"),
    ),
    Part("rate limits", module="ratelimit", settings=True),
    Part("mail", module="mail", settings=True, dependencies=("aiosmtplib>=4.0",)),
    # Principal, roles, `CurrentPrincipal`, `require_role`, `DbSession`: every mode's.
    Part("auth", module="auth", settings=True),
    Part(
        "built-in accounts",
        _answer("auth", "jwt"),
        files=(
            "src/*/auth/passwords.py",
            "src/*/auth/router.py",
            "src/*/auth/schemas.py",
            "src/*/auth/security.py",
            "src/*/auth/service.py",
            "src/*/auth/settings.py",
            "src/*/auth/tokens.py",
            "src/*/auth/mails.py",
            "src/*/tenants/accounts.py",
            "tests/auth/test_auth.py",
            "tests/auth/test_hardening.py",
            "tests/auth/test_login_hardening.py",
            "tests/apikeys/test_stale_roles.py",
            "tests/auth/test_password_reset.py",
        ),
        dependencies=("argon2-cffi>=25.1", "zxcvbn>=4.5"),
    ),
    Part(
        "tenant lifecycle over built-in accounts",
        lambda answers: _multi_tenant(answers) and answers.get("auth") == "jwt",
        files=("tests/tenancy/test_lifecycle.py",),
    ),
    Part(
        "OpenID Connect resource server",
        _answer("auth", "oidc"),
        files=(
            "src/*/auth/oidc",
            "src/*/auth/me.py",
            "src/*/tenants/accounts_of_provider.py",
            "tests/auth/test_oidc.py",
            "tests/support/identity_provider.py",
        ),
        # PyJWT (already the service's JWT library) verifies RS/PS/ES/EdDSA with `cryptography`;
        # httpx fetches the provider's keys without blocking the event loop.
        dependencies=("cachetools>=6.2", "httpx>=0.28", "pyjwt[crypto]>=2.10"),
        dev_dependencies=("types-cachetools>=6.2",),
    ),
    Part(
        "tenant claim",
        lambda answers: _multi_tenant(answers) and answers.get("auth") == "oidc",
        files=("src/*/auth/oidc/tenant_claim.py",),
    ),
    Part(
        "no tenant claim",
        lambda answers: not _multi_tenant(answers) and answers.get("auth") == "oidc",
        files=("src/*/auth/oidc/tenant_none.py",),
    ),
    # Closed registration has no route to sign up: accounts come from create_admin (a single
    # tenant), operators (tenants) and administrators.
    Part(
        "open registration",
        lambda answers: answers.get("registration") == "open" and answers.get("auth") == "jwt",
        files=("src/*/auth/registration.py", "tests/auth/test_registration.py"),
    ),
    Part(
        "first administrator",
        lambda answers: answers.get("tenancy", "none") == "none" and answers.get("auth") == "jwt",
        files=("src/*/create_admin.py", "tests/auth/test_create_admin.py"),
    ),
    Part("API keys", module="apikeys"),
    # Invitations and members are the built-in accounts' (auth=jwt): with a provider, its
    # tokens say who belongs where.
    Part(
        "invitations",
        _answer("auth", "jwt"),
        module="invitations",
        settings=True,
        files=("src/*/invitations", "tests/invitations"),
    ),
    Part(
        "members of tenants",
        lambda answers: _multi_tenant(answers) and answers.get("auth") == "jwt",
        files=("src/*/invitations/memberships.py", "tests/invitations/test_across_tenants.py"),
    ),
    Part(
        "members of one organisation",
        lambda answers: answers.get("tenancy", "none") == "none" and answers.get("auth") == "jwt",
        files=("src/*/invitations/user_roles.py", "tests/invitations/test_one_organisation.py"),
    ),
    Part("operator API", _multi_tenant, module="tenants", settings=True, files=("src/*/tenants",)),
    # Before the domain: of the routes matched first (`routes_first`), the probes come first.
    Part("health", module="health"),
    # Before projects: FastAPI would take /projects/activity for /projects/{project_id}.
    Part("project activity", _events, module="activity"),
    Part("projects", module="projects"),
    Part(
        "audit trail",
        _answer("audit", "table"),
        module="audit",
        files=("src/*/audit", "tests/audit"),
    ),
    # The audit table range-partitioned by month (partitioning: true).
    Part(
        "partitioned audit trail",
        _answer("partitioning", True),
        module="partitions",
        settings=True,
        files=(
            "src/*/partitions.py",
            "migrations/versions/0011_audit_partitions.py",
            "tests/audit/test_partitions.py",
        ),
    ),
    # Its tests sign in, invite and log out through the built-in accounts.
    Part(
        "audit trail of the built-in accounts",
        lambda answers: answers.get("audit") == "table" and answers.get("auth") == "jwt",
        files=("tests/audit/test_audit_trail.py", "tests/audit/test_attacks.py"),
    ),
    Part(
        "audit trail in the service's migrations",
        lambda answers: answers.get("audit") == "table" and _tenancy("none", "shared")(answers),
        files=("migrations/versions/0007_audit_events.py",),
    ),
    Part(
        "audit trail in each tenant's storage",
        lambda answers: answers.get("audit") == "table" and _tenancy("schema", "database")(answers),
        files=("src/*/tenancy/migrations/versions/t0002_audit_events.py",),
    ),
    # Domain events: the outbox written with each change, the relay, idempotent consumers and
    # the example projection of project activity. The broker is one adapter of `events/brokers`.
    Part(
        "events",
        _events,
        module="events",
        settings=True,
        worker="events.worker",
        files=("src/*/events", "src/*/activity", "tests/events", "tests/support/brokers.py"),
    ),
    # 0008 in every mode (with a database per tenant it is empty), so the chain never forks.
    Part(
        "events in the service's migrations",
        _events,
        files=("migrations/versions/0008_outbox.py", "migrations/versions/0009_event_consumers.py"),
    ),
    Part(
        "events in each tenant's storage",
        lambda answers: _events(answers) and _tenancy("database")(answers),
        files=("src/*/tenancy/migrations/versions/t0003_outbox.py",),
    ),
    Part(
        "event consumers in each tenant's storage",
        lambda answers: _events(answers) and _tenancy("schema", "database")(answers),
        files=("src/*/tenancy/migrations/versions/t0004_event_consumers.py",),
    ),
    Part(
        "RabbitMQ",
        _answer("events", "rabbitmq"),
        # The contract tests cut the broker with the TCP proxy.
        files=("src/*/events/brokers/rabbitmq.py", "tests/support/tcp_proxy.py"),
        dependencies=("aio-pika>=9.5",),
    ),
    Part(
        "NATS JetStream",
        _answer("events", "nats"),
        files=("src/*/events/brokers/jetstream.py", "tests/support/tcp_proxy.py"),
        dependencies=("nats-py>=2.10",),
    ),
    # Jobs in PostgreSQL, enqueued in the transaction of the change that causes them.
    Part(
        "jobs",
        _answer("jobs", "procrastinate"),
        module="jobs",
        settings=True,
        worker="jobs.worker",
        files=("src/*/jobs", "tests/jobs", "migrations/versions/0010_jobs.py"),
        # Migration 0010 applies the schema of this procrastinate version: a newer one with
        # schema changes comes with a migration. psycopg's binary build brings its own libpq.
        dependencies=("procrastinate[psycopg]>=3.10,<3.11", "psycopg[binary]>=3.2"),
    ),
    # The process that runs the relay, the consumers and the jobs, beside the web service.
    Part("worker", _worker, files=("src/*/worker.py", "tests/test_worker.py")),
    Part("retries", module="resilience", settings=True),
    # Outside the retries: they never buffer more than the limit.
    Part("request limits", module="limits", settings=True),
    Part(
        "metrics",
        _answer("metrics", "prometheus"),
        module="metrics",
        settings=True,
        files=("src/*/metrics.py", "tests/observability/test_metrics.py"),
        dependencies=("prometheus-client>=0.22",),
    ),
    Part(
        "tracing",
        _answer("tracing", "otlp"),
        module="tracing",
        settings=True,
        files=("src/*/tracing.py", "tests/observability/test_tracing.py"),
        dependencies=(
            "opentelemetry-exporter-otlp-proto-http>=1.38",
            "opentelemetry-instrumentation-sqlalchemy>=0.59b0",
            "opentelemetry-sdk>=1.38",
        ),
    ),
    Part(
        "Redis traces",
        lambda answers: answers.get("tracing") == "otlp" and answers.get("cache") == "redis",
        dependencies=("opentelemetry-instrumentation-redis>=0.59b0",),
    ),
    Part("observability", module="observability"),
    # Outermost: the client address and scheme are resolved before anything reads them.
    Part("HTTP hardening", module="http_hardening", settings=True),
    Part("GitHub Actions", _answer("ci", "github"), files=(".github",)),
    Part("Kubernetes", _answer("deploy", "kubernetes"), files=("deploy/kubernetes",)),
    # The manifests of what only some services run (the Kubernetes part's own files).
    Part(
        "Kubernetes worker",
        lambda answers: answers.get("deploy") == "kubernetes" and _worker(answers),
        files=("deploy/kubernetes/base/worker.yaml",),
    ),
    Part(
        "Kubernetes PgBouncer",
        lambda answers: (
            answers.get("deploy") == "kubernetes" and answers.get("pooler") == "pgbouncer"
        ),
        files=("deploy/kubernetes/base/pgbouncer.yaml",),
    ),
    Part(
        "Kubernetes partitions CronJob",
        lambda answers: (
            answers.get("deploy") == "kubernetes" and answers.get("partitioning") is True
        ),
        files=("deploy/kubernetes/base/partitions.yaml",),
    ),
    Part(
        "Kubernetes ServiceMonitor",
        lambda answers: (
            answers.get("deploy") == "kubernetes" and answers.get("metrics") == "prometheus"
        ),
        files=("deploy/kubernetes/base/servicemonitor.yaml",),
    ),
)

# Never rendered: fragments the templates include.
FRAGMENTS = ("includes",)


def parts(answers: Answers) -> list[Part]:
    """The parts a service rendered with these answers has, in start order."""
    return [part for part in PARTS if part.present(answers)]


def features(answers: Answers) -> list[str]:
    """The feature modules of the service, in the order they start."""
    return [part.module for part in parts(answers) if part.module is not None]


def worker_modules(answers: Answers) -> list[str]:
    """The modules whose `run(settings, stopping)` the worker process runs side by side."""
    return [part.worker for part in parts(answers) if part.worker is not None]


def settings_modules(answers: Answers) -> list[str]:
    """The feature modules whose `Settings` the service's settings class inherits, later parts
    first: a part's settings may extend an earlier part's (tenancy's extends the database's)."""
    return [part.module for part in reversed(parts(answers)) if part.module and part.settings]


def dependencies(answers: Answers) -> list[str]:
    """The service's dependencies: those of every part it has."""
    return sorted({dependency for part in parts(answers) for dependency in part.dependencies})


def dev_dependencies(answers: Answers) -> list[str]:
    return sorted({dependency for part in parts(answers) for dependency in part.dev_dependencies})


def excluded(answers: Answers) -> list[str]:
    """Patterns of the files the service does not get: those of every part it lacks."""
    kept = {pattern for part in parts(answers) for pattern in part.files}
    left_out = [
        pattern
        for part in PARTS
        if not part.present(answers)
        for pattern in part.files
        if pattern not in kept
    ]
    return [*FRAGMENTS, *left_out]
