"""The broker port: what the relay and the consumers need of a message broker, whichever it is.

`events/brokers/` holds one adapter per broker; `BROKER_URL` names the one a service runs with.
Delivery is at least once everywhere: a consumer records the message id with its side effect
(`events.consumers`), so a redelivery changes nothing.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Message:
    """One domain event on its way from the outbox to the consumers."""

    id: UUID  # the outbox row's id: the consumers' idempotency key, the broker's dedup id
    type: str  # "project.created": what the routing (RabbitMQ) or the subject (NATS) follows
    key: str  # the aggregate it is about ("project:<id>"); its events keep their commit order
    tenant_id: UUID | None  # set by the relay from the outbox row, never read from the body
    body: bytes  # JSON
    occurred_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)  # trace context (traceparent)


@dataclass(frozen=True)
class Delivery:
    """A message handed to a consumer, and how many times it has been (1 the first time)."""

    message: Message
    attempt: int


@dataclass(frozen=True)
class DeadLetter:
    """A message a consumer failed on `attempts` times, kept until an operator replays it."""

    consumer: str
    message: Message
    attempts: int
    error: str  # the last failure, one line


class BrokerUnavailable(Exception):
    """The broker cannot be reached, or did not confirm a publish: try again later."""


Handler = Callable[[Delivery], Awaitable[None]]


class Broker(AbstractAsyncContextManager["Broker"], Protocol):
    """A connection to the broker, opened with `async with`."""

    async def declare(self, consumer: str, types: Sequence[str]) -> None:
        """Make `consumer` receive every message of `types` published from now on, even before it
        first consumes: the worker declares its consumers before the relay publishes."""

    async def publish(self, messages: Sequence[Message]) -> None:
        """Return once the broker has stored every message durably, in the order given.

        Raises `BrokerUnavailable` otherwise; any of them may then have been stored, and the
        relay publishes them again (at least once).
        """

    async def consume(
        self, consumer: str, types: Sequence[str], handler: Handler, stopping: asyncio.Event
    ) -> None:
        """Hand `consumer` every message whose type matches `types` ("project.*"), until
        `stopping` is set; then finish the deliveries under way and return.

        A delivery whose handler returns is acknowledged. One whose handler raises comes back
        after a growing delay; after the last attempt it becomes a dead letter, and the
        others keep flowing meanwhile. Deliveries of one key are handled one at a time; a
        bounded number run at once. A lost connection is reopened here, not raised.
        """

    async def ping(self) -> bool:
        """Whether the broker answers now (readiness), without raising."""

    async def dead_letters(self, consumer: str, limit: int = 100) -> list[DeadLetter]:
        """The consumer's dead letters, oldest first, left in place."""

    async def replay(self, consumer: str, ids: Sequence[UUID] | None = None) -> int:
        """Hand dead letters (`ids`, or all of them) to the consumer again, as first attempts;
        return how many."""
