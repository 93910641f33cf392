"""Cursor (keyset) pagination: the same cost at any depth, stable while rows are inserted."""

import base64
import binascii
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from .errors import AppError

# A key's 16 bytes in unpadded base64url (22 characters). A shorter string is read as if padded
# with leading zero bits, so every value the document allows names a position.
CURSOR_LENGTH = 22
CURSOR_PATTERN = "^[A-Za-z0-9_-]{0," + str(CURSOR_LENGTH) + "}$"  # no doubled brace: Jinja

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | SkipJsonSchema[None],
    Query(
        pattern=CURSOR_PATTERN,
        description="The previous page's `next_cursor`; absent or empty for the first page.",
        json_schema_extra={"pattern": CURSOR_PATTERN},  # a constraint of an optional parameter
    ),
    AfterValidator(lambda cursor: cursor or None),
]


Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """One page of items and the cursor of the next (null on the last page)."""

    items: list[Item]
    next_cursor: str | None = Field(description="Opaque; pass it back as `cursor`.")


def encode_cursor(last_id: UUID) -> str:
    """Opaque to clients, so the ordering behind it can change without breaking them."""
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        return UUID(bytes=base64.urlsafe_b64decode(cursor.rjust(CURSOR_LENGTH, "A") + "=="))
    except (binascii.Error, ValueError) as error:
        raise AppError("The cursor is not valid.", code="invalid_cursor") from error
