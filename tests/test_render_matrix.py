"""The combinations the decision model accepts render into clean, type-checked projects.

All of them while there are few enough to afford; beyond that, a pairwise cover of them (every
pair of values of any two decisions, rendered together at least once).
"""

import re
from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

from hooks.decisions import DECISIONS, combinations, pairwise_cover, value_pairs
from tests.conftest import answer_id, render, run
from tests.static_checks import check_container_files

ALL_COMBINATIONS = list(combinations())
EVERY_COMBINATION_UP_TO = 64
COMBINATIONS = (
    ALL_COMBINATIONS
    if len(ALL_COMBINATIONS) <= EVERY_COMBINATION_UP_TO
    else pairwise_cover(ALL_COMBINATIONS)
)
# The context also shapes the output (pool sizes, workers, timeouts): render its extremes too.
CONTEXT_EXTREMES = [
    {
        **COMBINATIONS[-1],
        "scale": "large",
        "read_write": "read_heavy",
        "latency_p99_ms": 20,
        "consistency": "eventual",
        "compliance": ["audit_trail", "retention"],
        "team_stack": "go",
    },
]
# Jinja left behind; GitHub Actions' own ${{ ... }} expressions are meant to stay.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")


def _leftovers(project: Path) -> list[str]:
    problems = []
    for path in project.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or not path.is_file():
            continue
        relative = path.relative_to(project)
        if path.suffix == ".jinja" or LEFTOVER_JINJA.search(str(relative)):
            problems.append(f"{relative}: unrendered name")
        text = path.read_text()
        if not text.strip():
            problems.append(f"{relative}: empty")
        elif match := LEFTOVER_JINJA.search(text):
            problems.append(f"{relative}: unrendered {match.group()!r}")
    return problems


@pytest.mark.parametrize(
    "answers",
    [*COMBINATIONS, *CONTEXT_EXTREMES],
    ids=[*map(answer_id, COMBINATIONS), "context-extremes"],
)
def test_combination_renders_clean(copie: Copie, answers: dict[str, Any]) -> None:
    project = render(copie, answers)

    assert _leftovers(project) == []
    run(["uv", "sync", "--quiet"], project)
    run(["uv", "run", "ruff", "check", "--no-cache", "."], project)
    run(["uv", "run", "ruff", "format", "--check", "--no-cache", "."], project)
    run(["uv", "run", "mypy"], project)
    check_container_files(project, answers)


def test_the_matrix_covers_every_value_of_every_decision() -> None:
    for decision, values in DECISIONS.items():
        assert {answers[decision] for answers in COMBINATIONS} == set(values), decision


def test_the_matrix_covers_every_pair_of_values() -> None:
    possible = set().union(*map(value_pairs, ALL_COMBINATIONS))

    assert set().union(*map(value_pairs, COMBINATIONS)) == possible
