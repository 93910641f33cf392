"""What each tenancy mode costs: creating a tenant, and serving requests as tenants add up.

Renders one service per mode (shared, schema, database) with no cache, so that every read
reaches PostgreSQL (every other answer the questionnaire's default), installs each with
`uv sync`, gives each a fresh database (an owner role, and an application role that is
NOSUPERUSER NOBYPASSRLS, as the generated tests make them; in database mode the owner also has
CREATEDB and pg_signal_backend), migrates them and serves them side by side with uvicorn. Then,
for each tenant count of --tenants (1, 100, 1,000):

1. creates tenants through the operator API, `POST /api/v1/tenants`, one at a time and the modes in
   turn, until each service has that many, timing each (in schema and database modes this
   creates the tenant's schema or database and migrates it to head);
2. inserts --projects projects into each new tenant's tables with SQL;
3. loads `GET /api/v1/projects/{id}` and `GET /api/v1/projects?limit=50` (bench/loadgen.py), each
   request carrying the token of a tenant drawn at random: from the first --hot tenants (the
   hot set), and from all of them; the modes in turn for each load, so that the machine's
   other work weighs on them alike;
4. times migrate-all (`python -m <package>.migrate --tenants-only`) with every tenant
   already at head (schema and database modes).

At the end it deletes a few tenants of each service through the operator API, timing each,
and drops everything it created: the databases, the tenants' databases and the roles.

    uv run python bench/tenancy.py                    # 1, 100, 1,000 tenants; 10 s per run
    uv run python bench/tenancy.py --modes database --tenants 1 50 --duration 5
    uv run python bench/tenancy.py --tenants 1 3 --duration 1 --projects 20   # a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import secrets
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import benchlib
from benchlib import BenchError, Client, Deployment, LoadResult, log, table
from loadgen import Workload

MODES = ("shared", "schema", "database")
ANSWERS: dict[str, dict[str, Any]] = {
    mode: {"tenancy_need": f"multi_{mode}", "tenancy": mode, "cache": "none"} for mode in MODES
}
IDS_PER_TENANT = 10  # project ids of each tenant the GET requests rotate through
SEQUENCE_LENGTH = 100_000  # requests in a load's sequence before it repeats
REFRESH_AFTER_SECONDS = 40 * 60  # tokens live 60 minutes: refresh them before a load past this
REQUESTS = {"get": "GET /projects/{id}", "list": "GET /projects?limit=50"}


@dataclass
class Tenant:
    """A registered tenant: its number in order of creation, its administrator's tokens."""

    number: int
    slug: str
    access_token: str
    refresh_token: str
    issued: float  # time.monotonic() when the tokens were issued
    tenant_id: str = ""
    user_id: str = ""
    project_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Creation:
    """Registration times of the tenants numbered `first` to `last` (inclusive)."""

    mode: str
    first: int
    last: int
    milliseconds: list[float]

    @property
    def label(self) -> str:
        return f"#{self.first:,}" if self.first == self.last else f"#{self.first:,}-{self.last:,}"


@dataclass(frozen=True)
class Load:
    """One load run at one tenant count."""

    mode: str
    tenants: int
    request: str  # a key of REQUESTS
    spread: int  # how many tenants the requests were spread over
    result: LoadResult
    peak_connections: int  # of the application role, sampled during the run
    connections_opened: int  # sessions started in the service's databases during the run
    rss_mib: float
    load_average: str  # of the machine (1 minute) after the run: other work skews the numbers

    @property
    def spread_label(self) -> str:
        if self.spread == self.tenants:
            return f"all {self.tenants:,}"
        return f"{self.spread:,} of {self.tenants:,} (hot set)"


@dataclass(frozen=True)
class MigrateAll:
    mode: str
    tenants: int
    seconds: float


