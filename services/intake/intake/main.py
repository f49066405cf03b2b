"""The intake process: ``ogi-intake``."""

from __future__ import annotations

from govcommon.runtime import ServiceSpec
from govcommon.runtime import main as run
from intake.api import servicers
from intake.application import IntakeApplication
from intake.handlers import handlers

SPEC = ServiceSpec(
    name="intake",
    app_class=IntakeApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=50051,
    foreign={"ApplicationForwarded": "any"},  # the forwarding agency's routing
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
