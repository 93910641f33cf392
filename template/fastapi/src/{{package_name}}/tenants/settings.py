"""What the operator API reads from the environment: the operators' key."""

from pydantic import SecretStr, field_validator, model_validator

from ..config import ServiceSettings


class Settings(ServiceSettings):
    # Operators call /api/v1/tenants with this key in X-Operator-Key. Required, random and long
    # outside ENVIRONMENT=development; there, unset or empty, that API refuses everyone.
    operator_api_key: SecretStr | None = None

    @field_validator("operator_api_key", mode="after")
    @classmethod
    def _empty_is_unset(cls, key: SecretStr | None) -> SecretStr | None:
        return key if key is not None and key.get_secret_value() else None

    @model_validator(mode="after")
    def _refuse_weak_key(self) -> "Settings":
        self.refuse_weak_secret("OPERATOR_API_KEY", self.operator_api_key, required=True)
        return self
