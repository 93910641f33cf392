"""A generated service against the same work written by hand (bench/floor.py), under load.

Renders the default multi-tenant service (tenancy shared, cache redis), installs it with
`uv sync`, gives it a fresh database (an owner role, and an application role that is
NOSUPERUSER NOBYPASSRLS), migrates it, registers two tenants through the API and inserts
their projects with SQL, serves it with uvicorn, and serves beside it the hand-written floor
(bench/floor.py) from the same virtualenv, the same way (one uvicorn worker, uvloop, httptools),
with the same environment: the same database, Redis, secret and pool size, so the service's
tokens drive both. Each endpoint is loaded alternately on the service and on the floor
(A B A B ..., `--rounds` of each) and reported side by side: requests/s, p50, p99, errors,
timeouts and the worker's CPU milliseconds per request (from /proc/<pid>/stat), with the
service/floor ratio of CPU per request as the headline and the targets of issue 14: CPU per
request at most 1.5x the floor's, no timeouts, p99 at most 3x the floor's.

    uv run python bench/service.py                     # 2 rounds of 15 s per run, 64 connections
    uv run python bench/service.py --quick             # 1 s per run, a small seed: a smoke run
    uv run python bench/service.py --profile cached    # then sample the service with py-spy
    uv run python bench/service.py --pooler pgbouncer  # both through one throwaway PgBouncer
    uv run python bench/service.py --replica           # reads from a throwaway streaming replica
    uv run python bench/service.py --tenancy database  # a database per tenant, service and floor
    uv run python bench/service.py --events nats       # a create also writes its outbox event
    uv run python bench/service.py --jobs procrastinate  # a create also enqueues its job
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import benchlib
import events
from benchlib import BenchError, Client, LoadResult, Server, log, table
from loadgen import Workload

SLUGS = ("bench-a", "bench-b")
MAX_CPU_RATIO = 1.5  # the service's CPU per request as a multiple of the floor's (issue 14)
MAX_P99_RATIO = 3.0  # the service's p99 as a multiple of the floor's


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str


ENDPOINTS = (
    Endpoint("live", "GET /health/live"),
    Endpoint("cached", "GET /projects/{id}, cached"),
    Endpoint("uncached", "GET /projects/{id}, uncached"),
    Endpoint("list", "GET /projects?limit=50"),
    Endpoint("create", "POST /projects"),
)
KEYS = [endpoint.key for endpoint in ENDPOINTS]
SIDES = ("service", "floor")


@dataclass(frozen=True)
class Run:
    """One load run and what the server spent on it."""

    result: LoadResult
    cpu_seconds: float  # the worker's user + system time during the run
    round: int = 1
    replica_transactions: int | None = None  # committed on the replica during the run

    @property
    def cpu_share(self) -> float:
        """Share of one core the worker used (1.0: a whole core)."""
        return self.cpu_seconds / self.result.seconds if self.result.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        requests = self.result.requests
        return 1000 * self.cpu_seconds / requests if requests else 0.0

    @property
    def errors(self) -> int:
        """Responses outside 2xx/3xx and socket errors, timeouts apart."""
        return self.result.errors - self.result.timeouts


@dataclass(frozen=True)
class Side:
    """The runs of one server on one endpoint, taken together."""

    runs: list[Run]

    @property
    def requests(self) -> int:
        return sum(run.result.requests for run in self.runs)

    @property
    def seconds(self) -> float:
        return sum(run.result.seconds for run in self.runs)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.result.p50_ms for run in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.result.p99_ms for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def timeouts(self) -> int:
        return sum(run.result.timeouts for run in self.runs)

    @property
    def cpu_ms_per_request(self) -> float:
        cpu = sum(run.cpu_seconds for run in self.runs)
        return 1000 * cpu / self.requests if self.requests else 0.0

    @property
    def cpu_share(self) -> float:
        cpu = sum(run.cpu_seconds for run in self.runs)
        return cpu / self.seconds if self.seconds else 0.0

    @property
    def replica_share(self) -> float | None:
        """Transactions the replica committed per request (None without a replica)."""
        counts = [run.replica_transactions for run in self.runs]
        if any(count is None for count in counts):
            return None
        return sum(count or 0 for count in counts) / self.requests if self.requests else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass(frozen=True)
class Measured:
    """An endpoint's runs on the service and on the floor."""

    endpoint: Endpoint
    service: Side
    floor: Side
    rss_mib: float  # the service worker's, after this endpoint's runs
    cache_hits: int | None
    cache_misses: int | None
    statuses: dict[int, int]

    @property
    def cpu_ratio(self) -> float:
        return _ratio(self.service.cpu_ms_per_request, self.floor.cpu_ms_per_request)

    @property
    def p99_ratio(self) -> float:
        return _ratio(self.service.p99_ms, self.floor.p99_ms)

    def verdicts(self) -> dict[str, str]:
        """Each target of issue 14: met or not, and by how much."""
        return {
            f"CPU <= {MAX_CPU_RATIO:g}x": _verdict(self.cpu_ratio, MAX_CPU_RATIO, "x"),
            "0 timeouts": "yes" if not self.service.timeouts else f"NO: {self.service.timeouts}",
            f"p99 <= {MAX_P99_RATIO:g}x": _verdict(self.p99_ratio, MAX_P99_RATIO, "x"),
        }

    def shortfalls(self) -> list[str]:
        """The targets missed (empty when all are met), errors included."""
        missed = [f"{t}: {v}" for t, v in self.verdicts().items() if not v.startswith("yes")]
        if self.service.errors:
            missed.append(f"{self.service.errors} errors")
        return missed


