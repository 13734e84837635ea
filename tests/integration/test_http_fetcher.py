"""HttpFetcher against servers on 127.0.0.1: the sample web, and small servers for the edges."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import socket
import struct
import sys
import tracemalloc
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import pytest
from aiohttp import web

from linkequity.crawl.http_fetcher import (
    HTML_TYPES,
    ROBOTS_TYPES,
    SITEMAP_TYPES,
    USER_AGENT,
    HttpFetcher,
    LoopbackResolver,
    SystemResolver,
    _GuardedResolver,
)
from linkequity.errors import (
    AddressRefused,
    FetchFailed,
    FetchTimedOut,
    HostNotFound,
    InvalidUrl,
)
from linkequity.samples.web import generate_web, serve_web

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from linkequity.crawl.fetch import Fetcher, FetchResult
    from linkequity.samples.web import SampleWeb

pytestmark = pytest.mark.loopback

PAGE = b"<!doctype html><title>edge</title><p>" + b"hello, world. " * 500 + b"</p>"
BOMB_DECODED_BYTES = 1 << 30
CAP_BYTES = 1 << 20
SAMPLE_HOSTS = 20
PER_HOST = 2


def gzip_bomb(decoded_bytes: int, *, chunk_bytes: int = 1 << 20) -> bytes:
    """A valid gzip stream of *decoded_bytes* zeros, about 1,000 times smaller.

    After a full flush deflate forgets its history, so every flushed chunk of
    zeros compresses to the same bytes: compress two and repeat the second.
    """
    zeros = bytes(chunk_bytes)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(decoded_bytes // chunk_bytes):
        crc = zlib.crc32(zeros, crc)
    final_empty_block = b"\x03\x00"
    trailer = struct.pack("<II", crc, decoded_bytes & 0xFFFFFFFF)
    return first + block * (decoded_bytes // chunk_bytes - 1) + final_empty_block + trailer


def test_the_bomb_is_a_valid_gzip_stream_of_zeros() -> None:
    decoded = gzip.decompress(gzip_bomb(8 << 20))
    assert len(decoded) == 8 << 20
    assert not decoded.strip(b"\0")


# --- the edge server -------------------------------------------------------------


async def _page(request: web.Request) -> web.Response:
    return web.Response(body=PAGE, content_type="text/html")


async def _gzip(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip.compress(PAGE),
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
    )


async def _deflate(request: web.Request) -> web.Response:
    # zlib-wrapped as RFC 9110 says; raw deflate as some servers send it.
    raw = request.query.get("raw") == "1"
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15 if raw else 15)
    body = compressor.compress(PAGE) + compressor.flush()
    return web.Response(
        body=body, headers={"Content-Type": "text/html", "Content-Encoding": "deflate"}
    )


async def _bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[BOMB],
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )


async def _sized(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * int(request.query["n"]), content_type="text/html")


async def _typed(request: web.Request) -> web.Response:
    body = b"\x89PNG\r\n\x1a\n" + bytes(100_000)
    return web.Response(body=body, headers={"Content-Type": request.query["type"]})


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently(location=request.query.get("to", "/page"))


async def _stall(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    await response.write(b"<p>a start, then nothing")
    await asyncio.sleep(30)  # cancelled when the client hangs up
    return response


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    while True:  # a trickle that never ends and never stalls for long
        await response.write(b"<p>more</p>")
        await asyncio.sleep(0.01)


async def _echo(request: web.Request) -> web.Response:
    return web.json_response(dict(request.headers))


async def _peer(request: web.Request) -> web.Response:
    await asyncio.sleep(0.01)  # long enough for concurrent requests to overlap
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return web.Response(text=str(peer[1] if peer else ""), content_type="text/plain")


BOMB = web.AppKey("bomb", bytes)


def edge_app(bomb: bytes = b"") -> web.Application:
    app = web.Application()
    app[BOMB] = bomb
    app.router.add_get("/page", _page)
    app.router.add_get("/gzip", _gzip)
    app.router.add_get("/deflate", _deflate)
    app.router.add_get("/bomb", _bomb)
    app.router.add_get("/sized", _sized)
    app.router.add_get("/typed", _typed)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/stall", _stall)
    app.router.add_get("/endless", _endless)
    app.router.add_get("/echo", _echo)
    app.router.add_get("/peer", _peer)
    return app


@contextlib.asynccontextmanager
async def edge_server(bomb: bytes = b"") -> AsyncIterator[str]:
    """Serve the edge app on 127.0.0.1 in the running loop; yield its base URL."""
    runner = web.AppRunner(
        edge_app(bomb), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def raw_server(reply: bytes | None, *, reset: bool = False) -> AsyncIterator[str]:
    """A server that reads one request, writes *reply* as it is, then closes or resets."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if reply:
            writer.write(reply)
            await writer.drain()
        if reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


