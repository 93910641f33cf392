"""The members of a tenant are its rows in `memberships`; the caller's transaction is scoped to
that tenant, and every query names it too, so another tenant's user is simply not found."""

from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import RefreshToken, User
from ..errors import Conflict, Forbidden, NotFound
from ..tenancy import lifecycle, set_tenant, tenant_of
from ..tenancy.context import set_config
from ..tenancy.models import Membership, Tenant
from .models import Invitation
from .schemas import MemberRead

ALREADY_MEMBER = "You are already a member of this tenant; log in instead."
LAST_ADMIN = "A tenant keeps at least one administrator."


async def reveal(session: AsyncSession, token_hash: str) -> None:
    """Let this transaction see the invitation with this token hash: its tenant is not known
    until it is found (the row-level security policy of `invitations` reads the setting)."""
    await session.execute(set_config("app.invitation", token_hash))


async def enter(session: AsyncSession, invitation: Invitation) -> UUID:
    """Scope the transaction to the invitation's tenant, which must be active."""
    await lifecycle.ensure_active(session, invitation.tenant_id)
    await set_tenant(session, invitation.tenant_id)
    return invitation.tenant_id


async def place(session: AsyncSession) -> str | None:
    """The name of the tenant the invitee joins, for the mail."""
    return await session.scalar(select(Tenant.name).where(Tenant.id == _tenant(session)))


async def admit(session: AsyncSession, user: User, role: str, *, existing: bool) -> None:
    """Make `user` a member with `role` (a new account is flushed here)."""
    await session.flush()
    if existing and await _membership(session, user.id) is not None:
        raise Conflict(ALREADY_MEMBER, code="already_member")
    session.add(Membership(user_id=user.id, role=role, tenant_id=_tenant(session)))
    await session.flush()


async def role_of(session: AsyncSession, user_id: UUID) -> str | None:
    """The role the user holds in this tenant now; None once they are no longer a member."""
    return await session.scalar(
        select(Membership.role).where(
            Membership.tenant_id == _tenant(session), Membership.user_id == user_id
        )
    )


async def list_members(session: AsyncSession) -> list[MemberRead]:
    rows = await session.execute(
        select(User.id, User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == _tenant(session))
        .order_by(User.email)
    )
    return [MemberRead(user_id=user_id, email=email, role=role) for user_id, email, role in rows]


async def change_role(session: AsyncSession, user_id: UUID, role: str, *, actor_id: UUID) -> str:
    """Give a member another role; the role they had before."""
    membership, admins = await _locked(session, user_id, actor_id)
    before = membership.role
    if before == "admin" and role != "admin" and len(admins) <= 1:
        raise Conflict(LAST_ADMIN, code="last_admin")
    membership.role = role
    await session.flush()
    return before


async def remove(session: AsyncSession, user_id: UUID, *, actor_id: UUID) -> str:
    """Remove a member and end their sessions in this tenant; the role they had.

    Their access tokens expire within minutes; no refresh token of theirs works again here.
    """
    membership, admins = await _locked(session, user_id, actor_id)
    if membership.role == "admin" and len(admins) <= 1:
        raise Conflict(LAST_ADMIN, code="last_admin")
    await session.delete(membership)
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.tenant_id == _tenant(session),
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )
    return membership.role


async def _locked(
    session: AsyncSession, user_id: UUID, actor_id: UUID
) -> tuple[Membership, set[UUID]]:
    """The member's row and the administrators' user ids, locked in one order (administrators
    first, by id): concurrent demotions take turns instead of both seeing another admin, and
    an actor demoted by the one before is no longer among the administrators."""
    tenant_id = _tenant(session)
    admins = await session.scalars(
        select(Membership.user_id)
        .where(Membership.tenant_id == tenant_id, Membership.role == "admin")
        .order_by(Membership.id)
        .with_for_update()
    )
    administrators = set(admins.all())
    if actor_id not in administrators:
        raise Forbidden("This needs the admin role.", code="insufficient_role")
    membership = await _membership(session, user_id, lock=True)
    if membership is None:
        raise NotFound("No such member in this tenant.", code="member_not_found")
    return membership, administrators


async def _membership(
    session: AsyncSession, user_id: UUID, *, lock: bool = False
) -> Membership | None:
    query = select(Membership).where(
        Membership.tenant_id == _tenant(session), Membership.user_id == user_id
    )
    return await session.scalar(query.with_for_update() if lock else query)


def _tenant(session: AsyncSession) -> UUID:
    tenant_id = tenant_of(session)
    assert tenant_id is not None, "members are read in a transaction scoped to their tenant"
    return tenant_id
