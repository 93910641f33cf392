"""The tenant of a transaction, as PostgreSQL's row-level security policies read it."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def set_tenant(session: AsyncSession, tenant_id: UUID) -> None:
    """Scope the current transaction to one tenant (never the whole pooled connection)."""
    await session.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))


async def set_user(session: AsyncSession, user_id: UUID) -> None:
    """Let the current transaction see the memberships of one user, across tenants.

    Only login uses this, to find the tenants an authenticated user belongs to.
    """
    await session.execute(select(func.set_config("app.user_id", str(user_id), True)))
