"""Open registration: anyone signs up a new tenant of their own, after proving their e-mail.

`POST /auth/register` answers 202 with the same body whether or not the address has an account,
after the same work (a password hash and a mail), so it reveals no account: a new address gets a
verification link, a known one a mail saying someone tried to sign up. The tenant is created only
when the link is used (`POST /auth/verify`): an address nobody proves creates no storage, and the
registrant administers the new tenant and nothing else. Its slug is checked at registration, so
a taken one is said at once; a race for it is lost at verification (409).
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import signals
from ..api import V1, Text
from ..db import PublicSession
from ..db import Settings as DatabaseSettings
from ..errors import Conflict, responses
from ..mail import Mailer, mailer
from ..ratelimit import limiter
from ..tenancy import lifecycle
from ..tenancy.models import Tenant
from . import mails, service, tokens
from .models import User
from .passwords import refuse_weak_password
from .router import client_address
from .schemas import Accepted, Email, MailedToken, Password, TenantSlug, TokenPair
from .security import hash_password
from .settings import Settings

logger = structlog.get_logger("auth")

router = APIRouter(prefix=V1, tags=["auth"], responses=responses(422, 503))

ACCEPTED = Accepted(message="Check your mailbox: a link to activate the account is on its way.")


class Registration(BaseModel):
    """A new tenant and its first administrator."""

    tenant_name: Annotated[Text, Field(min_length=1, max_length=200)]
    tenant_slug: TenantSlug
    email: Email
    password: Password

    @field_validator("password")
    @classmethod
    def _strong_password(cls, password: str, info: ValidationInfo) -> str:
        # The fields before it: the tenant's name and slug, the e-mail.
        refuse_weak_password(password, *info.data.values())
        return password


class Verification(BaseModel):
    token: MailedToken


@router.post(
    "/auth/register", status_code=status.HTTP_202_ACCEPTED, responses=responses(409, 413, 429)
)
async def register(data: Registration, session: PublicSession, request: Request) -> Accepted:
    """Sign up a new tenant; it is created once the mailed link proves the e-mail address."""
    await limiter(request).check("register_ip", client_address(request))
    await sign_up(session, request.app.state.settings, mailer(request), data)
    return ACCEPTED


@router.post("/auth/verify", responses=responses(400, 409, 413))
async def verify(data: Verification, session: PublicSession, request: Request) -> TokenPair:
    """Prove the e-mail address with the mailed token: the tenant is created, and the
    registrant logged in as its administrator."""
    settings = request.app.state.settings
    return await verify_email(session, settings, data.token, storage=settings)


async def sign_up(
    session: AsyncSession, settings: Settings, mail: Mailer, data: Registration
) -> None:
    """Store the account unverified and mail its link, or, for a known address, mail its owner
    instead: the caller answers the same either way."""
    # The slug first, whatever the address: a 409 that depended on it would reveal accounts.
    if await session.scalar(select(Tenant.id).where(Tenant.slug == data.tenant_slug)):
        raise Conflict("This tenant slug is taken.", code="tenant_slug_taken")
    password_hash = await hash_password(data.password)  # either way: the timing tells nothing
    if await session.scalar(select(User.id).where(User.email == data.email)) is not None:
        await mail.send(mails.already_registered(settings, data.email))
        return
    user = User(email=data.email, password_hash=password_hash)
    session.add(user)
    await session.flush()
    tenant = {"name": data.tenant_name, "slug": data.tenant_slug}
    lifetime = timedelta(hours=settings.verify_token_hours)
    token = await tokens.issue(session, user.id, "verify", lifetime, details={"tenant": tenant})
    await mail.send(mails.verification(settings, data.email, token))


async def verify_email(
    session: AsyncSession, settings: Settings, token: str, *, storage: DatabaseSettings
) -> TokenPair:
    """Spend the link's token, mark the address verified and create the tenant it signed up, the
    registrant its administrator; a race for the slug lost since registration is a 409."""
    spent = await tokens.spend(session, token, "verify")
    user = await session.get(User, spent.user_id)
    assert user is not None  # the token's row is deleted with its user
    user.email_verified_at = user.email_verified_at or datetime.now(UTC)
    tenant = (spent.details or {})["tenant"]
    created = await lifecycle.create_tenant(
        session, storage, name=tenant["name"], slug=tenant["slug"], admin_id=user.id
    )
    # The trail is the tenant's: the sign-up enters it with the tenant, at verification.
    signals.audited.send(
        "auth.registered",
        session=session,
        actor_id=user.id,
        resource_type="user",
        resource_id=user.id,
        changes={"email": [None, user.email]},
    )
    signals.audited.send(
        "auth.verified",
        session=session,
        actor_id=user.id,
        resource_type="user",
        resource_id=user.id,
        changes={"email_verified_at": [None, user.email_verified_at.isoformat()]},
    )
    logger.info("tenant_registered", tenant_id=str(created.id), user_id=str(user.id))
    return await service.tokens_for(session, settings, user.id, created.id, ("admin",))
