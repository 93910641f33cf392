"""Prometheus metrics at /metrics. Labels are bounded: methods, route templates and status
codes, never ids. The core announces what it does (`signals`); this module counts it."""

import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from .config import ServiceSettings
from .db import database
from .features import Feature
from .signals import (
    cache_read,
    dead_lettered,
    job_ran,
    message_consumed,
    outbox_backlog,
    outbox_failed,
    outbox_published,
    rate_limited,
    replica_measured,
)

UNMATCHED_ROUTE = "unmatched"  # every path no route matched, so scans cannot add series

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "route", "status"])
REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to serve an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
RATE_LIMITED = Counter("rate_limited_total", "Requests refused by a rate limit.", ["scope"])
CACHE_READS = Counter("cache_reads_total", "Cache reads by result.", ["result"])
JOB_RUNS = Counter(
    "job_runs_total", "Background job runs by task and outcome.", ["task", "outcome"]
)
# One series per tenant: only with METRICS_PER_TENANT, since the tenant count is unbounded.
TENANT_REQUESTS = Counter(
    "http_tenant_requests_total", "HTTP requests per tenant.", ["tenant", "status_class"]
)

# The outbox, as the relay of this process last measured it (the worker's metrics).
OUTBOX_PENDING = Gauge("outbox_pending_events", "Events in the outbox not yet published.")
OUTBOX_OLDEST = Gauge(
    "outbox_oldest_pending_age_seconds", "Age of the oldest event not yet published."
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Events the relay published.")
OUTBOX_FAILURES = Counter("outbox_failures_total", "Relay batches that failed.", ["error"])
# Deliveries by consumer and outcome: consumed, duplicate (skipped), skipped (tenant), failed.
MESSAGES_CONSUMED = Counter(
    "events_consumed_total", "Deliveries a consumer finished, by outcome.", ["consumer", "outcome"]
)
DEAD_LETTERED = Counter(
    "events_dead_lettered_total", "Messages given up on after their last attempt.", ["consumer"]
)


class Settings(ServiceSettings):
    # Requests per tenant too (multi-tenant services): a tenant label multiplies series.
    metrics_per_tenant: bool = False


@rate_limited.connect
def _count_rate_limited(scope: str, **_: Any) -> None:
    RATE_LIMITED.labels(scope).inc()


@cache_read.connect
def _count_cache_read(result: str, **_: Any) -> None:
    CACHE_READS.labels(result).inc()


@job_ran.connect
def _count_job_run(outcome: str, *, task: str, **_: Any) -> None:
    JOB_RUNS.labels(task, outcome).inc()


@outbox_published.connect
def _count_published(_: str, *, count: int, **__: Any) -> None:
    OUTBOX_PUBLISHED.inc(count)


@outbox_failed.connect
def _count_outbox_failure(error: str, **_: Any) -> None:
    OUTBOX_FAILURES.labels(error).inc()


@outbox_backlog.connect
def _measure_backlog(_: str, *, pending: int, oldest_seconds: float, **__: Any) -> None:
    OUTBOX_PENDING.set(pending)
    OUTBOX_OLDEST.set(oldest_seconds)


@dead_lettered.connect
def _count_dead_letter(consumer: str, **_: Any) -> None:
    DEAD_LETTERED.labels(consumer).inc()


@message_consumed.connect
def _count_message_consumed(outcome: str, *, consumer: str, **_: Any) -> None:
    MESSAGES_CONSUMED.labels(consumer, outcome).inc()


class _ReplicaCollector(Collector):
    """The read replica's lag as last measured; nothing before a measurement (no replica)."""

    def __init__(self) -> None:
        self.measured = False
        self.lag: float | None = None

    def collect(self) -> Iterator[Metric]:
        if not self.measured:
            return
        yield GaugeMetricFamily(
            "database_replica_lag_seconds",
            "How far the read replica's replay is behind the primary (NaN: out of reach).",
            value=float("nan") if self.lag is None else self.lag,
        )
        yield GaugeMetricFamily(
            "database_replica_up", "Whether the read replica answered.", value=self.lag is not None
        )


_REPLICA = _ReplicaCollector()
REGISTRY.register(_REPLICA)


@replica_measured.connect
def _measure_replica(lag: float | None, **_: Any) -> None:
    _REPLICA.measured, _REPLICA.lag = True, lag


class _PoolCollector(Collector):
    """Connections of the database pools of this process, by state, read at scrape time."""

    def __init__(self) -> None:
        self.engines: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "db_pool_connections", "Database pool connections by state.", labels=["state"]
        )
        in_use = idle = overflow = waiting = 0
        for engine in self.engines:
            pool = engine.sync_engine.pool
            in_use += pool.checkedout()  # type: ignore[attr-defined]
            idle += pool.checkedin()  # type: ignore[attr-defined]
            overflow += max(pool.overflow(), 0)  # type: ignore[attr-defined]
            waiting += getattr(pool, "waiting", 0)
        family.add_metric(["in_use"], in_use)
        family.add_metric(["idle"], idle)
        family.add_metric(["overflow"], overflow)
        family.add_metric(["waiting"], waiting)
        yield family


_POOLS = _PoolCollector()
REGISTRY.register(_POOLS)


class RequestMetrics:
    """Counts every request and its duration: a request observer (`features.RequestObserver`),
    told by the request context's middleware once the request is answered."""

    def __init__(self, *, per_tenant: bool) -> None:
        self.per_tenant = per_tenant
        # The labelled children, looked up once per series rather than at every request.
        self._requests: dict[tuple[str, str, int], Counter] = {}
        self._durations: dict[tuple[str, str], Histogram] = {}

    def __call__(self, method: str, route: str | None, status: int, seconds: float) -> None:
        route = route or UNMATCHED_ROUTE
        requests = self._requests.get((method, route, status))
        if requests is None:
            requests = REQUESTS.labels(method, route, str(status))
            self._requests[method, route, status] = requests
        requests.inc()
        durations = self._durations.get((method, route))
        if durations is None:
            durations = self._durations[method, route] = REQUEST_DURATION.labels(method, route)
        durations.observe(seconds)
        if self.per_tenant:
            tenant = structlog.contextvars.get_contextvars().get("tenant_id")
            if tenant:
                TENANT_REQUESTS.labels(tenant, f"{status // 100}xx").inc()


router = APIRouter(tags=["observability"])


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@asynccontextmanager
async def _watch_pool(app: FastAPI, _: Settings) -> AsyncIterator[None]:
    # The engine is forgotten when it is garbage-collected.
    _POOLS.engines.add(database(app).engine)
    yield


def _install(app: FastAPI, settings: Settings) -> None:
    # Counted in the request context's pass over each request (observability), not a layer.
    app.state.request_observers.append(RequestMetrics(per_tenant=settings.metrics_per_tenant))


feature = Feature(routers=[router], lifespan=_watch_pool, install=_install)
