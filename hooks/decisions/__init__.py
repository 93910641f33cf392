"""Every decision, one module each, and what they recommend and refuse together.

`DECISIONS` is in questionnaire order, which is also the order of the decision records
(`docs/adr/0001-stack.md` ... `0018-partitioning.md`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answers import problems as answer_problems
from ..model import Context, Decision, Problem, Rule, Value, deciding
from . import (
    audit,
    auth,
    cache,
    ci,
    deploy,
    events,
    jobs,
    metrics,
    pagination,
    partitioning,
    pooler,
    primary_key,
    read_replicas,
    registration,
    soft_delete,
    stack,
    tenancy,
    tracing,
)

DECISIONS: dict[str, Decision] = {
    decision.name: decision
    for decision in (
        stack.DECISION,
        tenancy.DECISION,
        auth.DECISION,
        cache.DECISION,
        pagination.DECISION,
        primary_key.DECISION,
        soft_delete.DECISION,
        ci.DECISION,
        metrics.DECISION,
        tracing.DECISION,
        audit.DECISION,
        registration.DECISION,
        events.DECISION,
        jobs.DECISION,
        deploy.DECISION,
        pooler.DECISION,
        read_replicas.DECISION,
        partitioning.DECISION,
    )
}


def recommendation_rules() -> dict[str, tuple[Rule[Any], ...]]:
    """The rules of every decision and of every setting a decision brings, by name."""
    found: dict[str, tuple[Rule[Any], ...]] = {}
    for decision in DECISIONS.values():
        found[decision.name] = decision.rules
        found.update((setting.name, setting.rules) for setting in decision.settings)
    return found


def recommend(context: Context) -> dict[str, Value]:
    """Recommended value of every decision for this context."""
    return {name: decision.recommend(context) for name, decision in DECISIONS.items()}


def recommend_settings(context: Context) -> dict[str, int]:
    """Recommended values of the settings a decision brings (asked only with that decision)."""
    return {
        setting.name: deciding(setting.rules, context).value
        for decision in DECISIONS.values()
        for setting in decision.settings
    }


def reasons(context: Context) -> dict[str, str]:
    """One sentence per decision saying why its default was recommended for this context."""
    return {name: decision.reason(context) for name, decision in DECISIONS.items()}


def problems(answers: Mapping[str, Any]) -> list[Problem]:
    """Why these answers cannot be rendered; empty when they can.

    Only answers present are checked: the questionnaire validates as it goes, so answers to
    later questions are absent. The identity and latency answers come first, then each
    decision's problems, in questionnaire order.
    """
    found = answer_problems(answers)
    for decision in DECISIONS.values():
        found += decision.problems(answers)
    return found
