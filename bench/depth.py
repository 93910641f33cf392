"""Cursor pagination at depth: is page 10,001 as fast as page 1?

Renders and serves the default multi-tenant service (as bench/service.py does), inserts
1,000,000 projects of one tenant with SQL (time-ordered UUIDv7 keys, built in SQL from a clock
and random bytes), then follows `next_cursor` from the first page down to row 500,000 through
the API (page size 50: 10,000 requests). Then it times the first page and the page at that
depth, alternating, and reports the ratio of their medians (target: at most 1.2).

    uv run python bench/depth.py                 # 1,000,000 rows, depth 500,000
    uv run python bench/depth.py --rows 2000     # a smoke run
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import benchlib
from benchlib import BenchError, Client, log, table

SLUG = "bench-depth"
OTHER_SLUG = "bench-other"
TARGET_RATIO = 1.2


@dataclass(frozen=True)
class Timings:
    """Latencies of one page, in milliseconds, one per repeat."""

    label: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.samples, n=10)[-1] if len(self.samples) > 1 else 0.0


@dataclass(frozen=True)
class DepthResult:
    rows: int
    other_tenant_rows: int
    depth: int
    page_size: int
    walk_requests: int
    walk_seconds: float
    first: Timings
    deep: Timings
    plans: dict[str, str]
    connection: str = "direct"  # how the service reaches PostgreSQL

    @property
    def ratio(self) -> float:
        return self.deep.median / self.first.median if self.first.median else 0.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="projects (1,000,000)")
    parser.add_argument("--depth", type=int, help="rows to page past (default: half the rows)")
    parser.add_argument(
        "--other-tenant-rows",
        type=int,
        default=0,
        help="projects of a second tenant, all newer than the measured tenant's (0)",
    )
    parser.add_argument("--page-size", type=int, default=50, help="items per page (50)")
    parser.add_argument("--repeats", type=int, default=51, help="timed requests of each page (51)")
    benchlib.add_database_options(parser)
    benchlib.add_common_options(parser)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.depth is None:
        args.depth = args.rows // 2
    if not 0 < args.depth < args.rows:
        parser.error("--depth must be between 1 and --rows - 1")
    if args.depth % args.page_size:
        parser.error("--depth must be a multiple of --page-size")
    return args


def page_path(size: int, cursor: str | None = None) -> str:
    query = {"limit": str(size)} | ({"cursor": cursor} if cursor else {})
    return "/api/v1/projects?" + urllib.parse.urlencode(query)


def walk(client: Client, size: int, depth: int) -> tuple[str, int, float]:
    """Follow cursors from the first page until `depth` rows have been read; return the cursor
    of the next page, the number of requests and the seconds it took."""
    cursor: str | None = None
    seen = requests = 0
    started = time.perf_counter()
    while seen < depth:
        page = client.expect("GET", page_path(size, cursor))
        requests += 1
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            raise BenchError(f"the list ended after {seen:,} rows, before depth {depth:,}")
        if requests % 1000 == 0:
            log(f"  {seen:,} rows deep")
    if cursor is None:
        raise BenchError("no page was read")
    return cursor, requests, time.perf_counter() - started


def time_pages(client: Client, size: int, cursor: str, repeats: int) -> tuple[Timings, Timings]:
    """Alternate the first page and the deep page; a few untimed rounds first."""
    first_path, deep_path = page_path(size), page_path(size, cursor)
    first: list[float] = []
    deep: list[float] = []
    for round_number in range(repeats + 5):
        for path, samples in ((first_path, first), (deep_path, deep)):
            started = time.perf_counter()
            page = client.expect("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            if len(page["items"]) != size:
                raise BenchError(f"{path} returned {len(page['items'])} items, not {size}")
            if round_number >= 5:
                samples.append(elapsed)
    return Timings("first page", first), Timings("deep page", deep)


def explain(database: benchlib.Database, tenant_id: str, cursor: str, size: int) -> dict[str, str]:
    """PostgreSQL's plans of both pages, as the application role with the tenant set."""
    padded = cursor + "=" * (-len(cursor) % 4)
    after = str(uuid.UUID(bytes=base64.urlsafe_b64decode(padded)))  # pagination.encode_cursor
    app_url = database.app_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    plans = {}
    for label, where in (("first page", ""), ("deep page", f"WHERE id < '{after}' ")):
        output = benchlib.psql(
            app_url,
            "BEGIN;\n"
            f"SELECT set_config('app.tenant_id', '{tenant_id}', true);\n"
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            f"SELECT * FROM projects {where}ORDER BY id DESC LIMIT {size + 1};\n"
            "COMMIT;\n",
        )
        plans[label] = "\n".join(line for line in output.splitlines()[1:] if line.strip())
    return plans


