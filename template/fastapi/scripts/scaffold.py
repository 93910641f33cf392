"""Add a resource to the service: a domain package shaped like projects, isolated by default.

    uv run python scripts/scaffold.py invoices [--model Invoice]

Writes `src/<package>/invoices/` (models, schemas, service, router), the migration that creates
its table through `tenancy.create_resource_table` (in the tenants' storage when each tenant has
its own), and `tests/invoices/`; lists the feature in `main.py` and the model in `models.py`;
then formats what it wrote with ruff. Run it from the project's root.
"""

from __future__ import annotations

import argparse
import keyword
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import rev_id

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).with_name("resource")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Resource:
    """The names a resource goes by."""

    package: str  # the service's package
    plural: str  # table, package and test folder: invoices
    model: str  # class: Invoice

    @property
    def singular(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model).lower()

    def fill(self, template: str, **extra: str) -> str:
        return Template((TEMPLATES / template).read_text()).substitute(
            package=self.package,
            resources=self.plural,
            resource=self.singular,
            Model=self.model,
            Title=self.plural.replace("_", " ").capitalize(),
            path=self.plural.replace("_", "-"),
            **extra,
        )


class Refused(Exception):
    """The resource cannot be added as asked; the message says why."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("name", help="plural, lower case: the table and the package (invoices)")
    parser.add_argument("--model", help="the model class (default: the singular, e.g. Invoice)")
    args = parser.parse_args(argv)
    try:
        written = scaffold(ROOT, args.name, args.model)
    except Refused as error:
        print(f"scaffold: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def scaffold(root: Path, name: str, model: str | None = None) -> list[Path]:
    """Write the resource `name` into the service at `root`; the files written or changed."""
    package_dir = _package_dir(root)
    resource = Resource(package_dir.name, name, model or _model_name(name))
    _refuse_bad_names(resource, package_dir)
    written = [
        *_write_domain(resource, package_dir),
        _write_migration(resource, root, package_dir),
        *_write_tests(resource, root),
        _register(package_dir / "main.py", "    projects,\n", f"    {name},\n"),
        _register(package_dir / "main.py", "    projects.feature,\n", f"    {name}.feature,\n"),
        _register(
            package_dir / "models.py",
            "from .projects.models import Project\n",
            f"from .{name}.models import {resource.model}\n",
        ),
        _register(
            package_dir / "models.py", "MODELS: tuple[type[Any], ...] = (", f"{resource.model}, "
        ),
    ]
    _ruff(root, sorted(set(written)))
    return sorted(set(written))


def _package_dir(root: Path) -> Path:
    packages = [path.parent for path in (root / "src").glob("*/main.py")]
    if len(packages) != 1:
        raise Refused(f"no service package under {root / 'src'}: run from the project's root")
    return packages[0]


def _model_name(name: str) -> str:
    singular = name[:-1] if name.endswith("s") and not name.endswith("ss") else name
    return "".join(part.capitalize() for part in singular.split("_"))


def _refuse_bad_names(resource: Resource, package_dir: Path) -> None:
    name = resource.plural
    if not NAME.match(name) or keyword.iskeyword(name) or name in sys.stdlib_module_names:
        raise Refused(f"{name!r} is not a usable name: lower-case letters, digits and underscores")
    if (package_dir / name).exists() or (package_dir / f"{name}.py").exists():
        raise Refused(f"{package_dir.name}.{name} exists already")
    if not resource.model.isidentifier() or not resource.model[0].isupper():
        raise Refused(f"{resource.model!r} is not a class name (e.g. Invoice)")


def _write_domain(resource: Resource, package_dir: Path) -> list[Path]:
    folder = package_dir / resource.plural
    folder.mkdir()
    written = []
    for module in ("__init__", "models", "schemas", "service", "router"):
        path = folder / f"{module}.py"
        path.write_text(resource.fill(f"{module}.py.tmpl"))
        written.append(path)
    return written


def _write_migration(resource: Resource, root: Path, package_dir: Path) -> Path:
    """The revision after the head of the scripts the resource tables live in: each tenant's
    storage's when it has one, else the service's."""
    tenant_scripts = package_dir / "tenancy" / "migrations"
    scripts = tenant_scripts if tenant_scripts.is_dir() else root / "migrations"
    config = Config()
    config.set_main_option("script_location", str(scripts))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise Refused(f"{scripts} has no revision to follow")
    numbered = re.fullmatch(r"(t?)(\d+)", head)
    revision = f"{numbered[1]}{int(numbered[2]) + 1:0{len(numbered[2])}d}" if numbered else rev_id()
    path = scripts / "versions" / f"{revision}_{resource.plural}.py"
    path.write_text(resource.fill("migration.py.tmpl", revision=revision, down_revision=head))
    return path


def _write_tests(resource: Resource, root: Path) -> list[Path]:
    folder = root / "tests" / resource.plural
    folder.mkdir()
    init = folder / "__init__.py"
    init.write_text("")
    test = folder / f"test_{resource.plural}.py"
    test.write_text(resource.fill("test.py.tmpl"))
    return [init, test]


def _register(path: Path, anchor: str, addition: str) -> Path:
    """Add `addition` right after the first `anchor` in `path`."""
    text = path.read_text()
    if anchor not in text:
        raise Refused(f"{path.name} no longer has {anchor.strip()!r}: add {addition.strip()!r}")
    path.write_text(text.replace(anchor, anchor + addition, 1))
    return path


def _ruff(root: Path, paths: list[Path]) -> None:
    """Sort the imports the resource added, and format what was written."""
    files = [str(path) for path in paths if path.suffix == ".py"]
    for command in (["check", "--fix", "--select", "I", "--quiet"], ["format", "--quiet"]):
        ruff = [sys.executable, "-m", "ruff", *command, *files]
        subprocess.run(ruff, cwd=root, check=True)  # noqa: S603  # this project's own files


if __name__ == "__main__":
    sys.exit(main())
