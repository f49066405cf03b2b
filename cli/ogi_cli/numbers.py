"""Application numbers where an application id is taken: the number an agency printed on its
letters (``SZFB-2026-00001``: its prefix, the year of receipt, the count of the year, as intake
numbers an accepted application) is looked up once through the query service's FindApplication,
before the command's own call, and the command then runs with the application's id.

The read model is a moment behind the services: a number `ogi apply` has just printed may not
be in it yet. A number not found is therefore asked again with ``up_to_date`` (the query waits
until it has applied what the bus holds), and once more a second later (the service's relay may
not have put the acceptance on the bus yet), before it is called unknown.
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

import grpc
from ogi.v1 import query_pb2

from ogi_cli.client import TIMEOUT_SECONDS, Clients
from ogi_cli.commands import as_dict
from ogi_errors import NotFound
from ogi_platform.ids import is_application_id

#: An agency's prefix (letters, digits, hyphens), the year, the count of the year (5 digits
#: or more). An application id (``A7K3M9QXW2PZR``) has no hyphen, so never matches.
NUMBER = re.compile(r"[A-Z][A-Z0-9-]*-\d{4}-\d{5,}", re.IGNORECASE)
#: An up-to-date answer waits up to 30 s for the read model (query.catchup).
UP_TO_DATE_TIMEOUT = TIMEOUT_SECONDS + 30.0
#: How long the relay of a just accepted application is given before asking again.
RELAY_SECONDS = 1.0


def is_number(text: str) -> bool:
    """Whether ``text`` is written as an application number (not whether one was given)."""
    return bool(NUMBER.fullmatch(text.strip()))


def _find(clients: Clients, number: str, up_to_date: bool) -> dict[str, Any] | None:
    """FindApplication's answer (``application``, ``today``), None when it is not found."""
    request = query_pb2.FindApplicationRequest(number=number, up_to_date=up_to_date)
    timeout = UP_TO_DATE_TIMEOUT if up_to_date else TIMEOUT_SECONDS
    try:
        return as_dict(clients.api("query").FindApplication(request, timeout=timeout))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise


def find_number(clients: Clients, number: str) -> dict[str, Any]:
    """The application this number was given to, as the query service answers; NotFound in
    Chinese (the caller may also not read that agency's applications: the service tells them
    apart from no one)."""
    number = number.strip().upper()
    found = _find(clients, number, up_to_date=False) or _find(clients, number, up_to_date=True)
    if found is None:
        time.sleep(RELAY_SECONDS)
        found = _find(clients, number, up_to_date=True)
    if found is None:
        raise NotFound(f"申请编号 {number} 不存在，或者您无权查看该机关的申请")
    return found


def resolve_numbers(clients: Clients, args: argparse.Namespace) -> None:
    """Replace an application number given as the command's application id by the id."""
    given = str(getattr(args, "application_id", "") or "")
    if given and not is_application_id(given) and is_number(given):
        args.application_id = find_number(clients, given)["application"]["application_id"]
