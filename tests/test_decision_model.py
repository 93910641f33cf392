"""The decision model, read as a specification: what is recommended, refused and recorded."""

from __future__ import annotations

import importlib
import itertools
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hooks import matrix, records
from hooks.answers import slugify
from hooks.decisions import (
    DECISIONS,
    problems,
    reasons,
    recommend,
    recommend_settings,
    recommendation_rules,
)
from hooks.decisions.tenancy import NEED_FOR_TENANCY, TENANCY_FOR_NEED
from hooks.model import Context, Problem, always, deciding, show_value

REPO = Path(__file__).resolve().parent.parent


# ── Context ──────────────────────────────────────────────────────────────────


def test_context_from_answers_uses_questionnaire_defaults_and_ignores_other_keys() -> None:
    assert Context.from_answers({"project_name": "Billing", "_copier_conf": {}}) == Context(
        scale="prototype",
        read_write="balanced",
        latency_p99_ms=200,
        consistency="strong",
        tenancy_need="single",
        expected_tenants="tens",
        compliance=(),
        team_stack="python",
    )


def test_context_from_answers_normalises_copier_values() -> None:
    context = Context.from_answers({"latency_p99_ms": "80", "compliance": ["retention"]})
    assert context.latency_p99_ms == 80
    assert context.compliance == ("retention",)


# ── One module per decision ──────────────────────────────────────────────────


def test_each_decision_is_defined_in_the_module_named_after_it() -> None:
    for name, decision in DECISIONS.items():
        assert importlib.import_module(f"hooks.decisions.{name}").DECISION is decision
        assert decision.name == name


def test_the_decisions_are_listed_in_questionnaire_order() -> None:
    questions = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    assert [name for name in questions if name in DECISIONS] == list(DECISIONS)


def test_a_decision_with_one_answer_is_never_asked_and_the_tenancy_mode_is_derived() -> None:
    """Copier records an `ask: false` answer (unlike `when: false`), so the answers file and the
    records still hold it; the tenancy mode is the one the tenancy question names."""
    questions = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    hidden = {name for name in DECISIONS if questions[name].get("ask") is False}
    one_answer = {name for name, decision in DECISIONS.items() if len(decision.values) == 1}
    assert hidden == one_answer | {"tenancy"}
    assert all("when" not in questions[name] for name in hidden), "when: false would not record"


def test_each_list_of_rules_ends_with_the_only_one_that_always_holds() -> None:
    """Every context gets a recommendation, and no rule hides behind one that always holds."""
    for name, rules in recommendation_rules().items():
        assert [rule.holds is always for rule in rules] == [False] * (len(rules) - 1) + [True], name


# ── Recommendations ──────────────────────────────────────────────────────────


def test_default_context_recommends_the_simplest_service() -> None:
    assert recommend(Context()) == {
        "stack": "fastapi",
        "tenancy": "none",
        "auth": "jwt",
        "cache": "none",
        "pagination": "cursor",
        "primary_key": "uuid7",
        "soft_delete": False,
        "ci": "github",
        "metrics": "prometheus",
        "tracing": "none",
        "audit": "none",
        "registration": "closed",
        "events": "none",
        "jobs": "none",
        "deploy": "compose",
        "pooler": "none",
        "read_replicas": False,
        "partitioning": False,
    }


@pytest.mark.parametrize(
    ("context", "scaled"),
    [
        (Context(), ("compose", "none", False, False)),
        (Context(scale="growth"), ("kubernetes", "pgbouncer", False, False)),
        (
            Context(scale="growth", read_write="read_heavy", consistency="eventual"),
            ("kubernetes", "pgbouncer", True, False),
        ),
        (
            Context(
                scale="large",
                read_write="read_heavy",
                tenancy_need="multi_database",
                consistency="eventual",
            ),
            ("kubernetes", "pgbouncer", False, False),
        ),
        (
            Context(scale="large", read_write="read_heavy"),
            ("kubernetes", "pgbouncer", False, False),
        ),
        (
            Context(scale="large", compliance=("audit_trail",), tenancy_need="multi_shared"),
            ("kubernetes", "pgbouncer", False, True),
        ),
        (
            Context(scale="large", compliance=("audit_trail",), tenancy_need="multi_schema"),
            ("kubernetes", "pgbouncer", False, False),
        ),
    ],
)
def test_growth_and_large_scale_take_the_service_past_one_machine(
    context: Context, scaled: tuple[str, str, bool, bool]
) -> None:
    recommended = recommend(context)
    names = ("deploy", "pooler", "read_replicas", "partitioning")
    assert tuple(recommended[name] for name in names) == scaled
    answers = {**_context_answers(context), **recommended}
    assert not problems(answers), problems(answers)