def _verdict(value: float, limit: float, unit: str) -> str:
    if value <= limit:
        return f"yes ({limit - value:.2f}{unit} margin)"
    return f"NO: {value - limit:.2f}{unit} over"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    benchlib.add_load_options(parser, duration=15, warmup=3, connections=64)
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each endpoint on each server (2): A B A B"
    )
    parser.add_argument("--projects", type=int, default=10_000, help="projects per tenant (10,000)")
    parser.add_argument(
        "--quick", action="store_true", help="1 s per run, 200 projects per tenant: a smoke run"
    )
    parser.add_argument("--only", nargs="+", choices=KEYS, help="load only these endpoints")
    parser.add_argument(
        "--loader",
        choices=("loadgen", "wrk"),
        default="loadgen",
        help="bench/loadgen.py (default), or wrk when it is on PATH",
    )
    parser.add_argument(
        "--profile",
        nargs="+",
        default=[],
        choices=KEYS,
        help="after the measured runs, load these endpoints again under py-spy; print top costs",
    )
    parser.add_argument(
        "--profile-dir", type=Path, help="keep py-spy's collapsed stacks in this folder"
    )
    benchlib.add_database_options(parser)
    parser.add_argument(
        "--server",
        choices=benchlib.SERVERS,
        default="uvicorn",
        help="serve both with uvicorn (default: the service's own `serve`) or with granian",
    )
    parser.add_argument(
        "--tenancy",
        choices=("shared", "schema", "database"),
        default="shared",
        help="the service's tenancy mode, and the floor's (shared)",
    )
    parser.add_argument(
        "--events",
        choices=("none", *events.BROKERS),
        default="none",
        help="render with domain events on this broker: a create writes its outbox row (none)",
    )
    parser.add_argument(
        "--jobs",
        choices=("none", "procrastinate"),
        default="none",
        help="render with background jobs: a create enqueues its job (none)",
    )
    benchlib.add_common_options(parser)
    benchlib.add_service_options(parser, example="LOG_LEVEL=WARNING")
    args = parser.parse_args(argv)
    args.settings = benchlib.service_settings(parser, args.env)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.tenancy == "database" and args.replica:
        parser.error("the floor reads from a replica in shared and schema tenancy only")
    if args.tenancy == "database" and args.jobs != "none":
        parser.error("the floor enqueues jobs in shared and schema tenancy only")
    if args.loader == "wrk" and shutil.which("wrk") is None:
        parser.error("--loader wrk needs wrk on PATH (apt-get install wrk)")
    if args.quick:
        args.duration, args.projects, args.warmup = 1.0, 200, 0.0
    return args


# ── Workloads ───────────────────────────────────────────────────────────────


def rotating_gets(ids_file: Path, tokens: Sequence[str]) -> Workload:
    """Each request reads the next id of the list with its tenant's token; the load's processes
    interleave, so no id repeats before the whole list has been read once."""
    targets = []
    for line in ids_file.read_text().splitlines():
        project_id, tenant = line.split()
        targets.append((f"/api/v1/projects/{project_id}", tokens[int(tenant) - 1]))
    return Workload(tuple(targets))


