"""Which agencies a service process serves, from its environment: OGI_AGENCIES; unset, every
agency of OGI_AGENCY_FILE; neither set, the service's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from ogi_platform.service.config import load_config
from ogi_platform.service.runtime import ServiceRuntime
from routing.main import SPEC

DISTRICTS = """agencies:
  - {code: district-1-office, name: 第1区人民政府办公室, kind: department, number_prefix: QZF1,
     offices: [办公室], reconsideration_body: 市人民政府}
  - {code: district-2-office, name: 第2区人民政府办公室, kind: department, number_prefix: QZF2,
     offices: [办公室], reconsideration_body: 市人民政府}
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_TOKEN_SECRET", "s" * 40)
    monkeypatch.delenv("OGI_AGENCIES", raising=False)
    monkeypatch.delenv("OGI_AGENCY_FILE", raising=False)


def served(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[str, ...]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(SPEC.name, SPEC.default_port, SPEC.default_agencies)
    return ServiceRuntime(SPEC, config).config.agencies


def test_the_agency_file_else_the_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert served(monkeypatch) == SPEC.default_agencies
    path = tmp_path / "agencies.yaml"
    path.write_text(DISTRICTS, encoding="utf-8")
    assert served(monkeypatch, OGI_AGENCY_FILE=str(path)) == (
        "district-1-office",
        "district-2-office",
    )
    assert served(monkeypatch, OGI_AGENCIES="district-2-office") == ("district-2-office",)
