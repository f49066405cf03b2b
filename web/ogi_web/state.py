"""What every request of the web process shares: its settings, the services, the tokens it
signs and the public forms' rate limit."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ogi_web.backend import Backend
from ogi_web.config import Settings
from ogi_web.credentials import Credentials
from ogi_web.ratelimit import RateLimit


@dataclass(frozen=True)
class WebState:
    settings: Settings
    backend: Backend
    credentials: Credentials
    limits: RateLimit


def shared(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web
