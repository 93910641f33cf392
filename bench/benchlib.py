"""What the benchmarks share: render a service, give it a database, serve it, load it.

Only the standard library and Copier (the template's own development environment); the load
generator is bench/loadgen.py. The
generated service runs from its own virtual environment, created by `uv sync`; PostgreSQL is
driven with `psql`, Redis through the service's own `redis` package.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import loadgen

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# The default multi-tenant service: every other answer is the questionnaire's default.
MULTI_TENANT_ANSWERS: dict[str, Any] = {
    "tenancy_need": "multi_shared",
    "tenancy": "shared",
    "cache": "redis",
}
PACKAGE = "example_service"  # the package name of the default project name

# A password good enough for the service's validation; the users exist only in a bench database.
PASSWORD = "bench-password-" + secrets.token_hex(8)


class BenchError(RuntimeError):
    """A prerequisite is missing or a step failed; the message says which and what to do."""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--vcs-ref and --json, which every benchmark takes."""
    parser.add_argument(
        "--vcs-ref",
        default="HEAD",
        help="template ref to render (HEAD: the work tree, uncommitted changes included)",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")


def add_load_options(
    parser: argparse.ArgumentParser,
    *,
    duration: float,
    warmup: float,
    connections: int,
    connections_note: str = "",
) -> None:
    """The load's duration, connections, processes and timeout, and the warm-up before each run."""
    parser.add_argument(
        "--duration", type=float, default=duration, help=f"seconds per load run ({duration:g})"
    )
    parser.add_argument(
        "--warmup", type=float, default=warmup, help=f"seconds of warm-up load ({warmup:g})"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=connections,
        help=f"connections ({connections}{connections_note})",
    )
    parser.add_argument("--threads", type=int, default=2, help="load generator processes (2)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=2.0,
        help="a slower response counts as an error, a timeout (2 s)",
    )


def add_service_options(parser: argparse.ArgumentParser, *, example: str) -> None:
    """--env and --keep, for the benchmarks that serve a rendered service."""
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"a setting of the service, e.g. {example} (repeatable)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (projects, logs, load files)"
    )


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--pooler, --pooler-size and --replica: how the service reaches PostgreSQL."""
    parser.add_argument(
        "--pooler",
        choices=POOLERS,
        default="none",
        help="serve through a throwaway PgBouncer in transaction mode (none)",
    )
    parser.add_argument(
        "--pooler-size",
        type=int,
        default=20,
        help="PgBouncer's server connections with --pooler pgbouncer (20)",
    )
    parser.add_argument(
        "--replica",
        action="store_true",
        help="render with read replicas; a throwaway primary and streaming replica",
    )


def service_settings(parser: argparse.ArgumentParser, env: list[str]) -> dict[str, str]:
    """The --env settings as a dict; a malformed one is a usage error."""
    if any("=" not in setting for setting in env):
        parser.error("--env takes NAME=VALUE")
    return dict(setting.split("=", 1) for setting in env)


def run_script(main: Callable[[], int]) -> NoReturn:
    """Exit with main()'s code; a BenchError is one line on stderr, not a traceback."""
    try:
        code = main()
    except BenchError as error:
        print(f"bench/{Path(sys.argv[0]).name}: {error}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the results."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def admin_url_from_env() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", DEFAULT_ADMIN_URL
    )


def redis_url_from_env() -> str:
    return os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