@dataclass
class ModeResult:
    mode: str
    creations: list[Creation] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    migrate_all: list[MigrateAll] = field(default_factory=list)
    deletions: list[float] = field(default_factory=list)  # milliseconds per tenant deleted
    versions: str = ""
    database: str = ""  # dropped at the end, with its roles and its tenants' databases


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--modes", nargs="+", choices=MODES, default=list(MODES), help="tenancy modes (all three)"
    )
    parser.add_argument(
        "--tenants",
        nargs="+",
        type=int,
        default=[1, 100, 1000],
        help="tenant counts to measure at, in increasing order (1 100 1000)",
    )
    benchlib.add_load_options(
        parser,
        duration=10,
        warmup=2,
        connections=16,
        connections_note=": the three services share PostgreSQL's 100 connections",
    )
    parser.add_argument("--projects", type=int, default=100, help="projects per tenant (100)")
    parser.add_argument(
        "--hot", type=int, default=10, help="tenants in the hot set of the hot-set runs (10)"
    )
    parser.add_argument(
        "--delete", type=int, default=5, help="tenants deleted (and timed) at the end (5)"
    )
    benchlib.add_common_options(parser)
    benchlib.add_service_options(parser, example="TENANT_ENGINES_MAX=50")
    args = parser.parse_args(argv)
    args.settings = benchlib.service_settings(parser, args.env)
    if not args.tenants or args.tenants[0] < 1 or args.tenants != sorted(set(args.tenants)):
        parser.error("--tenants takes increasing counts of at least 1, e.g. 1 100 1000")
    if args.projects < 1 or args.hot < 1:
        parser.error("--projects and --hot must be at least 1")
    if not 0 <= args.delete <= args.tenants[-1]:
        parser.error("--delete must be between 0 and the largest tenant count")
    args.modes = [mode for mode in MODES if mode in args.modes]  # always in the same order
    return args


# ── Tenants ─────────────────────────────────────────────────────────────────


def register(port: int, key: str, number: int) -> tuple[Tenant, float]:
    """Create tenant `number` through the operator API (registration is closed by default), its
    administrator accepting the mailed invitation; the tenant, logged in, and the milliseconds
    the creation took.

    A new connection each time (the server closes idle ones), opened before the clock starts.
    """
    slug = f"bench-{number:05d}"
    email = f"admin@{slug}.example.com"
    body = {
        "name": f"Bench tenant {number}",
        "slug": slug,
        "admin_email": email,
    }
    client = Client(port)
    try:
        client.connection.connect()
        started = time.perf_counter()
        response = client.request("POST", "/api/v1/tenants", body, {"X-Operator-Key": key})
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        client.close()
    if response.status != 201:
        raise BenchError(f"creating tenant {number}: {response.status} {response.body[:500]!r}")
    tokens = benchlib.accept_invitation(port, email)
    tenant = Tenant(number, slug, tokens["access_token"], tokens["refresh_token"], time.monotonic())
    return tenant, elapsed


def refresh_tokens(port: int, tenants: Sequence[Tenant]) -> None:
    """Spend each old refresh token for a new pair, so that no access token expires in a run."""
    stale = [t for t in tenants if time.monotonic() - t.issued > REFRESH_AFTER_SECONDS]
    if not stale:
        return
    log(f"refreshing the tokens of {len(stale):,} tenants")
    client = Client(port)
    try:
        for tenant in stale:
            tokens = client.expect(
                "POST", "/api/v1/auth/refresh", {"refresh_token": tenant.refresh_token}
            )
            tenant.access_token, tenant.refresh_token = (
                tokens["access_token"],
                tokens["refresh_token"],
            )
            tenant.issued = time.monotonic()
    finally:
        client.close()


def read_ids(database: benchlib.Database, tenants: Sequence[Tenant]) -> None:
    """Fill in each tenant's id and its administrator's, from the common tables."""
    by_slug = {tenant.slug: tenant for tenant in tenants}
    rows = benchlib.psql(
        database.admin_url,
        "SELECT t.slug, t.id, m.user_id FROM tenants t "
        "JOIN memberships m ON m.tenant_id = t.id WHERE t.slug LIKE 'bench-%';",
    )
    for row in rows.split():
        slug, tenant_id, user_id = row.split("|")
        if slug in by_slug:
            by_slug[slug].tenant_id, by_slug[slug].user_id = tenant_id, user_id
    missing = [tenant.slug for tenant in tenants if not tenant.tenant_id]
    if missing:
        raise BenchError(f"tenants missing from the tenants table: {missing[:5]}")


