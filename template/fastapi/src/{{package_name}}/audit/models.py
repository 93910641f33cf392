"""The audit_events table: one row per change or event, never updated nor deleted by the service."""

from typing import Any
from uuid import UUID

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import Resource, index


class AuditEvent(Resource):
    """Who (`actor_id`) did what (`action`) to which record (`resource_type`, `resource_id`),
    with each changed field's value before and after, in which request; `created_at` is when
    (the time of the change's transaction).

    A resource of its tenant like any other, isolated the same way.
    """

    __tablename__ = "audit_events"
    # Partitioned by month (partitioning), the table's key is (id, created_at): PostgreSQL wants
    # the partition key in it. `id` alone stays the key here, unique by itself (a UUIDv7).
    # The service's role may insert and read these rows, never update nor delete them.
    __append_only__ = True
    # Its rows record changes; they are none themselves.
    __events__ = False
    __table_args__ = (
        # Newest first, one page at a time; and the trail of one record, or of one actor.
        index("id"),
        index("resource_type", "resource_id"),
        index("actor_id"),
    )

    actor_id: Mapped[UUID | None]  # no foreign key: the trail outlives the account
    action: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[UUID | None]
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
