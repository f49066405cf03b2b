"""Every page and form of the web front end, by path. No personal data is ever in a path or a
query: numbers, identity digits, names and search words are posted."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ogi_web.bureau import cases, overdue, reports
from ogi_web.pages import page
from ogi_web.portal import apply, complain, lookup
from ogi_web.staff import casefile, consultations, queue, signin


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
    Route("/staff/signin", signin.show_form, methods=["GET"]),
    Route("/staff/signin", signin.sign_in, methods=["POST"]),
    Route("/staff/signout", signin.sign_out, methods=["POST"]),
    Route("/staff/", queue.queue, methods=["GET"]),
    Route("/staff/search", queue.search, methods=["POST"]),
    Route("/staff/consultations", consultations.show, methods=["GET"]),
    Route("/staff/consultations/answer", consultations.answer, methods=["POST"]),
    Route("/staff/applications/{application_id}", casefile.show, methods=["GET"]),
    Route("/staff/applications/{application_id}/letter", casefile.letter, methods=["GET"]),
    Route("/staff/applications/{application_id}/preview", casefile.preview, methods=["POST"]),
    Route("/staff/applications/{application_id}/actions/{action}", casefile.act, methods=["POST"]),
    Route("/bureau/", cases.cases, methods=["GET"]),
    Route("/bureau/cases/{complaint_id}", cases.show, methods=["GET"]),
    Route("/bureau/cases/{complaint_id}/steps/{step}", cases.act, methods=["POST"]),
    Route("/bureau/overdue", overdue.board, methods=["GET"]),
    Route("/bureau/reports", reports.report, methods=["GET"]),
    Route("/bureau/reports/{agency}/{year}/{format}", reports.download, methods=["GET"]),
]
