"""Group commit (issue 13): commands queued while a store's writer is busy share one transaction;
a command that fails is answered with its own error and the others commit; every answer comes
after the transaction holding its events committed; intake's numbers stay gapless and in the
order the submissions were queued. On the in-memory store and on SQLite.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from inmemory import APP_ID, InMemoryService

from complaint.application import ComplaintApplication
from complaint.commands import FileComplaint
from complaint.handlers import handlers as complaint_handlers
from intake.application import IntakeApplication
from intake.commands import RequestCorrection, SubmitApplication, WithdrawApplication
from intake.domain import Applicant, Application, NumberSeries, Request
from ogi_errors import InvalidInput, NotFound
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import UnitOfWork
from ogi_platform.eventstore.commands import Command, handles
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.eventstore.writer import Writer

AGENCY = load_agencies().get("municipal-office")
ON = date(2026, 11, 20)


@dataclass(frozen=True, kw_only=True)
class SubmitThenFail(SubmitApplication):
    """A submission whose handler takes a number, then fails."""


@dataclass(frozen=True, kw_only=True)
class SubmitTooLarge(SubmitApplication):
    """A submission whose event the store refuses when committing (larger than the bus takes)."""


class Intake(IntakeApplication):
    @handles(SubmitThenFail)
    def _submit_then_fail(self, uow: UnitOfWork, c: SubmitThenFail) -> Application:
        self._submit(uow, c)
        raise InvalidInput("request", "refused after taking a number")

    @handles(SubmitTooLarge)
    def _submit_too_large(self, uow: UnitOfWork, c: SubmitTooLarge) -> Application:
        return self._submit(uow, c)


def submission(n: int, kind: type[SubmitApplication] = SubmitApplication) -> SubmitApplication:
    description = "x" * 600_000 if kind is SubmitTooLarge else f"第{n}号申请的信息"
    return kind(
        actor="test",
        on=ON,
        agency=AGENCY,
        applicant=Applicant.checked("张三", "natural_person", f"1101{n:04d}", "138"),
        request=Request(description, "electronic", "online"),
    )


def number(application: Application) -> int:
    """The application's place in the agency's series of the year."""
    return int(application.application_number.rsplit("-", 1)[1])


@pytest.fixture(params=["memory", "sqlite"])
def intake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Intake]:
    if request.param == "sqlite":
        location = store_location(None, tmp_path, AGENCY.code, "intake")
        with creating(location):
            app = Intake(AGENCY.code, env=location.env)
    else:
        app = Intake(AGENCY.code)
    yield app
    app.close()


@pytest.fixture
def writer() -> Iterator[Writer]:
    writer = Writer("test-writer", group_limit=16)
    yield writer
    writer.shutdown()


def executed(
    writer: Writer, app: Intake, commands: Sequence[Command[Any]]
) -> list[Callable[[], Awaitable[Any]]]:
    """Calls executing each command as the service runtime does (``ServiceRuntime.execute``)."""
    return [functools.partial(writer.together, app.handle_all, command) for command in commands]


async def queued(writer: Writer, calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """The calls' answers (or errors), all made while the writer is kept busy, so that they
    queue behind it as requests arriving during a commit do."""
    busy = threading.Event()
    blocker = asyncio.ensure_future(writer.run(busy.wait))
    try:
        tasks = [asyncio.ensure_future(call()) for call in calls]
        await asyncio.sleep(0.05)  # every call is queued
    finally:
        busy.set()
    await blocker
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_queued_submissions_share_transactions_and_numbers_follow_the_queue(
    intake: Intake, writer: Writer
) -> None:
    commits: list[int] = []
    intake.on_commit(lambda _: commits.append(1))
    answers = await queued(writer, executed(writer, intake, [submission(n) for n in range(40)]))
    assert len(commits) == 3  # 16 + 16 + 8: at most group_limit commands per transaction
    assert [number(a) for a in answers] == list(range(1, 41))
    series = intake.find(NumberSeries.create_id(AGENCY.code, 2026), NumberSeries)
    assert series is not None and series.last == 40


async def test_a_failing_command_is_answered_alone_and_the_others_commit(
    intake: Intake, writer: Writer
) -> None:
    commands = [
        submission(1),
        submission(2),
        submission(3, SubmitThenFail),  # took number 3 before failing
        WithdrawApplication(actor="test", on=ON, application_id=APP_ID, reason="不要了"),
        submission(4),
    ]
    commits: list[int] = []
    intake.on_commit(lambda _: commits.append(1))
    answers = await queued(writer, executed(writer, intake, commands))
    assert isinstance(answers[2], InvalidInput) and "after taking a number" in str(answers[2])
    assert isinstance(answers[3], NotFound)
    assert [number(answers[i]) for i in (0, 1, 4)] == [1, 2, 3]  # no gap
    assert len(commits) == 1
    for i in (0, 1, 4):
        stored = intake.application(answers[i].application_id)
        assert stored.application_number == answers[i].application_number


async def test_a_transaction_the_store_refuses_is_retried_a_command_at_a_time(
    intake: Intake, writer: Writer
) -> None:
    commands = [submission(1), submission(2, SubmitTooLarge), submission(3)]
    answers = await queued(writer, executed(writer, intake, commands))
    assert isinstance(answers[1], InvalidInput) and "bytes" in str(answers[1])
    assert [number(answers[0]), number(answers[2])] == [1, 2]
    assert intake.handle(submission(4)).application_number.endswith("-00003")


async def test_each_answer_comes_after_its_transaction_committed(
    intake: Intake, writer: Writer
) -> None:
    commits: list[int] = []
    intake.on_commit(lambda _: commits.append(1))

    async def submit(n: int) -> tuple[int, int]:
        """The application's number, and how many transactions had committed when answered."""
        application: Application = await writer.together(intake.handle_all, submission(n))
        committed = len(commits)
        seen = await asyncio.to_thread(intake.last_activity, application.application_id)
        assert seen is not None, "answered before its events were stored"
        return number(application), committed

    answers = await queued(writer, [functools.partial(submit, n) for n in range(20)])
    # Numbers 1-16 were committed by the first transaction, 17-20 by the second.
    assert all(committed >= (1 if n <= 16 else 2) for n, committed in answers)
    assert len(commits) == 2


