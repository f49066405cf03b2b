"""The one thread that writes a store: jobs run one after the other, in the order they came, so
that nothing written to one store ever races (one writer per agency and service).

Jobs handed over ``together`` with the same function and queued while the thread was busy are
given to that function as one group (up to ``GROUP_LIMIT``): commands queued behind a commit
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
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: The most items handed to a group's function at once (a transaction's size stays moderate).
GROUP_LIMIT = 64


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


_STOP = object()


class Writer:
    """The writer thread of one store."""

    def __init__(self, name: str, group_limit: int = GROUP_LIMIT) -> None:
        self.group_limit = group_limit
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._stopped = False
        # A daemon: a process that exits without ``shutdown`` is not held up by an idle writer.
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the writer thread, after every job queued before it."""
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
        return await future

    def shutdown(self) -> None:
        """Finish the jobs queued, then end the thread."""
        if not self._stopped:
            self._stopped = True
            self._queue.put(_STOP)
        self._thread.join()

    def _work(self) -> None:
        waiting: _Job | object | None = None
        while True:
            job = waiting if waiting is not None else self._queue.get()
            waiting = None
            if not isinstance(job, _Job):
                return
            if not job.together:
                self._answer(job, self._call(job.fn, *job.args))
                continue
            group = [job]
            while len(group) < self.group_limit:
                try:
                    behind = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(behind, _Job) and behind.together and behind.fn == job.fn:
                    group.append(behind)
                else:
                    waiting = behind  # runs next, in its turn
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
