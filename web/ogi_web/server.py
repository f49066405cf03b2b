"""Serving the application: the preferred port, or any free one when allowed (`ogi up` runs
several systems side by side in tests), reported in the ready file once requests are answered
(``{"service": "web", "port", "pid"}``, as the services report theirs)."""

from __future__ import annotations

import asyncio
import json
import os
import socket

import uvicorn

from ogi_web.app import create_app
from ogi_web.config import Settings


def bound_socket(settings: Settings) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError:
        if not settings.any_port:
            sock.close()
            raise
        sock.bind((settings.host, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


async def _report_ready(server: uvicorn.Server, settings: Settings, port: int) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.02)
    print(f"ready web {port}", flush=True)
    if settings.ready_file is not None:
        ready = {"service": "web", "port": port, "pid": os.getpid()}
        settings.ready_file.write_text(json.dumps(ready), encoding="utf-8")


async def serve(settings: Settings) -> None:
    sock = bound_socket(settings)
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    ready = asyncio.create_task(_report_ready(server, settings, port))
    await server.serve(sockets=[sock])
    ready.cancel()
