"""Tenants, their members, and the tenant column of the tables every tenant shares."""

from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..db import Entity

STATUSES = ("active", "suspended")


class Tenant(Entity):
    """An organisation whose data is isolated from every other."""

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),
        CheckConstraint(f"status IN {STATUSES}", name="status_known"),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[str] = mapped_column(String(16), server_default="active")


class TenantOwned:
    """Mixin of a shared table with rows of many tenants: the tenant defaults to the
    transaction's, and row-level security policies compare the column with the same setting,
    so a row of another tenant can neither be read nor written."""

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:  # noqa: N805  # declared_attr receives the class
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"),
            server_default=text("current_tenant_id()"),
        )


class Membership(TenantOwned, Entity):
    """A user's role in one tenant; the user lives in the tables every tenant shares."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'member', 'admin')", name="role_known"),
        Index(None, "tenant_id", "user_id", unique=True),
        Index(None, "user_id"),
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
