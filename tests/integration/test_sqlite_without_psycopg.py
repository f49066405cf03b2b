"""A process whose stores are SQLite files never imports psycopg nor eventsourcing's PostgreSQL
module (a fifth of what a service process imports at start): the PostgreSQL side of the stores
(``eventstore.pgstore``, the writer leases' session, the platform tables) comes in only for a
store on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVICES = ("intake", "routing", "review", "reply", "complaint", "report", "query")
POSTGRES = ("psycopg", "psycopg_pool", "eventsourcing.postgres")


def loaded_after(code: str) -> set[str]:
    """The PostgreSQL modules in sys.modules after running ``code`` in a fresh Python."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1])) & set(POSTGRES)


def opening(database_url: str, data: Path) -> str:
    """Code importing every service and opening, locking and reading an intake store."""
    return "\n".join(
        [
            *(f"import {service}.main" for service in SERVICES),
            "from pathlib import Path",
            "from ogi_platform.eventstore.store import creating, store_location, stores_made",
            "from ogi_platform.eventstore.writerlock import WriterLock, acquire_all",
            "from intake.application import IntakeApplication",
            f"location = store_location({database_url!r} or None, Path({str(data)!r}),"
            " 'municipal-office', 'intake')",
            "stores_made('intake', {'municipal-office': location})",
            "dsn = location.postgres_dsn",
            "if dsn:",
            "    from ogi_platform.eventstore.leasesession import LockSession",
            "lock = WriterLock(location, 'intake', LockSession(dsn) if dsn else None)",
            "assert acquire_all([lock])",
            "with creating(location):",
            "    app = IntakeApplication('municipal-office', env=location.env)",
            "assert app.history('A0000000000001') == []",
            "app.close()",
        ]
    )


def test_a_process_on_sqlite_imports_nothing_of_postgresql(tmp_path: Path) -> None:
    assert loaded_after(opening("", tmp_path)) == set()


def test_a_process_on_postgresql_imports_it_when_it_opens_a_store(
    tmp_path: Path, pg_url: str
) -> None:
    assert loaded_after(opening(pg_url, tmp_path)) == set(POSTGRES)
