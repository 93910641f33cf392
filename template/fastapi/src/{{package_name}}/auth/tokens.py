"""Single-use tokens mailed to an account's owner: one proves the e-mail address (`verify`), one
sets a new password (`reset`).

A token is 32 random bytes the mail carries; the table keeps only its SHA-256, so reading the
table opens no account. Spending is one UPDATE ... WHERE used_at IS NULL AND expires_at > now()
RETURNING, so two requests racing with one token cannot both succeed.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import AppError
from .models import AccountToken

Purpose = Literal["verify", "reset"]


class InvalidAccountToken(AppError):
    """Unknown, expired and already used tokens are refused alike: the answer tells an attacker
    nothing about which tokens exist."""

    status_code = 400
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("This link is invalid, expired or already used; ask for a new one.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    session: AsyncSession,
    user_id: UUID,
    purpose: Purpose,
    lifetime: timedelta,
    details: dict[str, Any] | None = None,
) -> str:
    """A new token for `user_id`, valid for `lifetime`; the caller mails it."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            purpose=purpose,
            user_id=user_id,
            token_hash=_digest(token),
            expires_at=datetime.now(UTC) + lifetime,
            details=details,
        )
    )
    await session.flush()
    return token


async def spend(session: AsyncSession, token: str, purpose: Purpose) -> AccountToken:
    """Mark the token used and return it, or raise `InvalidAccountToken`."""
    spent = await session.scalar(
        update(AccountToken)
        .where(
            AccountToken.token_hash == _digest(token),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > func.now(),
        )
        .values(used_at=func.now())
        .returning(AccountToken)
        .execution_options(synchronize_session=False)
    )
    if spent is None:
        raise InvalidAccountToken
    return spent
