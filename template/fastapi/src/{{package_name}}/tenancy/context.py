"""The tenant of a transaction: put on the session once, read by everything below it.

A session opened with `in_tenant` carries its tenant; when its transaction reaches PostgreSQL,
the tenancy mode scopes it (the settings row-level security reads, the tenant's schema or
database). Settings are local to the transaction, never to the pooled connection.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Executable, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from ..db import transaction
from ..pooling import begin_with, set_configs

TENANT = "tenant_id"  # the session's tenant, in Session.info

# The settings (name: value) that scope a transaction to a tenant, derived from its id alone.
TenantSettings = Callable[[UUID], Mapping[str, str]]
SetTenant = Callable[[AsyncSession, UUID], Awaitable[None]]


@asynccontextmanager
async def in_tenant(
    sessions: async_sessionmaker[AsyncSession], tenant_id: UUID
) -> AsyncIterator[AsyncSession]:
    """A unit of work scoped to one tenant, with the isolation a request gets."""
    async with transaction(sessions, {TENANT: tenant_id}) as session:
        yield session


def tenant_of(session: Session | AsyncSession) -> UUID | None:
    """The tenant a session is scoped to; None outside any tenant (login, operators)."""
    tenant_id: UUID | None = session.info.get(TENANT)
    return tenant_id


def set_config(name: str, value: str) -> Executable:
    # is_local=true: the value ends with the transaction, never outliving it on the connection.
    return select(func.set_config(name, value, True))


async def set_user(session: AsyncSession, user_id: UUID) -> None:
    """Let the current transaction see the memberships of one user, across tenants.

    Only login uses this, to find the tenants an authenticated user belongs to.
    """
    await session.execute(set_config("app.user_id", str(user_id)))


def scoped_by(tenant_settings: TenantSettings) -> SetTenant:
    """Apply `tenant_settings` at the start of every transaction of a session with a tenant.

    Applied when the transaction first reaches PostgreSQL, so a request answered from the cache
    never checks out a connection; they travel with the transaction's BEGIN (`begin_with`), in
    force before its first statement, local to it. Returns `set_tenant`, which switches a
    transaction under way to another tenant (registration, which creates one).
    """

    @event.listens_for(Session, "after_begin")
    def _scope(session: Session, _: Any, connection: Connection) -> None:
        if (tenant_id := tenant_of(session)) is not None:
            begin_with(connection, tenant_settings(tenant_id))

    async def set_tenant(session: AsyncSession, tenant_id: UUID) -> None:
        session.info[TENANT] = tenant_id
        await session.execute(set_configs(tenant_settings(tenant_id)))

    return set_tenant
