"""Changes of resource rows, seen as each flush writes them and announced with
`signals.resource_changed`: the audit trail records them, the outbox turns them into events.

A session listener sees the inserts, updates and deletes of every resource (any subclass of
`tenancy.Resource`, the example domain's and any scaffolded since), before the flush, while
each changed attribute's history still holds its value before and after. A receiver adds its
rows to the same session, so they commit or roll back with the change. Bulk `UPDATE` or
`DELETE` statements bypass the unit of work, and so this listener: resources change through it.
"""

import re
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction
from uuid_utils.compat import uuid7

from . import signals
from .tenancy import Resource

# A column whose name says it holds a secret: receivers keep that it changed, never its value.
SECRET = re.compile(r"password|secret|token|hash|api_key", re.IGNORECASE)
# Columns every resource has, which say nothing about what changed.
BOOKKEEPING = frozenset({"id", "tenant_id", "created_at", "updated_at"})

Changes = dict[str, list[Any]]


@event.listens_for(Session, "before_flush")
def _resource_changes(session: Session, flush: UOWTransaction, instances: Any) -> None:
    """One announcement per resource row this flush inserts, changes or deletes.

    A soft delete (`deleted_at` set) is a deletion.
    """
    if not signals.resource_changed.receivers:
        return  # nobody listens: no audit trail, no events
    for row in [row for row in session.new if announced(row)]:
        if row.id is None:
            row.id = uuid7()  # receivers name the row before the insert assigns its key
        _announce(session, row, "created", values(row, before=False))
    for row in [row for row in session.dirty if announced(row)]:
        changes = changed(row)
        if changes:
            soft_deleted = changes.get("deleted_at", [None, None])[1] is not None
            _announce(session, row, "deleted" if soft_deleted else "updated", changes)
    for row in [row for row in session.deleted if announced(row)]:
        _announce(session, row, "deleted", values(row, before=True))


def announced(row: object) -> bool:
    """A resource row, unless its class opts out (`__events__ = False`: idempotency keys, the
    audit trail itself)."""
    return isinstance(row, Resource) and bool(getattr(type(row), "__events__", True))


def _announce(session: Session, row: Resource, verb: str, changes: Changes) -> None:
    kind = resource_type(type(row))
    signals.resource_changed.send(
        f"{kind}.{verb}",
        session=session,
        resource_type=kind,
        resource_id=row.id,
        changes=changes,
        row=row,
    )


def resource_type(model: type[Any]) -> str:
    """`Project` -> "project", `InvoiceLine` -> "invoice_line"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def current(row: Resource) -> dict[str, Any]:
    """The row's column values the session holds (after the change), bookkeeping included."""
    state = inspect(row)
    return {
        attr.key: state.dict[attr.key]
        for attr in state.mapper.column_attrs
        if attr.key in state.dict  # never loads: a server default is not known before the flush
    }


def values(row: Resource, *, before: bool) -> Changes:
    """Every column with a value, as the change from nothing (insert) or to nothing (delete)."""
    return {
        key: [value, None] if before else [None, value]
        for key, value in current(row).items()
        if key not in BOOKKEEPING and value is not None
    }


def changed(row: Resource) -> Changes:
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
