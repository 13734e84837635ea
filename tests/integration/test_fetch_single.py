"""One user-triggered fetch, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

from linkequity.crawl.single import USER_AGENT, fetch_page
from linkequity.errors import FetchFailed
from linkequity.services.pages import links_of_page

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.conftest import CliResult

pytestmark = pytest.mark.loopback

PAGE = b"""<!doctype html><html><head><title>Tools</title></head><body>
<nav><a href="/">Home</a></nav>
<article><p>The best <a href="https://shop.example/spade" rel="sponsored">steel spade</a>
we tried this year dug through clay, roots and stones without a bend or a wobble.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    """Serves the few answers the tests need; remembers the last User-Agent."""

    seen_agents: list[str] = []  # noqa: RUF012 - shared by the server's handler instances

    def do_GET(self) -> None:
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/page":
            self._send(200, gzip.compress(PAGE), ("Content-Encoding", "gzip"))
        elif self.path == "/old":
            self._send(301, b"", ("Location", "/page"))
        elif self.path == "/slow":
            time.sleep(1.0)
            self._send(200, PAGE)
        else:
            self._send(404, b'<p>Gone. <a href="/page">See this</a></p>')

    def _send(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        del format, args


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_is_fetched_with_our_user_agent_and_its_links_read(site: str) -> None:
    report = links_of_page(f"{site}/page")

    assert report.status == 200
    by_url = {link.url: link for link in report.links.links}
    assert by_url["https://shop.example/spade"].placement == "content"
    assert by_url["https://shop.example/spade"].sponsored
    assert by_url[f"{site}/"].placement == "navigation"
    assert Handler.seen_agents[-1] == USER_AGENT


def test_redirects_are_followed_and_links_resolve_where_they_end(site: str) -> None:
    fetched = fetch_page(f"{site}/old")

    assert (fetched.url, fetched.status) == (f"{site}/page", 200)
    assert links_of_page(f"{site}/old").links.url == f"{site}/page"


def test_an_error_status_is_still_a_page_with_links(site: str) -> None:
    report = links_of_page(f"{site}/missing")

    assert report.status == 404
    assert [link.url for link in report.links.links] == [f"{site}/page"]


def test_a_server_too_slow_to_answer_is_one_clear_error(site: str) -> None:
    with pytest.raises(FetchFailed, match=r"cannot fetch http://127\.0\.0\.1:\d+/slow"):
        fetch_page(f"{site}/slow", timeout_s=0.2)


def test_nothing_listening_is_one_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the fetch: nothing listens

    with pytest.raises(FetchFailed, match=f"cannot fetch http://127.0.0.1:{port}/"):
        fetch_page(f"http://127.0.0.1:{port}/", timeout_s=2.0)


def test_links_command_takes_a_url(cli: Callable[..., CliResult], site: str) -> None:
    result = cli("links", f"{site}/old", "--json")

    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["url"], found["status"]) == (f"{site}/page", 200)
    assert {link["url"] for link in found["links"]} == {f"{site}/", "https://shop.example/spade"}


def test_links_command_says_when_a_page_is_an_error(
    cli: Callable[..., CliResult], site: str
) -> None:
    result = cli("links", f"{site}/missing")

    assert result.exit_code == 0, result.stderr
    assert "The page answered HTTP 404" in result.stdout