def fetch_edge(path: str, **settings: Any) -> FetchResult:
    """Fetch *path* from a fresh edge server with a fetcher that may use loopback."""

    async def scenario() -> FetchResult:
        async with edge_server() as base, HttpFetcher(allow_private=True, **settings) as fetcher:
            return await fetcher.fetch(base + path)

    return asyncio.run(scenario())


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        return await scenario()

    return asyncio.run(main())


def header(result: FetchResult, name: str) -> str | None:
    return next((value for key, value in result.page.headers if key.lower() == name.lower()), None)


# --- the sample web through LoopbackResolver --------------------------------------


@pytest.fixture(scope="module")
def sample_web() -> SampleWeb:
    return generate_web(1)


@pytest.fixture(scope="module")
def sample_port(sample_web: SampleWeb) -> Iterator[int]:
    # The sample web serves each connection on a thread of its own until the
    # connection has idled for 5 s: a worker for every connection the pools
    # of 20 hosts may keep open, or fetches wait for idle ones to be dropped.
    with serve_web(sample_web, workers=SAMPLE_HOSTS * PER_HOST) as base:
        port = urlsplit(base).port
        assert port is not None
        yield port


@pytest.fixture(scope="module")
def sample_urls(sample_web: SampleWeb) -> list[str]:
    """Every page, every link target (404s and redirects among them), robots.txt and sitemaps."""
    web = sample_web
    urls = set(web.urls())
    urls.update(link.target for _, link in web.links())
    urls.update(site.url(path) for site in web.sites for path in ("/robots.txt", "/sitemap.xml"))
    return sorted(urls)


def test_every_sample_url_comes_back_as_the_web_serves_it(
    sample_web: SampleWeb, sample_port: int, sample_urls: list[str]
) -> None:
    urls = sample_urls
    assert len(sample_web.hosts) == SAMPLE_HOSTS

    async def scenario() -> list[FetchResult]:
        resolver = LoopbackResolver(sample_port, hosts=sample_web.hosts)
        async with HttpFetcher(
            resolver=resolver,
            allow_private=True,
            accept_types=None,
            max_connections_per_host=PER_HOST,
            total_timeout_s=5.0,
        ) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    results = run(scenario)

    statuses = set()
    for url, result in zip(urls, results, strict=True):
        expected = sample_web.respond(url)
        assert result.page.url == url
        assert result.page.status == expected.status
        assert result.page.body == expected.body
        assert header(result, "Location") == dict(expected.headers).get("Location")
        assert result.address == "127.0.0.1"
        assert result.page.fetched_at is not None
        assert not result.is_truncated
        assert not result.is_body_skipped
        statuses.add(result.page.status)
    assert statuses == {200, 301, 302, 404}


