"""Where outgoing mail goes (`MAIL_URL`) and whom it comes from."""

from pathlib import Path
from typing import ClassVar

from pydantic import AnyUrl, Field, model_validator

from ..config import ServiceSettings


class Settings(ServiceSettings):
    # smtp://user:password@host:587 (STARTTLS when offered), smtps://...:465 (TLS from the start),
    # or file:///path/to/dir (a sink writing one .eml file per message). Required outside
    # development, so a service never drops mail because nobody said where it goes.
    mail_url: AnyUrl | None = None
    mail_from: str = "no-reply@localhost"
    mail_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    DEVELOPMENT_SINK: ClassVar[Path] = Path("var/mail")

    @model_validator(mode="after")
    def _refuse_missing_mail_url(self) -> "Settings":
        if self.mail_url is None and self.environment != "development":
            raise ValueError(
                "MAIL_URL must say where mail goes: smtp://, smtps:// or file:// "
                "(outside ENVIRONMENT=development; ENVIRONMENT defaults to production)"
            )
        if self.mail_url is not None and self.mail_url.scheme not in {"smtp", "smtps", "file"}:
            raise ValueError("MAIL_URL must start with smtp://, smtps:// or file://")
        return self
