"""Smoke runs of the benchmarks in bench/: each completes and prints its tables of results.

The numbers of a smoke run mean nothing (a second per run, a few hundred rows); the real runs
and their results are in docs/performance.md. The load generator is the benchmarks' own
(bench/loadgen.py): nothing beyond the template's environment, PostgreSQL and Redis is needed,
and for events.py RabbitMQ and NATS JetStream.
"""

import os
import re
import sys

import pytest

from tests.conftest import REPO, run

Table = list[dict[str, str]]


def run_bench(script: str, *arguments: str, timeout: float = 300) -> str:
    """Run bench/<script> with the template's interpreter; fail with its output if it fails."""
    command = [sys.executable, str(REPO / "bench" / script), *arguments]
    return run(command, REPO, timeout=timeout)


def tables(output: str) -> list[Table]:
    """The Markdown tables of an output, each as a list of {header: cell} rows."""
    found: list[Table] = []
    header: list[str] | None = None
    for line in [*output.splitlines(), ""]:
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            found.append([])
        elif not set(line) <= set("|- "):
            found[-1].append(dict(zip(header, cells, strict=True)))
    return found


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


ENDPOINTS = [
    "GET /health/live",
    "GET /projects/{id}, cached",
    "GET /projects/{id}, uncached",
    "GET /projects?limit=50",
    "POST /projects",
]


def test_service_benchmark_runs_against_the_floor() -> None:
    output = run_bench(
        "service.py", "--quick", "--rounds", "2", "--connections", "8", "--timeout", "10"
    )
    summary, runs = tables(output)[:2]
    assert [row["endpoint"] for row in summary] == ENDPOINTS
    for row in summary:
        for column in ("service CPU ms/req", "floor CPU ms/req", "CPU ratio", "p99 ratio"):
            assert number(row[column]) > 0, row
        assert number(row["service req/s"]) > 0, row
        assert number(row["floor req/s"]) > 0, row
        assert row["service timeouts"] == "0", row
        # Each target is judged, met or not, with its margin.
        for target in ("CPU <= 1.5x", "0 timeouts", "p99 <= 3x"):
            assert row[target].startswith(("yes", "NO")), row
    # A B A B: both servers loaded on every endpoint, two rounds each, without an error.
    assert [(row["endpoint"], row["server"]) for row in runs] == [
        (endpoint, server) for endpoint in ENDPOINTS for server in ("service", "floor")
    ]
    for row in runs:
        assert row["runs"] == "2", row
        assert number(row["req/s"]) > 0, row
        assert number(row["p99 ms"]) > 0, row
        assert number(row["CPU ms/req"]) > 0, row
        assert row["errors"] == "0", row
        assert row["timeouts"] == "0", row
    assert "Resident memory (VmRSS) of the service worker" in output
    assert "growth across the run" in output
    assert "Targets of issue 14" in output


def test_service_benchmark_runs_with_a_database_per_tenant() -> None:
    """The floor reads and writes each tenant's database through a pool of its own, and a
    create writes its outbox event there as the service's does (the run stops if not)."""
    output = run_bench(
        "service.py",
        *("--quick", "--rounds", "1", "--connections", "8", "--timeout", "10"),
        *("--tenancy", "database", "--events", "nats", "--only", "uncached", "create"),
    )
    assert "tenancy database, cache redis, events nats" in output
    summary, runs = tables(output)[:2]
    assert [row["endpoint"] for row in summary] == [ENDPOINTS[2], ENDPOINTS[4]]
    assert [row["server"] for row in runs] == ["service", "floor"] * 2
    for row in runs:
        assert number(row["req/s"]) > 0, row
        assert number(row["CPU ms/req"]) > 0, row
        assert row["errors"] == "0", row
        assert row["timeouts"] == "0", row


def test_depth_benchmark_runs() -> None:
    output = run_bench("depth.py", "--rows", "2000", "--repeats", "5")
    (pages,) = tables(output)
    first, deep = pages
    assert first["page"] == "first page"
    assert deep["page"] == "page 21 (after row 1,000)"
    for row in pages:
        assert number(row["median ms"]) > 0, row
        assert number(row["ratio to first"]) > 0, row
    assert "Walked 20 pages to depth 1,000" in output
    assert "PostgreSQL plan of the deep page" in output


