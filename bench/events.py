"""What domain events cost and how late they arrive: the outbox, the relay, a broker, a consumer.

For each broker of --broker (RabbitMQ, NATS JetStream, or both, one after the other), renders
the multi-tenant service with shared tables, `events=<broker>`, no jobs, no cache and Prometheus
metrics, installs it with `uv sync`, gives it a fresh database (an owner role and an application
role that is NOSUPERUSER NOBYPASSRLS, as the generated tests make them), migrates it and serves
it with uvicorn; the worker (`python -m <package>.worker`: the relay and the consumers) runs
beside it with its own events prefix, so nothing else on the broker sees the run's messages.
One tenant is created through the operator API; every event is its projects'. Then:

1. Drain: with the worker stopped, --backlog projects are created through the API
   (`POST /api/v1/projects`, --connections at a time), each writing its `project.created` row to
   the outbox in the request's transaction, as the service always does. The worker starts, and
   the clock runs until the outbox has no unpublished row and the activity projection has
   counted every project. Reports events relayed per second (from the outbox's `published_at`)
   and consumed per second (from `processed_messages.created_at`).
2. Lag at a steady write rate: with the worker running, projects are created at --rate per
   second for --seconds, open loop (each request leaves at its scheduled time, whatever the
   earlier ones are doing), then the run waits for the projection to count them all. For each
   event, lag = `processed_messages.created_at` (the start of the consumer's transaction) -
   `outbox_events.created_at` (the start of the request's transaction): p50, p99 and max, and the
   relay's share (`published_at` - `created_at`).

The projection must count exactly the projects created (delivery is at least once, the
consumer idempotent): a difference is reported and fails the run. At the end the run's
exchange and queues (RabbitMQ) or streams (NATS) are deleted, and the database and roles
dropped, also when the run fails.

    uv run python bench/events.py                          # both brokers, 5,000 backlog, 40/s for 30 s
    uv run python bench/events.py --broker nats --rate 200 --seconds 60
    uv run python bench/events.py --quick                  # a smoke run: 200 backlog, 20/s for 3 s
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import benchlib
from benchlib import BenchError, Client, Database, log, table

BROKERS = ("rabbitmq", "nats")
BROKER_URLS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "nats": "nats://127.0.0.1:4222"}
SCHEMES = {"rabbitmq": ("amqp", "amqps"), "nats": ("nats", "tls")}  # BENCH_BROKER_URL's
BROKER_NAMES = {"rabbitmq": "RabbitMQ", "nats": "NATS JetStream"}
ADAPTERS = {"rabbitmq": "rabbitmq", "nats": "jetstream"}  # events/brokers/<adapter>.py
CLIENT_PACKAGES = {"rabbitmq": "aio-pika", "nats": "nats-py"}
PROVIDE = {
    "rabbitmq": "apt-get install rabbitmq-server && rabbitmq-server -detached",
    "nats": "nats-server -js -a 127.0.0.1",
}
CONSUMER = "project-activity"  # the example projection's consumer
QUICK = {"backlog": 200, "rate": 20.0, "seconds": 3.0}
DRAIN_TIMEOUT_SECONDS = 600.0  # past this after the last event, the projection is stuck


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--broker", choices=(*BROKERS, "both"), default="both")
    parser.add_argument(
        "--backlog", type=int, help="projects created before the worker starts (5,000)"
    )
    parser.add_argument("--rate", type=float, help="projects created per second, steady (40)")
    parser.add_argument("--seconds", type=float, help="how long the steady writes last (30)")
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent creates of the backlog (16)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 200 backlog, 20/s for 3 s"
    )
    benchlib.add_common_options(parser)
    benchlib.add_service_options(parser, example="OUTBOX_BATCH_SIZE=500")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"backlog": 5000, "rate": 40.0, "seconds": 30.0}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.backlog < 1 or args.rate <= 0 or args.seconds <= 0 or args.connections < 1:
        parser.error("--backlog, --rate, --seconds and --connections must be positive")
    args.settings = benchlib.service_settings(parser, args.env)
    return args


# ── Writing projects ────────────────────────────────────────────────────────


@dataclass
class Sent:
    """The creates of one phase: how many succeeded, how long they took, what failed."""

    requested: int
    created: int
    seconds: float  # from the first request's start to the last response
    errors: dict[str, int]
    p99_ms: float  # response time
    max_late_ms: float = 0.0  # open loop: the latest a request left after its scheduled time

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


# uvicorn closes a keep-alive connection idle for 5 s: one idle this long is replaced first.
IDLE_SECONDS = 2.0


class Poster:
    """POSTs projects with one keep-alive connection per thread."""

    def __init__(self, port: int, token: str, prefix: str) -> None:
        self.port, self.token, self.prefix = port, token, prefix
        self.local = threading.local()

    def post(self, number: int) -> tuple[str, float]:
        """Create project `number`; ("201" or what went wrong, seconds taken)."""
        client: Client | None = getattr(self.local, "client", None)
        started = time.monotonic()
        if client is not None and started - self.local.used > IDLE_SECONDS:
            client.close()  # uvicorn may be closing it: a POST is not to be sent twice
            client = None
        if client is None:
            client = self.local.client = Client(self.port, token=self.token)
        self.local.used = started
        try:
            response = client.request(
                "POST", "/api/v1/projects", {"name": f"{self.prefix}-{number}"}
            )
        except (OSError, ValueError) as error:  # http.client's errors are OSError or ValueError
            client.close()
            self.local.client = None
            return type(error).__name__, time.monotonic() - started
        return str(response.status), time.monotonic() - started


def tally(requested: int, outcomes: Sequence[tuple[str, float]], seconds: float) -> Sent:
    errors: dict[str, int] = {}
    for outcome, _ in outcomes:
        if outcome != "201":
            errors[outcome] = errors.get(outcome, 0) + 1
    durations = sorted(duration for _, duration in outcomes)
    p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))] if durations else 0.0
    created = len(outcomes) - sum(errors.values())
    return Sent(requested, created, seconds, errors, p99 * 1000)


def create_closed_loop(poster: Poster, count: int, connections: int) -> Sent:
    """`count` creates, `connections` at a time, each sending its next when its last answered."""
    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        outcomes = list(pool.map(poster.post, range(count)))
    return tally(count, outcomes, time.monotonic() - started)


def create_open_loop(poster: Poster, rate: float, seconds: float, workers: int = 64) -> Sent:
    """`rate` creates a second for `seconds`, each leaving at its time (open loop), whatever the
    earlier ones are doing; `workers` threads send them, so a request leaves late only when
    that many are still waiting for their responses (the report gives the worst delay)."""
    count = max(1, round(rate * seconds))
    late: list[float] = []

    def scheduled(number: int, due: float) -> tuple[str, float]:
        late.append(time.monotonic() - due)
        return poster.post(number)

    started = time.monotonic() + 0.05
    with ThreadPoolExecutor(workers) as pool:
        futures = []
        for number in range(count):
            due = started + number / rate
            if (pause := due - time.monotonic()) > 0:
                time.sleep(pause)
            futures.append(pool.submit(scheduled, number, due))
        outcomes = [future.result() for future in futures]
    sent = tally(count, outcomes, time.monotonic() - started)
    sent.max_late_ms = max(late, default=0.0) * 1000
    return sent


# ── Reading the outbox and the projection ───────────────────────────────────


def query(database: Database, sql: str) -> list[str]:
    """One row of `sql`, run as the superuser (it reads every tenant's rows), as its cells."""
    return benchlib.psql(database.admin_url, sql).strip().split("|")


def progress(database: Database) -> tuple[int, int]:
    """(outbox rows not yet published, projects the projection has counted)."""
    pending, counted = query(
        database,
        "SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL), "
        "(SELECT coalesce(sum(count), 0) FROM project_activity WHERE kind = 'created');",
    )
    return int(pending), int(counted)


def wait_for_projection(database: Database, expected: int, timeout: float) -> float:
    """Wait until nothing is unpublished and the projection counts `expected`; the seconds."""
    started = time.monotonic()
    while True:
        pending, counted = progress(database)
        if pending == 0 and counted >= expected:
            if counted > expected:
                raise BenchError(f"the projection counted {counted} projects, {expected} created")
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise BenchError(
                f"after {timeout:.0f} s: {pending} events unpublished, {counted} of "
                f"{expected} projects counted by the projection"
            )
        time.sleep(0.1)


# Events of the `project.created` rows with `seq` above :after, joined to their processing.
PHASE = (
    "FROM outbox_events o JOIN processed_messages p "
    f"ON p.message_id = o.id AND p.consumer = '{CONSUMER}' "
    "WHERE o.type = 'project.created' AND o.seq > {after}"
)


def last_seq(database: Database) -> int:
    (seq,) = query(database, "SELECT coalesce(max(seq), 0) FROM outbox_events;")
    return int(seq)


def phase_counts(database: Database, after: int) -> tuple[int, int, int]:
    """(outbox rows, rows the consumer processed, projects) since `after`."""
    events, processed = query(
        database,
        "SELECT (SELECT count(*) FROM outbox_events WHERE type = 'project.created' "
        f"AND seq > {after}), (SELECT count(*) {PHASE.format(after=after)});",
    )
    (projects,) = query(database, "SELECT count(*) FROM projects;")
    return int(events), int(processed), int(projects)


@dataclass
class Drain:
    """Measure 1: a backlog published and consumed by a worker that starts with it waiting."""

    broker: str
    backlog: int
    creates: Sent
    worker_start_seconds: float  # from starting the worker until its /health/ready answered
    drain_seconds: float  # from starting the worker until the projection counted all
    relayed_per_second: float
    consumed_per_second: float
    events: int
    processed: int
    projected: int
    duplicates: int
    worker_cpu: float  # the worker's CPU seconds over the drain's seconds (1.0: one core)


@dataclass
class Steady:
    """Measure 2: the lag from a request's transaction to the consumer's, at a steady rate."""

    broker: str
    rate: float
    seconds: float
    creates: Sent
    consumed_per_second: float
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    relay_p50_ms: float
    relay_p99_ms: float
    catch_up_seconds: float  # after the last response, until the projection counted all
    events: int
    processed: int
    projected: int
    duplicates: int
    worker_cpu: float  # the worker's CPU seconds over the phase's seconds (1.0: one core)


def throughput(database: Database, after: int) -> tuple[float, float]:
    """(events relayed/s, consumed/s) of the events since `after`.

    `published_at` is the start of the relay's batch transaction (a batch's rows share it): the
    rows of every batch but the last over the time from the first batch's start to the last's.
    `processed_messages.created_at` is the start of each message's own transaction: the
    messages after the first over the time from the first to the last.
    """
    relayed, relay_span, consumed, consume_span = query(
        database,
        "WITH e AS (SELECT o.published_at, p.created_at AS processed_at "
        f"{PHASE.format(after=after)}) "
        "SELECT (SELECT count(*) FROM e WHERE published_at < (SELECT max(published_at) FROM e)), "
        "extract(epoch FROM max(published_at) - min(published_at)), count(*) - 1, "
        "extract(epoch FROM max(processed_at) - min(processed_at)) FROM e;",
    )
    relayed_rate = int(relayed) / float(relay_span) if float(relay_span or 0) > 0 else 0.0
    consumed_rate = int(consumed) / float(consume_span) if float(consume_span or 0) > 0 else 0.0
    return relayed_rate, consumed_rate


def lags(database: Database, after: int) -> tuple[float, ...]:
    """Lag p50, p99, max (commit to projection), relay p50, p99, in milliseconds."""
    cells = query(
        database,
        "WITH e AS (SELECT extract(epoch FROM p.created_at - o.created_at) * 1000 AS lag, "
        "extract(epoch FROM o.published_at - o.created_at) * 1000 AS relay "
        f"{PHASE.format(after=after)}) "
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), "
        "percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), max(lag), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY relay), "
        "percentile_cont(0.99) WITHIN GROUP (ORDER BY relay) FROM e;",
    )
    return tuple(float(cell or 0) for cell in cells)


