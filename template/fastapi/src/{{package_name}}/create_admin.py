"""Create the first administrator: `python -m <package>.create_admin ada@example.com`
(`make create-admin EMAIL=ada@example.com`).

Registration is closed, so the service's first account comes from whoever runs it. The account
is created verified, with a password nobody knows, and its owner is mailed a link to choose one:
a password never goes on a command line, where shell history and process lists would keep it.
"""

import argparse
import asyncio
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import signals
from .auth import mails, tokens
from .auth.models import User
from .auth.schemas import Email
from .auth.security import hash_password
from .db import Database, create_engine, transaction
from .mail import Mailer, mailer_for
from .settings import Settings, get_settings


class AccountExists(Exception):
    """The address already has an account: its owner resets the password instead."""


async def create_admin(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], mail: Mailer, email: str
) -> UUID:
    """A verified administrator with this e-mail, mailed a link to set the password."""
    async with transaction(sessions) as session:
        if await session.scalar(select(User.id).where(User.email == email)) is not None:
            raise AccountExists(email)
        user = User(
            email=email,
            password_hash=await hash_password(secrets.token_urlsafe(32)),  # known to nobody
            role="admin",
            email_verified_at=datetime.now(UTC),  # whoever runs the service vouches for it
        )
        session.add(user)
        await session.flush()
        lifetime = timedelta(minutes=settings.reset_token_minutes)
        token = await tokens.issue(session, user.id, "reset", lifetime)
        signals.audited.send(
            "auth.admin_created",
            session=session,
            actor_id=None,
            resource_type="user",
            resource_id=user.id,
            changes={"email": [None, email], "role": [None, "admin"]},
        )
        # Inside the transaction: a mail that cannot be sent leaves no account behind.
        await mail.send(mails.set_password(settings, email, token))
    return user.id


async def create_first_admin(settings: Settings, email: str) -> None:
    """What the command does, with its own connection and mailer."""
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        await create_admin(settings, Database(engine).sessions, mailer_for(settings), email)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("email", help="the administrator's e-mail address")
    arguments = parser.parse_args(argv)
    try:
        email = TypeAdapter(Email).validate_python(arguments.email)
    except ValidationError:
        parser.error(f"not an e-mail address: {arguments.email!r}")
    try:
        asyncio.run(create_first_admin(get_settings(), email))
    except AccountExists:
        sys.exit(f"{email} already has an account; its owner can reset the password instead.")
    print(f"Created administrator {email}; a link to set the password was mailed to it.")


if __name__ == "__main__":
    main()
