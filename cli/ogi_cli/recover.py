"""`ogi nats recover`: the operator adopts the event stream NATS has now as the system's own.

After the stream was lost and recreated (a lost volume, a new NATS), the services refuse it: their
stores' positions refer to the old one (ogi_platform.messaging.streamguard) and health says so.
This command records the new stream's identity in every store that has positions; the running
services see it within seconds: each relay publishes its whole store again into the new stream
(JetStream drops repeats within the duplicate window), each inbox reads the new stream from its
beginning, and the handlers pass over the events they have already handled (they keep the upstream
event ids).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

from eventsourcing.persistence import PersistenceError

from ogi_cli.endpoints import endpoints_file, nats_login
from ogi_cli.helptext import AGENCIES
from ogi_cli.natsclient import admin_client
from ogi_cli.parser import Commands, nats_options
from ogi_cli.registry import registry
from ogi_contracts import CONTRACTS
from ogi_errors import InvalidInput
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import store_location
from ogi_platform.messaging.bus import INBOX_POSITION, RELAY_POSITION, ensure_streams
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.messaging.streamguard import identities_of, stream_identity


def _database_url(given: str | None) -> str | None:
    """--database-url, else OGI_DATABASE_URL, else the stores of the system `ogi up` started."""
    if given or os.environ.get("OGI_DATABASE_URL"):
        return given or os.environ["OGI_DATABASE_URL"]
    path = endpoints_file()
    try:
        described = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        described = {}
    return str(described.get("database") or "") or None


def recover(args: argparse.Namespace) -> dict[str, Any]:
    agencies = args.agency or registry().codes()
    for code in agencies:
        registry().get(code, "agency")
    login = nats_login(args.url, args.user, args.password)
    identity = asyncio.run(_current_stream(login))
    url = _database_url(args.database_url)
    data_dir = Path(args.data_dir or os.environ.get("OGI_DATA_DIR") or "data")
    adopted = [
        entry
        for code in agencies
        for contract in CONTRACTS
        for entry in _adopt(contract.service, code, url, data_dir, identity)
    ]
    return {"nats": login.url, "stream": identity, "adopted": adopted}


async def _current_stream(login: Any) -> str:
    """The identity of the event stream NATS has (made if it is missing)."""
    nc = await admin_client(login, "ogi-recover")
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        return stream_identity(await js.stream_info(EVENT_STREAM))
    finally:
        await nc.close()


def _store(service: str) -> type[OgiApplication]:
    """An application class that opens the service's store (no server code needed to read and
    adopt its stream identities)."""
    return type(f"{service}_store", (OgiApplication,), {"name": service, "service": service})


def _adopt(
    service: str, agency: str, url: str | None, data_dir: Path, identity: str
) -> list[dict[str, object]]:
    """Adopt ``identity`` for the positions a store has; a store that does not exist (or never
    recorded a stream) is left as it is, never created."""
    location = store_location(url, data_dir, agency, service)
    if location.postgres_dsn is None and not Path(location.env["SQLITE_DBNAME"]).exists():
        return []
    try:
        app = _store(service)(agency, env=location.env | {"CREATE_TABLE": "n"})
    except PersistenceError as error:
        raise InvalidInput("database_url", f"cannot open {location.description}: {error}") from None
    try:
        identities = identities_of(app)
        entries = []
        for upstream in (RELAY_POSITION, INBOX_POSITION):
            current = identities.get(upstream)  # None: never recorded (nor the table made)
            if current is None or current.identity == identity:
                continue
            adoption = identities.adopt(upstream, identity)
            entries.append(
                {"agency": agency, "service": service, "upstream": upstream,
                 "from": current.identity, "epoch": adoption.epoch}
            )  # fmt: skip
        return entries
    finally:
        app.close()


def add_parser(steps: Commands) -> None:
    recovered = steps("recover", "采用 NATS 现有的事件流（事件流丢失并重建之后）", "recover")
    nats_options(recovered)
    recovered.add_argument(
        "--database-url", help="各服务的存储（默认 OGI_DATABASE_URL，或 ogi up 使用的）"
    )
    recovered.add_argument(
        "--data-dir", help="未给 URL 时 SQLite 存储所在目录（默认 OGI_DATA_DIR）"
    )
    recovered.add_argument(
        "--agency", action="append", help=f"只为这些机关（可重复）：\n{AGENCIES}"
    )
    recovered.set_defaults(local=recover)