def test_redirects_of_the_sample_web_are_not_followed(
    sample_web: SampleWeb, sample_port: int, sample_urls: list[str]
) -> None:
    redirects = [url for url in sample_urls if sample_web.respond(url).status == 302]

    async def scenario() -> FetchResult:
        async with HttpFetcher(
            resolver=LoopbackResolver(sample_port), allow_private=True
        ) as fetcher:
            return await fetcher.fetch(redirects[0])

    result = run(scenario)

    assert result.page.status == 302
    assert result.page.url == redirects[0]
    assert header(result, "Location") == dict(sample_web.respond(redirects[0]).headers)["Location"]


def test_robots_and_sitemaps_are_read_when_the_call_accepts_their_types(
    sample_web: SampleWeb, sample_port: int
) -> None:
    site = sample_web.target

    async def scenario() -> list[FetchResult]:
        async with HttpFetcher(
            resolver=LoopbackResolver(sample_port), allow_private=True
        ) as fetcher:
            return [
                await fetcher.fetch(site.url("/robots.txt")),
                await fetcher.fetch(site.url("/robots.txt"), accept_types=ROBOTS_TYPES),
                await fetcher.fetch(site.url("/sitemap.xml"), accept_types=SITEMAP_TYPES),
                await fetcher.fetch(site.url("/sitemap.xml"), accept_types=None),
                await fetcher.fetch(site.url("/"), accept_types=ROBOTS_TYPES),
            ]

    html_only, robots, sitemap, anything, page_as_robots = run(scenario)

    assert html_only.is_body_skipped
    assert html_only.page.body == b""
    assert html_only.page.status == 200
    assert robots.page.body == sample_web.respond(site.url("/robots.txt")).body
    assert sitemap.page.body == sample_web.respond(site.url("/sitemap.xml")).body
    assert anything.page.body == sitemap.page.body
    assert page_as_robots.is_body_skipped


def test_a_view_accepting_other_types_is_a_fetcher_over_the_same_pool(
    sample_web: SampleWeb, sample_port: int
) -> None:
    site = sample_web.target

    async def scenario() -> tuple[FetchResult, FetchResult, FetchResult]:
        async with HttpFetcher(
            resolver=LoopbackResolver(sample_port), allow_private=True
        ) as fetcher:
            sitemaps: Fetcher = fetcher.accepting(SITEMAP_TYPES)
            sitemap = await sitemaps.fetch(site.url("/sitemap.xml"))
            await sitemaps.aclose()
            page_as_sitemap = await sitemaps.fetch(site.url("/"))
            page = await fetcher.fetch(site.url("/"))
            return sitemap, page_as_sitemap, page

    sitemap, page_as_sitemap, page = run(scenario)

    assert sitemap.page.body == sample_web.respond(site.url("/sitemap.xml")).body
    assert page_as_sitemap.is_body_skipped
    assert page.page.body == sample_web.respond(site.url("/")).body


def test_loopback_resolver_with_hosts_answers_only_those(
    sample_web: SampleWeb, sample_port: int
) -> None:
    async def scenario() -> None:
        resolver = LoopbackResolver(sample_port, hosts=[sample_web.target.host.upper()])
        async with HttpFetcher(resolver=resolver, allow_private=True) as fetcher:
            assert (await fetcher.fetch(sample_web.target.url("/"))).page.status == 200
            await fetcher.fetch(sample_web.sites[1].url("/"))

    with pytest.raises(HostNotFound, match=r"cannot fetch http://www\.bloomdirect\.example/: "):
        run(scenario)


# --- content coding and the body cap ----------------------------------------------


def test_gzip_is_decoded_and_the_header_kept() -> None:
    result = fetch_edge("/gzip")

    assert result.page.body == PAGE
    assert header(result, "Content-Encoding") == "gzip"
    assert not result.is_truncated


@pytest.mark.parametrize("query", ["", "?raw=1"])
def test_deflate_is_decoded_zlib_wrapped_or_raw(query: str) -> None:
    result = fetch_edge(f"/deflate{query}")

    assert result.page.body == PAGE
    assert header(result, "Content-Encoding") == "deflate"


