"""How the service's pooled connections behave: callers served in order and connections kept once
opened, a transaction's settings sent with its BEGIN, one round trip to check a connection out.

SQLAlchemy's pool and asyncpg's connection alone cost requests under load (waits of seconds,
reopened connections, round trips of their own); `db.create_engine` wires these in instead.
"""

import asyncio
import re
from collections.abc import Mapping
from typing import Any, cast
from uuid import uuid4

import asyncpg
from sqlalchemy import Connection, Executable, event, func, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_only


class CountingPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's async queue pool, served first come, first served, counting the waiters and
    keeping the connections it opens.

    The queue pool alone lets a caller that arrives as a connection comes back take it ahead of
    one woken to take it, which then waits again at the back: under load a few requests wait
    seconds while most wait milliseconds. A FIFO semaphore of the pool's capacity (asyncio's is
    fair) orders the callers before they reach the queue, which then never makes them wait.

    It also closes an overflow connection whenever one comes back to a queue holding
    `pool_size` idle ones, which under load happens each time the event loop is slow to hand
    connections on; the next request opens another (a PostgreSQL process forked, TLS tried):
    once every 50 requests at 64 clients, measured. So the queue holds all `pool_size +
    max_overflow`, opened as needed and then kept; `overflow()` counts those past `pool_size`.
    """

    def __init__(self, creator: Any, pool_size: int = 5, max_overflow: int = 10, **kwargs: Any):
        capacity = pool_size + max(max_overflow, 0)
        super().__init__(creator, pool_size=capacity, max_overflow=0, **kwargs)
        self.base_size = pool_size
        self.waiting = 0
        self._turns = asyncio.Semaphore(capacity)

    def recreate(self) -> "CountingPool":
        pool = cast("CountingPool", super().recreate())  # sized to this pool's capacity
        pool.base_size = self.base_size
        return pool

    def overflow(self) -> int:
        opened = self.size() + self._overflow  # the queue pool counts up from -size
        return max(opened - self.base_size, 0)

    def _do_get(self) -> Any:  # the pool's documented extension points
        self.waiting += 1
        try:
            await_only(self._take_turn())
        finally:
            self.waiting -= 1
        try:
            return super()._do_get()
        except BaseException:
            self._turns.release()
            raise

    def _do_return_conn(self, record: Any) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self._turns.release()

    async def _take_turn(self) -> None:
        if not self._turns.locked():  # a connection is free: no waiting, no timer
            await self._turns.acquire()
            return
        try:
            async with asyncio.timeout(self._timeout):  # a timer, not a task per wait
                await self._turns.acquire()
        except TimeoutError:
            pool = f"size {self.base_size}, overflow {self.size() - self.base_size}"
            raise PoolTimeoutError(
                f"No connection of the pool ({pool}) came free within {self._timeout:g} s"
            ) from None


class _Connection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg ships no types
    """asyncpg's connection, sending what a transaction must start with in its BEGIN's round trip.

    `begin_with` fills `starting`; the transaction's BEGIN (asyncpg's `Transaction.start`, which
    SQLAlchemy sends before the transaction's first statement) carries it as a second statement
    of the same simple query. Nothing else is ever sent with it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starting: dict[str, str] = {}

    async def execute(  # asyncpg's signature
        self,
        query: str,
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> str:
        if args or not self.starting or not query.startswith("BEGIN"):
            status: str = await super().execute(query, *args, timeout=timeout)
            return status
        query = f"{query} {settings_sql(self.starting)}"
        self.starting = {}
        try:
            status = await super().execute(query, timeout=timeout)
        except BaseException:
            # BEGIN may have run without the settings: this connection must never be reused.
            self.terminate()
            raise
        return status


_SETTING_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def settings_sql(settings: Mapping[str, str]) -> str:
    """One statement setting each of `settings` for the current transaction only
    (`set_config(name, value, true)`, what `SET LOCAL` does), its values quoted as literals."""

    def literal(value: str) -> str:
        # standard_conforming_strings is on (PostgreSQL's default since 9.1): a doubled quote is
        # the only escape a literal has, and no value can end it early.
        if "\x00" in value:
            raise ValueError("A setting cannot hold a NUL character.")
        return "'" + value.replace("'", "''") + "'"

    calls = []
    for name, value in settings.items():
        if not _SETTING_NAME.match(name):
            raise ValueError(f"Not a setting's name: {name!r}")
        calls.append(f"set_config({literal(name)}, {literal(value)}, true)")
    return f"SELECT {', '.join(calls)};"


def set_configs(settings: Mapping[str, str]) -> Executable:
    """`settings` for the rest of the current transaction, as a statement of its own."""
    return select(*(func.set_config(name, value, True) for name, value in settings.items()))


def begin_with(connection: Connection, settings: Mapping[str, str]) -> None:
    """Have `settings` in force for `connection`'s transaction, from its first statement on,
    local to it (gone at COMMIT or ROLLBACK).

    Before the transaction has reached PostgreSQL, they travel with its BEGIN: no round trip of
    their own. Otherwise (it already began, or the connection is no `_Connection`, or it is in
    autocommit) they are set now, with a statement of their own.
    """
    adapted = connection.connection.dbapi_connection
    driver = connection.connection.driver_connection
    if (
        isinstance(driver, _Connection)
        and getattr(adapted, "_transaction", False) is None  # SQLAlchemy sends BEGIN lazily
        and not getattr(adapted, "autocommit", True)
    ):
        driver.starting.update(settings)
    else:
        connection.execute(set_configs(settings))


def _forget_unsent(connection: Connection) -> None:
    """A transaction that ended without reaching PostgreSQL leaves nothing for the next."""
    if connection.invalidated or connection.closed:
        return  # its driver connection is discarded, and what waited on it with it
    driver = connection.connection.driver_connection
    if isinstance(driver, _Connection):
        driver.starting = {}


def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A checked-out connection answers, or the pool replaces it: what `pool_pre_ping` does,
    in one round trip (a simple query, nothing prepared) instead of its BEGIN, query and
    ROLLBACK."""
    try:
        await_only(record.driver_connection.execute("SELECT 1"))
    except Exception as error:  # any failure: the connection is not worth keeping
        raise DisconnectionError from error


def connect_args(*, through_pgbouncer: bool) -> dict[str, Any]:
    """asyncpg's arguments for each connection the pool opens."""
    args: dict[str, Any] = {"connection_class": _Connection}
    if through_pgbouncer:
        # The next transaction may run on another server connection, shared with other
        # clients, and PgBouncer 1.18 does not track prepared statements: none is cached per
        # connection, and each gets a name no other client can have prepared.
        args |= {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4().hex}__",
        }
    return args


def add_listeners(engine: AsyncEngine) -> None:
    """Each checkout pinged; settings a transaction never sent forgotten when it ends."""
    event.listen(engine.sync_engine, "checkout", _ping)
    event.listen(engine.sync_engine, "commit", _forget_unsent)
    event.listen(engine.sync_engine, "rollback", _forget_unsent)
