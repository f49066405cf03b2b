"""The stream each position of a store refers to (eventstore.store.StreamIdentities): opening a
store and its checks makes and changes nothing; the first adoption makes the table; the relay's
and the inbox's checks of a store adopt side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from bushelpers import open_app, statements_sent

from ogi_platform.eventstore.store import Adoption
from ogi_platform.messaging.bus import INBOX_POSITION, RELAY_POSITION
from ogi_platform.messaging.streamguard import identities_of
from routing.application import RoutingApplication


def test_a_store_has_no_stream_until_it_adopts_one(database_url: str) -> None:
    app = open_app(RoutingApplication, database_url)
    try:
        identities = identities_of(app)
        assert identities.get(RELAY_POSITION) is None
        assert identities.adopt(RELAY_POSITION, "ogi-events@1") == Adoption("ogi-events@1", 1)
        assert identities.get(RELAY_POSITION) == Adoption("ogi-events@1", 1)
        assert identities.get(INBOX_POSITION) is None
        assert identities.adopt(RELAY_POSITION, "ogi-events@2") == Adoption("ogi-events@2", 2)
        again = identities_of(app)  # another check of the store, later: it reads what is there
        assert again.get(RELAY_POSITION) == Adoption("ogi-events@2", 2)
    finally:
        app.close()


def test_checking_a_store_that_adopted_its_streams_changes_nothing(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL, reading a store's streams sends no statement that makes anything, and no
    transaction that commits (a thousand agencies' stores are checked at every start)."""
    app = open_app(RoutingApplication, pg_url)
    try:
        identities_of(app).adopt(RELAY_POSITION, "ogi-events@1")
        sent = statements_sent(monkeypatch)
        assert identities_of(app).get(RELAY_POSITION) == Adoption("ogi-events@1", 1)
        assert not [s for s in sent if "CREATE" in s.upper()], sent
    finally:
        app.close()


def test_the_relay_and_the_inbox_of_a_new_store_adopt_side_by_side(database_url: str) -> None:
    app = open_app(RoutingApplication, database_url)
    try:
        upstreams = [RELAY_POSITION, INBOX_POSITION] * 4
        with ThreadPoolExecutor(max_workers=len(upstreams)) as pool:
            adopted = list(
                pool.map(lambda up: identities_of(app).adopt(up, "ogi-events@1"), upstreams)
            )
        assert set(adopted) == {Adoption("ogi-events@1", 1)}
        assert identities_of(app).get(INBOX_POSITION) == Adoption("ogi-events@1", 1)
    finally:
        app.close()
