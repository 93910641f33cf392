"""Authentication: built-in users with JWT access tokens and rotating refresh tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("jwt",)

_BUILT_IN_USERS = (
    "The service needs its own users and no identity provider was named, so built-in "
    "users with short-lived JWT access tokens and rotating refresh tokens keep it "
    "self-contained"
)

RULES: tuple[Rule[Value], ...] = (
    Rule(
        "tenants share the service",
        lambda context: context.tenancy_need != "single",
        "jwt",
        _BUILT_IN_USERS + ", and the authenticated user, not a request header, names the tenant.",
    ),
    otherwise("jwt", _BUILT_IN_USERS + "."),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    found = [
        "Users live in the service's database; passwords are hashed with argon2.",
        (
            "Access tokens are short-lived JWTs signed with a secret from settings, which refuses "
            "a missing, default or weak secret unless ENVIRONMENT=development (the default is "
            "production)."
        ),
        (
            "New passwords must be hard to guess (zxcvbn, with the e-mail as a known word); login "
            "is limited per address and per account and address, with a backoff that doubles "
            "after repeated failures, so guesses never lock the account's owner out."
        ),
        (
            "Refresh tokens rotate on every use; presenting an already rotated token revokes its "
            "whole family, so a stolen token, once reused, signs out both thief and user."
        ),
        (
            "An account proves its e-mail address before it can log in; password reset mails "
            "a single-use, expiring link and ends every session; neither reveals which "
            "addresses have accounts."
        ),
        'Routes declare what they need with `CurrentPrincipal` and `require_role("admin")`.',
    ]
    if answers.get("tenancy", "none") != "none":
        found.append(
            "The tenant is read from the authenticated user, so the token, not a request "
            "header, decides which rows the database shows."
        )
    found.append(
        "Moving to an external OIDC provider later replaces token issuance and verification; "
        "the `CurrentPrincipal` dependency is the seam that stays."
    )
    return found


RECORD = Record(
    "Authentication",
    ("tenancy_need",),
    (
        Option(
            "jwt",
            "JWT with built-in users",
            (
                "Self-contained: no identity provider to run or pay for.",
                "Access tokens are checked without a lookup per request.",
            ),
            (
                "The service owns password storage, reset and lockout.",
                (
                    "An access token stays valid until it expires, so lifetimes must be "
                    "short and revocation needs refresh-token state."
                ),
            ),
        ),
        Option(
            "oidc",
            "External OIDC provider such as Keycloak, Auth0, Entra ID or Cognito",
            ("Single sign-on, MFA and password handling done by a specialist.",),
            (
                (
                    "Another dependency on the login path, often priced per user; claims "
                    "must be mapped to local users and tenants."
                ),
            ),
        ),
        Option(
            "sessions",
            "Server-side sessions behind a cookie",
            ("Instant revocation; simple for a browser-only client.",),
            (
                (
                    "A session-store lookup on every request and CSRF protection; awkward "
                    "for non-browser clients and service-to-service calls."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("auth", VALUES, RULES, RECORD)
