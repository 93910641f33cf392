"""The operator who manages tenants, recognised by the `X-Operator-Key` header."""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from ..errors import Forbidden, Unauthorized

_operator_key = APIKeyHeader(
    name="X-Operator-Key", auto_error=False, description="The service's OPERATOR_API_KEY."
)


async def _operator(request: Request, key: Annotated[str | None, Depends(_operator_key)]) -> None:
    expected = request.app.state.settings.operator_api_key
    if expected is None:
        raise Forbidden(
            "Tenant management is disabled: OPERATOR_API_KEY is not set.",
            code="operator_api_disabled",
        )
    # An empty header never matches, whatever the key; the comparison takes constant time.
    if not key or not hmac.compare_digest(key.encode(), expected.get_secret_value().encode()):
        raise Unauthorized("A valid X-Operator-Key is required.", code="invalid_operator_key")


RequireOperator = Depends(_operator)
