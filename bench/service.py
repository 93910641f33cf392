"""Throughput and latency of a generated service against a bare FastAPI app, under load.

Renders the default multi-tenant service (tenancy shared, cache redis), installs it with
`uv sync`, gives it a fresh database (an owner role, and an application role that is
NOSUPERUSER NOBYPASSRLS), migrates it, registers two tenants through the API and inserts
their projects with SQL, serves it with uvicorn and loads each endpoint (bench/loadgen.py), alternating
with a bare FastAPI app served the same way (bench/baseline.py). Each endpoint is reported as
a ratio to the mean of the baseline runs just before and just after it.

    uv run python bench/service.py                  # 15 s per run, 64 connections
    uv run python bench/service.py --quick          # 1 s per run, a small seed: a smoke run
    uv run python bench/service.py --profile cached # then sample the worker with py-spy
    uv run python bench/service.py --pooler pgbouncer  # through a throwaway PgBouncer
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import benchlib
from benchlib import BenchError, Client, LoadResult, Server, log, table
from loadgen import Workload

SLUGS = ("bench-a", "bench-b")


@dataclass(frozen=True)
class Endpoint:
    """One loaded endpoint and the targets of issue 4 that apply to it."""

    key: str
    label: str
    min_ratio: float | None = None  # requests/s as a share of the baseline's
    max_p99_ratio: float | None = None  # p99 as a multiple of the baseline's


ENDPOINTS = (
    Endpoint("live", "GET /health/live"),
    Endpoint("cached", "GET /projects/{id}, cached", min_ratio=0.6, max_p99_ratio=2.0),
    Endpoint("uncached", "GET /projects/{id}, uncached", min_ratio=0.35),
    Endpoint("list", "GET /projects?limit=50", min_ratio=0.25),
    Endpoint("create", "POST /projects"),
)
KEYS = [endpoint.key for endpoint in ENDPOINTS]


@dataclass(frozen=True)
class Run:
    """One load run and what the server spent on it."""

    result: LoadResult
    cpu_seconds: float  # the worker's user + system time during the run

    @property
    def cpu_share(self) -> float:
        """Share of one core the worker used (1.0: a whole core)."""
        return self.cpu_seconds / self.result.seconds if self.result.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        requests = self.result.requests
        return 1000 * self.cpu_seconds / requests if requests else 0.0


@dataclass(frozen=True)
class Measured:
    """An endpoint's run beside the baseline runs around it."""

    endpoint: Endpoint
    run: Run
    before: Run
    after: Run
    rss_mib: float
    cache_hits: int | None
    cache_misses: int | None
    statuses: dict[int, int]

    @property
    def result(self) -> LoadResult:
        return self.run.result

    @property
    def baseline_rps(self) -> float:
        return (self.before.result.rps + self.after.result.rps) / 2

    @property
    def baseline_p99_ms(self) -> float:
        return (self.before.result.p99_ms + self.after.result.p99_ms) / 2

    @property
    def ratio(self) -> float:
        return self.result.rps / self.baseline_rps if self.baseline_rps else 0.0

    @property
    def p99_ratio(self) -> float:
        return self.result.p99_ms / self.baseline_p99_ms if self.baseline_p99_ms else 0.0

    def shortfalls(self) -> list[str]:
        """The targets this run misses (empty when it meets them all)."""
        missed = []
        if self.result.errors:
            missed.append(f"{self.result.errors} errors")
        if self.endpoint.min_ratio is not None and self.ratio < self.endpoint.min_ratio:
            missed.append(f"req/s {self.ratio:.2f} < {self.endpoint.min_ratio}")
        limit = self.endpoint.max_p99_ratio
        if limit is not None and self.p99_ratio > limit:
            missed.append(f"p99 {self.p99_ratio:.1f}x > {limit:g}x")
        return missed

    def target(self) -> str:
        parts = []
        if self.endpoint.min_ratio is not None:
            parts.append(f"ratio >= {self.endpoint.min_ratio}")
        if self.endpoint.max_p99_ratio is not None:
            parts.append(f"p99 <= {self.endpoint.max_p99_ratio:g}x")
        parts.append("0 errors")
        return ", ".join(parts)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    benchlib.add_load_options(parser, duration=15, warmup=3, connections=64)
    parser.add_argument("--projects", type=int, default=10_000, help="projects per tenant (10,000)")
    parser.add_argument(
        "--quick", action="store_true", help="1 s per run, 200 projects per tenant: a smoke run"
    )
    parser.add_argument("--only", nargs="+", choices=KEYS, help="load only these endpoints")
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
    parser.add_argument(
        "--pooler",
        choices=benchlib.POOLERS,
        default="none",
        help="serve the service through a throwaway PgBouncer in transaction mode (none)",
    )
    parser.add_argument(
        "--pooler-size",
        type=int,
        default=20,
        help="PgBouncer's server connections with --pooler pgbouncer (20)",
    )
    benchlib.add_common_options(parser)
    benchlib.add_service_options(parser, example="LOG_LEVEL=WARNING")
    args = parser.parse_args(argv)
    args.settings = benchlib.service_settings(parser, args.env)
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
    """Everything a run needs once the service is up and seeded."""

    args: argparse.Namespace
    workdir: Path
    service: Server
    baseline: Server
    python: Path
    redis_url: str
    namespace: str
    tokens: list[str]  # one access token per tenant
    project_id: str  # a project of the first tenant, for the cached read
    ids_file: Path
    distinct_ids: int

    def run_load(self, server: Server, label: str, workload: Workload) -> Run:
        cpu = server.cpu_seconds()
        result = benchlib.load(
            label,
            server.base_url,
            workload,
            duration=self.args.duration,
            connections=self.args.connections,
            threads=self.args.threads,
            timeout=self.args.timeout,
        )
        return Run(result, server.cpu_seconds() - cpu)

    def load(self, endpoint: Endpoint) -> Run:
        token = self.tokens[0]
        if endpoint.key == "live":
            workload = Workload.fixed("/health/live")
        elif endpoint.key == "cached":
            workload = Workload.fixed(f"/api/v1/projects/{self.project_id}", token)
        elif endpoint.key == "uncached":
            workload = rotating_gets(self.ids_file, self.tokens)
        elif endpoint.key == "list":
            workload = Workload.fixed("/api/v1/projects?limit=50", token)
        else:
            workload = creates(token, secrets.token_hex(3))
        return self.run_load(self.service, endpoint.label, workload)

    def load_baseline(self, label: str) -> Run:
        run = self.run_load(self.baseline, label, Workload.fixed("/"))
        log(f"{label}: {run.result.rps:,.0f} req/s")
        return run

    def empty_cache(self) -> None:
        """Delete this run's cache entries (not its rate-limit counters)."""
        deleted = benchlib.redis_delete(self.python, self.redis_url, f"{self.namespace}:*")
        log(f"emptied the cache namespace ({deleted} keys)")

    def warm_up(self) -> None:
        if self.args.warmup <= 0:
            return
        log(f"warming up for {self.args.warmup:g} s each")
        for server, workload in (
            (self.service, Workload.fixed("/api/v1/projects?limit=50", self.tokens[0])),
            (self.baseline, Workload.fixed("/")),
        ):
            benchlib.load(
                "warm-up",
                server.base_url,
                workload,
                duration=self.args.warmup,
                connections=self.args.connections,
                threads=self.args.threads,
            )

    def measure(self, endpoints: Sequence[Endpoint]) -> tuple[list[Measured], list[Run]]:
        """baseline, endpoint, baseline, endpoint, ..., baseline."""
        self.warm_up()
        baselines = [self.load_baseline("baseline 1")]
        measured = []
        for number, endpoint in enumerate(endpoints, start=2):
            if endpoint.key == "uncached":
                self.empty_cache()
            reads_before = cache_reads(self.service.port)
            log_offset = self.service.log_size()
            run = self.load(endpoint)
            rss = self.service.rss_mib()
            reads_after = cache_reads(self.service.port)
            statuses = self.service.statuses_since(log_offset)
            hits = misses = None
            if reads_before is not None and reads_after is not None:
                hits = reads_after["hit"] - reads_before["hit"]
                misses = reads_after["miss"] - reads_before["miss"]
            log(
                f"{endpoint.label}: {run.result.rps:,.0f} req/s, p99 {run.result.p99_ms:.1f} ms, "
                f"{run.result.errors} errors, worker CPU {run.cpu_share:.0%}, RSS {rss:.0f} MiB"
            )
            baselines.append(self.load_baseline(f"baseline {number}"))
            measured.append(
                Measured(endpoint, run, baselines[-2], baselines[-1], rss, hits, misses, statuses)
            )
        return measured, baselines

    def profile(self, endpoint: Endpoint) -> dict[str, Any]:
        """Load the endpoint again while py-spy samples the worker; summarise the samples."""
        folder = self.args.profile_dir or self.workdir
        folder.mkdir(parents=True, exist_ok=True)
        raw = folder / f"py-spy-{endpoint.key}.txt"
        if endpoint.key == "uncached":
            self.empty_cache()
        log(f"profiling {endpoint.label} with py-spy")
        with PySpy(self.service.pid, self.args.duration, raw):
            run = self.load(endpoint)
        summary = summarise_stacks(raw)
        summary["rps_under_py_spy"] = run.result.rps
        return summary


