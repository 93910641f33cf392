"""Writing the trail, in the transaction of each change, so an event exists if and only if its
change commits.

Two sources: `signals.resource_changed`, which `changes` sends for every insert, update and
delete of a resource row, and `signals.audited`, through which auth, API keys and the tenant
lifecycle announce what no resource row shows (a login, a logout, a new member, a key revoked,
a suspended tenant).
"""

from typing import Any
from uuid import UUID

import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from .. import signals
from ..changes import SECRET, Changes
from .models import AuditEvent

REDACTED = "[redacted]"


def record(
    session: Session | AsyncSession,
    action: str,
    *,
    resource_type: str,
    resource_id: UUID | None = None,
    changes: Changes | None = None,
    actor_id: UUID | None = None,
) -> None:
    """Add an event to the session's transaction: it commits or rolls back with the change.

    The actor defaults to the caller the request authenticated, and the request id to the
    request's; both come from the request's log context.
    """
    session.add(
        AuditEvent(
            actor_id=actor_id or _context_id("user_id"),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            changes=_safe(changes or {}),
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
        )
    )


@signals.audited.connect
def _announced(action: str, **event: Any) -> None:
    """An event another module announces (`signals.audited`), its secrets redacted."""
    record(event.pop("session"), action, **event)


@signals.resource_changed.connect
def _resource_changed(
    action: str,
    *,
    session: Session,
    resource_type: str,
    resource_id: UUID,
    changes: Changes,
    **_: Any,
) -> None:
    """An insert, change or deletion of a resource row (`changes`)."""
    record(session, action, resource_type=resource_type, resource_id=resource_id, changes=changes)


def _safe(changes: Changes) -> dict[str, Any]:
    """JSON values, and secrets redacted."""
    return {
        field: [REDACTED, REDACTED] if SECRET.search(field) else jsonable_encoder(values)
        for field, values in changes.items()
    }


def _context_id(name: str) -> UUID | None:
    value = structlog.contextvars.get_contextvars().get(name)
    return UUID(value) if value else None
