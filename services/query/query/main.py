"""The query process: ``ogi-query``."""

from __future__ import annotations

from ogi_contracts.query import CONTRACT
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.service.runtime import LINGER_OFF_THE_WAY, ServiceSpec
from ogi_platform.service.runtime import main as run
from query.api import servicers
from query.application import QueryApplication
from query.handlers import handlers

SPEC = ServiceSpec(
    contract=CONTRACT,
    app_class=QueryApplication,
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
