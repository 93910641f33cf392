"""Counting project events, and reading the counts. They flush; the caller's transaction commits."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..events.outbox import OutboxEvent
from ..tenancy import tenant_of
from .models import ProjectActivity
from .schemas import ProjectActivityRead


async def count(session: AsyncSession, kind: str, occurred_at: datetime) -> None:
    """Add one event of `kind` to the tenant's counts."""
    # The row exists first (a concurrent insert waits for the other, then does nothing), so
    # the increment is one locked UPDATE, exact with several consumers.
    await session.execute(insert(ProjectActivity).values(kind=kind).on_conflict_do_nothing())
    latest = func.greatest(ProjectActivity.last_occurred_at, occurred_at)  # NULLs ignored
    await session.execute(
        update(ProjectActivity)
        .where(ProjectActivity.kind == kind)
        .values(count=ProjectActivity.count + 1, last_occurred_at=latest)
        .execution_options(synchronize_session=False)
    )


async def read(session: AsyncSession) -> ProjectActivityRead:
    """The tenant's counts, zero for a kind never seen."""
    rows = (await session.execute(select(ProjectActivity))).scalars().all()
    counts = {row.kind: row.count for row in rows}
    times = [row.last_occurred_at for row in rows if row.last_occurred_at is not None]
    # The tenant's events still in the outbox: how far behind the counts may be, at least.
    pending = (
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            OutboxEvent.published_at.is_(None),
            OutboxEvent.tenant_id.is_not_distinct_from(tenant_of(session)),
        )
    )
    return ProjectActivityRead(
        created=counts.get("created", 0),
        updated=counts.get("updated", 0),
        deleted=counts.get("deleted", 0),
        as_of=max(times, default=None),
        pending=await session.scalar(pending) or 0,
    )
