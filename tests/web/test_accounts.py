"""The web's staff accounts: `ogi web user add` writes salted scrypt hashes, readable by the
operator alone; signing in yields the account's agency and role, never for a wrong password or
an unknown name."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from ogi_cli.main import main
from ogi_cli.webusers import hash_password, password_matches, read_accounts, signed_in


def add(path: Path, monkeypatch: pytest.MonkeyPatch, password: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["web", "user", "add", *args, "--file", str(path)])


def test_an_account_is_a_salted_hash_and_signs_in_as_its_agency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "web-users.json"
    assert add(path, monkeypatch, "长期有效的密码2026", "张三", "--agency", "municipal-office") == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "长期有效的密码2026" not in text
    assert json.loads(text)["users"]["张三"]["hash"].startswith("scrypt$")
    principal = signed_in(path, "张三", "长期有效的密码2026")
    assert principal is not None
    assert principal.actor == "staff:张三@municipal-office"
    assert signed_in(path, "张三", "另一个密码2026") is None
    assert signed_in(path, "李四", "长期有效的密码2026") is None


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = hash_password("同一个密码abc"), hash_password("同一个密码abc")
    assert first != second
    assert password_matches("同一个密码abc", first) and password_matches("同一个密码abc", second)
    assert not password_matches("同一个密码abc", "md5$whatever")


def test_refused_accounts_are_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "web-users.json"
    assert add(path, monkeypatch, "short", "张三", "--agency", "municipal-office") == 2
    assert add(path, monkeypatch, "long enough 1", "张三") == 2  # staff without an agency
    assert add(path, monkeypatch, "long enough 1", "张三", "--agency", "nowhere") == 2
    assert add(path, monkeypatch, "long enough 1", "门户", "--role", "portal") == 2
    assert not path.exists()
    assert read_accounts(path) == {}
    assert capsys.readouterr().err.count("ogi：") == 4