def require_tools(*names: str) -> None:
    """Fail early, naming the package that provides each missing command."""
    packages = {"psql": "postgresql-client", "uv": "uv (pip install uv)"}
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        hints = ", ".join(
            f"{name} (apt-get install {packages.get(name, name)})" for name in missing
        )
        raise BenchError(f"missing commands: {hints}")


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the template's virtualenv, plus `extra`."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment.update(extra or {})
    return environment


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 900,
) -> str:
    """Run a command; raise with its output if it fails; return its stdout."""
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env) if env is not None else clean_environment(),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(
            f"`{' '.join(command[:6])}` failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


@contextlib.contextmanager
def workspace(*, keep: bool = False) -> Iterator[Path]:
    """A temporary folder, removed afterwards unless `keep`."""
    folder = Path(tempfile.mkdtemp(prefix="groundwork-bench-"))
    try:
        yield folder
    finally:
        if keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


# ── Rendering ───────────────────────────────────────────────────────────────


def template_commit(vcs_ref: str) -> str:
    """The commit a ref names, with `+dirty` when HEAD is rendered from a changed work tree."""
    commit = run(["git", "rev-parse", "--short", vcs_ref], cwd=REPO).strip()
    if vcs_ref == "HEAD" and run(["git", "status", "--porcelain"], cwd=REPO).strip():
        commit += "+dirty"
    return commit


def render(destination: Path, answers: Mapping[str, Any], *, vcs_ref: str) -> Path:
    """Render Groundwork in-process with `answers` (defaults for the rest)."""
    import warnings

    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DirtyLocalWarning when HEAD has uncommitted changes
        copier.run_copy(
            str(REPO),
            str(destination),
            data=dict(answers),
            defaults=True,
            unsafe=True,
            vcs_ref=vcs_ref,
            quiet=True,
        )
    return destination


def uv_sync(project: Path) -> Path:
    """Install the rendered project's runtime dependencies; return its Python.

    Exactly the versions of the lock written at generation (`--vcs-ref` may name a release from
    before the template locked its services: then uv resolves).
    """
    locked = ["--locked"] if (project / "uv.lock").exists() else []
    run(["uv", "sync", *locked, "--no-dev", "--quiet"], cwd=project)
    python = project / ".venv" / "bin" / "python"
    if not python.exists():
        raise BenchError(f"uv sync left no interpreter at {python}")
    return python


# ── PostgreSQL ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Database:
    """A bench database with its owner and application roles, and the URLs that reach it."""

    name: str
    admin_url: str  # the superuser, connected to the bench database (libpq URL)
    owner_url: str  # SQLAlchemy asyncpg URLs, as the service's settings take them
    app_url: str


def _with_database(url: str, database: str, user: str | None = None, password: str = "") -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{user}:{urllib.parse.quote(password, safe='')}@{host}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


def psql(url: str, sql: str, *, timeout: float = 1800) -> str:
    """Run SQL with psql (unaligned, tuples only); stop at the first error."""
    return run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        input_text=sql,
        timeout=timeout,
    )


@contextlib.contextmanager
def temporary_database(admin_url: str, *, tenant_databases: bool = False) -> Iterator[Database]:
    """A fresh database owned by an owner role, with an application role that cannot bypass RLS.

    The same shape as the generated tests' `temporary_database`. With `tenant_databases` the
    owner may also create databases (CREATEDB) and end sessions still in them
    (pg_signal_backend), as a database-per-tenant service's owner must. Everything is dropped
    after, the tenants' databases (`<name>_<tenant id>`) included.
    """
    name = f"bench_{secrets.token_hex(4)}"
    owner, app = f"{name}_owner", f"{name}_app"
    password = secrets.token_urlsafe(16)
    create_database = " CREATEDB" if tenant_databases else ""
    psql(
        admin_url,
        f"CREATE ROLE {owner} LOGIN{create_database} PASSWORD '{password}';\n"
        + (f"GRANT pg_signal_backend TO {owner};\n" if tenant_databases else "")
        + f"CREATE ROLE {app} LOGIN PASSWORD '{password}' NOSUPERUSER NOBYPASSRLS;\n",
    )
    try:
        psql(admin_url, f"CREATE DATABASE {name} OWNER {owner};")
        asyncpg_url = _with_database(admin_url, name).replace(
            "postgresql://", "postgresql+asyncpg://", 1
        )
        yield Database(
            name=name,
            admin_url=_with_database(admin_url, name),
            owner_url=_with_database(asyncpg_url, name, owner, password),
            app_url=_with_database(asyncpg_url, name, app, password),
        )
    finally:
        drop_databases(admin_url, tenant_database_names(admin_url, name))
        psql(
            admin_url,
            f"DROP DATABASE IF EXISTS {name} WITH (FORCE);\n"
            f"DROP ROLE IF EXISTS {app};\nDROP ROLE IF EXISTS {owner};\n",
        )


def tenant_database_names(admin_url: str, name: str) -> list[str]:
    """The databases a database-per-tenant service made beside `name` (`<name[:28]>_<hex>`)."""
    prefix = f"{name[:28]}_"
    rows = psql(
        admin_url,
        f"SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}');",
    )
    return [row for row in rows.split() if row.startswith(prefix)]


def tenant_admin_url(database: Database, tenant_id: str) -> str:
    """The superuser's URL of a tenant's database (database per tenant: `<name[:28]>_<hex>`)."""
    name = f"{database.name[:28]}_{tenant_id.replace('-', '')}"
    return _with_database(database.admin_url, name)


