"""Field limits at the gRPC boundary: every request field of every service is checked."""

from __future__ import annotations

import importlib

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError
from ogi.v1 import common_pb2, complaint_pb2, intake_pb2, review_pb2

from ogi_errors import InvalidInput
from ogi_platform.rpc.limits import (
    CODE,
    DEFAULT_ITEMS,
    DEFAULT_TEXT,
    FREE_TEXT,
    ITEM,
    check_request,
    item_limit,
    text_limit,
)
from ogi_platform.rpc.server import Undecodable, check_input

SERVICES = ("intake", "routing", "review", "reply", "complaint", "history", "report")


def refused_field(request: object) -> str:
    with pytest.raises(InvalidInput) as refusal:
        check_request(request)
    return refusal.value.field


def submit(**applicant: str) -> intake_pb2.SubmitApplicationRequest:
    return intake_pb2.SubmitApplicationRequest(
        agency="municipal-office",
        applicant=common_pb2.Applicant(
            **({"name": "李四", "type": "natural_person", "contact": "13900000000"} | applicant)
        ),
        description="本市2022年道路建设项目清单\n第二行\t缩进\r\n",
    )


def test_an_ordinary_request_passes() -> None:
    check_request(submit())
    check_request(intake_pb2.RequestCorrectionRequest(items=["身份证明"] * 30))


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (submit(name="名" * (DEFAULT_TEXT + 1)), "applicant.name"),
        (intake_pb2.WithdrawApplicationRequest(reason="x" * (FREE_TEXT + 1)), "reason"),
        (intake_pb2.WithdrawApplicationRequest(reason="长" * 2_000_000), "reason"),
        (intake_pb2.WithdrawApplicationRequest(application_id="A" * (CODE + 1)), "application_id"),
        (intake_pb2.RequestCorrectionRequest(items=["ok", "x" * (ITEM + 1)]), "items[1]"),
        (intake_pb2.RequestCorrectionRequest(items=["item"] * 31), "items"),
        (review_pb2.DecideRequest(grounds=["state_secret"] * 21), "grounds"),
        (complaint_pb2.FileComplaintRequest(text="t" * (FREE_TEXT + 1)), "text"),
    ],
)
def test_over_a_limit_is_refused_naming_the_field(request_: object, field: str) -> None:
    assert refused_field(request_) == field


def test_exactly_at_the_limit_passes() -> None:
    check_request(submit(name="名" * DEFAULT_TEXT))
    check_request(intake_pb2.WithdrawApplicationRequest(reason="x" * FREE_TEXT))
    check_request(intake_pb2.RequestCorrectionRequest(items=["x" * ITEM] * item_limit("items")))


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b", "\x0c"])
def test_control_characters_are_refused(char: str) -> None:
    assert refused_field(submit(contact=f"139{char}0000")) == "applicant.contact"
    with pytest.raises(InvalidInput, match=f"U\\+{ord(char):04X}"):
        check_request(intake_pb2.RecordCorrectionRequest(description=f"a{char}b"))


def test_unnamed_fields_get_the_defaults() -> None:
    assert text_limit("some_new_field") == DEFAULT_TEXT
    assert item_limit("some_new_list") == DEFAULT_ITEMS


def request_fields(descriptor: Descriptor, seen: frozenset[str] = frozenset()) -> set[str]:
    """Names of the string and repeated fields of a request, nested messages included."""
    names: set[str] = set()
    for field in descriptor.fields:
        nested = field.type == FieldDescriptor.TYPE_MESSAGE
        if nested and field.message_type.full_name not in seen:
            names |= request_fields(field.message_type, seen | {descriptor.full_name})
        if field.type == FieldDescriptor.TYPE_STRING or field.is_repeated:
            names.add(field.name)
    return names


def test_every_free_text_field_has_a_limit_no_larger_than_free_text() -> None:
    """A new request field gets a limit without anyone remembering it: the default, or its
    entry in the table; none allows more than free text but the attached trace."""
    names: set[str] = set()
    for service in SERVICES:
        module = importlib.import_module(f"ogi.v1.{service}_pb2")
        for descriptor in module.DESCRIPTOR.services_by_name.values():
            for method in descriptor.methods:
                names |= request_fields(method.input_type)
    assert "items" in names and "description" in names
    assert {n for n in names if text_limit(n) > FREE_TEXT} == {"trace_json"}
    assert all(item_limit(n) <= DEFAULT_ITEMS for n in names)


def test_an_undecodable_request_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as refusal:
        check_input(Undecodable(DecodeError("Error parsing message")))
    assert refusal.value.field == "request"
    assert "UTF-8" in refusal.value.message


# -- no event larger than the bus carries is stored ----------------------------------------------


def test_an_event_larger_than_the_bus_carries_is_refused_and_nothing_is_stored() -> None:
    """The domain allows 4,000 characters per correction item and sets no count: 200 items make
    a notice of 2.4 MB. The commit is refused whole; the application stays as it was."""
    from datetime import date

    from intake.application import IntakeApplication
    from intake.commands import RequestCorrection, SubmitApplication
    from intake.domain import Applicant, Request
    from ogi_law.agencies import load_agencies
    from ogi_platform.eventstore.application import MAX_EVENT_BYTES
    from ogi_platform.messaging.envelope import record_of
    from ogi_platform.messaging.wire import encode

    app = IntakeApplication("municipal-office")
    application = app.handle(
        SubmitApplication(
            actor="applicant:张三",
            on=date(2026, 3, 2),
            agency=load_agencies().get("municipal-office"),
            applicant=Applicant.checked("张三", "natural_person", "ID000001", "13800000000"),
            request=Request.checked("请公开道路建设项目清单", "electronic", "online"),
        )
    )
    stored = app.recorder.max_notification_id()

    def correction(items: int) -> RequestCorrection:
        return RequestCorrection(
            application_id=application.application_id,
            actor="staff:a",
            on=date(2026, 3, 3),
            items=("x" * 4000,) * items,
            period_days=15,
        )

    with pytest.raises(InvalidInput, match=f"more than the {MAX_EVENT_BYTES}"):
        app.handle(correction(200))
    assert app.recorder.max_notification_id() == stored
    assert app.application(application.application_id).state == "accepted"
    # Just under the limit is stored.
    app.handle(correction(120))
    assert app.recorder.max_notification_id() == (stored or 0) + 1
    # The cheap bound that spares small events the encoding holds for every stored event.
    for notification in app.notifications(0, 100):
        event = app.mapper.to_domain_event(notification)
        size = len(encode(record_of(event, app.agency, app.service, notification.id)))
        assert size <= 4 * len(repr(vars(event))) + 1024
