"""Stores' writers on the process's writer pool (eventstore.writer): a job of a store at a time,
in order, on a bounded number of threads whatever the number of stores."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from ogi_platform.eventstore.writer import TURN_JOBS, Writer


async def test_a_thousand_stores_share_a_few_threads_and_keep_their_order() -> None:
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="test-writer")
    writers = [Writer(f"store-{n}", pool=pool) for n in range(1000)]
    done: dict[int, list[int]] = defaultdict(list)
    running: set[int] = set()
    overlaps: list[int] = []
    threads: set[str] = set()
    guard = threading.Lock()

    def job(store: int, step: int) -> int:
        with guard:
            if store in running:
                overlaps.append(store)
            running.add(store)
            threads.add(threading.current_thread().name)
        time.sleep(0.0001)
        with guard:
            running.discard(store)
            done[store].append(step)
        return step

    answers = await asyncio.gather(
        *(writers[n].run(job, n, step) for step in range(5) for n in range(1000))
    )
    assert answers == [step for step in range(5) for _ in range(1000)]
    assert all(done[n] == [0, 1, 2, 3, 4] for n in range(1000))
    assert overlaps == [], "two jobs of one store ran at once"
    assert len(threads) <= 3
    for writer in writers:
        writer.shutdown()
    pool.shutdown()


async def test_a_busy_store_gives_the_thread_back_to_the_others() -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    busy, quiet = Writer("busy", pool=pool), Writer("quiet", pool=pool)
    order: list[str] = []
    blocker = threading.Event()

    def step(name: str) -> None:
        blocker.wait(5)
        order.append(name)

    many = [busy.run(step, "busy") for _ in range(TURN_JOBS * 3)]
    tasks = [asyncio.ensure_future(call) for call in many]
    await asyncio.sleep(0.01)
    one = asyncio.ensure_future(quiet.run(step, "quiet"))
    await asyncio.sleep(0.01)
    blocker.set()
    await asyncio.gather(*tasks, one)
    assert order.index("quiet") <= TURN_JOBS, "the quiet store waited for all the busy one's jobs"
    busy.shutdown()
    quiet.shutdown()
    pool.shutdown()


async def test_shutdown_finishes_what_was_queued_and_refuses_more() -> None:
    writer = Writer("closing", pool=ThreadPoolExecutor(max_workers=2))
    finished: list[int] = []
    queued = [asyncio.ensure_future(writer.run(finished.append, n)) for n in range(50)]
    await asyncio.sleep(0)
    await asyncio.to_thread(writer.shutdown)
    await asyncio.gather(*queued)
    assert finished == list(range(50))
    with pytest.raises(RuntimeError, match="shut down"):
        await writer.run(finished.append, 99)