def seed_sql(mode: str, catalog: str, tenants: Sequence[Tenant], projects: int) -> str:
    """Insert `projects` projects into each tenant's tables, analyse them and print
    `number|id` for the first IDS_PER_TENANT of each.

    Shared: one table with a tenant_id column. Schema: the tenant's schema `tenant_<hex>`.
    Database: the tenant's database `<catalog[:28]>_<hex>`, reached with psql's \\connect.
    """
    parts = []
    for tenant in tenants:
        hex_id = tenant.tenant_id.replace("-", "")
        if mode == "shared":
            table_name, where = "projects", f" WHERE tenant_id = '{tenant.tenant_id}'"
            seed = benchlib.seed_projects_sql(tenant.tenant_id, tenant.user_id, projects)
        else:
            table_name = f"tenant_{hex_id}.projects" if mode == "schema" else "projects"
            where = ""
            seed = benchlib.seed_projects_sql(None, tenant.user_id, projects, table=table_name)
        if mode == "database":
            parts.append(f"\\connect {catalog[:28]}_{hex_id}\n")
        parts.append(seed)
        if mode != "shared":
            parts.append(f"ANALYZE {table_name};\n")
        parts.append(
            f"SELECT {tenant.number}, id FROM {table_name}{where} "
            f"ORDER BY id LIMIT {IDS_PER_TENANT};\n"
        )
    if mode == "shared":
        parts.append("ANALYZE projects;\n")
    return "".join(parts)


def seed(mode: str, database: benchlib.Database, tenants: Sequence[Tenant], projects: int) -> None:
    """Seed the tenants' projects (in chunks, so that one psql call stays short)."""
    started = time.perf_counter()
    by_number = {tenant.number: tenant for tenant in tenants}
    for start in range(0, len(tenants), 100):
        chunk = tenants[start : start + 100]
        output = benchlib.psql(database.admin_url, seed_sql(mode, database.name, chunk, projects))
        for row in output.split():
            number, project_id = row.split("|")
            by_number[int(number)].project_ids.append(project_id)
    benchlib.psql(database.admin_url, "ANALYZE;\n")  # the common tables, after many inserts
    for tenant in tenants:
        if not tenant.project_ids:
            raise BenchError(f"no projects seeded for tenant {tenant.number}")
    log(
        f"seeded {len(tenants):,} tenants x {projects:,} projects "
        f"in {time.perf_counter() - started:.1f} s"
    )


# ── Load ────────────────────────────────────────────────────────────────────


def rotating(request: str, targets: Path, tokens: Path) -> Workload:
    """Each request takes the next (tenant, project) of a shuffled sequence, with that
    tenant's token; the load's processes interleave, so they never send the same part of it."""
    bearer = tokens.read_text().splitlines()
    sequence = []
    for line in targets.read_text().splitlines():
        tenant, project_id = line.split()
        path = f"/api/v1/projects/{project_id}" if request == "get" else "/api/v1/projects?limit=50"
        sequence.append((path, bearer[int(tenant) - 1]))
    return Workload(tuple(sequence))


