"""NATS JetStream (nats-py): a stream of events, a durable pull consumer per consumer, a stream
of dead letters.

    <PREFIX>_EVENTS     stream over `<prefix>.events.>`; a message's subject ends with its type.
                        Interest retention: a message stays until every consumer acknowledged it
    <consumer>          a durable pull consumer of it, explicit acknowledgement
    <PREFIX>_DEAD       stream over `<prefix>.dead.>`: dead letters, `<prefix>.dead.<consumer>`

Publishes carry the message id as `Nats-Msg-Id`, so the stream drops a copy the relay sends
again within its duplicate window, and each waits for the stream's acknowledgement. A failed
delivery is negatively acknowledged with the retry delay and comes back with its delivery count
as the attempt; after the last one the dead letter is stored before the delivery is acknowledged.
"""

import asyncio
import contextlib
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from uuid import UUID

import nats
import nats.errors
import nats.js.errors
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RawStreamMsg, RetentionPolicy, StreamConfig

from ... import signals
from ..broker import Broker, BrokerUnavailable, DeadLetter, Delivery, Handler, Message
from ..settings import Settings
from . import (
    ATTEMPT,
    CONSUMER,
    ERROR,
    PREFETCH,
    REPLAY_FOR,
    KeyLocks,
    headers_of,
    message_of,
    one_line,
    retry_delay,
)

logger = structlog.get_logger("events")

FAILURES = (nats.errors.Error, OSError, TimeoutError)
RECONNECT_SECONDS = 1.0  # between a lost connection and the next try, doubling up to a minute
FETCH_SECONDS = 1.0  # a fetch waits this long for messages: how quickly a stop is noticed


def adapter(settings: Settings) -> Broker:
    """The adapter `open_broker` hands out (typed as the port, so mypy checks it is one)."""
    return JetStreamBroker(settings)


def _subject_pattern(prefix: str, type_: str) -> str:
    """A type pattern ("project.*", "project.#") as a subject filter."""
    return f"{prefix}.events." + ".".join(">" if t == "#" else t for t in type_.split("."))


def _matches(pattern: str, subject: str) -> bool:
    wanted, parts = pattern.split("."), subject.split(".")
    for index, part in enumerate(wanted):
        if part == ">":
            return len(parts) > index
        if index >= len(parts) or part not in ("*", parts[index]):
            return False
    return len(parts) == len(wanted)


