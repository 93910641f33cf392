"""Password hashing and signed tokens: the only place that touches secrets."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID

import jwt
from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import FastAPI

from ..errors import Unauthorized
from .principal import Principal
from .settings import Settings

TokenKind = Literal["access", "refresh"]
ALGORITHM = "HS256"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class TokenClaims:
    """What the service reads from a verified token."""

    subject: UUID
    tenant_id: UUID | None
    roles: tuple[str, ...]
    token_id: UUID


async def hash_password(password: str) -> str:
    """Argon2id, off the event loop: hashing is deliberately slow."""
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists, so timing does not reveal accounts."""
    target = password_hash or _dummy_hash()
    try:
        await to_thread.run_sync(_hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")


def issue_token(
    settings: Settings,
    *,
    kind: TokenKind,
    subject: UUID,
    tenant_id: UUID | None,
    roles: tuple[str, ...],
    token_id: UUID,
    family_id: UUID | None = None,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A signed token and its expiry."""
    issued_at = now or datetime.now(UTC)
    lifetime = (
        timedelta(minutes=settings.access_token_minutes)
        if kind == "access"
        else timedelta(days=settings.refresh_token_days)
    )
    expires_at = issued_at + lifetime
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "sub": str(subject),
        "roles": list(roles),
        "jti": str(token_id),
        "typ": kind,
        "iat": issued_at,
        "exp": expires_at,
    }
    if tenant_id is not None:
        claims["tid"] = str(tenant_id)
    if family_id is not None:
        claims["fam"] = str(family_id)
    secret = settings.jwt_secret.get_secret_value()
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires_at


def decode_token(settings: Settings, token: str, *, kind: TokenKind) -> TokenClaims:
    """Verify signature, algorithm, issuer, expiry and kind; anything else is a 401."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],  # never "none", never what the token header asks for
            issuer=settings.jwt_issuer,
            options={"require": ["iss", "sub", "jti", "typ", "iat", "exp"]},
        )
        if claims["typ"] != kind:
            raise jwt.InvalidTokenError(f"expected a {kind} token")
        return TokenClaims(
            subject=UUID(claims["sub"]),
            tenant_id=UUID(claims["tid"]) if "tid" in claims else None,
            roles=tuple(claims.get("roles", ())),
            token_id=UUID(claims["jti"]),
        )
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as error:
        raise Unauthorized("The token is invalid or expired.", code="invalid_token") from error


async def principal_from_token(app: FastAPI, token: str) -> Principal:
    """The caller an access token of this service names (auth.deps' seam)."""
    claims = decode_token(app.state.settings, token, kind="access")
    return Principal(user_id=claims.subject, tenant_id=claims.tenant_id, roles=claims.roles)