def creates(token: str, run_id: str) -> Workload:
    """POST bodies with a name unique to this run, process and request."""
    body = f'{{"name": "load-{run_id}-$worker-$n", "description": "Created under load"}}'
    return Workload.fixed("/api/v1/projects", token, method="POST", body=body)


# ── Measurement ─────────────────────────────────────────────────────────────


def cache_reads(port: int) -> Counter[str] | None:
    """The service's cache_reads_total counters, or None without a /metrics endpoint."""
    client = Client(port)
    try:
        response = client.request("GET", "/metrics")
    finally:
        client.close()
    if response.status != 200:
        return None
    counts: Counter[str] = Counter()
    pattern = re.compile(r'^cache_reads_total\{result="(\w+)"\} ([0-9.e+]+)$')
    for line in response.body.decode().splitlines():
        if match := pattern.match(line):
            counts[match.group(1)] = int(float(match.group(2)))
    return counts


@dataclass
class Bench:
    """Everything a run needs once the service and the floor are up and seeded."""

    args: argparse.Namespace
    workdir: Path
    service: Server
    floor: Server
    python: Path
    redis_url: str
    namespace: str
    tokens: list[str]  # one access token per tenant
    project_id: str  # a project of the first tenant, for the cached read
    ids_file: Path
    distinct_ids: int
    storage: Storage  # the first tenant's
    replica_admin_url: str | None = None
    rss_trace: list[tuple[str, float]] = field(default_factory=list)  # the service worker's

    def server(self, side: str) -> Server:
        return self.service if side == "service" else self.floor

    def replica_transactions(self) -> int | None:
        """Transactions committed so far in the bench database on the replica."""
        if self.replica_admin_url is None:
            return None
        query = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database();"
        return int(benchlib.psql(self.replica_admin_url, query).strip())

    def run_load(self, server: Server, label: str, workload: Workload, round_: int = 1) -> Run:
        replica_before = self.replica_transactions()
        cpu = server.cpu_seconds()
        result = benchlib.load(
            label,
            server.base_url,
            workload,
            duration=self.args.duration,
            connections=self.args.connections,
            threads=self.args.threads,
            timeout=self.args.timeout,
            loader=self.args.loader,
            workdir=self.workdir,
        )
        cpu = server.cpu_seconds() - cpu
        replica = None
        if replica_before is not None:
            # An idle backend publishes its counts within 10 s (PostgreSQL 15's
            # PGSTAT_IDLE_INTERVAL): wait for the run's, lest the next run be charged them.
            time.sleep(11)
            replica = (self.replica_transactions() or 0) - replica_before
        return Run(result, cpu, round_, replica)

    def workload(self, endpoint: Endpoint) -> Workload:
        token = self.tokens[0]
        if endpoint.key == "live":
            return Workload.fixed("/health/live")
        if endpoint.key == "cached":
            return Workload.fixed(f"/api/v1/projects/{self.project_id}", token)
        if endpoint.key == "uncached":
            return rotating_gets(self.ids_file, self.tokens)
        if endpoint.key == "list":
            return Workload.fixed("/api/v1/projects?limit=50", token)
        return creates(token, secrets.token_hex(3))

    def prepare(self, endpoint: Endpoint) -> None:
        """What a run of `endpoint` starts from, the same for either server."""
        if endpoint.key == "uncached":
            self.empty_cache()
        elif endpoint.key == "cached" and self.args.replica:
            self.fill_cache()

    def empty_cache(self) -> None:
        """Delete this run's cache entries (not its rate-limit counters)."""
        deleted = benchlib.redis_delete(self.python, self.redis_url, f"{{{self.namespace}:*")
        log(f"emptied the cache namespace ({deleted} keys)")

    def fill_cache(self) -> None:
        """With a replica neither server stores what it read there: a write first sends the
        caller's reads to the primary, whose read stores the entry the cached runs read."""
        client = Client(self.service.port, token=self.tokens[0])
        try:
            body = {"name": f"fill-{secrets.token_hex(4)}"}
            client.expect("POST", "/api/v1/projects", body, status=201)
            client.expect("GET", f"/api/v1/projects/{self.project_id}")
        finally:
            client.close()

    def warm_up(self) -> None:
        if self.args.warmup <= 0:
            return
        log(f"warming up for {self.args.warmup:g} s each")
        workload = Workload.fixed("/api/v1/projects?limit=50", self.tokens[0])
        for side in SIDES:
            benchlib.load(
                "warm-up",
                self.server(side).base_url,
                workload,
                duration=self.args.warmup,
                connections=self.args.connections,
                threads=self.args.threads,
            )

    def measure(self, endpoints: Sequence[Endpoint]) -> list[Measured]:
        """For each endpoint: service, floor, service, floor ... (`--rounds` of each)."""
        self.warm_up()
        self.rss_trace.append(("after the warm-up", self.service.rss_mib()))
        measured = []
        for endpoint in endpoints:
            runs: dict[str, list[Run]] = {side: [] for side in SIDES}
            reads_before = cache_reads(self.service.port)
            statuses: Counter[int] = Counter()
            for round_ in range(1, self.args.rounds + 1):
                for side in SIDES:
                    self.prepare(endpoint)
                    offset = self.service.log_size()
                    run = self.run_load(
                        self.server(side), endpoint.label, self.workload(endpoint), round_
                    )
                    if side == "service":
                        statuses.update(self.service.statuses_since(offset))
                    runs[side].append(run)
                    log(
                        f"{endpoint.label}, {side} {round_}: {run.result.rps:,.0f} req/s, "
                        f"p99 {run.result.p99_ms:.1f} ms, {run.errors} errors, "
                        f"{run.result.timeouts} timeouts, {run.cpu_ms_per_request:.2f} CPU ms/req"
                    )
            rss = self.service.rss_mib()
            self.rss_trace.append((f"after {endpoint.label}", rss))
            reads_after = cache_reads(self.service.port)
            hits = misses = None
            if reads_before is not None and reads_after is not None:
                hits = reads_after["hit"] - reads_before["hit"]
                misses = reads_after["miss"] - reads_before["miss"]
            measured.append(
                Measured(
                    endpoint,
                    Side(runs["service"]),
                    Side(runs["floor"]),
                    rss,
                    hits,
                    misses,
                    dict(statuses),
                )
            )
        return measured

    def profile(self, endpoint: Endpoint) -> dict[str, Any]:
        """Load the endpoint again while py-spy samples the service; summarise the samples."""
        folder = self.args.profile_dir or self.workdir
        folder.mkdir(parents=True, exist_ok=True)
        raw = folder / f"py-spy-{endpoint.key}.txt"
        self.prepare(endpoint)
        log(f"profiling {endpoint.label} with py-spy")
        with PySpy(self.service.pid, self.args.duration, raw):
            run = self.run_load(self.service, endpoint.label, self.workload(endpoint))
        summary = summarise_stacks(raw)
        summary["rps_under_py_spy"] = run.result.rps
        return summary


