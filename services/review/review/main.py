"""The review process: ``ogi-review``."""

from __future__ import annotations

from ogi_contracts.review import CONTRACT
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.service.runtime import ServiceSpec
from ogi_platform.service.runtime import main as run
from review.api import servicers
from review.application import ReviewApplication
from review.handlers import handlers

SPEC = ServiceSpec(
    contract=CONTRACT,
    app_class=ReviewApplication,
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
