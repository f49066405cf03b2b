"""The AnnualReportService of the reply process: the annual report's read model per agency,
reading the agency's intake, review and reply stores."""

from __future__ import annotations

import asyncio
import json
import os

import grpc
from eventsourcing.persistence import PersistenceError
from ogi.v1 import report_pb2, report_pb2_grpc

from ogi_errors import IllegalStep, InvalidInput, PermissionDenied
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import store_location
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from ogi_report.table import AnnualTable, sum_tables
from reply.annual_readmodel import SOURCES, AnnualReadModel

FIRST_YEAR = 2008  # the first Regulations (Decree 492) took effect on 1 May 2008
#: Agency kinds whose staff compile the government-level report (with the operator).
GOVERNMENT_LEVEL = ("municipal_office", "supervision_bureau")


def _reader(runtime: ServiceRuntime[AgencyRegistry], agency: str, service: str) -> OgiApplication:
    """Another service's store of the agency, opened for reading its notification log."""
    url = os.environ.get(f"OGI_{service.upper()}_DATABASE_URL") or runtime.config.database_url
    location = store_location(url, runtime.config.data_dir, agency, service)
    # The name picks the service's tables (``intake_events``...). Never create them: a store
    # this process cannot see must fail the report, not count as an agency with no events.
    reader = type(f"{service.title()}Reader", (OgiApplication,), {"name": service})
    return reader(agency, env=location.env | {"CREATE_TABLE": "n"})


class AnnualReportServicer(report_pb2_grpc.AnnualReportServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime
        self.models: dict[str, AnnualReadModel] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    def _model(self, unit: AgencyUnit) -> AnnualReadModel:
        if unit.agency not in self.models:
            stores = {
                service: unit.app
                if service == "reply"
                else _reader(self.runtime, unit.agency, service)
                for service in SOURCES
            }
            self.models[unit.agency] = AnnualReadModel(unit.agency, stores)
        return self.models[unit.agency]

    async def _table(self, unit: AgencyUnit, year: int, rebuild: bool) -> tuple[AnnualTable, int]:
        async with self.locks.setdefault(unit.agency, asyncio.Lock()):
            model = await asyncio.to_thread(self._model, unit)
            try:
                read = await asyncio.to_thread(model.rebuild if rebuild else model.refresh)
            except PersistenceError as error:
                raise IllegalStep(
                    f"the stores of {unit.agency} cannot be read for the report: {error}"
                ) from None
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


def report_registration(runtime: ServiceRuntime[AgencyRegistry]) -> Registration:
    return (
        report_pb2_grpc.add_AnnualReportServiceServicer_to_server,
        AnnualReportServicer(runtime),
        "ogi.v1.AnnualReportService",
    )
