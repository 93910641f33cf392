"""Who is calling: the principal every route sees, however the caller authenticated."""

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from ..errors import Unauthorized

ROLES = ("viewer", "member", "admin")  # ascending: each role can do what the ones before can
Role = Literal["viewer", "member", "admin"]


@dataclass(frozen=True)
class Principal:
    """Who is calling, for which tenant (none in a single-tenant service), with which roles.

    A person calls with an access token; a machine with an API key, whose id is then `user_id`:
    the actor that `created_by` columns, the rate limit and the audit trail record.
    """

    user_id: UUID
    tenant_id: UUID | None
    roles: tuple[str, ...]
    credential: Literal["token", "api_key"] = "token"

    @property
    def tenant(self) -> UUID:
        """The tenant the caller acts in; a token that names none is refused."""
        if self.tenant_id is None:
            raise Unauthorized("The token names no tenant.", code="invalid_token")
        return self.tenant_id

    def has_role(self, minimum: Role) -> bool:
        rank = ROLES.index(minimum)
        return any(ROLES.index(role) >= rank for role in self.roles if role in ROLES)
