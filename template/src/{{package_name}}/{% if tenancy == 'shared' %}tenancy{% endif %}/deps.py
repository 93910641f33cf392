"""The tenant of the current request, taken from the authenticated principal."""

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from ..auth.deps import CurrentPrincipal


async def _current_tenant(principal: CurrentPrincipal) -> UUID:
    return principal.tenant_id


CurrentTenant = Annotated[UUID, Depends(_current_tenant)]
