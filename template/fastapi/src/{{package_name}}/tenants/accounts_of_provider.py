"""The accounts of a tenant, when an identity provider signs users in: its tokens say who
administers a tenant (OIDC_TENANT_CLAIM and the role claim), and the accounts are its own."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from .schemas import TenantCreate


async def administrator(session: AsyncSession, data: TenantCreate) -> UUID | None:
    """No one here: the provider names the tenant's administrators in their tokens."""
    return None


async def remove_accounts(session: AsyncSession, user_ids: list[UUID]) -> None:
    """Nothing to remove: the provider's users keep their accounts whatever a tenant does."""