# ── A run ───────────────────────────────────────────────────────────────────


@dataclass
class BrokerResult:
    broker: str
    database: str
    prefix: str
    drain: Drain
    steady: Steady
    versions: str


def count_duplicates(log_path: Path) -> int:
    """Deliveries the consumer had handled before (at least once: redeliveries are allowed)."""
    with log_path.open("rb") as lines:
        return sum(1 for line in lines if b'"message_duplicate"' in line)


def drop_broker_objects(
    python: Path, project: Path, environment: dict[str, str], broker: str
) -> None:
    """Delete the run's exchange and queues, or streams, with the service's own `drop()`."""
    package = benchlib.PACKAGE
    code = (
        "import asyncio\n"
        f"import {package}.activity.consumer  # declares the consumer\n"
        f"from {package}.events.brokers.{ADAPTERS[broker]} import drop\n"
        f"from {package}.events.consumers import CONSUMERS\n"
        f"from {package}.events.settings import Settings\n"
        "asyncio.run(drop(Settings(), sorted({c.name for c in CONSUMERS})))\n"
    )
    benchlib.run([str(python), "-c", code], cwd=project, env=environment, timeout=120)


@contextlib.contextmanager
def worker(
    python: Path, project: Path, environment: dict[str, str], log_path: Path
) -> Iterator[benchlib.Server]:
    """The worker (relay and consumers), up once its /health/ready answers."""
    port = benchlib.free_port()
    with benchlib.serve(
        "worker",
        [str(python), "-m", f"{benchlib.PACKAGE}.worker"],
        port=port,
        cwd=project,
        env=environment | {"WORKER_PORT": str(port)},
        log_path=log_path,
        ready_path="/health/ready",
    ) as server:
        yield server


