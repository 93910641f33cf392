"""Tenants, and the column every tenant-owned table carries."""

from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..db import Entity


class Tenant(Entity):
    """An organisation whose data is isolated from every other."""

    __tablename__ = "tenants"
    __table_args__ = (CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),)

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)


class TenantOwned:
    """Mixin for tenant-owned tables: the tenant defaults to the transaction's tenant.

    Row-level security policies compare this column with the same setting, so a
    row for another tenant can neither be read nor written.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:  # noqa: N805  # declared_attr receives the class
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"),
            server_default=text("current_tenant_id()"),
        )
