"""Fail on what `copier update` leaves behind: conflict markers and `.rej` files.

`copier update` exits 0 even when it could not merge a template change into a file you edited:
it leaves conflict markers in the file (or, with `--conflict rej`, a `.rej` file beside it).
Run this before committing an update; it prints `path:line` for each leftover and exits 1.

    python scripts/check_update.py [ROOT]    # ROOT defaults to the project folder
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

# Tools' folders: never the project's own text, and large.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "htmlcov",
        "dist",
        "build",
    }
)
# Git's markers: `<<<<<<< ours`, `||||||| base` (diff3 style), `=======`, `>>>>>>> theirs`.
MARKER = re.compile(rb"^(?:(?:<{7}|\|{7}|>{7})(?: .*)?|={7})\r?$")
# A file with a NUL byte in its first block is binary: markers are text, skip it.
BINARY_PROBE = 8192


def project_root() -> Path:
    """The project this script belongs to: the folder above scripts/."""
    return Path(__file__).resolve().parent.parent


def files(root: Path) -> Iterator[Path]:
    """Every regular file under root, in a stable order, outside tools' folders."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if name not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def markers(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each conflict marker in a text file."""
    try:
        content = path.read_bytes()
    except OSError:
        return
    if b"\0" in content[:BINARY_PROBE]:
        return
    for number, line in enumerate(content.splitlines(), start=1):
        if MARKER.match(line):
            yield number, line.decode("utf-8", errors="replace").rstrip()


def problems(root: Path) -> list[str]:
    """One `path:line: what` message per leftover of an unfinished update."""
    found: list[str] = []
    for path in files(root):
        relative = path.relative_to(root).as_posix()
        if path.suffix == ".rej":
            found.append(f"{relative}:1: rejected change: merge it by hand, then delete the file")
            continue
        found.extend(
            f"{relative}:{number}: conflict marker {line!r}" for number, line in markers(path)
        )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Print every leftover of `copier update` under ROOT; 1 if there is any, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", nargs="?", type=Path, default=project_root())
    root: Path = parser.parse_args(argv).root.resolve()
    found = problems(root)
    for message in found:
        print(message)
    if found:
        print(
            f"{len(found)} leftover(s) of `copier update`: resolve them, then commit.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
