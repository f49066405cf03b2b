"""The catalogue of labels (ogi_law.labels) names every code the system speaks: every event type
of every contract, every state each service's aggregates take, the clock's statuses, the
vocabularies the services validate against; and it stays cheap to import."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from types import ModuleType

import pytest

import complaint.domain
import intake.domain
import reply.domain
import review.domain
import routing.domain
from ogi_contracts import CONTRACTS
from ogi_law import labels
from ogi_law.agencies import KINDS
from ogi_platform.rpc.auth import ROLES
from reply.clock import ClockStatus

HAN = re.compile(r"[\u4e00-\u9fff]")


def _vocabularies() -> dict[str, dict[str, str]]:
    return {
        name: value
        for name, value in vars(labels).items()
        if name.isupper() and isinstance(value, dict) and name != "OUTCOMES"
        and all(isinstance(v, str) for v in value.values())
    }  # fmt: skip


def _states(module: ModuleType) -> set[str]:
    """The states a service's aggregates move to (``self.state = "..."``)."""
    return set(re.findall(r'self\.state = "(\w+)"', inspect.getsource(module)))


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.service)
def test_every_event_type_of_every_contract_has_a_label(contract: object) -> None:
    stored = contract.public | contract.internal  # type: ignore[attr-defined]
    assert sorted(stored - set(labels.EVENT_TYPES)) == []


def test_the_catalogue_names_no_event_type_the_contracts_do_not() -> None:
    stored = {t for c in CONTRACTS for t in c.public | c.internal}
    assert sorted(set(labels.EVENT_TYPES) - stored) == []


@pytest.mark.parametrize(
    ("module", "vocabulary"),
    [
        (intake.domain, labels.APPLICATION_STATES),
        (routing.domain, labels.ROUTING_STATES),
        (review.domain, labels.REVIEW_STATES),
        (reply.domain, labels.REPLY_STATES),
        (complaint.domain, labels.COMPLAINT_STATES),
    ],
    ids=["intake", "routing", "review", "reply", "complaint"],
)
def test_every_state_a_service_reaches_has_a_label(
    module: ModuleType, vocabulary: dict[str, str]
) -> None:
    states = _states(module)
    assert states and sorted(states - set(vocabulary)) == []


def test_every_overall_state_has_a_label() -> None:
    """The states `ogi status` derives (ogi_cli.status) are application states."""
    import ogi_cli.status

    derived = set(re.findall(r'"(\w+)"', inspect.getsource(ogi_cli.status.overall_state)))
    derived -= {"state", "reply", "review", "routing", "intake", "open", "issued"}
    assert sorted(derived - set(labels.APPLICATION_STATES)) == []


def test_every_outcome_of_an_upheld_complaint_has_a_label() -> None:
    source = inspect.getsource(complaint.domain)
    outcomes = set(re.findall(r'self\.outcomes = \[\*self\.outcomes, "(\w+)"\]', source))
    assert outcomes == set(labels.COMPLAINT_OUTCOMES)


def test_closed_lists_of_other_packages_match_the_catalogue() -> None:
    assert {s.value for s in ClockStatus} == set(labels.CLOCK_STATUSES)
    assert set(KINDS) == set(labels.AGENCY_KINDS)
    assert set(ROLES) == set(labels.ROLES)
    assert {c.service for c in CONTRACTS} <= set(labels.SERVICES)
    assert review.domain.EXTENSION_APPROVER_ROLE in labels.EXTENSION_APPROVER_ROLES


def test_the_services_validate_against_the_catalogue_itself() -> None:
    """One vocabulary, not copies: the services check input against the catalogue's dicts."""
    assert review.domain.SECRECY_RESULTS is labels.SECRECY_RESULTS
    assert review.domain.FEE_METHODS is labels.FEE_METHODS
    assert complaint.domain.__dict__.get("COMPLAINT_GROUNDS") is None


@pytest.mark.parametrize("name", sorted(_vocabularies()))
def test_every_label_is_chinese(name: str) -> None:
    vocabulary = _vocabularies()[name]
    assert vocabulary and all(HAN.search(text) for text in vocabulary.values()), vocabulary


def test_outcomes_and_grounds_carry_their_articles() -> None:
    assert labels.outcome_label("disclose") == "予以公开（第三十六条第（二）项）"
    assert labels.outcome_label("partial") == "部分公开（第三十七条）"
    assert labels.ground_label("state_secret") == "属于国家秘密（第十四条）"
    assert labels.ground_label("administrative_query") == "属于行政查询事项"
    assert labels.ground_label("administrative_query", "相关规定") == "属于行政查询事项（相关规定）"
    assert all("第" in labels.outcome_label(code) or "号" in labels.outcome_label(code)
               for code in labels.OUTCOME_LABELS)  # fmt: skip


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert labels.label(labels.APPLICATION_STATES, "someday") == "someday"
    assert labels.outcome_label("someday") == labels.ground_label("someday") == "someday"


def test_importing_the_catalogue_is_cheap() -> None:
    """`ogi --help` reads it: plain dicts, no YAML, no gRPC, no store."""
    script = "import sys, ogi_law.labels; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in out.stdout.split()}
    assert loaded & {"yaml", "grpc", "eventsourcing", "nats", "ogi_platform"} == set()