def run(args: argparse.Namespace, workdir: Path, commit: str) -> DepthResult:
    with benchlib.deployment(
        workdir,
        vcs_ref=args.vcs_ref,
        commit=commit,
        pooler=args.pooler,
        pooler_size=args.pooler_size,
        replica=args.replica,
    ) as deployed:
        port = deployed.service.port
        email = benchlib.register_tenant(port, SLUG)
        tenant_id, user_id = benchlib.tenant_and_user(deployed.database, SLUG)
        sql = benchlib.seed_projects_sql(
            tenant_id, user_id, args.rows, newer_rows=args.other_tenant_rows
        )
        if args.other_tenant_rows:
            benchlib.register_tenant(port, OTHER_SLUG)
            other_tenant, other_user = benchlib.tenant_and_user(deployed.database, OTHER_SLUG)
            sql += benchlib.seed_projects_sql(other_tenant, other_user, args.other_tenant_rows)
        log(f"inserting {args.rows:,} projects (and {args.other_tenant_rows:,} of another tenant)")
        started = time.perf_counter()
        benchlib.psql(deployed.database.admin_url, sql + "VACUUM ANALYZE projects;\n")
        log(f"inserted in {time.perf_counter() - started:.1f} s")
        deployed.wait_for_replica()
        client = Client(port, token=benchlib.login(port, email))
        try:
            log(f"following cursors to depth {args.depth:,}")
            cursor, requests, seconds = walk(client, args.page_size, args.depth)
            log(f"{requests:,} pages in {seconds:.1f} s")
            first, deep = time_pages(client, args.page_size, cursor, args.repeats)
        finally:
            client.close()
        plans = explain(deployed.database, tenant_id, cursor, args.page_size)
    return DepthResult(
        rows=args.rows,
        other_tenant_rows=args.other_tenant_rows,
        depth=args.depth,
        page_size=args.page_size,
        walk_requests=requests,
        walk_seconds=seconds,
        first=first,
        deep=deep,
        plans=plans,
        connection=connection_label(args),
    )


def connection_label(args: argparse.Namespace) -> str:
    """How the service reaches PostgreSQL: direct, through PgBouncer, with a read replica."""
    parts = [f"through PgBouncer ({args.pooler_size} server connections)"] * (
        args.pooler == "pgbouncer"
    )
    parts += ["pages read from a streaming replica"] * args.replica
    return ", ".join(parts) or "direct"


def report(result: DepthResult, commit: str) -> str:
    met = result.ratio <= TARGET_RATIO
    deep_page = result.depth // result.page_size + 1
    other = ""
    if result.other_tenant_rows:
        other = f" (and {result.other_tenant_rows:,} newer ones of another tenant)"
    lines = [
        (
            f"Depth benchmark: Groundwork {commit}, tenancy shared, {result.connection}; "
            f"{result.rows:,} projects in "
            f"one tenant{other}, page size {result.page_size}; {benchlib.machine_summary()}; "
            f"load average {benchlib.load_average()}"
        ),
        "",
        (
            f"Walked {result.walk_requests:,} pages to depth {result.depth:,} in "
            f"{result.walk_seconds:.1f} s ({result.walk_seconds / result.walk_requests * 1000:.2f}"
            " ms a page)."
        ),
        "",
        table(
            ["page", "repeats", "median ms", "p90 ms", "min ms", "ratio to first", "target", "met"],
            [
                [
                    "first page",
                    str(len(result.first.samples)),
                    f"{result.first.median:.2f}",
                    f"{result.first.p90:.2f}",
                    f"{min(result.first.samples):.2f}",
                    "1.00",
                    "",
                    "",
                ],
                [
                    f"page {deep_page:,} (after row {result.depth:,})",
                    str(len(result.deep.samples)),
                    f"{result.deep.median:.2f}",
                    f"{result.deep.p90:.2f}",
                    f"{min(result.deep.samples):.2f}",
                    f"{result.ratio:.2f}",
                    f"<= {TARGET_RATIO}",
                    "yes" if met else "NO",
                ],
            ],
        ),
    ]
    for label, plan in result.plans.items():
        lines += ["", f"PostgreSQL plan of the {label} (as the application role):", ""]
        lines += [f"    {line}" for line in plan.splitlines()]
    lines += ["", "Target met." if met else f"Target missed: ratio {result.ratio:.2f} > 1.2."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.require_tools("psql", "uv", "git")
    commit = benchlib.template_commit(args.vcs_ref)
    with benchlib.workspace(keep=args.keep) as workdir:
        result = run(args, workdir, commit)
    print(report(result, commit), flush=True)
    if args.json:
        data: dict[str, Any] = {"commit": commit, "ratio": result.ratio} | asdict(result)
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    benchlib.run_script(main)
