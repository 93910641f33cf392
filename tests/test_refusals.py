"""A combination or answer the model refuses fails with its reason, before anything is written."""

from pathlib import Path
from typing import Any

import copier
import pytest

from hooks.decisions import problems
from hooks.matrix import distinct_refusals
from hooks.model import Problem
from tests.conftest import REPO, copy_on_the_command_line

# One refused combination per distinct reason: rendering all of them through Copier would
# repeat the same messages hundreds of times. tests/test_decision_model.py checks that every
# refused combination's problem is one of these.
REFUSED = distinct_refusals()

BAD_ANSWERS = [
    ({"project_slug": "Bad Slug"}, "project_slug", "not a valid slug"),
    ({"package_name": "redis"}, "package_name", "redis"),
    ({"package_name": "class"}, "package_name", "keyword"),
    ({"author_email": "nobody"}, "author_email", "e-mail"),
    ({"latency_p99_ms": 1}, "latency_p99_ms", "10"),
    ({"cache": "memcached"}, "cache", "memcached"),
]


def _copy(answers: dict[str, Any], destination: Path) -> None:
    copier.run_copy(
        str(REPO),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )


def refusal_id(answers: dict[str, Any], problem: Problem) -> str:
    """The refused field, then the answers the tenancy refusals depend on."""
    parts = [f"need={answers['tenancy_need']}", f"tenancy={answers['tenancy']}"]
    if answers["expected_tenants"] != "tens":
        parts.append(f"tenants={answers['expected_tenants']}")
    if answers["compliance"]:
        parts.append("compliance=" + "+".join(answers["compliance"]))
    return f"{problem.field}:" + ",".join(parts)


def test_the_model_refuses_something() -> None:
    assert REFUSED, "no refused combination: the refusal tests would prove nothing"


@pytest.mark.parametrize(
    ("answers", "problem"), REFUSED, ids=[refusal_id(*refused) for refused in REFUSED]
)
def test_a_refused_combination_fails_with_its_reason_and_writes_nothing(
    tmp_path: Path, answers: dict[str, Any], problem: Problem
) -> None:
    destination = tmp_path / "service"

    with pytest.raises(ValueError) as refusal:
        _copy(answers, destination)

    assert f"'{problem.field}'" in str(refusal.value)
    assert problem.message in str(refusal.value)
    assert not destination.exists()


@pytest.mark.parametrize(
    ("answers", "field", "reason"), BAD_ANSWERS, ids=[field for _, field, _ in BAD_ANSWERS]
)
def test_a_bad_answer_fails_with_a_clear_message_and_writes_nothing(
    tmp_path: Path, answers: dict[str, Any], field: str, reason: str
) -> None:
    destination = tmp_path / "service"

    with pytest.raises(ValueError) as refusal:
        _copy(answers, destination)

    assert f"'{field}'" in str(refusal.value)
    assert reason in str(refusal.value)
    assert not destination.exists()


# `--data` answers as a person types them, and what the first line of output must say.
COMMAND_LINES = [
    (["latency_p99_ms=-5"], "latency_p99_ms=-5", problems({"latency_p99_ms": -5})[0].message),
    (["tenancy_need=hybrid"], "tenancy_need=hybrid", "'hybrid' is not a choice of tenancy_need"),
    (["compliance=[audit_trail,gdpr]"], "compliance=", "'gdpr' is not a choice of compliance"),
    (
        ["tenancy_need=multi_schema", "expected_tenants=more"],
        "expected_tenants=more",
        problems({"tenancy_need": "multi_schema", "expected_tenants": "more"})[0].message,
    ),
    (
        ["compliance=[tenant_separation]"],
        "compliance=[tenant_separation]",
        problems({"tenancy_need": "single", "compliance": ["tenant_separation"]})[0].message,
    ),
]


@pytest.mark.parametrize(
    ("data", "answer", "reason"), COMMAND_LINES, ids=[answer for _, answer, _ in COMMAND_LINES]
)
def test_a_refused_data_value_is_the_first_line_the_user_reads(
    tmp_path: Path, data: list[str], answer: str, reason: str
) -> None:
    """Copier prints a refused `--data` answer under a 40-line traceback; ours comes first."""
    destination = tmp_path / "service"

    done = copy_on_the_command_line(destination, data)

    assert done.returncode != 0
    first, second = done.stderr.splitlines()[:2]
    assert first.startswith(f"--data {answer}") and " is refused: " in first, done.stderr
    assert reason in first, done.stderr
    assert second.startswith("Nothing was written"), done.stderr
    assert done.stderr.count(" is refused: ") == 1, "said once"
    assert not destination.exists()
