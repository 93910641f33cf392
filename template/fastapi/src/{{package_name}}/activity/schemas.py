"""What `GET /api/v1/projects/activity` returns."""

from datetime import datetime

from pydantic import BaseModel, Field


class ProjectActivityRead(BaseModel):
    created: int = Field(ge=0, description="Projects created, as counted so far.")
    updated: int = Field(ge=0, description="Project updates, as counted so far.")
    deleted: int = Field(ge=0, description="Projects deleted, as counted so far.")
    as_of: datetime | None = Field(
        description="When the latest counted event happened; null before the first. Changes "
        "made after it may not be counted yet."
    )
    pending: int = Field(
        ge=0,
        description="The tenant's changes not yet published to the consumers: at least this "
        "many are missing from the counts.",
    )