class JetStreamBroker:
    """The port over one connection for publishing; each `consume` opens its own.

    `consume` reconnects by itself after a lost connection; `publish` raises `BrokerUnavailable`
    and connects again on the next call.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.broker_url.unicode_string()
        self.timeout = settings.broker_timeout_seconds
        self.prefix = settings.events_prefix
        self.stream = f"{self.prefix.upper()}_EVENTS"
        self.dead_stream = f"{self.prefix.upper()}_DEAD"
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> "JetStreamBroker":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._close()

    def subject(self, type_: str) -> str:
        return f"{self.prefix}.events.{type_}"

    def dead_subject(self, consumer: str) -> str:
        return f"{self.prefix}.dead.{consumer}"

    async def _connect(self) -> tuple[Client, JetStreamContext]:
        """A connection that never reconnects by itself: its owner does, so a cut surfaces."""
        async with asyncio.timeout(self.timeout):
            client = await nats.connect(
                self.url,
                connect_timeout=self.timeout,
                allow_reconnect=False,
                ping_interval=max(1, round(self.timeout)),
                max_outstanding_pings=2,
                error_cb=_quiet,
            )
        js = client.jetstream(timeout=self.timeout)
        try:
            await self._ensure_streams(js)
        except BaseException:
            await _close(client, self.timeout)
            raise
        return client, js

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        streams = (
            StreamConfig(
                name=self.stream,
                subjects=[f"{self.prefix}.events.>"],
                retention=RetentionPolicy.INTEREST,
            ),
            StreamConfig(name=self.dead_stream, subjects=[f"{self.prefix}.dead.>"]),
        )
        for config in streams:
            assert config.name is not None
            try:
                await js.stream_info(config.name)
            except nats.js.errors.NotFoundError:
                await js.add_stream(config)

    async def _open(self) -> JetStreamContext:
        if self._client is not None and self._client.is_connected and self._js is not None:
            return self._js
        await self._close()
        try:
            self._client, self._js = await self._connect()
        except FAILURES as error:
            raise BrokerUnavailable(f"NATS does not answer: {one_line(error)}") from error
        return self._js

    async def _close(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None:
            await _close(client, self.timeout)

    async def _guarded(self, operation: Any) -> Any:
        """Run `operation(js)`; a failure closes the connection and is raised as
        `BrokerUnavailable`."""
        async with self._lock:
            js = await self._open()
            try:
                async with asyncio.timeout(self.timeout * 3):
                    return await operation(js)
            except FAILURES as error:
                await self._close()
                raise BrokerUnavailable(f"NATS failed: {one_line(error)}") from error

    async def _ensure_consumer(
        self, js: JetStreamContext, consumer: str, types: Sequence[str]
    ) -> None:
        # One type is a filter on the server; several are filtered here (NATS 2.9 has one filter).
        only = _subject_pattern(self.prefix, types[0]) if len(types) == 1 else None
        config = ConsumerConfig(
            durable_name=consumer,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.settings.events_ack_wait_seconds,
            max_ack_pending=1000,
            filter_subject=only,
        )
        try:
            info = await js.consumer_info(self.stream, consumer)
        except nats.js.errors.NotFoundError:
            await js.add_consumer(self.stream, config)
            return
        if info.config.filter_subject != only:  # NATS 2.9 cannot change it in place
            logger.warning(
                "consumer_types_changed",
                consumer=consumer,
                filtering=info.config.filter_subject,
                wanted=only,
                fix="delete the durable consumer once it is drained; it is created again",
            )

    async def declare(self, consumer: str, types: Sequence[str]) -> None:
        await self._guarded(lambda js: self._ensure_consumer(js, consumer, types))

    async def publish(self, messages: Sequence[Message]) -> None:
        async def send(js: JetStreamContext) -> None:
            for message in messages:  # one at a time: each stored before the next goes
                await js.publish(
                    self.subject(message.type),
                    message.body,
                    timeout=self.timeout,
                    stream=self.stream,
                    headers={**headers_of(message), "Nats-Msg-Id": str(message.id)},
                )

        await self._guarded(send)

    async def ping(self) -> bool:
        async def flush(js: JetStreamContext) -> None:
            assert self._client is not None
            await self._client.flush(timeout=max(1, round(self.timeout)))

        try:
            await self._guarded(flush)
        except BrokerUnavailable:
            return False
        return True

    async def consume(
        self, consumer: str, types: Sequence[str], handler: Handler, stopping: asyncio.Event
    ) -> None:
        """Consume until `stopping` is set, reconnecting (with a growing pause) when the
        connection is lost; deliveries under way then come again after the ack wait."""
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
        client, js = await self._connect()
        running: set[asyncio.Task[None]] = set()
        patterns = [_subject_pattern(self.prefix, type_) for type_ in types]
        keys = KeyLocks()
        try:
            async with asyncio.timeout(self.timeout):
                await self._ensure_consumer(js, consumer, types)
                subscription = await js.pull_subscribe_bind(durable=consumer, stream=self.stream)
            while not stopping.is_set():
                if len(running) >= PREFETCH:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    batch = await subscription.fetch(PREFETCH - len(running), FETCH_SECONDS)
                except nats.errors.TimeoutError:
                    if not client.is_connected:
                        raise ConnectionError("the connection to NATS was closed") from None
                    continue
                for msg in batch:
                    task = asyncio.create_task(
                        self._deliver(js, consumer, patterns, handler, keys, msg)
                    )
                    running.add(task)
                    task.add_done_callback(running.discard)
            # Deliveries under way finish and are acknowledged before the connection closes.
            await asyncio.gather(*running, return_exceptions=True)
        finally:
            await asyncio.gather(*running, return_exceptions=True)
            await _close(client, self.timeout)

    async def _deliver(
        self,
        js: JetStreamContext,
        consumer: str,
        patterns: Sequence[str],
        handler: Handler,
        keys: KeyLocks,
        msg: Msg,
    ) -> None:
        headers = msg.headers or {}
        replay_for = headers.get(REPLAY_FOR)
        try:
            if (replay_for and replay_for != consumer) or not any(
                _matches(pattern, msg.subject) for pattern in patterns
            ):
                await msg.ack()  # another consumer's replay, or a type it did not ask for
                return
            message = message_of(headers, msg.data)
        except (KeyError, ValueError) as error:  # not one of ours: nothing could handle it
            logger.error("event_malformed", consumer=consumer, error=one_line(error))
            with contextlib.suppress(*FAILURES):
                await msg.term()
            return
        attempt = msg.metadata.num_delivered
        log = logger.bind(
            consumer=consumer,
            message_id=str(message.id),
            type=message.type,
            tenant_id=str(message.tenant_id) if message.tenant_id else None,
            attempt=attempt,
        )
        try:
            async with keys.hold(message.key):
                ack_wait = self.settings.events_ack_wait_seconds
                working = asyncio.create_task(_keep_in_progress(msg, ack_wait))
                try:
                    await handler(Delivery(message, attempt))
                except Exception as error:
                    working.cancel()
                    await self._retry_or_bury(js, consumer, msg, message, attempt, error, log)
                    return
                finally:
                    working.cancel()
                await msg.ack()
        except FAILURES as error:  # the broker went away: the delivery comes back later
            log.warning("event_unacknowledged", error=one_line(error))

    async def _retry_or_bury(
        self,
        js: JetStreamContext,
        consumer: str,
        msg: Msg,
        message: Message,
        attempt: int,
        error: Exception,
        log: Any,
    ) -> None:
        """Ask for the delivery again after its delay, or store the dead letter after the last
        attempt and then acknowledge the delivery."""
        if attempt < self.settings.events_max_attempts:
            delay = retry_delay(self.settings, attempt)
            await msg.nak(delay=delay)
            log.warning("event_retry", error=one_line(error), retry_in=delay)
            return
        headers = {
            **headers_of(message),
            ATTEMPT: str(attempt),
            ERROR: one_line(error),
            CONSUMER: consumer,
            # Stored once even if the acknowledgement below is lost and this runs again.
            "Nats-Msg-Id": f"{message.id}:dead:{consumer}:{msg.metadata.sequence.stream}",
        }
        await js.publish(
            self.dead_subject(consumer),
            message.body,
            timeout=self.timeout,
            stream=self.dead_stream,
            headers=headers,
        )
        await msg.ack()
        log.error("event_dead_lettered", error=one_line(error))
        signals.dead_lettered.send(consumer)

    async def _dead(self, js: JetStreamContext, consumer: str) -> list[RawStreamMsg]:
        """The consumer's dead letters as stored, oldest first."""
        found: list[RawStreamMsg] = []
        sequence = 1
        while True:
            try:
                raw = await js.get_msg(
                    self.dead_stream, seq=sequence, subject=self.dead_subject(consumer), next=True
                )
            except nats.js.errors.NotFoundError:
                return found
            found.append(raw)
            sequence = (raw.seq or sequence) + 1

    async def dead_letters(self, consumer: str, limit: int = 100) -> list[DeadLetter]:
        async def read(js: JetStreamContext) -> list[DeadLetter]:
            return [_dead_letter(consumer, raw) for raw in (await self._dead(js, consumer))[:limit]]

        letters: list[DeadLetter] = await self._guarded(read)
        return letters

    async def replay(self, consumer: str, ids: Sequence[UUID] | None = None) -> int:
        wanted = None if ids is None else set(ids)

        async def hand_back(js: JetStreamContext) -> int:
            replayed = 0
            for raw in await self._dead(js, consumer):
                letter = _dead_letter(consumer, raw)
                if wanted is not None and letter.message.id not in wanted:
                    continue
                headers = {
                    **headers_of(letter.message),
                    REPLAY_FOR: consumer,
                    "Nats-Msg-Id": f"{letter.message.id}:replay:{raw.seq}",
                }
                await js.publish(
                    self.subject(letter.message.type),
                    letter.message.body,
                    timeout=self.timeout,
                    stream=self.stream,
                    headers=headers,
                )
                assert raw.seq is not None
                await js.delete_msg(self.dead_stream, raw.seq)
                replayed += 1
            return replayed

        count: int = await self._guarded(hand_back)
        return count


