"""The sample web served on 127.0.0.1: statuses, content types and routing by host."""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from linkequity.samples.web import generate_web, serve_web

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.samples.web import SampleWeb

pytestmark = pytest.mark.loopback
TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(2)


@pytest.fixture(scope="module")
def port(web: SampleWeb) -> Iterator[int]:
    with serve_web(web) as base:
        parts = urlsplit(base)
        assert parts.hostname == "127.0.0.1"
        assert parts.port is not None
        yield parts.port


def fetch(
    port: int, url: str, *, method: str = "GET", proxy_form: bool = False
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        if proxy_form:
            conn.request(method, url)
        else:
            conn.request(method, parts.path or "/", headers={"Host": parts.netloc})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_pages_are_served_by_host_header_as_the_web_renders_them(web: SampleWeb, port: int) -> None:
    for site in web.sites:
        url = site.url("/")
        status, headers, body = fetch(port, url)
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert int(headers["Content-Length"]) == len(body)
        assert body == web.respond(url).body


def test_an_absolute_request_target_routes_as_a_proxy_request(web: SampleWeb, port: int) -> None:
    url = web.spec.url_of(web.sites[3], web.sites[3].pages - 1)

    status, _, body = fetch(port, url, proxy_form=True)

    assert status == 200
    assert body == web.respond(url).body


def test_the_host_header_port_is_ignored(web: SampleWeb, port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", "/robots.txt", headers={"Host": f"{web.target.host}:{port}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()

    assert response.status == 200
    assert body.startswith(b"User-agent: *")


def test_every_kind_of_url_answers_with_its_manifest_status(web: SampleWeb, port: int) -> None:
    urls = web.manifest()["urls"]
    chosen: dict[str, list[str]] = {}
    for url, entry in urls.items():
        chosen.setdefault(entry["expected"], []).append(url)

    assert set(chosen) == {"200", "301", "302", "404", "noindex", "disallowed"}
    for expected, group in chosen.items():
        for url in group[:5]:
            status, headers, body = fetch(port, url)
            assert status == urls[url]["status"], url
            if expected in ("301", "302"):
                assert headers["Location"] == urls[url]["location"]
            if expected == "noindex":
                assert b'<meta name="robots" content="noindex">' in body


def test_robots_txt_and_sitemaps_have_their_content_types(web: SampleWeb, port: int) -> None:
    site = web.sites[4]

    robots = fetch(port, site.url("/robots.txt"))
    sitemap = fetch(port, site.url("/sitemap.xml"))

    assert robots[0] == sitemap[0] == 200
    assert robots[1]["Content-Type"] == "text/plain; charset=utf-8"
    assert sitemap[1]["Content-Type"] == "application/xml"
    assert b"<urlset" in sitemap[2]


def test_unknown_hosts_and_paths_answer_404(web: SampleWeb, port: int) -> None:
    assert fetch(port, "http://nowhere.example/")[0] == 404
    assert fetch(port, web.target.url("/nothing-here/"))[0] == 404


def test_head_answers_headers_without_a_body(web: SampleWeb, port: int) -> None:
    status, headers, body = fetch(port, web.target.base, method="HEAD")

    assert status == 200
    assert int(headers["Content-Length"]) == len(web.respond(web.target.base).body)
    assert body == b""


def test_one_connection_serves_several_requests(web: SampleWeb, port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    statuses = []
    try:
        for site in web.sites[:5]:
            conn.request("GET", "/", headers={"Host": site.host})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        conn.close()

    assert statuses == [200] * 5


def test_concurrent_clients_get_the_pages_the_web_renders(web: SampleWeb, port: int) -> None:
    urls = list(web.urls())[:60]

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda url: fetch(port, url), urls))

    assert [body for _, _, body in answers] == [web.respond(url).body for url in urls]


@pytest.mark.parametrize("host", ["0.0.0.0", "localhost", "::1"])  # noqa: S104 - refused
def test_only_loopback_ipv4_is_ever_bound(web: SampleWeb, host: str) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"), serve_web(web, host):
        pass  # pragma: no cover