@pytest.mark.parametrize(
    ("context", "events", "jobs"),
    [
        (Context(), "none", "none"),
        (Context(read_write="read_heavy", scale="large"), "none", "none"),
        (Context(consistency="eventual"), "rabbitmq", "procrastinate"),
        (Context(read_write="write_heavy"), "rabbitmq", "procrastinate"),
        (Context(scale="growth", consistency="eventual"), "rabbitmq", "procrastinate"),
        (Context(scale="large", read_write="write_heavy"), "nats", "procrastinate"),
        (Context(scale="large", consistency="eventual"), "nats", "procrastinate"),
    ],
)
def test_events_and_jobs_are_recommended_when_work_may_leave_the_request(
    context: Context, events: str, jobs: str
) -> None:
    recommended = recommend(context)
    assert (recommended["events"], recommended["jobs"]) == (events, jobs)
    reason = reasons(context)["events"]
    assert ("outbox" in reason or "JetStream" in reason) is (events != "none"), reason


def test_every_broker_renders_its_own_record_and_kafka_is_explained_not_offered() -> None:
    for broker in ("rabbitmq", "nats"):
        record = records.markdown("events", {**recommend(Context()), "events": broker})
        assert "outbox" in record and "Kafka" in record, record
    (refused,) = problems({"events": "kafka"})
    assert refused.field == "events" and "not implemented" in refused.message


def test_registration_opens_only_with_tenants_and_is_closed_unless_chosen() -> None:
    """A single tenant's people join by invitation: open sign-up would let strangers in."""
    for context in every_context():
        assert recommend(context)["registration"] == "closed", context
    assert problems({"tenancy": "shared", "registration": "open"}) == []
    (refused,) = problems({"tenancy": "none", "registration": "open"})
    assert refused.field == "registration"
    assert "invitation" in refused.message


def test_cache_ttl_is_short_under_strong_consistency_and_longer_under_eventual() -> None:
    assert recommend_settings(Context(consistency="strong")) == {"cache_ttl_seconds": 30}
    assert recommend_settings(Context(consistency="eventual")) == {"cache_ttl_seconds": 300}


@pytest.mark.parametrize("ttl", [0, -5, 86_401, True, "60"])
def test_a_cache_ttl_outside_a_day_is_refused(ttl: object) -> None:
    assert [problem.field for problem in problems({"cache_ttl_seconds": ttl})] == [
        "cache_ttl_seconds"
    ]


SEPARATION = ("tenant_separation",)


def test_the_tenancy_mode_is_the_one_the_tenancy_question_names_in_every_context() -> None:
    """The need is asked once and names the mechanism; the mode is never asked again."""
    for context in every_context():
        assert recommend(context)["tenancy"] == TENANCY_FOR_NEED[context.tenancy_need], context
    assert TENANCY_FOR_NEED == {need: mode for mode, need in NEED_FOR_TENANCY.items()}


@pytest.mark.parametrize(
    ("context", "says"),
    [
        (Context(tenancy_need="single"), ["one organisation"]),
        (Context(tenancy_need="multi_shared"), ["row-level security"]),
        (Context(tenancy_need="multi_schema"), ["restored, exported or dropped", "schema"]),
        (Context(tenancy_need="multi_database"), ["physical separation", "catalog"]),
        (Context(tenancy_need="multi_database", compliance=SEPARATION), ["Contracts require"]),
        (
            Context(tenancy_need="multi_database", scale="growth"),
            ["connection budget", "each tenant engine holds its own pool"],
        ),
        (
            Context(tenancy_need="multi_database", scale="large"),
            ["connection budget", "each tenant engine holds its own pool"],
        ),
    ],
    ids=[
        "single",
        "shared",
        "schema",
        "database",
        "compliance",
        "database-growth",
        "database-large",
    ],
)
def test_the_tenancy_reason_names_the_factors_behind_it(context: Context, says: list[str]) -> None:
    reason = reasons(context)["tenancy"]
    for words in says:
        assert words in reason
    assert reason.count(". ") <= 1, "one or two sentences"


def test_a_prototype_database_per_tenant_does_not_warn_of_the_connection_budget() -> None:
    assert "connection" not in reasons(Context(tenancy_need="multi_database"))["tenancy"]


@pytest.mark.parametrize("need", ["multi_shared", "multi_schema", "multi_database"])
def test_auth_says_the_user_names_the_tenant_for_every_multi_tenant_need(need: str) -> None:
    assert "names the tenant" in reasons(Context(tenancy_need=need))["auth"]  # type: ignore[arg-type]
    assert "names the tenant" not in reasons(Context())["auth"]


