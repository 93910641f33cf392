"""Request and response bodies of the tenant management API."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ..api import Text
from ..auth.schemas import Email, TenantSlug


class TenantCreate(BaseModel):
    """A tenant, and the address its first administrator is invited at: they accept with the
    mailed token, as a new account or with the password of the account they have."""

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    slug: TenantSlug
    admin_email: Email


class AdministratorInvitation(BaseModel):
    """Another administrator for a tenant: its first one's invitation expired, or its last
    administrator left."""

    email: Email


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    slug: str
    status: Literal["active", "suspended"]
    created_at: datetime
