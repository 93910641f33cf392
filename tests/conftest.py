"""Shared helpers for the template's own tests: render in-process, run a rendered project's tools."""

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

REPO = Path(__file__).resolve().parent.parent


def answer_id(answers: Mapping[str, Any]) -> str:
    """A readable test id from the decisions of a combination."""
    keys = ("tenancy", "cache", "soft_delete", "ci", "metrics", "tracing")
    return "-".join(f"{key}={answers[key]}" for key in keys if key in answers)


def render(copie: Copie, answers: Mapping[str, Any]) -> Path:
    """Render the template in-process with these answers (defaults for the rest)."""
    result = copie.copy(extra_answers=dict(answers))
    assert result.exit_code == 0, f"render failed: {result.exception!r}"
    assert result.project_dir is not None
    return result.project_dir


def attempt(
    command: Sequence[str], cwd: Path, *, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command in a rendered project, with this environment minus its virtualenv."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run(command: Sequence[str], cwd: Path, *, timeout: float = 600) -> str:
    """Run a command in a rendered project; fail the test with its output if it fails."""
    done = attempt(command, cwd, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed in {cwd} ({done.returncode}):\n"
            f"{done.stdout[-6000:]}\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Combination coverage of this run: what was rendered, which pairs, refusals and samples."""
    from hooks.matrix import value_pairs
    from tests.test_generated_service import SAMPLES
    from tests.test_refusals import REFUSED
    from tests.test_render_matrix import COMBINATIONS, COVER

    passed = [report.nodeid for report in terminalreporter.stats.get("passed", [])]

    def count(test: str) -> int:
        return sum(f"{test}[" in nodeid for nodeid in passed)

    rendered = count("test_combination_renders_clean_and_type_checks")
    refusals = count("test_a_refused_combination_fails_with_its_reason_and_writes_nothing")
    samples = count("test_generated_service_passes_its_own_tests")
    possible = set().union(*map(value_pairs, COMBINATIONS))
    covered = set().union(*map(value_pairs, COVER))
    terminalreporter.write_sep("-", "combination coverage")
    terminalreporter.write_line(
        f"rendered, linted, installed and type-checked: {rendered} of {len(COVER) + 1} (a "
        f"pairwise cover of the {len(COMBINATIONS)} valid combinations, holding {len(covered)} "
        f"of their {len(possible)} value pairs, + context extremes); refusals reported by "
        f"Copier: {refusals} of {len(REFUSED)} distinct; heavy samples run: {samples} of "
        f"{len(SAMPLES)}"
    )
