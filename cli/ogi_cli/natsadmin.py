"""`ogi nats provision`: the NATS administrator creates the streams and every agency's
consumers (deploy/nats/README.md), for services that connect as their agency's own user."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from ogi_cli import recover
from ogi_cli.endpoints import NatsLogin, nats_login
from ogi_cli.natsclient import admin_client
from ogi_cli.provision import provision as provision_all
from ogi_contracts import CONTRACTS
from ogi_law.agencies import load_agencies


def provision(args: argparse.Namespace) -> dict[str, Any]:
    agency_file = os.environ.get("OGI_AGENCY_FILE")
    registry = load_agencies(Path(agency_file) if agency_file else None)
    agencies = args.agency or registry.codes()
    for code in agencies:
        registry.get(code, "agency")
    login = nats_login(args.url, args.user, args.password)
    consumers = asyncio.run(_provision(login, agencies, registry))
    return {"nats": login.url, "consumers": consumers}


async def _provision(
    login: NatsLogin, agencies: list[str], registry: Any
) -> list[dict[str, object]]:
    nc = await admin_client(login, "ogi-provision")
    try:
        return await provision_all(nc.jetstream(), registry, agencies, CONTRACTS)
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
    recover.add_parser(steps, common)
