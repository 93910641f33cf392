"""The SMTP adapter: any relay or provider that speaks SMTP."""

from email.message import EmailMessage
from urllib.parse import unquote

import aiosmtplib
import structlog
from pydantic import AnyUrl

from .port import MailUnavailable, Message

logger = structlog.get_logger("mail")


class SmtpMailer:
    """One connection per message: mail is rare here (sign-up, invitations, resets), and a
    fresh connection never finds a relay's idle timeout."""

    def __init__(self, url: AnyUrl, *, sender: str, timeout: float) -> None:
        self.hostname = url.host or "localhost"
        self.port = url.port or (465 if url.scheme == "smtps" else 25)
        self.username = unquote(url.username) if url.username else None
        self.password = unquote(url.password) if url.password else None
        self.use_tls = url.scheme == "smtps"
        self.sender = sender
        self.timeout = timeout

    async def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        try:
            await aiosmtplib.send(
                email,
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            logger.warning("mail_not_sent", error=type(error).__name__)
            raise MailUnavailable() from error