@dataclass(frozen=True)
class Measurement:
    measured: list[Measured]
    baselines: list[Run]
    profiles: dict[str, dict[str, Any]]
    service_rss_mib: float
    baseline_rss_mib: float
    load_average: tuple[str, str]  # /proc/loadavg before and after
    distinct_ids: int  # projects the uncached reads rotate through
    versions: str  # of the packages that serve the requests


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


def seed(database: benchlib.Database, service_port: int, projects: int) -> list[str]:
    """Two tenants registered through the API, `projects` rows each inserted with SQL."""
    emails = []
    statements = []
    for slug in SLUGS:
        emails.append(benchlib.register_tenant(service_port, slug))
        tenant_id, user_id = benchlib.tenant_and_user(database, slug)
        statements.append(benchlib.seed_projects_sql(tenant_id, user_id, projects))
    started = time.perf_counter()
    benchlib.psql(database.admin_url, "".join(statements) + "VACUUM ANALYZE projects;\n")
    log(f"seeded {len(SLUGS)} x {projects:,} projects in {time.perf_counter() - started:.1f} s")
    return emails


def write_ids(database: benchlib.Database, path: Path) -> int:
    """Every seeded project id with its tenant's number (1 or 2), shuffled, one per line."""
    rows = benchlib.psql(
        database.admin_url,
        "SELECT p.id, t.slug FROM projects p JOIN tenants t ON t.id = p.tenant_id;",
    ).split()
    lines = []
    for row in rows:
        project_id, slug = row.split("|")
        lines.append(f"{project_id} {SLUGS.index(slug) + 1}")
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