async def _keep_in_progress(msg: Msg, ack_wait: float) -> None:
    """Tell the server the delivery is still being handled, every third of the acknowledgement
    wait, so it does not hand it out again."""
    with contextlib.suppress(*FAILURES):
        while True:
            await asyncio.sleep(ack_wait / 3)
            await msg.in_progress()


async def _quiet(error: Exception) -> None:
    """nats-py reports connection errors here too; the callers see and log them."""


async def _close(client: Client, seconds: float) -> None:
    with contextlib.suppress(*FAILURES):
        async with asyncio.timeout(seconds):
            await client.close()


def _dead_letter(consumer: str, raw: RawStreamMsg) -> DeadLetter:
    headers = raw.headers or {}
    return DeadLetter(
        consumer=consumer,
        message=message_of(headers, raw.data or b""),
        attempts=int(headers.get(ATTEMPT, 1)),
        error=str(headers.get(ERROR, "")),
    )


async def drop(settings: Settings, consumers: Sequence[str]) -> None:
    """Delete the prefix's streams, their consumers with them (a test run's, or a service's
    being retired)."""
    broker = JetStreamBroker(settings)
    client, js = await broker._connect()
    try:
        for stream in (broker.stream, broker.dead_stream):
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await js.delete_stream(stream)
    finally:
        await _close(client, broker.timeout)
