"""The development sink: each message becomes an .eml file in a directory, newest last."""

import asyncio
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from uuid_utils.compat import uuid7

from .port import Message


class DirectorySink:
    """Writes messages where a developer, or a test, reads them (`messages`)."""

    def __init__(self, directory: str | Path, *, sender: str) -> None:
        self.directory = Path(directory)
        self.sender = sender

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: Message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        # uuid7 names sort in the order the messages were written.
        path = self.directory / f"{uuid7()}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(email.as_bytes())
        temporary.rename(path)  # readers never see half a message

    def messages(self, to: str | None = None) -> list[Message]:
        """The messages written so far, oldest first, to `to` when given."""
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            email = BytesParser(policy=default).parsebytes(path.read_bytes())
            body = email.get_body(("plain",))
            message = Message(
                to=str(email["To"]),
                subject=str(email["Subject"]),
                body=body.get_content() if body is not None else "",
            )
            if to is None or message.to == to:
                found.append(message)
        return found
