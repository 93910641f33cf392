"""Authentication: built-in users with JWT access tokens and rotating refresh tokens, or the
access tokens of an external OpenID Connect provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("jwt", "oidc")

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
        _BUILT_IN_USERS
        + ", and the authenticated user, not a request header, names the tenant. Business "
        "customers often want their own identity provider (single sign-on, MFA, leavers "
        "removed in one place): `oidc` gives them that, at the price of a dependency on the "
        "login path.",
    ),
    otherwise("jwt", _BUILT_IN_USERS + "."),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    multi_tenant = answers.get("tenancy", "none") != "none"
    found = _oidc_consequences(multi_tenant) if value == "oidc" else _jwt_consequences()
    found.append(
        'Routes declare what they need with `CurrentPrincipal` and `require_role("admin")`.'
    )
    if multi_tenant:
        found.append(
            "The tenant is read from the authenticated user, so the token, not a request "
            "header, decides which rows the database shows."
        )
    if value == "jwt":
        found.append(
            "Moving to an external OIDC provider later (`auth: oidc`) replaces token issuance "
            "and verification; the `CurrentPrincipal` dependency is the seam that stays."
        )
    return found


def _jwt_consequences() -> list[str]:
    return [
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
    ]


def _oidc_consequences(multi_tenant: bool) -> list[str]:
    found = [
        (
            "The service is an OpenID Connect resource server: it issues no token and stores no "
            "password. It discovers the provider from `OIDC_ISSUER` "
            "(`/.well-known/openid-configuration`, then `jwks_uri`) with an async HTTP client, "
            "and checks each bearer token's signature against the provider's key set, its "
            "issuer, its audience (`OIDC_AUDIENCE`), its expiry (with a small leeway) and its "
            "algorithm: asymmetric only (RS*, PS*, ES*, EdDSA); `none` and HS* are refused."
        ),
        (
            "The key set is cached; a token signed with an unknown key id refetches it, at most "
            "once per `OIDC_JWKS_MIN_REFRESH_SECONDS`, concurrent misses sharing one fetch, so "
            "the provider rotates keys without a restart and forged key ids cannot flood it."
        ),
        (
            "Each (issuer, subject) becomes a local `users` row on first sight, so rows keep "
            "user UUIDs (`created_by`) whatever the provider."
        ),
        (
            "Roles come from a claim (`OIDC_ROLES_CLAIM`) mapped to viewer, member or admin by "
            "`OIDC_ROLE_MAP`; a token with no mapped role is refused (403)."
        ),
        (
            "A provider that cannot be reached is a 503 with Retry-After, a bad token a 401; "
            "settings refuse a missing issuer or audience unless ENVIRONMENT=development."
        ),
        (
            "Verification uses PyJWT with its `crypto` extra (the `cryptography` package): the "
            "JWT library the service already used, maintained, with a JWKS client model and "
            "explicit algorithm lists."
        ),
    ]
    if multi_tenant:
        found.append(
            "The tenant comes from a claim (`OIDC_TENANT_CLAIM`) naming a tenant's slug or id; "
            "operators create tenants (`/api/v1/tenants`), the provider says who belongs to them."
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
