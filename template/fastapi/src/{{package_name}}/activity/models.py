"""The project_activity table: one counter per kind of project event, per tenant."""

from datetime import datetime

from sqlalchemy import BigInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import Resource, index


class ProjectActivity(Resource):
    """How many project events of one kind the tenant's consumer has counted, and when the
    latest of them happened."""

    __tablename__ = "project_activity"
    __events__ = False  # a projection of events: no events (nor audit rows) of its own
    __table_args__ = (index("kind", unique=True),)

    kind: Mapped[str] = mapped_column(String(16))  # "created", "updated", "deleted"
    count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    last_occurred_at: Mapped[datetime | None]