@pytest.mark.parametrize("need", ["single", "multi_shared", "multi_schema", "multi_database"])
def test_auth_stays_jwt_and_weighs_an_identity_provider_for_tenants(need: str) -> None:
    context = Context(tenancy_need=need)  # type: ignore[arg-type]

    assert recommend(context)["auth"] == "jwt"
    assert ("single sign-on" in reasons(context)["auth"]) == (need != "single")


def test_the_oidc_record_says_what_it_wires() -> None:
    single = records.markdown("auth", {"auth": "oidc", "tenancy": "none"})
    shared = records.markdown("auth", {"auth": "oidc", "tenancy": "shared"})

    for wired in (
        "OIDC_ISSUER",
        "OIDC_AUDIENCE",
        "jwks_uri",
        "`none` and HS* are refused",
        "OIDC_JWKS_MIN_REFRESH_SECONDS",
        "OIDC_ROLE_MAP",
        "503",
        "PyJWT",
    ):
        assert wired in single, wired
    assert "OIDC_TENANT_CLAIM" in shared and "OIDC_TENANT_CLAIM" not in single
    assert "refresh token" not in single.split("## Consequences")[-1].lower()


@pytest.mark.parametrize(
    ("context", "cache"),
    [
        (Context(read_write="read_heavy"), "redis"),
        (Context(scale="growth"), "redis"),
        (Context(scale="large", read_write="write_heavy"), "none"),
        (Context(latency_p99_ms=50), "redis"),
        (Context(latency_p99_ms=50, read_write="write_heavy", consistency="eventual"), "redis"),
        (Context(latency_p99_ms=50, read_write="write_heavy", consistency="strong"), "none"),
        (Context(latency_p99_ms=100), "none"),
        (Context(read_write="write_heavy"), "none"),
    ],
    ids=[
        "read-heavy",
        "growth",
        "large-but-write-heavy",
        "tight-latency",
        "tight-latency-eventual-writes",
        "tight-latency-but-fresh-writes",
        "100ms-is-not-tight",
        "prototype-write-heavy",
    ],
)
def test_cache_is_recommended_when_reads_repeat_or_latency_is_tight(
    context: Context, cache: str
) -> None:
    assert recommend(context)["cache"] == cache


@pytest.mark.parametrize(
    ("compliance", "soft_delete"),
    [((), False), (("retention",), True), (("audit_trail",), True)],
)
def test_soft_delete_is_recommended_when_compliance_keeps_deleted_records(
    compliance: tuple[str, ...], soft_delete: bool
) -> None:
    assert recommend(Context(compliance=compliance))["soft_delete"] is soft_delete


@pytest.mark.parametrize(
    ("compliance", "audit"),
    [((), "none"), (("retention",), "none"), (("audit_trail",), "table")],
)
def test_an_audit_table_is_recommended_exactly_when_compliance_asks_for_a_trail(
    compliance: tuple[str, ...], audit: str
) -> None:
    assert recommend(Context(compliance=compliance))["audit"] == audit
    assert ("compliance" in reasons(Context(compliance=compliance))["audit"]) is (audit == "table")


def every_context() -> list[Context]:
    """A context for every combination of answers that can change a recommendation."""
    options: dict[str, tuple[Any, ...]] = {
        "scale": ("prototype", "growth", "large"),
        "read_write": ("read_heavy", "balanced", "write_heavy"),
        "latency_p99_ms": (50, 200),
        "consistency": ("strong", "eventual"),
        "tenancy_need": ("single", "multi_shared", "multi_schema", "multi_database"),
        "expected_tenants": ("tens", "thousands", "more"),
        "compliance": (
            (),
            ("audit_trail",),
            ("retention",),
            ("tenant_separation",),
            ("audit_trail", "tenant_separation"),
        ),
        "team_stack": ("python", "go"),
    }
    return [
        Context.from_answers(dict(zip(options, values, strict=True)))
        for values in itertools.product(*options.values())
    ]


def test_every_recommendation_is_implemented_and_explained() -> None:
    for context in every_context():
        recommendation = recommend(context)
        assert list(recommendation) == list(DECISIONS)
        for name, value in recommendation.items():
            assert value in DECISIONS[name].values, (context, name)
        assert all(reason.endswith(".") for reason in reasons(context).values())
        assert set(reasons(context)) == set(DECISIONS)


def test_every_rule_decides_for_some_context() -> None:
    """A rule no context reaches would be dead code, and dead text in the decision guide."""
    contexts = every_context()
    for name, rules in recommendation_rules().items():
        reached = {id(deciding(rules, context)) for context in contexts}
        assert reached == {id(rule) for rule in rules}, name


