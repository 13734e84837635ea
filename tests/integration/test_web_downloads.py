"""The dashboard's downloads against path traversal and header injection, and its token.

A real dashboard on 127.0.0.1 (uvicorn in a thread) over a small store whose
folder also holds a planted secret file. Hostile paths are sent byte for byte
on a raw socket (an HTTP client would tidy ``../`` away before sending): every
one is a 4xx (but those spelling, percent-encoded, the name of a campaign
named like a path: they answer that campaign's own page or prospects) and no
answer carries the secret, ``/etc/passwd`` or the store's own bytes. Download
names come from the target, so a hostile or non-ASCII target cannot put text
or a path into ``Content-Disposition``. Bound beyond loopback, every route of
the app (pages, sections, downloads) needs the token.
"""

from __future__ import annotations

import shutil
import socket
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from tests.integration.conftest import majestic_project
from tests.integration.web_server import client, served

from linkequity.services.campaigns import create_campaign
from linkequity.web.security import TOKEN_COOKIE
from linkequity.web.server import dashboard_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.loopback

TOKEN = "a-long-test-token-0123456789"  # noqa: S105 - a test token
VICTIM = "victim.example"
IDN_VICTIM = "пример.рф"
IDN_ASCII = "xn--e1afmkfd.xn--p1ai"
SECRET = "SECRET-7f3a9c-must-never-be-served"  # noqa: S105 - planted, not a secret
DOWNLOADS = ("links.csv", "audit.json", "disavow.txt")
#: Campaigns whose names try a path or a header; the last is a plain one.
CAMPAIGNS = ("../../secret.txt", 'spring"; filename="evil.sh', "кампания\\..\\x", "spring")
#: Seconds a raw request may take to answer.
RAW_S = 60.0
#: What each route parameter stands for in the route tests; ``rest`` is each view of a campaign.
ROUTE_VALUES = {
    "target": (VICTIM,),
    "part": ("overview",),
    "domain": ("spam-0.example",),
    "rest": ("spring", "spring/part/gains", "spring/prospects.csv"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two targets (one an IDN) whose folder holds ``secret.txt`` beside it."""
    folder = tmp_path_factory.mktemp("downloads")
    pairs = [(VICTIM, "spam-0.example"), (VICTIM, "blog.example"), (IDN_VICTIM, "spam-1.example")]
    db = majestic_project(
        folder / "project.duckdb",
        (
            (f"https://{target}/page-{n}/", f"https://{source}/post/{n}", f"anchor {n}")
            for n, (target, source) in enumerate(pairs)
        ),
    )
    for campaign in CAMPAIGNS:
        create_campaign(db, campaign, [VICTIM])
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    shutil.copy(folder / "secret.txt", folder / "project.duckdb.csv")
    return db


@pytest.fixture(scope="module")
def base(store: Path) -> Iterator[str]:
    with served(store) as url:
        yield url


def raw_get(base: str, target: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send ``GET target`` exactly as given (with *host* as ``Host``); return the answer."""
    parts = urlsplit(base)
    assert parts.hostname is not None
    assert parts.port is not None
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host or parts.netloc}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1")
    with socket.create_connection((parts.hostname, parts.port), timeout=RAW_S) as conn:
        conn.sendall(request)
        received = bytearray()
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = headers.get(name.strip().lower(), "") + value.strip()
    return int(status_line.split()[1]), headers, body


def _traversals(store: Path) -> list[str]:
    secret = str(store.parent / "secret.txt")
    names = [
        "../../../../../../etc/passwd",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "..%2F..%2Fsecret.txt",
        "%2e%2e%2f%2e%2e%2fsecret.txt",
        "%2e%2e",
        "..",
        "%252e%252e%252fsecret.txt",
        "..%252f..%252fsecret.txt",
        quote(secret, safe=""),
        quote(secret, safe="/"),
        "%2Fetc%2Fpasswd",
        "..%5C..%5Csecret.txt",
        "..\\..\\secret.txt",
        "C:%5Cwindows%5Cwin.ini",
        "secret.txt%00",
        f"{VICTIM}%00..%2fsecret.txt",
        f"{VICTIM}%2F..%2F..%2Fsecret.txt",
        f"{VICTIM}/../secret.txt",
        "project.duckdb",
        "file:%2F%2F%2Fetc%2Fpasswd",
    ]
    paths = [f"/t/{name}/{download}" for name in names for download in DOWNLOADS]
    paths += [f"/t/{name}/" for name in names]
    for name in names:
        paths += [
            f"/t/{VICTIM}/domain/{name}",
            f"/t/{VICTIM}/part/{name}",
            f"/t/{VICTIM}/page?url={name}",
            f"/t/{VICTIM}/{name}",
            f"/t/{VICTIM}/campaign/{name}",
            f"/t/{VICTIM}/campaign/{name}/prospects.csv",
            f"/t/{VICTIM}/campaign/spring/part/{name}",
            f"/t/{name}/campaign/spring/prospects.csv",
            f"/{name}",
        ]
    paths += [
        f"/t/{VICTIM}/page?url=file://{quote(secret)}",
        f"/t/{VICTIM}/links.csv/../../secret.txt",
        f"/t/{VICTIM}/links.csv%2F..%2F..%2Fsecret.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/secret.txt",
        "/project.duckdb",
        "/static/../../secret.txt",
    ]
    return paths


def _names_a_campaign(path: str) -> bool:
    """Whether *path* is the page or the prospects of one of ``CAMPAIGNS``, its name encoded."""
    prefix = f"/t/{VICTIM}/campaign/"
    name, _, view = path.removeprefix(prefix).partition("/")
    return path.startswith(prefix) and unquote(name) in CAMPAIGNS and view in ("", "prospects.csv")


def test_no_traversal_reaches_a_file_beside_the_store(store: Path, base: str) -> None:
    forbidden = (SECRET.encode(), b"root:x:0:0", b"DUCK", b"[fonts]")
    answered = []
    for path in _traversals(store):
        status, headers, body = raw_get(base, path)
        answered.append((path, status))
        disposition = headers.get("content-disposition", "")
        if _names_a_campaign(path):
            # "..%2F..%2Fsecret.txt" is the address of the campaign of that name.
            assert status == 200, (path, status, body[:300])
            assert "/" not in disposition, path
            assert "\\" not in disposition, path
        else:
            assert 400 <= status < 500, (path, status, body[:300])
            assert "attachment" not in disposition, path
        for text in forbidden:
            assert text not in body, (path, text)
    assert len(answered) > 250


def test_downloads_are_served_and_name_only_the_target(base: str) -> None:
    # The positive side: the same raw requests do fetch the real downloads.
    for download in DOWNLOADS:
        status, headers, body = raw_get(base, f"/t/{VICTIM}/{download}")
        assert status == 200, (download, body[:300])
        assert headers["content-disposition"] == f'attachment; filename="{VICTIM}-{download}"'
        assert SECRET.encode() not in body
    assert b"spam-0.example" in raw_get(base, f"/t/{VICTIM}/links.csv")[2]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_non_ascii_target_gets_an_ascii_file_name(base: str, download: str) -> None:
    # A header is Latin-1: a Cyrillic name made audit.json and disavow.txt answer 500.
    with client(base) as http:
        answer = http.get(f"/t/{IDN_VICTIM}/{download}")
    assert answer.status_code == 200, answer.text[:300]
    disposition = answer.headers["content-disposition"]
    assert disposition.isascii()
    assert disposition == f'attachment; filename="{IDN_ASCII}-{download}"'


@pytest.mark.parametrize(
    ("campaign", "stem"),
    [
        ('spring"; filename="evil.sh', "spring___filename__evil.sh"),
        ("кампания\\..\\x", "_________.._x"),
        ("spring", "spring"),
    ],
)
def test_a_campaign_name_cannot_write_the_header_of_its_prospects(
    base: str, campaign: str, stem: str
) -> None:
    status, headers, body = raw_get(base, f"/t/{VICTIM}/campaign/{quote(campaign)}/prospects.csv")
    assert status == 200, body[:300]
    assert headers["content-disposition"] == f'attachment; filename="{VICTIM}-{stem}-prospects.csv"'


def test_a_campaign_named_as_a_path_answers_only_its_own_prospects(base: str) -> None:
    # Its name, percent-encoded, is its address: the answer is its prospects (none), never
    # the file the name spells.
    for spelling in ("..%2F..%2Fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt"):
        status, headers, body = raw_get(base, f"/t/{VICTIM}/campaign/{spelling}/prospects.csv")
        assert status == 200, (spelling, body[:300])
        assert headers["content-disposition"] == (
            f'attachment; filename="{VICTIM}-.._.._secret.txt-prospects.csv"'
        )
        assert SECRET.encode() not in body
        assert len(body.decode("utf-8").splitlines()) == 1, body  # the header alone
    # With its slashes left as they are, the name addresses nothing.
    status, _, body = raw_get(base, f"/t/{VICTIM}/campaign/../../secret.txt/prospects.csv")
    assert 400 <= status < 500, status
    assert SECRET.encode() not in body


@pytest.mark.parametrize(
    "hostile",
    [
        f"%0D%0A{VICTIM}%0D%0A",
        f"%09{VICTIM}%20",
        f"{VICTIM.upper()}",
    ],
)
@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_hostile_spelling_of_the_target_cannot_write_the_header(
    base: str, hostile: str, download: str
) -> None:
    status, headers, _ = raw_get(base, f"/t/{hostile}/{download}")
    assert status == 200
    assert headers["content-disposition"] == f'attachment; filename="{VICTIM}-{download}"'
    assert "set-cookie" not in headers


@pytest.mark.parametrize(
    "hostile",
    [
        f'{VICTIM}"; filename="evil.sh',
        f"{VICTIM}\r\nSet-Cookie: stolen=1",
        f"../{VICTIM}",
        f"/etc/{VICTIM}",
        f"{VICTIM}\\..\\x",
    ],
)
def test_a_target_name_carrying_a_header_or_a_path_is_not_found(base: str, hostile: str) -> None:
    with client(base) as http:
        for download in DOWNLOADS:
            answer = http.get(f"/t/{quote(hostile, safe='')}/{download}")
            assert 400 <= answer.status_code < 500, (hostile, download)
            assert "content-disposition" not in answer.headers
            assert "stolen" not in answer.headers.get("set-cookie", "")


def _route_paths(routes: list[APIRoute]) -> list[str]:
    paths = []
    for route in routes:
        expanded = [route.path_format]
        for name, values in ROUTE_VALUES.items():
            if f"{{{name}}}" in route.path_format:
                expanded = [
                    path.replace(f"{{{name}}}", value) for path in expanded for value in values
                ]
        for path in expanded:
            assert "{" not in path, f"a route parameter this test does not know: {route.path}"
        paths += expanded
    return paths


def test_every_route_needs_the_token_beyond_loopback(store: Path) -> None:
    beyond = dashboard_server(store, host="0.0.0.0", port=0, token=TOKEN)  # noqa: S104 - not run
    app = beyond.server.config.app
    assert isinstance(app, FastAPI)
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    paths = _route_paths(routes)
    assert {"/t/victim.example/links.csv", "/t/victim.example/disavow.txt"} <= set(paths)
    # Run the very app built for 0.0.0.0, but listening on loopback only.
    beyond.server.config.host = "127.0.0.1"
    with beyond.running_in_thread() as url, client(url) as http:
        for path in paths:
            for refused in (
                http.get(path),
                http.get(path, headers={"cookie": f"{TOKEN_COOKIE}=wrong-{TOKEN}"}),
                http.get(path, params={"token": TOKEN[:-1]}),
                http.get(path, headers={"host": "attacker.example"}),
            ):
                assert refused.status_code in (401, 403), (path, refused.status_code)
                assert SECRET not in refused.text
                assert "content-disposition" not in refused.headers
            admitted = http.get(
                path,
                params={"url": f"https://{VICTIM}/page-0/"},
                headers={"cookie": f"{TOKEN_COOKIE}={TOKEN}"},
            )
            assert admitted.status_code not in (401, 403), path
            assert admitted.status_code < 500, (path, admitted.text[:300])


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "attacker.example",
        "localhost:{port}, attacker.example",
        "localhost@attacker.example",
        "localhost:{port}/attacker",
        "[::1]attacker.example",
        "127.0.0.1 attacker.example",
        "localhost:attacker",
    ],
)
def test_every_route_refuses_a_host_that_is_not_loopback(store: Path, base: str, host: str) -> None:
    # DNS rebinding against the dashboard itself: a page of attacker.example whose name
    # now answers 127.0.0.1 sends its own Host; a malformed one must not slip through.
    port = str(urlsplit(base).port)
    app = dashboard_server(store, host="127.0.0.1", port=0, token=None).server.config.app
    assert isinstance(app, FastAPI)
    paths = _route_paths([route for route in app.routes if isinstance(route, APIRoute)])
    for path in paths:
        status, headers, body = raw_get(base, path, host.format(port=port))
        assert status == 400, (path, host, status)
        assert b"Unexpected Host header" in body
        assert "content-disposition" not in headers
    status, _, _ = raw_get(base, "/", f"localhost:{port}")
    assert status == 200


@pytest.mark.parametrize(
    "path", ["//evil.example/", "/\\evil.example/", "/\\/evil.example/", "/\\\\evil.example/"]
)
def test_signing_in_never_redirects_to_another_site(store: Path, path: str) -> None:
    # Browsers read "/\\evil.example/" as "//evil.example/": another site.
    with served(store, token=TOKEN) as url:
        status, headers, _ = raw_get(url, f"{path}?token={TOKEN}")
    assert status == 303
    assert headers["location"] == "/evil.example/"
