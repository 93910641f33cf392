"""Tenant status, read from the database and remembered for a few seconds per worker.

A request checks its tenant on every call without a query each time; a suspension reaches
every worker within `TENANT_STATUS_TTL_SECONDS`, and the worker that made it at once. A
deletion reaches every worker at once: a worker that still remembers the tenant as active finds
its storage gone (its schema's tables, its database, its row), reads its status again and
refuses the request as the worker that deleted it does.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from uuid import UUID

from cachetools import TTLCache
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..config import ServiceSettings
from ..db import database, transaction
from ..errors import Forbidden, Unauthorized
from ..features import Feature
from .models import Tenant

# What a tenant's transaction meets once another worker has deleted the tenant: its schema's
# tables are gone (undefined table, invalid schema), its database is gone (invalid catalog), or
# its row that its rows reference is gone (foreign key violation, in shared tables).
STORAGE_GONE_SQLSTATES = {"42P01", "3F000", "3D000", "23503"}


class Settings(ServiceSettings):
    tenant_status_ttl_seconds: float = Field(default=5, ge=0)


class TenantDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, ttl_seconds: float) -> None:
        self._sessions = sessions
        self._statuses: TTLCache[UUID, str | None] = TTLCache(maxsize=100_000, ttl=ttl_seconds)
        # The reads under way: the requests that find a status missing at once (every request
        # of a busy tenant, when its status expires) wait for one query, not one each.
        self._reading: dict[UUID, asyncio.Future[str | None]] = {}

    async def ensure_active(self, tenant_id: UUID) -> None:
        """Refuse a suspended tenant with 403, a deleted one with 401."""
        try:
            status = self._statuses[tenant_id]
        except KeyError:  # none remembered, or expired
            status = await self._read(tenant_id)
        refuse_unless_active(status)

    async def _read(self, tenant_id: UUID) -> str | None:
        reading = self._reading.get(tenant_id)
        if reading is None:
            # A task of its own, so that a waiter that goes away does not cancel the others'.
            reading = asyncio.ensure_future(self._query(tenant_id))
            self._reading[tenant_id] = reading
            reading.add_done_callback(partial(self._remember, tenant_id))
        return await asyncio.shield(reading)

    async def _query(self, tenant_id: UUID) -> str | None:
        async with transaction(self._sessions) as session:
            return await session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))

    def _remember(self, tenant_id: UUID, reading: asyncio.Future[str | None]) -> None:
        if self._reading.get(tenant_id) is not reading:  # forgotten meanwhile: may be stale
            return
        del self._reading[tenant_id]
        if not reading.cancelled() and reading.exception() is None:
            self._statuses[tenant_id] = reading.result()

    @asynccontextmanager
    async def checking(self, tenant_id: UUID) -> AsyncIterator[None]:
        """Run a unit of work of the tenant; if it fails as if the tenant were gone, read its
        status afresh and refuse a deleted or suspended tenant (401, 403) instead of the error.

        Only a failure costs a query: the status this worker remembers is otherwise trusted.
        """
        try:
            yield
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) not in STORAGE_GONE_SQLSTATES:
                raise
            self.forget(tenant_id)
            try:
                await self.ensure_active(tenant_id)
            except (Unauthorized, Forbidden) as refused:
                raise refused from error
            raise  # the tenant is active: the error is the request's own

    def forget(self, tenant_id: UUID) -> None:
        """Drop what this worker remembers of a tenant (its status has just changed): a read
        begun before is neither joined nor remembered."""
        self._statuses.pop(tenant_id, None)
        self._reading.pop(tenant_id, None)


def refuse_unless_active(status: str | None) -> None:
    if status is None:
        raise Unauthorized("This tenant no longer exists.", code="tenant_not_found")
    if status != "active":
        raise Forbidden("This tenant is suspended; contact the operator.", code="tenant_suspended")


def directory(app: FastAPI) -> TenantDirectory:
    """The running service's tenant directory (`app.state.tenants`)."""
    opened: TenantDirectory = app.state.tenants
    return opened


async def forget_tenant(app: FastAPI, tenant_id: UUID) -> None:
    """Drop what this worker holds of a tenant whose status has just changed."""
    directory(app).forget(tenant_id)


@asynccontextmanager
async def open_directory(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    sessions = database(app).sessions
    app.state.tenants = TenantDirectory(sessions, ttl_seconds=settings.tenant_status_ttl_seconds)
    yield


feature = Feature(lifespan=open_directory)