def drop_databases(admin_url: str, names: Sequence[str]) -> None:
    """Drop databases, ending the sessions still in them (a few hundred per psql call)."""
    for start in range(0, len(names), 200):
        psql(
            admin_url,
            "".join(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);\n'
                for name in names[start : start + 200]
            ),
        )


# Registration is closed by default: the benchmarks create tenants as operators do, and their
# administrators accept the invitation mailed to them (read from this run's mail directory).
OPERATOR_KEY = secrets.token_urlsafe(48)
MAIL_DIRECTORY = Path(tempfile.gettempdir()) / f"bench-mail-{os.getpid()}"


def service_environment(database: Database, redis_url: str, namespace: str) -> dict[str, str]:
    """The environment the service runs with: production settings and a strong secret."""
    return clean_environment(
        {
            "ENVIRONMENT": "production",
            # Production requires to be told where mail goes: invitations, read back by the runs.
            "MAIL_URL": f"file://{MAIL_DIRECTORY}",
            "DATABASE_URL": database.app_url,
            "MIGRATION_DATABASE_URL": database.owner_url,
            "REDIS_URL": redis_url,
            "JWT_SECRET": secrets.token_urlsafe(48),
            # Production refuses a multi-tenant service without one; ignored by the others.
            "OPERATOR_API_KEY": OPERATOR_KEY,
            "CACHE_PREFIX": namespace,
            # A whole run must fit in one token's life.
            "ACCESS_TOKEN_MINUTES": "60",
            # One caller produces all the load: limits high enough never to refuse it. The
            # limiter still counts every request, so its cost stays in the measurement.
            "RATE_LIMIT_API": "100000000/minute",
            "RATE_LIMIT_LOGIN_IP": "10000/minute",
            "RATE_LIMIT_LOGIN_ACCOUNT": "10000/minute",
            "RATE_LIMIT_REGISTER_IP": "100000/minute",
        }
    )


