"""The report process: ``ogi-report``."""

from __future__ import annotations

from ogi_contracts.report import CONTRACT
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.service.runtime import LINGER_OFF_THE_WAY, ServiceSpec
from ogi_platform.service.runtime import main as run
from report.api import servicers
from report.application import ReportApplication
from report.handlers import handlers

SPEC = ServiceSpec(
    contract=CONTRACT,
    app_class=ReportApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=CONTRACT.default_port,
    registry=load_agencies,
    default_agencies=DEFAULT_AGENCIES,
    inbox_linger_seconds=LINGER_OFF_THE_WAY,
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
