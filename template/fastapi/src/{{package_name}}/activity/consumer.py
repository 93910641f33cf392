"""The consumer that keeps the projection: every project event counted once, in the tenant's
transaction that records its id."""

from sqlalchemy.ext.asyncio import AsyncSession

from ..events.broker import Delivery
from ..events.consumers import consumer
from . import service

# The project events this projection counts; others of "project.*" pass uncounted.
COUNTED = {f"project.{kind}": kind for kind in ("created", "updated", "deleted")}


@consumer("project-activity", "project.*")
async def count_project_activity(session: AsyncSession, delivery: Delivery) -> None:
    """Count a project created, updated or deleted."""
    message = delivery.message
    if (kind := COUNTED.get(message.type)) is not None:
        await service.count(session, kind, message.occurred_at)
