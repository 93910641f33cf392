"""The Dockerfile, compose.yaml, CI workflow and init script of rendered projects pass static checks."""

from typing import Any

import pytest
from pytest_copie.plugin import Copie

from tests.static_checks import check_container_files

COMBINATIONS: list[dict[str, Any]] = [
    *(
        {
            "tenancy_need": "multi_shared" if tenancy == "shared" else "single",
            "tenancy": tenancy,
            "cache": cache,
            "ci": "github",
        }
        for tenancy in ("none", "shared")
        for cache in ("none", "redis")
    ),
    {"tenancy_need": "single", "tenancy": "none", "cache": "redis", "ci": "none", "scale": "large"},
]


@pytest.mark.parametrize(
    "answers",
    COMBINATIONS,
    ids=lambda answers: "-".join(f"{key}={value}" for key, value in answers.items()),
)
def test_container_files_pass_static_checks(copie: Copie, answers: dict[str, Any]) -> None:
    result = copie.copy(extra_answers={"project_name": "Billing Service", **answers})

    assert result.exit_code == 0, result.exception
    assert result.project_dir is not None
    check_container_files(result.project_dir, result.answers)
