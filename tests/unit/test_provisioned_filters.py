"""The consumers the NATS admin provisions deliver every event each service handles."""

from __future__ import annotations

import pytest

from complaint.main import SPEC as COMPLAINT
from intake.main import SPEC as INTAKE
from ogi_cli.provision import inbox_subjects, provisioned_filters
from ogi_law.agencies import load_agencies
from ogi_platform.messaging.envelope import covers
from ogi_platform.service.runtime import ServiceSpec
from reply.main import SPEC as REPLY
from review.main import SPEC as REVIEW
from routing.main import SPEC as ROUTING

REGISTRY = load_agencies()
SPECS = [INTAKE, ROUTING, REVIEW, REPLY, COMPLAINT]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("agency", REGISTRY.codes())
def test_provisioned_filters_cover_what_the_service_asks_for(
    spec: ServiceSpec, agency: str
) -> None:
    filters = provisioned_filters(REGISTRY.get(agency), spec.name)
    wanted = inbox_subjects(spec, REGISTRY, agency)
    assert [s for s in wanted if not covers(filters, s)] == []


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
