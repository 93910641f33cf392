"""The combinations the decision model accepts render into clean, type-checked projects.

Rendering every combination stops scaling as decisions multiply, so the matrix renders a pairwise
cover of them (every pair of values of any two decisions together at least once) and one with the
context at its extremes. Each renders, leaves no Jinja or empty file behind, passes ruff and the
static checks of its container and CI files, installs its dependencies and passes mypy; with
Kubernetes manifests, its settings start from exactly what each production container gets.
"""

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

from hooks.decisions import DECISIONS
from hooks.matrix import combinations, pairwise_cover, value_pairs
from tests.conftest import answer_id, render, run
from tests.kubernetes_checks import settings_accept_manifests
from tests.static_checks import check_container_files

COMBINATIONS = list(combinations())
COVER = pairwise_cover(COMBINATIONS)
# The context also shapes the output (pool sizes, workers, timeouts): render its extremes too.
CONTEXT_EXTREMES = {
    **COMBINATIONS[-1],
    "scale": "large",
    "read_write": "read_heavy",
    "latency_p99_ms": 20,
    "consistency": "eventual",
    "compliance": ["audit_trail", "retention"],
    "team_stack": "go",
}
RUFF = str(
    Path(sys.executable).with_name("ruff")
)  # the repository's; it reads the project's config
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


# What the matrix renders, by test id.
RENDERED: dict[str, dict[str, Any]] = {
    **{answer_id(answers): answers for answers in COVER},
    "context-extremes": CONTEXT_EXTREMES,
}


@pytest.mark.parametrize("answers", list(RENDERED.values()), ids=list(RENDERED))
def test_combination_renders_clean_and_type_checks(copie: Copie, answers: dict[str, Any]) -> None:
    project = render(copie, answers)

    assert _leftovers(project) == []
    run([RUFF, "check", "--no-cache", "."], project)
    run([RUFF, "format", "--check", "--no-cache", "."], project)
    check_container_files(project, answers)
    run(["uv", "sync", "--locked", "--quiet"], project)  # the lock written at generation
    run(["uv", "run", "mypy"], project)
    assert settings_accept_manifests(project, answers) == []


def test_each_rendered_combination_has_an_id_of_its_own() -> None:
    """The coverage summary (tests/conftest.py) maps each passed test back by its id."""
    assert len(RENDERED) == len(COVER) + 1


def test_every_value_of_every_decision_is_rendered() -> None:
    for name, decision in DECISIONS.items():
        assert {answers[name] for answers in COVER} == set(decision.values), name


def test_every_pair_of_values_is_rendered() -> None:
    possible = set().union(*map(value_pairs, COMBINATIONS))

    assert set().union(*map(value_pairs, COVER)) == possible