@pytest.mark.parametrize(
    ("size", "is_truncated"), [(999, False), (1000, False), (1001, True), (300_000, True)]
)
def test_the_body_is_cut_at_the_cap(size: int, is_truncated: bool) -> None:
    result = fetch_edge(f"/sized?n={size}", max_body_bytes=1000)

    assert result.is_truncated is is_truncated
    assert result.page.body == b"x" * min(size, 1000)


def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory() -> None:
    bomb = gzip_bomb(BOMB_DECODED_BYTES)

    async def scenario() -> tuple[FetchResult, int]:
        async with (
            edge_server(bomb) as base,
            HttpFetcher(allow_private=True, max_body_bytes=CAP_BYTES) as fetcher,
        ):
            tracemalloc.start()
            try:
                result = await fetcher.fetch(f"{base}/bomb")
                peak_bytes = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            return result, peak_bytes

    result, peak_bytes = run(scenario)

    assert result.is_truncated
    assert len(result.page.body) == CAP_BYTES
    assert not result.page.body.strip(b"\0")
    # The body, a copy of it, and the buffers: a few caps, never the gigabyte.
    assert peak_bytes < 16 * CAP_BYTES


def test_a_broken_gzip_body_fails_naming_the_url() -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: 20\r\n\r\n" + b"not gzip at all, no."
    )

    async def scenario() -> None:
        async with raw_server(reply) as base, HttpFetcher(allow_private=True) as fetcher:
            await fetcher.fetch(f"{base}/")

    with pytest.raises(
        FetchFailed, match=r"^cannot fetch http://127\.0\.0\.1:\d+/: body broke off"
    ):
        run(scenario)


# --- content types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "accept_types", "is_read"),
    [
        ("image/png", HTML_TYPES, False),
        ("application/pdf", HTML_TYPES, False),
        ("TEXT/HTML; charset=utf-8", HTML_TYPES, True),
        ("application/xhtml+xml", HTML_TYPES, True),
        ("image/png", None, True),
        ("image/png", ["image/*"], True),
        ("image/png", ["*/*"], True),
        ("text/plain", ["text/html; q=0.9"], False),
    ],
)
def test_a_body_is_read_only_for_an_accepted_type(
    content_type: str, accept_types: list[str] | None, is_read: bool
) -> None:
    result = fetch_edge(f"/typed?type={quote(content_type)}", accept_types=accept_types)

    assert result.page.status == 200
    assert header(result, "Content-Type") == content_type
    assert result.is_body_skipped is not is_read
    assert (len(result.page.body) > 0) is is_read
    assert not result.is_truncated


def test_a_response_without_content_type_is_read_for_the_caller_to_sniff() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"

    async def scenario() -> FetchResult:
        async with raw_server(reply) as base, HttpFetcher(allow_private=True) as fetcher:
            return await fetcher.fetch(f"{base}/")

    result = run(scenario)

    assert result.page.body == b"hello"
    assert not result.is_body_skipped


def test_a_skipped_body_leaves_the_fetcher_usable() -> None:
    async def scenario() -> list[FetchResult]:
        async with edge_server() as base, HttpFetcher(allow_private=True) as fetcher:
            return [
                await fetcher.fetch(f"{base}/typed?type=image/png"),
                await fetcher.fetch(f"{base}/page"),
            ]

    skipped, page = run(scenario)

    assert skipped.is_body_skipped
    assert page.page.body == PAGE


# --- what is sent, redirects, pooling ----------------------------------------------


