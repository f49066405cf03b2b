"""How an administrative command connects to NATS: once, no reconnecting, a one-line error."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client

from ogi_cli.endpoints import NatsLogin
from ogi_errors import InvalidInput


async def _quiet(error: Exception) -> None:
    """nats-py prints every connection error with its traceback; the CLI reports one line."""


async def admin_client(login: NatsLogin, name: str) -> Client:
    """A connection as ``login`` says; InvalidInput naming the option at fault if it fails."""
    if login.user and not login.password:
        raise InvalidInput("password", f"is required for NATS user {login.user}")
    try:
        return await asyncio.wait_for(
            nats.connect(
                login.url,
                name=name,
                user=login.user or None,
                password=login.password or None,
                allow_reconnect=False,
                connect_timeout=5,
                error_cb=_quiet,
            ),
            10,
        )
    except (OSError, TimeoutError, nats.errors.Error) as error:
        reason = str(error) or type(error).__name__
        raise InvalidInput("url", f"cannot connect to NATS at {login.url}: {reason}") from None
