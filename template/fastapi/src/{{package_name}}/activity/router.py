"""/projects/activity: the tenant's project counts, as the activity consumer has them."""

from fastapi import APIRouter, Depends, HTTPException, status

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


@router.api_route("/activity", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def refuse_other_methods() -> None:
    """405: the methods of `/projects/{project_id}` would otherwise answer here."""
    raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED)
