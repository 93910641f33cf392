"""Caching: Redis cache-aside when reads repeat or the latency budget is tight, and its TTL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Problem, Record, Rule, Setting, Value, otherwise

VALUES: tuple[Value, ...] = ("none", "redis")

# A p99 target under this leaves little room for database round trips on hot reads.
TIGHT_LATENCY_MS = 100
TTL_MAX_SECONDS = 86_400

_READ_WRITE_WORDS = {
    "read_heavy": "read-heavy",
    "balanced": "balanced",
    "write_heavy": "write-heavy",
}


def _fresh_writes(context: Context) -> bool:
    """Writes dominate and reads must see them: every write would invalidate what was cached."""
    return context.consistency == "strong" and context.read_write == "write_heavy"


def _scale_reason(context: Context) -> str:
    pattern = _READ_WRITE_WORDS[context.read_write]
    return (
        f"At {context.scale} scale with a {pattern} workload, repeated reads are cheaper served "
        "from Redis than from PostgreSQL."
    )


def _latency_reason(context: Context) -> str:
    return (
        f"A p99 target of {context.latency_p99_ms} ms leaves little room for database round "
        "trips on hot reads, so Redis serves them."
    )


def _writes_reason(context: Context) -> str:
    fresh = " and reads must see the latest write" if context.consistency == "strong" else ""
    return (
        f"Writes dominate{fresh}, so a cache would be invalidated about as often as it is "
        "read; every read goes to PostgreSQL."
    )


def _no_gain_reason(context: Context) -> str:
    pattern = _READ_WRITE_WORDS[context.read_write]
    return (
        f"At {context.scale} scale with a {pattern} workload and a {context.latency_p99_ms} ms "
        "p99 target, PostgreSQL serves reads comfortably, and a cache would add a server and "
        "invalidation for little gain."
    )


# A cache pays when reads repeat often enough, or the latency budget is tight; not when writes
# dominate and reads must see them, since every write would invalidate what was just cached.
RULES: tuple[Rule[Value], ...] = (
    Rule(
        "reads outnumber writes by 10:1 or more",
        lambda context: context.read_write == "read_heavy",
        "redis",
        (
            "Reads outnumber writes by 10:1 or more, so a Redis cache-aside layer takes most "
            "reads off PostgreSQL."
        ),
    ),
    Rule(
        "the scale is growth or large and writes do not dominate",
        lambda context: (
            context.scale in ("growth", "large") and context.read_write != "write_heavy"
        ),
        "redis",
        _scale_reason,
    ),
    Rule(
        f"the p99 target is under {TIGHT_LATENCY_MS} ms, unless writes dominate and reads must "
        "see them",
        lambda context: context.latency_p99_ms < TIGHT_LATENCY_MS and not _fresh_writes(context),
        "redis",
        _latency_reason,
        thresholds={"latency_p99_ms": TIGHT_LATENCY_MS},
    ),
    Rule(
        "writes dominate",
        lambda context: context.read_write == "write_heavy",
        "none",
        _writes_reason,
    ),
    otherwise("none", _no_gain_reason),
)

TTL = Setting(
    "cache_ttl_seconds",
    (
        Rule(
            "reads must see the latest committed write",
            lambda context: context.consistency == "strong",
            30,
            (
                "Reads must see the latest write: writes through the API invalidate at once, "
                "and a short TTL bounds how long a change made outside the API is served stale."
            ),
        ),
        otherwise(
            300,
            (
                "Reads may lag a write, so entries live longer and take more reads off "
                "PostgreSQL; writes through the API still invalidate at once."
            ),
        ),
    ),
)


def refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """A TTL outside a day; the cache itself combines with every other answer."""
    if TTL.name not in answers:
        return []
    ttl = answers[TTL.name]
    if isinstance(ttl, int) and not isinstance(ttl, bool) and 1 <= ttl <= TTL_MAX_SECONDS:
        return []
    return [
        Problem(
            TTL.name,
            f"Enter a whole number of seconds from 1 to {TTL_MAX_SECONDS}: an entry that "
            "outlives a day is a copy of the data, not a cache.",
            f"1 to {TTL_MAX_SECONDS:,} seconds (a day)",
        )
    ]


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "Every read goes to PostgreSQL: one server to run, and a read always sees the "
                "latest committed write."
            ),
            (
                "Add a cache when read latency or database CPU nears its target; cache-aside "
                "belongs in the domain services, behind the same routes."
            ),
        ]
    if answers.get("tenancy", "none") == "none":
        keys = "Keys carry the service name, so services sharing a Redis do not collide."
    else:
        keys = "Keys carry the service name and the tenant, so no tenant is served another's entry."
    found = [
        (
            "Reads are cache-aside: look up Redis, and on a miss read PostgreSQL and store the "
            f"result for {answers.get('cache_ttl_seconds', 300)} seconds, so a change made "
            "outside the API ages out."
        ),
        (
            "Writes invalidate the keys they affect before they commit, and entries are "
            "versioned: a read that loaded the older value cannot store it after the write."
        ),
        keys,
        "When Redis is down or slow, reads fall back to the database instead of failing.",
        "Tests run against a real Redis server, never a mock, and race a read against a write.",
    ]
    if answers.get("consistency") == "strong":
        found.append(
            "Reads must see the latest write, so a write that cannot invalidate its key in Redis "
            "is refused (503 cache_unavailable, Retry-After) and rolled back: for writes to "
            "cached data Redis is a correctness dependency."
        )
    else:
        found.append(
            "Reads may lag a write, so a write goes on when Redis cannot be reached; the entry "
            "it could not invalidate is served until its TTL ends: Redis stays a performance "
            "dependency only."
        )
    return found


RECORD = Record(
    "Caching",
    ("scale", "read_write", "latency_p99_ms", "consistency"),
    (
        Option(
            "none",
            "None: every read goes to PostgreSQL",
            ("One server to run; every read sees the latest committed write.",),
            ("Every read costs a database round trip; hot rows load PostgreSQL.",),
        ),
        Option(
            "redis",
            "Redis cache-aside",
            (
                "Sub-millisecond hot reads and less load on PostgreSQL.",
                "Shared by every instance, so one invalidation reaches all of them.",
            ),
            (
                "A second server to run and monitor.",
                (
                    "Every write must reach Redis before it commits, or give up strong "
                    "consistency while Redis is down."
                ),
            ),
        ),
        Option(
            "in_process",
            "In-process cache",
            ("No network hop and nothing extra to run.",),
            (("Each instance holds its own copy, so an invalidation does not reach the others."),),
        ),
    ),
    _consequences,
)


DECISION = Decision("cache", VALUES, RULES, RECORD, refusals, settings=(TTL,))
