"""Deleting records: soft delete with `deleted_at` when compliance keeps deleted records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = (False, True)

RULES: tuple[Rule[Value], ...] = (
    Rule(
        "retention is required",
        lambda context: "retention" in context.compliance,
        True,
        (
            "Retention requires deleted records to be kept, so a delete sets deleted_at "
            "instead of erasing the row."
        ),
    ),
    Rule(
        "an audit trail is required",
        lambda context: "audit_trail" in context.compliance,
        True,
        (
            "An audit trail must still resolve records after they are deleted, so a delete "
            "sets deleted_at instead of erasing the row."
        ),
    ),
    otherwise(
        False,
        (
            "No retention or audit requirement was stated, so a delete erases the row and no "
            "query has to remember to exclude deleted ones."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value is True:
        return [
            (
                "Soft-deletable tables have a nullable `deleted_at`; a delete sets it and the "
                "record disappears from the API."
            ),
            (
                "Queries exclude deleted rows, and unique constraints and hot indexes are partial "
                "(`WHERE deleted_at IS NULL`), so a deleted row neither blocks a new one nor "
                "slows reads."
            ),
            (
                "The API never erases rows; a legal erasure request (e.g. GDPR) needs an explicit "
                "purge."
            ),
        ]
    return [
        "A delete removes the row; foreign keys decide what happens to dependent rows.",
        (
            "Nothing records what was deleted; if retention or an audit trail becomes a "
            "requirement, adding `deleted_at` is a migration plus a filter in each query."
        ),
    ]


RECORD = Record(
    "Deleting records",
    ("compliance",),
    (
        Option(
            True,
            "Soft delete with a `deleted_at` timestamp",
            (
                (
                    "Deleted records stay for audit, retention and undo; references to them "
                    "keep resolving."
                ),
            ),
            (
                ("Every query must exclude deleted rows, and unique constraints must be partial."),
                "Erasure requests need a separate purge.",
            ),
        ),
        Option(
            False,
            "Hard delete",
            ("A deleted row is gone: lean tables and queries, immediate erasure.",),
            ("No undo and no record of what was deleted.",),
        ),
        Option(
            "history",
            "History table or change log",
            ("Records every change, not only deletion; the main table stays lean.",),
            ("Triggers or code to keep in sync, more storage, harder queries.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("soft_delete", VALUES, RULES, RECORD)
