"""An OpenID Connect provider for the tests: a real HTTP server on a free port that serves
discovery and a key set of RSA keys made for the run, and signs tokens with them.

It counts the requests it answers, rotates its keys and goes down on demand, so the tests can
watch what the service asks of a provider.
"""

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .network import free_port

AUDIENCE = "https://api.example.com"
DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/keys"


class SigningKey:
    """An RSA key pair with its key id."""

    def __init__(self) -> None:
        self.key_id = secrets.token_hex(8)
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.key_id, "use": "sig", "alg": "RS256"}


class IdentityProvider:
    """Discovery and JWKS over HTTP, and tokens signed with the keys it publishes."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.keys = [SigningKey()]
        self.requests: Counter[str] = Counter()  # by path
        self._server: ThreadingHTTPServer | None = None

    # ── Tokens ──────────────────────────────────────────────────────────────
    def token(self, *, key: SigningKey | None = None, lifetime: float = 300, **claims: Any) -> str:
        """An access token of this provider for AUDIENCE; `claims` add to or replace the usual
        ones (a claim given as None is left out)."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": secrets.token_hex(8),
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + lifetime,
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        signer = key or self.keys[-1]
        return jwt.encode(
            payload, signer.private, algorithm="RS256", headers={"kid": signer.key_id}
        )

    def rotate(self) -> SigningKey:
        """Publish a new key and sign with it; the old one is withdrawn."""
        self.keys = [SigningKey()]
        return self.keys[0]

    # ── The HTTP server ────────────────────────────────────────────────────
    def start(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                provider.requests[self.path] += 1
                if self.path == DISCOVERY:
                    body: dict[str, Any] = {
                        "issuer": provider.issuer,
                        "jwks_uri": provider.issuer + JWKS,
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path == JWKS:
                    body = {"keys": [key.jwk() for key in provider.keys]}
                else:
                    self.send_error(404)
                    return
                encoded = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the counter records what was asked."""

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Go down: the port refuses connections until `start` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    """A provider of its own, up for the `with` block."""
    provider = IdentityProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@lru_cache(maxsize=1)
def shared_provider() -> IdentityProvider:
    """The provider the whole run's service trusts (tests/conftest.py); it stays up, and its
    keys never rotate: a test that rotates or stops a provider starts its own."""
    provider = IdentityProvider()
    provider.start()
    return provider
