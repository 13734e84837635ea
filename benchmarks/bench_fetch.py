"""Fetching the sample web: HttpFetcher against a bare aiohttp loop and httpx.

Usage::

    python benchmarks/bench_fetch.py [--pages 2000] [--concurrency 16] [--per-host 4]
                                     [--repeat 3] [--out DIR]

A sample web of 20 sites and ``--pages`` pages is served on 127.0.0.1 by a
child process (so that the server's threads do not share this process's
GIL), with a worker thread for every connection the clients may hold. Every
page URL is fetched, hosts interleaved, by ``--concurrency`` tasks:

* ``linkequity``: ``HttpFetcher`` through ``LoopbackResolver``, every type
  read; it also checks addresses, caps the body and builds a ``FetchResult``;
* ``aiohttp``: a bare ``ClientSession`` with a resolver sending every host
  to the server, ``read()`` of each body, redirects not followed; the floor
  the fetcher's own work sits on;
* ``httpx``: an ``AsyncClient`` asking ``http://127.0.0.1:PORT/path`` with
  the sample host in ``Host`` (httpx has no resolver seam), one pool of
  ``--concurrency`` connections; skipped when httpx is not installed.

Each repeat runs every contender once, in turn, each with a new client (so
connecting is counted); the best repeat counts. Figures are pages/s (wall
clock) and client CPU ms per page (this process's CPU time, the server's
excluded). Ratios are linkequity's figure over each contender's, higher is
better for linkequity, for throughput, and the contender's CPU over
linkequity's. Figures go to stdout and ``benchmarks/out/bench_fetch-<pages>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import platform
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from linkequity.crawl.http_fetcher import HttpFetcher, LoopbackResolver
from linkequity.samples.web import generate_web, serve_web

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator
    from multiprocessing.connection import Connection

OUT = Path(__file__).resolve().parent / "out"
SEED = 1
SITES = 20

Fetch = tuple[int, int]  # status, body bytes


def serve(pages: int, workers: int, pipe: Connection) -> None:
    """Serve the sample web in this (child) process until the parent closes *pipe*."""
    with serve_web(generate_web(SEED, sites=SITES, pages=pages), workers=workers) as base:
        pipe.send(base)
        with contextlib.suppress(EOFError):
            pipe.recv()


def interleaved_urls(pages: int) -> list[str]:
    """Every page URL of the web, one host after another in turn."""
    by_host: dict[str, list[str]] = {}
    for url in generate_web(SEED, sites=SITES, pages=pages).urls():
        by_host.setdefault(urlsplit(url).netloc, []).append(url)
    queues = list(by_host.values())
    urls = []
    while queues:
        urls.extend(queue.pop(0) for queue in queues)
        queues = [queue for queue in queues if queue]
    return urls


async def run_tasks(
    urls: list[str], concurrency: int, fetch: Callable[[str], Awaitable[Fetch]]
) -> list[Fetch]:
    """Fetch *urls* with *concurrency* tasks taking the next URL in turn."""
    results: list[Fetch] = []
    pending: Iterator[str] = iter(urls)

    async def worker() -> None:
        for url in pending:
            results.append(await fetch(url))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


async def with_linkequity(
    urls: list[str], port: int, concurrency: int, per_host: int
) -> list[Fetch]:
    async with HttpFetcher(
        resolver=LoopbackResolver(port),
        allow_private=True,
        accept_types=None,
        max_connections=concurrency,
        max_connections_per_host=per_host,
    ) as fetcher:

        async def fetch(url: str) -> Fetch:
            result = await fetcher.fetch(url)
            return result.page.status or 0, len(result.page.body)

        return await run_tasks(urls, concurrency, fetch)


class _ToLoopback(AbstractResolver):
    def __init__(self, port: int) -> None:
        self.port = port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=self.port,
                family=socket.AF_INET,
                proto=0,
                flags=0,
            )
        ]

    async def close(self) -> None:
        pass


async def with_aiohttp(urls: list[str], port: int, concurrency: int, per_host: int) -> list[Fetch]:
    connector = aiohttp.TCPConnector(
        limit=concurrency, limit_per_host=per_host, resolver=_ToLoopback(port)
    )
    async with aiohttp.ClientSession(connector=connector) as session:

        async def fetch(url: str) -> Fetch:
            async with session.get(url, allow_redirects=False) as response:
                return response.status, len(await response.read())

        return await run_tasks(urls, concurrency, fetch)


async def with_httpx(urls: list[str], port: int, concurrency: int, per_host: int) -> list[Fetch]:
    import httpx

    del per_host  # one pool, keyed by 127.0.0.1:PORT
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def fetch(url: str) -> Fetch:
            parts = urlsplit(url)
            response = await client.get(
                f"http://127.0.0.1:{port}{parts.path}", headers={"Host": parts.netloc}
            )
            return response.status_code, len(response.content)

        return await run_tasks(urls, concurrency, fetch)


CONTENDERS: dict[str, Callable[[list[str], int, int, int], Awaitable[list[Fetch]]]] = {
    "linkequity": with_linkequity,
    "aiohttp": with_aiohttp,
    "httpx": with_httpx,
}


def available() -> list[str]:
    try:
        import httpx  # noqa: F401
    except ImportError:
        return ["linkequity", "aiohttp"]
    return list(CONTENDERS)


def measure(
    name: str, urls: list[str], port: int, concurrency: int, per_host: int
) -> dict[str, Any]:
    wall_s, cpu_s = time.perf_counter(), time.process_time()
    results = asyncio.run(CONTENDERS[name](urls, port, concurrency, per_host))
    wall_s, cpu_s = time.perf_counter() - wall_s, time.process_time() - cpu_s
    if len(results) != len(urls):
        raise SystemExit(f"{name}: {len(results)} results for {len(urls)} URLs")
    return {
        "wall_s": wall_s,
        "pages_per_s": len(urls) / wall_s,
        "cpu_ms_per_page": 1000 * cpu_s / len(urls),
        "body_bytes": sum(size for _, size in results),
        "statuses": dict(sorted(Counter(status for status, _ in results).items())),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages of the sample web")
    parser.add_argument("--concurrency", type=int, default=16, help="fetches in flight")
    parser.add_argument("--per-host", type=int, default=4, help="connections per host")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each contender")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the JSON figures")
    args = parser.parse_args(argv)

    urls = interleaved_urls(args.pages)
    workers = max(SITES * args.per_host, args.concurrency) + 8
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(args.pages, workers, child), daemon=True
    )
    server.start()
    try:
        port = urlsplit(parent.recv()).port
        assert port is not None
        names = available()
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for name in names:
                row = measure(name, urls, port, args.concurrency, args.per_host)
                if name not in best or row["pages_per_s"] > best[name]["pages_per_s"]:
                    best[name] = row
    finally:
        parent.close()
        server.join(timeout=10)

    ours = best["linkequity"]
    for name, row in best.items():
        if (row["statuses"], row["body_bytes"]) != (ours["statuses"], ours["body_bytes"]):
            raise SystemExit(f"{name} got other responses than linkequity: {row}")
    print(f"{len(urls)} URLs, {args.concurrency} in flight, {args.per_host} per host, ", end="")
    print(f"best of {args.repeat}; statuses {ours['statuses']}")
    print(f"{'contender':<12}{'pages/s':>10}{'CPU ms/page':>13}", end="")
    print(f"{'ours/it pages/s':>17}{'it/ours CPU':>13}")
    for name, row in best.items():
        print(
            f"{name:<12}{row['pages_per_s']:>10,.0f}{row['cpu_ms_per_page']:>13.3f}"
            f"{ours['pages_per_s'] / row['pages_per_s']:>16.2f}x"
            f"{row['cpu_ms_per_page'] / ours['cpu_ms_per_page']:>12.2f}x"
        )
    if "httpx" not in best:
        print("httpx: not installed (pip install httpx), skipped")
    figures = {
        "pages": len(urls),
        "concurrency": args.concurrency,
        "per_host": args.per_host,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "contenders": best,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_fetch-{len(urls)}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