async def test_each_answer_shows_what_its_own_command_made(intake: Intake, writer: Writer) -> None:
    application_id = intake.handle(submission(1)).application_id
    correction = RequestCorrection(
        actor="test", on=ON, application_id=application_id, items=("身份证明",), period_days=15
    )
    withdrawal = WithdrawApplication(actor="test", on=ON, application_id=application_id, reason="")
    answers = await queued(
        writer,
        executed(writer, intake, [correction, withdrawal]),
    )
    assert [a.state for a in answers] == ["awaiting_correction", "withdrawn"]
    assert answers[1].correction["items"] == ["身份证明"]  # the second saw the first's change
    assert intake.application(application_id).state == "withdrawn"


def test_a_command_that_fails_after_changing_an_aggregate_leaves_nothing_behind(
    intake: Intake,
) -> None:
    """Alone too: the repository's cache hands out copies, so the number the failed command
    took is not taken for the next one."""
    assert number(intake.handle(submission(1))) == 1
    with pytest.raises(InvalidInput):
        intake.handle(submission(2, SubmitThenFail))
    assert number(intake.handle(submission(3))) == 2
    [failed] = intake.handle_all([submission(4, SubmitThenFail)])
    assert number(intake.handle(submission(5))) == 3
    assert "after taking a number" in str(failed.error)


def test_complaints_filed_together_are_numbered_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    bureau = InMemoryService(
        ComplaintApplication, complaint_handlers, monkeypatch, "supervision-bureau"
    )
    bureau.hear("ApplicationAccepted", "intake", "2026-09-28", agency="archives-bureau",
                application={"application_number": "DAJ-2026-00001",
                             "received_on": "2026-09-28"})  # fmt: skip
    filed = [
        FileComplaint(actor="complainant:李四", on=ON, application_id=APP_ID,
                      against_agency=None, ground="overdue", text=f"第{n}次投诉",
                      complainant="李四")
        for n in (1, 2)
    ]  # fmt: skip
    answers = bureau.app.handle_all(filed)
    assert [a.complaint_id for a in answers] == [f"{APP_ID}-C1", f"{APP_ID}-C2"]
    assert [c.text for c in bureau.app.complaints_about(APP_ID)] == ["第1次投诉", "第2次投诉"]
    bureau.app.close()


def test_a_second_aggregate_of_the_same_id_is_refused(intake: Intake) -> None:
    uow = intake.unit_of_work()
    application = intake.handle(submission(1))
    uow.add(application)
    uow.add(application)  # the same one again: nothing changes
    with pytest.raises(RuntimeError, match="already held"):
        uow.add(intake.application(application.application_id))


async def test_jobs_run_in_the_order_they_came(writer: Writer) -> None:
    ran: list[object] = []

    def group(items: list[str]) -> list[str]:
        ran.append(list(items))
        return [item.upper() for item in items]

    calls: list[Callable[[], Awaitable[Any]]] = [
        functools.partial(writer.together, group, "a"),
        functools.partial(writer.together, group, "b"),
        functools.partial(writer.run, ran.append, "alone"),
        functools.partial(writer.together, group, "c"),
    ]
    answers = await queued(writer, calls)
    assert ran == [["a", "b"], "alone", ["c"]]
    assert answers == ["A", "B", None, "C"]


async def test_the_writer_finishes_what_was_queued_and_then_takes_nothing() -> None:
    writer = Writer("test-writer-alone")
    done: list[int] = []
    busy = threading.Event()
    first = asyncio.ensure_future(writer.run(busy.wait))
    jobs = [asyncio.ensure_future(writer.run(done.append, n)) for n in range(3)]
    await asyncio.sleep(0.05)
    busy.set()
    await asyncio.gather(first, *jobs)
    writer.shutdown()
    assert done == [0, 1, 2]
    with pytest.raises(RuntimeError, match="shut down"):
        await writer.run(done.append, 3)
