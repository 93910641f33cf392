"""The floor of the service benchmark: the work of each measured endpoint, written by hand.

The same packages as the generated service (FastAPI, asyncpg directly, redis-py, PyJWT) and
nothing else, served exactly like it (one uvicorn worker, uvloop, httptools, no access log) from
the generated project's virtualenv, with the service's own environment, so that the service's
tokens and load files drive both:

    <project>/.venv/bin/python -m uvicorn --factory floor:create_app --app-dir bench ...

What each route does, and nothing more (issue 14):
- `GET /health/live`: constant JSON.
- every `/api/v1/projects` route: verify the access token as the service does (HS256 only,
  issuer, `iss sub jti typ iat exp` required, `typ` access), refuse a tenant that is not active
  (its status remembered for TENANT_STATUS_TTL_SECONDS, as the service's directory does), and
  count the request against the caller's API limit with the service's command: the `limits`
  package's sliding-window Lua script, same keys (HMAC of the user id), same arguments.
- `GET /api/v1/projects/{id}`: the service's versioned cache-aside entry (one EVALSHA of the
  same read script, tenant-scoped key of the same format); on a miss, a pooled asyncpg
  connection, one transaction that sets `app.tenant_id` with set_config(..., true) as the
  application role under row-level security and selects the row, then the same fill script
  (same TTL). A hit returns the cached bytes as they are.
- `GET /api/v1/projects?limit=&cursor=`: the same transaction with the keyset query (the service
  does not cache lists).
- `POST /api/v1/projects`: the member role, a validated body, one transaction that sets the
  tenant and inserts the row (a UUIDv7 key, RETURNING the server's defaults); 201 with the row.
  With `EVENTS` (rabbitmq, nats) the same transaction also writes the `project.created` row of
  the outbox, as the service's does (`Outbox`); with `JOBS=procrastinate` it also enqueues the
  service's `announce_project` job with procrastinate's own query (`Jobs`).

Tenancy `TENANCY=shared` (the default multi-tenant service: row-level security reads
`app.tenant_id`), `schema` (also the tenant's schema `tenant_<hex>` first on the search path,
as the service sets it) or `database` (the tenant's rows in a database of its own, reached
through a pool per tenant database, `TenantDatabases`, sized like the service's engines; the
tenants' statuses stay in the catalog, `DATABASE_URL`). With `DATABASE_POOLER=pgbouncer` no
statement is cached per connection and the statement timeout is set per transaction. Whatever the transaction needs
set is set in one statement, one round trip (the service spends one per setting). With `DATABASE_REPLICA_URL` reads that may lag go to the replica unless the
caller wrote within READ_YOUR_WRITES_SECONDS (the service's Redis mark) or the replica's lag,
measured every REPLICA_LAG_CHECK_SECONDS, exceeds REPLICA_MAX_LAG_SECONDS; as in the service, a
row read from the replica is not stored in the cache.

The packages live in the generated project, not in the template's environment: hence the
untyped imports, and no decorators (mypy rejects them on untyped objects).
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-not-found, unused-ignore]
import fastapi  # type: ignore[import-not-found, unused-ignore]
import jwt  # type: ignore[import-not-found, unused-ignore]
from fastapi import Request  # type: ignore[import-not-found, unused-ignore]
from redis.asyncio import Redis  # type: ignore[import-not-found, unused-ignore]
from redis.asyncio.retry import Retry  # type: ignore[import-not-found, unused-ignore]
from redis.backoff import NoBackoff  # type: ignore[import-not-found, unused-ignore]
from redis.exceptions import (  # type: ignore[import-not-found, unused-ignore]
    NoScriptError,
    RedisError,
)
from uuid_utils.compat import uuid7  # type: ignore[import-not-found, unused-ignore]

V1 = "/api/v1"
COLUMNS = "id, name, description, status, created_at, updated_at, created_by, updated_by"
READ = f"SELECT {COLUMNS} FROM projects WHERE id = $1"
FIRST_PAGE = f"SELECT {COLUMNS} FROM projects ORDER BY id DESC LIMIT $1"
NEXT_PAGE = f"SELECT {COLUMNS} FROM projects WHERE id < $1 ORDER BY id DESC LIMIT $2"
INSERT = (
    "INSERT INTO projects (id, name, description, created_by, updated_by) "
    f"VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
)
TENANCIES = ("shared", "schema", "database")
TENANT_STATUS = "SELECT status FROM tenants WHERE id = $1"
LAG = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)
CURSOR_LENGTH = 22
JSON_TYPE = "application/json"

# The service's cache scripts (redis_store.py): an entry is a hash of `version` and `data`.
CACHE_READ = """
local entry = redis.call('HMGET', KEYS[1], 'version', 'data')
return {entry[1] or '', entry[2] or false, redis.call('EXISTS', KEYS[2])}
"""
CACHE_FILL = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class Refused(Exception):
    """An error response in the service's envelope."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Caller:
    user_id: UUID
    tenant_id: UUID
    roles: tuple[str, ...]


