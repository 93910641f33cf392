"""RabbitMQ (aio-pika): a topic exchange, a quorum queue per consumer, delay queues for retries.

    <prefix>.events                  topic exchange; a message's routing key is its type
    <prefix>.<consumer>              the consumer's quorum queue, bound to the types it wants
    <prefix>.<consumer>.retry.<ms>   a failed delivery waits here `ms`, then expires back to
                                     the consumer's queue (one queue per delay: a queue
                                     expires its messages in order, so each keeps them on time)
    <prefix>.<consumer>.dead         dead letters, with their last error

Publishes are confirmed and persistent. A retry or a dead letter is published (and confirmed)
before the delivery it replaces is acknowledged, so a crash in between repeats a delivery and
never loses one. A consumer's bindings only grow: a type it no longer wants is unbound by hand
(listing bindings needs RabbitMQ's management plugin).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any
from uuid import UUID

import aio_pika
import structlog
from aio_pika import DeliveryMode, ExchangeType
from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
)
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, ChannelNotFoundEntity

from ... import signals
from ..broker import Broker, BrokerUnavailable, DeadLetter, Delivery, Handler, Message
from ..settings import Settings
from . import (
    ATTEMPT,
    CONSUMER,
    ERROR,
    PREFETCH,
    KeyLocks,
    headers_of,
    message_of,
    one_line,
    retry_delay,
)

logger = structlog.get_logger("events")

FAILURES = (*CONNECTION_EXCEPTIONS, TimeoutError)
RECONNECT_SECONDS = 1.0  # between a lost connection and the next try, doubling up to a minute
QUORUM: dict[str, Any] = {"x-queue-type": "quorum"}


def adapter(settings: Settings) -> Broker:
    """The adapter `open_broker` hands out (typed as the port, so mypy checks it is one)."""
    return RabbitMQBroker(settings)


def _amqp(message: Message, **extra: str | int) -> aio_pika.Message:
    return aio_pika.Message(
        message.body,
        headers={**headers_of(message), **extra},
        content_type="application/json",
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=str(message.id),
        type=message.type,
        timestamp=message.occurred_at,
    )


def _attempt(incoming: AbstractIncomingMessage) -> int:
    return int(str(incoming.headers.get(ATTEMPT, 1)))


class RabbitMQBroker:
    """The port over one connection for publishing; each `consume` opens its own.

    `consume` reconnects by itself after a lost connection; `publish` raises `BrokerUnavailable`
    and connects again on the next call.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.broker_url.unicode_string()
        self.timeout = settings.broker_timeout_seconds
        self.prefix = settings.events_prefix
        self.exchange_name = f"{self.prefix}.events"
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> "RabbitMQBroker":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._close()

    def queue_name(self, consumer: str) -> str:
        return f"{self.prefix}.{consumer}"

    def dead_queue_name(self, consumer: str) -> str:
        return f"{self.prefix}.{consumer}.dead"

    async def _connect(self) -> AbstractConnection:
        async with asyncio.timeout(self.timeout):
            return await aio_pika.connect(self.url, timeout=self.timeout)

    async def _open(self) -> AbstractChannel:
        """The confirmed channel publishes go through, connecting first when there is none."""
        if self._channel is not None and not self._channel.is_closed:
            return self._channel
        await self._close()
        try:
            self._connection = await self._connect()
            async with asyncio.timeout(self.timeout):
                self._channel = await self._connection.channel(on_return_raises=True)
        except FAILURES as error:
            await self._close()
            raise BrokerUnavailable(f"RabbitMQ does not answer: {one_line(error)}") from error
        return self._channel

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        self._channel = self._exchange = None
        if connection is not None:
            with contextlib.suppress(*FAILURES):
                async with asyncio.timeout(self.timeout):
                    await connection.close()

    async def _guarded(self, operation: Callable[[AbstractChannel], Awaitable[Any]]) -> Any:
        """Run `operation` on the publishing channel; a failure closes it and is raised as
        `BrokerUnavailable`."""
        async with self._lock:
            channel = await self._open()
            try:
                return await operation(channel)
            except FAILURES as error:
                await self._close()
                raise BrokerUnavailable(f"RabbitMQ failed: {one_line(error)}") from error

    async def _declare_exchange(self, channel: AbstractChannel) -> AbstractExchange:
        return await channel.declare_exchange(self.exchange_name, ExchangeType.TOPIC, durable=True)

    async def _declare(
        self, channel: AbstractChannel, consumer: str, types: Sequence[str]
    ) -> AbstractQueue:
        """The consumer's queue, bound to its types, and its dead-letter queue."""
        exchange = await self._declare_exchange(channel)
        # A delivery the broker itself gives up on (RabbitMQ 4 limits redeliveries after
        # crashes to 20 by default) becomes a dead letter too, never silently dropped.
        arguments = {
            **QUORUM,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.dead_queue_name(consumer),
        }
        queue = await channel.declare_queue(
            self.queue_name(consumer), durable=True, arguments=arguments
        )
        for type_ in types:
            await queue.bind(exchange, routing_key=type_)
        # Classic: listing dead letters hands them back to the queue, which a quorum queue
        # would count as failed deliveries and in time drop.
        await channel.declare_queue(self.dead_queue_name(consumer), durable=True)
        return queue

    def delay_queue_name(self, consumer: str, delay: float) -> str:
        return f"{self.prefix}.{consumer}.retry.{self._milliseconds(delay)}"

    @staticmethod
    def _milliseconds(delay: float) -> int:
        return max(1, round(delay * 1000))

    async def _delay_queue(self, channel: AbstractChannel, consumer: str, delay: float) -> str:
        milliseconds = self._milliseconds(delay)
        name = self.delay_queue_name(consumer, delay)
        arguments: dict[str, Any] = {
            **QUORUM,
            "x-message-ttl": milliseconds,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.queue_name(consumer),
            # Expired messages move back under the broker's own confirms: none is lost.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        await channel.declare_queue(name, durable=True, arguments=arguments)
        return name

    async def declare(self, consumer: str, types: Sequence[str]) -> None:
        await self._guarded(lambda channel: self._declare(channel, consumer, types))

    async def publish(self, messages: Sequence[Message]) -> None:
        async def send(channel: AbstractChannel) -> None:
            if self._exchange is None:
                async with asyncio.timeout(self.timeout):
                    self._exchange = await self._declare_exchange(channel)
            exchange = self._exchange
            # Started in order, each publish writes its frames under the channel's lock (first
            # come, first served), so the broker stores them in order; their confirms are awaited
            # together rather than one round trip each.
            sending = [
                asyncio.create_task(
                    exchange.publish(_amqp(message), routing_key=message.type, mandatory=False)
                )
                for message in messages
            ]
            try:
                async with asyncio.timeout(self.timeout):
                    await asyncio.gather(*sending)
            finally:
                for task in sending:
                    task.cancel()
                await asyncio.gather(*sending, return_exceptions=True)

        await self._guarded(send)

    async def ping(self) -> bool:
        try:
            await self._guarded(lambda channel: asyncio.sleep(0))
        except BrokerUnavailable:
            return False
        return True

    async def consume(
        self, consumer: str, types: Sequence[str], handler: Handler, stopping: asyncio.Event
    ) -> None:
        """Consume until `stopping` is set, reconnecting (with a growing pause) when the
        connection is lost; deliveries under way then are delivered again."""
        pause = RECONNECT_SECONDS
        while not stopping.is_set():
            try:
                await self._consume_connected(consumer, types, handler, stopping)
                pause = RECONNECT_SECONDS
            except FAILURES as error:
                logger.warning(
                    "broker_consumer_disconnected",
                    consumer=consumer,
                    error=one_line(error),
                    retry_in=pause,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), pause)
                pause = min(pause * 2, 60.0)

    async def _consume_connected(
        self, consumer: str, types: Sequence[str], handler: Handler, stopping: asyncio.Event
    ) -> None:
        connection = await self._connect()
        running: set[asyncio.Task[None]] = set()
        lost = asyncio.Event()

        def on_close(*_: Any) -> None:
            lost.set()

        connection.close_callbacks.add(on_close)
        try:
            async with asyncio.timeout(self.timeout):
                channel = await connection.channel(on_return_raises=True)
                channel.close_callbacks.add(on_close)
                await channel.set_qos(prefetch_count=PREFETCH)
                queue = await self._declare(channel, consumer, types)
            keys = KeyLocks()

            async def on_message(incoming: AbstractIncomingMessage) -> None:
                if stopping.is_set():  # arrived while stopping: back to the queue, untouched
                    await incoming.nack(requeue=True)
                    return
                task = asyncio.create_task(
                    self._deliver(channel, consumer, handler, keys, incoming)
                )
                running.add(task)
                task.add_done_callback(running.discard)

            tag = await queue.consume(on_message)
            waits = [asyncio.ensure_future(event.wait()) for event in (lost, stopping)]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()
            if lost.is_set():
                raise ConnectionError("the connection to RabbitMQ was closed")
            with contextlib.suppress(*FAILURES):
                async with asyncio.timeout(self.timeout):
                    await queue.cancel(tag)
            # Deliveries under way finish and are acknowledged before the connection closes.
            await asyncio.gather(*running, return_exceptions=True)
        finally:
            with contextlib.suppress(*FAILURES):
                async with asyncio.timeout(self.timeout):
                    await connection.close()
            await asyncio.gather(*running, return_exceptions=True)

    async def _deliver(
        self,
        channel: AbstractChannel,
        consumer: str,
        handler: Handler,
        keys: KeyLocks,
        incoming: AbstractIncomingMessage,
    ) -> None:
        try:
            message = message_of(incoming.headers, incoming.body)
        except (KeyError, ValueError) as error:  # not one of ours: nothing could handle it
            logger.error("event_malformed", consumer=consumer, error=one_line(error))
            with contextlib.suppress(*FAILURES):
                await incoming.reject(requeue=False)
            return
        attempt = _attempt(incoming)
        log = logger.bind(
            consumer=consumer,
            message_id=str(message.id),
            type=message.type,
            tenant_id=str(message.tenant_id) if message.tenant_id else None,
            attempt=attempt,
        )
        try:
            async with keys.hold(message.key):
                try:
                    await handler(Delivery(message, attempt))
                except Exception as error:
                    await self._retry_or_bury(channel, consumer, message, attempt, error, log)
                await incoming.ack()
        except FAILURES as error:  # the broker went away: the delivery comes back later
            log.warning("event_unacknowledged", error=one_line(error))

    async def _retry_or_bury(
        self,
        channel: AbstractChannel,
        consumer: str,
        message: Message,
        attempt: int,
        error: Exception,
        log: Any,
    ) -> None:
        """Publish the next attempt after its delay, or the dead letter after the last one."""
        async with asyncio.timeout(self.timeout):
            if attempt >= self.settings.events_max_attempts:
                last: dict[str, str | int] = {
                    ATTEMPT: attempt,
                    ERROR: one_line(error),
                    CONSUMER: consumer,
                }
                letter = _amqp(message, **last)
                await channel.default_exchange.publish(
                    letter, routing_key=self.dead_queue_name(consumer), mandatory=True
                )
                log.error("event_dead_lettered", error=one_line(error))
                signals.dead_lettered.send(consumer)
                return
            delay = retry_delay(self.settings, attempt)
            queue = await self._delay_queue(channel, consumer, delay)
            retry = _amqp(message, **{ATTEMPT: attempt + 1})
            await channel.default_exchange.publish(retry, routing_key=queue, mandatory=True)
            log.warning("event_retry", error=one_line(error), retry_in=delay)

    async def dead_letters(self, consumer: str, limit: int = 100) -> list[DeadLetter]:
        letters: list[DeadLetter] = []

        async def browse(
            channel: AbstractChannel, incoming: AbstractIncomingMessage, letter: DeadLetter
        ) -> bool:
            letters.append(letter)
            return len(letters) < limit

        await self._walk_dead(consumer, browse)
        return letters

    async def replay(self, consumer: str, ids: Sequence[UUID] | None = None) -> int:
        wanted = None if ids is None else set(ids)
        replayed = 0

        async def hand_back(
            channel: AbstractChannel, incoming: AbstractIncomingMessage, letter: DeadLetter
        ) -> bool:
            nonlocal replayed
            if wanted is not None and letter.message.id not in wanted:
                return True  # left unacknowledged: back in the queue, in place, at the end
            await channel.default_exchange.publish(
                _amqp(letter.message), routing_key=self.queue_name(consumer), mandatory=True
            )
            await incoming.ack()
            replayed += 1
            if wanted is not None:
                wanted.discard(letter.message.id)
                return bool(wanted)
            return True

        await self._walk_dead(consumer, hand_back)
        return replayed

    async def _walk_dead(
        self,
        consumer: str,
        visit: Callable[[AbstractChannel, AbstractIncomingMessage, DeadLetter], Awaitable[bool]],
    ) -> None:
        """Take the consumer's dead letters one by one until `visit` says stop or none is
        left; closing the channel returns those not acknowledged, in their order. A message
        that is not an event (no id, no type) is passed over and left in place."""

        async def walk(publishing: AbstractChannel) -> None:
            assert self._connection is not None
            async with asyncio.timeout(self.timeout):
                channel = await self._connection.channel(on_return_raises=True)
            try:
                async with asyncio.timeout(self.timeout):
                    # Passive: asking about a consumer that never ran creates nothing.
                    queue = await channel.declare_queue(
                        self.dead_queue_name(consumer), passive=True
                    )
                while True:
                    async with asyncio.timeout(self.timeout):
                        incoming = await queue.get(no_ack=False, fail=False)
                        if incoming is None:
                            return
                        try:
                            letter = _dead_letter(consumer, incoming)
                        except (KeyError, ValueError):
                            continue
                        if not await visit(channel, incoming, letter):
                            return
            except ChannelNotFoundEntity:
                return  # no such queue: no dead letters
            finally:
                with contextlib.suppress(*FAILURES):
                    async with asyncio.timeout(self.timeout):
                        await channel.close()

        await self._guarded(walk)


def _dead_letter(consumer: str, incoming: AbstractIncomingMessage) -> DeadLetter:
    error = incoming.headers.get(ERROR)
    if error is None:  # dead-lettered by RabbitMQ itself: its reason
        deaths: Any = incoming.headers.get("x-death") or [{}]
        error = f"RabbitMQ: {deaths[0].get('reason', 'dead-lettered')}"
    return DeadLetter(
        consumer=consumer,
        message=message_of(incoming.headers, incoming.body),
        attempts=_attempt(incoming),
        error=str(error),
    )


async def drop(settings: Settings, consumers: Sequence[str]) -> None:
    """Delete the prefix's exchange and the consumers' queues, retries and dead letters
    included (a test run's, or a service's being retired)."""
    broker = RabbitMQBroker(settings)
    connection = await broker._connect()
    async with connection:
        channel = await connection.channel()
        attempts = range(1, settings.events_max_attempts)
        for consumer in consumers:
            names = [broker.queue_name(consumer), broker.dead_queue_name(consumer)]
            names += [broker.delay_queue_name(consumer, retry_delay(settings, a)) for a in attempts]
            for name in names:
                await channel.queue_delete(name)
        await channel.exchange_delete(broker.exchange_name)
