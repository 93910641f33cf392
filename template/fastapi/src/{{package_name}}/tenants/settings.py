"""What the operator API reads from the environment: the operators' key."""

from pydantic import SecretStr, model_validator

from ..config import ServiceSettings


class Settings(ServiceSettings):
    # Operators call /api/v1/tenants with this key in X-Operator-Key; unset, that API refuses
    # everyone.
    operator_api_key: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_weak_key(self) -> "Settings":
        self.refuse_weak_secret("OPERATOR_API_KEY", self.operator_api_key)
        return self
