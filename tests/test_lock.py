"""A generated service installs the versions the template was tested with, and stays current.

Generation locks it (`hooks/lock.py`, a Copier task) at `TESTED_ON`: every package in its
`uv.lock` was on PyPI by then, and the lock carries no date of its own, so `uv sync --locked`,
`uv lock --upgrade` and Dependabot treat it as any other lock. With GitHub CI, Dependabot and a
scheduled `copier update` keep it current.
"""

import os
import re
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

from pytest_copie.plugin import Copie

from hooks.lock import TESTED_ON
from tests.conftest import REPO, render, run
from tests.static_checks import _update_problems


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_new_service_is_locked_at_the_versions_the_template_was_tested_with(
    copie: Copie,
) -> None:
    project = render(copie, {"ci": "github"})

    lock = tomllib.loads((project / "uv.lock").read_text())
    assert "exclude-newer" not in lock.get("options", {})  # nothing pins later updates
    uploads = re.findall(r'upload-time = "([^"]+)"', (project / "uv.lock").read_text())
    assert uploads, "uv.lock records no upload times"
    newest = max(map(_moment, uploads))
    assert newest <= _moment(TESTED_ON), f"a locked file was uploaded after {TESTED_ON}: {newest}"
    run(["uv", "lock", "--check"], project)  # up to date with pyproject.toml, as generated
    assert list(_update_problems(project, {"ci": "github"})) == []


def test_without_uv_generation_says_how_to_lock_later(tmp_path: Path) -> None:
    environment = {**os.environ, "PATH": str(Path(sys.executable).parent.parent / "nowhere")}
    done = subprocess.run(
        [sys.executable, str(REPO / "hooks" / "lock.py"), "copy"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0  # the copy itself succeeds
    assert f"uv lock --exclude-newer {TESTED_ON} && uv lock" in done.stderr
    assert not (tmp_path / "uv.lock").exists()
