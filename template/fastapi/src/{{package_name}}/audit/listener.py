"""Writing the trail, in the transaction of each change, so an event exists if and only if its
change commits.

Two sources: a session listener that sees the inserts, updates and deletes of every resource
(any subclass of `tenancy.Resource`, the example domain's and any scaffolded since), and a
receiver of `signals.audited`, through which auth, API keys and the tenant lifecycle announce
what no resource row shows (a login, a logout, a new member, a key revoked, a suspended
tenant). Bulk `UPDATE` or
`DELETE` statements bypass the unit of work, and so this listener: resources change through it.
"""

import re
from typing import Any
from uuid import UUID

import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction
from uuid_utils.compat import uuid7

from .. import signals
from ..tenancy import Resource
from .models import AuditEvent

# A column whose name says it holds a secret is recorded as changed, never with its value.
SECRET = re.compile(r"password|secret|token|hash|api_key", re.IGNORECASE)
REDACTED = "[redacted]"
# Columns every resource has, which say nothing a reader of the trail needs.
BOOKKEEPING = frozenset({"id", "tenant_id", "created_at", "updated_at"})

Changes = dict[str, list[Any]]


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


@event.listens_for(Session, "before_flush")
def _resource_changes(session: Session, flush: UOWTransaction, instances: Any) -> None:
    """One event per resource row this flush inserts, changes or deletes.

    Before the flush, each changed attribute's history still holds its value before and after.
    A soft delete (`deleted_at` set) is a deletion.
    """
    for row in [row for row in session.new if _audited(row)]:
        if row.id is None:
            row.id = uuid7()  # the event names the row before the insert assigns its key
        _record_row(session, row, "created", _values(row, before=False))
    for row in [row for row in session.dirty if _audited(row)]:
        changes = _changed(row)
        if changes:
            soft_deleted = changes.get("deleted_at", [None, None])[1] is not None
            _record_row(session, row, "deleted" if soft_deleted else "updated", changes)
    for row in [row for row in session.deleted if _audited(row)]:
        _record_row(session, row, "deleted", _values(row, before=True))


def _audited(row: object) -> bool:
    """A resource row, unless its class opts out (`__audited__ = False`: idempotency keys)."""
    if not isinstance(row, Resource) or isinstance(row, AuditEvent):
        return False
    return bool(getattr(type(row), "__audited__", True))


def _record_row(session: Session, row: Resource, verb: str, changes: Changes) -> None:
    kind = resource_type(type(row))
    record(session, f"{kind}.{verb}", resource_type=kind, resource_id=row.id, changes=changes)


def resource_type(model: type[Any]) -> str:
    """`Project` -> "project", `InvoiceLine` -> "invoice_line"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def _values(row: Resource, *, before: bool) -> Changes:
    """Every column with a value, as the change from nothing (insert) or to nothing (delete)."""
    state = inspect(row)
    values = {attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs}
    return {
        key: [value, None] if before else [None, value]
        for key, value in values.items()
        if key not in BOOKKEEPING and value is not None
    }


def _changed(row: Resource) -> Changes:
    """The columns whose value this flush changes, each as [before, after]."""
    state = inspect(row)
    changes: Changes = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history  # never loads: the history the session holds
        if attr.key in BOOKKEEPING or not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changes[attr.key] = [before, after]
    return changes


def _safe(changes: Changes) -> dict[str, Any]:
    """JSON values, and secrets redacted."""
    return {
        field: [REDACTED, REDACTED] if SECRET.search(field) else jsonable_encoder(values)
        for field, values in changes.items()
    }


def _context_id(name: str) -> UUID | None:
    value = structlog.contextvars.get_contextvars().get(name)
    return UUID(value) if value else None
