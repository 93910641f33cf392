"""The shape of the template and of what it renders: Jinja density, and a service's import graph.

    uv run python -m scripts.template_shape density          # tags per 100 lines, worst files
    uv run python -m scripts.template_shape imports SRC_PKG  # cycles and two-way dependencies

Jinja control tags (`{% ... %}`) are what make a template hard to read; expressions (`{{ }}`)
are not counted. A rendered service's parts (its subpackages and top-level modules) must import
one another in one direction only, so its layers read from the folder layout.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template"
MAX_TAGS_PER_100_LINES = 3.0
MAX_CONDITIONS = 2  # in a file of the example domain or the application factory
# The files users copy and read first: the example domain, and the application factory.
PLAIN_FILES = ("fastapi/src/{{package_name}}/projects/*", "fastapi/src/{{package_name}}/main.py*")

_TAG = re.compile(r"\{%-?\s*(\w+)")
_CONDITIONS = frozenset({"if", "elif", "else"})


@dataclass(frozen=True)
class FileDensity:
    path: str  # relative to the template folder
    lines: int
    tags: int
    conditions: int


@dataclass(frozen=True)
class Density:
    files: tuple[FileDensity, ...]

    @property
    def lines(self) -> int:
        return sum(file.lines for file in self.files)

    @property
    def tags(self) -> int:
        return sum(file.tags for file in self.files)

    @property
    def per_100_lines(self) -> float:
        return 100 * self.tags / max(self.lines, 1)

    def summary(self) -> str:
        return (
            f"{self.tags} Jinja control tags in {self.lines} lines: "
            f"{self.per_100_lines:.1f} per 100 lines"
        )


def density(template: Path = TEMPLATE) -> Density:
    """Control tags and conditions in every text file of the template tree (symlinks once)."""
    files = []
    for path in sorted(template.rglob("*")):
        if not path.is_file() or path.is_symlink() or _linked(path, template):
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        tags = _TAG.findall(text)
        files.append(
            FileDensity(
                path=path.relative_to(template).as_posix(),
                lines=text.count("\n") + (not text.endswith("\n")),
                tags=len(tags),
                conditions=sum(tag in _CONDITIONS for tag in tags),
            )
        )
    return Density(tuple(files))


def _linked(path: Path, template: Path) -> bool:
    """Whether `path` is reached through a symlinked folder (counted where it really lives)."""
    return any(parent.is_symlink() for parent in path.relative_to(template).parents if parent.name)


def too_many_conditions(found: Density) -> list[FileDensity]:
    """Files of the example domain or the application factory above MAX_CONDITIONS."""
    return [
        file
        for file in found.files
        if any(Path(file.path).match(pattern) for pattern in PLAIN_FILES)
        and file.conditions > MAX_CONDITIONS
    ]


# ── Import graph of a rendered service ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class ImportGraph:
    package: str
    edges: dict[str, set[str]]  # module -> modules of the same package it imports

    def cycles(self) -> list[list[str]]:
        """Groups of modules that import one another, in a circle (TYPE_CHECKING included)."""
        return [sorted(group) for group in _strongly_connected(self.edges) if len(group) > 1]

    def two_way(self) -> list[tuple[str, str]]:
        """Pairs of parts (subpackages or top-level modules) that import each other."""
        pairs = {
            (self.part(module), self.part(target))
            for module, targets in self.edges.items()
            for target in targets
            if self.part(module) != self.part(target)
        }
        return sorted((a, b) for a, b in pairs if a < b and (b, a) in pairs)

    def part(self, module: str) -> str:
        """The subpackage or top-level module of the service a module belongs to."""
        return module.split(".")[1] if "." in module else module


def import_graph(package_dir: Path) -> ImportGraph:
    """Every import between the modules of one package, read from the source.

    Alembic's scripts (`migrations/` folders) are left out: Alembic runs them, no module
    imports them, and they import the whole service on purpose.
    """
    package = package_dir.name
    modules = {
        _module_name(package_dir, path): path
        for path in package_dir.rglob("*.py")
        if "migrations" not in path.relative_to(package_dir).parts
    }
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            edges[name] |= {
                target
                for target in _imported(name, is_package, node, modules)
                if target not in (name, package)
            }
    return ImportGraph(package, edges)


def _module_name(package_dir: Path, path: Path) -> str:
    parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(
    module: str, is_package: bool, node: ast.AST, modules: Collection[str]
) -> Iterator[str]:
    """The modules a statement imports: `from .a import b` imports module `a.b` if there is
    one, else a name of module `a`."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in modules:
                yield alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in modules:
                yield submodule
            elif source in modules:
                yield source


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root, targets_of_root in edges.items():
        if root in index:
            continue
        work = [(root, iter(sorted(targets_of_root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("density", help="Jinja control tags per 100 lines of template/")
    imports = commands.add_parser("imports", help="cycles and two-way parts of a package")
    imports.add_argument("package_dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "density":
        found = density()
        for file in sorted(found.files, key=lambda file: -file.tags)[:8]:
            counts = f"{file.tags:4d} tags {file.conditions:3d} conditions {file.lines:5d} lines"
            print(f"{counts}  {file.path}")
        print(found.summary())
        over = too_many_conditions(found)
        for file in over:
            print(f"more than {MAX_CONDITIONS} conditions: {file.path}")
        return 1 if over or found.per_100_lines > MAX_TAGS_PER_100_LINES else 0
    graph = import_graph(args.package_dir)
    for group in graph.cycles():
        print("cycle:", " -> ".join(group))
    for a, b in graph.two_way():
        print(f"two-way: {a} <-> {b}")
    cycles, two_way = graph.cycles(), graph.two_way()
    print(f"{len(graph.edges)} modules, {len(cycles)} cycles, {len(two_way)} two-way")
    return 1 if cycles or two_way else 0


if __name__ == "__main__":
    sys.exit(main())
