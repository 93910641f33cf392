"""Request and response bodies of the API keys API: never the secret, but once, or its hash."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ..api import Text
from ..auth.principal import Role


class ApiKeyCreate(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    role: Role = Field(description="What the key may do; at most the creator's own role.")
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working; never, when absent."
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, expires_at: datetime | None) -> datetime | None:
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise ValueError("must be in the future")
        return expires_at


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    prefix: str = Field(description="The part of the key before the dot; not secret.")
    role: Role
    created_by: UUID | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="Send it as `X-API-Key`. Shown this once: only its hash is kept.")
