"""The intake process: ``ogi-intake``."""

from __future__ import annotations

from intake.api import servicers
from intake.application import IntakeApplication
from intake.handlers import handlers
from ogi_contracts.intake import CONTRACT
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.service.runtime import ServiceSpec
from ogi_platform.service.runtime import main as run

SPEC = ServiceSpec(
    contract=CONTRACT,
    app_class=IntakeApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=CONTRACT.default_port,
    registry=load_agencies,
    default_agencies=DEFAULT_AGENCIES,
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
