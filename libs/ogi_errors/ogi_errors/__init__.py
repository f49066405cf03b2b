"""Domain errors. The gRPC layer maps each to its status code (``code``); the CLI prints what
the code means and the message."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A command was refused; nothing was stored."""

    #: The gRPC status code's name.
    code: ClassVar[str] = "UNKNOWN"


class InvalidInput(DomainError):
    """Bad input: names the field at fault (gRPC INVALID_ARGUMENT)."""

    code = "INVALID_ARGUMENT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DomainError):
    """The thing named does not exist here (gRPC NOT_FOUND)."""

    code = "NOT_FOUND"


class IllegalStep(DomainError):
    """The step is not allowed in the current state (gRPC FAILED_PRECONDITION)."""

    code = "FAILED_PRECONDITION"


class PermissionDenied(DomainError):
    """The caller may not do this (gRPC PERMISSION_DENIED)."""

    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    """No token, or one that is not ours: bad signature, malformed, expired (UNAUTHENTICATED)."""

    code = "UNAUTHENTICATED"
