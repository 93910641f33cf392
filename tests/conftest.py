"""Shared helpers for the template's own tests: render in-process, run a rendered project's tools."""

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

REPO = Path(__file__).resolve().parent.parent


def answer_id(answers: Mapping[str, Any]) -> str:
    """A readable test id from the decisions of a combination."""
    keys = (
        "tenancy",
        "auth",
        "cache",
        "soft_delete",
        "ci",
        "metrics",
        "tracing",
        "audit",
        "registration",
        "events",
        "jobs",
        "deploy",
        "pooler",
        "read_replicas",
        "partitioning",
    )
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


def copy_on_the_command_line(
    destination: Path, data: Sequence[str]
) -> subprocess.CompletedProcess[str]:
    """`copier copy --defaults` of this working tree, run as a user would, with these `--data`."""
    command = [sys.executable, "-W", "ignore", "-m", "copier", "copy", "--trust", "--defaults"]
    command += ["--vcs-ref", "HEAD", *(f"--data={item}" for item in data)]
    return subprocess.run(
        [*command, str(REPO), str(destination)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What this run exercised: the combinations it rendered and the value pairs they hold, the
    refusals Copier reported and the heavy samples whose own suites ran.

    Counted from the tests that passed in this run, by parameter, so a subset run says what it
    ran, not what the full matrix would.
    """
    from hooks.matrix import value_pairs
    from tests.test_generated_service import SAMPLES
    from tests.test_refusals import REFUSED
    from tests.test_render_matrix import COMBINATIONS, RENDERED

    passed = {report.nodeid for report in terminalreporter.stats.get("passed", [])}

    def ran(test: str) -> set[str]:
        """The parameter ids of `test` that passed."""
        return {
            nodeid.split("[", 1)[1].removesuffix("]")
            for nodeid in passed
            if nodeid.split("::")[-1].startswith(f"{test}[")
        }

    rendered = [RENDERED[key] for key in ran("test_combination_renders_clean_and_type_checks")]
    refusals = ran("test_a_refused_combination_fails_with_its_reason_and_writes_nothing")
    samples = ran("test_generated_service_passes_its_own_tests")
    possible = set().union(*map(value_pairs, COMBINATIONS))
    covered = set().union(*map(value_pairs, rendered))
    terminalreporter.write_sep("-", "combination coverage of this run")
    terminalreporter.write_line(
        f"rendered, linted, installed and type-checked: {len(rendered)} of the "
        f"{len(RENDERED)} the render matrix holds (a pairwise cover of the {len(COMBINATIONS)} "
        f"valid combinations, and the context extremes), covering {len(covered)} of the "
        f"{len(possible)} value pairs; refusals reported by Copier: {len(refusals)} of "
        f"{len(REFUSED)} distinct; heavy samples whose own tests ran: {len(samples)} of "
        f"{len(SAMPLES)}"
    )