def with_service(
    args: argparse.Namespace, workdir: Path, commit: str, work: Callable[[Bench], Measurement]
) -> Measurement:
    """Deploy the service, serve the baseline beside it, seed; then `work`."""
    settings = args.settings
    with benchlib.deployment(
        workdir,
        vcs_ref=args.vcs_ref,
        commit=commit,
        settings=settings,
        pooler=args.pooler,
        pooler_size=args.pooler_size,
    ) as deployed:
        baseline_port = benchlib.free_port()
        with benchlib.serve(
            "baseline",
            benchlib.uvicorn_command(
                deployed.python,
                "baseline:create_app",
                baseline_port,
                "--app-dir",
                str(benchlib.BENCH_DIR),
            ),
            port=baseline_port,
            cwd=workdir,
            env=benchlib.clean_environment(),
            log_path=workdir / "baseline.log",
            ready_path="/",
        ) as baseline:
            service = deployed.service
            emails = seed(deployed.database, service.port, args.projects)
            ids_file = workdir / "ids.txt"
            distinct = write_ids(deployed.database, ids_file)
            bench = Bench(
                args=args,
                workdir=workdir,
                service=service,
                baseline=baseline,
                python=deployed.python,
                redis_url=deployed.redis_url,
                namespace=deployed.namespace,
                # One login per tenant: the tokens outlive the run (ACCESS_TOKEN_MINUTES).
                tokens=[benchlib.login(service.port, email) for email in emails],
                project_id=first_of_tenant(ids_file, 1),
                ids_file=ids_file,
                distinct_ids=distinct,
            )
            return work(bench)


def run_all(bench: Bench) -> Measurement:
    args = bench.args
    load_before = benchlib.load_average()
    endpoints = [endpoint for endpoint in ENDPOINTS if not args.only or endpoint.key in args.only]
    measured, baselines = bench.measure(endpoints)
    load_after = benchlib.load_average()
    service_rss, baseline_rss = bench.service.rss_mib(), bench.baseline.rss_mib()
    profiles = {
        endpoint.key: bench.profile(endpoint)
        for endpoint in ENDPOINTS
        if endpoint.key in args.profile
    }
    return Measurement(
        measured=measured,
        baselines=baselines,
        profiles=profiles,
        service_rss_mib=service_rss,
        baseline_rss_mib=baseline_rss,
        load_average=(load_before, load_after),
        distinct_ids=bench.distinct_ids,
        versions=benchlib.package_versions(bench.python),
    )


# ── Report ──────────────────────────────────────────────────────────────────


