"""An access token of the provider, verified: signature, algorithm, issuer, audience, expiry."""

from typing import Any

import jwt

from ...errors import Unauthorized
from .keys import KeySet
from .settings import Settings

REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]
MAX_SUBJECT = 255  # OpenID Connect Core 1.0, 2: "MUST NOT exceed 255 ASCII characters"


async def verified_claims(keys: KeySet, settings: Settings, token: str) -> dict[str, Any]:
    """The token's claims once every check passed; anything else is a 401."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise _invalid() from error
    algorithm, key_id = header.get("alg"), header.get("kid")
    # The allow-list decides, never the header: "none" and HS* are not in it.
    if algorithm not in settings.oidc_algorithms or not isinstance(key_id, str):
        raise _invalid()
    key = await keys.key(key_id)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=settings.oidc_audience,
            issuer=settings.oidc_issuer,
            leeway=settings.oidc_leeway_seconds,
            options={"require": REQUIRED_CLAIMS},
        )
    except (jwt.PyJWTError, TypeError, ValueError) as error:  # a key of another family too
        raise _invalid() from error
    if not _is_subject(claims["sub"]):
        raise _invalid()
    return claims


def _is_subject(value: Any) -> bool:
    """What OpenID Connect allows a subject to be (at most 255 ASCII characters), which the
    `users` table stores as it is."""
    if not isinstance(value, str):
        return False
    return 0 < len(value) <= MAX_SUBJECT and value.isascii() and value.isprintable()


def claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by its dotted path ("realm_access.roles"); None when absent."""
    value: Any = claims
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _invalid() -> Unauthorized:
    return Unauthorized("The token is invalid or expired.", code="invalid_token")