# What a create also writes in its transaction, after its row (connection, caller, project).
CreateWrite = Callable[[Any, Caller, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Limit:
    """A `limits` rate as the service's settings give it ("100/minute", "5 per 2 hours")."""

    amount: int
    multiples: int
    granularity: str

    @classmethod
    def parse(cls, text: str) -> "Limit":
        found = re.fullmatch(
            r"\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*", text.lower()
        )
        if found is None:
            raise ValueError(f"unknown rate {text!r}")
        return cls(int(found[1]), int(found[2] or 1), found[3])

    @property
    def expiry(self) -> int:
        return self.multiples * PERIODS[self.granularity]

    def key(self, identifier: str) -> str:
        """`limits`' key of the service's API limit for one caller (RateLimitItem.key_for)."""
        return f"LIMITER/api/{identifier}/{self.amount}/{self.multiples}/{self.granularity}"


def sliding_window_script() -> str:
    """The Lua script the `limits` package runs for a sliding-window hit, read from the
    package the service installs (so that both send the same command)."""
    path = resources.files("limits") / "resources/redis/lua_scripts/acquire_sliding_window.lua"
    return path.read_text()


def _url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+asyncpg://`) as asyncpg takes it."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _timestamp(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text  # as pydantic writes UTC


def _project(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"],
        "status": row["status"],
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
        "created_by": str(row["created_by"]),
        "updated_by": str(row["updated_by"]),
    }


def _compact(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _json(body: Any, status: int = 200) -> Any:
    content = _compact(body).encode()
    return fastapi.Response(content, status_code=status, media_type=JSON_TYPE)


class Script:
    """A Lua script run by its SHA (`EVALSHA`), loaded again if the server lost it: what
    redis-py's `Script` does, without its per-call protocol check; within the timeout."""

    def __init__(self, client: Any, source: str, timeout: float) -> None:
        self.client = client
        self.script = client.register_script(source)
        self.timeout = timeout

    async def __call__(self, keys: list[str], args: list[Any]) -> Any:
        async with asyncio.timeout(self.timeout):
            try:
                return await self.client.evalsha(self.script.sha, len(keys), *keys, *args)
            except NoScriptError:  # a restarted or flushed server
                return await self.script(keys=keys, args=args)


async def _no_reset(connection: Any) -> None:
    """Nothing outlives a transaction here (set_config(..., true)): no reset query on release."""


class TenantDatabases:
    """A pool per tenant database (`<catalog[:28]>_<hex>`, as the service's role), opened on
    the tenant's first request and sized like the service's engines (TENANT_DB_POOL_SIZE,
    TENANT_DB_MAX_OVERFLOW); at most TENANT_ENGINES_MAX, the least recently used closed first."""

    def __init__(self, floor: "Floor") -> None:
        self.floor = floor
        environ = floor.environ
        self.size = int(environ.get("TENANT_DB_POOL_SIZE", "2"))
        self.overflow = int(environ.get("TENANT_DB_MAX_OVERFLOW", "3"))
        self.most = int(environ.get("TENANT_ENGINES_MAX", "20"))
        self.catalog = urllib.parse.urlsplit(_url(environ["DATABASE_URL"]))
        self.pools: OrderedDict[UUID, asyncio.Task[Any]] = OrderedDict()  # opening or open

    def url(self, tenant_id: UUID) -> str:
        name = f"{self.catalog.path.lstrip('/')[:28]}_{tenant_id.hex}"
        return urllib.parse.urlunsplit(self.catalog._replace(path=f"/{name}"))

    async def pool(self, tenant_id: UUID) -> Any:
        opening = self.pools.pop(tenant_id, None)
        if opening is None:  # concurrent first requests wait for the same pool
            pool = self.floor.pool(self.url(tenant_id), size=self.size, overflow=self.overflow)
            opening = asyncio.ensure_future(pool)
        self.pools[tenant_id] = opening  # most recently used last
        while len(self.pools) > self.most:
            _, evicted = self.pools.popitem(last=False)
            asyncio.ensure_future(self.close(evicted))
        return await opening

    @staticmethod
    async def close(opening: "asyncio.Task[Any]") -> None:
        await (await opening).close()

    async def close_all(self) -> None:
        while self.pools:
            await self.close(self.pools.popitem()[1])


class Outbox:
    """The service's outbox row of a created project, in the transaction of the insert: the
    event the relay publishes later (the relay is not the API's work)."""

    INSERT = (
        "INSERT INTO outbox_events (id, tenant_id, type, aggregate, payload, headers) "
        "VALUES ($1, $2, 'project.created', $3, $4, '{}')"
    )

    async def __call__(self, connection: Any, caller: Caller, project: dict[str, Any]) -> None:
        # What the service's receiver sees before the flush: the values it set, bookkeeping out.
        data = {
            "name": project["name"],
            "description": project["description"],
            "created_by": project["created_by"],
            "updated_by": project["updated_by"],
        }
        payload = {
            "id": project["id"],
            "data": data,
            "changed": sorted(key for key, value in data.items() if value is not None),
            "actor_id": str(caller.user_id),
            "request_id": os.urandom(16).hex(),  # as the service makes one for each request
        }
        aggregate = f"project:{project['id']}"
        await connection.execute(
            self.INSERT, uuid7(), caller.tenant_id, aggregate, _compact(payload)
        )


class Jobs:
    """The service's `announce_project` job, enqueued in the transaction of the insert with
    procrastinate's own query (read from the installed package, as the service runs it)."""

    TASK = "example_service.jobs.tasks.announce_project"

    def __init__(self) -> None:
        from procrastinate import sql  # type: ignore[import-not-found, unused-ignore]

        self.query = re.sub(r"%\(\w+\)s", "$1", sql.queries["defer_jobs"])

    async def __call__(self, connection: Any, caller: Caller, project: dict[str, Any]) -> None:
        arguments = {"project_id": project["id"], "tenant_id": str(caller.tenant_id)}
        # procrastinate_job_to_defer_v1: queue, task, priority, lock, queueing lock, args, at.
        job = ("default", self.TASK, 0, None, None, _compact(arguments), None)
        await connection.fetch(self.query, [job])


class Floor:
    """The pools, the Redis client and the settings, opened by the lifespan."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.tenancy = environ.get("TENANCY", "shared")
        if self.tenancy not in TENANCIES:
            raise RuntimeError(f"the floor implements tenancy {TENANCIES}, not {self.tenancy}")
        self.environ = environ
        self.secret = environ["JWT_SECRET"]
        self.issuer = environ.get("JWT_ISSUER", "example-service")
        counter_secret = environ.get("RATE_LIMIT_KEY_SECRET") or self.secret
        self.counter_key = hmac.new(
            counter_secret.encode(), b"rate-limit-counters", hashlib.sha256
        ).digest()
        self.limit = Limit.parse(environ.get("RATE_LIMIT_API", "600/minute"))
        self.prefix = environ.get("CACHE_PREFIX", "example-service")
        self.limit_prefix = f"{self.prefix}-ratelimit"
        self.ttl_ms = int(environ.get("CACHE_TTL_SECONDS", "30")) * 1000
        self.status_ttl = float(environ.get("TENANT_STATUS_TTL_SECONDS", "5"))
        self.statuses: dict[UUID, tuple[str | None, float]] = {}
        self.pooled = environ.get("DATABASE_POOLER", "none") == "pgbouncer"
        self.timeout_ms = environ.get("DB_STATEMENT_TIMEOUT_MS", "2000")
        self.window_ms = int(float(environ.get("READ_YOUR_WRITES_SECONDS", "5")) * 1000)
        self.max_lag = float(environ.get("REPLICA_MAX_LAG_SECONDS", "2"))
        self.lag_every = float(environ.get("REPLICA_LAG_CHECK_SECONDS", "1"))
        self.lag: float | None = None
        # What a transaction sets, in one statement: the tenant, its schema, the timeout.
        names = ["app.tenant_id"] + ["search_path"] * (self.tenancy == "schema")
        names += ["statement_timeout"] * self.pooled
        self.set_tenant = "SELECT " + ", ".join(
            f"set_config('{name}', ${number}, true)" for number, name in enumerate(names, 1)
        )
        self.databases = TenantDatabases(self) if self.tenancy == "database" else None
        self.also_on_create: list[CreateWrite] = []
        if environ.get("EVENTS", "none") != "none":
            self.also_on_create.append(Outbox())
        if environ.get("JOBS", "none") != "none":
            if self.databases is not None:  # the queue is in the catalog: a second transaction
                raise RuntimeError("the floor enqueues jobs in shared and schema tenancy only")
            self.also_on_create.append(Jobs())
        self.primary: Any = None
        self.replica: Any = None
        self.redis: Any = None
        self.hit: Any = None  # the scripts, registered once Redis is open
        self.cache_read: Any = None
        self.cache_fill: Any = None

    def pool(
        self,
        url: str,
        *,
        read_only: bool = False,
        size: int | None = None,
        overflow: int | None = None,
    ) -> Any:
        """The service's pool: DB_POOL_SIZE connections, DB_MAX_OVERFLOW more under load
        (unless given)."""
        if size is None:
            size = int(self.environ.get("DB_POOL_SIZE", "5"))
        if overflow is None:
            overflow = int(self.environ.get("DB_MAX_OVERFLOW", "5"))
        settings = {"application_name": "floor"}
        options: dict[str, Any] = {}
        if self.pooled:  # the next transaction may run on another server connection
            options["statement_cache_size"] = 0
        else:
            settings["statement_timeout"] = self.timeout_ms
        if read_only:
            settings["default_transaction_read_only"] = "on"
        return asyncpg.create_pool(
            _url(url),
            min_size=size,
            max_size=size + overflow,
            reset=_no_reset,
            timeout=float(self.environ.get("DB_CONNECT_TIMEOUT_SECONDS", "5")),
            server_settings=settings,
            **options,
        )

    @contextlib.asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        # Each command is timed as the service times them (asyncio.timeout, not redis-py's
        # socket_timeout, which spawns a task per command).
        self.redis_timeout = float(self.environ.get("REDIS_TIMEOUT_SECONDS", "0.25"))
        self.redis = Redis.from_url(
            self.environ["REDIS_URL"],
            socket_timeout=None,
            socket_connect_timeout=self.redis_timeout,
            retry=Retry(NoBackoff(), retries=0),
            health_check_interval=30,
        )
        self.hit = Script(self.redis, sliding_window_script(), self.redis_timeout)
        self.cache_read = Script(self.redis, CACHE_READ, self.redis_timeout)
        self.cache_fill = Script(self.redis, CACHE_FILL, self.redis_timeout)
        self.primary = await self.pool(self.environ["DATABASE_URL"])
        measuring = None
        if replica_url := self.environ.get("DATABASE_REPLICA_URL"):
            self.replica = await self.pool(replica_url, read_only=True)
            measuring = asyncio.create_task(self.measure_lag())
        try:
            yield
        finally:
            if measuring is not None:
                measuring.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await measuring
                await self.replica.close()
            if self.databases is not None:
                await self.databases.close_all()
            await self.primary.close()
            await self.redis.aclose()

    async def measure_lag(self) -> None:
        while True:
            try:
                self.lag = float(await self.replica.fetchval(LAG) or 0)
            except (OSError, asyncpg.PostgresError):
                self.lag = None
            await asyncio.sleep(self.lag_every)

    # ── Every authenticated request ──────────────────────────────────────────

    async def caller(self, request: Request) -> Caller:
        """The verified access token's caller, its tenant active, the request counted."""
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Refused(401, "missing_token", "A bearer access token is required.")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=self.issuer,
                options={"require": ["iss", "sub", "jti", "typ", "iat", "exp"]},
            )
            if claims["typ"] != "access":
                raise jwt.InvalidTokenError("expected an access token")
            caller = Caller(UUID(claims["sub"]), UUID(claims["tid"]), tuple(claims["roles"]))
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as error:
            raise Refused(401, "invalid_token", "The token is invalid or expired.") from error
        await self.ensure_active(caller.tenant_id)
        await self.count(caller)
        return caller

    async def ensure_active(self, tenant_id: UUID) -> None:
        status, until = self.statuses.get(tenant_id, (None, 0.0))
        if time.monotonic() >= until:
            status = await self.primary.fetchval(TENANT_STATUS, tenant_id)
            self.statuses[tenant_id] = (status, time.monotonic() + self.status_ttl)
        if status is None:
            raise Refused(401, "tenant_not_found", "This tenant no longer exists.")
        if status != "active":
            raise Refused(403, "tenant_suspended", "This tenant is suspended.")

    async def count(self, caller: Caller) -> None:
        """One hit of the sliding window; a Redis failure lets the request through."""
        name = hmac.new(self.counter_key, str(caller.user_id).encode(), hashlib.sha256)
        current = f"{self.limit_prefix}:{{{self.limit.key(name.hexdigest())}}}"
        try:
            allowed = await self.hit(
                [f"{current}/-1", current], [self.limit.amount, self.limit.expiry, 1]
            )
        except (RedisError, OSError):
            return
        if not allowed:
            raise Refused(429, "rate_limited", "Too many requests.")

    # ── Transactions ─────────────────────────────────────────────────────────

    @contextlib.asynccontextmanager
    async def transaction(self, caller: Caller, pool: Any) -> AsyncIterator[Any]:
        """A pooled connection, in one transaction scoped to the caller's tenant."""
        async with pool.acquire() as connection, connection.transaction():
            values = [str(caller.tenant_id)]
            if self.tenancy == "schema":
                values.append(f"tenant_{caller.tenant_id.hex}, public")
            if self.pooled:
                values.append(self.timeout_ms)
            await connection.fetchval(self.set_tenant, *values)
            yield connection

    async def write_pool(self, caller: Caller) -> Any:
        """The pool of the caller's tenant database (database per tenant), or the primary."""
        if self.databases is None:
            return self.primary
        return await self.databases.pool(caller.tenant_id)

    async def read_pool(self, caller: Caller) -> Any:
        """The replica unless the caller wrote lately or it lags (or there is none)."""
        if self.replica is None or self.lag is None or self.lag > self.max_lag:
            return await self.write_pool(caller)
        try:
            async with asyncio.timeout(self.redis_timeout):
                wrote = await self.redis.exists(self.wrote_key(caller))
        except (RedisError, OSError):
            return self.primary
        return self.primary if wrote else self.replica

    def wrote_key(self, caller: Caller) -> str:
        return f"{self.prefix}:wrote:{caller.tenant_id}:{caller.user_id}"

    # ── Routes ───────────────────────────────────────────────────────────────

    async def read(self, request: Request) -> Any:
        caller = await self.caller(request)
        try:
            project_id = UUID(request.path_params["project_id"])
        except ValueError:
            raise Refused(422, "validation_error", "project_id is not a UUID.") from None
        name = "{" + f"{self.prefix}:tenant:{caller.tenant_id}:projects:{project_id}" + "}"
        keys = [name, f"{name}:writing"]
        try:
            version, raw, writing = await self.cache_read(keys, [])
        except (RedisError, OSError):
            version, raw, writing = None, None, 1  # a miss, and nothing stored
        if raw is not None:
            return fastapi.Response(raw, media_type=JSON_TYPE)
        pool = await self.read_pool(caller)
        async with self.transaction(caller, pool) as connection:
            row = await connection.fetchrow(READ, project_id)
        if row is None:
            raise Refused(404, "not_found", "No such project.")
        body = _compact(_project(row))
        if not writing and pool is not self.replica:
            with contextlib.suppress(RedisError, OSError):
                await self.cache_fill(keys, [version, body, self.ttl_ms])
        return fastapi.Response(body.encode(), media_type=JSON_TYPE)

    async def page(self, request: Request) -> Any:
        caller = await self.caller(request)
        try:
            limit = int(request.query_params.get("limit", "50"))
            cursor = request.query_params.get("cursor") or None
            after = None
            if cursor is not None:
                padded = cursor.rjust(CURSOR_LENGTH, "A") + "=="
                after = UUID(bytes=base64.urlsafe_b64decode(padded))
        except ValueError:
            raise Refused(422, "validation_error", "Invalid limit or cursor.") from None
        if not 1 <= limit <= 100:
            raise Refused(422, "validation_error", "limit must be between 1 and 100.")
        async with self.transaction(caller, await self.read_pool(caller)) as connection:
            if after is None:
                rows = await connection.fetch(FIRST_PAGE, limit + 1)
            else:
                rows = await connection.fetch(NEXT_PAGE, after, limit + 1)
        items = [_project(row) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last: UUID = rows[limit - 1]["id"]
            next_cursor = base64.urlsafe_b64encode(last.bytes).decode().rstrip("=")
        return _json({"items": items, "next_cursor": next_cursor})

    async def create(self, request: Request) -> Any:
        caller = await self.caller(request)
        if not {"member", "admin"} & set(caller.roles):
            raise Refused(403, "insufficient_role", "This needs the member role.")
        name, description = _creation(await request.body())
        async with self.transaction(caller, await self.write_pool(caller)) as connection:
            row = await connection.fetchrow(INSERT, uuid7(), name, description, caller.user_id)
            project = _project(row)
            for write in self.also_on_create:
                await write(connection, caller, project)
        if self.replica is not None:  # the caller's reads go to the primary for the window
            with contextlib.suppress(RedisError, OSError):
                async with asyncio.timeout(self.redis_timeout):
                    await self.redis.set(self.wrote_key(caller), 1, px=self.window_ms)
        return _json(project, 201)


def _creation(raw: bytes) -> tuple[str, str | None]:
    """ProjectCreate by hand: `name` (1 to 200 characters, stripped), `description` (up to
    2,000 or null), nothing else."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refused(422, "validation_error", "The body is not JSON.") from None
    if not isinstance(body, dict) or set(body) - {"name", "description"}:
        raise Refused(422, "validation_error", "Unknown or missing fields.")
    name, description = body.get("name"), body.get("description")
    if not isinstance(name, str) or not 1 <= len(name := name.strip()) <= 200 or "\x00" in name:
        raise Refused(422, "validation_error", "name: 1 to 200 characters.")
    if description is not None and (not isinstance(description, str) or len(description) > 2000):
        raise Refused(422, "validation_error", "description: up to 2,000 characters.")
    return name, description


async def live() -> dict[str, str]:
    return {"status": "ok"}


async def refused(_: Any, error: Exception) -> Any:
    assert isinstance(error, Refused)
    body = {"code": error.code, "message": error.message, "details": None, "request_id": None}
    return _json({"error": body}, error.status)


def create_app() -> Any:
    """The floor's FastAPI app, configured from the service's environment."""
    floor = Floor(dict(os.environ))

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        async with floor.opened():
            yield

    # FastAPI's own OpenTelemetry off, as in the service without tracing.
    app = fastapi.FastAPI(
        lifespan=lifespan, telemetry={"tracing": False, "metrics": False, "logs": False}
    )
    app.add_api_route("/health/live", live, methods=["GET"])
    app.add_api_route(f"{V1}/projects", floor.page, methods=["GET"])
    app.add_api_route(f"{V1}/projects", floor.create, methods=["POST"], status_code=201)
    app.add_api_route(f"{V1}/projects/{{project_id}}", floor.read, methods=["GET"])
    app.add_exception_handler(Refused, refused)
    return app
