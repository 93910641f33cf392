"""Request and response bodies of the API keys API: never the secret, but once, or its hash."""

from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ..api import Text
from ..auth.principal import Role

# Beyond it an expiry means "never", which is said by leaving it out; and a date near the end
# of the calendar, shifted to UTC, is past what the database driver can write.
LONGEST_LIFETIME = timedelta(days=100 * 366)


class ApiKeyCreate(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    role: Role = Field(description="What the key may do; at most the creator's own role.")
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="When the key stops working, within 100 years; never, when absent.",
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, expires_at: datetime | None) -> datetime | None:
        now = datetime.now(UTC)
        if expires_at is not None and expires_at <= now:
            raise ValueError("must be in the future")
        if expires_at is not None and expires_at - now > LONGEST_LIFETIME:
            raise ValueError("must be within 100 years; leave it out for a key that never expires")
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
