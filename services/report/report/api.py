"""The AnnualReportService: each agency's table from the report's read model, caught up with the
bus before it answers; a rebuild consumes the whole stream again first."""

from __future__ import annotations

import asyncio
import json

import grpc
from nats.js.errors import NotFoundError
from ogi.v1 import report_pb2, report_pb2_grpc

from ogi_errors import IllegalStep, InvalidInput, PermissionDenied
from ogi_law.agencies import AgencyRegistry
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from ogi_report.table import AnnualTable, sum_tables
from report.application import ReportApplication
from report.readmodel import AnnualReadModel

FIRST_YEAR = 2008  # the first Regulations (Decree 492) took effect on 1 May 2008
#: Agency kinds whose staff compile the government-level report (with the operator).
GOVERNMENT_LEVEL = ("municipal_office", "supervision_bureau")
#: How long a report waits for the inbox to apply what the bus holds for it.
CATCH_UP_SECONDS = 30.0
REBUILD_SECONDS = 540.0
POLL_SECONDS = 0.05


class AnnualReportServicer(report_pb2_grpc.AnnualReportServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime
        self.models: dict[str, AnnualReadModel] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    def _model(self, unit: AgencyUnit) -> AnnualReadModel:
        if unit.agency not in self.models:
            self.models[unit.agency] = AnnualReadModel(self.runtime.app(unit, ReportApplication))
        return self.models[unit.agency]

    async def _caught_up(self, unit: AgencyUnit, seconds: float) -> None:
        """Wait until the inbox has applied every message the bus holds for it now (its
        consumer may not be there yet: the inbox makes it when the process starts)."""
        assert unit.consumer is not None and self.runtime.nc is not None
        js = self.runtime.nc.jetstream()
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            try:
                info = await js.consumer_info(EVENT_STREAM, unit.consumer.durable)
                behind = (info.num_pending or 0) + (info.num_ack_pending or 0)
            except NotFoundError:
                behind = -1
            if not behind:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise IllegalStep(
                    f"the report of {unit.agency} is not up to date with the bus "
                    f"({f'{behind} events behind' if behind > 0 else 'no consumer yet'}): "
                    "try again"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def _table(self, unit: AgencyUnit, year: int, rebuild: bool) -> tuple[AnnualTable, int]:
        async with self.locks.setdefault(unit.agency, asyncio.Lock()):
            model = self._model(unit)
            assert unit.consumer is not None
            if rebuild:
                await unit.consumer.replay(unit.app, model.drop)
            await self._caught_up(unit, REBUILD_SECONDS if rebuild else CATCH_UP_SECONDS)
            read = await asyncio.to_thread(model.refresh)
            return await asyncio.to_thread(model.table, year), read

    @handles_domain_errors
    async def GetAnnualReport(
        self, request: report_pb2.GetAnnualReportRequest, context: grpc.aio.ServicerContext
    ) -> report_pb2.GetAnnualReportResponse:
        if not FIRST_YEAR <= request.year <= 2100:
            raise InvalidInput("year", f"must be a year from {FIRST_YEAR}")
        if request.all_agencies == bool(request.agency):
            raise InvalidInput("agency", "name one agency, or ask for all agencies")
        if request.all_agencies:
            self._may_see_everything()
            units = list(self.runtime.units.values())
        else:
            units = [self.runtime.unit(request.agency, "read")]
        tables, read = [], 0
        for unit in units:
            table, events = await self._table(unit, request.year, request.rebuild)
            tables.append(table)
            read += events
        total = tables[0]
        total.agency_name = self.runtime.registry.get(total.agency).name if total.agency else ""
        if request.all_agencies:
            total = sum_tables(tables, agency=None, year=request.year)
            total.check()
        return report_pb2.GetAnnualReportResponse(
            table_json=json.dumps(total.to_dict(), ensure_ascii=False), events_read=read
        )

    def _may_see_everything(self) -> None:
        principal = caller()
        if principal.role == "operator":
            return
        if principal.role == "staff":
            kind = self.runtime.registry.get(principal.agency).kind
            if kind in GOVERNMENT_LEVEL:
                return
        raise PermissionDenied(
            f"{principal.actor} may not see the government-level report (its general office, "
            "the supervision bureau and operators may)"
        )


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            report_pb2_grpc.add_AnnualReportServiceServicer_to_server,
            AnnualReportServicer(runtime),
            "ogi.v1.AnnualReportService",
        )
    ]
