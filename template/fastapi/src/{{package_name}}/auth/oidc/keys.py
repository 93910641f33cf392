"""The provider's signing keys: discovered from its issuer, fetched over HTTP, cached.

`OIDC_ISSUER` + `/.well-known/openid-configuration` names the `jwks_uri`; the key set fetched
from it stays cached until a token names a key id it does not hold (the provider rotated its
keys). Then it is fetched again, at most once per `OIDC_JWKS_MIN_REFRESH_SECONDS`: concurrent
misses wait for the same fetch, and a flood of made-up key ids costs the provider nothing.
"""

import asyncio
import math
import time
from typing import Any

import httpx
import structlog
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWTError

from ...errors import AppError, Unauthorized

logger = structlog.get_logger("auth")


class ProviderUnavailable(AppError):
    """The identity provider could not be reached: the caller may retry, it is not their fault."""

    status_code = 503
    code = "identity_provider_unavailable"


class KeySet:
    """The signing keys of one issuer, by key id."""

    def __init__(
        self, client: httpx.AsyncClient, issuer: str, *, min_refresh_seconds: float
    ) -> None:
        self._client = client
        self._issuer = issuer
        self._min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, PyJWK] | None = None  # None until a fetch succeeds
        self._jwks_uri: str | None = None
        self._last_attempt: float | None = None  # monotonic; successful or not
        self._lock = asyncio.Lock()

    async def key(self, key_id: str) -> PyJWK:
        """The key with this id; an unknown id refetches the set (bounded), then is a 401."""
        if self._keys is not None and key_id in self._keys:
            return self._keys[key_id]
        await self._refresh()
        if self._keys is None:
            raise self._unavailable()
        if key_id not in self._keys:
            raise Unauthorized("The token is signed with an unknown key.", code="invalid_token")
        return self._keys[key_id]

    async def _refresh(self) -> None:
        async with self._lock:  # concurrent misses wait for one fetch
            if self._last_attempt is not None and self._seconds_to_wait() > 0:
                return  # fetched (or tried) moments ago: nothing newer to learn yet
            self._last_attempt = time.monotonic()
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, ValueError, KeyError, TypeError, PyJWTError) as error:
                logger.warning("oidc_keys_unavailable", issuer=self._issuer, error=repr(error))
                if self._keys is None:
                    raise self._unavailable() from error
                # Rotation could not be checked; the keys already held still verify.

    async def _fetch(self) -> dict[str, PyJWK]:
        if self._jwks_uri is None:
            url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
            discovery = await self._get_json(url)
            if discovery.get("issuer") != self._issuer:  # OpenID Connect Discovery 1.0, 4.3
                raise ValueError(f"the discovery document names issuer {discovery.get('issuer')}")
            self._jwks_uri = str(discovery["jwks_uri"])
        # A set without one usable key is a failure too: nothing could be verified with it.
        key_set = PyJWKSet.from_dict(await self._get_json(self._jwks_uri))
        keys = {
            key.key_id: key
            for key in key_set.keys
            if key.key_id is not None and key.public_key_use in (None, "sig")
        }
        logger.info("oidc_keys_fetched", issuer=self._issuer, key_ids=sorted(keys))
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise TypeError(f"{url} did not answer a JSON object")
        return document

    def _seconds_to_wait(self) -> float:
        assert self._last_attempt is not None
        return self._last_attempt + self._min_refresh_seconds - time.monotonic()

    def _unavailable(self) -> ProviderUnavailable:
        retry_after = max(1, math.ceil(self._seconds_to_wait()))
        return ProviderUnavailable(
            "The identity provider cannot be reached to verify the token; retry shortly.",
            headers={"Retry-After": str(retry_after)},
        )
