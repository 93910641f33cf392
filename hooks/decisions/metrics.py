"""Metrics: Prometheus exposition at /metrics, or none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("prometheus", "none")

RULES: tuple[Rule[Value], ...] = (
    otherwise(
        "prometheus",
        (
            "Request rate, errors and latency per route, pool use and cache hit ratio are what "
            "an on-call engineer looks at first; exposing them costs microseconds per request "
            "at any scale."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "No metrics endpoint: request rates and latencies are known only from the JSON "
                "request log lines, each of which carries method, route, status and duration."
            ),
        ]
    found = [
        (
            "`GET /metrics` serves the Prometheus exposition format: requests and their "
            "duration per method, route template and status, and the database pool's "
            "connections by state."
        ),
        (
            "Labels are bounded: route templates, never raw paths or ids; requests matching no "
            "route count under `unmatched`."
        ),
    ]
    if answers.get("cache") == "redis":
        found.append("Cache reads are counted by result: hit, miss, or error.")
    found.append(
        "With several worker processes each serves its own counters; scrape every worker or "
        "run one worker per container."
    )
    return found


RECORD = Record(
    "Metrics",
    ("scale",),
    (
        Option(
            "prometheus",
            "Prometheus exposition at /metrics",
            (
                "The format every monitoring stack scrapes; no agent or push gateway.",
                "prometheus-client is small and has no runtime dependencies.",
            ),
            (
                "Pull-based: something must scrape each instance.",
                "Per-process counters: several workers need a scrape each, or multiprocess mode.",
            ),
        ),
        Option(
            "none",
            "None",
            ("Nothing to run or secure.",),
            ("Rates and latencies must be reconstructed from logs, after the fact.",),
        ),
        Option(
            "otlp",
            "OpenTelemetry metrics over OTLP",
            ("One protocol for metrics and traces; push, so no scraper is needed.",),
            ("Needs a collector; heavier SDK.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("metrics", VALUES, RULES, RECORD)
