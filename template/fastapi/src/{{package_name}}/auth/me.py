"""/auth/me: the caller as the provider's token and this service see them."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..api import V1
from ..errors import responses
from .deps import CurrentPrincipal

router = APIRouter(prefix=V1, tags=["auth"], responses=responses(422, 503))


class Me(BaseModel):
    user_id: UUID = Field(description="The caller's account here, one per issuer and subject.")
    tenant_id: UUID | None = Field(description="The tenant the token names; none without tenants.")
    roles: list[str]


@router.get("/auth/me", responses=responses(401, 403))
async def me(principal: CurrentPrincipal) -> Me:
    """The caller: their account, their tenant and their roles as the service maps them."""
    return Me(user_id=principal.user_id, tenant_id=principal.tenant_id, roles=list(principal.roles))
