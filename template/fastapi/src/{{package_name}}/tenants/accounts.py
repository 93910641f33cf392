"""The accounts a deleted tenant leaves behind: its members who belong to no other tenant."""

from uuid import UUID

import structlog
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User

logger = structlog.get_logger("tenants")

NO_PASSWORD = "!"  # noqa: S105  # not a hash: no password verifies against it


async def remove_accounts(session: AsyncSession, user_ids: list[UUID]) -> None:
    """Delete accounts that belong to no tenant any more.

    An account that rows elsewhere still refer to (a resource whose `user_ref` restricts
    deletes) keeps its row but loses its password: no one can log in with it again.
    """
    for user_id in user_ids:
        try:
            async with session.begin_nested():
                await session.execute(delete(User).where(User.id == user_id))
        except IntegrityError:
            await session.execute(
                update(User).where(User.id == user_id).values(password_hash=NO_PASSWORD)
            )
        logger.info("account_removed", user_id=str(user_id))
