"""Answers that are no decision: the service's identity and the latency target.

Each is checked on its own, as Copier asks it, before any decision is weighed.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any

from .model import Problem

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# The slug names the database, the container and the distribution; 40 leaves room under
# PostgreSQL's 63-byte identifier limit for suffixes such as "_test".
SLUG_MAX_LENGTH = 40
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LATENCY_MIN_MS = 10
LATENCY_MAX_MS = 60_000

# Import names a generated package must not take: it would shadow a dependency of the service
# or one of its top-level folders.
SHADOWED_NAMES = frozenset(
    {
        "alembic",
        "anyio",
        "argon2",
        "asyncpg",
        "fastapi",
        "httpx",
        "jwt",
        "migrations",
        "opentelemetry",
        "prometheus_client",
        "psycopg",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "redis",
        "sqlalchemy",
        "starlette",
        "structlog",
        "tests",
        "uuid_utils",
        "uvicorn",
    }
)


def problems(answers: Mapping[str, Any]) -> list[Problem]:
    """Why the identity or latency answers given cannot be used; empty when they can."""
    found: list[Problem] = []
    if "project_name" in answers:
        name = str(answers["project_name"])
        if not name.strip():
            found.append(
                Problem(
                    "project_name",
                    "Enter a project name, e.g. Billing Service.",
                    "enter one, e.g. Billing Service",
                )
            )
        elif "\n" in name:
            found.append(
                Problem("project_name", "The project name must fit on one line.", "one line only")
            )
    if "project_slug" in answers:
        found.extend(_slug_problems(str(answers["project_slug"])))
    if "package_name" in answers:
        found.extend(_package_problems(str(answers["package_name"])))
    if "author_email" in answers and not EMAIL_PATTERN.match(str(answers["author_email"])):
        found.append(
            Problem(
                "author_email",
                f"'{answers['author_email']}' does not look like an e-mail address "
                "(name@example.com).",
                "not an e-mail (name@example.com)",
            )
        )
    if "latency_p99_ms" in answers:
        found.extend(_latency_problems(answers["latency_p99_ms"]))
    return found


def _slug_problems(slug: str) -> list[Problem]:
    if not SLUG_PATTERN.match(slug):
        return [
            Problem(
                "project_slug",
                f"'{slug}' is not a valid slug: use lower-case letters, digits and single "
                "hyphens, starting with a letter (e.g. billing-service).",
                "use a-z, 0-9 and single hyphens",
            )
        ]
    if len(slug) > SLUG_MAX_LENGTH:
        return [
            Problem(
                "project_slug",
                f"'{slug}' is {len(slug)} characters; keep it to {SLUG_MAX_LENGTH} or fewer, "
                "since it also names the database and the container.",
                f"{len(slug)} characters; at most {SLUG_MAX_LENGTH}",
            )
        ]
    return []


def _package_problems(package: str) -> list[Problem]:
    instead = f"choose a more specific name, e.g. {package}_service"
    if not PACKAGE_PATTERN.match(package):
        message = (
            f"'{package}' is not a valid package name: use lower-case letters, digits and "
            "underscores, starting with a letter (e.g. billing_service)."
        )
        brief = "use a-z, 0-9 and underscores"
    elif keyword.iskeyword(package):
        message = f"'{package}' is a Python keyword and cannot be imported; {instead}."
        brief = "a Python keyword"
    elif package in sys.stdlib_module_names:
        message = f"'{package}' would shadow the standard-library module of that name; {instead}."
        brief = "shadows a standard module"
    elif package in SHADOWED_NAMES:
        message = (
            f"'{package}' would shadow a dependency or folder of the generated service; {instead}."
        )
        brief = "shadows a dependency or folder"
    else:
        return []
    return [Problem("package_name", message, brief)]


def _latency_problems(value: Any) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | str):
        latency = None
    else:
        try:
            latency = int(value)
        except ValueError:
            latency = None
    if latency is None:
        return [
            Problem(
                "latency_p99_ms",
                "Enter the p99 target as a whole number of milliseconds.",
                "a whole number of milliseconds",
            )
        ]
    if not LATENCY_MIN_MS <= latency <= LATENCY_MAX_MS:
        return [
            Problem(
                "latency_p99_ms",
                f"{latency} ms is outside {LATENCY_MIN_MS} to {LATENCY_MAX_MS} ms: a tighter "
                "target needs data served from memory with no database on the request path, "
                "and a request that may take over a minute belongs in a background job.",
                f"from {LATENCY_MIN_MS} to {LATENCY_MAX_MS:,} ms",
            )
        ]
    return []


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by single hyphens, at most SLUG_MAX_LENGTH characters."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")
