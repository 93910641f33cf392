"""One organisation: its members are the service's accounts, each with its role on `users`.

Removing a member deletes their account (their refresh tokens go with it); an account that
rows still refer to (a resource whose `user_ref` restricts deletes) is refused rather than left
half-removed.
"""

from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..errors import Conflict, Forbidden, NotFound
from .models import Invitation
from .schemas import MemberRead

LAST_ADMIN = "The service keeps at least one administrator."


async def reveal(session: AsyncSession, token_hash: str) -> None:
    """Every invitation is the organisation's: nothing hides one."""


async def enter(session: AsyncSession, invitation: Invitation) -> UUID | None:
    """There is no tenant to enter: the tokens name none."""
    return None


async def place(session: AsyncSession) -> str | None:
    """The service itself is the place: no tenant name to add to the mail."""
    return None


async def admit(session: AsyncSession, user: User, role: str, *, existing: bool) -> None:
    """Give a new account `role`; an existing one already belongs to the organisation."""
    if existing:
        raise Conflict("You already have an account here; log in instead.", code="already_member")
    user.role = role
    await session.flush()


async def role_of(session: AsyncSession, user_id: UUID) -> str | None:
    """The role the account holds now; None once it is removed."""
    return await session.scalar(select(User.role).where(User.id == user_id))


async def list_members(session: AsyncSession) -> list[MemberRead]:
    rows = await session.execute(select(User.id, User.email, User.role).order_by(User.email))
    return [MemberRead(user_id=user_id, email=email, role=role) for user_id, email, role in rows]


async def change_role(session: AsyncSession, user_id: UUID, role: str, *, actor_id: UUID) -> str:
    """Give a member another role; the role they had before."""
    user, admins = await _locked(session, user_id, actor_id)
    before = user.role
    if before == "admin" and role != "admin" and len(admins) <= 1:
        raise Conflict(LAST_ADMIN, code="last_admin")
    user.role = role
    await session.flush()
    return before


async def remove(session: AsyncSession, user_id: UUID, *, actor_id: UUID) -> str:
    """Delete a member's account (and with it every refresh token); the role they had."""
    user, admins = await _locked(session, user_id, actor_id)
    role = user.role
    if role == "admin" and len(admins) <= 1:
        raise Conflict(LAST_ADMIN, code="last_admin")
    try:
        async with session.begin_nested():
            await session.execute(delete(User).where(User.id == user_id))
    except IntegrityError as error:
        raise Conflict(
            "Records still refer to this member; change their role instead.",
            code="member_has_records",
        ) from error
    return role


async def _locked(session: AsyncSession, user_id: UUID, actor_id: UUID) -> tuple[User, set[UUID]]:
    """The member's row and the administrators' ids, locked in one order (administrators
    first, by id): concurrent demotions take turns instead of both seeing another admin, and
    an actor demoted by the one before is no longer among the administrators."""
    admins = await session.scalars(
        select(User.id).where(User.role == "admin").order_by(User.id).with_for_update()
    )
    administrators = set(admins.all())
    if actor_id not in administrators:
        raise Forbidden("This needs the admin role.", code="insufficient_role")
    user = await session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such member.", code="member_not_found")
    return user, administrators
