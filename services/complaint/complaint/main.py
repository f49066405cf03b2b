"""The complaint process: ``ogi-complaint``."""

from __future__ import annotations

from complaint.api import servicers
from complaint.application import ComplaintApplication
from complaint.handlers import handlers, subjects
from govcommon.runtime import ServiceSpec
from govcommon.runtime import main as run

SPEC = ServiceSpec(
    name="complaint",
    app_class=ComplaintApplication,
    handlers=handlers,
    servicers=servicers,
    default_port=50055,
    subjects=subjects,
    foreign=dict.fromkeys(
        ("ApplicationAccepted", "ApplicationOverdue", "RectificationAnswered"), "any"
    ),
)


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
