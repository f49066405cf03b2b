"""Each service's contract (ogi_contracts) is what the service does: its handlers, its stored
events, and what its senders publish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest
from test_event_schema import AGGREGATES, stored_event_types

from complaint.main import SPEC as COMPLAINT
from intake.main import SPEC as INTAKE
from ogi_contracts import CONTRACTS, contract_of
from ogi_contracts.contract import ANY, BUREAU, OWN, Contract
from ogi_contracts.ports import DEFAULT_PORTS
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.messaging.envelope import READ_MODELS, SERVICES
from ogi_platform.service.runtime import ServiceSpec
from ogi_report.projection import EVENT_TYPES
from query.main import SPEC as QUERY
from reply.main import SPEC as REPLY
from report.main import SPEC as REPORT
from review.main import SPEC as REVIEW
from routing.main import SPEC as ROUTING

REGISTRY = load_agencies()
SPECS = [INTAKE, ROUTING, REVIEW, REPLY, COMPLAINT]


@dataclass(frozen=True)
class _AgencyOnly:
    """Enough of an application for a handlers factory to name the events it handles."""

    agency: str


def publisher(event_type: str) -> list[str]:
    return [c.service for c in CONTRACTS if event_type in c.public]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("agency", REGISTRY.codes())
def test_a_service_handles_what_its_contract_says(spec: ServiceSpec, agency: str) -> None:
    handlers = spec.handlers(cast(OgiApplication, _AgencyOnly(agency)), REGISTRY)
    assert set(handlers) == spec.contract.handled_for(REGISTRY.get(agency).kind)
    spec.contract.check_handlers(REGISTRY.get(agency).kind, set(handlers))


def test_a_handler_dict_against_the_contract_is_refused() -> None:
    with pytest.raises(RuntimeError, match="against its contract"):
        INTAKE.contract.check_handlers("office", {"ApplicationClosed"})


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.service)
def test_every_handled_type_is_published_by_exactly_one_service(contract: Contract) -> None:
    assert {t: publisher(t) for t in contract.handles if len(publisher(t)) != 1} == {}
    assert set(contract.handles.values()) <= {OWN, ANY, BUREAU}
    for event_type, service in contract.heard_everywhere.items():
        assert event_type in contract.handles and publisher(event_type) == [service]


def test_the_reports_contract_is_what_the_annual_table_counts() -> None:
    assert set(contract_of("report").handles) == EVENT_TYPES
    assert contract_of("report").public == frozenset()


def test_outside_subscribers_hear_of_deadlines_and_complaints() -> None:
    assert {"ApplicationOverdue", "ApplicationDueSoon"} <= contract_of("reply").public
    assert "ComplaintAccepted" in contract_of("complaint").public


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_stored_event_is_public_or_internal(spec: ServiceSpec) -> None:
    contract = spec.contract
    stored = stored_event_types(a for a in AGGREGATES if a.__module__.startswith(spec.name))
    assert not contract.public & contract.internal
    assert stored == contract.public | contract.internal


def test_the_contracts_cover_every_service() -> None:
    assert [s.contract for s in SPECS] == [c for c in CONTRACTS if c.service not in READ_MODELS]


def test_every_process_listens_on_its_own_port_written_once() -> None:
    assert {*SERVICES, *READ_MODELS} <= set(DEFAULT_PORTS)
    assert len(set(DEFAULT_PORTS.values())) == len(DEFAULT_PORTS)
    for spec in [*SPECS, REPORT, QUERY]:
        assert spec.default_port == DEFAULT_PORTS[spec.name] == spec.contract.default_port
