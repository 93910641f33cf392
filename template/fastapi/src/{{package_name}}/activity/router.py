"""/projects/activity: the tenant's project counts, as the activity consumer has them."""

from fastapi import APIRouter, Depends, FastAPI

from ..api import V1
from ..auth.deps import DbSession, limit_caller
from ..errors import responses
from . import service
from .schemas import ProjectActivityRead

router = APIRouter(
    prefix=f"{V1}/projects",
    tags=["projects"],
    dependencies=[Depends(limit_caller)],
    responses=responses(401, 403, 422, 429, 503),
)


@router.get("/activity")
async def read_project_activity(session: DbSession) -> ProjectActivityRead:
    """How many projects the tenant created, updated and deleted.

    Eventually consistent: counted by a consumer of the project events, so a change shows here
    shortly after it commits, once the outbox relay has published it and the consumer has
    counted it; `as_of` says when the latest counted change happened.
    """
    return await service.read(session)


def install(app: FastAPI, _: object) -> None:
    """Put this route ahead of `/projects/{project_id}`, which would otherwise take "activity"
    for a project id."""
    paths = {route.path for route in router.routes}  # type: ignore[attr-defined]
    ours = [route for route in app.router.routes if getattr(route, "path", None) in paths]
    rest = [route for route in app.router.routes if route not in ours]
    app.router.routes[:] = [*ours, *rest]
