"""The routing process: ``ogi-routing``."""

from __future__ import annotations

from ogi_contracts.routing import CONTRACT
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.service.runtime import ServiceSpec
from ogi_platform.service.runtime import main as run
from routing.api import servicers
from routing.application import RoutingApplication
from routing.handlers import handlers

SPEC = ServiceSpec(
    contract=CONTRACT,
    app_class=RoutingApplication,
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
