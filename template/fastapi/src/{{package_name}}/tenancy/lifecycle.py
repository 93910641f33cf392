"""Tenant lifecycle: create, suspend, reactivate, delete; and which tenant a login opens."""

from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import signals
from ..db import Settings
from ..errors import Conflict, Forbidden, NotFound
from . import create_storage, drop_storage, set_tenant
from .context import set_user
from .directory import refuse_unless_active
from .models import Membership, Tenant

logger = structlog.get_logger("tenancy")


async def create_tenant(
    session: AsyncSession, settings: Settings, *, name: str, slug: str, admin_id: UUID | None
) -> Tenant:
    """A new tenant, its storage at the current head, administered by `admin_id` (or by nobody
    yet: the operator API invites its administrator, or an identity provider's tokens name
    them).

    The transaction is left scoped to the new tenant.
    """
    if await session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
        raise Conflict("This tenant slug is taken.", code="tenant_slug_taken")
    tenant = Tenant(name=name, slug=slug, status="active")
    session.add(tenant)
    await session.flush()
    await create_storage(settings, tenant.id)
    try:
        await set_tenant(session, tenant.id)
        if admin_id is not None:
            session.add(Membership(user_id=admin_id, role="admin"))
        signals.audited.send(
            "tenant.created",
            session=session,
            resource_type="tenant",
            resource_id=tenant.id,
            changes={"name": [None, name], "slug": [None, slug], "admin_id": [None, admin_id]},
        )
        await session.flush()
    except BaseException:
        await drop_storage(settings, tenant.id)
        raise
    logger.info("tenant_created", tenant_id=str(tenant.id), slug=slug)
    return tenant


async def get_tenant(session: AsyncSession, tenant_id: UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("No such tenant.", code="tenant_not_found")
    return tenant


async def set_status(session: AsyncSession, tenant_id: UUID, status: str) -> Tenant:
    """Suspend (`suspended`) or reactivate (`active`) a tenant; its data is untouched.

    The change is announced in the tenant's own transaction, so an audit trail keeps it with
    the tenant's other events.
    """
    tenant = await get_tenant(session, tenant_id)
    before, tenant.status = tenant.status, status
    await set_tenant(session, tenant_id)
    signals.audited.send(
        "tenant.suspended" if status == "suspended" else "tenant.reactivated",
        session=session,
        resource_type="tenant",
        resource_id=tenant_id,
        changes={"status": [before, status]},
    )
    await session.flush()
    logger.info("tenant_status_changed", tenant_id=str(tenant_id), status=status)
    return tenant


async def delete_tenant(session: AsyncSession, settings: Settings, tenant_id: UUID) -> list[UUID]:
    """Delete a tenant and every row of it, its storage first; return the users it leaves
    without any tenant (their accounts are for the caller to remove).

    Memberships and tokens go with the tenant's row (ON DELETE CASCADE), and so does its
    audit trail, in its storage or its rows: nothing is announced, and the operator's log line
    (`tenant_deleted`) is the record of the deletion. Dropping the storage
    first makes a retry converge: a failure after it leaves a tenant with no data that the next
    attempt deletes.
    """
    tenant = await get_tenant(session, tenant_id)
    await set_tenant(session, tenant_id)  # to see the tenant's memberships
    members = list(await session.scalars(select(Membership.user_id)))
    await drop_storage(settings, tenant_id)
    await session.delete(tenant)
    await session.flush()
    logger.info("tenant_deleted", tenant_id=str(tenant_id))
    left_alone = []
    for user_id in members:
        await set_user(session, user_id)  # to see the user's memberships in every tenant
        if await session.scalar(select(Membership.id).where(Membership.user_id == user_id)) is None:
            left_alone.append(user_id)
    return left_alone


async def ensure_active(session: AsyncSession, tenant_id: UUID) -> None:
    """Refuse a tenant that is suspended or gone (token refresh checks it)."""
    status = await session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))
    refuse_unless_active(status)


async def choose_membership(
    session: AsyncSession, user_id: UUID, tenant_slug: str | None
) -> Membership:
    """The membership to log in with; a hint can only choose among the user's own tenants."""
    await set_user(session, user_id)
    rows = (
        await session.execute(
            select(Membership, Tenant.slug, Tenant.status)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id)
        )
    ).all()
    memberships = {slug: (membership, status) for membership, slug, status in rows}
    if tenant_slug is not None:
        if tenant_slug not in memberships:
            raise Forbidden("You are not a member of this tenant.", code="not_a_member")
        chosen = memberships[tenant_slug]
    elif len(memberships) == 1:
        chosen = next(iter(memberships.values()))
    elif not memberships:
        raise Forbidden("You are not a member of any tenant.", code="not_a_member")
    else:
        raise Conflict(
            "You belong to several tenants; say which one.",
            code="tenant_required",
            details={"tenants": sorted(memberships)},
        )
    membership, status = chosen
    refuse_unless_active(status)
    return membership
