"""scripts/check_update.py fails on what an unfinished `copier update` leaves behind."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_update.py"


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_conflict_and_a_rejected_change_are_both_reported(tmp_path: Path) -> None:
    conflicted = tmp_path / "src" / "settings.py"
    conflicted.parent.mkdir()
    conflicted.write_text(
        'name = "service"\n'
        "<<<<<<< before updating\n"
        'log_level = "DEBUG"\n'
        "=======\n"
        'log_level = "INFO"\n'
        ">>>>>>> after updating\n"
    )
    (tmp_path / "pyproject.toml.rej").write_text("@@ -1 +1 @@\n-a\n+b\n")

    result = check(tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "pyproject.toml.rej:1: rejected change: merge it by hand, then delete the file",
        "src/settings.py:2: conflict marker '<<<<<<< before updating'",
        "src/settings.py:4: conflict marker '======='",
        "src/settings.py:6: conflict marker '>>>>>>> after updating'",
    ]


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Title\n=====\n\nA line with <<<<<<< inside is prose.\n")
    (tmp_path / "data.bin").write_bytes(b"\0<<<<<<< binary\n")
    ignored = tmp_path / ".venv" / "lib"
    ignored.mkdir(parents=True)
    (ignored / "vendored.py.rej").write_text("not the project's\n")

    result = check(tmp_path)

    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_this_project_has_no_leftovers() -> None:
    result = check(SCRIPT.parent.parent)

    assert result.returncode == 0, result.stdout