def write_load_files(folder: Path, tenants: Sequence[Tenant], *, seed: int) -> tuple[Path, Path]:
    """The tokens of `tenants`, one a line, and a sequence of SEQUENCE_LENGTH requests, each
    `<line of the token> <project id>`: a tenant drawn uniformly, one of its projects."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens, targets = folder / "tokens.txt", folder / "targets.txt"
    tokens.write_text("".join(f"{tenant.access_token}\n" for tenant in tenants))
    draw = random.Random(seed)
    lines = []
    for _ in range(SEQUENCE_LENGTH):
        line = draw.randrange(len(tenants))
        lines.append(f"{line + 1} {draw.choice(tenants[line].project_ids)}")
    targets.write_text("\n".join(lines) + "\n")
    return tokens, targets


class ConnectionSampler:
    """The most connections a role held at once, polled from pg_stat_activity twice a second."""

    def __init__(self, admin_url: str, role: str) -> None:
        self.admin_url, self.role = admin_url, role
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        sql = f"SELECT count(*) FROM pg_stat_activity WHERE usename = '{self.role}';"
        while not self._stop.wait(0.5):
            with contextlib.suppress(BenchError, subprocess.TimeoutExpired, ValueError):
                self.peak = max(self.peak, int(benchlib.psql(self.admin_url, sql).strip()))

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def sessions_started(admin_url: str, catalog: str) -> int:
    """Sessions ever started in the service's database and its tenants' (pg_stat_database)."""
    output = benchlib.psql(
        admin_url,
        "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database "
        f"WHERE datname = '{catalog}' OR starts_with(datname, '{catalog[:28]}_');",
    )
    return int(output.strip())


@dataclass
class Service:
    """One mode's service, up and serving, with its tenants and what was measured of it."""

    args: argparse.Namespace
    mode: str
    deployed: Deployment
    workdir: Path
    admin_url: str  # the superuser on the maintenance database, for the statistics
    operator_key: str
    result: ModeResult
    tenants: list[Tenant] = field(default_factory=list)

    def load(self, request: str, tenants: Sequence[Tenant], total: int) -> Load:
        folder = self.workdir / f"{self.mode}-{total}-{request}-{len(tenants)}"
        tokens, targets = write_load_files(folder, tenants, seed=total * 31 + len(tenants))
        workload = rotating(request, targets, tokens)
        service = self.deployed.service
        role = f"{self.deployed.database.name}_app"
        before = sessions_started(self.admin_url, self.deployed.database.name)
        with ConnectionSampler(self.admin_url, role) as sampler:
            result = benchlib.load(
                f"{self.mode} {total} {request} {len(tenants)}",
                service.base_url,
                workload,
                duration=self.args.duration,
                connections=self.args.connections,
                threads=self.args.threads,
                timeout=self.args.timeout,
            )
        time.sleep(1.0)  # backends report their statistics at most once a second
        opened = sessions_started(self.admin_url, self.deployed.database.name) - before
        run = Load(
            self.mode,
            total,
            request,
            len(tenants),
            result,
            sampler.peak,
            opened,
            service.rss_mib(),
            benchlib.load_average().split()[0],
        )
        log(
            f"{self.mode}, {total:,} tenants, {REQUESTS[request]} over {run.spread_label}: "
            f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
            f"{result.errors} errors, peak {sampler.peak} connections, {opened:,} opened"
        )
        return run

    def warm_up(self, tenants: Sequence[Tenant]) -> None:
        """Both requests over the hot set, --warmup seconds each, not measured."""
        if self.args.warmup <= 0:
            return
        folder = self.workdir / f"{self.mode}-warm-up-{len(tenants)}"
        tokens, targets = write_load_files(folder, tenants, seed=0)
        for request in REQUESTS:
            benchlib.load(
                "warm-up",
                self.deployed.service.base_url,
                rotating(request, targets, tokens),
                duration=self.args.warmup,
                connections=self.args.connections,
                threads=self.args.threads,
            )


def migrate_all(deployed: Deployment) -> float:
    """Seconds of `python -m <package>.migrate --tenants-only`, every tenant at head."""
    started = time.perf_counter()
    benchlib.run(
        [str(deployed.python), "-m", f"{benchlib.PACKAGE}.migrate", "--tenants-only"],
        cwd=deployed.project,
        env=deployed.environment,
        timeout=3600,
    )
    return time.perf_counter() - started


def delete_tenants(port: int, key: str, tenants: Sequence[Tenant]) -> list[float]:
    """Delete tenants through the operator API; milliseconds per tenant."""
    times = []
    for tenant in tenants:
        client = Client(port)
        try:
            client.connection.connect()
            started = time.perf_counter()
            client.connection.request(
                "DELETE", f"/api/v1/tenants/{tenant.tenant_id}", headers={"X-Operator-Key": key}
            )
            response = client.connection.getresponse()
            body = response.read()
            times.append((time.perf_counter() - started) * 1000)
        finally:
            client.close()
        if response.status != 204:
            raise BenchError(f"deleting tenant {tenant.number}: {response.status} {body!r}")
    return times


# ── All modes, interleaved ──────────────────────────────────────────────────


