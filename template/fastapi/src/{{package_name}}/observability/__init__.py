"""Observability: JSON logs, and the request context every line of a request carries.

Listed last among the features: its middleware is the outermost, so the request id, the one
log line per request and the 500 envelope cover everything the other features do.
"""

from typing import Any

from fastapi import FastAPI

from ..features import Feature
from .logging import configure_logging
from .middleware import RequestContextMiddleware


def _install(app: FastAPI, settings: Any) -> None:
    configure_logging(settings.log_level, app.state.log_processors)
    app.add_middleware(RequestContextMiddleware, observers=app.state.request_observers)


feature = Feature(install=_install)
