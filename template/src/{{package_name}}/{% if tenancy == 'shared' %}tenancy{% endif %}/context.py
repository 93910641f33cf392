"""The tenant of a transaction, as PostgreSQL's row-level security policies read it."""

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_TENANT = "tenant_id"


def scope_to_tenant(session: AsyncSession, tenant_id: UUID) -> None:
    """Scope the session's transactions to one tenant.

    The setting is applied when a transaction first reaches PostgreSQL, so a request answered
    from the cache never checks out a connection at all.
    """
    session.info[_TENANT] = tenant_id


@event.listens_for(Session, "after_begin")
def _apply_tenant(session: Session, _: Any, connection: Connection) -> None:
    if (tenant_id := session.info.get(_TENANT)) is not None:
        connection.execute(_set_config("app.tenant_id", tenant_id))


async def set_tenant(session: AsyncSession, tenant_id: UUID) -> None:
    """Switch the transaction under way to another tenant (never the whole pooled connection)."""
    session.info[_TENANT] = tenant_id
    await session.execute(_set_config("app.tenant_id", tenant_id))


async def set_user(session: AsyncSession, user_id: UUID) -> None:
    """Let the current transaction see the memberships of one user, across tenants.

    Only login uses this, to find the tenants an authenticated user belongs to.
    """
    await session.execute(_set_config("app.user_id", user_id))


def _set_config(name: str, value: UUID) -> Any:
    # is_local=true: the value ends with the transaction, never outliving it on the connection.
    return select(func.set_config(name, str(value), True))
