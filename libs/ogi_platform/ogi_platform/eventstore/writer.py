"""The writer of a store: jobs run one after the other, in the order they came, so that nothing
written to one store ever races (one writer per agency and service).

A writer has no thread of its own: its jobs run on the process's writer pool (a few threads,
``OGI_WRITER_THREADS``, shared by the writers of every store the process serves), one job of a
store at a time. So a process serving a thousand agencies has the same few writer threads as one
serving one. A store with a long queue gives its thread back every ``TURN_JOBS`` jobs, so no busy
store keeps the others waiting.

Jobs handed over ``together`` with the same function and queued while the store's writer was busy
are given to that function as one group (up to ``GROUP_LIMIT``): commands queued behind a commit
share the next one (group commit, ``eventstore.groupcommit``), instead of each waiting for a
transaction of its own. The function answers each item (``Failed`` for one that failed); each
caller gets its own answer once the function returned, that is once the group's transaction
committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from ogi_platform.settings import whole_setting

T = TypeVar("T")

#: The most items handed to a group's function at once (a transaction's size stays moderate).
GROUP_LIMIT = 64
#: How many jobs of one store run before its writer gives the pool's thread back.
TURN_JOBS = 16
#: The writer pool's threads when ``OGI_WRITER_THREADS`` is unset.
WRITER_THREADS = 8

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_writing = threading.local()


def in_writer() -> bool:
    """Whether this thread is running a writer's jobs now (a PostgreSQL store sends them over
    its own connection, and every other thread's over the readers': ``eventstore.pgstore``)."""
    return bool(getattr(_writing, "on", False))


def writer_pool() -> ThreadPoolExecutor:
    """The process's writer pool, made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            threads = whole_setting("OGI_WRITER_THREADS", WRITER_THREADS)
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="writer")
        return _pool


@dataclass(frozen=True)
class Failed:
    """The answer to an item of a group that failed: its caller gets ``error`` raised."""

    error: BaseException


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    #: Given to ``fn`` in a list with the items of the jobs queued behind it with the same ``fn``.
    together: bool = False


class Writer:
    """The writer of one store, on the process's writer pool."""

    def __init__(
        self,
        name: str,
        group_limit: int = GROUP_LIMIT,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self.name = name
        self.group_limit = group_limit
        self._pool = pool or writer_pool()
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        #: A job taken from the queue that did not join the group before it: it runs next.
        self._waiting: _Job | None = None
        self._lock = threading.Lock()
        self._scheduled = False
        self._idle = threading.Event()
        self._idle.set()
        self._stopped = False

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the writer, after every job queued before it."""
        result: T = await self._submit(fn, args, together=False)
        return result

    async def together(self, fn: Callable[[list[Any]], Sequence[Any]], item: Any) -> Any:
        """``item``'s answer from ``fn(items)``, which gets it with the items of the jobs queued
        behind it with the same ``fn`` (up to ``group_limit``); an answer ``Failed`` raises its
        error."""
        return await self._submit(fn, (item,), together=True)

    async def _submit(self, fn: Callable[..., Any], args: tuple[Any, ...], together: bool) -> Any:
        if self._stopped:
            raise RuntimeError("cannot schedule new jobs after the writer was shut down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put(_Job(fn, args, future, loop, together))
        with self._lock:
            if not self._scheduled:
                self._scheduled = True
                self._idle.clear()
                self._pool.submit(self._turn)
        return await future

    def shutdown(self) -> None:
        """Take no more jobs; wait for the ones queued to finish."""
        self._stopped = True
        self._idle.wait()

    def _next(self) -> _Job | None:
        if self._waiting is not None:
            job, self._waiting = self._waiting, None
            return job
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def _turn(self) -> None:
        """Run up to ``TURN_JOBS`` jobs; then end the turn if the queue is empty, else give the
        thread back and queue the next turn behind the other stores' turns."""
        _writing.on = True
        try:
            self._jobs()
        finally:
            _writing.on = False

    def _jobs(self) -> None:
        for _ in range(TURN_JOBS):
            job = self._next()
            if job is None:
                with self._lock:
                    if self._queue.empty():
                        self._scheduled = False
                        self._idle.set()
                        return
                continue
            self._work(job)
        self._pool.submit(self._turn)

    def _work(self, job: _Job) -> None:
        if not job.together:
            self._answer(job, self._call(job.fn, *job.args))
            return
        group = [job]
        while len(group) < self.group_limit:
            try:
                behind = self._queue.get_nowait()
            except queue.Empty:
                break
            if behind.together and behind.fn == job.fn:
                group.append(behind)
            else:
                self._waiting = behind  # runs next, in its turn
                break
        answers = self._call(job.fn, [member.args[0] for member in group])
        if not isinstance(answers, Failed) and len(answers) != len(group):
            answers = Failed(RuntimeError(f"{job.fn} answered {len(answers)} of {len(group)}"))
        for index, member in enumerate(group):
            self._answer(member, answers if isinstance(answers, Failed) else answers[index])

    @staticmethod
    def _call(fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except BaseException as error:  # the caller gets it, as from a thread pool
            return Failed(error)

    @staticmethod
    def _answer(job: _Job, answer: Any) -> None:
        def settle() -> None:
            if job.future.done():  # the caller gave up waiting (cancelled)
                return
            if isinstance(answer, Failed):
                job.future.set_exception(answer.error)
            else:
                job.future.set_result(answer)

        with contextlib.suppress(RuntimeError):  # the caller's event loop is closed
            job.loop.call_soon_threadsafe(settle)
