"""A real dashboard on 127.0.0.1, an ephemeral port, in a thread: what the web tests talk to."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from linkequity.web.server import dashboard_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Seconds a server may take to start or stop, and a request to answer.
STARTUP_S = 20.0
REQUEST_S = 120.0


@contextmanager
def served(db: Path, *, token: str | None = None) -> Iterator[str]:
    """Run the dashboard of *db* on 127.0.0.1; yield its base URL; stop it afterwards."""
    dashboard = dashboard_server(db, host="127.0.0.1", port=0, token=token)
    server = dashboard.server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_S)


def client(base: str) -> httpx.Client:
    """Return an HTTP client of the dashboard at *base* that does not follow redirects."""
    return httpx.Client(base_url=base, timeout=REQUEST_S, follow_redirects=False)
