"""`ogi up` serves the agencies an operator configures: every agency of OGI_AGENCY_FILE (here a
city's twelve), or the codes of OGI_AGENCIES, the four defaults only when nothing is set.

One `ogi up` with twelve agencies: its description, the NATS users it renders, and an
application to the last agency of the file going through intake, routing, review, reply and the
supervision bureau's complaint service (each process created that agency's store and consumer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml
from harness.ogisystem import OgiSystem

from ogi_cli.datafolder import NATS_CONFIG_FILE
from ogi_cli.up import configured_agencies
from ogi_errors import InvalidInput
from ogi_law.agencies import DEFAULT_AGENCIES

#: The departments a city adds to the default four (district offices and bureaus).
ADDED = tuple(f"district-{n}-office" for n in range(1, 9))


def agency_file(folder: Path) -> Path:
    """The default four agencies and eight district offices, as an operator writes them."""
    default_file = resources.files("ogi_law").joinpath("data/agencies.yaml")
    defaults = yaml.safe_load(default_file.read_text(encoding="utf-8"))["agencies"]
    districts = [
        {
            "code": code,
            "name": f"第{n}区人民政府办公室",
            "kind": "department",
            "number_prefix": f"QZF{n}",
            "offices": ["政府信息公开办公室"],
            "reconsideration_body": "市人民政府",
        }
        for n, code in enumerate(ADDED, start=1)
    ]
    path = folder / "agencies.yaml"
    path.write_text(
        yaml.safe_dump({"agencies": defaults + districts}, allow_unicode=True), encoding="utf-8"
    )
    return path


def test_the_agencies_configured_else_the_defaults(tmp_path: Path) -> None:
    path = str(agency_file(tmp_path))
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
    system = system_factory(env={"OGI_AGENCY_FILE": str(agency_file(tmp_path))})
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
