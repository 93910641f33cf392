"""The request context: an id for every request, one log line per request, and no bare 500s."""

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..api import route_template
from ..errors import error_response

REQUEST_ID_HEADER = "x-request-id"
# An incoming id is reused only when it cannot smuggle anything into logs.
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

logger = structlog.get_logger("request")


class RequestContextMiddleware:
    """Pure ASGI middleware, so the context it binds is visible to the whole request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _WELL_FORMED_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_code = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
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
            route = route_template(scope)
            seconds = time.perf_counter() - started
            logger.info(
                "request",
                method=scope["method"],
                route=route,
                status=status_code,
                duration_ms=round(seconds * 1000, 2),
            )
