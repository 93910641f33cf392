"""The tenant a token acts in: the one its tenant claim (`OIDC_TENANT_CLAIM`) names, by slug or
id. Operators create tenants (/api/v1/tenants); the provider says who belongs to which."""

import re
from typing import Any
from uuid import UUID

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...db import transaction
from ...errors import Unauthorized
from ...tenancy.models import Tenant
from .settings import Settings
from .tokens import claim

CACHED_TENANTS = 100_000
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")  # as the tenants table's check constraint
# A slug names one tenant; an entry outlives a deleted tenant by this long at most, and the
# tenant's status is checked on every request anyway (auth.deps).
TENANT_ID_TTL_SECONDS = 60


class Tenants:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._claim = settings.oidc_tenant_claim
        self._ids: TTLCache[str, UUID] = TTLCache(CACHED_TENANTS, ttl=TENANT_ID_TTL_SECONDS)

    async def tenant_id(self, claims: dict[str, Any]) -> UUID:
        """The tenant the claim names; a token naming none, or one that does not exist, is a 401."""
        value = claim(claims, self._claim)
        if not isinstance(value, str) or not value:
            raise Unauthorized("The token names no tenant.", code="invalid_token")
        if (known := self._ids.get(value)) is not None:
            return known
        try:
            named = Tenant.id == UUID(value)
        except ValueError:
            if not SLUG.fullmatch(value):  # no such tenant can exist: no query
                raise Unauthorized("This tenant does not exist.", code="tenant_not_found") from None
            named = Tenant.slug == value
        async with transaction(self._sessions) as session:
            tenant_id = await session.scalar(select(Tenant.id).where(named))
        if tenant_id is None:
            raise Unauthorized("This tenant does not exist.", code="tenant_not_found")
        self._ids[value] = tenant_id
        return tenant_id
