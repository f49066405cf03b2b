"""The staff and applicant commands: each turns arguments into one or more gRPC calls."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from ogi.v1 import (
    common_pb2,
    complaint_pb2,
    history_pb2,
    intake_pb2,
    reply_pb2,
    review_pb2,
    routing_pb2,
)

from ogi_cli.arguments import whole_number as whole_number  # as ogi_cli.report imports it
from ogi_cli.client import TIMEOUT_SECONDS, Clients
from ogi_cli.status import overall_state
from ogi_cli.trace import causal_order
from ogi_errors import InvalidInput, NotFound
from ogi_platform.messaging.envelope import SERVICES


def output_file(field: str, name: str) -> Path:
    """A file to write, whose folder must exist: refused before any work is done."""
    path = Path(name)
    if not path.parent.is_dir():
        raise InvalidInput(field, f"cannot write {name}: no folder {path.parent}")
    return path


def write_file(field: str, name: str, content: bytes) -> Path:
    """Write ``content`` to the file ``name``; InvalidInput naming the file if that fails."""
    path = output_file(field, name)
    try:
        path.write_bytes(content)
    except OSError as error:
        raise InvalidInput(field, f"cannot write {name}: {error.strerror}") from None
    return path


def as_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def call(clients: Clients, service: str, method: str, request: Message) -> Any:
    return getattr(clients.api(service), method)(request, timeout=TIMEOUT_SECONDS)


def apply(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = intake_pb2.SubmitApplicationRequest(
        agency=args.agency,
        applicant=common_pb2.Applicant(
            name=args.name, type=args.applicant_type, id_doc=args.id_doc, contact=args.contact
        ),
        description=args.description,
        form=args.form or "",
        channel=args.channel or "",
        received_on=args.received_on or "",
        request_id=args.request_id or "",
    )
    return as_dict(call(clients, "intake", "SubmitApplication", request).application)


def _optional_view(
    clients: Clients, service: str, method: str, request: Message, field: str
) -> dict[str, Any] | None:
    try:
        return as_dict(getattr(call(clients, service, method, request), field))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise


def status(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    app_id = args.application_id
    intake = as_dict(
        call(
            clients,
            "intake",
            "GetApplication",
            intake_pb2.GetApplicationRequest(application_id=app_id),
        ).application
    )
    views: dict[str, dict[str, Any] | None] = {"intake": intake}
    views["routing"] = _optional_view(
        clients,
        "routing",
        "GetRouting",
        routing_pb2.GetRoutingRequest(application_id=app_id),
        "routing",
    )
    views["review"] = _optional_view(
        clients, "review", "GetReview", review_pb2.GetReviewRequest(application_id=app_id), "review"
    )
    views["reply"] = _optional_view(
        clients, "reply", "GetReply", reply_pb2.GetReplyRequest(application_id=app_id), "reply"
    )
    reply = views["reply"] or {}
    review = views["review"] or {}
    clock = _optional_view(
        clients, "reply", "GetClock", reply_pb2.GetClockRequest(application_id=app_id), "clock"
    )
    return {
        "application_id": app_id,
        "agency": intake["agency"],
        "application_number": intake["application_number"],
        "state": overall_state(views),
        "received_on": intake["received_on"],
        "office": (views["routing"] or {}).get("office", ""),
        "outcome": review.get("outcome", ""),
        "letter_number": reply.get("letter_number", ""),
        "delivered_on": reply.get("delivered_on", ""),
        "clock": clock,
        "services": {name: view for name, view in views.items()},
    }


def decide(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.DecideRequest(
        application_id=args.application_id,
        outcome=args.outcome,
        grounds=args.ground or [],
        reason=args.reason or "",
        form_of_provision=args.form or "",
        competent_organ=args.competent_organ or "",
        competent_organ_contact=args.competent_organ_contact or "",
        where_published=args.where_published or "",
        decided_on=args.on or "",
        public_interest_reason=args.public_interest_reason or "",
    )
    return as_dict(call(clients, "review", "Decide", request).review)


def deliver(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.RecordDeliveryRequest(
        application_id=args.application_id, method=args.method, delivered_on=args.on or ""
    )
    return as_dict(call(clients, "reply", "RecordDelivery", request).reply)


def letter(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.GetReplyRequest(application_id=args.application_id)
    reply = call(clients, "reply", "GetReply", request).reply
    html = write_file("html", args.html, reply.letter_html.encode()) if args.html else None
    result = as_dict(reply)
    result.pop("letter_html")
    return result | ({"html": str(html.resolve())} if html else {})


def withdraw(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = intake_pb2.WithdrawApplicationRequest(
        application_id=args.application_id, reason=args.reason or "", withdrawn_on=args.on or ""
    )
    return as_dict(call(clients, "intake", "WithdrawApplication", request).application)


def reassign(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = routing_pb2.ReassignApplicationRequest(
        application_id=args.application_id, office=args.office, reason=args.reason or ""
    )
    return as_dict(call(clients, "routing", "ReassignApplication", request).routing)


def suggest(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """Who holds the information, from the agencies' catalogues (confirm with `ogi forward`)."""
    request = routing_pb2.GetRoutingRequest(application_id=args.application_id)
    routing = call(clients, "routing", "GetRouting", request).routing
    return {
        "application_id": args.application_id,
        "handled_by": routing.agency,
        "suggested_agency": routing.suggested_agency,
        "subject": routing.suggested_subject,
        "note": routing.suggestion_note,
        "archives_law": routing.archives_law,
    }


def forward(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = routing_pb2.ForwardApplicationRequest(
        application_id=args.application_id,
        to_agency=args.to,
        reason=args.reason,
        forwarded_on=args.on or "",
    )
    return as_dict(call(clients, "routing", "ForwardApplication", request).routing)


def complain(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.FileComplaintRequest(
        bureau=args.bureau or "",
        application_id=args.application_id,
        against_agency=args.against or "",
        ground=args.ground,
        text=args.text,
        complainant=args.complainant or "",
        complainant_contact=args.contact or "",
        filed_on=args.on or "",
    )
    return as_dict(call(clients, "complaint", "FileComplaint", request).complaint)


def _sorted(value: Any) -> Any:
    """Payload maps in a stable key order (a protobuf Struct keeps none), so traces compare."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def trace(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """Every event of every service about the application, in causal order (the services are
    asked all at once)."""
    events: list[dict[str, Any]] = []
    request = history_pb2.ListEventsRequest(application_id=args.application_id)
    asked = [
        clients.history(service).ListEvents.future(request, timeout=TIMEOUT_SECONDS)
        for service in SERVICES
    ]
    for answer in asked:
        for event in answer.result().events:
            item = as_dict(event)
            item["recorded_at"] = event.recorded_at.ToDatetime().isoformat() + "Z"
            item["occurred_at"] = item.pop("occurred_on")
            item["data"] = _sorted(item["data"])
            events.append(item)
    if not events:
        raise NotFound(f"application {args.application_id} has no history")
    return {"application_id": args.application_id, "events": causal_order(events)}
