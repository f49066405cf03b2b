"""Inbound events for the complaint service (none yet: complaints arrive through its API)."""

from __future__ import annotations

from govcommon.agencies import AgencyRegistry
from govcommon.application import OgiApplication
from govcommon.bus import Handler


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    return {}
