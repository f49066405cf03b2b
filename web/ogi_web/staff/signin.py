"""Signing in: a staff token (`ogi token issue --role staff`), or a username and password of the
operator's accounts file (`ogi web user add`), which yields a token of that agency and role. The
session then holds the token; signing out forgets it."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ogi_cli.webusers import signed_in as account_signed_in
from ogi_errors import Unauthenticated
from ogi_web.forms import Input, Posted, checked
from ogi_web.pages import page
from ogi_web.portal.public import public_post
from ogi_web.session import posted
from ogi_web.state import shared

INPUTS = (
    Input("username", "用户名"),
    Input("password", "密码"),
    Input("token", "或者：访问令牌", "textarea", hint="运维人员签发的令牌（ogi token issue）"),
)
WRONG = "用户名或密码不正确。"


async def show_form(request: Request) -> HTMLResponse:
    return page(request, "staff/signin.html", inputs=INPUTS, posted=Posted())


def _token(request: Request, form: Posted) -> str:
    """The token the form yields; "" with form.problem set when it yields none."""
    web = shared(request)
    if form.text("token"):
        try:
            principal = web.credentials.verify(form.text("token"))
        except Unauthenticated:
            form.problem = "令牌无效或者已过期。"
            return ""
        if principal.role not in ("staff", "operator"):
            form.problem = "该令牌不是工作人员的令牌。"
            return ""
        return form.text("token")
    if not form.text("username") or not form.text("password"):
        form.problem = "请填写用户名和密码，或者粘贴访问令牌。"
        return ""
    accounts = web.settings.users_file
    account = (
        account_signed_in(accounts, form.text("username"), form.text("password"))
        if accounts
        else None
    )
    if account is None:
        form.problem = WRONG
        return ""
    return web.credentials.staff(account)


async def sign_in(request: Request) -> Response:
    form = checked(await public_post(request, "signin"), INPUTS)
    token = _token(request, form)
    if not token:
        form.values.pop("password", None)
        return page(request, "staff/signin.html", 401, inputs=INPUTS, posted=form)
    back = str(request.session.get("back") or "/staff/")
    request.session.clear()
    request.session["token"] = token
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse(back if back.startswith("/") else "/staff/", 303)


async def sign_out(request: Request) -> Response:
    await posted(request)
    request.session.clear()
    return RedirectResponse("/", 303)
