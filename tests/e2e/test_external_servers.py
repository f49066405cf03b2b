"""`ogi up` with OGI_DATABASE_URL and OGI_NATS_URL uses those servers instead of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import nats
import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from harness.ogisystem import OgiSystem

    from ogi_platform.natsserver import NatsServer

SERVICES = ("intake", "routing", "review", "reply", "complaint")
AGENCIES = ("municipal-office", "archives-bureau", "natural-resources-bureau", "supervision-bureau")


def tables_with_rows(url: str, schema: str) -> dict[str, int]:
    """Row counts of the tables of one schema."""
    with psycopg.connect(url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
        counts = {}
        for name in names:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            row = conn.execute(query).fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts


def rows_mentioning(url: str, schema: str, table: str, text: str) -> int:
    """Stored events of ``schema.table`` whose state mentions ``text``."""
    query = sql.SQL(
        "SELECT count(*) FROM {}.{} WHERE position(convert_to(%s, 'UTF8') in state) > 0"
    )
    with psycopg.connect(url) as conn:
        row = conn.execute(
            query.format(sql.Identifier(schema), sql.Identifier(table)), (text,)
        ).fetchone()
    return int(row[0]) if row else 0


async def stream_subjects(url: str) -> dict[str, int]:
    client = await nats.connect(url)
    try:
        info = await client.jetstream().stream_info("OGI", subjects_filter=">")
        return dict(info.state.subjects or {})
    finally:
        await client.close()


def test_up_uses_external_postgres_and_nats(
    nats_server: NatsServer,
    pg_url: str,
    system_factory: Callable[..., OgiSystem],
    tmp_path: Path,
) -> None:
    """The first `ogi up` on an empty database creates every service's tables and serves; an
    application walked through it is stored there and goes through the given NATS."""
    data = tmp_path / "up-data"
    system = system_factory(
        data=data,
        home=tmp_path / "up-home",
        env={"OGI_DATABASE_URL": pg_url, "OGI_NATS_URL": nats_server.url},
    )
    described = system.start()
    assert described["nats"] == nats_server.url
    assert described.get("database", pg_url) == pg_url
    cli = system.cli()  # the CLI in this process (the `ogi` program: test_walk)

    # the first `ogi up` on an empty database: every service created its tables and serves
    for name, address in described["services"].items():
        health = cli.ogi_json("health", "--service", name, "--address", address)
        assert health["serving"] is True, name
    for agency in AGENCIES:
        tables = tables_with_rows(pg_url, agency.replace("-", "_"))
        for service in SERVICES:
            assert any(t.startswith(service) for t in tables), (agency, service, tables)

    walked = cli.walk()
    app_id = walked["application"]["application_id"]
    trace = cli.trace(app_id)
    assert {e["service"] for e in trace["events"]} == set(SERVICES)

    # the event stores are in PostgreSQL, a schema per agency, a table per service
    office = tables_with_rows(pg_url, "municipal_office")
    for service in ("intake", "routing", "review", "reply"):
        filled = [t for t, n in office.items() if t.startswith(service) and n > 0]
        assert filled, f"no {service} rows in schema municipal_office: {office}"
        events = [t for t in office if t.startswith(service) and t.endswith("events")]
        assert events, f"no {service} events table in municipal_office: {office}"
        assert sum(rows_mentioning(pg_url, "municipal_office", t, app_id) for t in events) > 0
    bureau = tables_with_rows(pg_url, "supervision_bureau")
    complaints = [t for t in bureau if t.startswith("complaint") and t.endswith("events")]
    assert complaints and sum(bureau[t] for t in complaints) > 0, bureau
    assert sum(rows_mentioning(pg_url, "supervision_bureau", t, app_id) for t in complaints) > 0
    for agency in ("archives_bureau", "natural_resources_bureau"):
        assert tables_with_rows(pg_url, agency), f"schema {agency} has no tables"

    # nothing stored beside the data folder's logs: no SQLite stores, no NATS of its own
    assert not list(data.rglob("*.sqlite")), list(data.rglob("*.sqlite"))
    assert not (data / "nats").exists(), "`ogi up` started its own nats-server"

    # the events went through the given NATS server
    subjects = asyncio.run(stream_subjects(nats_server.url))
    for published in ("intake.ApplicationAccepted", "review.DecisionMade", "reply.ReplyIssued"):
        prefix = f"ogi.municipal-office.{published}"
        assert any(s.startswith(prefix) and n > 0 for s, n in subjects.items()), sorted(subjects)

    code = system.stop()
    assert code == 0
    assert not system.leftovers, system.leftovers