def test_the_request_headers() -> None:
    async def scenario() -> list[FetchResult]:
        async with edge_server() as base, HttpFetcher(allow_private=True) as fetcher:
            return [
                await fetcher.fetch(f"{base}/echo", accept_types=None),
                await fetcher.fetch(f"{base}/echo", accept_types=["application/json", "text/html"]),
            ]

    default, negotiated = (json.loads(result.page.body) for result in run(scenario))

    assert default["User-Agent"] == USER_AGENT
    assert default["Accept-Encoding"] == "gzip, deflate"
    assert default["Accept"].startswith("text/html,")
    assert negotiated["Accept"] == "text/html,application/json,*/*;q=0.1"
    assert "Cookie" not in default


def test_a_given_user_agent_is_sent() -> None:
    result = fetch_edge("/echo", user_agent="testbot/1.0", accept_types=None)

    assert json.loads(result.page.body)["User-Agent"] == "testbot/1.0"


def test_a_redirect_comes_back_as_it_came() -> None:
    result = fetch_edge("/redirect?to=http://elsewhere.example/next")

    assert result.page.status == 301
    assert header(result, "Location") == "http://elsewhere.example/next"


def test_connections_are_kept_alive_and_pooled_within_the_limit() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        async with (
            edge_server() as base,
            HttpFetcher(
                allow_private=True, accept_types=None, max_connections_per_host=2
            ) as fetcher,
        ):
            one_by_one = [(await fetcher.fetch(f"{base}/peer")).page.body for _ in range(10)]
            together = await asyncio.gather(*(fetcher.fetch(f"{base}/peer") for _ in range(12)))
            return (
                [body.decode() for body in one_by_one],
                [result.page.body.decode() for result in together],
            )

    one_by_one, together = run(scenario)

    assert len(set(one_by_one)) == 1
    assert 1 <= len(set(together)) <= 2


def test_address_and_elapsed_time_are_filled_in() -> None:
    result = fetch_edge("/page")

    assert result.address == "127.0.0.1"
    assert result.elapsed_s > 0


# --- failures ----------------------------------------------------------------------


def test_a_stalled_body_times_out_on_the_read_timeout() -> None:
    with pytest.raises(
        FetchTimedOut, match=r"^cannot fetch http://127\.0\.0\.1:\d+/stall: no data"
    ):
        fetch_edge("/stall", read_timeout_s=0.2)


def test_an_endless_body_times_out_on_the_total_timeout() -> None:
    with pytest.raises(
        FetchTimedOut, match=r"^cannot fetch http://127\.0\.0\.1:\d+/endless: not done within 0.3 s"
    ):
        fetch_edge("/endless", total_timeout_s=0.3, max_body_bytes=1 << 30)


def test_a_refused_connection_fails_naming_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.

    async def scenario() -> None:
        async with HttpFetcher(allow_private=True) as fetcher:
            await fetcher.fetch(f"http://127.0.0.1:{port}/a")

    with pytest.raises(FetchFailed, match=rf"^cannot fetch http://127\.0\.0\.1:{port}/a: ") as info:
        run(scenario)
    assert type(info.value) is FetchFailed


@pytest.mark.parametrize(
    ("reply", "reset"),
    [
        (None, True),
        (None, False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\nshort", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\nshort", False),
        (b"HTTP/1.1 abc\r\n\r\n", False),
        (b"SSH-2.0-OpenSSH_9.2\r\n", False),
    ],
    ids=["reset", "closed", "reset-mid-body", "closed-mid-body", "bad-status", "not-http"],
)
def test_no_complete_response_is_a_fetch_failure_on_one_line(
    reply: bytes | None, reset: bool
) -> None:
    async def scenario() -> None:
        async with raw_server(reply, reset=reset) as base, HttpFetcher(allow_private=True) as f:
            await f.fetch(f"{base}/x")

    with pytest.raises(FetchFailed, match=r"^cannot fetch http://127\.0\.0\.1:\d+/x: ") as info:
        run(scenario)
    assert type(info.value) is FetchFailed
    assert "\n" not in str(info.value)


