"""The tokens the web sends, signed with the secret the services verify (ogi_platform.rpc.auth).

- The portal's own token (role ``portal``), for what applicants do: submit, read one
  application by its id, find one by its number with the last characters of the applicant's
  identity document (the query service checks them), complain.
- A staff member's token: pasted at sign-in, or made for an account of the operator's file
  (``ogi web user add``) when its password is given; it expires the next day.
"""

from __future__ import annotations

from datetime import timedelta

from ogi_platform.rpc.auth import Principal, issue_token, verify_token
from ogi_platform.today import today_in_china

PORTAL = Principal("portal", "web")


class Credentials:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _issue(self, principal: Principal) -> str:
        today = today_in_china()
        return issue_token(self.secret, principal, today, today + timedelta(days=1))

    def portal(self) -> str:
        return self._issue(PORTAL)

    def staff(self, principal: Principal) -> str:
        return self._issue(principal)

    def verify(self, token: str) -> Principal:
        """Who the token names; Unauthenticated if forged, malformed or expired."""
        return verify_token(self.secret, token, today_in_china())
