"""Heavy samples: rendered services install their dependencies and pass their own test suites
against the real PostgreSQL and Redis."""

from typing import Any

import pytest
from pytest_copie.plugin import Copie

from tests.conftest import answer_id, render, run

SAMPLES = [
    {"tenancy_need": "single", "tenancy": "none", "cache": "none", "soft_delete": False},
    {"tenancy_need": "single", "tenancy": "none", "cache": "redis", "soft_delete": True},
    {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "none", "soft_delete": True},
    {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "redis", "soft_delete": False},
]


@pytest.mark.parametrize("answers", SAMPLES, ids=answer_id)
def test_generated_service_passes_its_own_tests(copie: Copie, answers: dict[str, Any]) -> None:
    project = render(copie, answers)

    output = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)

    assert " passed" in output and "failed" not in output and "skipped" not in output, output
