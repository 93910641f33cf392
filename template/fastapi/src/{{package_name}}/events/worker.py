"""The events' part of the worker (placeholder until the relay and the consumers land)."""

import asyncio
from typing import Any


async def run(settings: Any, stopping: asyncio.Event) -> None:
    """Wait for the worker to stop."""
    await stopping.wait()