def test_render_benchmark_runs() -> None:
    output = run_bench("render.py", "--quick")
    (renders,) = tables(output)
    cases = ("floor", "one question", "Groundwork, default answers", "Groundwork, everything")
    assert sorted((row["mode"], row["case"]) for row in renders) == sorted(
        (mode, row["case"]) for mode in ("in-process", "CLI") for row in renders[:4]
    )
    for row, case in zip(renders, [*cases, *cases], strict=True):
        assert row["case"].startswith(case), row
    for row in renders:
        assert number(row["median ms"]) > 0, row
        assert number(row["ratio to floor"]) > 0, row


def test_tenancy_benchmark_runs() -> None:
    output = run_bench(
        "tenancy.py",
        *("--tenants", "1", "2", "--hot", "1", "--projects", "20", "--delete", "1"),
        *("--duration", "1", "--warmup", "0", "--connections", "8", "--timeout", "10"),
        timeout=600,
    )
    creations, loads, migrations, deletions = tables(output)
    modes = ("shared", "schema", "database")
    assert [(row["mode"], row["tenants"]) for row in creations] == [
        (mode, tenants) for mode in modes for tenants in ("#1", "#2")
    ]
    for row in creations:
        assert row["count"] == "1", row
        assert number(row["median ms"]) > 0, row
    runs = [
        ("1", "GET /projects/{id}", "all 1"),
        ("1", "GET /projects?limit=50", "all 1"),
        ("2", "GET /projects/{id}", "1 of 2 (hot set)"),
        ("2", "GET /projects/{id}", "all 2"),
        ("2", "GET /projects?limit=50", "1 of 2 (hot set)"),
        ("2", "GET /projects?limit=50", "all 2"),
    ]
    assert [(row["mode"], row["tenants"], row["request"], row["spread over"]) for row in loads] == [
        (mode, *run) for mode in modes for run in runs
    ]
    for row in loads:
        assert number(row["req/s"]) > 0, row
        assert number(row["p99 ms"]) > 0, row
        assert row["errors"] == "0", row  # a 404 would mean a request reached the wrong tenant
        assert number(row["peak conns"]) > 0, row
        assert number(row["RSS MiB"]) > 0, row
    assert [(row["mode"], row["tenants"]) for row in migrations] == [
        (mode, tenants) for mode in ("schema", "database") for tenants in ("1", "2")
    ]
    assert [(row["mode"], row["deleted"]) for row in deletions] == [(mode, "1") for mode in modes]
    assert "No errors." in output
    # Everything the run created is gone: its databases, the tenants' databases, the roles.
    names = re.findall(r"\b(bench_[0-9a-f]{8}) \((?:shared|schema|database)\)", output)
    assert len(names) == len(modes), output
    admin_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    for name in names:
        query = (
            f"SELECT datname FROM pg_database WHERE starts_with(datname, '{name}') "
            f"UNION ALL SELECT rolname FROM pg_roles WHERE starts_with(rolname, '{name}')"
        )
        left = run(["psql", admin_url, "-XAtc", query], REPO)
        assert left.strip() == "", f"left behind by the run: {left}"


@pytest.mark.parametrize("broker", ["rabbitmq", "nats"])
def test_events_benchmark_runs(broker: str) -> None:
    output = run_bench("events.py", "--quick", "--broker", broker)
    drains, steadies = tables(output)
    brokers = [{"rabbitmq": "RabbitMQ", "nats": "NATS JetStream"}[broker]]
    assert [row["broker"] for row in drains] == brokers
    for row in drains:
        # At least once and idempotent: the projection counts every project exactly once.
        assert row["backlog"] == "200", row
        assert row["projected"] == "200", row
        for column in ("creates/s", "drain s", "relayed/s", "consumed/s"):
            assert number(row[column]) > 0, row
        assert number(row["worker CPU"].removesuffix("%")) > 0, row
    assert [row["broker"] for row in steadies] == brokers
    for row in steadies:
        assert row["created"] == "60", row  # 20/s for 3 s, none refused
        assert row["projected"] == row["created"], row
        assert row["errors"] == "0", row
        assert number(row["consumed/s"]) > 0, row
        assert 0 < number(row["lag p50 ms"]) <= number(row["lag p99 ms"]), row
        assert number(row["lag p99 ms"]) <= number(row["lag max ms"]), row
        assert 0 <= number(row["relay p50 ms"]) <= number(row["lag p50 ms"]), row
    assert "Every project created was one outbox event" in output