def test_each_threshold_a_rule_declares_is_where_the_rule_changes() -> None:
    """The decision guide shows both sides of a declared threshold; it must be a real one."""
    contexts = [_context_answers(context) for context in every_context()]
    for name, rules in recommendation_rules().items():
        for rule in rules:
            for field, limit in rule.thresholds.items():
                assert any(
                    rule.holds(Context.from_answers({**answers, field: limit - 1}))
                    != rule.holds(Context.from_answers({**answers, field: limit}))
                    for answers in contexts
                ), (name, rule.when)


def _context_answers(context: Context) -> dict[str, Any]:
    return {**asdict(context), "compliance": list(context.compliance)}


def test_no_recommended_value_is_ever_refused() -> None:
    """The questionnaire's defaults never trap the user in a refusal."""
    for context in every_context():
        answers = _context_answers(context)
        context_problems = problems(answers)
        full = problems({**answers, **recommend(context), **recommend_settings(context)})
        assert [problem for problem in full if problem.field in DECISIONS] == [], context
        assert full == context_problems, context


def test_a_context_the_tenancy_need_cannot_serve_is_refused_on_the_question_that_says_so() -> None:
    """Past 10,000 tenants only shared tables scale; dedicated storage is a database per tenant."""
    for context in every_context():
        found = problems(_context_answers(context))
        multi = context.tenancy_need != "single"  # the tenant count is asked only then
        too_many = multi and context.expected_tenants == "more"
        per_tenant = context.tenancy_need in ("multi_schema", "multi_database")
        separation = "tenant_separation" in context.compliance
        expected = ["expected_tenants"] if too_many and per_tenant else []
        if separation and context.tenancy_need != "multi_database":
            expected.append("compliance")
        assert [problem.field for problem in found] == expected, context


def test_every_context_the_questionnaire_accepts_leaves_one_tenancy_the_need_names() -> None:
    for context in every_context():
        answers = _context_answers(context)
        if problems(answers):
            continue
        accepted = [
            mode
            for mode in DECISIONS["tenancy"].values
            if not problems({**answers, "tenancy": mode})
        ]
        assert accepted == [recommend(context)["tenancy"]], context


def test_reasons_name_the_context_they_come_from() -> None:
    assert "Go" in reasons(Context(team_stack="go"))["stack"]
    assert "50 ms" in reasons(Context(latency_p99_ms=50))["cache"]
    assert "Retention" in reasons(Context(compliance=("retention",)))["soft_delete"]


# ── Identity rules ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_name", "Billing Service"),
        ("project_slug", "billing"),
        ("project_slug", "billing-service-2"),
        ("project_slug", "a" * 40),
        ("package_name", "billing_service"),
        ("package_name", "billing2"),
        ("author_email", "team@example.com"),
        ("latency_p99_ms", 10),
        ("latency_p99_ms", 60_000),
    ],
)
def test_valid_identity_answers_are_accepted(field: str, value: Any) -> None:
    assert problems({field: value}) == []


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("project_name", "", "Enter a project name"),
        ("project_name", "   ", "Enter a project name"),
        ("project_name", "two\nlines", "one line"),
        ("project_slug", "Billing", "lower-case"),
        ("project_slug", "2fa-service", "starting with a letter"),
        ("project_slug", "billing--service", "single hyphens"),
        ("project_slug", "billing-", "single hyphens"),
        ("project_slug", "billing_service", "hyphens"),
        ("project_slug", "a" * 41, "40 or fewer"),
        ("package_name", "Billing", "lower-case"),
        ("package_name", "billing-service", "not a valid package name"),
        ("package_name", "_billing", "starting with a letter"),
        ("package_name", "class", "keyword"),
        ("package_name", "email", "standard-library"),
        ("package_name", "logging", "standard-library"),
        ("package_name", "fastapi", "dependency"),
        ("package_name", "sqlalchemy", "dependency"),
        ("package_name", "tests", "dependency or folder"),
        ("author_email", "team", "e-mail"),
        ("author_email", "team@localhost", "e-mail"),
        ("author_email", "a b@example.com", "e-mail"),
        ("latency_p99_ms", 9, "outside 10 to 60000"),
        ("latency_p99_ms", 60_001, "outside 10 to 60000"),
        ("latency_p99_ms", "fast", "whole number"),
    ],
)
def test_invalid_identity_answers_are_refused_with_a_reason(
    field: str, value: Any, says: str
) -> None:
    found = problems({field: value})
    assert [problem.field for problem in found] == [field]
    assert says in found[0].message


def test_only_answers_given_so_far_are_checked() -> None:
    assert problems({}) == []
    for tenancy in DECISIONS["tenancy"].values:
        assert problems({"tenancy": tenancy}) == []
    for need in ("single", "multi_shared", "multi_schema", "multi_database"):
        assert problems({"tenancy_need": need}) == []
    assert problems({"expected_tenants": "more"}) == []
    assert problems({"compliance": ["tenant_separation"]}) == []
    assert problems({"expected_tenants": "more"}) == []


