"""Continuous integration: a GitHub Actions workflow, or none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("github", "none")

RULES: tuple[Rule[Value], ...] = (
    otherwise(
        "github",
        (
            "GitHub Actions is the most widely used CI host, so the service starts with a "
            "workflow that runs its own checks and tests on every push and pull request."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
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


RECORD = Record(
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
    _consequences,
)


DECISION = Decision("ci", VALUES, RULES, RECORD)
