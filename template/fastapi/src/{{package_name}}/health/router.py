"""/health/live says the process runs; /health/ready says whether it can serve."""

import asyncio
import threading
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from ..features import Check

router = APIRouter(prefix="/health", tags=["health"])

# Set when the process has been asked to stop (see serve.py): readiness turns false first.
DRAINING = threading.Event()

Result = Literal["ok", "unavailable"]


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


Status = Literal["ok", "degraded", "unavailable", "draining"]


class Readiness(BaseModel):
    status: Status
    checks: dict[str, Result]


@router.get("/live")
async def live() -> Liveness:
    return Liveness()


@router.get("/ready", responses={503: {"model": Readiness}})
async def ready(request: Request, response: Response) -> Readiness:
    """503 while shutting down or without a required dependency (PostgreSQL); "degraded"
    without an optional one (Redis)."""
    checks: list[Check] = request.app.state.checks
    answers = await asyncio.gather(*(check.probe(request.app) for check in checks))
    results: dict[str, Result] = {
        check.name: "ok" if up else "unavailable" for check, up in zip(checks, answers, strict=True)
    }
    missing = any(check.required and not up for check, up in zip(checks, answers, strict=True))
    if DRAINING.is_set() or missing:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        verdict: Status = "draining" if DRAINING.is_set() else "unavailable"
        return Readiness(status=verdict, checks=results)
    return Readiness(status="ok" if all(answers) else "degraded", checks=results)
