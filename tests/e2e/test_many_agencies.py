"""`ogi up` serves the agencies an operator configures: every agency of OGI_AGENCY_FILE (here a
city's twelve), or the codes of OGI_AGENCIES, the four defaults only when nothing is set.

One `ogi up` with twelve agencies: its description, the NATS users it renders, and an
application to the last agency of the file going through intake, routing, review, reply and the
supervision bureau's complaint service (each process created that agency's store and consumer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from harness.agencyfile import agency_file, district_codes
from harness.ogisystem import OgiSystem

from ogi_cli.datafolder import NATS_CONFIG_FILE
from ogi_cli.up import configured_agencies
from ogi_errors import InvalidInput
from ogi_law.agencies import DEFAULT_AGENCIES

#: The departments a city adds to the default four (district offices).
ADDED = district_codes(12)


def test_the_agencies_configured_else_the_defaults(tmp_path: Path) -> None:
    path = str(agency_file(tmp_path, 12))
    assert configured_agencies({}) == DEFAULT_AGENCIES
    assert configured_agencies({"OGI_AGENCY_FILE": path}) == (*DEFAULT_AGENCIES, *ADDED)
    listed = {"OGI_AGENCY_FILE": path, "OGI_AGENCIES": " district-3-office, municipal-office,"}
    assert configured_agencies(listed) == ("district-3-office", "municipal-office")
    assert configured_agencies({"OGI_AGENCIES": "archives-bureau"}) == ("archives-bureau",)
    with pytest.raises(InvalidInput, match="district-3-office"):
        configured_agencies({"OGI_AGENCIES": "district-3-office"})  # not a default agency
    with pytest.raises(RuntimeError, match="cannot read"):
        configured_agencies({"OGI_AGENCY_FILE": str(tmp_path / "missing.yaml")})


def test_ogi_up_serves_every_agency_of_the_agency_file(
    tmp_path: Path, system_factory: Callable[..., OgiSystem]
) -> None:
    system = system_factory(env={"OGI_AGENCY_FILE": str(agency_file(tmp_path, 12))})
    description = system.start()
    assert description["agencies"] == [*DEFAULT_AGENCIES, *ADDED]

    config = (system.data / NATS_CONFIG_FILE).read_text(encoding="utf-8")
    users = json.loads(config.split("authorization ", 1)[1])["users"]
    assert [user["user"] for user in users] == ["admin", *DEFAULT_AGENCIES, *ADDED]

    last = ADDED[-1]
    application_id = system.under_review(agency=last)  # the bureau has heard of it too
    status = system.status(application_id)
    assert status["agency"] == last
    assert status["application_number"].startswith("QZF8-")
