"""Counting to the API's rate limit within one window."""

import asyncio
import time

MARGIN_SECONDS = 5.0


async def within_one_minute() -> None:
    """Return when the current minute has MARGIN_SECONDS left, waiting for the next one if not.

    The API's counter is a sliding window counter: at a minute's edge it weighs the requests of
    the minute before a little less than one each, so a test that counts to a `N/minute` limit
    across the edge would see one request more allowed.
    """
    left = 60 - time.time() % 60
    if left < MARGIN_SECONDS:
        await asyncio.sleep(left)
