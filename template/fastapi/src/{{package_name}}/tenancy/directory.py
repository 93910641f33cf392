"""Tenant status, read from the database and remembered for a few seconds per worker.

A request checks its tenant on every call without a query each time; a suspension reaches
every worker within `TENANT_STATUS_TTL_SECONDS`, and the worker that made it at once.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from cachetools import TTLCache
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..config import ServiceSettings
from ..db import database, transaction
from ..errors import Forbidden, Unauthorized
from ..features import Feature
from .models import Tenant


class Settings(ServiceSettings):
    tenant_status_ttl_seconds: float = Field(default=5, ge=0)


class TenantDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, ttl_seconds: float) -> None:
        self._sessions = sessions
        self._statuses: TTLCache[UUID, str | None] = TTLCache(maxsize=100_000, ttl=ttl_seconds)

    async def ensure_active(self, tenant_id: UUID) -> None:
        """Refuse a suspended tenant with 403, a deleted one with 401."""
        if tenant_id not in self._statuses:
            async with transaction(self._sessions) as session:
                status = await session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))
            self._statuses[tenant_id] = status
        refuse_unless_active(self._statuses.get(tenant_id))

    def forget(self, tenant_id: UUID) -> None:
        """Drop what this worker remembers of a tenant (its status has just changed)."""
        self._statuses.pop(tenant_id, None)


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
