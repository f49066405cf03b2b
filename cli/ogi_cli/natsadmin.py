"""`ogi nats provision`: the NATS administrator creates the streams and every agency's
consumers (deploy/nats/README.md), for services that connect as their agency's own user."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

import nats

from complaint.main import SPEC as COMPLAINT
from govcommon.agencies import load_agencies
from govcommon.errors import InvalidInput
from govcommon.provision import provision as provision_all
from intake.main import SPEC as INTAKE
from ogi_cli.endpoints import nats_login
from reply.main import SPEC as REPLY
from review.main import SPEC as REVIEW
from routing.main import SPEC as ROUTING

SPECS = [INTAKE, ROUTING, REVIEW, REPLY, COMPLAINT]


def provision(args: argparse.Namespace) -> dict[str, Any]:
    agency_file = os.environ.get("OGI_AGENCY_FILE")
    registry = load_agencies(Path(agency_file) if agency_file else None)
    agencies = args.agency or registry.codes()
    for code in agencies:
        registry.get(code, "agency")
    login = nats_login(args.url, args.user, args.password)
    if login.user and not login.password:
        raise InvalidInput("password", f"is required for NATS user {login.user}")
    consumers = asyncio.run(_provision(login.url, login.user, login.password, agencies, registry))
    return {"nats": login.url, "consumers": consumers}


async def _quiet(error: Exception) -> None:
    """nats-py prints every connection error with its traceback; the CLI reports one line."""


async def _provision(
    url: str, user: str, password: str, agencies: list[str], registry: Any
) -> list[dict[str, object]]:
    try:
        nc = await asyncio.wait_for(
            nats.connect(
                url,
                name="ogi-provision",
                user=user or None,
                password=password or None,
                allow_reconnect=False,
                connect_timeout=5,
                error_cb=_quiet,
            ),
            10,
        )
    except (OSError, TimeoutError, nats.errors.Error) as error:
        reason = str(error) or type(error).__name__
        raise InvalidInput("url", f"cannot connect to NATS at {url}: {reason}") from None
    try:
        return await provision_all(nc.jetstream(), registry, agencies, SPECS)
    finally:
        await nc.close()


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    nats_parser = sub.add_parser("nats", parents=[common], help="NATS administration")
    steps = nats_parser.add_subparsers(
        dest="nats_command", required=True, parser_class=type(nats_parser)
    )
    provisioned = steps.add_parser(
        "provision", parents=[common], help="create the streams and every agency's consumers"
    )
    provisioned.add_argument("--url", help="NATS URL (default OGI_NATS_URL)")
    provisioned.add_argument("--user", help="an admin user (default admin, with a password)")
    provisioned.add_argument("--password", help="its password (default ADMIN_NATS_PASSWORD)")
    provisioned.add_argument("--agency", action="append", help="only these agencies (repeat)")
    provisioned.set_defaults(local=provision)
