"""The slowest queries PostgreSQL has run, from pg_stat_statements: `make slow-queries`.

`python -m <package>.slow_queries [--by mean|total] [--limit N] [--width N] [--reset]`, as the
service's role, straight to PostgreSQL (`DATABASE_DIRECT_URL`, else DATABASE_URL): the
statements of the service's role (a role granted pg_read_all_stats sees every role's).
Each line: calls, total and mean time in milliseconds, rows, the query (normalised by
PostgreSQL: `$1` for each value, so no request's data is shown).
"""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url

from .settings import get_settings

HOW_TO_ENABLE = (
    "pg_stat_statements is not enabled on this database ({error}). Enable it:\n"
    "  1. load it at server start: shared_preload_libraries = 'pg_stat_statements' in\n"
    "     postgresql.conf (compose.yaml passes `-c shared_preload_libraries=pg_stat_statements`;\n"
    "     managed PostgreSQL: the instance's parameter group or flags), then restart PostgreSQL;\n"
    "  2. as a superuser, in this database: CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n"
    "     (`make database` and deploy/postgres/init-app-role.sh do this)."
)
ORDER = {"mean": "mean_exec_time", "total": "total_exec_time"}
QUERY = """
SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, rows, query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY {order} DESC
LIMIT $1
"""
# The extension is missing, or its library was not preloaded.
NOT_ENABLED = (asyncpg.UndefinedTableError, asyncpg.ObjectNotInPrerequisiteStateError)


class NotEnabled(Exception):
    """pg_stat_statements cannot be read in this database."""


@dataclass(frozen=True)
class Statement:
    calls: int
    total_ms: float
    mean_ms: float
    rows: int
    query: str


async def slowest(dsn: str, by: str = "mean", limit: int = 20) -> list[Statement]:
    """The `limit` statements of this database with the highest `by` (mean or total) time."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await connection.fetch(QUERY.format(order=ORDER[by]), limit)
    except NOT_ENABLED as error:
        raise NotEnabled(str(error)) from error
    finally:
        await connection.close()
    return [Statement(**dict(row)) for row in rows]


async def reset(dsn: str) -> None:
    """Forget the statistics (needs a superuser, or EXECUTE on pg_stat_statements_reset)."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute("SELECT pg_stat_statements_reset()")
    except NOT_ENABLED as error:
        raise NotEnabled(str(error)) from error
    finally:
        await connection.close()


def one_line(query: str, width: int) -> str:
    """The query on one line, cut at `width` characters."""
    flat = " ".join(query.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def table(statements: Sequence[Statement], width: int = 100) -> str:
    header = f"{'calls':>9} {'total ms':>12} {'mean ms':>10} {'rows':>10}  query"
    lines = [header]
    for statement in statements:
        lines.append(
            f"{statement.calls:>9} {statement.total_ms:>12.1f} {statement.mean_ms:>10.2f} "
            f"{statement.rows:>10}  {one_line(statement.query, width)}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--by", choices=sorted(ORDER), default="mean", help="order by (mean)")
    parser.add_argument("--limit", type=int, default=20, help="how many statements (20)")
    parser.add_argument("--width", type=int, default=100, help="query text cut at (100)")
    parser.add_argument("--reset", action="store_true", help="forget the statistics instead")
    parser.add_argument("--url", help="a PostgreSQL URL (default: the service's, direct)")
    args = parser.parse_args(argv)
    url = args.url or get_settings().direct_url
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        if args.reset:
            asyncio.run(reset(dsn))
            print("pg_stat_statements: statistics reset")
            return 0
        statements = asyncio.run(slowest(dsn, args.by, args.limit))
    except NotEnabled as error:
        print(HOW_TO_ENABLE.format(error=error), file=sys.stderr)
        return 2
    print(table(statements, args.width))
    return 0


if __name__ == "__main__":
    sys.exit(main())