def migrate(project: Path, environment: Mapping[str, str]) -> None:
    """`alembic upgrade head`, as the table owner."""
    run(
        [str(project / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=project,
        env=environment,
    )


def redis_delete(python: Path, redis_url: str, pattern: str) -> int:
    """Delete the keys matching `pattern` with the service's own Redis client; return how many."""
    code = (
        "import sys, redis\n"
        "client = redis.Redis.from_url(sys.argv[1])\n"
        "keys = list(client.scan_iter(match=sys.argv[2], count=1000))\n"
        "print(sum(client.delete(*keys[i : i + 500]) for i in range(0, len(keys), 500)))\n"
    )
    return int(run([str(python), "-c", code, redis_url, pattern]).strip() or 0)


def uuid7_sql(milliseconds: str) -> str:
    """SQL for a UUIDv7 whose timestamp is the bigint expression `milliseconds`.

    PostgreSQL 15 has no uuidv7(): take a random (v4) UUID, put the 48-bit millisecond
    timestamp in front and turn the version bits from 0100 into 0111.
    """
    return (
        "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
        f"substring(int8send(({milliseconds})::bigint) from 3) from 1 for 6), 52, 1), 53, 1), "
        "'hex')::uuid"
    )


def seed_projects_sql(
    tenant_id: str | None,
    user_id: str,
    rows: int,
    *,
    prefix: str = "seed",
    newer_rows: int = 0,
    table: str = "projects",
) -> str:
    """Insert `rows` projects of one tenant, one millisecond apart, ending a minute ago
    (or `newer_rows` milliseconds before that, to leave room for another tenant's rows).

    Run as the superuser (it bypasses row-level security, so the tenant is given explicitly).
    Ids are time-ordered like the service's own, and older than anything created later.
    Without `tenant_id` the table has no tenant column: it is the tenant's own (its schema's
    or its database's), named by `table`.
    """
    end = 60_000 + newer_rows
    milliseconds = f"(extract(epoch from now()) * 1000)::bigint - {end} - {rows} + i"
    tenant_column, tenant_value = ("tenant_id, ", f"'{tenant_id}', ") if tenant_id else ("", "")
    return (
        f"INSERT INTO {table} (id, {tenant_column}name, description, status, created_by, "
        "updated_by, created_at, updated_at)\n"
        f"SELECT {uuid7_sql('ms')}, {tenant_value}'{prefix}-' || i, "
        f"'Seeded project number ' || i, 'active', '{user_id}', '{user_id}', "
        "to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0)\n"
        f"FROM generate_series(1, {rows}) AS i, LATERAL (SELECT {milliseconds} AS ms) AS t;\n"
    )


# ── Serving ─────────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A server process (uvicorn or granian) listening on 127.0.0.1:port."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        """The worker's: the process itself, or its one child when it supervises (granian)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists() and (pids := children.read_text().split()):
            return int(pids[0])
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def statuses_since(self, offset: int) -> dict[int, int]:
        """HTTP statuses of the `request` log lines written after `offset` (JSON logs only)."""
        counts: dict[int, int] = {}
        with self.log_path.open("rb") as log_file:
            log_file.seek(offset)
            for line in log_file:
                if b'"request"' not in line:
                    continue
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if record.get("event") == "request" and "status" in record:
                        status = int(record["status"])
                        counts[status] = counts.get(status, 0) + 1
        return counts

    def cpu_seconds(self) -> float:
        """User and system CPU time the worker has used so far, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        """Resident memory of the worker, from /proc/<pid>/status (VmRSS)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise BenchError(f"no VmRSS for {self.name} (pid {self.pid})")


SERVERS = ("uvicorn", "granian")
GRANIAN = "granian==2.7.4"  # installed into the service's virtualenv for `--server granian` only


def service_command(python: Path, port: int, server: str = "uvicorn") -> list[str]:
    """The service as its image runs it: `python -m <package>.serve` (uvicorn with the service's
    header limits and drain), one worker on `port` (see `serving`). With `server="granian"`,
    its application under granian instead, configured alike (`granian_command`)."""
    if server == "granian":
        return granian_command(python, f"{PACKAGE}.main:create_app", port)
    return [str(python), "-m", f"{PACKAGE}.serve"]


def floor_command(python: Path, port: int, server: str = "uvicorn") -> list[str]:
    """`floor.py` served as `service_command` serves the service: by uvicorn or granian."""
    if server == "granian":
        return granian_command(python, "floor:create_app", port, "--working-dir", str(BENCH_DIR))
    return uvicorn_command(python, "floor:create_app", port, "--app-dir", str(BENCH_DIR))


def serving(port: int) -> dict[str, str]:
    """The environment `service_command` reads: one worker on 127.0.0.1:port, stopping at once."""
    return {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "SHUTDOWN_DRAIN_SECONDS": "0",
    }


def granian_command(python: Path, app: str, port: int, *extra: str) -> list[str]:
    """An application factory under granian, as `uvicorn_command` serves one: one worker, one
    runtime thread, uvloop, HTTP/1.1, no access log. The worker is the server's child process."""
    return [
        str(python),
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "--workers",
        "1",
        "--runtime-threads",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "1",
        "--no-ws",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
        app,
    ]


def uvicorn_command(python: Path, app: str, port: int, *extra: str) -> list[str]:
    """The same server settings for the service and the baseline: one worker, uvloop, httptools.

    It runs the project's virtualenv directly, which is what `uv run uvicorn` would run, so
    that the pid is the worker's own.
    """
    return [
        str(python),
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--workers",
        "1",
        "--no-access-log",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


@contextlib.contextmanager
def serve(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    ready_path: str = "/health/live",
) -> Iterator[Server]:
    """Start a server, wait until `ready_path` answers 200, stop it afterwards."""
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(name=name, process=process, port=port, log_path=log_path)
    try:
        deadline = time.monotonic() + 120  # waited only while it lives
        while True:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise BenchError(f"{name} exited ({process.returncode}) at start:\n{tail}")
            with contextlib.suppress(OSError):
                if Client(port).request("GET", ready_path).status == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"{name} did not answer {ready_path} within 120 s")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """A keep-alive HTTP/1.1 client on one connection (the standard library's)."""

    def __init__(self, port: int, *, token: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def request(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        headers = {"Accept": "application/json", **(headers or {})}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        return Response(response.status, response.read())

    def expect(self, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
        response = self.request(method, path, body)
        if response.status != status:
            raise BenchError(f"{method} {path}: {response.status} {response.body[:500]!r}")
        return response.json()

    def close(self) -> None:
        self.connection.close()


def register_tenant(port: int, slug: str, operator_key: str = OPERATOR_KEY) -> str:
    """Create a tenant and its administrator through the operator API; the admin's e-mail."""
    email = f"admin@{slug}.example.com"
    client = Client(port)
    try:
        body = {"name": slug, "slug": slug, "admin_email": email}
        response = client.request(
            "POST", "/api/v1/tenants", body, headers={"X-Operator-Key": operator_key}
        )
        if response.status != 201:
            raise BenchError(f"POST /api/v1/tenants: {response.status} {response.body[:500]!r}")
    finally:
        client.close()
    accept_invitation(port, email)
    return email


def accept_invitation(port: int, email: str) -> Any:
    """Accept the newest invitation mailed to `email` with `PASSWORD`; the token pair."""
    newest = sorted(MAIL_DIRECTORY.glob("*.eml"))  # uuid7 names: oldest first
    for path in reversed(newest):
        text = path.read_text(errors="replace")
        if f"To: {email}" in text and (found := re.search(r"Invitation token: (\S+)", text)):
            client = Client(port)
            try:
                acceptance = {"token": found[1], "password": PASSWORD}
                return client.expect("POST", "/api/v1/invitations/accept", acceptance)
            finally:
                client.close()
    raise BenchError(f"no invitation mailed to {email} in {MAIL_DIRECTORY}")


def login(port: int, email: str) -> str:
    """An access token for `email`, from the login endpoint."""
    client = Client(port)
    try:
        tokens = client.expect("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    finally:
        client.close()
    token: str = tokens["access_token"]
    return token


def tenant_and_user(database: Database, slug: str) -> tuple[str, str]:
    """The ids of a tenant and of its (only) administrator, read as the superuser."""
    row = psql(
        database.admin_url,
        "SELECT t.id, m.user_id FROM tenants t JOIN memberships m ON m.tenant_id = t.id "
        f"WHERE t.slug = '{slug}';",
    ).strip()
    tenant_id, user_id = row.split("|")
    return tenant_id, user_id


@dataclass(frozen=True)
class Deployment:
    """A rendered, installed, migrated service, up and listening."""

    project: Path
    python: Path  # the project's virtualenv interpreter
    database: Database
    service: Server
    redis_url: str
    namespace: str  # the service's cache prefix: every Redis key it writes starts with it
    environment: dict[str, str] = field(default_factory=dict)  # what the service runs with
    replica_admin_url: str | None = None  # the superuser on the replica's copy of the database

    def wait_for_replica(self, timeout: float = 300) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        if self.replica_admin_url is None:
            return
        target = psql(self.database.admin_url, "SELECT pg_current_wal_lsn();").strip()
        deadline = time.monotonic() + timeout
        query = f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn;"
        while psql(self.replica_admin_url, query).strip() != "t":
            if time.monotonic() > deadline:
                raise BenchError(f"the replica did not replay up to {target} in {timeout:g} s")
            time.sleep(0.2)


@contextlib.contextmanager
def deployment(
    workdir: Path,
    *,
    vcs_ref: str,
    commit: str,
    settings: Mapping[str, str] | None = None,
    answers: Mapping[str, Any] = MULTI_TENANT_ANSWERS,
    pooler: str = "none",
    pooler_size: int = 20,
    replica: bool = False,
    server: str = "uvicorn",
) -> Iterator[Deployment]:
    """Render a service (by default the default multi-tenant one), `uv sync` it, create and
    migrate its database, serve it (with `settings` added to its environment), through a
    throwaway PgBouncer of `pooler_size` server connections with `pooler="pgbouncer"`; drop
    the database, the tenants' databases and the service's Redis keys afterwards.

    With `replica` the service is rendered with read replicas (consistency eventual) and its
    database lives in a throwaway cluster with a streaming replica of its own
    (`pg_basebackup`), which DATABASE_REPLICA_URL names."""
    admin_url, redis_url = admin_url_from_env(), redis_url_from_env()
    tenancy, cache = answers.get("tenancy", "none"), answers.get("cache", "none")
    chosen = {**answers, "pooler": pooler}
    if replica:
        chosen |= {"read_replicas": True, "consistency": "eventual"}
    log(
        f"rendering Groundwork {commit} (tenancy {tenancy}, cache {cache}, pooler {pooler}"
        f"{', read replica' if replica else ''})"
    )
    folder = workdir / ("service" if answers is MULTI_TENANT_ANSWERS else f"service-{tenancy}")
    project = render(folder, chosen, vcs_ref=vcs_ref)
    log("uv sync")
    python = uv_sync(project)
    if server == "granian":
        run(["uv", "pip", "install", "--quiet", "--python", str(python), GRANIAN])
    with contextlib.ExitStack() as clusters:
        replica_port = None
        if replica:
            primary = clusters.enter_context(throwaway_cluster(workdir, "primary"))
            replica_port = clusters.enter_context(throwaway_replica(workdir, primary)).port
            admin_url = primary.url
        with (
            temporary_database(admin_url, tenant_databases=tenancy == "database") as database,
            contextlib.ExitStack() as stack,
        ):
            yield from _deployed(
                project,
                python,
                database,
                stack,
                folder=folder,
                workdir=workdir,
                redis_url=redis_url,
                cache=cache,
                settings=settings,
                pooler=pooler,
                pooler_size=pooler_size,
                replica_port=replica_port,
                server=server,
            )


def _deployed(
    project: Path,
    python: Path,
    database: Database,
    stack: contextlib.ExitStack,
    *,
    folder: Path,
    workdir: Path,
    redis_url: str,
    cache: str,
    settings: Mapping[str, str] | None,
    pooler: str,
    pooler_size: int,
    replica_port: int | None,
    server: str,
) -> Iterator[Deployment]:
    """The rest of `deployment`, once the database exists."""
    namespace = f"bench-{database.name}"
    environment = service_environment(database, redis_url, namespace) | dict(settings or {})
    if replica_port is not None:
        environment["DATABASE_REPLICA_URL"] = with_port(database.app_url, replica_port)
    if pooler == "pgbouncer":
        pooled = stack.enter_context(
            pgbouncer(database.app_url, pool_size=pooler_size, workdir=workdir)
        )
        environment |= {
            "DATABASE_URL": pooled,
            "DATABASE_DIRECT_URL": database.app_url,
            "DATABASE_POOLER": "pgbouncer",
        }
    log(f"database {database.name}: migrating")
    migrate(project, environment)
    port = free_port()
    try:
        with serve(
            "service",
            service_command(python, port, server),
            port=port,
            cwd=project,
            env=environment | serving(port),
            log_path=folder.with_name(folder.name + ".log"),
        ) as service:
            replica_admin_url = None
            if replica_port is not None:
                replica_admin_url = with_port(database.admin_url, replica_port)
            yield Deployment(
                project,
                python,
                database,
                service,
                redis_url,
                namespace,
                environment,
                replica_admin_url,
            )
    finally:
        if cache == "redis":  # without a cache the service has no Redis client to use
            redis_delete(python, redis_url, f"{namespace}*")


# ── A primary and its streaming replica ─────────────────────────────────────


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster (the generated tests' tests/support/postgres_server.py)."""

    bindir: Path
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def run_as(self) -> dict[str, Any]:
        """initdb and postgres refuse to run as root: as `postgres` then."""
        if os.geteuid() != 0:
            return {}
        account = pwd.getpwnam("postgres")
        os.chown(self.folder, account.pw_uid, account.pw_gid)
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def setup(self, command: Sequence[str]) -> None:
        done = subprocess.run(
            list(command),
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            **self.run_as(),
        )
        if done.returncode != 0:
            raise BenchError(f"`{command[0]}` failed ({done.returncode}):\n{done.stderr[-2000:]}")

    def start(self) -> None:
        # A benchmark's data is thrown away: no fsync; the replica streams all the same.
        server = [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        server += ["-h", "127.0.0.1", "-k", str(self.folder), "-c", "fsync=off"]
        server += ["-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
        server += ["-c", "max_connections=200"]
        with (self.folder / "postgres.log").open("ab") as out:
            self.process = subprocess.Popen(
                server, cwd=self.folder, stdout=out, stderr=out, **self.run_as()
            )
        deadline = time.monotonic() + 120
        while self.process.poll() is None and time.monotonic() < deadline:
            ready = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1"]
            ready += ["-p", str(self.port), "-U", "postgres", "-t", "1"]
            if subprocess.run(ready, check=False).returncode == 0:
                return
            time.sleep(0.1)
        log_tail = (self.folder / "postgres.log").read_text(errors="replace")[-2000:]
        raise BenchError(f"throwaway PostgreSQL on port {self.port} did not start:\n{log_tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # a fast shutdown
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def find_bindir() -> Path:
    """Where initdb, postgres and pg_basebackup are (Debian keeps them off PATH)."""
    if found := shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise BenchError("--replica needs the PostgreSQL server tools: apt-get install postgresql")
    return max(candidates, key=lambda path: int(path.parent.parent.name)).parent


@contextlib.contextmanager
def throwaway_cluster(workdir: Path, name: str) -> Iterator[Cluster]:
    """A new cluster (trust authentication) on a free port under `workdir`."""
    folder = workdir / f"pg-{name}"
    folder.mkdir()
    os.chmod(workdir, 0o755)
    cluster = Cluster(find_bindir(), folder, free_port())
    try:
        cluster.setup(
            [str(cluster.bindir / "initdb"), "-D", str(cluster.data), "-A", "trust"]
            + ["-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]
        )
        cluster.start()
        log(f"throwaway PostgreSQL {name} on port {cluster.port}")
        yield cluster
    finally:
        cluster.stop()


@contextlib.contextmanager
def throwaway_replica(workdir: Path, primary: Cluster) -> Iterator[Cluster]:
    """A streaming replica of `primary`: a base backup that writes its standby settings."""
    folder = workdir / "pg-replica"
    folder.mkdir()
    replica = Cluster(primary.bindir, folder, free_port())
    try:
        source = f"host=127.0.0.1 port={primary.port} user=postgres"
        replica.setup(
            [str(replica.bindir / "pg_basebackup"), "-D", str(replica.data), "-R"]
            + ["-X", "stream", "-c", "fast", "-d", source]
        )
        replica.start()
        log(f"streaming replica on port {replica.port}")
        yield replica
    finally:
        replica.stop()


def with_port(url: str, port: int) -> str:
    """`url` with another port (the replica's)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    return urllib.parse.urlunsplit((parts.scheme, f"{netloc}:{port}", *parts[2:]))


# ── PgBouncer ───────────────────────────────────────────────────────────────

POOLERS = ("none", "pgbouncer")


def find_pgbouncer() -> str:
    """The pgbouncer binary (Debian installs it in /usr/sbin, off a user's PATH)."""
    found = shutil.which("pgbouncer") or next(
        (
            path
            for path in ("/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer")
            if os.access(path, os.X_OK)
        ),
        None,
    )
    if found is None:
        raise BenchError(
            "--pooler pgbouncer needs PgBouncer: `sudo apt-get install pgbouncer` (then "
            "`sudo service pgbouncer stop`) or `brew install pgbouncer`."
        )
    return found


@contextlib.contextmanager
def pgbouncer(app_url: str, *, pool_size: int, workdir: Path) -> Iterator[str]:
    """A throwaway PgBouncer in transaction mode in front of the server of `app_url`, letting its
    role in; yields `app_url` through it."""
    binary = find_pgbouncer()
    url = urllib.parse.urlsplit(app_url)
    user, password = (
        urllib.parse.unquote(url.username or ""),
        urllib.parse.unquote(url.password or ""),
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-pgbouncer-", dir=workdir))
    port = free_port()
    (folder / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={url.hostname or '127.0.0.1'} port={url.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {folder / 'userlist.txt'}\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 1000\n"
    )
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        account = pwd.getpwnam("postgres")
        for path in (folder, *folder.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(workdir, 0o755)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    process = subprocess.Popen(
        [binary, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        **run_as,
    )
    try:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.05)
        else:
            raise BenchError(f"PgBouncer did not start: {(folder / 'pgbouncer.log').read_text()}")
        log(f"PgBouncer on port {port}, transaction mode, {pool_size} server connections")
        netloc = url.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{port}"
        yield urllib.parse.urlunsplit((url.scheme, netloc, url.path, url.query, ""))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ── Load ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LoadResult:
    """One load run (bench/loadgen.py)."""

    label: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx_3xx: int
    socket_errors: int  # connect, read and write errors, and timeouts
    timeouts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.socket_errors


def load(
    label: str,
    url: str,
    workload: loadgen.Workload,
    *,
    duration: float,
    connections: int,
    threads: int = 2,
    timeout: float = 2.0,
    loader: str = "loadgen",
    workdir: Path | None = None,
) -> LoadResult:
    """Load the server at `url` with `workload`: `connections` keep-alive connections over
    `threads` processes for `duration` seconds. A response slower than `timeout` (2 s) counts
    as a socket error (a timeout). `loader` "wrk" runs wrk (its threads for the processes)
    with a Lua script, written in `workdir`, that sends the same requests."""
    address = urllib.parse.urlsplit(url)
    seconds = max(1, round(duration))
    if loader == "wrk":
        return load_wrk(
            label,
            url,
            workload,
            seconds=seconds,
            connections=connections,
            threads=threads,
            timeout=timeout,
            workdir=workdir or Path(tempfile.gettempdir()),
        )
    result = loadgen.load(
        address.hostname or "127.0.0.1",
        address.port or 80,
        workload,
        seconds=seconds,
        connections=connections,
        workers=threads,
        timeout=timeout,
    )
    tally = result.tally
    if tally.requests == 0 and tally.connect:
        raise BenchError(f"{label}: no connection to {url} ({tally.connect} attempts failed)")
    return LoadResult(
        label=label,
        requests=tally.requests,
        seconds=result.seconds,
        p50_ms=result.percentile_ms(50),
        p90_ms=result.percentile_ms(90),
        p99_ms=result.percentile_ms(99),
        max_ms=result.percentile_ms(100),
        non_2xx_3xx=tally.status,
        socket_errors=tally.connect + tally.read + tally.write + tally.timeout,
        timeouts=tally.timeout,
    )


# What wrk sends: the workload's targets in turn (each thread from its own index, stepping by the
# number of threads, as loadgen's processes do), with `$worker` and `$n` replaced in the body.
WRK_SCRIPT = """
local targets_file, threads, method, body = %(file)s, %(threads)d, %(method)s, %(body)s
local created = 0
function setup(thread)
  thread:set("id", created)
  created = created + 1
end
function init(args)
  targets = {}
  for line in io.lines(targets_file) do
    local path, token = line:match("^(%%S+)\\t?(%%S*)$")
    table.insert(targets, {path, token})
  end
  index, n = id, 0
end
function request()
  local target = targets[(index %% #targets) + 1]
  index, n = index + threads, n + 1
  local headers = {}
  if target[2] ~= "" then headers["Authorization"] = "Bearer " .. target[2] end
  local sent = nil
  if body then
    sent = (body:gsub("%%$worker", tostring(id)):gsub("%%$n", tostring(n)))
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, target[1], headers, sent)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua_string(value: str | None) -> str:
    return "nil" if value is None else json.dumps(value)  # a JSON string is a Lua string here


def load_wrk(
    label: str,
    url: str,
    workload: loadgen.Workload,
    *,
    seconds: int,
    connections: int,
    threads: int,
    timeout: float,
    workdir: Path,
) -> LoadResult:
    """One wrk run of `workload` (see `load`)."""
    folder = Path(tempfile.mkdtemp(prefix="wrk-", dir=workdir))
    targets = folder / "targets.tsv"
    targets.write_text("".join(f"{path}\t{token or ''}\n" for path, token in workload.targets))
    script = folder / "load.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "file": _lua_string(str(targets)),
            "threads": threads,
            "method": _lua_string(workload.method),
            "body": _lua_string(workload.body),
        }
    )
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += [f"--timeout={timeout:g}s", "-s", str(script), url]
    output = run(command, timeout=seconds + 120)
    found = re.search(r"^WRK_RESULT ((?:\d+ ?){11})$", output, re.MULTILINE)
    if found is None:
        raise BenchError(f"{label}: no result from wrk:\n{output[-2000:]}")
    requests, micros, connect, read, write, status, timed_out, *latencies = map(
        int, found[1].split()
    )
    p50, p90, p99, worst = (value / 1000 for value in latencies)
    return LoadResult(
        label=label,
        requests=requests,
        seconds=micros / 1_000_000,
        p50_ms=p50,
        p90_ms=p90,
        p99_ms=p99,
        max_ms=worst,
        non_2xx_3xx=status,
        socket_errors=connect + read + write + timed_out,
        timeouts=timed_out,
    )


# ── Reporting ───────────────────────────────────────────────────────────────


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, columns padded so that it reads in a terminal too."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


VERSIONED = (
    *("fastapi", "starlette", "uvicorn", "uvloop", "httptools"),
    *("pydantic", "sqlalchemy", "asyncpg", "redis"),
)


def package_versions(python: Path, names: Sequence[str] = VERSIONED) -> str:
    """`name version` of the given packages in the virtualenv of `python`."""
    code = (
        "import sys, importlib.metadata as m\n"
        "print(', '.join(f'{n} {m.version(n)}' for n in sys.argv[1:]))\n"
    )
    return run([str(python), "-c", code, *names]).strip()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine skews every number."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine_summary() -> str:
    """One line about the machine the numbers come from."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}"
