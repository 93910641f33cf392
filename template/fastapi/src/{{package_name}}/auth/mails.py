"""The mail authentication sends: what each says, and the link it carries."""

from urllib.parse import urlencode

from ..mail import Message
from .settings import Settings


def _link(settings: Settings, page: str, token: str) -> str:
    return f"{str(settings.app_url).rstrip('/')}/{page}?{urlencode({'token': token})}"


def verification(settings: Settings, to: str, token: str) -> Message:
    hours = settings.verify_token_hours
    return Message(
        to=to,
        subject="Confirm your e-mail address",
        body=(
            "Someone, hopefully you, signed up with this e-mail address.\n\n"
            f"Confirm it within {hours} hours to activate the account:\n"
            f"{_link(settings, 'verify-email', token)}\n\n"
            "If it was not you, ignore this mail: the account stays inactive.\n"
        ),
    )


def already_registered(settings: Settings, to: str) -> Message:
    return Message(
        to=to,
        subject="Someone tried to sign up with your e-mail address",
        body=(
            "Someone tried to sign up with this e-mail address, which already has an account.\n\n"
            "If it was you and you forgot your password, reset it here:\n"
            f"{str(settings.app_url).rstrip('/')}/reset-password\n\n"
            "If it was not you, ignore this mail: nothing changed.\n"
        ),
    )


def password_reset(settings: Settings, to: str, token: str) -> Message:
    minutes = settings.reset_token_minutes
    return Message(
        to=to,
        subject="Reset your password",
        body=(
            "Someone, hopefully you, asked to reset the password of this account.\n\n"
            f"Choose a new password within {minutes} minutes (this signs out every session):\n"
            f"{_link(settings, 'reset-password', token)}\n\n"
            "If it was not you, ignore this mail: the password stays as it is.\n"
        ),
    )


def set_password(settings: Settings, to: str, token: str) -> Message:
    """The first administrator's invitation to choose a password (`create_admin`)."""
    minutes = settings.reset_token_minutes
    return Message(
        to=to,
        subject="Your administrator account",
        body=(
            "An administrator account was created for this e-mail address.\n\n"
            f"Choose its password within {minutes} minutes:\n"
            f"{_link(settings, 'reset-password', token)}\n"
        ),
    )
