"""The accounts of a tenant, when an identity provider signs users in: its tokens say who
belongs to a tenant (OIDC_TENANT_CLAIM) with which role, and the accounts are its own."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession


async def remove_accounts(session: AsyncSession, user_ids: list[UUID]) -> None:
    """Nothing to remove: the provider's users keep their accounts whatever a tenant does."""
