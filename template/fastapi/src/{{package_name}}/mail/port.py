"""What the service asks of outgoing mail, whatever carries it."""

from dataclasses import dataclass
from typing import Protocol

from ..errors import AppError


@dataclass(frozen=True)
class Message:
    """One plain-text e-mail to one recipient."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, message: Message) -> None:
        """Hand `message` over for delivery, or raise `MailUnavailable`."""


class MailUnavailable(AppError):
    """The mail relay did not take the message; the request that sends it fails as a whole,
    so no token exists that its owner was never told about."""

    status_code = 503
    code = "mail_unavailable"

    def __init__(self) -> None:
        message = "Mail cannot be sent right now; try again shortly."
        super().__init__(message, headers={"Retry-After": "30"})
