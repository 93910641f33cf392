"""Copier migration task, after an update: keep the team's edits to files the release removed.

Copier deletes every file the new release no longer renders, edited or not, and says nothing.
This task finds the files the update deleted, renders the earlier release to see what each held
when it was generated, and for each one the team had changed writes the team's version beside
it as `<file>.rej`: the service's `make check-update` then fails until someone has moved the
edits to where the code went and deleted the `.rej` file.

    keep_removed_edits.py TEMPLATE    # run by Copier in the service's root (copier.yml)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import copier
import yaml

ANSWERS_FILE = ".copier-answers.yml"
NOTE = (
    "# `copier update` removed {path}: the template no longer has it. This was your version,\n"
    "# with your changes. Move them to where the code went (the template's CHANGELOG.md says\n"
    "# where), then delete this file.\n"
)


def git(*arguments: str) -> str:
    done = subprocess.run(["git", *arguments], capture_output=True, text=True, check=True)
    return done.stdout


def removed_by_the_update() -> list[str]:
    """Files the last commit has and the working tree no longer has."""
    return git("diff", "--name-only", "--diff-filter=D", "HEAD").splitlines()


def generated(template: str, answers: dict[str, Any], destination: Path) -> None:
    """Render the release the service was last generated from, with its answers."""
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier.run_copy(
        template,
        destination,
        vcs_ref=answers["_commit"],
        data=data,
        defaults=True,
        unsafe=True,
        quiet=True,
    )


def keep_edits(template: str) -> list[Path]:
    """Write `<file>.rej` for each removed file the team had changed; the files written."""
    removed = removed_by_the_update()
    if not removed:
        return []
    answers = yaml.safe_load(git("show", f"HEAD:{ANSWERS_FILE}"))
    kept = []
    with tempfile.TemporaryDirectory() as earlier:
        generated(template, answers, Path(earlier))
        for path in removed:
            theirs = git("show", f"HEAD:{path}")
            as_generated = Path(earlier, path)
            if as_generated.is_file() and as_generated.read_text() == theirs:
                continue
            witness = Path(f"{path}.rej")
            witness.parent.mkdir(parents=True, exist_ok=True)
            witness.write_text(NOTE.format(path=path) + theirs)
            kept.append(witness)
    return kept


def main(argv: list[str]) -> int:
    for witness in keep_edits(argv[1]):
        print(f"kept your edits of a removed file in {witness}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
