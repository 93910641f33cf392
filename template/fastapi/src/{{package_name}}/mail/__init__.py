"""Outgoing mail: one port, `Mailer`, with an SMTP adapter and a development sink.

The service says what to send (`Message`); `MAIL_URL` says where it goes, so no mail provider is
wired into the code: `smtp://` or `smtps://` for a relay (any provider's SMTP endpoint), `file://`
for a directory sink that development and tests read.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from ..features import Feature
from .port import Mailer, MailUnavailable, Message
from .settings import Settings
from .sink import DirectorySink
from .smtp import SmtpMailer

__all__ = ["MailUnavailable", "Mailer", "Message", "Settings", "feature", "mailer", "mailer_for"]


def mailer_for(settings: Settings) -> Mailer:
    """The adapter `MAIL_URL` names."""
    url = settings.mail_url
    if url is None:  # only development may leave it unset (Settings refuses it elsewhere)
        return DirectorySink(Settings.DEVELOPMENT_SINK, sender=settings.mail_from)
    if url.scheme == "file":
        return DirectorySink(url.path or "", sender=settings.mail_from)
    return SmtpMailer(url, sender=settings.mail_from, timeout=settings.mail_timeout_seconds)


@asynccontextmanager
async def _lifespan(app: FastAPI, settings: Any) -> AsyncIterator[None]:
    app.state.mailer = mailer_for(settings)
    yield


def mailer(request: Request) -> Mailer:
    """The service's mailer."""
    found: Mailer = request.app.state.mailer
    return found


feature = Feature(lifespan=_lifespan)
