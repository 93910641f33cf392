"""Request size limits: headers (431), body (413) and JSON nesting (422), in the envelope.

The server refuses an oversized request head before the application sees it
(`serve.LimitedHttpToolsProtocol` holds at most `MAX_HEADER_BYTES` and one read of it);
`RequestLimits` refuses it again under any other server. The body is bounded as it streams: a
declared `Content-Length` over `MAX_BODY_BYTES` is refused before a byte is read, a chunked body
as soon as it passes the limit. A JSON body, read whole (the route reads it whole anyway), is
refused when nested deeper than `MAX_JSON_DEPTH`. The number of errors a 422 lists is bounded by
`errors.Settings.max_validation_errors`."""

import json
import re
from typing import Any

from fastapi import FastAPI
from pydantic import Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .asgi import BufferedBody, TrackedSend
from .config import ServiceSettings
from .errors import error_response
from .features import Feature


class Settings(ServiceSettings):
    max_body_bytes: int = Field(default=1_048_576, ge=0)  # 1 MiB
    max_json_depth: int = Field(default=32, ge=1)
    max_header_bytes: int = Field(default=32_768, ge=1024)  # the request line and every header
    max_header_count: int = Field(default=100, ge=10)


class BodyTooLarge(HTTPException):
    """Raised by the body's receive() past the limit; an HTTPException, so FastAPI lets it
    through whichever layer reads the body."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


# Escapes, then JSON strings (which may hold brackets), then what is left but brackets. Each
# pattern is linear: with escapes gone, quotes pair up left to right and only the last can be
# unclosed, so no input makes the scan quadratic.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_INNERMOST = re.compile(rb"\[\]|\{\}")


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether JSON `body` nests arrays and objects more than `limit` deep, found at C speed:
    each pass removes the innermost pairs, so `limit` passes empty any document within it."""
    text = _STRING.sub(b"", _ESCAPE.sub(b"", body))
    brackets = text.translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        innermost_removed = _INNERMOST.sub(b"", brackets)
        if innermost_removed == brackets:  # unbalanced: unclosed brackets nest what follows
            return brackets.count(b"[") + brackets.count(b"{") > limit
        brackets = innermost_removed
    return bool(brackets)


def _read_head(scope: Scope, settings: Settings) -> tuple[str | None, int | None, bool]:
    """In one pass over the headers: why the head is refused (or None), the declared
    Content-Length (None if absent or malformed) and whether the body is JSON."""
    headers = scope["headers"]
    if len(headers) > settings.max_header_count:
        return f"The request has more than {settings.max_header_count} headers.", None, False
    size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    length: int | None = None
    length_seen = is_json = type_seen = False
    for name, value in headers:
        size += len(name) + len(value) + 4
        if name == b"content-length" and not length_seen:  # the first one counts
            length_seen = True
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"content-type" and not type_seen:
            type_seen = True
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            is_json = media_type == b"application/json" or media_type.endswith(b"+json")
    if size > settings.max_header_bytes:
        refusal = f"The request's headers are larger than {settings.max_header_bytes} bytes."
        return refusal, None, False
    return None, length, is_json


class RequestLimits:
    """Pure ASGI middleware: refuses oversized headers, bodies and JSON nesting."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        refusal, length, is_json = _read_head(scope, self.settings)
        if refusal is not None:
            response = error_response(431, "headers_too_large", refusal)
            await response(scope, receive, send)
            return
        if length is not None and length > limit:  # refused before a byte is read
            await _refuse_body(BodyTooLarge(limit), scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        tracked = TrackedSend(send)
        try:
            downstream: Receive = counted
            if is_json:
                buffered = await BufferedBody.read(counted)
                downstream = buffered.replay(counted)
                invalid = _json_refusal(buffered.body, self.settings.max_json_depth)
                if invalid is not None:
                    message = "The request is not valid."
                    response = error_response(422, "validation_error", message, [invalid])
                    await response(scope, receive, send)
                    return
            await self.app(scope, downstream, tracked)
        except BodyTooLarge as error:
            if tracked.started:
                raise
            await _refuse_body(error, scope, receive, send)


async def _refuse_body(error: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    # The client may still be sending: the connection is closed rather than drained.
    response = error_response(413, error.code, str(error.detail), headers={"Connection": "close"})
    await response(scope, receive, send)


def _json_refusal(body: bytes, depth: int) -> dict[str, Any] | None:
    """What is wrong with a JSON body before it is parsed, as a 422's detail."""
    try:
        body.decode(json.detect_encoding(body))
    except UnicodeDecodeError:
        return {"loc": ["body"], "message": "The body is not text.", "type": "json_invalid"}
    if nested_deeper_than(body, depth):
        message = f"JSON nested deeper than {depth} levels"
        return {"loc": ["body"], "message": message, "type": "json_too_deep"}
    return None


def _install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(RequestLimits, settings=settings)


feature = Feature(install=_install)