def check_exact(label: str, created: int, events: int, processed: int, projected: int) -> None:
    """At least once and idempotent: every created project is one event, processed and counted
    once."""
    if not created == events == processed == projected:
        raise BenchError(
            f"{label}: {created} projects created, {events} outbox events, {processed} processed, "
            f"{projected} counted by the projection: they must all be equal"
        )


def run_broker(args: argparse.Namespace, broker: str, workdir: Path, commit: str) -> BrokerResult:
    answers = {
        "tenancy_need": "multi_shared",
        "tenancy": "shared",
        "cache": "none",
        "metrics": "prometheus",
        "events": broker,
        "jobs": "none",
    }
    log(f"{BROKER_NAMES[broker]}: rendering Groundwork {commit} (shared tables, events={broker})")
    project = benchlib.render(workdir / f"service-{broker}", answers, vcs_ref=args.vcs_ref)
    log(f"{broker}: uv sync")
    python = benchlib.uv_sync(project)
    versions = benchlib.package_versions(
        python, ("fastapi", "uvicorn", "sqlalchemy", "asyncpg", CLIENT_PACKAGES[broker])
    )
    prefix = f"bench_{secrets.token_hex(5)}"
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(benchlib.temporary_database(benchlib.admin_url_from_env()))
        environment = benchlib.service_environment(database, benchlib.redis_url_from_env(), prefix)
        environment |= {
            "BROKER_URL": broker_url(broker),
            "EVENTS_PREFIX": prefix,
            # Published rows stay for the measurement (the relay deletes older ones as it starts).
            "OUTBOX_RETENTION_HOURS": "100000",
            **args.settings,
        }
        log(f"{broker}: database {database.name}, events prefix {prefix}: migrating")
        benchlib.migrate(project, environment)
        port = benchlib.free_port()
        service = stack.enter_context(
            benchlib.serve(
                "service",
                benchlib.service_command(python, port),
                port=port,
                cwd=project,
                env=environment | benchlib.serving(port),
                log_path=workdir / f"service-{broker}.log",
            )
        )
        email = benchlib.register_tenant(service.port, f"events-{broker}")
        poster = Poster(service.port, benchlib.login(service.port, email), "backlog")

        # 1. Drain: a backlog, then the worker.
        log(f"{broker}: creating a backlog of {args.backlog:,} projects")
        before = last_seq(database)
        creates = create_closed_loop(poster, args.backlog, args.connections)
        if creates.errors:
            raise BenchError(f"{broker}: creating the backlog failed: {creates.errors}")
        log(f"{broker}: {creates.rate:,.0f} creates/s; starting the worker")
        worker_log = workdir / f"worker-{broker}.log"
        started = time.monotonic()
        # Whatever happens, the run's queues or streams go (registered before the worker exists,
        # which declares them; deleting what does not exist is fine).
        stack.callback(drop_broker_objects, python, project, environment, broker)
        relay_and_consumers = stack.enter_context(worker(python, project, environment, worker_log))
        ready = time.monotonic() - started
        wait_for_projection(database, args.backlog, DRAIN_TIMEOUT_SECONDS)
        drained = time.monotonic() - started
        relayed_rate, consumed_rate = throughput(database, before)
        events, processed, projected = phase_counts(database, before)
        check_exact(f"{broker} drain", creates.created, events, processed, projected)
        drain = Drain(
            broker,
            args.backlog,
            creates,
            ready,
            drained,
            relayed_rate,
            consumed_rate,
            events,
            processed,
            projected,
            count_duplicates(worker_log),
            relay_and_consumers.cpu_seconds() / drained,
        )
        log(f"{broker}: drained in {drained:.1f} s")

        # 2. Lag at a steady rate, the worker running.
        log(f"{broker}: {args.rate:g} creates/s for {args.seconds:g} s")
        before = last_seq(database)
        duplicates_before = drain.duplicates
        poster.prefix = "steady"
        cpu_before, phase_started = relay_and_consumers.cpu_seconds(), time.monotonic()
        steady_creates = create_open_loop(poster, args.rate, args.seconds)
        catch_up = wait_for_projection(
            database, args.backlog + steady_creates.created, DRAIN_TIMEOUT_SECONDS
        )
        _, consumed_rate = throughput(database, before)
        events, processed, projects = phase_counts(database, before)
        check_exact(
            f"{broker} steady", steady_creates.created, events, processed, projects - projected
        )
        lag_p50, lag_p99, lag_max, relay_p50, relay_p99 = lags(database, before)
        steady = Steady(
            broker,
            args.rate,
            args.seconds,
            steady_creates,
            consumed_rate,
            lag_p50,
            lag_p99,
            lag_max,
            relay_p50,
            relay_p99,
            catch_up,
            events,
            processed,
            projects - projected,
            count_duplicates(worker_log) - duplicates_before,
            (relay_and_consumers.cpu_seconds() - cpu_before) / (time.monotonic() - phase_started),
        )
        return BrokerResult(broker, database.name, prefix, drain, steady, versions)
    raise AssertionError("unreachable")  # mypy: ExitStack may swallow exceptions


