"""Heavy samples: rendered services install their dependencies, get a resource from their own
scaffold, and pass their own lint, type check and test suite against real PostgreSQL and Redis.

The scaffolded resource (`invoices`) is what a team adds first; the samples prove it passes
ruff and mypy as written and is attacked by the isolation suite like `projects`.
"""

from typing import Any

import pytest
from pytest_copie.plugin import Copie

from hooks.decisions import DECISIONS, recommend
from hooks.model import Context
from tests.conftest import answer_id, render, run

# One sample per tenancy mode: each cache with a multi-tenant mode and Redis without tenants, and
# the other decisions' values spread so each runs its tests at least once (the audit trail with
# shared tables and with a database per tenant, where it lives in the tenant's own database;
# `auth: oidc` with a schema per tenant, so its provider's tenant claim meets migrate-all; open
# registration with shared tables, so a verified sign-up's tenant starts its own trail; each
# broker with tenants, NATS where each tenant's outbox is in its own database, RabbitMQ with
# tracing across it; jobs with shared tables and a database per tenant; PgBouncer with shared
# tables, where the tenant setting must never leak, and with a pool per tenant database; a read
# replica with a schema per tenant; the audit table partitioned with shared tables; Kubernetes
# with a database per tenant, whose migration Job runs migrate-all). Redis
# with OpenTelemetry traces its commands; the longest suites (a database, then a schema, per tenant) come first so
# parallel workers finish together.
SAMPLES = [
    {
        "tenancy_need": "multi_database",
        "tenancy": "database",
        "compliance": ["audit_trail"],
        "cache": "none",
        "soft_delete": True,
        "audit": "table",
        "events": "nats",
        "jobs": "procrastinate",
        "deploy": "kubernetes",
        "pooler": "pgbouncer",
    },
    {
        "tenancy_need": "multi_schema",
        "tenancy": "schema",
        "auth": "oidc",
        "cache": "redis",
        "soft_delete": False,
        "metrics": "none",
        "ci": "none",
        "tracing": "otlp",
        "events": "rabbitmq",
        "consistency": "eventual",
        "read_replicas": True,
    },
    {
        "tenancy_need": "multi_shared",
        "tenancy": "shared",
        "compliance": ["audit_trail"],
        "cache": "none",
        "soft_delete": True,
        "audit": "table",
        "registration": "open",
        "events": "rabbitmq",
        "jobs": "procrastinate",
        "pooler": "pgbouncer",
        "partitioning": True,
    },
    {"tenancy_need": "single", "tenancy": "none", "cache": "redis", "soft_delete": False},
]


@pytest.mark.parametrize("answers", SAMPLES, ids=answer_id)
def test_generated_service_passes_its_own_tests(copie: Copie, answers: dict[str, Any]) -> None:
    project = render(copie, answers)
    run(["uv", "sync", "--locked", "--quiet"], project)  # the versions the template locked
    run(["uv", "run", "--locked", "python", "scripts/scaffold.py", "invoices"], project)
    for check in (["ruff", "check"], ["ruff", "format", "--check"], ["mypy"]):
        run(["uv", "run", *check], project)

    if answers["tenancy"] != "none":
        collected = run(["uv", "run", "pytest", "--collect-only", "-q", "tests/tenancy"], project)
        assert "_own_rows[invoices]" in collected, collected
    # About 10 minutes for the longest sample alone; up to 25 beside the other samples on 2 cores.
    output = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, timeout=2400)

    assert " passed" in output and "failed" not in output and "skipped" not in output, output


def test_every_value_of_every_decision_runs_its_own_tests() -> None:
    defaults = recommend(Context())
    for name, decision in DECISIONS.items():
        sampled = {sample.get(name, defaults[name]) for sample in SAMPLES}
        assert sampled == set(decision.values), name
