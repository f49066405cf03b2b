"""`ogi nats provision`: the NATS administrator creates the streams and every agency's
consumers (deploy/nats/README.md), for services that connect as their agency's own user."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from ogi_cli import recover
from ogi_cli.endpoints import NatsLogin, nats_login
from ogi_cli.helptext import AGENCIES
from ogi_cli.natsclient import admin_client
from ogi_cli.parser import GROUPS, Commands, nats_options
from ogi_cli.provision import provision as provision_all
from ogi_cli.registry import registry
from ogi_contracts import CONTRACTS


def provision(args: argparse.Namespace) -> dict[str, Any]:
    agencies = args.agency or registry().codes()
    for code in agencies:
        registry().get(code, "agency")
    login = nats_login(args.url, args.user, args.password)
    consumers = asyncio.run(_provision(login, agencies, registry()))
    return {"nats": login.url, "consumers": consumers}


async def _provision(
    login: NatsLogin, agencies: list[str], registry: Any
) -> list[dict[str, object]]:
    nc = await admin_client(login, "ogi-provision")
    try:
        return await provision_all(nc.jetstream(), registry, agencies, CONTRACTS)
    finally:
        await nc.close()


def add_parsers(add: Commands) -> None:
    steps = Commands(add("nats", GROUPS["nats"][1]), "nats_command")
    provisioned = steps("provision", "创建事件流和每个机关的消费者", "provision")
    nats_options(provisioned)
    provisioned.add_argument(
        "--agency", action="append", help=f"只为这些机关（可重复）：\n{AGENCIES}"
    )
    provisioned.set_defaults(local=provision)
    recover.add_parser(steps)
