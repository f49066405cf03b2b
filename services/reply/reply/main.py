"""The reply process: ``ogi-reply``."""

from __future__ import annotations

from govcommon.runtime import ServiceSpec
from govcommon.runtime import main as run
from reply.api import servicers
from reply.application import ReplyApplication
from reply.handlers import handlers

SPEC = ServiceSpec(
    name="reply",
    app_class=ReplyApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=50054,
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
