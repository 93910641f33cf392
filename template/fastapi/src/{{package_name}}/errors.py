"""One error envelope for every error: {"error": {"code", "message", "details", "request_id"}}."""

from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, JsonValue
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from .config import ServiceSettings
from .features import Feature

QUERY_CANCELED = "57014"  # statement_timeout reached

# PostgreSQL SQLSTATEs a client can cause with a well-formed request.
_INTEGRITY_ERRORS = {
    "23505": (409, "conflict", "A resource with these values already exists."),
    "23503": (409, "conflict", "The request refers to a resource that does not exist."),
    "23502": (422, "constraint_violation", "A required value is missing."),
    "23514": (422, "constraint_violation", "The request breaks a rule of the data model."),
}


class Settings(ServiceSettings):
    # A 422 lists at most this many errors: a body of 100,000 unknown keys is not a 100,000-item
    # answer.
    max_validation_errors: int = Field(default=20, ge=1)


class ErrorBody(BaseModel):
    code: str = Field(description="Stable and machine-readable: `not_found`, `conflict`...")
    message: str = Field(description="For people; may change.")
    details: JsonValue = Field(description="What exactly: the invalid fields of a 422.")
    request_id: str | None = Field(description="Quote it when reporting a problem.")


class ErrorEnvelope(BaseModel):
    """Every error the service answers, whatever its status."""

    error: ErrorBody


_MEANINGS = {
    400: "The request cannot be served as sent.",
    401: "No valid credentials (`WWW-Authenticate` says which).",
    403: "The caller may not do this, or the tenant is suspended.",
    404: "No such resource, or not one the caller can see.",
    409: "The request conflicts with the current state: a duplicate, a reused or spent "
    "Idempotency-Key.",
    413: "The body is larger than the service accepts (`MAX_BODY_BYTES`).",
    422: "The request is not valid; `details` lists what (at most `MAX_VALIDATION_ERRORS`).",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "Busy or unavailable for a moment; retry after `Retry-After` seconds.",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a router or route: each status, answered in the envelope."""
    return {
        status: {"model": ErrorEnvelope, "description": _MEANINGS[status]} for status in statuses
    }


class AppError(Exception):
    """An error the client can act on; rendered in the envelope with its status."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = dict(headers or {})
        if code is not None:
            self.code = code


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        headers = {"WWW-Authenticate": "Bearer"}
        super().__init__(message, code=code, details=details, headers=headers)


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The envelope's body, carrying the request id so a client can quote it."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    body = {"code": code, "message": message, "details": details, "request_id": request_id}
    return {"error": body}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The envelope as a response."""
    return JSONResponse(envelope(code, message, details), status_code=status_code, headers=headers)


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


def _allowed_methods(request: Request, exc: HTTPException) -> str:
    """Every method the requested path answers, as the OpenAPI document lists them, not only
    those of the first route matched (which is all Starlette's 405 names)."""
    methods = {"OPTIONS", *(exc.headers or {}).get("Allow", "").replace(" ", "").split(",")}
    matching = [
        (template, operations)
        for template, operations in request.app.openapi()["paths"].items()
        if compile_path(template)[0].match(request.url.path)
    ]
    # A literal path (/invitations/accept) is a resource of its own, not an id of its neighbour.
    literal = [(template, operations) for template, operations in matching if "{" not in template]
    for _, operations in literal or matching:
        methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods - {""}))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = exc.headers
    if exc.status_code == 405:
        # OPTIONS lists what a resource answers; any other method it lacks is a 405 saying so.
        allow = {"Allow": _allowed_methods(request, exc)}
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=allow)
        headers = {**(headers or {}), **allow}
    phrase = HTTPStatus(exc.status_code).phrase
    code = getattr(exc, "code", None) or phrase.lower().replace(" ", "_").replace("-", "_")
    message = exc.detail if isinstance(exc.detail, str) else phrase
    return error_response(exc.status_code, code, message, headers=headers)


def _validation_error(max_errors: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        # Never echo the input back: it may hold a password.
        details = [
            {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
            for error in errors[:max_errors]
        ]
        message = "The request is not valid."
        if len(errors) > max_errors:
            message = f"The request is not valid ({max_errors} of {len(errors)} errors shown)."
        return error_response(422, "validation_error", message, details)

    return handler


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IntegrityError)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate not in _INTEGRITY_ERRORS:
        raise exc
    status_code, code, message = _INTEGRITY_ERRORS[sqlstate]
    return error_response(status_code, code, message)


async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    """A database that is too busy or too slow is a 503 the client may retry, not a 500."""
    retry = {"Retry-After": "1"}
    if isinstance(exc, PoolTimeoutError):
        message = "The service is busy; retry shortly."
        return error_response(503, "database_busy", message, None, retry)
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == QUERY_CANCELED:
        message = "The database did not answer in time; retry shortly."
        return error_response(503, "database_timeout", message, None, retry)
    raise exc


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Route every error the framework knows about into the envelope."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(
        RequestValidationError, _validation_error(settings.max_validation_errors)
    )
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)


feature = Feature(install=install_error_handlers)