# ── Reporting ───────────────────────────────────────────────────────────────


def report(args: argparse.Namespace, results: Sequence[BrokerResult], commit: str) -> str:
    def n(value: float) -> str:
        return f"{value:,.0f}"

    def ms(value: float) -> str:
        return f"{value:,.1f}"

    drains = [
        [
            BROKER_NAMES[r.broker],
            n(r.drain.backlog),
            n(r.drain.creates.rate),
            f"{r.drain.worker_start_seconds:.1f}",
            f"{r.drain.drain_seconds:.1f}",
            n(r.drain.relayed_per_second),
            n(r.drain.consumed_per_second),
            str(r.drain.projected),
            str(r.drain.duplicates),
            f"{r.drain.worker_cpu:.0%}",
        ]
        for r in results
    ]
    steadies = [
        [
            BROKER_NAMES[r.broker],
            f"{r.steady.rate:g}",
            f"{r.steady.seconds:g}",
            str(r.steady.creates.created),
            f"{r.steady.creates.rate:,.1f}",
            n(r.steady.creates.max_late_ms),
            f"{r.steady.consumed_per_second:,.1f}",
            ms(r.steady.lag_p50_ms),
            ms(r.steady.lag_p99_ms),
            ms(r.steady.lag_max_ms),
            ms(r.steady.relay_p50_ms),
            ms(r.steady.relay_p99_ms),
            str(r.steady.projected),
            str(r.steady.duplicates),
            f"{r.steady.worker_cpu:.0%}",
            str(sum(r.steady.creates.errors.values())),
        ]
        for r in results
    ]
    lines = [
        f"# Events: Groundwork {commit}",
        "",
        (
            f"Machine: {benchlib.machine_summary()}; load average {benchlib.load_average()} "
            "(1, 5, 15 min) at the end."
        ),
        *(f"{BROKER_NAMES[r.broker]}: {r.versions}." for r in results),
        "Each run: the multi-tenant service with shared tables, one uvicorn worker, and the "
        "service's worker (relay and consumers), one tenant; "
        + ", ".join(f"database {r.database} and events prefix {r.prefix}" for r in results)
        + ".",
        "",
        f"## Drain: a backlog of {args.backlog:,} project.created events, then the worker",
        "",
        (
            f"The backlog was created through the API, {args.connections} requests at a time "
            "(creates/s); the drain runs from starting the worker (ready after `worker s`) until "
            "the outbox had no unpublished row and the projection counted every project. Worker CPU: "
            "the worker process's CPU time over that time (100%: one core; it is one process, the "
            "relay and the consumers on one event loop)."
        ),
        "",
        table(
            [
                "broker",
                "backlog",
                "creates/s",
                "worker s",
                "drain s",
                "relayed/s",
                "consumed/s",
                "projected",
                "duplicates",
                "worker CPU",
            ],
            drains,
        ),
        "",
        f"## Lag at a steady write rate: {args.rate:g} creates/s for {args.seconds:g} s",
        "",
        (
            "Open loop (each create leaves at its time). Lag: from the start of the request's "
            "transaction (the outbox row's `created_at`) to the start of the consumer's "
            "(`processed_messages.created_at`); relay: to the start of the relay's batch "
            "(`published_at`). Percentiles by PostgreSQL's `percentile_cont`, over every event. "
            "Late: how long after its scheduled time a create left at worst (all 64 sending "
            "threads were waiting for responses). Worker CPU: as above, from the first create until "
            "the projection counted the last."
        ),
        "",
        table(
            [
                "broker",
                "rate/s",
                "seconds",
                "created",
                "achieved/s",
                "late max ms",
                "consumed/s",
                "lag p50 ms",
                "lag p99 ms",
                "lag max ms",
                "relay p50 ms",
                "relay p99 ms",
                "projected",
                "duplicates",
                "worker CPU",
                "errors",
            ],
            steadies,
        ),
        "",
    ]
    for r in results:
        creates = r.steady.creates
        errors = ", ".join(f"{count} {status}" for status, count in sorted(creates.errors.items()))
        lines.append(
            f"{BROKER_NAMES[r.broker]}: the projection caught up {r.steady.catch_up_seconds:.1f} s "
            f"after the last response; create p99 {creates.p99_ms:,.0f} ms"
            + (f"; failed creates: {errors}" if errors else "")
            + "."
        )
        if creates.rate < 0.95 * r.steady.rate or creates.max_late_ms > 1000:
            lines.append(
                f"**{BROKER_NAMES[r.broker]} did not hold {r.steady.rate:g} creates/s** "
                f"({creates.rate:,.1f}/s achieved, creates up to {creates.max_late_ms / 1000:.1f} s "
                "late): the machine was saturated, so the lag includes the wait for it; "
                "measure at a lower --rate."
            )
    lines.append(
        "Every project created was one outbox event, processed once and counted once by the "
        "projection."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.require_tools("psql", "uv")
    brokers = BROKERS if args.broker == "both" else (args.broker,)
    for broker in brokers:
        broker_url(broker)
    commit = benchlib.template_commit(args.vcs_ref)
    results: list[BrokerResult] = []
    with benchlib.workspace(keep=args.keep) as workdir:
        for broker in brokers:
            results.append(run_broker(args, broker, workdir, commit))
    print(report(args, results, commit), flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


def broker_url(broker: str) -> str:
    """The broker's URL (BENCH_BROKER_URL if it is one of this broker's, else the local one),
    checked to answer; else fail with the command that provides one."""
    url = os.environ.get("BENCH_BROKER_URL", "")
    if urllib.parse.urlsplit(url).scheme not in SCHEMES[broker]:  # the other broker's, or none
        url = BROKER_URLS[broker]
    address = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=5).close()
    except OSError as error:
        raise BenchError(
            f"no {BROKER_NAMES[broker]} at {address.hostname}:{address.port} ({error}): "
            f"`{PROVIDE[broker]}`, or set BENCH_BROKER_URL"
        ) from error
    return url


if __name__ == "__main__":
    benchlib.run_script(main)
