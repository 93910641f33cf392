"""The decision model, read as a specification: what is recommended, refused and recorded."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hooks import adr, decisions
from hooks.decisions import (
    DECISIONS,
    Context,
    Problem,
    problems,
    recommend,
    recommend_settings,
)

REPO = Path(__file__).resolve().parent.parent


# ── Context ──────────────────────────────────────────────────────────────────


def test_context_from_answers_uses_questionnaire_defaults_and_ignores_other_keys() -> None:
    assert Context.from_answers({"project_name": "Billing", "_copier_conf": {}}) == Context(
        scale="prototype",
        read_write="balanced",
        latency_p99_ms=200,
        consistency="strong",
        tenancy_need="single",
        compliance=(),
        team_stack="python",
    )


def test_context_from_answers_normalises_copier_values() -> None:
    context = Context.from_answers({"latency_p99_ms": "80", "compliance": ["retention"]})
    assert context.latency_p99_ms == 80
    assert context.compliance == ("retention",)


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
    }


def test_cache_ttl_is_short_under_strong_consistency_and_longer_under_eventual() -> None:
    assert recommend_settings(Context(consistency="strong")) == {"cache_ttl_seconds": 30}
    assert recommend_settings(Context(consistency="eventual")) == {"cache_ttl_seconds": 300}


@pytest.mark.parametrize("ttl", [0, -5, 86_401, True, "60"])
def test_a_cache_ttl_outside_a_day_is_refused(ttl: object) -> None:
    assert [problem.field for problem in problems({"cache_ttl_seconds": ttl})] == [
        "cache_ttl_seconds"
    ]


def test_multi_tenant_need_recommends_shared_tables_with_rls() -> None:
    assert recommend(Context(tenancy_need="multi_shared"))["tenancy"] == "shared"


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


def every_context() -> list[Context]:
    """A context for every combination of answers that can change a recommendation."""
    options: dict[str, tuple[Any, ...]] = {
        "scale": ("prototype", "growth", "large"),
        "read_write": ("read_heavy", "balanced", "write_heavy"),
        "latency_p99_ms": (50, 200),
        "consistency": ("strong", "eventual"),
        "tenancy_need": ("single", "multi_shared"),
        "compliance": ((), ("audit_trail",), ("retention",)),
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
            assert value in DECISIONS[name], (context, name)
        assert all(reason.endswith(".") for reason in decisions.reasons(context).values())
        assert set(decisions.reasons(context)) == set(DECISIONS)


def test_reasons_name_the_context_they_come_from() -> None:
    assert "Go" in decisions.reasons(Context(team_stack="go"))["stack"]
    assert "50 ms" in decisions.reasons(Context(latency_p99_ms=50))["cache"]
    assert "Retention" in decisions.reasons(Context(compliance=("retention",)))["soft_delete"]


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
    assert problems({"tenancy": "none"}) == []
    assert problems({"tenancy_need": "multi_shared"}) == []


def test_slugify_makes_a_valid_slug_from_a_project_name() -> None:
    assert decisions.slugify("Billing Service") == "billing-service"
    assert decisions.slugify("  Café -- Orders & Payments! ") == "cafe-orders-payments"
    long_slug = decisions.slugify("word " * 20)
    assert len(long_slug) <= 40
    assert problems({"project_slug": long_slug}) == []


# ── Refused combinations ─────────────────────────────────────────────────────


def test_multi_tenant_data_without_tenancy_is_refused_with_what_to_choose() -> None:
    found = problems({"tenancy_need": "multi_shared", "tenancy": "none"})
    assert [problem.field for problem in found] == ["tenancy"]
    message = found[0].message
    assert "nothing keeping them apart" in message
    assert "choose 'shared'" in message


def test_shared_tables_for_a_single_tenant_are_allowed() -> None:
    assert problems({"tenancy_need": "single", "tenancy": "shared"}) == []


@pytest.mark.parametrize(
    ("decision", "value", "implemented"),
    [
        ("tenancy", "schema", "none, shared"),
        ("cache", "memcached", "none, redis"),
        ("pagination", "offset", "cursor"),
        ("soft_delete", "maybe", "false, true"),
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
    matrix = list(decisions.combinations())
    assert matrix
    for answers in matrix:
        assert problems(answers) == []
        assert set(DECISIONS) <= set(answers)
        assert answers["tenancy_need"] == (
            "single" if answers["tenancy"] == "none" else "multi_shared"
        )
    for name, values in DECISIONS.items():
        assert {answers[name] for answers in matrix} == set(values), name


def test_combinations_include_every_product_of_decision_values() -> None:
    expected = len(list(itertools.product(*DECISIONS.values())))
    assert len(list(decisions.combinations())) == expected


def test_refused_combinations_are_really_refused() -> None:
    refused = list(decisions.refused_combinations())
    assert refused
    for answers, problem in refused:
        assert problem in problems(answers)
        assert set(DECISIONS) <= set(answers)
    assert {(answers["tenancy_need"], answers["tenancy"]) for answers, _ in refused} == {
        ("multi_shared", "none")
    }


# ── Decision records ─────────────────────────────────────────────────────────


def test_adr_order_covers_every_decision_in_questionnaire_order() -> None:
    assert adr.ADR_ORDER == tuple(DECISIONS)


@pytest.mark.parametrize(
    ("decision", "value"),
    [(name, value) for name, values in DECISIONS.items() for value in values],
)
def test_adr_has_every_section_and_names_the_chosen_value(decision: str, value: Any) -> None:
    text = adr.markdown(decision, {decision: value})
    number = adr.ADR_ORDER.index(decision) + 1
    assert text.startswith(f"# ADR-{number:04d}: ")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == ["Status", "Context", "Options considered", "Decision", "Consequences"]
    assert "## Status\n\nAccepted\n" in text
    shown = decisions.show_value(value)
    decision_section = text.split("## Decision\n")[1].split("## Consequences")[0]
    assert f"(`{shown}`)" in decision_section
    assert "Pros:" in text and "Cons:" in text
    consequences = text.split("## Consequences\n")[1]
    assert consequences.strip().startswith("- ")


def test_adr_notes_when_the_choice_overrides_the_recommendation() -> None:
    text = adr.markdown("cache", {"read_write": "read_heavy", "cache": "none"})
    assert "Recommended: Redis cache-aside (`redis`)" in text
    assert "chosen over the recommended Redis cache-aside (`redis`)" in text
    assert "as recommended" in adr.markdown("cache", {"read_write": "read_heavy", "cache": "redis"})


def test_adr_lists_alternatives_not_yet_offered() -> None:
    text = adr.markdown("tenancy", {"tenancy": "shared"})
    for option in ("Schema per tenant", "Database per tenant"):
        assert f"### {option}" in text
    assert "not offered by Groundwork yet" in text
    assert "Offset / limit" in adr.markdown("pagination", {})
    assert "bigint identity" in adr.markdown("primary_key", {})
    assert "External OIDC provider" in adr.markdown("auth", {})


def test_adr_consequences_state_what_the_service_does() -> None:
    answers = {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "redis"}
    tenancy = adr.markdown("tenancy", answers)
    assert "ENABLEd and FORCEd" in tenancy
    assert "NOBYPASSRLS" in tenancy
    assert "set_config('app.tenant_id', ..., true)" in tenancy
    assert "revokes its whole family" in adr.markdown("auth", answers)
    cache = adr.markdown("cache", answers)
    assert "the tenant" in cache and "TTL" in cache and "fall back to the database" in cache


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


def test_extension_ignores_undefined_answers(jinja: Environment) -> None:
    template = jinja.from_string("{{ recommended('cache') }}")
    assert template.render(latency_p99_ms=StrictUndefined(name="UNSET")) == "none"


def test_extension_refusal_is_what_a_copier_validator_renders(jinja: Environment) -> None:
    validator = jinja.from_string("{{ refusal('tenancy') }}")
    assert validator.render(tenancy_need="multi_shared", tenancy="shared") == ""
    assert "choose 'shared'" in validator.render(tenancy_need="multi_shared", tenancy="none")
    # A problem on another question does not fail this one.
    assert validator.render(project_slug="Not A Slug", tenancy="none") == ""


def test_extension_renders_adr_slug_and_secret(jinja: Environment) -> None:
    assert jinja.from_string("{{ slugify('Billing Service') }}").render() == "billing-service"
    record = jinja.from_string("{{ adr('ci') }}").render(ci="none")
    assert record.startswith("# ADR-0008: ")
    assert not record.endswith("\n"), "the template file supplies the final newline"
    secret = jinja.from_string("{{ secret() }}").render()
    assert len(secret) >= 43 and secret != jinja.from_string("{{ secret() }}").render()


# ── Combination coverage ─────────────────────────────────────────────────────


def test_the_pairwise_cover_exercises_every_pair_the_valid_combinations_do() -> None:
    valid = list(decisions.combinations())

    cover = decisions.pairwise_cover(valid)

    every_pair = set().union(*map(decisions.value_pairs, valid))
    assert set().union(*map(decisions.value_pairs, cover)) == every_pair
    assert all(answers in valid for answers in cover)
    assert len(cover) < len(valid)
