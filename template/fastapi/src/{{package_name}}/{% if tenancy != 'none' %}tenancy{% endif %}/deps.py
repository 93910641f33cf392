"""The tenant of the current request, and the operator who manages tenants."""

import hmac
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header

from ..auth.deps import CurrentPrincipal
from ..errors import Forbidden, Unauthorized
from ..state import State


async def _current_tenant(principal: CurrentPrincipal, state: State) -> UUID:
    """The tenant named by the verified access token, refused when suspended or deleted."""
    await state.tenants.ensure_active(principal.tenant_id)
    return principal.tenant_id


CurrentTenant = Annotated[UUID, Depends(_current_tenant)]


async def _operator(
    state: State,
    key: Annotated[
        str | None, Header(alias="X-Operator-Key", description="OPERATOR_API_KEY.")
    ] = None,
) -> None:
    expected = state.settings.operator_api_key
    if expected is None:
        raise Forbidden(
            "Tenant management is disabled: OPERATOR_API_KEY is not set.",
            code="operator_api_disabled",
        )
    if key is None or not hmac.compare_digest(key.encode(), expected.get_secret_value().encode()):
        raise Unauthorized("A valid X-Operator-Key is required.", code="invalid_operator_key")


RequireOperator = Depends(_operator)
