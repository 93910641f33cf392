"""The events' share of the worker process: the relay and the consumers, side by side."""

import asyncio

from ..settings import Settings
from . import consumers
from .brokers import open_broker
from .relay import relay


async def run(settings: Settings, stopping: asyncio.Event) -> None:
    """Relay the outbox and run the consumers until `stopping` is set; each finishes the work
    in hand before returning."""
    async with open_broker(settings) as broker:
        await consumers.declare(broker)  # their queues take events before they first consume
        await asyncio.gather(
            relay(settings, stopping, broker), consumers.consume(settings, stopping, broker)
        )
