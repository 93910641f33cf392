"""The broker adapters, and what they share: the adapter `BROKER_URL` names, the retry delays,
the header names a message travels with.

Each service holds one adapter (RabbitMQ or NATS JetStream), so it is imported by name: the
other is not there to import.
"""

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from ..broker import Broker, Message
from ..settings import Settings

ADAPTERS = {
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
    "nats": "jetstream",
    "tls": "jetstream",
}
PREFETCH = 16  # deliveries a consumer process handles at once

# What the port's `Message` fields travel as, beside the trace context in `headers`.
ID = "event-id"
TYPE = "event-type"
KEY = "event-key"
TENANT = "event-tenant-id"
OCCURRED = "event-occurred-at"
ATTEMPT = "event-attempt"
ERROR = "event-error"  # a dead letter's last failure
CONSUMER = "event-consumer"  # a dead letter's consumer
REPLAY_FOR = "event-replay-for"  # a replayed message is for this consumer only
OWN = frozenset({ID, TYPE, KEY, TENANT, OCCURRED, ATTEMPT, ERROR, CONSUMER, REPLAY_FOR})


def open_broker(settings: Settings) -> Broker:
    """The adapter for `BROKER_URL`'s scheme; open it with `async with`."""
    scheme = settings.broker_url.scheme
    name = ADAPTERS.get(scheme)
    if name is None:
        raise ValueError(f"BROKER_URL scheme {scheme!r} names no broker: use amqp:// or nats://")
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":  # the adapter is there, its library is not
            raise
        raise ValueError(
            f"BROKER_URL {scheme}:// needs the {name} adapter, which this service was not "
            "generated with"
        ) from error
    return cast(Broker, module.adapter(settings))


def retry_delay(settings: Settings, attempt: int) -> float:
    """Seconds before attempt `attempt + 1`, after attempt `attempt` failed."""
    delay = settings.events_retry_base_seconds * 2 ** (attempt - 1)
    return float(min(delay, settings.events_retry_max_seconds))


def headers_of(message: Message) -> dict[str, str]:
    """The message's fields and trace context as string headers."""
    headers = {key: value for key, value in message.headers.items() if key not in OWN}
    headers |= {
        ID: str(message.id),
        TYPE: message.type,
        KEY: message.key,
        OCCURRED: message.occurred_at.isoformat(),
    }
    if message.tenant_id is not None:
        headers[TENANT] = str(message.tenant_id)
    return headers


def message_of(headers: Mapping[str, Any], body: bytes) -> Message:
    """The message that `headers_of` turned into these headers."""
    tenant = headers.get(TENANT)
    return Message(
        id=UUID(str(headers[ID])),
        type=str(headers[TYPE]),
        key=str(headers[KEY]),
        tenant_id=UUID(str(tenant)) if tenant else None,
        body=body,
        occurred_at=datetime.fromisoformat(str(headers[OCCURRED])),
        headers={str(k): str(v) for k, v in headers.items() if _trace_header(str(k))},
    )


def one_line(error: BaseException) -> str:
    """A failure as a dead letter records it: its type and first line, bounded."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:500] if text else type(error).__name__


def _trace_header(name: str) -> bool:
    """Whether a header is the message's own (trace context), not ours or the broker's."""
    return name not in OWN and not name.startswith(("x-", "Nats-"))


class KeyLocks:
    """One lock per key while deliveries of that key are under way: they run in arrival order."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
