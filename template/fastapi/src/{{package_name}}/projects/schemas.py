"""Request and response bodies of the projects API."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..api import Text, omittable

# What str.strip() removes, spelled out: the document's `\s` (ECMA) is another set, and a name of
# whitespace alone, stripped to nothing, must be one the document refuses too.
_SPACE = r"\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
Name = Annotated[
    Text,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=200,
        pattern=rf"^[{_SPACE}]*[^{_SPACE}\x00][^\x00]*$",
    ),
]
Description = Annotated[Text, Field(max_length=2000)]
Status = Literal["active", "archived"]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None


class ProjectUpdate(BaseModel):
    """Only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = omittable()
    description: Description | None = None
    status: Status | None = omittable()

    @field_validator("name", "status")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("may be omitted, not null")
        return value


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    description: str | None
    status: Status
    created_at: datetime
    updated_at: datetime
    created_by: UUID
    updated_by: UUID
