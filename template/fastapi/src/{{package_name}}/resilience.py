"""Requests that are safe to repeat are retried when the database failed them transiently.

Safe means reads (GET, HEAD) and creates carrying an Idempotency-Key, whose repeat replays the
first response. Transient means a dropped connection, a database shutting down, starting up or
refusing connections, a serialization failure or a deadlock; anything else, or any failure after
the response has started, is not retried. A database still out of reach after the retries (or
met by a request not safe to repeat) is a 503 `database_unavailable` with Retry-After.
"""

import asyncio
import random

import structlog
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

from .asgi import BufferedBody, TrackedSend
from .config import ServiceSettings
from .db import unavailable
from .errors import error_response
from .features import Feature

TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
RETRY_AFTER = {"Retry-After": "1"}

logger = structlog.get_logger("resilience")


class Settings(ServiceSettings):
    retry_attempts: int = Field(default=6, ge=1)  # for reads and idempotent creates
    # The first wait; each next one doubles, up to a second: 6 attempts span about 1.5 s, what a
    # PostgreSQL restart (`pg_ctl restart -m fast`) takes.
    retry_wait_seconds: float = Field(default=0.05, gt=0)


def is_transient(error: BaseException) -> bool:
    if unavailable(error):
        return True
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def _repeatable(scope: Scope) -> bool:
    method = scope["method"]
    if method in ("GET", "HEAD"):
        return True
    return method == "POST" and any(name == b"idempotency-key" for name, _ in scope["headers"])


def backoff(attempt: int, wait: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): exponential from `wait`,
    with up to `wait` of jitter, at most a second."""
    jitter = random.uniform(0, wait)  # noqa: S311  # spreads retries, guards no secret
    return min(wait * 2.0 ** (attempt - 1) + jitter, 1.0)


class RetrySafeRequests:
    """Pure ASGI middleware: replays a repeatable request, with backoff and jitter.

    The first attempt runs as a plain call (no retry machinery on the path of a request that
    succeeds, which is nearly every one); only a transient failure enters the retry loop."""

    def __init__(self, app: ASGIApp, *, attempts: int, wait: float) -> None:
        self.app = app
        self.attempts = attempts
        self.wait = wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = TrackedSend(send)
        try:
            if self.attempts < 2 or not _repeatable(scope):
                await self.app(scope, receive, tracked)
            else:
                await self._retried(scope, receive, tracked)
        except Exception as error:
            if tracked.started or not unavailable(error):
                raise
            logger.warning("database_unavailable", error=type(error).__name__)
            message = "The database is unavailable; retry shortly."
            response = error_response(503, "database_unavailable", message, None, RETRY_AFTER)
            await response(scope, receive, send)

    async def _retried(self, scope: Scope, receive: Receive, send: TrackedSend) -> None:
        # Only a create's body is replayed; a read's is left unread, for the route to refuse.
        body = await BufferedBody.read(receive) if scope["method"] == "POST" else None
        attempt = 1
        while True:
            try:
                await self.app(scope, receive if body is None else body.replay(receive), send)
                return
            except Exception as error:
                if attempt >= self.attempts or send.started or not is_transient(error):
                    raise
                logger.warning("request_retried", attempt=attempt, error=type(error).__name__)
            await asyncio.sleep(backoff(attempt, self.wait))
            attempt += 1


def _install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        RetrySafeRequests, attempts=settings.retry_attempts, wait=settings.retry_wait_seconds
    )


feature = Feature(install=_install)
