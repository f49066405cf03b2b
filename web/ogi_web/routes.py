"""Every page and form of the web front end, by path. No personal data is ever in a path or a
query: numbers, identity digits, names and search words are posted."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ogi_web.pages import page
from ogi_web.portal import apply, complain, lookup


async def home(request: Request) -> HTMLResponse:
    return page(request, "index.html")


ROUTES = [
    Route("/", home),
    Route("/apply", apply.show_form, methods=["GET"]),
    Route("/apply", apply.submit, methods=["POST"]),
    Route("/lookup", lookup.show_form, methods=["GET"]),
    Route("/lookup", lookup.look_up, methods=["POST"]),
    Route("/lookup/letter", lookup.letter, methods=["POST"]),
    Route("/complain", complain.complain, methods=["POST"]),
]
