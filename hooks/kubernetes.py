"""What the Kubernetes manifests give each component, derived from the answers in one place:
the Secret keys each container reads, and the ports each one may reach (its NetworkPolicy).

The templates loop over these (`kubernetes_secrets`, `kubernetes_egress` in extension.py); the
template's own checks (tests/kubernetes_checks.py) verify the rendered result independently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

Answers = Mapping[str, Any]


class Secret(NamedTuple):
    """A key of the service's Secret: the environment variable of that name, and an example."""

    name: str
    example: str


class Egress(NamedTuple):
    """A port a component may reach: on a pod of the service (`component`), or anywhere."""

    port: int
    what: str
    component: str | None = None


def _worker(answers: Answers) -> bool:
    return bool(answers.get("events", "none") != "none" or answers.get("jobs", "none") != "none")


def _tenant_storage(answers: Answers) -> bool:
    return answers.get("tenancy") in ("schema", "database")


def secrets(answers: Answers, *, owner: bool) -> list[Secret]:
    """The Secret keys a container gets; `owner`: it runs the migrations (the owner's URL)."""
    pooled = answers.get("pooler") == "pgbouncer"
    app_host = f"{answers['project_slug']}-pgbouncer:6432" if pooled else "POSTGRES_HOST:5432"
    found = [Secret("DATABASE_URL", f"postgresql+asyncpg://APP_ROLE:PASSWORD@{app_host}/DATABASE")]
    if owner or _tenant_storage(answers):  # the service creates tenants' storage as the owner
        found.append(
            Secret(
                "MIGRATION_DATABASE_URL",
                "postgresql+asyncpg://OWNER_ROLE:PASSWORD@POSTGRES_HOST:5432/DATABASE",
            )
        )
    if pooled:
        found.append(
            Secret(
                "DATABASE_DIRECT_URL",
                "postgresql+asyncpg://APP_ROLE:PASSWORD@POSTGRES_HOST:5432/DATABASE",
            )
        )
    if answers.get("read_replicas"):
        found.append(
            Secret(
                "DATABASE_REPLICA_URL",
                "postgresql+asyncpg://APP_ROLE:PASSWORD@REPLICA_HOST:5432/DATABASE",
            )
        )
    random = '"$(openssl rand -base64 48)"'
    oidc = answers.get("auth") == "oidc"
    found.append(Secret("RATE_LIMIT_KEY_SECRET" if oidc else "JWT_SECRET", random))
    if answers.get("tenancy", "none") != "none":
        found.append(Secret("OPERATOR_API_KEY", random))
    if answers.get("cache") == "redis":
        found.append(Secret("REDIS_URL", "redis://:PASSWORD@REDIS_HOST:6379/0"))
    brokers = {
        "rabbitmq": "amqp://USER:PASSWORD@RABBITMQ_HOST:5672/",
        "nats": "nats://USER:PASSWORD@NATS_HOST:4222",
    }
    if answers.get("events", "none") in brokers:
        found.append(Secret("BROKER_URL", brokers[answers["events"]]))
    found.append(Secret("MAIL_URL", "smtp://USER:PASSWORD@SMTP_HOST:587"))
    return found


def egress(answers: Answers, component: str) -> list[Egress]:
    """The ports `component` (api, worker, migrate, pgbouncer) may reach, beside DNS."""
    pooled = answers.get("pooler") == "pgbouncer"
    if component in ("migrate", "pgbouncer"):
        return [Egress(5432, "PostgreSQL")]
    found = []
    if pooled:
        found.append(Egress(6432, "PgBouncer", "pgbouncer"))
        if component == "worker":
            found.append(Egress(5432, "PostgreSQL directly (DATABASE_DIRECT_URL: LISTEN, locks)"))
        elif _tenant_storage(answers) or answers.get("read_replicas"):
            found.append(Egress(5432, "PostgreSQL directly: tenants' storage, the read replica"))
    else:
        found.append(Egress(5432, "PostgreSQL"))
    if component == "worker":
        broker = {"rabbitmq": Egress(5672, "RabbitMQ"), "nats": Egress(4222, "NATS")}
        found += [broker[answers["events"]]] if answers.get("events") in broker else []
    if answers.get("cache") == "redis":
        found.append(Egress(6379, "Redis"))
    if answers.get("tracing") == "otlp":
        found.append(Egress(4318, "the OTLP collector (HTTP)"))
    if component == "api" and answers.get("auth") == "oidc":
        found.append(Egress(443, "the OpenID Connect provider's discovery document and keys"))
    found += [
        Egress(587, "the mail server (SMTP, STARTTLS)"),
        Egress(465, "the mail server (SMTPS)"),
    ]
    return found


def components(answers: Answers) -> list[str]:
    """The components that have a NetworkPolicy."""
    found = ["api", *(["worker"] if _worker(answers) else []), "migrate"]
    return [*found, *(["pgbouncer"] if answers.get("pooler") == "pgbouncer" else [])]


class Ingress(NamedTuple):
    """Who may reach a component's port: a namespace's pods, or a component of the service."""

    port: int
    what: str
    namespace: str | None = None
    component: str | None = None


def ingress(answers: Answers, component: str) -> list[Ingress]:
    """Who may reach `component`: the ingress controller, Prometheus, the pooler's clients.
    kubelet probes come from the node, which policies do not restrict."""
    scraped = answers.get("metrics") == "prometheus"
    if component == "api":
        found = [Ingress(8000, "the ingress controller", namespace="ingress-nginx")]
        return found + ([Ingress(8000, "Prometheus", namespace="monitoring")] if scraped else [])
    if component == "worker":
        return [Ingress(8001, "Prometheus", namespace="monitoring")] if scraped else []
    if component == "pgbouncer":
        clients = ["api", *(["worker"] if _worker(answers) else [])]
        return [Ingress(6432, f"the {client}", component=client) for client in clients]
    return []