def report(args: argparse.Namespace, result: Measurement, commit: str) -> str:
    distinct = result.distinct_ids
    seconds = max(1, round(args.duration))
    lines = [
        (
            f"Service benchmark: Groundwork {commit}, tenancy shared, cache redis, "
            f"pooler {args.pooler}"
            + (f" ({args.pooler_size} server connections)" if args.pooler != "none" else "")
            + "; "
            f"load: {args.threads} processes, {args.connections} connections, {seconds} s; "
            f"{len(SLUGS)} tenants x {args.projects:,} projects; {benchlib.machine_summary()}; "
            f"load average {result.load_average[0]} before, {result.load_average[1]} after"
        ),
        "",
        f"Packages of the service and the baseline: {result.versions}.",
        *([f"Settings given with --env: {' '.join(args.env)}."] if args.env else []),
        "",
        table(
            [
                "endpoint",
                "req/s",
                "baseline req/s",
                "ratio",
                "p50 ms",
                "p99 ms",
                "baseline p99 ms",
                "p99 ratio",
                "errors",
                "worker CPU",
                "CPU ms/req",
                "RSS MiB",
                "target",
                "met",
            ],
            [
                [
                    m.endpoint.label,
                    f"{m.result.rps:.0f}",
                    f"{m.baseline_rps:.0f}",
                    f"{m.ratio:.2f}",
                    f"{m.result.p50_ms:.2f}",
                    f"{m.result.p99_ms:.2f}",
                    f"{m.baseline_p99_ms:.2f}",
                    f"{m.p99_ratio:.1f}",
                    str(m.result.errors),
                    f"{m.run.cpu_share:.0%}",
                    f"{m.run.cpu_ms_per_request:.2f}",
                    f"{m.rss_mib:.0f}",
                    m.target(),
                    "yes" if not m.shortfalls() else "NO: " + "; ".join(m.shortfalls()),
                ]
                for m in result.measured
            ],
        ),
        "",
        table(
            ["baseline run", "req/s", "p50 ms", "p99 ms", "errors", "worker CPU", "CPU ms/req"],
            [
                [
                    b.result.label,
                    f"{b.result.rps:.0f}",
                    f"{b.result.p50_ms:.2f}",
                    f"{b.result.p99_ms:.2f}",
                    str(b.result.errors),
                    f"{b.cpu_share:.0%}",
                    f"{b.cpu_ms_per_request:.3f}",
                ]
                for b in result.baselines
            ],
        ),
        "",
        (
            f"Resident memory (VmRSS) after the load: service worker "
            f"{result.service_rss_mib:.0f} MiB, baseline worker {result.baseline_rss_mib:.0f} MiB."
        ),
    ]
    for m in result.measured:
        if m.result.errors:
            shown = ", ".join(f"{status}: {n:,}" for status, n in sorted(m.statuses.items()))
            lines.append(f"Statuses logged during {m.endpoint.label}: {shown}.")
        if (
            m.cache_hits is not None
            and m.cache_misses is not None
            and m.cache_hits + m.cache_misses
        ):
            reads = m.cache_hits + m.cache_misses
            lines.append(
                f"Cache during {m.endpoint.label}: {m.cache_hits:,} hits, {m.cache_misses:,} "
                f"misses (hit ratio {m.cache_hits / reads:.2f})."
            )
        if m.endpoint.key == "uncached":
            expected = max(0, m.result.requests - distinct) / max(1, m.result.requests)
            lines.append(
                f"Uncached reads rotate through the {distinct:,} projects of both tenants, "
                f"starting from an empty cache: within the cache TTL only requests past the "
                f"first {distinct:,} can hit; expected hit ratio {expected:.2f} for "
                f"{m.result.requests:,} requests."
            )
    for key, profile in result.profiles.items():
        label = next(endpoint.label for endpoint in ENDPOINTS if endpoint.key == key)
        lines += [
            "",
            (
                f"py-spy on {label}: {profile['samples']:,} samples of the worker on CPU "
                f"({profile['rps_under_py_spy']:,.0f} req/s while sampled); stacks in "
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
        "All targets met."
        if not missed
        else "Targets missed: " + "; ".join(m.endpoint.label for m in missed) + ".",
    ]
    return "\n".join(lines)


def as_json(args: argparse.Namespace, result: Measurement, commit: str) -> dict[str, Any]:
    return {
        "commit": commit,
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "endpoints": [
            {
                "key": m.endpoint.key,
                "result": asdict(m.result),
                "rps": m.result.rps,
                "baseline_rps": m.baseline_rps,
                "ratio": m.ratio,
                "p99_ratio": m.p99_ratio,
                "cpu_seconds": m.run.cpu_seconds,
                "rss_mib": m.rss_mib,
                "cache_hits": m.cache_hits,
                "cache_misses": m.cache_misses,
                "statuses": m.statuses,
                "shortfalls": m.shortfalls(),
            }
            for m in result.measured
        ],
        "baselines": [
            asdict(b.result) | {"rps": b.result.rps, "cpu_seconds": b.cpu_seconds}
            for b in result.baselines
        ],
        "service_rss_mib": result.service_rss_mib,
        "baseline_rss_mib": result.baseline_rss_mib,
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
