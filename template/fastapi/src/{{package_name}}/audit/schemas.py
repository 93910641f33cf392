"""What `GET /api/v1/audit-events` returns."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: UUID
    occurred_at: datetime = Field(validation_alias="created_at")
    actor_id: UUID | None = Field(description="The user who acted; null when anonymous.")
    action: str = Field(examples=["project.updated", "auth.login"])
    resource_type: str
    resource_id: UUID | None
    changes: dict[str, Any] = Field(description="Each changed field: [before, after].")
    request_id: str | None = Field(description="The X-Request-ID of the request that acted.")
