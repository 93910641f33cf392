"""The template reads plainly, and renders services whose parts depend on each other one way.

The figures come from `scripts/template_shape.py`, whose density figure docs/contributing.md
states.
"""

from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

from scripts.template_shape import (
    MAX_CONDITIONS,
    MAX_TAGS_PER_100_LINES,
    density,
    import_graph,
    too_many_conditions,
)
from tests.conftest import REPO, render

MODES = {
    "none": "single",
    "shared": "multi_shared",
    "schema": "multi_schema",
    "database": "multi_database",
}
# Each auth mode once: its modules are the ones that differ most between the two.
EVERYTHING = {"auth": "oidc", "cache": "redis", "metrics": "prometheus", "tracing": "otlp"}
NOTHING = {"auth": "jwt", "cache": "none", "metrics": "none", "tracing": "none"}


def test_the_template_has_at_most_three_jinja_control_tags_per_100_lines() -> None:
    found = density()

    assert found.per_100_lines <= MAX_TAGS_PER_100_LINES, found.summary()


def test_the_example_domain_and_the_application_factory_stay_nearly_plain() -> None:
    over = too_many_conditions(density())

    assert over == [], f"more than {MAX_CONDITIONS} conditions: {[file.path for file in over]}"


def test_contributing_states_the_density_the_template_has() -> None:
    figure = f"{density().per_100_lines:.1f} per 100 lines"

    assert figure in (REPO / "docs" / "contributing.md").read_text(), (
        f"docs/contributing.md must give the template's figure, {figure} "
        "(`uv run python -m scripts.template_shape density`)"
    )


@pytest.mark.parametrize("features", [EVERYTHING, NOTHING], ids=["all-features", "no-features"])
@pytest.mark.parametrize("mode", MODES)
def test_a_rendered_service_has_no_import_cycle_and_no_two_way_dependency(
    copie: Copie, mode: str, features: dict[str, Any]
) -> None:
    project = render(copie, {"tenancy_need": MODES[mode], "tenancy": mode, **features})
    (package,) = (project / "src").iterdir()

    graph = import_graph(package)

    assert graph.cycles() == []
    assert graph.two_way() == []


def test_the_import_check_finds_a_cycle_and_a_two_way_dependency(tmp_path: Path) -> None:
    """The check itself, on the shapes it was written against: a cycle hidden under
    TYPE_CHECKING, and two packages that import each other without a module cycle."""
    files = {
        "__init__.py": "",
        "state.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .ratelimit import R\n",
        "ratelimit.py": "from .auth.deps import CurrentPrincipal\n",
        "auth/__init__.py": "",
        "auth/deps.py": "from ..state import State\n",
        "auth/models.py": "",
        "auth/service.py": "from ..tenancy import lifecycle\n",
        "tenancy/__init__.py": "",
        "tenancy/lifecycle.py": "from ..auth.models import Membership\n",
    }
    for name, text in files.items():
        (tmp_path / "service" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "service" / name).write_text(text)

    graph = import_graph(tmp_path / "service")

    assert graph.cycles() == [["service.auth.deps", "service.ratelimit", "service.state"]]
    assert graph.two_way() == [("auth", "tenancy")]
