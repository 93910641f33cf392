"""Registration: who may create an account, closed (invited or created by an administrator) or
open (self-service sign-up of a new organisation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Decision, Option, Problem, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("closed", "open")

RULES: tuple[Rule[Value], ...] = (
    otherwise(
        "closed",
        (
            "Nobody was named who may join unasked, so accounts are created by the people who "
            "already run the service: an open sign-up gives strangers an account, and every "
            "account is something to defend."
        ),
    ),
)


def refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """Open registration needs tenants (one organisation's people join by invitation) and
    built-in accounts (an identity provider signs its own users up)."""
    if answers.get("registration") != "open":
        return []
    if answers.get("auth", "jwt") == "oidc":
        return [
            Problem(
                "registration",
                (
                    "Registration 'open' needs built-in accounts: with an OpenID Connect "
                    "provider (auth 'oidc') the service stores no password and signs nobody up; "
                    "the provider does. Answer 'closed', or auth 'jwt'."
                ),
            )
        ]
    if answers.get("tenancy", "none") != "none":
        return []
    return [
        Problem(
            "registration",
            (
                "Registration 'open' needs tenants: a single-tenant service holds one "
                "organisation's data, so a stranger who signs up would join that organisation; "
                "its people join by invitation. Answer 'closed', or a multi-tenant need to the "
                "tenancy question (open sign-up then creates a new organisation)."
            ),
        )
    ]


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    multi_tenant = answers.get("tenancy", "none") != "none"
    if value == "open":
        return [
            (
                "`POST /api/v1/auth/register` creates a new tenant with the registrant as its "
                "only administrator; nobody joins an existing tenant without an invitation."
            ),
            (
                "The account cannot log in until it proves it owns its e-mail address with the "
                "single-use, expiring link mailed to it."
            ),
            (
                "Registration answers 202 whether or not the address already has an account "
                "(that owner gets a mail instead), so it reveals no account; it is rate-limited "
                "per address."
            ),
        ]
    found = ["There is no registration route: a stranger cannot create an account."]
    if multi_tenant:
        found.append(
            "Tenants and their first administrators are created by operators "
            "(`POST /api/v1/tenants`); everyone else joins by invitation."
        )
    else:
        found.append(
            "The first administrator is created with `python -m <package>.create_admin <email>` "
            "(`make create-admin`), which mails them a link to set their password; everyone "
            "else joins by invitation."
        )
    found.append(
        "Opening sign-up later is a matter of answering `open` on an update, once the service "
        "has tenants."
    )
    return found


RECORD = Record(
    "Registration",
    ("tenancy_need",),
    (
        Option(
            "closed",
            "Closed: accounts are created by administrators or operators, people are invited",
            (
                "No stranger gets an account; the attack surface is the people you chose.",
                "No sign-up abuse to rate-limit, verify or clean up.",
            ),
            ("Every new organisation or person needs someone to let them in.",),
        ),
        Option(
            "open",
            "Open self-service sign-up of a new organisation (with tenants)",
            (
                "Customers start on their own, at any hour, with nobody in the loop.",
                "The registrant administers only the new tenant they created.",
            ),
            (
                (
                    "Anyone can create accounts and tenants: sign-up must verify e-mail "
                    "addresses, must not reveal which ones have accounts, and is rate-limited."
                ),
            ),
        ),
        Option(
            "open_join",
            "Open sign-up into the one organisation",
            ("No invitations to send.",),
            ("Strangers get write access to the organisation's data.",),
        ),
    ),
    _consequences,
)


DECISION = Decision("registration", VALUES, RULES, RECORD, refusals=refusals)
