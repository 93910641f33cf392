"""API keys for tests, created through the public API as a client would."""

from typing import Any

from httpx import AsyncClient

from ..support.api import Account

API_KEYS = "/api/v1/api-keys"


async def create_key(
    client: AsyncClient, account: Account, role: str, **fields: Any
) -> dict[str, Any]:
    """A new key of the account's tenant: its description, with the key itself under "key"."""
    body = {"name": f"{role} robot", "role": role, **fields}
    response = await client.post(API_KEYS, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def key_headers(created: dict[str, Any]) -> dict[str, str]:
    return {"X-API-Key": created["key"]}
