"""Read replicas: reads that may lag go to a streaming replica of the primary.

A route reads from the replica through `ReadSession` (auth.deps) unless one of these holds, and
then from the primary, with no error to the caller:
- the caller wrote within `READ_YOUR_WRITES_SECONDS` (a mark in Redis, so every process knows);
- the replica's lag, measured every `REPLICA_LAG_CHECK_SECONDS`, exceeds
  `REPLICA_MAX_LAG_SECONDS`, or it could not be measured (the replica is out of reach);
- connecting to the replica fails (it is marked down until the next successful measurement).
Without `DATABASE_REPLICA_URL` every read goes to the primary. The choice is made at the read's
first query: a request that makes none (a cache hit) asks neither Redis nor the replica anything.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Self

import structlog
from fastapi import FastAPI
from pydantic import Field, PostgresDsn, model_validator
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from . import db
from .config import ServiceSettings
from .features import Feature
from .redis_store import RedisCache
from .signals import replica_measured

logger = structlog.get_logger("replicas")

# The replica's delay behind the primary: none when it has replayed all it received, else the
# age of the last transaction it replayed (which grows while replay waits).
LAG = text(
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # any other committed request wrote
Open = Callable[[async_sessionmaker[AsyncSession]], AbstractAsyncContextManager[AsyncSession]]


class Settings(ServiceSettings):
    # Unset: every read goes to the primary (development, or a replica not yet built).
    database_replica_url: PostgresDsn | None = None
    read_your_writes_seconds: float = Field(default=5, gt=0)
    replica_max_lag_seconds: float = Field(default=2, ge=0)
    replica_lag_check_seconds: float = Field(default=1, gt=0)

    @model_validator(mode="after")
    def _lag_inside_window(self) -> Self:
        # A caller's write must reach the replica before its window ends, or it could read
        # older data than it wrote once the window is over.
        if self.replica_max_lag_seconds >= self.read_your_writes_seconds:
            raise ValueError("REPLICA_MAX_LAG_SECONDS must be below READ_YOUR_WRITES_SECONDS")
        return self


class Replica:
    """The replica's engine, and whether it may serve reads right now."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.max_lag = settings.replica_max_lag_seconds
        self.lag: float | None = None  # None: not measured yet, or out of reach

    @property
    def usable(self) -> bool:
        return self.lag is not None and self.lag <= self.max_lag

    async def measure(self) -> None:
        try:
            async with self.engine.connect() as connection:
                lag = (await connection.execute(LAG)).scalar_one()
        except (SQLAlchemyError, OSError) as error:
            if self.lag is not None:
                logger.warning("replica_unavailable", error=type(error).__name__)
            self.lag = None
        else:
            self.lag = float(lag or 0)
        replica_measured.send(self.lag)

    def failed(self, error: BaseException) -> None:
        """A read could not reach the replica: the primary serves until it is measured again."""
        logger.warning("replica_unavailable", error=type(error).__name__, fallback="primary")
        self.lag = None
        replica_measured.send(None)


class _ReadSession(Session):
    """The session of a read, bound to the primary until its first query: SQLAlchemy then asks
    for its bind (in the greenlet its queries run in), and `choose` names the replica's
    connection, or None for the primary. A request that never queries chooses nothing."""

    choose: Callable[[], Connection | None] | None = None  # set by `read_transaction`
    _replica: Connection | None = None  # chosen: this session's own, closed with it

    def get_bind(self, mapper: Any = None, **kw: Any) -> Engine | Connection:
        if self.choose is not None:
            choose, self.choose = self.choose, None
            self._replica = choose()
            if self._replica is not None:
                self.info[db.MAY_LAG] = True
        if self._replica is not None:
            return self._replica
        return super().get_bind(mapper, **kw)

    def close(self) -> None:
        try:
            super().close()  # ends the transaction, which a connection passed as bind outlives
        finally:
            if self._replica is not None:
                self._replica.close()
                self._replica = None


class Reads:
    """Where the reads of this service's callers go."""

    def __init__(self, app: FastAPI, replica: Replica | None, settings: Settings) -> None:
        self.app = app
        self.replica = replica
        self.window_ms = int(settings.read_your_writes_seconds * 1000)
        self.sessions = async_sessionmaker(
            db.database(app).engine, expire_on_commit=False, sync_session_class=_ReadSession
        )

    @property
    def cache(self) -> RedisCache:
        # Redis starts after the database's features: looked up when a request needs it.
        cache: RedisCache = self.app.state.cache
        return cache

    def _mark(self, caller: str) -> str:
        return f"{self.cache.namespace}:wrote:{caller}"

    async def wrote(self, caller: str) -> None:
        """`caller` committed a write: its reads go to the primary for the window."""
        key = self._mark(caller)
        await self.cache.breaker.call(
            "wrote", lambda: self.cache.client.set(key, 1, px=self.window_ms)
        )

    async def wrote_lately(self, caller: str) -> bool:
        key = self._mark(caller)
        answered, found = await self.cache.breaker.call(
            "wrote?", lambda: self.cache.client.exists(key)
        )
        return not answered or bool(found)  # Redis out of reach: the primary, to be safe

    def replica_for(self, caller: str) -> Connection | None:
        """A connection to the replica when it may serve `caller` now, else None: the primary.

        Called from a session's first query, in SQLAlchemy's greenlet (hence `await_only`).
        """
        replica = self.replica
        if replica is None or not replica.usable or await_only(self.wrote_lately(caller)):
            return None
        try:
            # Connect now: a replica out of reach is known while the primary can still serve.
            return replica.engine.sync_engine.connect()
        except Exception as error:
            if not db.unavailable(error):
                raise
            replica.failed(error)
            return None


def reads(app: FastAPI) -> Reads:
    opened: Reads = app.state.reads
    return opened


def remember_write(app: FastAPI, session: AsyncSession, caller: str) -> None:
    """Once `session` commits, `caller`'s reads go to the primary for the window."""
    db.after_commit(session, lambda: reads(app).wrote(caller))


@asynccontextmanager
async def read_transaction(app: FastAPI, caller: str, open_: Open) -> AsyncIterator[AsyncSession]:
    """A transaction opened by `open_` (which scopes it as the caller's others are) that reads
    from the replica when, at its first query, the replica may serve `caller`, else from the
    primary."""
    serving = reads(app)
    async with open_(serving.sessions) as session:
        sync_session = session.sync_session
        assert isinstance(sync_session, _ReadSession)  # made by `serving.sessions`
        sync_session.choose = lambda: serving.replica_for(caller)
        yield session


async def _measure(replica: Replica, every: float) -> None:
    while True:
        await replica.measure()
        await asyncio.sleep(every)


@asynccontextmanager
async def _lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    if settings.database_replica_url is None:
        app.state.reads = Reads(app, None, settings)
        yield
        return
    # The primary's engine options (the service's settings are the database's too), read-only.
    url = settings.database_replica_url.unicode_string()
    engine = db.create_engine(app.state.settings, url=url, read_only=True)
    replica = Replica(engine, settings)
    app.state.reads = Reads(app, replica, settings)
    task = asyncio.create_task(_measure(replica, settings.replica_lag_check_seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.dispose()


# No readiness check: a replica out of reach costs nothing but the primary's capacity (the lag
# metric, NaN then, shows it), and readiness must not fail while the primary serves every read.
feature = Feature(lifespan=_lifespan)