def deploy(
    args: argparse.Namespace, mode: str, workdir: Path, commit: str, stack: contextlib.ExitStack
) -> Service:
    """Render, install, migrate and serve one mode's service until `stack` closes."""
    operator_key = secrets.token_urlsafe(48)
    settings = {"OPERATOR_API_KEY": operator_key} | args.settings
    deployed = stack.enter_context(
        benchlib.deployment(
            workdir, vcs_ref=args.vcs_ref, commit=commit, settings=settings, answers=ANSWERS[mode]
        )
    )
    result = ModeResult(
        mode,
        versions=benchlib.package_versions(deployed.python, ("sqlalchemy", "asyncpg")),
        database=deployed.database.name,
    )
    admin_url = benchlib.admin_url_from_env()
    return Service(args, mode, deployed, workdir, admin_url, operator_key, result)


def grow(services: Sequence[Service], total: int) -> None:
    """Register tenants until each service has `total`, taking the services in turn for each
    tenant (so that the machine's other work weighs on every mode alike); then seed them."""
    first = len(services[0].tenants) + 1
    log(f"registering tenants {first:,} to {total:,} in {', '.join(s.mode for s in services)}")
    times: dict[str, list[float]] = {service.mode: [] for service in services}
    new: dict[str, list[Tenant]] = {service.mode: [] for service in services}
    for number in range(first, total + 1):
        for service in services:
            tenant, elapsed = register(service.deployed.service.port, service.operator_key, number)
            new[service.mode].append(tenant)
            times[service.mode].append(elapsed)
        if number % 100 == 0:
            medians = ", ".join(f"{m} {statistics.median(t):.0f} ms" for m, t in times.items())
            log(f"  {number:,} tenants; median so far: {medians}")
    for service in services:
        service.tenants += new[service.mode]
        service.result.creations.append(Creation(service.mode, first, total, times[service.mode]))
        read_ids(service.deployed.database, new[service.mode])
        seed(service.mode, service.deployed.database, new[service.mode], service.args.projects)


def measure(args: argparse.Namespace, services: Sequence[Service], total: int) -> None:
    """Every load at this tenant count, the modes in turn for each; then migrate-all."""
    for service in services:
        refresh_tokens(service.deployed.service.port, service.tenants)
        service.warm_up(service.tenants[: args.hot])
    for request in REQUESTS:
        spreads = [args.hot, total] if total > args.hot else [total]
        for spread in spreads:
            for service in services:
                load = service.load(request, service.tenants[:spread], total)
                service.result.loads.append(load)
    for service in services:
        if service.mode != "shared":
            seconds = migrate_all(service.deployed)
            log(f"{service.mode}: migrate-all over {total:,} tenants at head: {seconds:.1f} s")
            service.result.migrate_all.append(MigrateAll(service.mode, total, seconds))


def run_all(args: argparse.Namespace, workdir: Path, commit: str) -> list[ModeResult]:
    """Deploy every mode's service, grow them tenant count by tenant count, measure each
    count, delete a few tenants; drop everything."""
    with contextlib.ExitStack() as stack:
        services = [deploy(args, mode, workdir, commit, stack) for mode in args.modes]
        for total in args.tenants:
            grow(services, total)
            measure(args, services, total)
        for service in services:
            if args.delete:
                doomed = service.tenants[-args.delete :]
                port = service.deployed.service.port
                service.result.deletions = delete_tenants(port, service.operator_key, doomed)
                log(f"{service.mode}: deleted {len(doomed)} tenants")
        log("dropping the databases")
    return [service.result for service in services]


# ── Report ──────────────────────────────────────────────────────────────────


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile (inclusive method); the value itself for a single sample."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(share * 100) - 1]


