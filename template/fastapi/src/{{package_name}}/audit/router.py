"""/audit-events: a tenant's administrators read its trail, newest first."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import select

from ..api import NO_NUL, V1
from ..auth.deps import DbSession, limit_caller, require_role
from ..errors import responses
from ..pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from .models import AuditEvent
from .schemas import AuditEventRead

router = APIRouter(
    prefix=f"{V1}/audit-events",
    tags=["audit"],
    dependencies=[Depends(limit_caller), require_role("admin")],
    responses=responses(401, 403, 422, 429, 503),
)

# The constraints of an optional parameter, which the document would otherwise omit.
_NAME = {"maxLength": 100, "pattern": NO_NUL}
Name = Annotated[
    str | SkipJsonSchema[None], Query(max_length=100, pattern=NO_NUL, json_schema_extra=_NAME)
]
Id = Annotated[UUID | SkipJsonSchema[None], Query()]


@router.get("")
async def list_audit_events(
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    resource_type: Name = None,
    resource_id: Id = None,
    actor_id: Id = None,
    action: Name = None,
) -> Page[AuditEventRead]:
    """The tenant's events, newest first; each filter given narrows them."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    filters = (
        (AuditEvent.resource_type, resource_type),
        (AuditEvent.resource_id, resource_id),
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.action, action),
    )
    query = query.where(*(column == value for column, value in filters if value is not None))
    if cursor is not None:
        query = query.where(AuditEvent.id < decode_cursor(cursor))
    rows = list(await session.scalars(query.limit(limit + 1)))
    items = [AuditEventRead.model_validate(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)
