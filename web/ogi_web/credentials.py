"""The tokens the web sends, signed with the secret the services verify (ogi_platform.rpc.auth).

- The portal's own token (role ``portal``), for what applicants do: submit, read one
  application by its id, complain.
- A staff member's token: pasted at sign-in, or made for an account of the operator's file
  (``ogi web user add``) when its password is given; it expires the next day.
- The portal's lookup of an application number: the query service lists an agency's
  applications to its staff only, so the portal asks as ``staff:门户查询@<agency>`` of the agency
  whose prefix the number carries, and shows nothing unless the identity document's last digits
  match (``ogi_web.portal.lookup``).
"""

from __future__ import annotations

from datetime import timedelta

from ogi_platform.rpc.auth import Principal, issue_token, verify_token
from ogi_platform.today import today_in_china

PORTAL = Principal("portal", "web")
LOOKUP_NAME = "门户查询"


class Credentials:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _issue(self, principal: Principal) -> str:
        today = today_in_china()
        return issue_token(self.secret, principal, today, today + timedelta(days=1))

    def portal(self) -> str:
        return self._issue(PORTAL)

    def lookup(self, agency: str) -> str:
        return self._issue(Principal("staff", LOOKUP_NAME, agency))

    def staff(self, principal: Principal) -> str:
        return self._issue(principal)

    def verify(self, token: str) -> Principal:
        """Who the token names; Unauthenticated if forged, malformed or expired."""
        return verify_token(self.secret, token, today_in_china())
