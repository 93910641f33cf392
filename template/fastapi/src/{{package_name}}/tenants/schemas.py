"""Request and response bodies of the tenant management API."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..api import Text
from ..auth.passwords import refuse_weak_password
from ..auth.schemas import Email, Password, TenantSlug


class TenantCreate(BaseModel):
    """A tenant and its first administrator (an existing account, or a new one)."""

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    slug: TenantSlug
    admin_email: Email
    admin_password: Password | None = Field(
        default=None, description="Needed only when the administrator has no account yet."
    )

    @field_validator("admin_password")
    @classmethod
    def _strong_password(cls, password: str | None, info: ValidationInfo) -> str | None:
        if password is not None:
            refuse_weak_password(password, *info.data.values())  # the e-mail, name and slug
        return password


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    slug: str
    status: Literal["active", "suspended"]
    created_at: datetime
