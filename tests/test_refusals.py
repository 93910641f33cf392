"""A combination or answer the model refuses fails with its reason, before anything is written."""

from pathlib import Path
from typing import Any

import copier
import pytest

from hooks.decisions import Problem, refused_combinations
from tests.conftest import REPO, answer_id

REFUSED = list(refused_combinations())

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


def test_the_model_refuses_something() -> None:
    assert REFUSED, "no refused combination: the refusal tests would prove nothing"


@pytest.mark.parametrize(
    ("answers", "problem"), REFUSED, ids=[answer_id(answers) for answers, _ in REFUSED]
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
