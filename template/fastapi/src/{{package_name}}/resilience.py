"""Requests that are safe to repeat are retried when the database failed them transiently.

Safe means reads (GET, HEAD) and creates carrying an Idempotency-Key, whose repeat replays the
first response. Transient means a dropped connection, a serialization failure or a deadlock;
anything else, or any failure after the response has started, is not retried.
"""

import structlog
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from .config import ServiceSettings
from .features import Feature

TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected

logger = structlog.get_logger("resilience")


class Settings(ServiceSettings):
    retry_attempts: int = Field(default=3, ge=1)  # for reads and idempotent creates


def is_transient(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    return error.connection_invalidated or sqlstate in TRANSIENT_SQLSTATES


def _repeatable(scope: Scope) -> bool:
    if scope["method"] in ("GET", "HEAD"):
        return True
    headers = dict(scope["headers"])
    return scope["method"] == "POST" and b"idempotency-key" in headers


class RetrySafeRequests:
    """Pure ASGI middleware: replays a repeatable request, with backoff and jitter."""

    def __init__(self, app: ASGIApp, *, attempts: int) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.attempts < 2 or not _repeatable(scope):
            await self.app(scope, receive, send)
            return
        # Only a create's body is replayed; a read's is left unread, for the route to refuse.
        replayable = scope["method"] == "POST"
        body = await _read_body(receive) if replayable else b""
        responded = False

        async def send_tracked(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(multiplier=0.05, max=1.0, jitter=0.05),
            retry=retry_if_exception(lambda error: is_transient(error) and not responded),
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                attempt_receive = _replay(body, receive) if replayable else receive
                await self.app(scope, attempt_receive, send_tracked)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that gives the buffered body once, then waits for the client as usual."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning("request_retried", attempt=state.attempt_number, error=type(error).__name__)


def _install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(RetrySafeRequests, attempts=settings.retry_attempts)


feature = Feature(install=_install)
