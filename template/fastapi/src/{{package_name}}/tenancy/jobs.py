"""Work outside a request (a job, a scheduled task, a script) runs with an explicit tenant.

Each tenant gets its own transaction scoped to it, with the same isolation as a request, and
its log lines carry the tenant.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..db import transaction
from .context import in_tenant
from .models import Tenant

Result = TypeVar("Result")
Job = Callable[[AsyncSession, UUID], Awaitable[Result]]


async def for_each_tenant(
    sessions: async_sessionmaker[AsyncSession], job: Job[Result]
) -> dict[UUID, Result]:
    """Run `job(session, tenant_id)` once per active tenant, each in its own transaction."""
    async with transaction(sessions) as session:
        active = select(Tenant.id).where(Tenant.status == "active").order_by(Tenant.id)
        tenant_ids = list(await session.scalars(active))
    return {tenant_id: await run_for_tenant(sessions, tenant_id, job) for tenant_id in tenant_ids}


async def run_for_tenant(
    sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, job: Job[Result]
) -> Result:
    """Run `job` for one tenant, in a transaction scoped to it."""
    with structlog.contextvars.bound_contextvars(tenant_id=str(tenant_id)):
        async with in_tenant(sessions, tenant_id) as session:
            return await job(session, tenant_id)
