"""What invitations read from the environment: how long an invitation stays valid."""

from pydantic import Field

from ..config import ServiceSettings


class Settings(ServiceSettings):
    # An invitation is a credential sent by e-mail: it works once, and not for long.
    invitation_hours: int = Field(default=72, ge=1, le=24 * 30)
