"""Distributed tracing: OpenTelemetry over OTLP once a request crosses enough components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("otlp", "none")

RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the scale is prototype",
        lambda context: context.scale == "prototype",
        "none",
        (
            "At prototype scale a request touches few components and the JSON request log "
            "answers most questions; tracing adds a collector to run and some cost per request."
        ),
    ),
    otherwise(
        "otlp",
        (
            "At this scale a slow request has to be explained across the API, PostgreSQL and "
            "Redis; traces show where the time went, and their ids tie log lines together."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "No traces; the request id in every log line and in the error envelope is what "
                "ties a request's lines together."
            ),
        ]
    stores = "PostgreSQL and Redis" if answers.get("cache") == "redis" else "PostgreSQL"
    return [
        (
            f"The OpenTelemetry SDK creates spans for each HTTP request and each call to "
            f"{stores}, through the maintained instrumentation packages."
        ),
        (
            "Spans are exported over OTLP/HTTP as the OpenTelemetry specification reads its "
            "variables: to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else to "
            "`OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended. With neither set, traces "
            "are still created, so trace ids appear in logs."
        ),
        "Every log line written inside a span carries its `trace_id` and `span_id`.",
        "Health and metrics endpoints are not traced: they would drown the real requests.",
    ]


RECORD = Record(
    "Distributed tracing",
    ("scale",),
    (
        Option(
            "otlp",
            "OpenTelemetry, exported over OTLP",
            (
                "The vendor-neutral standard: any backend (Jaeger, Tempo, a SaaS) reads it.",
                "Maintained instrumentation for FastAPI, SQLAlchemy and Redis.",
            ),
            (
                "A collector or backend to run; spans cost CPU on every request.",
                "Sampling has to be chosen once traffic grows.",
            ),
        ),
        Option(
            "none",
            "None",
            ("Nothing to run; no per-request cost.",),
            ("Latency across components is guessed from logs and metrics.",),
        ),
        Option(
            "vendor",
            "A vendor's agent (APM)",
            ("Turnkey dashboards.",),
            ("Lock-in to one vendor's agent and pricing.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("tracing", VALUES, RULES, RECORD)
