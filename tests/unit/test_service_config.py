"""A service's numeric settings are checked when it starts: a bad one is refused, naming the
variable, before anything opens (a port, intervals, day counts, and the connection and thread
counts the stores and the writer pool read)."""

from __future__ import annotations

import pytest

from ogi_errors import InvalidInput
from ogi_platform.service.config import CHECKED_ELSEWHERE, load_config
from routing.main import SPEC

SETTINGS = (
    "OGI_GRPC_PORT",
    "OGI_TICK_SECONDS",
    "OGI_DUE_SOON_DAYS",
    "OGI_RECTIFICATION_DAYS",
    "OGI_STALL_SECONDS",
    *CHECKED_ELSEWHERE,
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_TOKEN_SECRET", "s" * 40)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


def refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> InvalidInput:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput) as refusal:
        load_config(SPEC.name, SPEC.default_port, SPEC.default_agencies)
    return refusal.value


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("OGI_GRPC_PORT", "abc", "'abc' is not a whole number"),
        ("OGI_GRPC_PORT", "70000", "must be from 0 to 65535"),
        ("OGI_TICK_SECONDS", "soon", "'soon' is not a number of seconds"),
        ("OGI_TICK_SECONDS", "0", "must be more than 0 seconds"),
        ("OGI_STALL_SECONDS", "-5", "must be more than 0 seconds"),
        ("OGI_DUE_SOON_DAYS", "-1", "must be at least 0"),
        ("OGI_RECTIFICATION_DAYS", "0", "must be at least 1"),
        ("OGI_PG_CONNECTIONS", "four", "'four' is not a whole number"),
        ("OGI_PG_READ_CONNECTIONS", "0", "must be at least 1"),
        ("OGI_WRITER_THREADS", "2.5", "'2.5' is not a whole number"),
    ],
)
def test_a_bad_setting_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reason: str
) -> None:
    refusal = refused(monkeypatch, name, value)
    assert (refusal.field, refusal.message) == (name, reason)


def test_settings_are_read_and_unset_ones_take_their_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(SPEC.name, SPEC.default_port, SPEC.default_agencies)
    assert (config.grpc_port, config.tick_seconds, config.due_soon_days) == (
        SPEC.default_port,
        60.0,
        5,
    )
    for name, value in {
        "OGI_GRPC_PORT": "0",
        "OGI_TICK_SECONDS": "0.3",
        "OGI_DUE_SOON_DAYS": "0",
        "OGI_RECTIFICATION_DAYS": "10",
        "OGI_STALL_SECONDS": "5",
        "OGI_PG_CONNECTIONS": "2",
    }.items():
        monkeypatch.setenv(name, value)
    config = load_config(SPEC.name, SPEC.default_port, SPEC.default_agencies)
    assert (config.grpc_port, config.tick_seconds, config.due_soon_days) == (0, 0.3, 0)
    assert (config.rectification_days, config.stall_seconds) == (10, 5.0)