def report(args: argparse.Namespace, results: Sequence[ModeResult], commit: str) -> str:
    seconds = max(1, round(args.duration))
    settings = f"; settings {' '.join(args.env)}" if args.env else ""
    lines = [
        (
            f"Tenancy benchmark: Groundwork {commit}, cache none; tenants registered one at a "
            f"time through POST /api/v1/tenants, the modes in turn; {args.projects:,} "
            "projects per tenant; "
            f"load: {args.threads} processes, {args.connections} connections, {seconds} s; "
            f"{benchlib.machine_summary()}; load average {benchlib.load_average()}{settings}"
        ),
        "",
        f"Packages: {results[0].versions}." if results else "",
        "",
        (
            "Tenant creation (register: tenant, administrator, password hash, tokens; and the "
            "tenant's schema or database at head):"
        ),
        "",
        table(
            ["mode", "tenants", "count", "median ms", "p95 ms", "max ms", "total s"],
            [
                [
                    c.mode,
                    c.label,
                    f"{len(c.milliseconds):,}",
                    f"{statistics.median(c.milliseconds):.0f}",
                    f"{percentile(c.milliseconds, 0.95):.0f}",
                    f"{max(c.milliseconds):.0f}",
                    f"{sum(c.milliseconds) / 1000:.1f}",
                ]
                for r in results
                for c in r.creations
            ],
        ),
        "",
        (
            f"Requests, each with the token of a tenant drawn at random from the set (hot set: "
            f"the first {args.hot} tenants created):"
        ),
        "",
        table(
            [
                "mode",
                "tenants",
                "request",
                "spread over",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "peak conns",
                "conns opened",
                "RSS MiB",
                "load avg",
            ],
            [
                [
                    load.mode,
                    f"{load.tenants:,}",
                    REQUESTS[load.request],
                    load.spread_label,
                    f"{load.result.rps:.0f}",
                    f"{load.result.p50_ms:.2f}",
                    f"{load.result.p99_ms:.2f}",
                    str(load.result.errors),
                    str(load.peak_connections),
                    f"{load.connections_opened:,}",
                    f"{load.rss_mib:.0f}",
                    load.load_average,
                ]
                for r in results
                for load in r.loads
            ],
        ),
    ]
    migrations = [m for r in results for m in r.migrate_all]
    if migrations:
        lines += [
            "",
            (
                "Migrate-all with every tenant already at head (python -m "
                f"{benchlib.PACKAGE}.migrate --tenants-only):"
            ),
            "",
            table(
                ["mode", "tenants", "seconds"],
                [[m.mode, f"{m.tenants:,}", f"{m.seconds:.1f}"] for m in migrations],
            ),
        ]
    deletions = [r for r in results if r.deletions]
    if deletions:
        lines += [
            "",
            "Tenant deletion (DELETE /api/v1/tenants/{id}, operator API):",
            "",
            table(
                ["mode", "deleted", "median ms", "max ms"],
                [
                    [
                        r.mode,
                        str(len(r.deletions)),
                        f"{statistics.median(r.deletions):.0f}",
                        f"{max(r.deletions):.0f}",
                    ]
                    for r in deletions
                ],
            ),
        ]
    errors = sum(load.result.errors for r in results for load in r.loads)
    lines += ["", "No errors." if not errors else f"{errors:,} errors in the loads."]
    lines += [
        "Dropped at the end, with their roles (<name>_owner, <name>_app) and every tenant "
        "database (<name>_<tenant id>): "
        + ", ".join(f"{r.database} ({r.mode})" for r in results)
        + "."
    ]
    return "\n".join(lines)


def as_json(args: argparse.Namespace, results: Sequence[ModeResult], commit: str) -> dict[str, Any]:
    return {
        "commit": commit,
        "machine": benchlib.machine_summary(),
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "modes": [
            {
                "mode": r.mode,
                "creations": [
                    asdict(c)
                    | {
                        "median_ms": statistics.median(c.milliseconds),
                        "p95_ms": percentile(c.milliseconds, 0.95),
                    }
                    for c in r.creations
                ],
                "loads": [
                    {
                        "tenants": load.tenants,
                        "request": load.request,
                        "spread": load.spread,
                        "result": asdict(load.result),
                        "rps": load.result.rps,
                        "peak_connections": load.peak_connections,
                        "connections_opened": load.connections_opened,
                        "rss_mib": load.rss_mib,
                        "load_average": load.load_average,
                    }
                    for load in r.loads
                ],
                "migrate_all": [asdict(m) for m in r.migrate_all],
                "deletions_ms": r.deletions,
                "versions": r.versions,
                "database": r.database,
            }
            for r in results
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.require_tools("psql", "uv", "git")
    commit = benchlib.template_commit(args.vcs_ref)
    with benchlib.workspace(keep=args.keep) as workdir:
        results = run_all(args, workdir, commit)
    print(report(args, results, commit), flush=True)
    if args.json:
        args.json.write_text(json.dumps(as_json(args, results, commit), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    benchlib.run_script(main)
