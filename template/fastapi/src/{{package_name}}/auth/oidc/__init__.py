"""The service as an OpenID Connect resource server: an external provider signs users in and
issues access tokens; the service verifies them and maps their claims to a local principal."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from ...db import database
from ..principal import Principal
from .accounts import Accounts
from .keys import KeySet, ProviderUnavailable
from .settings import Settings
from .tokens import verified_claims

__all__ = ["ProviderUnavailable", "Settings", "open_verifier", "principal_from_token"]


class Verifier:
    """The provider's keys and the local accounts, for one running service."""

    def __init__(self, keys: KeySet, accounts: Accounts, settings: Settings) -> None:
        self.keys = keys
        self.accounts = accounts
        self.settings = settings


async def principal_from_token(app: FastAPI, token: str) -> Principal:
    """The caller a provider's access token names (auth.deps' seam)."""
    verifier: Verifier = app.state.oidc
    claims = await verified_claims(verifier.keys, verifier.settings, token)
    return await verifier.accounts.principal(claims)


@asynccontextmanager
async def open_verifier(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """One HTTP client for the provider, closed at stop; the key set is fetched on first use."""
    timeout = httpx.Timeout(settings.oidc_http_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout) as client:
        keys = KeySet(
            client,
            settings.oidc_issuer,
            min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
        )
        app.state.oidc = Verifier(keys, Accounts(database(app).sessions, settings), settings)
        yield