def test_a_url_that_is_not_http_is_invalid() -> None:
    async def scenario() -> None:
        async with HttpFetcher() as fetcher:
            await fetcher.fetch("ftp://example.com/file")

    with pytest.raises(InvalidUrl):
        run(scenario)


def test_a_resolver_os_error_is_host_not_found() -> None:
    class NoDns:
        async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def scenario() -> None:
        async with HttpFetcher(resolver=NoDns()) as fetcher:
            await fetcher.fetch("http://nowhere.example/")

    with pytest.raises(HostNotFound, match=r"^cannot fetch http://nowhere\.example/: .*not known"):
        run(scenario)


# --- addresses ---------------------------------------------------------------------


class FixedResolver:
    """Answers every host with the given addresses."""

    def __init__(self, *answers: tuple[str, int]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
        self.asked.append((host, port))
        return self.answers


def test_a_loopback_url_is_refused_without_allow_private_and_fetched_with_it() -> None:
    async def scenario() -> FetchResult:
        async with edge_server() as base:
            async with HttpFetcher() as fetcher:
                with pytest.raises(
                    AddressRefused,
                    match=r"^cannot fetch http://127\.0\.0\.1:\d+/page: 127\.0\.0\.1 is a loopback",
                ):
                    await fetcher.fetch(f"{base}/page")
            async with HttpFetcher(allow_private=True) as fetcher:
                return await fetcher.fetch(f"{base}/page")

    assert run(scenario).page.body == PAGE


@pytest.mark.parametrize(
    "url",
    ["http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://10.1.2.3/", "http://169.254.169.254/"],
)
def test_private_address_literals_are_refused_before_connecting(url: str) -> None:
    async def scenario() -> None:
        async with HttpFetcher() as fetcher:
            await fetcher.fetch(url)

    with pytest.raises(AddressRefused, match="cannot fetch http://"):
        run(scenario)


@pytest.mark.parametrize(
    ("address", "kind"),
    [("10.0.0.7", "private"), ("127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local")],
)
def test_a_public_looking_name_resolving_to_a_private_address_is_refused(
    address: str, kind: str
) -> None:
    resolver = FixedResolver((address, 80))

    async def scenario() -> None:
        async with HttpFetcher(resolver=resolver) as fetcher:
            await fetcher.fetch("http://www.example.com/")

    with pytest.raises(
        AddressRefused,
        match=rf"^cannot fetch http://www\.example\.com/: www\.example\.com resolves to "
        rf"{address}, a {kind} address$",
    ):
        run(scenario)
    assert resolver.asked == [("www.example.com", 80)]


def test_a_redirect_to_a_private_host_is_refused_when_the_crawler_follows_it() -> None:
    async def scenario() -> None:
        async with edge_server() as base, HttpFetcher(allow_private=True) as edge_fetcher:
            hop = await edge_fetcher.fetch(f"{base}/redirect?to=http://intranet.example/admin")
        location = header(hop, "Location")
        assert hop.page.status == 301
        assert location == "http://intranet.example/admin"
        resolver = FixedResolver(("10.0.0.5", 80))
        async with HttpFetcher(resolver=resolver) as fetcher:
            await fetcher.fetch(location)

    with pytest.raises(AddressRefused, match=r"intranet\.example resolves to 10\.0\.0\.5"):
        run(scenario)


def test_every_private_answer_is_named_in_the_refusal() -> None:
    resolver = FixedResolver(("10.0.0.1", 80), ("192.168.1.1", 80))

    async def scenario() -> None:
        async with HttpFetcher(resolver=resolver) as fetcher:
            await fetcher.fetch("http://www.example.com/")

    with pytest.raises(AddressRefused, match=r"10\.0\.0\.1, a private address \(and 1 more"):
        run(scenario)


def test_the_guard_keeps_only_public_answers_and_the_resolvers_ports() -> None:
    resolver = FixedResolver(("10.0.0.1", 80), ("93.184.215.14", 8080), ("2606:4700::1111", 8443))

    async def scenario() -> list[tuple[str, int, int]]:
        guard = _GuardedResolver(resolver, allow_private=False)
        answers = await guard.resolve("www.example.com", 80, socket.AF_UNSPEC)
        return [(answer["host"], answer["port"], answer["family"]) for answer in answers]

    assert run(scenario) == [
        ("93.184.215.14", 8080, socket.AF_INET),
        ("2606:4700::1111", 8443, socket.AF_INET6),
    ]


def test_the_system_resolver_answers_localhost_which_the_guard_refuses() -> None:
    async def scenario() -> tuple[list[tuple[str, int]], type[BaseException] | None]:
        answers = await SystemResolver().resolve("localhost", 80)
        async with HttpFetcher() as fetcher:
            try:
                await fetcher.fetch("http://localhost:9/")
            except FetchFailed as err:
                return answers, type(err)
        return answers, None

    answers, error = run(scenario)

    assert answers
    assert {address for address, _ in answers} <= {"127.0.0.1", "::1"}
    assert error is AddressRefused


def test_a_closed_fetcher_is_not_used_again() -> None:
    async def scenario() -> None:
        fetcher = HttpFetcher(allow_private=True)
        await fetcher.aclose()
        await fetcher.fetch("http://127.0.0.1:9/")

    with pytest.raises(RuntimeError, match="closed"):
        run(scenario)


@pytest.mark.parametrize(
    "setting",
    [{"read_timeout_s": 0}, {"max_body_bytes": -1}, {"max_connections_per_host": 0}],
)
def test_settings_that_cannot_work_are_refused(setting: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        HttpFetcher(**setting)


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs to a full queue")
def test_a_connect_that_gets_no_answer_times_out_on_the_connect_timeout() -> None:
    # A listener that never accepts, its queue full: Linux drops further SYNs,
    # so the next connect hears nothing, as from a host behind a firewall.
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))

        async def scenario() -> None:
            async with HttpFetcher(allow_private=True, connect_timeout_s=0.2) as fetcher:
                await fetcher.fetch(f"http://127.0.0.1:{port}/")

        with pytest.raises(
            FetchTimedOut, match=rf"^cannot fetch http://127\.0\.0\.1:{port}/: no connection within"
        ):
            run(scenario)