@dataclass(frozen=True)
class Measurement:
    measured: list[Measured]
    profiles: dict[str, dict[str, Any]]
    rss_trace: list[tuple[str, float]]  # the service worker's VmRSS along the run, MiB
    floor_rss_mib: float
    load_average: tuple[str, str]  # /proc/loadavg before and after
    distinct_ids: int  # projects the uncached reads rotate through
    versions: str  # of the packages that serve the requests

    @property
    def rss_growth_mib(self) -> float:
        """The service worker's growth from after the warm-up to the end of the runs."""
        return self.rss_trace[-1][1] - self.rss_trace[0][1]


# ── Profiling ───────────────────────────────────────────────────────────────


class PySpy:
    """py-spy recording a process for `seconds`, collapsed stacks to `output`."""

    def __init__(self, pid: int, seconds: float, output: Path) -> None:
        found = shutil.which("py-spy")
        launcher = [found] if found else ["uvx", "py-spy"]
        self.command = [
            *launcher,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            "100",
            "--format",
            "raw",
            "--output",
            str(output),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> None:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(1.0)  # attach before the load starts (uvx may have to install it first)

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        try:
            _, error = self.process.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise BenchError("py-spy did not finish") from None
        if self.process.returncode != 0:
            raise BenchError(f"py-spy failed: {error.decode(errors='replace')[-2000:]}")


def _frame(frame: str) -> tuple[str, str]:
    """`name (.../site-packages/pkg/mod.py:12)` -> (`name (pkg/mod.py)`, `pkg`)."""
    match = re.match(r"^(.*) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame, "?"
    name, path = match.groups()
    for marker in ("site-packages/", "/lib/python3.11/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    package = path.split("/", 1)[0] if "/" in path else "stdlib"
    if path.startswith("<frozen"):
        package = "stdlib"
    return f"{name} ({path})", package.removesuffix(".py")


def summarise_stacks(raw: Path, count: int = 12) -> dict[str, Any]:
    """Shares of the samples: own time per function, own time per package, and inclusive
    time of the service's own functions (where each step of a request goes)."""
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    service: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        weight = int(number)
        samples += weight
        frames = [_frame(frame) for frame in stack.split(";")]
        name, package = frames[-1]
        own[name] += weight
        packages[package] += weight
        for name in {name for name, package in frames if package == benchlib.PACKAGE}:
            service[name] += weight
    total = max(1, samples)

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, n / total) for name, n in counter.most_common(count)]

    return {
        "samples": samples,
        "own": shares(own),
        "packages": shares(packages),
        "service": shares(service),
        "raw": str(raw),
    }


# ── Setup ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Storage:
    """Where a tenant's rows live: the superuser's URL of their database, their schema."""

    url: str
    schema: str
    tenant_id: str | None  # the tenant column's value, in shared tables only

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"


def storage_of(database: benchlib.Database, tenancy: str, slug: str) -> Storage:
    """The shared tables, the tenant's schema (`tenant_<hex>`) or its database's tables."""
    tenant_id, _ = benchlib.tenant_and_user(database, slug)
    if tenancy == "schema":
        return Storage(database.admin_url, f"tenant_{tenant_id.replace('-', '')}", None)
    if tenancy == "database":
        return Storage(benchlib.tenant_admin_url(database, tenant_id), "public", None)
    return Storage(database.admin_url, "public", tenant_id)


def seed(database: benchlib.Database, service_port: int, projects: int, tenancy: str) -> list[str]:
    """Two tenants registered through the API, `projects` rows each inserted with SQL."""
    emails = [benchlib.register_tenant(service_port, slug) for slug in SLUGS]
    started = time.perf_counter()
    for slug in SLUGS:
        where = storage_of(database, tenancy, slug)
        _, user_id = benchlib.tenant_and_user(database, slug)
        table = where.table("projects")
        insert = benchlib.seed_projects_sql(where.tenant_id, user_id, projects, table=table)
        benchlib.psql(where.url, insert + f"VACUUM ANALYZE {table};\n")
    log(f"seeded {len(SLUGS)} x {projects:,} projects in {time.perf_counter() - started:.1f} s")
    return emails


def write_ids(database: benchlib.Database, path: Path, tenancy: str) -> int:
    """Every seeded project id with its tenant's number (1 or 2), shuffled, one per line."""
    lines = []
    for number, slug in enumerate(SLUGS, 1):
        where = storage_of(database, tenancy, slug)
        query = f"SELECT id FROM {where.table('projects')}"
        if where.tenant_id is not None:
            query += f" WHERE tenant_id = '{where.tenant_id}'"
        lines += [
            f"{project_id} {number}" for project_id in benchlib.psql(where.url, query + ";").split()
        ]
    random.Random(4).shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def first_of_tenant(ids_file: Path, tenant: int) -> str:
    """The first id of the list that belongs to `tenant` (1 or 2)."""
    for line in ids_file.read_text().splitlines():
        project_id, number = line.split()
        if int(number) == tenant:
            return project_id
    raise BenchError(f"no project of tenant {tenant} in {ids_file}")


def floor_environment(deployed: benchlib.Deployment, args: argparse.Namespace) -> dict[str, str]:
    """The service's own environment: the same database (or PgBouncer, or replica), Redis,
    cache prefix, token secret, rate limit and pool sizes; and its tenancy, events and jobs."""
    chosen = {"TENANCY": args.tenancy, "EVENTS": args.events, "JOBS": args.jobs}
    return benchlib.clean_environment(deployed.environment) | chosen


def service_answers(args: argparse.Namespace) -> dict[str, Any]:
    """The default multi-tenant service, in the tenancy mode, with the events and jobs chosen."""
    answers = dict(benchlib.MULTI_TENANT_ANSWERS)
    if args.tenancy != "shared":
        answers |= {"tenancy_need": f"multi_{args.tenancy}", "tenancy": args.tenancy}
    return answers | {"events": args.events, "jobs": args.jobs}


def with_service(
    args: argparse.Namespace, workdir: Path, commit: str, work: Callable[[Bench], Measurement]
) -> Measurement:
    """Deploy the service, serve the floor beside it, seed; then `work`."""
    settings = dict(args.settings)
    if args.events != "none":  # the API writes the outbox only: the relay is not run
        settings.setdefault("BROKER_URL", events.broker_url(args.events))
    with benchlib.deployment(
        workdir,
        vcs_ref=args.vcs_ref,
        commit=commit,
        settings=settings,
        answers=service_answers(args),
        pooler=args.pooler,
        pooler_size=args.pooler_size,
        replica=args.replica,
        server=args.server,
    ) as deployed:
        floor_port = benchlib.free_port()
        with benchlib.serve(
            "floor",
            benchlib.floor_command(deployed.python, floor_port, args.server),
            port=floor_port,
            cwd=workdir,
            env=floor_environment(deployed, args),
            log_path=workdir / "floor.log",
        ) as floor:
            service = deployed.service
            emails = seed(deployed.database, service.port, args.projects, args.tenancy)
            ids_file = workdir / "ids.txt"
            distinct = write_ids(deployed.database, ids_file, args.tenancy)
            deployed.wait_for_replica()
            bench = Bench(
                args=args,
                workdir=workdir,
                service=service,
                floor=floor,
                python=deployed.python,
                redis_url=deployed.redis_url,
                namespace=deployed.namespace,
                # One login per tenant: the tokens outlive the run (ACCESS_TOKEN_MINUTES).
                tokens=[benchlib.login(service.port, email) for email in emails],
                project_id=first_of_tenant(ids_file, 1),
                ids_file=ids_file,
                distinct_ids=distinct,
                storage=storage_of(deployed.database, args.tenancy, SLUGS[0]),
                replica_admin_url=deployed.replica_admin_url,
            )
            check_same_answers(bench)
            return work(bench)


def check_same_answers(bench: Bench) -> None:
    """The floor answers each measured route as the service does: same status, same JSON
    keys (a floor that did less would not be a floor)."""
    token = bench.tokens[0]
    paths = [
        ("GET", "/health/live"),
        ("GET", f"/api/v1/projects/{bench.project_id}"),
        ("GET", "/api/v1/projects?limit=50"),
        ("POST", "/api/v1/projects"),
    ]
    created = {}
    for method, path in paths:
        answers = {}
        for side in SIDES:
            client = Client(bench.server(side).port, token=token)
            try:
                body = {"name": f"same-answers-{side}"} if method == "POST" else None
                response = client.request(method, path, body)
            finally:
                client.close()
            answers[side] = (response.status, _shape(response.json()))
            if method == "POST":
                created[side] = response.json()["id"]
        if answers["service"] != answers["floor"]:
            raise BenchError(
                f"{method} {path}: the floor answers {answers['floor']}, the "
                f"service {answers['service']}"
            )
    check_same_writes(bench, created)
    log("the floor answers the measured routes as the service does")


def check_same_writes(bench: Bench, created: dict[str, str]) -> None:
    """What a create writes beside its row, the same for both: its outbox event (--events),
    its job (--jobs); the same values in the columns that name it, the same JSON keys in all."""
    checks: list[tuple[str, str, tuple[str, ...]]] = []  # what, its query, the columns to equal
    if bench.args.events != "none":
        query = (
            "SELECT type, tenant_id, aggregate, payload, headers "
            # public's: the common table, or the tenant database's own
            "FROM outbox_events WHERE aggregate = 'project:' || :'id'"
        )
        checks.append(("outbox event", query, ("type", "tenant_id")))
    if bench.args.jobs != "none":
        query = (
            "SELECT queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at "
            "FROM procrastinate_jobs WHERE args->>'project_id' = :'id'"
        )
        checks.append(("job", query, ("queue_name", "task_name", "priority")))
    for what, query, exact in checks:
        written = {}
        for side, project_id in created.items():
            found = json.loads(
                benchlib.psql(
                    bench.storage.url,
                    f"\\set id {project_id}\n"
                    f"SELECT coalesce(json_agg(found), '[]') FROM ({query}) found;",
                )
            )
            written[side] = (_shape(found), [[row[name] for name in exact] for row in found])
        if written["service"] != written["floor"] or not written["service"][1]:
            raise BenchError(
                f"a create's {what}: the floor writes {written['floor']}, the service "
                f"{written['service']}"
            )


def _shape(value: Any) -> Any:
    """The keys of a JSON value, recursively (a list: its first item's)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def run_all(bench: Bench) -> Measurement:
    args = bench.args
    load_before = benchlib.load_average()
    endpoints = [endpoint for endpoint in ENDPOINTS if not args.only or endpoint.key in args.only]
    measured = bench.measure(endpoints)
    load_after = benchlib.load_average()
    bench.rss_trace.append(("at the end", bench.service.rss_mib()))
    floor_rss = bench.floor.rss_mib()
    profiles = {
        endpoint.key: bench.profile(endpoint)
        for endpoint in ENDPOINTS
        if endpoint.key in args.profile
    }
    return Measurement(
        measured=measured,
        profiles=profiles,
        rss_trace=bench.rss_trace,
        floor_rss_mib=floor_rss,
        load_average=(load_before, load_after),
        distinct_ids=bench.distinct_ids,
        versions=benchlib.package_versions(
            bench.python, (*benchlib.VERSIONED, *(["granian"] if args.server == "granian" else []))
        ),
    )


# ── Report ──────────────────────────────────────────────────────────────────


def report(args: argparse.Namespace, result: Measurement, commit: str) -> str:
    distinct = result.distinct_ids
    seconds = max(1, round(args.duration))
    database = f"pooler {args.pooler}" + (
        f" ({args.pooler_size} server connections)" if args.pooler != "none" else ""
    )
    if args.replica:
        database += ", read replica (a throwaway primary and streaming replica)"
    lines = [
        (
            f"Service benchmark against the hand-written floor: Groundwork {commit}, tenancy "
            f"{args.tenancy}, cache redis, events {args.events}, jobs {args.jobs}, {database}; "
            f"served by {args.server}; load ({args.loader}): {args.threads} processes, "
            f"{args.connections} connections, {seconds} s per run, {args.rounds} rounds "
            f"(service, floor, service, floor ...); {len(SLUGS)} tenants x {args.projects:,} "
            f"projects; {benchlib.machine_summary()}; load average {result.load_average[0]} "
            f"before, {result.load_average[1]} after"
        ),
        "",
        f"Packages of the service and the floor: {result.versions}.",
        *([f"Settings given with --env: {' '.join(args.env)}."] if args.env else []),
        "",
        table(
            [
                "endpoint",
                "service CPU ms/req",
                "floor CPU ms/req",
                "CPU ratio",
                "service req/s",
                "floor req/s",
                "service p99 ms",
                "floor p99 ms",
                "p99 ratio",
                "service timeouts",
                *result.measured[0].verdicts().keys(),
            ]
            if result.measured
            else ["endpoint"],
            [
                [
                    m.endpoint.label,
                    f"{m.service.cpu_ms_per_request:.2f}",
                    f"{m.floor.cpu_ms_per_request:.2f}",
                    f"{m.cpu_ratio:.2f}",
                    f"{m.service.rps:.0f}",
                    f"{m.floor.rps:.0f}",
                    f"{m.service.p99_ms:.2f}",
                    f"{m.floor.p99_ms:.2f}",
                    f"{m.p99_ratio:.2f}",
                    str(m.service.timeouts),
                    *m.verdicts().values(),
                ]
                for m in result.measured
            ],
        ),
        "",
        table(
            [
                "endpoint",
                "server",
                "runs",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "timeouts",
                "worker CPU",
                "CPU ms/req",
            ],
            [
                [
                    m.endpoint.label,
                    side_name,
                    str(len(side.runs)),
                    f"{side.rps:.0f}",
                    f"{side.p50_ms:.2f}",
                    f"{side.p99_ms:.2f}",
                    str(side.errors),
                    str(side.timeouts),
                    f"{side.cpu_share:.0%}",
                    f"{side.cpu_ms_per_request:.3f}",
                ]
                for m in result.measured
                for side_name, side in (("service", m.service), ("floor", m.floor))
            ],
        ),
        "",
        (
            "Per request, p50 and p99 are the medians of the rounds' own; req/s and CPU ms/req "
            "are over all rounds; errors are responses outside 2xx/3xx and socket errors, "
            f"timeouts (no answer within {args.timeout:g} s) apart."
        ),
        "",
        (
            "Resident memory (VmRSS) of the service worker: "
            + ", ".join(f"{rss:.0f} MiB {when}" for when, rss in result.rss_trace)
            + f"; growth across the run {result.rss_growth_mib:+.1f} MiB. "
            f"The floor's worker: {result.floor_rss_mib:.0f} MiB at the end."
        ),
    ]
    for m in result.measured:
        if m.service.errors or m.service.timeouts:
            shown = ", ".join(f"{status}: {n:,}" for status, n in sorted(m.statuses.items()))
            lines.append(f"Statuses the service logged during {m.endpoint.label}: {shown}.")
        if m.floor.errors or m.floor.timeouts:
            lines.append(
                f"The floor had {m.floor.errors} errors and {m.floor.timeouts} timeouts during "
                f"{m.endpoint.label} (see floor.log with --keep)."
            )
        if (
            m.cache_hits is not None
            and m.cache_misses is not None
            and m.cache_hits + m.cache_misses
        ):
            reads = m.cache_hits + m.cache_misses
            lines.append(
                f"Service cache during {m.endpoint.label}: {m.cache_hits:,} hits, "
                f"{m.cache_misses:,} misses (hit ratio {m.cache_hits / reads:.2f})."
            )
        if m.service.replica_share is not None and m.floor.replica_share is not None:
            lines.append(
                f"Transactions committed on the replica per request during {m.endpoint.label}: "
                f"service {m.service.replica_share:.2f}, floor {m.floor.replica_share:.2f}."
            )
        if m.endpoint.key == "uncached":
            lines.append(
                f"Uncached reads rotate through the {distinct:,} projects of both tenants, "
                f"each run starting from an empty cache: within the cache TTL only requests "
                f"past the first {distinct:,} of a run can hit."
            )
    for key, profile in result.profiles.items():
        label = next(endpoint.label for endpoint in ENDPOINTS if endpoint.key == key)
        lines += [
            "",
            (
                f"py-spy on {label}: {profile['samples']:,} samples of the service worker on "
                f"CPU ({profile['rps_under_py_spy']:,.0f} req/s while sampled); stacks in "
                f"{profile['raw']}"
            ),
        ]
        for title, entries in (
            ("own time by package", profile["packages"]),
            ("own time by function", profile["own"]),
            ("inclusive time of the service's functions", profile["service"]),
        ):
            lines += ["", f"  {title}:"]
            lines += [f"    {share:6.1%}  {name}" for name, share in entries]
    missed = [m for m in result.measured if m.shortfalls()]
    lines += [
        "",
        "All targets of issue 14 met."
        if not missed
        else "Targets of issue 14 missed: "
        + "; ".join(f"{m.endpoint.label} ({', '.join(m.shortfalls())})" for m in missed)
        + ".",
    ]
    return "\n".join(lines)


def _side_json(side: Side) -> dict[str, Any]:
    return {
        "runs": [asdict(run.result) | {"cpu_seconds": run.cpu_seconds} for run in side.runs],
        "rps": side.rps,
        "p50_ms": side.p50_ms,
        "p99_ms": side.p99_ms,
        "errors": side.errors,
        "timeouts": side.timeouts,
        "cpu_ms_per_request": side.cpu_ms_per_request,
    }


def as_json(args: argparse.Namespace, result: Measurement, commit: str) -> dict[str, Any]:
    return {
        "commit": commit,
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "endpoints": [
            {
                "key": m.endpoint.key,
                "service": _side_json(m.service),
                "floor": _side_json(m.floor),
                "cpu_ratio": m.cpu_ratio,
                "p99_ratio": m.p99_ratio,
                "rss_mib": m.rss_mib,
                "cache_hits": m.cache_hits,
                "cache_misses": m.cache_misses,
                "statuses": m.statuses,
                "verdicts": m.verdicts(),
                "shortfalls": m.shortfalls(),
            }
            for m in result.measured
        ],
        "rss_trace": result.rss_trace,
        "rss_growth_mib": result.rss_growth_mib,
        "floor_rss_mib": result.floor_rss_mib,
        "load_average": result.load_average,
        "versions": result.versions,
        "profiles": result.profiles,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.require_tools("psql", "uv", "git")
    commit = benchlib.template_commit(args.vcs_ref)
    with benchlib.workspace(keep=args.keep) as workdir:
        result = with_service(args, workdir, commit, run_all)
        text = report(args, result, commit)
    print(text, flush=True)
    if args.json:
        args.json.write_text(json.dumps(as_json(args, result, commit), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    benchlib.run_script(main)
