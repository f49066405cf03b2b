"""The peer the end-to-end figure is set beside (issue 13): the eventsourcing library's own
``System`` of the same four stages, run in one process by its ``MultiThreadedRunner``.

intake -> routing -> review -> reply, each a ``ProcessApplication`` with a small aggregate; each
follower's policy creates its own stage's aggregate for every one the stage before it created,
recorded with the tracking of the upstream notification in one transaction, as the library
does. ``IN_FLIGHT`` threads submit to intake (a transaction each); the figure is applications/s
from the first submission until reply holds them all.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, event
from eventsourcing.system import MultiThreadedRunner, ProcessApplication, System
from running import PhaseTimeout
from submitting import IN_FLIGHT

OFFICE = "政府信息公开办公室"


class Case(Aggregate):
    class Submitted(Aggregate.Created):
        application_id: str
        agency: str
        applicant: str
        description: str

    @event(Submitted)
    def __init__(self, application_id: str, agency: str, applicant: str, description: str):
        self.application_id = application_id
        self.agency = agency
        self.applicant = applicant
        self.description = description


class Assignment(Aggregate):
    class Assigned(Aggregate.Created):
        application_id: str
        office: str

    @event(Assigned)
    def __init__(self, application_id: str, office: str):
        self.application_id = application_id
        self.office = office


class Review(Aggregate):
    class Opened(Aggregate.Created):
        application_id: str
        office: str

    @event(Opened)
    def __init__(self, application_id: str, office: str):
        self.application_id = application_id
        self.office = office
        self.state = "open"


class Reply(Aggregate):
    @event("Expected")
    def __init__(self, application_id: str):
        self.application_id = application_id
        self.state = "awaiting_decision"


class IntakeStage(ProcessApplication[Any]):
    name = "intake"

    def submit(self, n: int, agency: str) -> None:
        self.save(Case(f"A{n:012d}", agency, "张三", "城市更新项目批复文件"))


class RoutingStage(ProcessApplication[Any]):
    name = "routing"

    def policy(
        self, domain_event: DomainEventProtocol[Any], processing_event: ProcessingEvent[Any]
    ) -> None:
        if isinstance(domain_event, Case.Submitted):
            processing_event.collect_events(Assignment(domain_event.application_id, OFFICE))


class ReviewStage(ProcessApplication[Any]):
    name = "review"

    def policy(
        self, domain_event: DomainEventProtocol[Any], processing_event: ProcessingEvent[Any]
    ) -> None:
        if isinstance(domain_event, Assignment.Assigned):
            opened = Review(domain_event.application_id, domain_event.office)
            processing_event.collect_events(opened)


class ReplyStage(ProcessApplication[Any]):
    name = "reply"

    def policy(
        self, domain_event: DomainEventProtocol[Any], processing_event: ProcessingEvent[Any]
    ) -> None:
        if isinstance(domain_event, Review.Opened):
            processing_event.collect_events(Reply(domain_event.application_id))


PIPELINE = System(pipes=[[IntakeStage, RoutingStage, ReviewStage, ReplyStage]])


def persistence(database_url: str | None, folder: Path) -> dict[str, str]:
    """The runner's environment: a table per stage in the database, or a SQLite file each."""
    if database_url is None:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_LOCK_TIMEOUT": "30"}
        folder.mkdir(parents=True, exist_ok=True)
        for stage in PIPELINE.nodes:
            env[f"{stage.upper()}_SQLITE_DBNAME"] = str(folder / f"{stage}.sqlite")
        return env
    url = urlparse(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
    }


def peer_rate(
    database_url: str | None, folder: Path, n: int, agencies: list[str], timeout: float
) -> float:
    """Applications/s through the four stages: ``n`` submitted to intake by ``IN_FLIGHT``
    threads, until reply has created its ``n`` aggregates."""
    runner: MultiThreadedRunner[Any] = MultiThreadedRunner(
        PIPELINE, env=persistence(database_url, folder)
    )
    runner.start()
    try:
        intake, reply = runner.get(IntakeStage), runner.get(ReplyStage)
        started = time.perf_counter()
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            list(pool.map(lambda i: intake.submit(i, agencies[i % len(agencies)]), range(n)))
        deadline = time.monotonic() + timeout
        while (reply.recorder.max_notification_id() or 0) < n:
            if runner.has_errored.is_set():
                runner.reraise_thread_errors()
            if time.monotonic() > deadline:
                raise PhaseTimeout(f"peer: reply has not all {n} after {timeout:.0f} s")
            time.sleep(0.01)
        return n / (time.perf_counter() - started)
    finally:
        runner.stop()
