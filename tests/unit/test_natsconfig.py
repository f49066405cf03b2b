"""The embedded NATS of `ogi up`: its users are those of deploy/nats; its data folder is private;
its supervisor gives up on a process only when it keeps dying."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from test_deploy_files import NATS_CONF, _parse_nats_conf, _venv_tool

from ogi_cli.datafolder import make_private, nats_passwords, without_password, write_nats_files
from ogi_cli.up import MAX_RESTARTS, RESTART_WINDOW, RestartWindow
from ogi_law.agencies import DEFAULT_AGENCIES
from ogi_platform.natsconfig import ADMIN, render

PASSWORDS = {name: f"pw-{name}" for name in (ADMIN, *DEFAULT_AGENCIES)}


def _users(text: str) -> dict[str, dict[str, list[str]]]:
    """Each user's permissions as sorted subject lists: {"publish": [...], "subscribe": [...]}."""
    users = _parse_nats_conf(text)["authorization"]["users"]
    return {
        user["user"]: {way: sorted(rule["allow"]) for way, rule in user["permissions"].items()}
        for user in users
    }


def test_rendered_users_have_exactly_the_permissions_of_the_deployment() -> None:
    rendered = _users(render(PASSWORDS))
    deployed = _users(NATS_CONF.read_text(encoding="utf-8"))
    assert list(rendered) == [ADMIN, *DEFAULT_AGENCIES]
    assert rendered == deployed


def test_rendered_config_has_jetstream_and_the_given_passwords() -> None:
    config = _parse_nats_conf(render(PASSWORDS))
    assert config["jetstream"] == "enabled"
    users = config["authorization"]["users"]
    assert {user["user"]: user["password"] for user in users} == PASSWORDS


@pytest.mark.nats
def test_nats_server_accepts_the_rendered_config(tmp_path: Path) -> None:
    binary = _venv_tool("nats-server")
    if not binary.exists():
        found = shutil.which("nats-server")
        if found is None:
            pytest.skip("no nats-server binary")
        binary = Path(found)
    passwords = PASSWORDS | {ADMIN: "12345"}  # quoted: not read as a number
    config = tmp_path / "nats.conf"
    config.write_text(render(passwords), encoding="utf-8")
    result = subprocess.run(
        [str(binary), "-t", "-c", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_passwords_are_made_once_and_kept_private(tmp_path: Path) -> None:
    first = nats_passwords(tmp_path, DEFAULT_AGENCIES)
    assert set(first) == {ADMIN, *DEFAULT_AGENCIES}
    assert len(set(first.values())) == len(first) and all(len(p) >= 24 for p in first.values())
    assert nats_passwords(tmp_path, DEFAULT_AGENCIES) == first
    more = nats_passwords(tmp_path, (*DEFAULT_AGENCIES, "new-bureau"))
    assert {k: v for k, v in more.items() if k != "new-bureau"} == first
    config, admin = write_nats_files(tmp_path, more)
    assert json.loads(admin.read_text(encoding="utf-8")) == {"user": ADMIN, "password": more[ADMIN]}
    assert [_mode(path) for path in sorted(tmp_path.iterdir())] == [0o600] * 3
    assert _users(config.read_text(encoding="utf-8"))["new-bureau"]["subscribe"] == [
        "_INBOX_new-bureau.>"
    ]


def test_unreadable_passwords_are_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "nats-users.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot read the NATS passwords"):
        nats_passwords(tmp_path, DEFAULT_AGENCIES)


def test_make_private_closes_a_folder_written_before(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "stores" / "intake").mkdir(parents=True)
    (folder / "stores" / "intake" / "events.db").write_text("x")
    (folder / "endpoints.json").write_text("{}")
    for path in (folder, folder / "stores", folder / "stores" / "intake"):
        path.chmod(0o755)
    make_private(folder)
    assert _mode(folder) == _mode(folder / "stores") == _mode(folder / "stores" / "intake") == 0o700
    assert _mode(folder / "stores" / "intake" / "events.db") == 0o600
    assert _mode(folder / "endpoints.json") == 0o600


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:/srv/ogi/stores", "sqlite:/srv/ogi/stores"),
        ("postgresql://postgres@127.0.0.1:5432/ogi", "postgresql://postgres@127.0.0.1:5432/ogi"),
        ("postgresql://ogi:s3cret@db:5432/ogi", "postgresql://ogi@db:5432/ogi"),
        (
            "postgresql://db/ogi?sslmode=require&password=s3cret",
            "postgresql://db/ogi?sslmode=require",
        ),
        ("nats://admin:s3cret@127.0.0.1:4222", "nats://admin@127.0.0.1:4222"),
    ],
)
def test_urls_are_shown_without_password(url: str, shown: str) -> None:
    assert without_password(url) == shown


def test_restart_limit_counts_within_a_window_not_over_a_life() -> None:
    window = RestartWindow()
    for i in range(MAX_RESTARTS):
        assert not window.exhausted(float(i))
        window.count(float(i))
    assert window.exhausted(MAX_RESTARTS - 0.5), "the 6th restart within a minute is refused"
    # a process dying once every few minutes over days is restarted every time
    later = RESTART_WINDOW + 0.5
    assert not window.exhausted(later)
    window.count(later)
    steady = RestartWindow()
    for hour in range(100):
        assert not steady.exhausted(hour * 600.0)
        steady.count(hour * 600.0)
