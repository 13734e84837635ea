"""A hostile web server on 127.0.0.1: bombs, endless bodies, drips, redirect traps, lies.

Shared by the hostile-server tests (``test_hostile_servers``) and the proof
suite (``tests/prove/test_prove_hostile``); not a test module. Raw HTTP/1.1 over
asyncio streams, in a thread, so that every byte and every lie is the test's
choice. Every response closes its connection. Paths (one host serves them all;
crawls reach it with ``--resolve-to``):

``/index/NAME``
    A page linking to the hostile URL of case NAME and to ``/ok/NAME/1..3``.
``/ok/...``
    A plain page: the crawl must fetch these whatever the hostile URL did.
``/gzip-bomb``
    ``Content-Encoding: gzip``, ``gzip_bomb_bytes`` of zeros inflated, some
    1/1000 of that on the wire; streamed, so only what the client reads is sent.
``/brotli-bomb``
    ``Content-Encoding: br``: ``brotli_bomb_bytes`` of zeros in a few hundred bytes.
``/endless``
    A chunked HTML body that never ends.
``/drip``
    A body promised by ``Content-Length`` and sent one byte a second.
``/loop/a``, ``/loop/b``
    302 to each other.
``/chain/N``
    302 to ``/chain/N+1`` up to ``chain_hops``, which is a page.
``/many-links``
    A page of ``many_links`` links, to other hosts (out of a site crawl's scope).
``/charset/NAME``
    Pages with an unknown charset, a charset that lies about the bytes, and a
    ``<meta charset>`` that contradicts the header; each links to ``/ok/charset/NAME``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import brotli
import duckdb

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

MIB = 1 << 20
#: Hostile cases and the path of their hostile URL.
CASES = {
    "gzip-bomb": "/gzip-bomb",
    "brotli-bomb": "/brotli-bomb",
    "endless": "/endless",
    "drip": "/drip",
    "redirect-loop": "/loop/a",
    "redirect-chain": "/chain/0",
    "many-links": "/many-links",
    "unknown-charset": "/charset/unknown",
    "lying-charset": "/charset/lying",
    "meta-contradicts": "/charset/meta",
}
#: Pages beside each hostile URL that the crawl must fetch.
OK_PAGES = 3
#: Bytes of the header block read at most.
MAX_REQUEST_BYTES = 16 * 1024
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


@cache
def _zero_block() -> tuple[bytes, bytes]:
    """One MiB of zeros deflated after a full flush (the same bytes each time), and the end."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(MIB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    return block, deflate.flush(zlib.Z_FINISH)


