"""Rebuilding the annual report's read model from the stores of one agency.

The stores are filled in bulk with the stored events a year of applications leaves in intake,
review and reply (ten per application, as the services record them: receipt, number,
acceptance, review opened, confidentiality, decision, deadline, due date, letter, delivery),
then the read model is dropped and rebuilt, and the 2026 table is computed and checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from intake.application import IntakeApplication
from ogi_law.rules import APPLICANT_TYPES, EXEMPTION_GROUNDS, OUTCOMES
from ogi_platform.eventstore.application import OgiApplication
from reply.annual_readmodel import AnnualReadModel
from reply.application import ReplyApplication
from review.application import ReviewApplication

BATCH = 5000
OUTCOME_CODES = list(OUTCOMES)
GROUNDS = list(EXEMPTION_GROUNDS)
TYPES = list(APPLICANT_TYPES)

# (service, topic, payload) of the events one application leaves, in order.
Event = tuple[str, str, dict[str, Any]]


def events_of(number: int, agency: str) -> Iterator[tuple[Any, Event]]:
    application_id = f"A{number:012d}"
    received = date(2025, 12, 1) + timedelta(days=number % 390)
    decided = received + timedelta(days=15)
    outcome = OUTCOME_CODES[number % len(OUTCOME_CODES)]
    grounds = [GROUNDS[number % len(GROUNDS)]] if OUTCOMES[outcome].needs_grounds else []
    meta = {"application_id": application_id, "occurred_on": received.isoformat(),
            "actor": "bench", "causation_id": "", "correlation_id": "",
            "to_agency": ""}  # fmt: skip
    later = meta | {"occurred_on": decided.isoformat()}
    ids = {service: uuid4() for service in ("intake", "review", "reply", "deadline")}
    applicant = {"name": "x", "type": TYPES[number % len(TYPES)], "id_doc": "x", "contact": "x"}
    yield ids["intake"], ("intake", "intake.domain:Application.ApplicationReceived",
                          {"application_id": application_id, "agency": agency,
                           "applicant": applicant, "received_on": received.isoformat(),
                           "meta": meta})  # fmt: skip
    yield ids["intake"], ("intake", "intake.domain:Application.ApplicationNumberIssued",
                          {"number": f"N{number}", "meta": meta})  # fmt: skip
    yield ids["intake"], ("intake", "intake.domain:Application.ApplicationAccepted",
                          {"meta": meta})  # fmt: skip
    yield ids["review"], ("review", "review.domain:Review.ReviewOpened", {"meta": meta})
    yield ids["review"], ("review", "review.domain:Review.ConfidentialityReviewed",
                          {"result": "cleared", "note": "", "meta": later})  # fmt: skip
    if number % 10:  # one in ten is still open
        yield ids["review"], ("review", "review.domain:Review.DecisionMade",
                              {"outcome": outcome, "grounds": grounds, "meta": later})  # fmt: skip
    yield ids["deadline"], ("reply", "reply.deadline:Deadline.DeadlineOpened", {"meta": meta})
    yield ids["deadline"], ("reply", "reply.deadline:Deadline.DueDateChanged", {"meta": meta})
    yield ids["reply"], ("reply", "reply.domain:Reply.ReplyIssued", {"meta": later})
    yield ids["reply"], ("reply", "reply.domain:Reply.ReplyDelivered", {"meta": later})


def fill(stores: dict[str, OgiApplication], n: int, agency: str) -> int:
    pending: dict[str, list[StoredEvent]] = {service: [] for service in stores}
    versions: dict[Any, int] = {}
    written = 0

    def flush(service: str) -> None:
        nonlocal written
        stores[service].recorder.insert_events(pending[service])
        written += len(pending[service])
        pending[service] = []

    for number in range(n):
        for originator, (service, topic, payload) in events_of(number, agency):
            version = versions[originator] = versions.get(originator, 0) + 1
            state = stores[service].mapper.transcoder.encode(payload)
            pending[service].append(StoredEvent(originator, version, topic, state))
            if len(pending[service]) >= BATCH:
                flush(service)
        versions.clear()
    for service in stores:
        flush(service)
    return written


def bench_annual_rebuild(
    make_app: Callable[[type[OgiApplication]], OgiApplication], n: int
) -> None:
    stores = {
        "intake": make_app(IntakeApplication),
        "review": make_app(ReviewApplication),
        "reply": make_app(ReplyApplication),
    }
    agency = stores["intake"].agency
    started = time.perf_counter()
    written = fill(stores, n, agency)
    print(f"  {'annual report: stores filled in bulk (events)':<58} "
          f"{written / (time.perf_counter() - started):>9,.0f} /s  ({written} events)")  # fmt: skip
    model = AnnualReadModel(agency, stores)
    model.refresh()
    started = time.perf_counter()
    model.rebuild()
    table = model.table(2026)
    seconds = time.perf_counter() - started
    counted = table.cell("received", "total") + table.cell("carried_in", "total")
    print(f"  {'annual report: read model rebuilt + 2026 table (applications)':<58} "
          f"{n / seconds:>9,.0f} /s  ({n} applications, {written} events in {seconds:.2f} s; "
          f"2026: {counted} counted)")  # fmt: skip
