"""The web application: the portal's, the staff console's and the bureau's routes, the session
cookie (signed, HttpOnly, SameSite=Strict), the static files (htmx vendored, no build step), and
errors as pages in Chinese, never a stack trace."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ogi_web import routes
from ogi_web.backend import Backend, ServiceError
from ogi_web.config import Settings
from ogi_web.credentials import Credentials
from ogi_web.endpoints import ServiceMap
from ogi_web.errors import PageError
from ogi_web.pages import page
from ogi_web.ratelimit import RateLimit
from ogi_web.session import SignInRequired
from ogi_web.state import WebState

log = logging.getLogger("ogi_web")
SESSION_HOURS = 8
HTTP_TITLES = {404: "页面不存在", 405: "不支持这种访问方式"}


def session_key(secret: bytes) -> str:
    """The cookie's signing key, derived from the token secret (a session survives a restart
    of the web process, and nothing else can sign one)."""
    return hmac.new(secret, b"ogi-web-session", hashlib.sha256).hexdigest()


async def _page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    return page(request, "error.html", error.status, title=error.title, message=error.message)


async def _service_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ServiceError)
    return await _page_error(request, PageError.of(error))


async def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    request.session["back"] = error.back
    return RedirectResponse("/staff/signin", 303)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    title = HTTP_TITLES.get(error.status_code, "请求有误")
    return page(request, "error.html", error.status_code, title=title, message="")


async def _fault(request: Request, error: Exception) -> Response:
    log.exception("fault serving %s", request.url.path, exc_info=error)
    return page(request, "error.html", 500, title="系统出错", message="请稍后再试。")


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Settings) -> Starlette:
    web = WebState(
        settings=settings,
        backend=Backend(ServiceMap(settings.endpoints_file, settings.endpoints)),
        credentials=Credentials(settings.secret),
        limits=RateLimit(settings.rate_limit, settings.rate_window),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await web.backend.close()

    static = StaticFiles(directory=Path(__file__).parent / "static")
    table: list[BaseRoute] = [
        Route("/healthz", _health),
        Mount("/static", static, name="static"),
        *routes.ROUTES,
    ]
    app = Starlette(
        routes=table,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_key(settings.secret),
                session_cookie="ogi_session",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
                https_only=settings.secure_cookies,
            )
        ],
        exception_handlers={
            PageError: _page_error,
            ServiceError: _service_error,
            SignInRequired: _sign_in,
            HTTPException: _http_error,
            Exception: _fault,
        },
        lifespan=lifespan,
    )
    app.state.web = web
    return app
