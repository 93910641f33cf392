"""Idempotency keys on creates: a retried request gets the first response, not a second resource.

The key is claimed inside the request's transaction. A concurrent request with the same key waits
on the unique index until the first commits, then replays its response; if the first rolled
back, the claim went with it and the second runs.
"""

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Header
from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import Index, String, delete, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .errors import Conflict
from .tenancy import Resource, index, user_ref

KEY_LIFETIME = timedelta(hours=24)

KEY_LENGTH = (8, 200)
KEY_PATTERN = r"^[!-~]*$"  # printable ASCII, no spaces
IdempotencyKey = Annotated[
    str | SkipJsonSchema[None],
    Header(
        alias="Idempotency-Key",
        min_length=KEY_LENGTH[0],
        max_length=KEY_LENGTH[1],
        pattern=KEY_PATTERN,
        description="8 to 200 printable ASCII characters. Retrying with the same key and body "
        "returns the first response while the resource it created exists; once it is deleted, "
        "the key answers 409 `idempotency_key_spent`.",
        # The constraints of an optional parameter, which the document would otherwise omit.
        json_schema_extra={
            "minLength": KEY_LENGTH[0],
            "maxLength": KEY_LENGTH[1],
            "pattern": KEY_PATTERN,
        },
    ),
]

Response = TypeVar("Response", bound=BaseModel)


class IdempotencyRecord(Resource):
    """A key a user has sent, the fingerprint of its request, and the response it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (index("user_id", "key", unique=True), Index(None, "user_id"))
    # A replay cache, not a record of the domain: neither audited nor announced as an event.
    __events__ = False

    user_id: Mapped[UUID] = user_ref(ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


async def run_once(
    session: AsyncSession,
    *,
    user_id: UUID,
    key: str | None,
    request: BaseModel,
    action: Callable[[], Awaitable[Response]],
    response_type: type[Response],
    exists: Callable[[Response], Awaitable[bool]],
) -> Response:
    """Run `action` once per (user, key); replay its response for the same request, while what
    it created `exists` (a replay must not hand out the id of a deleted resource)."""
    if key is None:
        return await action()
    fingerprint = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    stored = await _claim_or_fetch(session, user_id, key, fingerprint)
    if stored is not None:
        replayed = response_type.model_validate(stored)
        if not await exists(replayed):
            raise Conflict(
                "What this Idempotency-Key created has been deleted since.",
                code="idempotency_key_spent",
            )
        return replayed
    response = await action()
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(response=response.model_dump(mode="json"))
    )
    return response


async def _claim_or_fetch(
    session: AsyncSession, user_id: UUID, key: str, fingerprint: str
) -> dict[str, Any] | None:
    """None when this request claimed the key; else the stored response of its first use."""
    expired = IdempotencyRecord.created_at < datetime.now(UTC) - KEY_LIFETIME
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key, expired
        )
    )
    claimed = await session.scalar(
        insert(IdempotencyRecord)
        .values(user_id=user_id, key=key, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.id)
    )
    if claimed is not None:
        return None
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is None or record.fingerprint != fingerprint or record.response is None:
        raise Conflict(
            "This Idempotency-Key was used with a different request.",
            code="idempotency_key_reused",
        )
    return record.response
