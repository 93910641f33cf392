"""Cursor (keyset) pagination: the same cost at any depth, stable while rows are inserted."""

import base64
import binascii
import json
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, Field

from .errors import AppError

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="The previous `next_cursor`.")]


Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """One page of items and the cursor of the next (null on the last page)."""

    items: list[Item]
    next_cursor: str | None = Field(description="Opaque; pass it back as `cursor`.")


def encode_cursor(last_id: UUID) -> str:
    """Opaque to clients, so the ordering behind it can change without breaking them."""
    raw = json.dumps({"after": str(last_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return UUID(str(json.loads(raw)["after"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise AppError("The cursor is not valid.", code="invalid_cursor") from error
