"""The QueryService: lists, lookup and search from the read model, as each caller may read them
(``query.access``); the days left counted from today's legal date in China."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from ogi.v1 import query_pb2, query_pb2_grpc

from ogi_errors import InvalidInput, NotFound
from ogi_law.agencies import AgencyRegistry
from ogi_platform.rpc import auth
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import ServiceRuntime
from ogi_platform.today import today_in_china
from query import reads
from query.access import (
    MIN_ID_DOC_TAIL,
    Reader,
    bureau_reader,
    finder,
    may_find,
    reader,
    tail_matches,
)
from query.catchup import CATCH_UP_SECONDS, caught_up, rebuild
from query.paging import key_of, numbers_of, page_size, token_of
from query.reads import (
    COMPLAINTS,
    CONSULTATIONS,
    OVERDUE_REPORTS,
    ApplicationFilter,
    Page,
    Resume,
)
from query.requests import application_filter, complaint_states, optional_date, sort_of
from query.views import (
    agency_figures,
    application_summary,
    complaint_case,
    consultation_summary,
    overdue_report,
)
from query.words import query_words

T = TypeVar("T")


def _next(page: Page) -> str:
    return token_of(page.last) if page.last else ""


class QueryServicer(query_pb2_grpc.QueryServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime
        self.rebuilding: dict[str, asyncio.Lock] = {}

    async def _read(self, at: Reader, query: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(at.app.read, query, *args)

    async def _fresh(self, at: Reader, up_to_date: bool) -> None:
        if up_to_date:
            await caught_up(self.runtime, at.unit, CATCH_UP_SECONDS)

    @handles_domain_errors
    async def ListApplications(
        self, request: query_pb2.ListApplicationsRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.ListApplicationsResponse:
        at = reader(self.runtime, request.agency)
        today = today_in_china()
        size, order = page_size(request.page_size), sort_of(request.sort)
        after = key_of(request.page_token, order)
        wanted = application_filter(request, at.agencies, today, at.app.calendars)
        await self._fresh(at, request.up_to_date)
        page = await self._read(at, reads.applications, wanted, order, size, after)
        return query_pb2.ListApplicationsResponse(
            applications=[application_summary(r, today, at.app.calendars) for r in page.rows],
            total=page.total,
            next_page_token=_next(page),
            today=today.isoformat(),
        )

    @handles_domain_errors
    async def FindApplication(
        self, request: query_pb2.FindApplicationRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.FindApplicationResponse:
        """The number's prefix names the agency that gave it (``number_prefix``); a caller who
        may not read that agency's lists is told it is not found, as for an absent number, and
        so is the portal unless the applicant's identity document ends in the characters it
        gave (``access.may_find``); the portal is not told the document."""
        number = request.number.strip()
        if not number:
            raise InvalidInput("number", "is required (e.g. SZFB-2026-00001)")
        tail, portal = request.applicant_id_doc_tail.strip(), auth.caller().role == "portal"
        if portal and len(tail) < MIN_ID_DOC_TAIL:
            raise InvalidInput(
                "applicant_id_doc_tail",
                f"the last {MIN_ID_DOC_TAIL} characters or more of the applicant's identity "
                "document are required",
            )
        absent = NotFound(f"application number {number} not found")
        giver = next(
            (
                a
                for a in self.runtime.registry.all()
                if number.upper().startswith(f"{a.number_prefix.upper()}-")
            ),
            None,
        )
        if giver is None or not may_find(self.runtime, giver.code):
            raise absent
        agency, number = giver.code, giver.number_prefix + number[len(giver.number_prefix) :]
        at = finder(self.runtime, agency)
        await self._fresh(at, request.up_to_date)
        wanted = ApplicationFilter(agencies=at.agencies, states=(), number=number)
        page = await self._read(at, reads.applications, wanted, sort_of(""), 1, None)
        today = today_in_china()
        found = [application_summary(row, today, at.app.calendars) for row in page.rows]
        if not found or (tail and not tail_matches(found[0].applicant_id_doc, tail)):
            raise absent
        if portal:  # it proved the end of the document it gave, no more
            found[0].ClearField("applicant_id_doc")
        return query_pb2.FindApplicationResponse(application=found[0], today=today.isoformat())

    @handles_domain_errors
    async def SearchApplications(
        self, request: query_pb2.SearchApplicationsRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.SearchApplicationsResponse:
        words = tuple(query_words(request.words))
        if not words:
            raise InvalidInput("words", "holds no word to look for")
        at = reader(self.runtime, request.agency)
        size, resume = page_size(request.page_size), numbers_of(request.page_token, 2)
        await self._fresh(at, request.up_to_date)
        agency = at.agencies[0] if at.agencies else ""
        page = await self._read(
            at, reads.search, words, agency, size, Resume(*resume) if resume else None
        )
        today = today_in_china()
        return query_pb2.SearchApplicationsResponse(
            applications=[application_summary(r, today, at.app.calendars) for r in page.rows],
            total=min(page.total, reads.COUNT_CAP),
            more_than_total=page.total > reads.COUNT_CAP,
            next_page_token=_next(page),
            today=today.isoformat(),
            searched=words,
        )

    @handles_domain_errors
    async def ListConsultations(
        self, request: query_pb2.ListConsultationsRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.ListConsultationsResponse:
        at = reader(self.runtime, request.agency)
        if not at.agencies:
            raise InvalidInput("agency", "name the agency consulted")
        size, after = page_size(request.page_size), key_of(request.page_token, CONSULTATIONS)
        page = await self._read(
            at, reads.consultations, at.agencies[0], request.open_only, size, after
        )
        today = today_in_china()
        return query_pb2.ListConsultationsResponse(
            consultations=[consultation_summary(r, today, at.app.calendars) for r in page.rows],
            total=page.total,
            next_page_token=_next(page),
        )

    @handles_domain_errors
    async def ListComplaintCases(
        self, request: query_pb2.ListComplaintCasesRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.ListComplaintCasesResponse:
        at = bureau_reader(self.runtime, request.bureau)
        states = complaint_states(request.states)
        against = request.against_agency
        if against:
            self.runtime.registry.get(against, "against_agency")
        size, after = page_size(request.page_size), key_of(request.page_token, COMPLAINTS)
        page = await self._read(at, reads.complaints, at.unit.agency, states, against, size, after)
        return query_pb2.ListComplaintCasesResponse(
            cases=[complaint_case(r) for r in page.rows],
            total=page.total,
            next_page_token=_next(page),
        )

    @handles_domain_errors
    async def ListOverdueReports(
        self, request: query_pb2.ListOverdueReportsRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.ListOverdueReportsResponse:
        at = bureau_reader(self.runtime, request.bureau)
        since = optional_date("since", request.since)
        if request.agency:
            self.runtime.registry.get(request.agency)
        size, after = page_size(request.page_size), key_of(request.page_token, OVERDUE_REPORTS)
        page = await self._read(at, reads.overdue_reports, since, request.agency, size, after)
        return query_pb2.ListOverdueReportsResponse(
            reports=[overdue_report(r) for r in page.rows],
            total=page.total,
            next_page_token=_next(page),
        )

    @handles_domain_errors
    async def GetAgencyFigures(
        self, request: query_pb2.GetAgencyFiguresRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.GetAgencyFiguresResponse:
        at = bureau_reader(self.runtime, request.bureau)
        today = today_in_china()
        figures = await self._read(at, reads.figures, today.isoformat())
        return query_pb2.GetAgencyFiguresResponse(
            agencies=[agency_figures(f) for f in figures], today=today.isoformat()
        )

    @handles_domain_errors
    async def RebuildReadModel(
        self, request: query_pb2.RebuildReadModelRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.RebuildReadModelResponse:
        unit = self.runtime.unit(request.agency, "act")
        at = Reader(unit, (unit.agency,))
        async with self.rebuilding.setdefault(unit.agency, asyncio.Lock()):
            applied = await rebuild(self.runtime, unit, at.app)
        return query_pb2.RebuildReadModelResponse(events_applied=applied)


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            query_pb2_grpc.add_QueryServiceServicer_to_server,
            QueryServicer(runtime),
            "ogi.v1.QueryService",
        )
    ]
