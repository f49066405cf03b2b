"""The session (a signed cookie: HttpOnly, SameSite=Strict) and what it holds: the CSRF token of
every form, the signed-in staff member's token, the application an applicant looked up.

Every POST carries the session's CSRF token in a hidden field (``csrf``); a post without it, or
with another, is refused before anything is done.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request

from ogi_contracts.contract import BUREAU
from ogi_errors import Unauthenticated
from ogi_law.agencies import AgencyRegistry
from ogi_platform.rpc.auth import Principal
from ogi_web.errors import PageError
from ogi_web.state import shared


class SignInRequired(Exception):
    """The page is for signed-in staff: sign in first, then come back to ``back``."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member (or operator) and the token the services are called with."""

    principal: Principal
    token: str

    @property
    def agency(self) -> str:
        return self.principal.agency


def csrf_token(request: Request) -> str:
    token: str | None = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def posted(request: Request) -> FormData:
    """The posted form, if it carries this session's CSRF token; else a 403 page."""
    form = await request.form()
    sent = str(form.get("csrf") or "")
    expected = str(request.session.get("csrf") or "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PageError(
            403,
            "表单已失效或来源不明",
            "为防止跨站请求伪造，每个表单都带有本次访问的校验码。请回到上一页，刷新后重新提交。",
        )
    return form


def signed_in(request: Request) -> Staff | None:
    """The staff member of this session; none (and the session forgets the token) once the
    token expired or is not ours."""
    token = request.session.get("token")
    if not token:
        return None
    try:
        principal = shared(request).credentials.verify(token)
    except Unauthenticated:
        request.session.pop("token", None)
        return None
    return Staff(principal, token)


def staff(request: Request) -> Staff:
    """The signed-in staff member or operator; else to the sign-in page and back."""
    who = signed_in(request)
    if who is None or who.principal.role not in ("staff", "operator"):
        raise SignInRequired(request.url.path)
    return who


def bureau(request: Request, registry: AgencyRegistry) -> Staff:
    """Staff of a supervision bureau (Art. 47, 51) or an operator: the bureau's desk."""
    who = staff(request)
    if who.principal.role == "operator":
        return who
    agency = registry.find(who.agency)
    if agency is None or agency.kind != BUREAU:
        raise PageError(
            403, "无权办理", "投诉案件由政府信息公开工作主管部门（监督机构）的工作人员办理。"
        )
    return who
