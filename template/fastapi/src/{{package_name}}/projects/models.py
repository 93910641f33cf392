"""The projects table."""

from uuid import UUID

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..deletion import Deletable
from ..tenancy import Resource, index, user_ref

STATUSES = ("active", "archived")


class Project(Deletable, Resource):
    """A named piece of work: a resource of a tenant, isolated from every other tenant's."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        CheckConstraint(f"status IN {STATUSES}", name="status_known"),
        # Names are unique within a tenant, among projects not deleted.
        index("name", unique=True, postgresql_where=Deletable.LIVE),
        # Keyset pagination walks this index.
        index("id", postgresql_where=Deletable.LIVE),
        # A user's deletion checks these (plain indexes: no tenant leads a foreign key).
        Index(None, "created_by"),
        Index(None, "updated_by"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    created_by: Mapped[UUID] = user_ref(ondelete="RESTRICT")
    updated_by: Mapped[UUID] = user_ref(ondelete="RESTRICT")
