"""Tokens and what each role may do (ogi_platform.rpc.auth): pure, no server."""

from __future__ import annotations

from datetime import date

import pytest

from ogi_errors import InvalidInput, Unauthenticated
from ogi_platform.rpc.auth import Principal, allowed, checked_principal, issue_token, verify_token

SECRET = b"s" * 64
DAY = date(2026, 11, 24)
BUREAUS = frozenset({"supervision-bureau"})


def test_a_token_names_its_holder_and_only_verifies_under_its_secret() -> None:
    staff = Principal("staff", "张三", "municipal-office")
    token = issue_token(SECRET, staff, DAY)
    assert verify_token(SECRET, f"Bearer {token}", DAY) == staff
    assert staff.actor == "staff:张三@municipal-office"
    with pytest.raises(Unauthenticated, match="signature"):
        verify_token(b"t" * 64, token, DAY)
    prefix, _, signature = token.split(".")
    other = issue_token(SECRET, Principal("operator", "x"), DAY).split(".")[1]
    with pytest.raises(Unauthenticated, match="signature"):
        verify_token(SECRET, f"{prefix}.{other}.{signature}", DAY)
    for bad in ("", "Bearer ", "abc", "ogi2.a.b", "ogi1.a"):
        with pytest.raises(Unauthenticated):
            verify_token(SECRET, bad, DAY)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(SECRET, Principal("portal", "web"), DAY, expires_on=date(2026, 11, 30))
    assert verify_token(SECRET, token, date(2026, 11, 30)).role == "portal"
    with pytest.raises(Unauthenticated, match="expired on 2026-11-30"):
        verify_token(SECRET, token, date(2026, 12, 1))


@pytest.mark.parametrize(
    ("role", "name", "agency", "field"),
    [
        ("king", "x", "", "role"),
        ("staff", "x", "", "agency"),
        ("portal", "x", "municipal-office", "agency"),
        ("staff", " ", "municipal-office", "name"),
    ],
)
def test_bad_principals_name_the_field(role: str, name: str, agency: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_principal(role, name, agency)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("principal", "access", "agency", "expected"),
    [
        (Principal("staff", "a", "municipal-office"), "act", "municipal-office", True),
        (Principal("staff", "a", "municipal-office"), "act", "archives-bureau", False),
        (Principal("staff", "a", "municipal-office"), "read", "archives-bureau", False),
        (Principal("staff", "a", "municipal-office"), "supervise", "supervision-bureau", False),
        (Principal("staff", "a", "municipal-office"), "supervise", "municipal-office", False),
        (Principal("staff", "b", "supervision-bureau"), "supervise", "supervision-bureau", True),
        (Principal("staff", "b", "supervision-bureau"), "read", "archives-bureau", True),
        (Principal("staff", "b", "supervision-bureau"), "act", "archives-bureau", False),
        (Principal("portal", "web"), "submit", "archives-bureau", True),
        (Principal("portal", "web"), "read", "archives-bureau", True),
        (Principal("portal", "web"), "act", "archives-bureau", False),
        (Principal("portal", "web"), "supervise", "supervision-bureau", False),
        (Principal("operator", "root"), "act", "archives-bureau", True),
    ],
)
def test_what_each_role_may_do(
    principal: Principal, access: str, agency: str, expected: bool
) -> None:
    assert allowed(principal, access, agency, BUREAUS) is expected
