"""HTTP hardening: security headers on every response, CORS and trusted proxies from settings,
and no redirect that reflects the request's Host header.

- Every response says `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (and
  `Content-Security-Policy: frame-ancestors 'none'`) and `Referrer-Policy: no-referrer`; the
  responses of `/api/v1/auth/...` and `/api/v1/api-keys`, which carry tokens and keys,
  `Cache-Control: no-store`.
- `Strict-Transport-Security` goes on every response in production, whatever the scheme the
  service sees (TLS usually ends at a proxy before it; browsers ignore the header over plain
  HTTP), and elsewhere on the responses to HTTPS requests.
- CORS is off until `CORS_ALLOW_ORIGINS` lists origins; no wildcard, no credentials (the API
  takes bearer tokens, not cookies).
- `X-Forwarded-For` and `X-Forwarded-Proto` are honoured only from the addresses or networks
  `TRUSTED_PROXIES` lists, none by default: otherwise anyone could choose the client address that
  the per-address login limit counts. `serve.py` turns uvicorn's own proxy handling off (it
  trusts 127.0.0.1 by default), so this is the one place that reads those headers.
- The router never redirects `/path/` to `/path`: such a redirect is built from the Host header,
  so a forged Host would send the client elsewhere. The path without the slash is the only one.
"""

import ipaddress
import re
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import Field, field_validator
from pydantic_settings import NoDecode
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .api import V1
from .config import ServiceSettings
from .features import Feature

# Register, login and refresh answer with tokens; creating an API key shows the key.
TOKEN_PATHS = (f"{V1}/auth/", f"{V1}/api-keys")
_ORIGIN = re.compile(r"^https?://[^/\s*]+$")


class Settings(ServiceSettings):
    # Comma-separated: origins a browser app is served from (https://app.example.com).
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Comma-separated addresses or networks of the proxies in front (10.0.0.0/8, 127.0.0.1).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    hsts_max_age_seconds: int = Field(default=63_072_000, ge=0)  # two years

    @field_validator("cors_allow_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin such as https://app.example.com")
        return origins

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            ipaddress.ip_network(proxy, strict=False)  # raises ValueError, "*" included
        return proxies


_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)
_CACHE_CONTROL = b"cache-control"


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pure ASGI: streaming is untouched).

    A header the response sets already is left as it is; the raw header list is extended in
    one pass, without a header mapping built per response."""

    def __init__(self, app: ASGIApp, *, hsts: str, hsts_always: bool) -> None:
        self.app = app
        self.hsts = (b"strict-transport-security", hsts.encode("latin-1"))
        self.hsts_always = hsts_always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _SECURITY_HEADERS
        if self.hsts_always or scope.get("scheme") == "https":
            added = (*added, self.hsts)
        no_store = str(scope.get("path", "")).startswith(TOKEN_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in added if header[0] not in present]
                if no_store:
                    headers = [header for header in headers if header[0].lower() != _CACHE_CONTROL]
                    headers.append((_CACHE_CONTROL, b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _install(app: FastAPI, settings: Settings) -> None:
    # Added innermost first: proxies resolve the client, then headers, then CORS.
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Retry-After", "X-Request-ID", "Location"],
            max_age=600,
        )
    app.add_middleware(
        SecurityHeadersMiddleware,
        hsts=f"max-age={settings.hsts_max_age_seconds}; includeSubDomains",
        hsts_always=settings.environment == "production",
    )
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def _options(_: Settings) -> dict[str, Any]:
    return {"redirect_slashes": False}


feature = Feature(install=_install, options=_options)
