"""Project use cases. They flush; the request's transaction commits."""

from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..cache import Cache
from ..deletion import remove
from ..errors import NotFound
from ..idempotency import run_once
from ..pagination import Page, decode_cursor, encode_cursor
from .models import Project
from .schemas import ProjectCreate, ProjectRead, ProjectUpdate

logger = structlog.get_logger("projects")

# What a read returns, selected as columns: rows validate straight into the response, with no
# ORM instance (identity map, state) per row. Still an ORM query: every query filter applies.
_READ = [getattr(Project, name) for name in ProjectRead.model_fields]


async def create_project(
    session: AsyncSession,
    data: ProjectCreate,
    *,
    actor: UUID,
    idempotency_key: str | None = None,
) -> ProjectRead:
    """Create once per idempotency key: a retried request gets the first response."""

    async def create() -> ProjectRead:
        project = Project(**data.model_dump(), created_by=actor, updated_by=actor)
        session.add(project)
        await session.flush()
        return ProjectRead.model_validate(project)

    async def exists(created: ProjectRead) -> bool:
        return await session.scalar(select(Project).where(Project.id == created.id)) is not None

    return await run_once(
        session,
        user_id=actor,
        key=idempotency_key,
        request=data,
        action=create,
        response_type=ProjectRead,
        exists=exists,
    )


async def get_project(session: AsyncSession, project_id: UUID, *, cache: Cache) -> ProjectRead:
    """Cache-aside: the cache first, PostgreSQL on a miss (or when the cache is down)."""

    async def load() -> ProjectRead:
        row = (await session.execute(select(*_READ).where(Project.id == project_id))).first()
        if row is None:
            raise NotFound("No such project.")
        return ProjectRead.model_validate(row)

    return await cache.read(session, ("projects", project_id), load, ProjectRead)


async def list_projects(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> Page[ProjectRead]:
    """Newest first; UUIDv7 keys are time-ordered, so the key alone orders the page."""
    query = select(*_READ).order_by(Project.id.desc())
    if cursor is not None:
        query = query.where(Project.id < decode_cursor(cursor))
    rows = (await session.execute(query.limit(limit + 1))).all()
    items = [ProjectRead.model_validate(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def update_project(
    session: AsyncSession,
    project_id: UUID,
    data: ProjectUpdate,
    *,
    actor: UUID,
    cache: Cache,
) -> ProjectRead:
    project = await _load(session, project_id, for_update=True)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(project, field, value)
    project.updated_by = actor
    await session.flush()
    await cache.forget(session, ("projects", project_id))
    return ProjectRead.model_validate(project)


async def delete_project(
    session: AsyncSession, project_id: UUID, *, actor: UUID, cache: Cache
) -> None:
    project = await _load(session, project_id, for_update=True)
    project.updated_by = actor
    await remove(session, project)
    logger.info("project_deleted", project_id=str(project_id), actor=str(actor))
    await cache.forget(session, ("projects", project_id))


async def _load(session: AsyncSession, project_id: UUID, *, for_update: bool = False) -> Project:
    query = select(Project).where(Project.id == project_id)
    project = await session.scalar(query.with_for_update() if for_update else query)
    if project is None:
        raise NotFound("No such project.")
    return project
