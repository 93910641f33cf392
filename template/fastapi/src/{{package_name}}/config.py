"""What every part of the service's configuration shares: the environment, and strong secrets.

Each module that reads settings declares them in a `Settings` class of its own, derived from
`ServiceSettings`; `settings.Settings` inherits them all.

Only an explicit `ENVIRONMENT=development` accepts simple secrets: with no `ENVIRONMENT` at all the
service runs as in production, so a deployment that forgets to say where it runs is not the
permissive one.
"""

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings

# Values that must never protect anything outside development.
WEAK_SECRETS = frozenset({"", "secret", "changeme", "change-me", "development", "test"})
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10  # "x" * 40 is long, not random


class ServiceSettings(BaseSettings):
    """Where the service runs, and how much it logs."""

    environment: Literal["development", "test", "production"] = "production"
    log_level: str = "INFO"

    def refuse_weak_secret(
        self, name: str, secret: SecretStr | None, *, required: bool = False
    ) -> None:
        """Outside development, a secret must be random and long enough, and a `required` one
        must be set; an empty value counts as unset."""
        if self.environment == "development":
            return
        value = "" if secret is None else secret.get_secret_value()
        if not value and not required:
            return
        if (
            value in WEAK_SECRETS
            or len(value) < MIN_SECRET_LENGTH
            or len(set(value)) < MIN_DISTINCT_CHARACTERS
        ):
            raise ValueError(
                f"{name} must be a random value of at least {MIN_SECRET_LENGTH} characters "
                f"(outside ENVIRONMENT=development; ENVIRONMENT defaults to production)"
            )
