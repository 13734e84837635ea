"""`linkequity robots`: a real robots.txt fetched from 127.0.0.1, and a saved one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.conftest import CliResult

pytestmark = pytest.mark.loopback

ROBOTS = b"""# a comment
User-agent: *
Disallow: /private/
Allow: /private/press/

User-agent: FooBot
Disallow: /
Sitemap: http://127.0.0.1/sitemap.xml
"""

Answers = dict[str, tuple[int, bytes, tuple[tuple[str, str], ...]]]


def serve(answers: Answers) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, headers = answers.get(self.path, (404, b"not here", ()))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def site() -> Iterator[Callable[[Answers], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answers: Answers) -> str:
        server, origin = serve(answers)
        servers.append(server)
        return origin

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_disallowed_url_shows_the_group_and_the_rule(
    cli: Callable[..., CliResult], site: Callable[[Answers], str]
) -> None:
    origin = site({"/robots.txt": (200, ROBOTS, ())})

    result = cli("robots", f"{origin}/private/report", "--agent", "linkequity")

    assert result.exit_code == 0, result.stderr
    assert "disallowed" in result.stdout
    assert "user-agent * (line 2)" in result.stdout
    assert "line 3: Disallow: /private/" in result.stdout


def test_the_json_names_the_rule_the_agent_and_the_status(
    cli: Callable[..., CliResult], site: Callable[[Answers], str]
) -> None:
    origin = site({"/robots.txt": (200, ROBOTS, ())})

    allowed = json.loads(cli("robots", f"{origin}/private/press/1", "--json").stdout)
    foobot = json.loads(
        cli("robots", f"{origin}/private/press/1", "--agent", "FooBot/1.0 (+x)", "--json").stdout
    )

    assert allowed["allowed"] is True
    assert (allowed["status"], allowed["robots_txt"]) == (200, f"{origin}/robots.txt")
    assert allowed["rule"] == {
        "line": 4,
        "directive": "allow",
        "pattern": "/private/press/",
        "text": "Allow: /private/press/",
    }
    assert allowed["sitemaps"] == ["http://127.0.0.1/sitemap.xml"]
    assert foobot["allowed"] is False
    assert foobot["agent"] == "foobot"
    assert foobot["groups"] == [{"user_agents": ["foobot"], "lines": [6]}]


def test_a_redirected_robots_txt_is_followed(
    cli: Callable[..., CliResult], site: Callable[[Answers], str]
) -> None:
    origin = site(
        {
            "/robots.txt": (301, b"", (("Location", "/real-robots.txt"),)),
            "/real-robots.txt": (200, ROBOTS, ()),
        }
    )

    found = json.loads(cli("robots", f"{origin}/private/x", "--json").stdout)

    assert found["allowed"] is False
    assert found["final_url"] == f"{origin}/real-robots.txt"


def test_a_missing_robots_txt_allows_everything(
    cli: Callable[..., CliResult], site: Callable[[Answers], str]
) -> None:
    origin = site({})

    result = cli("robots", f"{origin}/private/x")

    assert result.exit_code == 0, result.stderr
    assert "allowed" in result.stdout
    assert "HTTP 404" in result.stdout
    assert "every URL is allowed" in result.stdout


def test_a_server_error_disallows_everything(
    cli: Callable[..., CliResult], site: Callable[[Answers], str]
) -> None:
    origin = site({"/robots.txt": (503, b"busy", ())})

    found = json.loads(cli("robots", f"{origin}/anything", "--json").stdout)

    assert found["allowed"] is False
    assert found["status"] == 503
    assert found["access"] == "disallow all"


def test_a_saved_robots_txt_is_explained_without_fetching(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    saved = tmp_path / "robots.txt"
    saved.write_bytes(ROBOTS)

    found = json.loads(
        cli("robots", "https://a.example/private/x", "--file", saved, "--json").stdout
    )

    assert found["allowed"] is False
    assert found["rule"]["line"] == 3
    assert found["robots_txt"] == str(saved)


def test_hostile_text_in_a_rule_is_printed_inert(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    saved = tmp_path / "robots.txt"
    saved.write_bytes(b"User-agent: *\nDisallow: /a\x1b[31mred\n")

    result = cli("robots", "https://a.example/a%1b[31mred", "--file", saved)

    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "Disallow: /a\N{REPLACEMENT CHARACTER}[31mred" in result.stdout


def test_a_missing_file_and_a_bad_url_are_one_line_errors(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    missing = cli("robots", "https://a.example/", "--file", tmp_path / "nope.txt")
    bad_url = cli("robots", "ftp://a.example/")

    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    assert bad_url.exit_code == 2
    assert bad_url.stderr.startswith("error:")
