"""A single-tenant service reads no tenant claim: every caller acts in the one service."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .settings import Settings


class Tenants:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        """Nothing to look up."""

    async def tenant_id(self, claims: dict[str, Any]) -> UUID | None:
        return None
