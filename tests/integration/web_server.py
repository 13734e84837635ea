"""A real dashboard on 127.0.0.1, an ephemeral port, in a thread: what the web tests talk to."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from linkequity.web.server import dashboard_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Seconds a request may take to answer.
REQUEST_S = 120.0


@contextmanager
def served(db: Path, *, token: str | None = None) -> Iterator[str]:
    """Run the dashboard of *db* on 127.0.0.1; yield its base URL; stop it afterwards."""
    with dashboard_server(db, host="127.0.0.1", port=0, token=token).running_in_thread() as base:
        yield base


def client(base: str) -> httpx.Client:
    """Return an HTTP client of the dashboard at *base* that does not follow redirects."""
    return httpx.Client(base_url=base, timeout=REQUEST_S, follow_redirects=False)
