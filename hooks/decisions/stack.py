"""The service stack: FastAPI, the one stack Groundwork implements, and those it weighs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("fastapi",)

_TEAM_STACK_WORDS = {
    "python": "Python",
    "typescript": "TypeScript",
    "go": "Go",
    "jvm": "Java or Kotlin",
    "other": "not Python",
}


def _other_stack_reason(context: Context) -> str:
    team = _TEAM_STACK_WORDS[context.team_stack]
    return (
        f"FastAPI is the only stack Groundwork implements; the team's primary stack is {team}, "
        "so plan time for Python, or weigh a template in the team's own stack."
    )


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the team works in Python",
        lambda context: context.team_stack == "python",
        "fastapi",
        (
            "The team works in Python, and FastAPI gives it typed request and response "
            "contracts, async I/O and an OpenAPI document generated from the code."
        ),
    ),
    otherwise("fastapi", _other_stack_reason),
)


_WORKERS = {"prototype": 1, "growth": 2, "large": 4}  # the Dockerfile's WEB_CONCURRENCY


def _serving(answers: Mapping[str, Any]) -> str:
    scale, package = answers.get("scale", "prototype"), answers.get("package_name", "<package>")
    workers = (
        "each pod runs one worker (`WEB_CONCURRENCY=1`), scaled by replicas, so the drain holds"
        if answers.get("deploy") == "kubernetes"
        else f"the image runs {_WORKERS[scale]} worker(s) per container at {scale} scale "
        "(`WEB_CONCURRENCY`)"
    )
    return (
        f"It is served by uvicorn with uvloop and httptools (`python -m {package}.serve`), which "
        f"adds a drain on stop and limits on request heads; {workers}. granian was measured "
        "against it (`bench/service.py --server granian` in Groundwork); uvicorn stays, as the "
        "drain and the head limits are written against its protocol."
    )


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    dependencies = "`DbSession`, `CurrentPrincipal`, `CurrentCache`"
    return [
        (
            "The service is a FastAPI application made of features, listed in `main.FEATURES`: "
            "each one module that owns its settings, the resources it opens and closes, its "
            "routes and its middleware."
        ),
        (
            "It is packaged by domain, with the same files in every domain: `router.py`, "
            "`schemas.py`, `models.py`, `service.py`; `scripts/scaffold.py` adds one."
        ),
        (
            "Database access is async SQLAlchemy 2 over asyncpg; schema changes are Alembic "
            "migrations that downgrade as well as upgrade."
        ),
        (
            "The request owns the transaction: the session dependency commits on success and "
            "rolls back on error; services and repositories flush, never commit."
        ),
        (
            f"Dependencies are `Annotated` aliases ({dependencies}), so a route's signature "
            "states what it needs."
        ),
        (
            "One pydantic-settings class, joining the settings each feature declares, is "
            "validated at start, and every error uses one envelope: "
            '`{"error": {"code", "message", "details", "request_id"}}`.'
        ),
        _serving(answers),
    ]


RECORD = Record(
    "Service stack",
    ("team_stack",),
    (
        Option(
            "fastapi",
            "FastAPI with async SQLAlchemy 2, asyncpg and Alembic",
            (
                (
                    "Typed request and response models validate input and generate the "
                    "OpenAPI document from the code."
                ),
                "Async I/O end to end, over asyncpg.",
                (
                    "SQLAlchemy 2 and Alembic are mature: explicit transactions, reversible "
                    "migrations."
                ),
            ),
            (
                (
                    "Lower CPU throughput per process than Go or the JVM; CPU-bound work "
                    "belongs in workers."
                ),
                "One blocking call in async code stalls every request on that worker.",
            ),
        ),
        Option(
            "nestjs",
            "NestJS on TypeScript",
            ("One language with a TypeScript front end.",),
            (
                (
                    "ORM support for a per-transaction setting, which row-level security "
                    "relies on, varies."
                ),
            ),
        ),
        Option(
            "go",
            "Go with net/http and pgx",
            ("Low memory, high throughput, a single static binary.",),
            ("More hand-written code for validation, OpenAPI and migrations.",),
        ),
        Option(
            "spring",
            "Spring Boot on Java or Kotlin",
            ("Mature ecosystem and tooling, high sustained throughput.",),
            ("Heavier runtime and slower start; much framework for a small service.",),
        ),
    ),
    _consequences,
)

DECISION = Decision("stack", VALUES, RULES, RECORD)
