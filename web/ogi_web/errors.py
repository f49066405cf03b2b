"""Errors as pages: what went wrong in Chinese, with the service's own words where it gave some.

A service's refusal of bad input names a field: the form shows the message beside it
(``field_message``); any other refusal is a page of its own (``PageError``).
"""

from __future__ import annotations

from ogi_law.refusals import field_reason, refusal_detail, status_title
from ogi_web.backend import ServiceError

STATUS = {"NOT_FOUND": 404, "PERMISSION_DENIED": 403, "UNAUTHENTICATED": 401}


class PageError(Exception):
    """An error shown as a page of its own, with its HTTP status."""

    def __init__(self, status: int, title: str, message: str = "") -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message

    @classmethod
    def of(cls, error: ServiceError) -> PageError:
        title = status_title(error.code)
        return cls(
            STATUS.get(error.code, 409 if error.code != "UNAVAILABLE" else 503),
            title,
            refusal_detail(error.message, error.field),
        )


def field_message(error: ServiceError) -> str:
    """The service's complaint about a field, in the refusal catalogue's Chinese
    (``ogi_law.refusals``; a wording it lacks keeps the service's words after a Chinese lead)."""
    return field_reason(error.message, error.field)
