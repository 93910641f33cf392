"""Request and response bodies of invitations and members."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ..auth.principal import Role
from ..auth.schemas import Email


class InvitationCreate(BaseModel):
    email: Email
    role: Role = "member"


class InvitationRead(BaseModel):
    """What the inviter learns: never whether the address has an account."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    email: str
    role: Role
    expires_at: datetime


class Acceptance(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=128)]
    password: Annotated[str, Field(max_length=128)] = Field(
        description="A new account's password (it must be hard to guess), or the current "
        "password of the account this e-mail already has."
    )


class MemberRead(BaseModel):
    user_id: UUID
    email: str
    role: Role


class RoleChange(BaseModel):
    role: Role
