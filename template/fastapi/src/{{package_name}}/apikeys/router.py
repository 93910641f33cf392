"""/api-keys: people create, list and revoke the keys their machine clients call with."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from ..api import V1
from ..auth.deps import CurrentPrincipal, DbSession, limit_caller, require_role
from ..auth.principal import Principal
from ..errors import Forbidden, responses
from ..invitations.service import with_current_role
from ..pagination import Cursor, Limit, Page
from . import service
from .schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead


async def _person(principal: CurrentPrincipal, session: DbSession) -> Principal:
    """The caller, with the role they hold now: a demoted or removed member's token, still
    valid for minutes, must not mint a key that outlives the demotion."""
    # A key that could mint keys would outlive its own revocation through its offspring.
    if principal.credential == "api_key":
        raise Forbidden("API keys are managed with an access token.", code="api_key_not_allowed")
    person = await with_current_role(session, principal)
    if not person.has_role("member"):
        raise Forbidden("This needs the member role.", code="insufficient_role")
    return person


Person = Annotated[Principal, Depends(_person)]

router = APIRouter(
    prefix=f"{V1}/api-keys",
    tags=["api keys"],
    dependencies=[require_role("member"), Depends(limit_caller)],
    responses=responses(401, 403, 422, 429, 503),
)


# 409: the creator's account was removed in the same instant (tenancy none).
@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(409, 413))
async def create_api_key(data: ApiKeyCreate, session: DbSession, person: Person) -> ApiKeyCreated:
    """Create a key with at most your role; the key is in this answer only."""
    return await service.create_key(session, person, data)


@router.get("")
async def list_api_keys(
    session: DbSession, person: Person, limit: Limit = 50, cursor: Cursor = None
) -> Page[ApiKeyRead]:
    """The tenant's keys (an administrator's view) or the ones you created; never a secret."""
    return await service.list_keys(session, person, limit=limit, cursor=cursor)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404))
async def revoke_api_key(key_id: UUID, session: DbSession, person: Person) -> Response:
    """Revoke a key: from now on it is refused."""
    await service.revoke_key(session, person, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