# A typed answer of each kind the identity, latency and cache TTL questions refuse.
TYPED_REFUSALS: list[dict[str, Any]] = [
    {"project_name": " "},
    {"project_name": "Two\nLines"},
    {"project_slug": "Bad Slug"},
    {"project_slug": "a" * 41},
    {"package_name": "Bad-Name"},
    {"package_name": "class"},
    {"package_name": "json"},
    {"package_name": "redis"},
    {"author_email": "nobody"},
    {"latency_p99_ms": "fast"},
    {"latency_p99_ms": 1},
    {"cache_ttl_seconds": 0},
]


@pytest.mark.parametrize("answers", TYPED_REFUSALS, ids=lambda answers: next(iter(answers)))
def test_a_typed_answers_refusal_fits_the_one_row_copier_shows_at_80_columns(
    answers: dict[str, Any],
) -> None:
    """Copier prints a typed answer's refusal on one row, cut at the screen edge, after its own
    prefix; the brief form fits in 80 columns, and the full message stays for `--data`."""
    (found,) = problems(answers)
    shown = f"Validation error for question '{found.field}': {found.brief}"
    assert found.brief and len(shown) < 80, shown
    assert found.brief != found.message


def test_slugify_makes_a_valid_slug_from_a_project_name() -> None:
    assert slugify("Billing Service") == "billing-service"
    assert slugify("  Café -- Orders & Payments! ") == "cafe-orders-payments"
    long_slug = slugify("word " * 20)
    assert len(long_slug) <= 40
    assert problems({"project_slug": long_slug}) == []


# ── Refused combinations ─────────────────────────────────────────────────────


# Each refusal kind: the answers, the question refused, and words its message must contain (why,
# and what instead).
REFUSALS: list[tuple[str, dict[str, Any], str, list[str]]] = [
    (
        "schema-past-10000-tenants",
        {"tenancy_need": "multi_schema", "expected_tenants": "more"},
        "expected_tenants",
        ["catalog bloats", "migrate-all runs for hours", "'rows kept apart by the database'"],
    ),
    (
        "database-past-10000-tenants",
        {"tenancy_need": "multi_database", "expected_tenants": "more"},
        "expected_tenants",
        ["connection pool of its own", "migrate-all", "hours", "smaller tenant count"],
    ),
    (
        "separation-for-single",
        {"tenancy_need": "single", "compliance": ["tenant_separation"]},
        "compliance",
        ["single-tenant service has no other tenant", "unticked"],
    ),
    (
        "separation-for-shared",
        {"tenancy_need": "multi_shared", "compliance": ["tenant_separation"]},
        "compliance",
        ["a database per tenant", "'each tenant in its own database'", "unticked"],
    ),
    (
        "separation-for-schema",
        {"tenancy_need": "multi_schema", "compliance": ["audit_trail", "tenant_separation"]},
        "compliance",
        ["a database per tenant", "'each tenant's tables apart'", "unticked"],
    ),
    *(
        (
            f"{mode}-for-{need}",
            {"tenancy_need": need, "tenancy": mode},
            "tenancy",
            [f"contradicts the tenancy need '{need}'", f"give tenancy '{named}'"],
        )
        for named, need in NEED_FOR_TENANCY.items()
        for mode in NEED_FOR_TENANCY
        if mode != named
    ),
    (
        "open-registration-with-a-provider",
        {
            "tenancy_need": "multi_shared",
            "tenancy": "shared",
            "auth": "oidc",
            "registration": "open",
        },
        "registration",
        ["needs built-in accounts", "Answer 'closed'"],
    ),
    (
        "open-registration-for-single",
        {"tenancy_need": "single", "tenancy": "none", "registration": "open"},
        "registration",
        ["single-tenant service", "join by invitation", "Answer 'closed'"],
    ),
    (
        "replicas-under-strong-consistency",
        {"read_replicas": True},
        "read_replicas",
        ["miss the latest committed write", "consistency 'eventual'"],
    ),
    (
        "replicas-of-a-database-per-tenant",
        {
            "tenancy_need": "multi_database",
            "tenancy": "database",
            "consistency": "eventual",
            "read_replicas": True,
        },
        "read_replicas",
        ["a database per tenant", "doubling the connections", "Answer false"],
    ),
    (
        "replicas-without-redis",
        {"consistency": "eventual", "cache": "none", "read_replicas": True},
        "read_replicas",
        ["need Redis", "read its own writes", "cache 'redis'"],
    ),
    (
        "partitions-without-an-audit-table",
        {"audit": "none", "partitioning": True},
        "partitioning",
        ["audit table", "Answer false, or audit 'table'"],
    ),
    (
        "partitions-of-storage-per-tenant",
        {
            "tenancy_need": "multi_schema",
            "tenancy": "schema",
            "audit": "table",
            "partitioning": True,
        },
        "partitioning",
        ["already divides the audit table", "shared tables"],
    ),
]


