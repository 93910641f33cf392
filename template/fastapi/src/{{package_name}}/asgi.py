"""Pure ASGI pieces the middlewares share: a request body read whole and given again, and a
send() that knows whether the response has started."""

from typing import Self

from starlette.types import Message, Receive, Send


class BufferedBody:
    """A request body read whole, so it can be given again: to the route after a check, or to
    each attempt of a retry."""

    def __init__(self, body: bytes, cut: Message | None) -> None:
        self.body = body
        self.cut = cut  # the disconnect that cut the body short, if the client went away

    @classmethod
    async def read(cls, receive: Receive) -> Self:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return cls(b"".join(chunks), message)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return cls(b"".join(chunks), None)

    def replay(self, receive: Receive) -> Receive:
        """A receive() that gives the body once, then waits for the client as usual."""
        given = False

        async def replayed() -> Message:
            nonlocal given
            if given:
                return await receive()
            given = True
            return self.cut or {"type": "http.request", "body": self.body, "more_body": False}

        return replayed


class TrackedSend:
    """A send() that remembers whether the response has started: after that, nothing else can
    be answered in its place."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)
