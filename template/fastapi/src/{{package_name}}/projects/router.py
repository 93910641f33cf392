"""/projects: create, read, list, update and delete."""

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from ..api import V1
from ..auth.deps import CurrentPrincipal, DbSession, ReadSession, limit_caller, require_role
from ..cache import CurrentCache
from ..errors import responses
from ..idempotency import IdempotencyKey
from ..pagination import Cursor, Limit, Page
from . import service
from .schemas import ProjectCreate, ProjectRead, ProjectUpdate

router = APIRouter(
    prefix=f"{V1}/projects",
    tags=["projects"],
    dependencies=[Depends(limit_caller)],
    responses=responses(401, 403, 422, 429, 503),
)
can_write = [require_role("member")]


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=can_write, responses=responses(409, 413)
)
async def create_project(
    data: ProjectCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> ProjectRead:
    return await service.create_project(
        session, data, actor=principal.user_id, idempotency_key=idempotency_key
    )


@router.get("")
async def list_projects(
    session: ReadSession, limit: Limit = 50, cursor: Cursor = None
) -> Page[ProjectRead]:
    return await service.list_projects(session, limit=limit, cursor=cursor)


@router.get("/{project_id}", responses=responses(404))
async def read_project(project_id: UUID, session: ReadSession, cache: CurrentCache) -> ProjectRead:
    return await service.get_project(session, project_id, cache=cache)


@router.patch("/{project_id}", dependencies=can_write, responses=responses(404, 409, 413))
async def update_project(
    project_id: UUID,
    data: ProjectUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    cache: CurrentCache,
) -> ProjectRead:
    return await service.update_project(
        session, project_id, data, actor=principal.user_id, cache=cache
    )


@router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=can_write,
    responses=responses(404),
)
async def delete_project(
    project_id: UUID, session: DbSession, principal: CurrentPrincipal, cache: CurrentCache
) -> Response:
    await service.delete_project(session, project_id, actor=principal.user_id, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
