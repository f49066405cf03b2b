"""The routing process: ``ogi-routing``."""

from __future__ import annotations

from govcommon.runtime import ServiceSpec
from govcommon.runtime import main as run
from routing.api import servicers
from routing.application import RoutingApplication
from routing.handlers import handlers

SPEC = ServiceSpec(
    name="routing",
    app_class=RoutingApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=50052,
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
