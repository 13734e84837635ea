"""Serving the dashboard with uvicorn: loopback by default, a token beyond it.

``dashboard_server`` checks the binding and builds the uvicorn server;
``serve`` runs it until Ctrl-C. Tests run the same server in a thread.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import uvicorn

from linkequity.errors import UsageError
from linkequity.web.app import create_app
from linkequity.web.security import LOOPBACK_NAMES, is_loopback

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["Dashboard", "dashboard_server", "dashboard_url", "serve"]

#: Seconds a dashboard run in a thread may take to start or to stop.
THREAD_START_S = 30.0


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A dashboard ready to run: its uvicorn server and where it listens."""

    server: uvicorn.Server
    host: str
    port: int
    token: str | None

    @contextmanager
    def running_in_thread(self) -> Iterator[str]:
        """Run the server in a thread; yield its base URL (the real port); stop it afterwards.

        For tests and benchmarks: bound to port 0, the system picks a free port.
        """
        server = self.server
        thread = threading.Thread(target=server.run, name="linkequity-dashboard", daemon=True)
        thread.start()
        deadline = time.monotonic() + THREAD_START_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError(f"the dashboard did not start on {self.host}:{self.port}")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield dashboard_url(self.host, port).rstrip("/")
        finally:
            server.should_exit = True
            thread.join(THREAD_START_S)


def dashboard_url(host: str, port: int, token: str | None = None) -> str:
    """Return the address to open, with the token when there is one."""
    name = f"[{host}]" if ":" in host else host
    suffix = f"?token={quote(token, safe='')}" if token else ""
    return f"http://{name}:{port}/{suffix}"


def dashboard_server(db: Path, *, host: str, port: int, token: str | None) -> Dashboard:
    """Check the binding and build the uvicorn server of the dashboard of *db*.

    Raises
    ------
    UsageError
        If *host* is not loopback and no token is given, or the port is out of range.
    """
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is out of range", hint="Give a port from 1 to 65535.")
    loopback = is_loopback(host)
    if not loopback and not token:
        raise UsageError(
            f"the dashboard would listen on {host}, beyond this machine, without a token",
            hint="Pass --token SECRET (every request then needs it), or leave --host at 127.0.0.1.",
        )
    if token is not None and len(token) < 16:
        raise UsageError(
            "the token is shorter than 16 characters",
            hint="Use a long random token, such as `python -c 'import secrets; "
            "print(secrets.token_urlsafe())'`.",
        )
    app = create_app(db, token=token, allowed_hosts=LOOPBACK_NAMES if loopback else None)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )
    return Dashboard(uvicorn.Server(config), host, port, token)


def serve(db: Path, *, host: str, port: int, token: str | None) -> None:
    """Run the dashboard of *db* until interrupted (see ``dashboard_server``)."""
    dashboard_server(db, host=host, port=port, token=token).server.run()