@cache
def brotli_bomb(inflated_bytes: int) -> bytes:
    """*inflated_bytes* of zeros, brotli-compressed (1 GiB is some 800 bytes)."""
    compressor = brotli.Compressor(quality=5, lgwin=24)
    parts = [compressor.process(bytes(MIB)) for _ in range(inflated_bytes // MIB)]
    return b"".join([*parts, compressor.finish()])


def gzip_bomb_size(inflated_bytes: int) -> int:
    """Bytes on the wire of the gzip bomb of *inflated_bytes* (whole MiBs)."""
    block, end = _zero_block()
    return len(_GZIP_HEADER) + (inflated_bytes // MIB) * len(block) + len(end) + 8


async def gzip_bomb(inflated_bytes: int) -> AsyncIterator[bytes]:
    """Yield a valid gzip member of *inflated_bytes* zeros, a MiB's block at a time."""
    block, end = _zero_block()
    zeros = bytes(MIB)
    crc = 0
    yield _GZIP_HEADER
    for _ in range(inflated_bytes // MIB):
        crc = zlib.crc32(zeros, crc)
        yield block
    yield end + struct.pack("<II", crc, inflated_bytes & 0xFFFFFFFF)


class HostileWeb:
    """What the server serves, and what it sent: bytes on the wire and requests per path."""

    def __init__(
        self,
        *,
        gzip_bomb_bytes: int = 4 * 1024 * MIB,
        brotli_bomb_bytes: int = 1024 * MIB,
        drip_bytes: int = 10_000,
        chain_hops: int = 50,
        many_links: int = 100_000,
    ) -> None:
        self.gzip_bomb_bytes = gzip_bomb_bytes
        self.brotli_bomb_bytes = brotli_bomb_bytes
        self.drip_bytes = drip_bytes
        self.chain_hops = chain_hops
        self.many_links = many_links
        brotli_bomb(brotli_bomb_bytes)  # built now: building it would stall the server
        self.sent_bytes: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, path: str, sent: int, *, is_request: bool = False) -> None:
        with self._lock:
            self.sent_bytes[path] += sent
            self.requests[path] += is_request

    async def respond(self, path: str, writer: asyncio.StreamWriter) -> None:
        """Write the whole response to a GET of *path*."""
        send = _Sender(self, path, writer)
        if path == "/robots.txt":
            await send.page(b"User-agent: *\nAllow: /\n", "text/plain")
        elif path.startswith("/index/") and path[7:] in CASES:
            name = path[7:]
            links = [CASES[name], *(f"/ok/{name}/{n}" for n in range(1, OK_PAGES + 1))]
            await send.page(_html(f"index of {name}", links))
        elif path.startswith("/ok/"):
            await send.page(_html(f"fine page {path}", []))
        elif path == "/gzip-bomb":
            size = gzip_bomb_size(self.gzip_bomb_bytes)
            await send.head(200, [("Content-Encoding", "gzip"), ("Content-Length", str(size))])
            async for part in gzip_bomb(self.gzip_bomb_bytes):
                await send.body(part)
        elif path == "/brotli-bomb":
            bomb = brotli_bomb(self.brotli_bomb_bytes)
            await send.head(200, [("Content-Encoding", "br"), ("Content-Length", str(len(bomb)))])
            await send.body(bomb)
        elif path == "/endless":
            await send.head(200, [("Transfer-Encoding", "chunked")])
            await send.body(_chunk(b"<!doctype html><title>endless</title>"))
            framed = _chunk(b"<p>and more</p>\n" * 4096)
            while True:
                await send.body(framed)
        elif path == "/drip":
            await send.head(200, [("Content-Length", str(self.drip_bytes))])
            for _ in range(self.drip_bytes):
                await send.body(b" ")
                await asyncio.sleep(1.0)
        elif path in ("/loop/a", "/loop/b"):
            await send.redirect("/loop/b" if path == "/loop/a" else "/loop/a")
        elif path.startswith("/chain/") and path[7:].isdigit():
            hop = int(path[7:])
            if hop < self.chain_hops:
                await send.redirect(f"/chain/{hop + 1}")
            else:
                await send.page(_html("the end of the chain", []))
        elif path == "/many-links":
            links = (f"https://far{n % 1000}.example/page/{n}" for n in range(self.many_links))
            await send.page(_html("a hundred thousand links", links))
        elif path.startswith("/charset/"):
            await self._charset(path, send)
        else:
            await send.page(_html("not here", []), status=404)

    async def _charset(self, path: str, send: _Sender) -> None:
        name = path.removeprefix("/charset/")
        body = _html(f"charset {name} \u00e9t\u00e9 \u2603", [f"/ok/charset/{name}"])
        if name == "unknown":
            await send.page(body, "text/html; charset=x-no-such-charset")
        elif name == "lying":
            # Says UTF-8, sends Latin-1 bytes and a stray invalid sequence.
            lying = body.decode().replace("\u2603", "").encode("latin-1") + b"\xff\xfe\xc3("
            await send.page(lying, "text/html; charset=utf-8")
        elif name == "meta":
            meta = b'<meta charset="utf-16">' + body
            await send.page(meta, "text/html; charset=iso-8859-1")
        else:
            await send.page(_html("not here", []), status=404)


class _Sender:
    """Writes one response, counting its bytes for its path."""

    def __init__(self, web: HostileWeb, path: str, writer: asyncio.StreamWriter) -> None:
        self._web = web
        self._path = path
        self._writer = writer

    async def body(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()
        self._web.count(self._path, len(data))

    async def head(self, status: int, headers: list[tuple[str, str]]) -> None:
        lines = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'Hostile'}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines += ["Connection: close"]
        if not any(name.lower() == "content-type" for name, _ in headers):
            lines.append("Content-Type: text/html")
        await self.body(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def page(self, body: bytes, content_type: str = "text/html", status: int = 200) -> None:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        await self.head(status, headers)
        await self.body(body)

    async def redirect(self, location: str) -> None:
        await self.head(302, [("Location", location), ("Content-Length", "0")])


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _html(title: str, links: Iterable[str]) -> bytes:
    anchors = "".join(f'<a href="{url}">link {n}</a>\n' for n, url in enumerate(links))
    page = f"<!doctype html><html><head><title>{title}</title></head><body>"
    return (page + f"<main><p>{title}</p>{anchors}</main></body></html>").encode()


@contextmanager
def serve_hostile(web: HostileWeb) -> Iterator[str]:
    """Serve *web* on 127.0.0.1 while the block runs; yield ``127.0.0.1:PORT``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    address: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_REQUEST_BYTES:
                return
            path = head.split(b" ", 2)[1].decode("latin-1").partition("?")[0]
            web.count(path, 0, is_request=True)
            await web.respond(path, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, IndexError):
            pass  # the client went away, or sent no request: the hostile server does not care
        except asyncio.CancelledError:
            pass  # the server stops: an endless body ends here
        finally:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        address.append(f"127.0.0.1:{server.sockets[0].getsockname()[1]}")
        ready.set()
        async with server:
            await server.serve_forever()

    def run() -> None:
        with suppress(asyncio.CancelledError):
            loop.run_until_complete(main())

    thread = threading.Thread(target=run, name="hostile-web", daemon=True)
    thread.start()
    ready.wait(10.0)
    try:
        yield address[0]
    finally:

        def stop() -> None:
            for task in asyncio.all_tasks(loop):
                task.cancel()

        loop.call_soon_threadsafe(stop)
        thread.join(10.0)
        loop.close()


#: The host the hostile server plays (every host resolves to it).
HOST = "hostile.example"


@dataclass(frozen=True)
class HostileCrawl:
    """One crawl of the hostile server, as a child process, and what it left.

    ``frontier`` maps each URL's path to its ``(state, status, outcome)``;
    ``max_rss_mb`` is the crawl process's peak resident memory.
    """

    exit_code: int
    seconds: float
    max_rss_mb: float
    report: dict[str, object]
    stderr: str
    frontier: dict[str, tuple[str, int | None, str | None]] = field(default_factory=dict)
    links_by_source: dict[str, int] = field(default_factory=dict)


def crawl_hostile(
    paths: list[str],
    address: str,
    workdir: Path,
    *,
    settings: dict[str, str] | None = None,
    workers: int = 1,
    give_up_s: float = 600.0,
) -> HostileCrawl:
    """Crawl the seeds *paths* of the hostile server at *address* with ``linkequity crawl``.

    *settings* are LINKEQUITY_* environment variables (``{"crawl.max_retries": "0"}``).
    *workers* is ``--workers`` (0: one page reader per CPU). The crawl must
    end by itself within *give_up_s* (a guard: it is killed and the test
    fails otherwise); time is measured, never asserted.
    """
    db = workdir / "hostile.duckdb"
    env = {name: value for name, value in os.environ.items() if not name.startswith("LINKEQUITY_")}
    env["LINKEQUITY_UI_PROGRESS"] = "false"
    for key, value in (settings or {}).items():
        env["LINKEQUITY_" + key.replace(".", "_").upper()] = value
    args = [sys.executable, "-m", "linkequity", "crawl", *(f"http://{HOST}{p}" for p in paths)]
    args += ["--mode", "site", "--allow-private", "--resolve-to", address, "--delay", "0"]
    args += ["--workers", str(workers), "--db", str(db), "--json"]
    out_path, err_path = workdir / "crawl.out", workdir / "crawl.err"
    began = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        child = subprocess.Popen(args, cwd=workdir, env=env, stdout=out, stderr=err)
    status, max_rss_mb = _wait(child.pid, began + give_up_s)
    seconds = time.monotonic() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(errors="replace")
    assert child.returncode != -signal.SIGKILL, f"the crawl did not end in {give_up_s} s"
    text = out_path.read_text()
    crawl = HostileCrawl(
        exit_code=child.returncode,
        seconds=seconds,
        max_rss_mb=max_rss_mb,
        report=json.loads(text) if child.returncode == 0 and text else {},
        stderr=stderr,
    )
    if child.returncode == 0:
        _read_store(db, crawl)
    return crawl


def _wait(pid: int, deadline: float) -> tuple[int, float]:
    """Wait for *pid*, killing it at *deadline*; return its wait status and peak RSS in MB.

    The peak is the highest ``VmHWM`` of the process and its children (the
    page readers), sampled as it runs: ``ru_maxrss`` would count the test
    process too, whose memory a child holds between its fork and its exec.
    """
    peak_kb = 0
    while True:
        peak_kb = max(peak_kb, _tree_hwm_kb(pid))
        done, status, _ = os.wait4(pid, os.WNOHANG)
        if done:
            return status, peak_kb / 1024
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, _ = os.wait4(pid, 0)
            return status, peak_kb / 1024
        time.sleep(0.01)


def _tree_hwm_kb(pid: int) -> int:
    """The highest ``VmHWM`` (kB) of *pid* and its descendants; 0 where /proc tells nothing."""
    peak = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        proc = Path(f"/proc/{current}")
        with suppress(OSError, ValueError):
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
            for task in (proc / "task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    return peak


def _read_store(db: Path, crawl: HostileCrawl) -> None:
    prefix = f"http://{HOST}"
    with duckdb.connect(str(db), read_only=True) as conn:
        for url, state, status, outcome in conn.execute(
            "SELECT url, state, status, outcome FROM crawl_frontier"
        ).fetchall():
            crawl.frontier[url.removeprefix(prefix)] = (state, status, outcome)
        for url, links in conn.execute(
            """SELECT u.url, count(*) FROM links l JOIN urls u ON u.id = l.source_url_id
            GROUP BY u.url"""
        ).fetchall():
            crawl.links_by_source[url.removeprefix(prefix)] = int(links)
