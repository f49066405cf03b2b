"""Stopping a service ends its loops even when one lost a cancellation (Python 3.11's
``asyncio.wait_for`` returns what it awaited when that completes as the cancellation arrives;
the relay awaits its acks so): found while measuring group commit (bench/intake_bench.py's
runtime now and then never stopped)."""

from __future__ import annotations

import asyncio
import contextlib

from ogi_platform.service.runtime import cancelled


async def test_a_loop_that_lost_a_cancellation_is_cancelled_again() -> None:
    async def stubborn() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # lost, as wait_for may lose it
            await asyncio.sleep(10)
        await asyncio.sleep(10)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait_for(cancelled(task), 5)
    assert task.done()
