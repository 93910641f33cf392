"""/invitations: administrators invite, list and revoke; the invitee accepts anonymously.
/members: administrators list the people who accepted, change their roles, remove them."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status

from ..api import V1
from ..auth.deps import CurrentPrincipal, DbSession, limit_caller, require_role
from ..auth.principal import Principal
from ..auth.schemas import TokenPair
from ..db import PublicSession
from ..errors import Forbidden, responses
from ..mail import mailer
from ..ratelimit import limiter
from . import service
from .schemas import Acceptance, InvitationCreate, InvitationRead, MemberRead, RoleChange


async def _administrator(principal: CurrentPrincipal, session: DbSession) -> Principal:
    # A machine's key brings in no people: an administrator it invited would outlive its
    # revocation.
    if principal.credential == "api_key":
        raise Forbidden("Members are managed with an access token.", code="api_key_not_allowed")
    # A demoted or removed administrator's token still says admin for minutes: not enough to
    # invite, nor to give themselves the role back.
    if not (await service.with_current_role(session, principal)).has_role("admin"):
        raise Forbidden("This needs the admin role.", code="insufficient_role")
    return principal


Person = Annotated[Principal, Depends(_administrator)]
administrators = [require_role("admin"), Depends(_administrator), Depends(limit_caller)]
router = APIRouter(prefix=V1, responses=responses(422, 503))


@router.post(
    "/invitations",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=administrators,
    tags=["invitations"],
    # 409: the inviter's account was removed in the same instant (tenancy none).
    responses=responses(401, 403, 409, 413, 429),
)
async def invite(
    data: InvitationCreate, session: DbSession, person: Person, request: Request
) -> InvitationRead:
    """Mail a single-use invitation; the answer is the same whether the address has an account."""
    return await service.invite(
        session,
        mailer(request),
        request.app.state.settings,
        email=data.email,
        role=data.role,
        invited_by=person.user_id,
        service_name=request.app.title,
    )


@router.get(
    "/invitations",
    dependencies=administrators,
    tags=["invitations"],
    responses=responses(401, 403, 429),
)
async def list_invitations(session: DbSession) -> list[InvitationRead]:
    """The invitations still pending: not accepted, revoked or expired."""
    return await service.pending(session)


@router.delete(
    "/invitations/{invitation_id:uuid}",  # never /invitations/accept
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=administrators,
    tags=["invitations"],
    responses=responses(401, 403, 404, 429),
)
async def revoke_invitation(invitation_id: UUID, session: DbSession, person: Person) -> Response:
    await service.revoke(session, invitation_id, actor_id=person.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invitations/accept",
    tags=["invitations"],
    responses=responses(401, 403, 409, 413, 429),
)
async def accept_invitation(
    data: Acceptance, session: PublicSession, request: Request
) -> TokenPair:
    """Accept with the mailed token and a password: a new account's, or the current one of the
    account the e-mail already has. Logs the invitee in."""
    await limiter(request).check("accept_ip", request.client.host if request.client else "unknown")
    return await service.accept(session, request.app.state.settings, data)


@router.get(
    "/members", dependencies=administrators, tags=["members"], responses=responses(401, 403, 429)
)
async def list_members(session: DbSession) -> list[MemberRead]:
    return await service.list_members(session)


@router.patch(
    "/members/{user_id}",
    dependencies=administrators,
    tags=["members"],
    responses=responses(401, 403, 404, 409, 413, 429),
)
async def change_role(
    user_id: UUID, data: RoleChange, session: DbSession, person: Person
) -> MemberRead:
    """Change a member's role (from their next token refresh); the last administrator stays."""
    return await service.change_role(session, user_id, data.role, actor_id=person.user_id)


@router.delete(
    "/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=administrators,
    tags=["members"],
    responses=responses(401, 403, 404, 409, 429),
)
async def remove_member(user_id: UUID, session: DbSession, person: Person) -> Response:
    """Remove a member; their refresh tokens stop working at once."""
    await service.remove(session, user_id, actor_id=person.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