def test_headers_keep_their_order_and_names_and_decode_utf8_else_latin1() -> None:
    reply = (
        b"HTTP/1.1 301 Moved\r\nlocation: http://example.com/caf\xc3\xa9\r\n"
        b"X-Old: caf\xe9\r\nContent-Length: 0\r\n\r\n"
    )

    async def scenario() -> FetchResult:
        async with raw_server(reply) as base, HttpFetcher(allow_private=True) as fetcher:
            return await fetcher.fetch(f"{base}/")

    result = run(scenario)

    assert result.page.headers == (
        ("location", "http://example.com/café"),
        ("X-Old", "café"),
        ("Content-Length", "0"),
    )
    assert result.address == "127.0.0.1"


def test_an_empty_or_unusable_answer_is_host_not_found() -> None:
    async def scenario(answers: list[tuple[str, int]], family: socket.AddressFamily) -> None:
        await _GuardedResolver(FixedResolver(*answers), allow_private=True).resolve(
            "www.example.com", 80, family
        )

    with pytest.raises(HostNotFound, match="has no address$"):
        asyncio.run(scenario([], socket.AF_UNSPEC))
    with pytest.raises(HostNotFound, match="no address of the family"):
        asyncio.run(scenario([("::1", 80)], socket.AF_INET))


def test_loopback_resolver_needs_a_real_port() -> None:
    with pytest.raises(ValueError, match="port must be between"):
        LoopbackResolver(0)


def test_accept_types_is_a_collection_not_a_string() -> None:
    with pytest.raises(TypeError, match="not one string"):
        HttpFetcher(accept_types="text/html")
