"""Lock a generated service at the versions this release of the template was tested with.

Copier runs it in the service's folder after `copier copy` (a task) and at the end of `copier
update`, once the release is merged with the team's changes (an "after" migration: Copier runs
tasks before that merge, when pyproject.toml still lacks the team's changes).

A new service gets a `uv.lock` resolved as PyPI stood on `TESTED_ON` (`uv lock --exclude-newer`),
the date the template's own tests resolve against too; a second `uv lock` then drops the date
from the lock's options while keeping every version, so `uv sync --locked`, `uv lock --upgrade`
and Dependabot treat it as any other lock. On an update the service's lock is the team's:
`uv lock` keeps its versions and only adds or changes what the merged pyproject.toml requires.

Never fails the generation: without uv, or without the network, it says how to lock later.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TESTED_ON = "2026-11-30T00:00:00Z"
"""PyPI as it stood when this release's tests passed: move it with each release (CHANGELOG)."""

LOCK = Path("uv.lock")


def commands(uv: str, *, update: bool, locked: bool) -> list[list[str]]:
    """The uv commands that lock the service in the current folder."""
    if update and locked:
        return [[uv, "lock"]]
    return [[uv, "lock", "--exclude-newer", TESTED_ON], [uv, "lock"]]


def main(operation: str) -> int:
    update = operation == "update"
    uv = shutil.which("uv")
    if uv is None:
        print(
            "groundwork: uv is not installed, so no uv.lock was written. Install uv "
            "(https://docs.astral.sh/uv/) and run, in the service's folder:\n"
            f"    uv lock --exclude-newer {TESTED_ON} && uv lock",
            file=sys.stderr,
        )
        return 0
    had_lock = LOCK.exists()
    for command in commands(uv, update=update, locked=had_lock):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            if not had_lock:
                LOCK.unlink(missing_ok=True)
            print(
                f"groundwork: `uv {' '.join(command[1:])}` failed, so uv.lock was not "
                f"{'updated' if had_lock else 'written'}:\n{done.stderr.strip()}\n"
                "Run it again in the service's folder once uv can reach PyPI.",
                file=sys.stderr,
            )
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "copy"))
