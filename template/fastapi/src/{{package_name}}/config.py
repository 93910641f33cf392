"""What every part of the service's configuration shares: the environment, and strong secrets.

Each module that reads settings declares them in a `Settings` class of its own, derived from
`ServiceSettings`; `settings.Settings` inherits them all.
"""

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings

# Values that must never protect anything outside development.
WEAK_SECRETS = frozenset({"", "secret", "changeme", "change-me", "development", "test"})
MIN_SECRET_LENGTH = 32


class ServiceSettings(BaseSettings):
    """Where the service runs, and how much it logs."""

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"

    def refuse_weak_secret(self, name: str, secret: SecretStr | None) -> None:
        """Outside development, a secret that is set must be random and long enough."""
        if self.environment == "development" or secret is None:
            return
        value = secret.get_secret_value()
        if value in WEAK_SECRETS or len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"{name} must be a random value of at least {MIN_SECRET_LENGTH} characters"
            )
