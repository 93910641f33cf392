"""Pagination: keyset pagination with an opaque cursor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("cursor",)

RULES: tuple[Rule[Value], ...] = (
    otherwise(
        "cursor",
        (
            "Cursor (keyset) pagination costs the same at any depth and neither skips nor "
            "repeats rows when rows are inserted between pages, so lists stay correct and "
            "fast as tables grow."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    return [
        (
            "List endpoints take a page size and an opaque cursor and return the cursor of the "
            "next page; clients pass it back without parsing it."
        ),
        (
            "The cursor encodes the last key seen, so each page seeks on an index and costs the "
            "same at any depth; its format can change without breaking clients."
        ),
        (
            "Lists are ordered by a unique, indexed key; a total count, when a client needs one, "
            "is a separate query."
        ),
    ]


RECORD = Record(
    "Pagination",
    ("scale", "read_write"),
    (
        Option(
            "cursor",
            "Keyset pagination with an opaque cursor",
            (
                "Each page seeks on an index, so it costs the same at any depth.",
                "Rows inserted or deleted between pages are neither skipped nor repeated.",
            ),
            (
                "No jumping to page N and no total count for free.",
                "Ordering must end on a unique, indexed key.",
            ),
        ),
        Option(
            "offset",
            "Offset / limit",
            ("Simple, familiar, and any page is one request away.",),
            (
                "OFFSET n reads and discards n rows, so deep pages slow down.",
                "Inserts between requests shift rows: skips and duplicates.",
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("pagination", VALUES, RULES, RECORD)
