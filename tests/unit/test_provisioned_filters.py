"""The consumers the NATS admin provisions deliver every event each service handles."""

from __future__ import annotations

import pytest

from ogi_cli.provision import inbox_subjects, provisioned_filters
from ogi_contracts import CONTRACTS
from ogi_contracts.contract import Contract
from ogi_law.agencies import load_agencies
from ogi_platform.messaging.envelope import covers

REGISTRY = load_agencies()


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.service)
@pytest.mark.parametrize("agency", REGISTRY.codes())
def test_provisioned_filters_cover_what_the_service_asks_for(
    contract: Contract, agency: str
) -> None:
    filters = provisioned_filters(REGISTRY.get(agency), contract.service)
    wanted = inbox_subjects(contract, REGISTRY, agency)
    assert [s for s in wanted if not covers(filters, s)] == []


def test_the_subjects_are_the_contracts_own() -> None:
    bureau, office = "supervision-bureau", "municipal-office"
    complaint = next(c for c in CONTRACTS if c.service == "complaint")
    assert "ogi.*.reply.ApplicationOverdue.*" in inbox_subjects(complaint, REGISTRY, bureau)
    assert inbox_subjects(complaint, REGISTRY, office) == []


def test_only_the_bureaus_complaint_service_hears_every_agency() -> None:
    bureau = REGISTRY.get("supervision-bureau")
    assert "ogi.*.intake.ApplicationAccepted.*" in provisioned_filters(bureau, "complaint")
    assert provisioned_filters(bureau, "review") == [
        "ogi.*.*.*.supervision-bureau",
        "ogi.supervision-bureau.>",
    ]
    office = REGISTRY.get("municipal-office")
    assert not covers(provisioned_filters(office, "intake"), "ogi.*.intake.ApplicationAccepted.*")


@pytest.mark.parametrize(
    ("filters", "subject", "expected"),
    [
        (["ogi.*.*.*.a"], "ogi.*.*.X.a", True),
        (["ogi.*.*.*.a"], "ogi.*.*.X.*", False),
        (["ogi.a.>"], "ogi.a.*.X.*", True),
        (["ogi.a.>"], "ogi.b.*.X.*", False),
        (["ogi.a.>"], "ogi.a", False),
        (["ogi.*.x"], "ogi.>", False),
        (["ogi.>"], "ogi.>", True),
    ],
)
def test_covers(filters: list[str], subject: str, expected: bool) -> None:
    assert covers(filters, subject) is expected
