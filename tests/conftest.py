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


def run(command: Sequence[str], cwd: Path, *, timeout: float = 600) -> str:
    """Run a command in a rendered project; fail the test with its output if it fails."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    done = subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed in {cwd} ({done.returncode}):\n"
            f"{done.stdout[-6000:]}\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Combination coverage of this run: what was rendered, which pairs, which samples ran."""
    from hooks.matrix import value_pairs
    from tests.test_generated_service import SAMPLES
    from tests.test_render_matrix import COMBINATIONS, TYPE_CHECKED

    passed = [report.nodeid for report in terminalreporter.stats.get("passed", [])]

    def count(test: str) -> int:
        return sum(f"{test}[" in nodeid for nodeid in passed)

    possible = set().union(*map(value_pairs, COMBINATIONS))
    covered = set().union(*map(value_pairs, TYPE_CHECKED))
    terminalreporter.write_sep("-", "combination coverage")
    terminalreporter.write_line(
        f"rendered, linted and checked: {count('test_combination_renders_clean')} of "
        f"{len(COMBINATIONS)} valid combinations (+ context extremes); installed and "
        f"type-checked: {count('test_combination_installs_and_type_checks')}, covering "
        f"{len(covered)} of {len(possible)} value pairs; heavy samples run: "
        f"{count('test_generated_service_passes_its_own_tests')} of {len(SAMPLES)}"
    )
