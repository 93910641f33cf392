"""API keys: credentials of machine clients, each acting in one tenant with one role."""

from typing import Any

from fastapi import FastAPI

from ..features import Feature
from .router import router
from .service import verify

__all__ = ["feature"]


def _install(app: FastAPI, _: Any) -> None:
    app.state.verify_api_key = verify  # what auth calls for a request with an X-API-Key


feature = Feature(routers=[router], install=_install)