@pytest.mark.parametrize(
    ("answers", "field", "says"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_a_refusal_says_why_and_what_to_answer_instead(
    answers: dict[str, Any], field: str, says: list[str]
) -> None:
    found = problems(answers)
    assert [problem.field for problem in found] == [field]
    for words in says:
        assert words in found[0].message


def test_the_derived_mode_adds_no_reason_of_its_own_to_a_refused_context() -> None:
    """A context the need cannot serve is refused on its own question; the mode Copier derives
    from the need then matches it and is not refused a second time."""
    context = {
        "tenancy_need": "multi_schema",
        "expected_tenants": "more",
        "compliance": ["tenant_separation"],
    }
    assert [problem.field for problem in problems({**context, "tenancy": "schema"})] == [
        "expected_tenants",
        "compliance",
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {"tenancy_need": "single", "tenancy": "none"},
        {"tenancy_need": "multi_shared", "expected_tenants": "more", "tenancy": "shared"},
        {"tenancy_need": "multi_schema", "expected_tenants": "thousands", "tenancy": "schema"},
        {"tenancy_need": "multi_database", "expected_tenants": "thousands", "tenancy": "database"},
        {
            "tenancy_need": "multi_database",
            "compliance": ["audit_trail", "tenant_separation"],
            "tenancy": "database",
        },
    ],
    ids=[
        "single",
        "shared-past-10000-tenants",
        "schema-for-thousands",
        "database-for-thousands",
        "database-with-separation",
    ],
)
def test_answers_the_need_can_serve_are_accepted(answers: dict[str, Any]) -> None:
    assert problems(answers) == []


@pytest.mark.parametrize(
    ("decision", "value", "implemented"),
    [
        ("tenancy", "hybrid", "none, shared, schema, database"),
        ("cache", "memcached", "none, redis"),
        ("pagination", "offset", "cursor"),
        ("soft_delete", "maybe", "false, true"),
        ("audit", "hash_chain", "none, table"),
    ],
)
def test_values_not_implemented_are_refused_with_the_implemented_ones(
    decision: str, value: str, implemented: str
) -> None:
    found = problems({decision: value})
    assert found == [
        Problem(
            decision, f"{decision} '{value}' is not implemented yet; choose one of: {implemented}."
        )
    ]


# ── The render matrix ────────────────────────────────────────────────────────


def test_combinations_are_complete_accepted_and_cover_every_value() -> None:
    accepted = list(matrix.combinations())
    assert accepted
    for answers in accepted:
        assert problems(answers) == []
        assert set(DECISIONS) <= set(answers)
        assert (
            answers["tenancy_need"]
            == {
                "none": "single",
                "shared": "multi_shared",
                "schema": "multi_schema",
                "database": "multi_database",
            }[answers["tenancy"]]
        )
        assert recommend(Context.from_answers(answers))["tenancy"] == answers["tenancy"]
    for name, decision in DECISIONS.items():
        assert {answers[name] for answers in accepted} == set(decision.values), name


def test_combinations_include_every_product_of_decision_values_but_the_refused_ones() -> None:
    """The products of decision values refused are open registration without tenants or with
    an identity provider, replicas with a database per tenant or without Redis, and partitions
    without an audit table or with storage per tenant."""
    products = [
        dict(zip(DECISIONS, values, strict=True))
        for values in itertools.product(*(decision.values for decision in DECISIONS.values()))
    ]
    expected = [
        chosen
        for chosen in products
        if not (
            chosen["registration"] == "open"
            and (chosen["tenancy"] == "none" or chosen["auth"] == "oidc")
        )
        and not (
            chosen["read_replicas"]
            and (chosen["tenancy"] == "database" or chosen["cache"] != "redis")
        )
        and not (
            chosen["partitioning"]
            and (chosen["audit"] != "table" or chosen["tenancy"] in ("schema", "database"))
        )
    ]
    assert len(list(matrix.combinations())) == len(expected) < len(products)


def test_refused_combinations_are_really_refused_with_the_reason_copier_gives_first() -> None:
    refused = list(matrix.refused_combinations())
    assert refused
    for answers, problem in refused:
        assert problem == problems(answers)[0]
        assert set(DECISIONS) <= set(answers)


def test_refused_combinations_cover_every_kind_of_refusal() -> None:
    refused = {problem for _, problem in matrix.refused_combinations()}
    kinds = {problems(answers)[0] for _, answers, _, _ in REFUSALS}
    assert refused == kinds


def test_the_refusals_rendered_through_copier_carry_every_refused_combinations_reason() -> None:
    """tests/test_refusals.py renders only `distinct_refusals()`; nothing is lost by it."""
    distinct = matrix.distinct_refusals()
    representatives = [problem for _, problem in distinct]
    assert len(representatives) == len(set(representatives))
    for answers, problem in distinct:
        assert problem == problems(answers)[0]
    for _, problem in matrix.refused_combinations():
        assert problem in representatives


# ── Decision records ─────────────────────────────────────────────────────────


def test_each_record_template_is_numbered_by_its_decisions_place_in_the_questionnaire() -> None:
    numbered = {}
    for path in (REPO / "template" / "shared" / "adr").glob("*.md.jinja"):
        call = re.fullmatch(r"\{\{ adr\('(\w+)'\) \}\}\n", path.read_text(encoding="utf-8"))
        assert call, path.name
        numbered[call[1]] = int(path.name[:4])
    assert numbered == {name: records.number(name) for name in DECISIONS}
    assert sorted(numbered.values()) == list(range(1, len(DECISIONS) + 1))


@pytest.mark.parametrize(
    ("decision", "value"),
    [(name, value) for name, decision in DECISIONS.items() for value in decision.values],
)
def test_adr_has_every_section_and_names_the_chosen_value(decision: str, value: Any) -> None:
    text = records.markdown(decision, {decision: value})
    number = records.number(decision)
    assert text.startswith(f"# ADR-{number:04d}: ")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == ["Status", "Context", "Options considered", "Decision", "Consequences"]
    assert "## Status\n\nAccepted\n" in text
    shown = show_value(value)
    decision_section = text.split("## Decision\n")[1].split("## Consequences")[0]
    assert f"(`{shown}`)" in decision_section
    assert "Pros:" in text and "Cons:" in text
    consequences = text.split("## Consequences\n")[1]
    assert consequences.strip().startswith("- ")


def test_adr_notes_when_the_choice_overrides_the_recommendation() -> None:
    text = records.markdown("cache", {"read_write": "read_heavy", "cache": "none"})
    assert "Recommended: Redis cache-aside (`redis`)" in text
    assert "chosen over the recommended Redis cache-aside (`redis`)" in text
    assert "as recommended" in records.markdown(
        "cache", {"read_write": "read_heavy", "cache": "redis"}
    )


def test_adr_lists_alternatives_not_yet_offered() -> None:
    text = records.markdown("tenancy", {"tenancy": "shared"})
    for option, value in [
        ("None: a single-tenant service", "none"),
        ("Shared tables with row-level security", "shared"),
        ("Schema per tenant", "schema"),
        ("Database per tenant", "database"),
    ]:
        assert f"### {option} (`{value}`)\n" in text
    assert "not offered by Groundwork yet" not in text
    assert "In-process cache (`in_process`, not offered by Groundwork yet)" in records.markdown(
        "cache", {}
    )
    assert "Offset / limit" in records.markdown("pagination", {})
    assert "bigint identity" in records.markdown("primary_key", {})
    assert "External OIDC provider" in records.markdown("auth", {})


def test_adr_consequences_state_what_the_service_does() -> None:
    answers = {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "redis"}
    tenancy = records.markdown("tenancy", answers)
    assert "ENABLEd and FORCEd" in tenancy
    assert "NOBYPASSRLS" in tenancy
    assert "set_config('app.tenant_id', ..., true)" in tenancy
    assert "revokes its whole family" in records.markdown("auth", answers)
    cache = records.markdown("cache", answers)
    assert "the tenant" in cache and "TTL" in cache and "fall back to the database" in cache


TENANT_LIFECYCLE = [
    "Memberships and refresh tokens stay in",
    "under row-level security",
    "403 `tenant_suspended`",
    "`/api/v1/tenants`",
    "`X-Operator-Key`",
    "create, suspend, reactivate and delete",
]


@pytest.mark.parametrize(
    ("tenancy", "says"),
    [
        ("shared", ["ENABLEd and FORCEd", "set_config('app.tenant_id', ..., true)"]),
        (
            "schema",
            [
                "schema of its own",
                "set_config('search_path', ..., true)",
                "no foreign key out of the tenant",
                "`DROP SCHEMA",
                "`python -m billing.migrate`",
                "one transaction per tenant",
                "resumes",
                "common schema",
            ],
        ),
        (
            "database",
            [
                "catalog database",
                "LRU registry",
                "`TENANT_ENGINES_MAX`",
                "idle ones are disposed",
                "never from the request",
                "`DROP DATABASE`",
                "`python -m billing.migrate`",
                "one transaction per tenant",
            ],
        ),
    ],
)
def test_each_tenancy_mode_records_what_the_service_does(tenancy: str, says: list[str]) -> None:
    need = NEED_FOR_TENANCY[tenancy]
    answers = {"package_name": "billing", "tenancy_need": need, "tenancy": tenancy}
    consequences = records.markdown("tenancy", answers).split("## Consequences\n")[1]
    for words in [*says, *TENANT_LIFECYCLE]:
        assert words in consequences, words


def test_the_tenancy_record_cites_the_tenant_count_and_compliance() -> None:
    answers = {
        "tenancy_need": "multi_database",
        "expected_tenants": "thousands",
        "compliance": ["tenant_separation"],
        "tenancy": "database",
    }
    text = records.markdown("tenancy", answers)
    assert "- Tenancy: multi-tenant, each tenant in its own database\n" in text
    assert "- Expected tenants: 100 to 10,000 tenants\n" in text
    assert "- Compliance: dedicated storage per tenant\n" in text
    assert "Database per tenant (`database`), as recommended." in text
    single = records.markdown("tenancy", {"tenancy": "none"})
    assert "- Expected tenants: not asked (single tenant)\n" in single
    assert "tenant_suspended" not in single


# ── The Jinja extension, loaded as Copier loads it ───────────────────────────


@pytest.fixture
def jinja() -> Environment:
    return Environment(
        loader=FileSystemLoader(REPO),
        extensions=[
            "copier_template_extensions.TemplateExtensionLoader",
            "hooks/extension.py:GroundworkExtension",
        ],
        undefined=StrictUndefined,
    )


def test_extension_recommends_from_the_answers_so_far(jinja: Environment) -> None:
    template = jinja.from_string("{{ recommended('tenancy') }} {{ recommended('soft_delete') }}")
    assert template.render() == "none False"
    answers = {"tenancy_need": "multi_shared", "compliance": ["retention"]}
    assert template.render(answers) == "shared True"
    answers = {"tenancy_need": "multi_database", "compliance": ["tenant_separation"]}
    assert template.render(answers) == "database False"


def test_extension_ignores_undefined_answers(jinja: Environment) -> None:
    template = jinja.from_string("{{ recommended('cache') }}")
    assert template.render(latency_p99_ms=StrictUndefined(name="UNSET")) == "none"


def test_extension_refusal_is_what_a_copier_validator_renders(jinja: Environment) -> None:
    validator = jinja.from_string("{{ refusal('tenancy') }}")
    assert validator.render(tenancy_need="multi_shared", tenancy="shared") == ""
    assert "give tenancy 'shared'" in validator.render(tenancy_need="multi_shared", tenancy="none")
    # A problem on another question does not fail this one.
    assert validator.render(project_slug="Not A Slug", tenancy="none") == ""
    choice = jinja.from_string("{{ refusal('expected_tenants', 'more') }}")
    assert "10,000 tenants" in choice.render(tenancy_need="multi_schema")
    assert choice.render(tenancy_need="multi_shared") == ""
    compliance = jinja.from_string("{{ refusal('compliance') }}")
    context = {"tenancy_need": "multi_schema"}
    assert "a database per tenant" in compliance.render(context, compliance=["tenant_separation"])
    assert compliance.render(context, compliance=["audit_trail"]) == ""
    box = jinja.from_string("{{ refusal('compliance', ['tenant_separation']) }}")
    assert "a database per tenant" in box.render(context)
    assert box.render(tenancy_need="multi_database") == ""


def test_extension_renders_adr_slug_and_secret(jinja: Environment) -> None:
    assert jinja.from_string("{{ slugify('Billing Service') }}").render() == "billing-service"
    record = jinja.from_string("{{ adr('ci') }}").render(ci="none")
    assert record.startswith("# ADR-0008: ")
    assert not record.endswith("\n"), "the template file supplies the final newline"
    secret = jinja.from_string("{{ secret() }}").render()
    assert len(secret) >= 43 and secret != jinja.from_string("{{ secret() }}").render()


# ── Combination coverage ─────────────────────────────────────────────────────


def test_the_pairwise_cover_exercises_every_pair_the_valid_combinations_do() -> None:
    valid = list(matrix.combinations())

    cover = matrix.pairwise_cover(valid)

    every_pair = set().union(*map(matrix.value_pairs, valid))
    assert set().union(*map(matrix.value_pairs, cover)) == every_pair
    assert all(answers in valid for answers in cover)
    assert len(cover) < len(valid)
