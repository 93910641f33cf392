"""The request context: an id for every request, one log line per request, and no bare 500s."""

import os
import re
import time
from collections.abc import Sequence

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..api import route_template
from ..errors import error_response
from ..features import RequestObserver

REQUEST_ID_HEADER = "x-request-id"
_HEADER = REQUEST_ID_HEADER.encode()
# An incoming id is reused only when it cannot smuggle anything into logs.
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

logger = structlog.get_logger("request")


class RequestContextMiddleware:
    """Pure ASGI middleware, so the context it binds is visible to the whole request.

    Once the request is answered it writes the request's log line and tells `observers` (the
    metrics) in the same pass: one layer, one timing and one route lookup for all of them."""

    def __init__(self, app: ASGIApp, *, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.observers = observers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = ""
        for name, value in scope["headers"]:  # the last one counts, as in a dict of them
            if name == _HEADER:
                request_id = value.decode("latin-1")
        if not _WELL_FORMED_ID.match(request_id):
            request_id = os.urandom(16).hex()  # 32 hex digits, as a uuid4's, without the UUID
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        id_header = (_HEADER, request_id.encode())
        started = time.perf_counter()
        status_code = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_code = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled_error")
            if response_started:
                raise
            response = error_response(500, "internal_error", "An unexpected error occurred.")
            await response(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, route = scope["method"], route_template(scope)
            logger.info(
                "request",
                method=method,
                route=route,
                status=status_code,
                duration_ms=round(seconds * 1000, 2),
            )
            for observe in self.observers:
                observe(method, route, status_code, seconds)
