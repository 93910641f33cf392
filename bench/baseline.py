"""The floor of the service benchmark: a bare FastAPI app returning a constant small JSON body.

Served exactly like the service (one uvicorn worker, uvloop, httptools, no access log) and with
the generated project's virtualenv, so that FastAPI, Starlette and uvicorn are the same versions:

    <project>/.venv/bin/python -m uvicorn --factory baseline:create_app --app-dir bench ...

FastAPI is installed in the generated project, not in the template's environment, hence the
untyped import (and no decorator, which mypy would reject on an untyped object).
"""

from typing import Any

import fastapi  # type: ignore[import-not-found, unused-ignore]


async def constant() -> dict[str, str]:
    """The smallest useful answer: the same few bytes of JSON every time."""
    return {"status": "ok"}


def create_app() -> Any:
    """A FastAPI app with one route and nothing else."""
    app = fastapi.FastAPI()
    app.add_api_route("/", constant, methods=["GET"])
    return app
