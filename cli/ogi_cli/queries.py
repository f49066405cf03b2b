"""The read side's commands: each asks the query service (proto/ogi/v1/query.proto) and returns
its answer as it is (codes, for --json; ogi_cli.queryviews lays it out for people).

Lists come in pages (keyset pages: a page token leads to the next one). ``--page N`` walks the
pages before the N-th, so that a person can say which page without copying a token.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from ogi.v1 import query_pb2

from ogi_cli.client import TIMEOUT_SECONDS, Clients
from ogi_cli.commands import as_dict
from ogi_cli.numbers import UP_TO_DATE_TIMEOUT, find_number, is_number
from ogi_cli.registry import registry
from ogi_cli.tokens import holder
from ogi_errors import InvalidInput

#: A rebuild replays the whole stream; the service gives it up to 540 s (query.catchup).
REBUILD_TIMEOUT = 600.0
BUREAU = "supervision_bureau"


def _ask(clients: Clients, method: str, request: Message, timeout: float = TIMEOUT_SECONDS) -> Any:
    return getattr(clients.api("query"), method)(request, timeout=timeout)


def _paged(fetch: Callable[[str], Any], rows: str, args: argparse.Namespace) -> dict[str, Any]:
    """The page the arguments ask for: after ``--page-token``, or the ``--page``-th (1: the
    first), with its number; a page past the last one is empty."""
    page = args.page or 1
    if page < 1:
        raise InvalidInput("page", "must be 1 or more")
    response = fetch(args.page_token or "")
    for _ in range(page - 1):
        if not response.next_page_token:
            response.ClearField(rows)
            break
        response = fetch(response.next_page_token)
    return as_dict(response) | ({} if args.page_token else {"page": page})


def _timeout(args: argparse.Namespace) -> float:
    return UP_TO_DATE_TIMEOUT if getattr(args, "up_to_date", False) else TIMEOUT_SECONDS


def _applications(
    clients: Clients, args: argparse.Namespace, overdue: bool = False
) -> dict[str, Any]:
    """ListApplications with the filters given (``overdue``: only those, whatever was given)."""
    waiting = set(getattr(args, "waiting", None) or ())
    request = query_pb2.ListApplicationsRequest(
        agency=args.agency or "",
        states=getattr(args, "state", None) or [],
        all_states=getattr(args, "all", False),
        office=getattr(args, "office", None) or "",
        overdue=overdue or getattr(args, "overdue", False),
        waiting_correction="correction" in waiting,
        waiting_fee="fee" in waiting,
        waiting_consultation="consultation" in waiting,
        received_from=getattr(args, "received_from", None) or "",
        received_to=getattr(args, "received_to", None) or "",
        applicant_type=getattr(args, "applicant_type", None) or "",
        applicant_id_doc=getattr(args, "id_doc", None) or "",
        outcome=getattr(args, "outcome", None) or "",
        sort=getattr(args, "sort", None) or "",
        page_size=args.page_size or 0,
        up_to_date=getattr(args, "up_to_date", False),
    )
    if getattr(args, "due_within", None) is not None:
        request.due_within_days = args.due_within

    def fetch(token: str) -> Any:
        request.page_token = token
        return _ask(clients, "ListApplications", request, _timeout(args))

    return _paged(fetch, "applications", args)


def list_applications(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """The work queue: the agency's open applications, due date first (by default)."""
    return _applications(clients, args)


def find(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """An application number is looked up exactly (FindApplication); other text is a search
    for applications holding all its words (SearchApplications, Chinese segmented)."""
    text = " ".join(args.words).strip()
    if is_number(text):
        return find_number(clients, text)
    request = query_pb2.SearchApplicationsRequest(
        words=text,
        agency=args.agency or "",
        page_size=args.page_size or 0,
        up_to_date=args.up_to_date,
    )

    def fetch(token: str) -> Any:
        request.page_token = token
        return _ask(clients, "SearchApplications", request, _timeout(args))

    return _paged(fetch, "applications", args)


def cases(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """A supervision bureau's complaint cases (Art. 47, 51), newest first."""
    request = query_pb2.ListComplaintCasesRequest(
        bureau=args.bureau or "",
        states=args.state or [],
        against_agency=args.against or "",
        page_size=args.page_size or 0,
    )

    def fetch(token: str) -> Any:
        request.page_token = token
        return _ask(clients, "ListComplaintCases", request)

    return _paged(fetch, "cases", args)


def _agency_staff(clients: Clients) -> bool:
    """Whether the caller is staff of an agency that is not a supervision bureau."""
    principal = holder(clients.token)
    if principal is None or principal.role != "staff":
        return False
    agency = registry().find(principal.agency)
    return agency is not None and agency.kind != BUREAU


def overdue(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """For an agency (``--agency``, or its own staff): its open applications past their due
    date. For a supervision bureau: the overdue reports it received (the reply clock declares
    an application overdue and tells the bureau, Art. 47)."""
    if not args.bureau and (args.agency or _agency_staff(clients)):
        if args.since:
            raise InvalidInput("since", "只用于监督机构收到的逾期报告（--bureau）")
        return _applications(clients, args, overdue=True)
    request = query_pb2.ListOverdueReportsRequest(
        bureau=args.bureau or "",
        since=args.since or "",
        agency=args.agency or "",
        page_size=args.page_size or 0,
    )

    def fetch(token: str) -> Any:
        request.page_token = token
        return _ask(clients, "ListOverdueReports", request)

    return _paged(fetch, "reports", args)


def consultations(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """The consultations other agencies addressed to the agency (Art. 34)."""
    request = query_pb2.ListConsultationsRequest(
        agency=args.agency or "", open_only=args.open, page_size=args.page_size or 0
    )

    def fetch(token: str) -> Any:
        request.page_token = token
        return _ask(clients, "ListConsultations", request)

    return _paged(fetch, "consultations", args)


def figures(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """Each agency's open and overdue applications and median working days to reply."""
    request = query_pb2.GetAgencyFiguresRequest(bureau=args.bureau or "")
    return as_dict(_ask(clients, "GetAgencyFigures", request))


def rebuild(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """Drop the read model of each agency named and replay the stream into it: without
    ``--agency``, the caller's own agency (staff) or every registered agency (operator)."""
    agencies: list[str] = list(dict.fromkeys(args.agency or ()))
    if not agencies:
        principal = holder(clients.token)
        own = principal.agency if principal and principal.role == "staff" else ""
        agencies = [own] if own else [a.code for a in registry().all()]
    rebuilt = []
    for agency in agencies:
        request = query_pb2.RebuildReadModelRequest(agency=agency)
        answer = _ask(clients, "RebuildReadModel", request, REBUILD_TIMEOUT)
        rebuilt.append({"agency": agency} | as_dict(answer))
    return {"rebuilt": rebuilt}
