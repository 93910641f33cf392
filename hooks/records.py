"""Architecture Decision Records: one per decision, written from the answers.

The generated service keeps them in docs/adr/ so the next engineer reads why, not only what.
No date is written: a date would change on every `copier update` and bury real changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .decisions import DECISIONS
from .model import Context, Decision, Option, Value, show_value

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


def number(decision: str) -> int:
    """The record's number: its decision's place in the questionnaire."""
    return list(DECISIONS).index(decision) + 1


def markdown(name: str, answers: Mapping[str, Any]) -> str:
    """The ADR for one decision, as Markdown, from the answers given."""
    decision = DECISIONS[name]
    record = decision.record
    context = Context.from_answers(answers)
    recommended = decision.recommend(context)
    chosen = answers.get(name, recommended)
    lines = [f"# ADR-{number(name):04d}: {record.title}", "", "## Status", "", "Accepted", ""]
    lines += ["## Context", ""]
    for field in record.context_fields:
        lines.append(f"- {_FIELD_LABELS[field]}: {_describe(field, context)}")
    if record.context_fields:
        lines.append("")
    lines += [f"Recommended: {_label(decision, recommended)}. {decision.reason(context)}", ""]
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


def _describe(field: str, context: Context) -> str:
    value = getattr(context, field)
    if field == "latency_p99_ms":
        return f"{value} ms at p99"
    if field == "compliance":
        return ", ".join(_WORDS[item] for item in value) or "none stated"
    if field == "expected_tenants" and context.tenancy_need == "single":
        return "not asked (single tenant)"
    return _WORDS[value]


def _option_lines(decision: Decision, option: Option) -> list[str]:
    offered = "" if option.value in decision.values else ", not offered by Groundwork yet"
    lines = [f"### {option.name} (`{show_value(option.value)}`{offered})", "", "Pros:", ""]
    lines += [f"- {pro}" for pro in option.pros]
    lines += ["", "Cons:", ""]
    lines += [f"- {con}" for con in option.cons]
    return [*lines, ""]


def _label(decision: Decision, value: Value) -> str:
    """An option's name followed by its answer code, e.g. "Redis cache-aside (`redis`)"."""
    names = {option.value: option.name for option in decision.record.options}
    return f"{names.get(value, str(value))} (`{show_value(value)}`)"
