"""DNS rebinding against the real fetcher and crawler, inside a network namespace of its own.

Run as ``unshare -rn python tests/ssrf_netns.py`` (``tests/integration/test_ssrf.py``
does): in a fresh user and network namespace the process may put a *public*
address (``PUBLIC``) on its own loopback interface, so a "public" web server
really answers there while nothing leaves the machine (every other address is
unreachable). Beside it, servers on 127.0.0.1, ::1 and a private address
(``PRIVATE``) count every request they get: the attacker's prize.

A ``ScriptedResolver``, through the fetcher's resolver seam, answers each
lookup of a host from a script (first ``PUBLIC``, then 127.0.0.1, ...) and
counts the lookups; the connections are real. Each scenario prints what the
servers saw, what the resolver answered and what the crawler recorded, as one
JSON object on stdout, for the test to judge.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from aiohttp import web

from linkequity.crawl.addresses import is_public_address
from linkequity.crawl.crawler import Crawler, CrawlLimits
from linkequity.crawl.frontier import CrawlRequest
from linkequity.crawl.http_fetcher import HttpFetcher, SystemResolver
from linkequity.crawl.readers import InlineReader
from linkequity.crawl.robots import AsyncRobotsPolicy
from linkequity.errors import FetchFailed
from linkequity.model.urls import url_host

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from linkequity.model.records import FetchedPage

#: A public address (``crawl.addresses``) that lives on the namespace's loopback interface.
PUBLIC = "93.184.215.14"
#: A private address on the same interface.
PRIVATE = "10.9.9.9"
LOOPBACK = "127.0.0.1"
PORT = 80
#: Seconds a scenario may take before it counts as hung (never reached).
HUNG_S = 60.0
#: Where the public server's redirects point.
REDIRECTS = {
    "/to-same-host": "http://rebind.example/inside",
    "/to-other-host": "http://rebound.example/inside",
    "/to-loopback": f"http://{LOOPBACK}/inside",
    "/to-ipv6-loopback": "http://[::1]/inside",
    "/to-mapped": "http://[::ffff:127.0.0.1]/inside",
    "/to-decimal": "http://2130706433/inside",
    "/to-hex": "http://0x7f.1/inside",
    "/to-short": "http://127.1/inside",
    "/to-private": f"http://{PRIVATE}/inside",
    "/to-localhost": "http://localhost./inside",
}


class ScriptedResolver:
    """Answers the n-th lookup of a host with the n-th entry of its script (the last repeats).

    Hosts without a script go to the system resolver (numeric forms, ``localhost``).
    """

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = script
        self.lookups: list[tuple[str, list[str]]] = []

    async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
        """Return the scripted answer of *host*'s next lookup."""
        answers = self.script.get(host.lower())
        if answers is None:
            found = await SystemResolver().resolve(host, port)
            self.lookups.append((host, [address for address, _ in found]))
            return found
        nth = sum(1 for looked, _ in self.lookups if looked == host)
        answer = answers[min(nth, len(answers) - 1)]
        self.lookups.append((host, answer))
        return [(address, port) for address in answer]


class Servers:
    """The public web server and the internal ones, each counting what it is asked."""

    def __init__(self) -> None:
        self.hits: dict[str, list[str]] = {"public": [], "internal": []}
        self._runners: list[web.AppRunner] = []

    async def start(self) -> None:
        public = web.Application()
        public.router.add_get("/{tail:.*}", self._public)
        internal = web.Application()
        internal.router.add_get("/{tail:.*}", self._internal)
        for app, hosts in ((public, [PUBLIC]), (internal, [LOOPBACK, "::1", PRIVATE])):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            for host in hosts:
                await web.TCPSite(runner, host, PORT).start()
            self._runners.append(runner)

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()

    async def _public(self, request: web.Request) -> web.StreamResponse:
        self.hits["public"].append(f"{request.host}{request.path}")
        if request.path == "/robots.txt":
            answer = web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")
        elif request.path in REDIRECTS:
            answer = web.Response(status=301, headers={"Location": REDIRECTS[request.path]})
        else:
            links = "".join(
                f'<a href="{href}">{href}</a>' for href in request.query.getall("link", [])
            )
            body = f"<!doctype html><title>public</title><main><p>PUBLIC PAGE</p>{links}</main>"
            answer = web.Response(text=body, content_type="text/html")
        # A new connection, hence a new lookup, for every request: the rebinding window.
        answer.force_close()
        return answer

    async def _internal(self, request: web.Request) -> web.StreamResponse:
        self.hits["internal"].append(f"{request.host}{request.path}")
        return web.Response(text="INTERNAL SECRET", content_type="text/html")


async def crawl(
    seeds: list[str], script: dict[str, list[list[str]]], **fetcher: Any
) -> dict[str, Any]:
    """Crawl *seeds* (robots.txt obeyed, links followed) through a fetcher on *script*."""
    # The in-memory frontier of the crawler's unit tests, with its fake clock.
    from tests.unit.crawl.test_crawler import FakeTime, MemoryFrontier

    servers = Servers()
    await servers.start()
    resolver = ScriptedResolver(script)
    clock = FakeTime()
    frontier = MemoryFrontier(clock)
    frontier.add(CrawlRequest(seed, url_host(seed), 0) for seed in seeds)
    settings = {"dns_cache_s": 0, "connect_timeout_s": 5.0} | fetcher
    try:
        async with HttpFetcher(resolver=resolver, **settings) as http:

            async def fetch_robots(url: str) -> FetchedPage:
                return (await http.fetch(url, accept_types=None)).page

            crawler = Crawler(
                frontier,
                http,
                InlineReader(),
                policies=(),
                robots=AsyncRobotsPolicy(
                    fetch_robots, user_agent="linkequity/test", clock=clock.monotonic
                ),
                limits=CrawlLimits(concurrency=1, per_host=1, delay_s=0.0, max_retries=0),
                clock=clock.monotonic,
                wall_clock=clock.wall,
            )
            await asyncio.wait_for(crawler.run(), HUNG_S)
    finally:
        await servers.stop()
    return {
        "hits": servers.hits,
        "lookups": resolver.lookups,
        "states": {url: _state(frontier.state(url)) for url in frontier.rows},
    }


async def fetch_each(
    urls: list[str], script: dict[str, list[list[str]]], **fetcher: Any
) -> dict[str, Any]:
    """Fetch *urls* one after the other through one fetcher; record each address or refusal."""
    servers = Servers()
    await servers.start()
    resolver = ScriptedResolver(script)
    fetched: list[list[str | None]] = []
    try:
        async with HttpFetcher(resolver=resolver, connect_timeout_s=5.0, **fetcher) as http:
            for url in urls:
                try:
                    result = await http.fetch(url)
                except FetchFailed as err:
                    fetched.append([url, None, f"{type(err).__name__}: {err}"])
                else:
                    fetched.append([url, result.address, result.page.body.decode()])
    finally:
        await servers.stop()
    return {"hits": servers.hits, "lookups": resolver.lookups, "fetched": fetched}


async def check_then_connect(urls: list[str], script: dict[str, list[list[str]]]) -> dict[str, Any]:
    """The classic mistake, for the control: look the host up and check, then let the connection
    look it up again, unchecked (the check passes, the connection goes where the second says).
    """
    servers = Servers()
    await servers.start()
    resolver = ScriptedResolver(script)
    fetched: list[list[str | None]] = []
    try:
        async with HttpFetcher(
            resolver=resolver, allow_private=True, dns_cache_s=0, connect_timeout_s=5.0
        ) as http:
            for url in urls:
                checked = await resolver.resolve(url_host(url), PORT)
                if not all(is_public_address(address) for address, _ in checked):
                    fetched.append([url, None, "refused by the check"])
                    continue
                result = await http.fetch(url)
                fetched.append([url, result.address, result.page.body.decode()])
    finally:
        await servers.stop()
    return {"hits": servers.hits, "lookups": resolver.lookups, "fetched": fetched}


def _state(state: tuple[Any, int, int | None, str | None]) -> list[Any]:
    url_state, _, status, outcome = state
    return [str(url_state), status, outcome]


def _page(host: str, name: str, *links: str) -> str:
    query = "&".join(f"link={link}" for link in links)
    return f"http://{host}/{name}" + (f"?{query}" if query else "")


P, L = [PUBLIC], [LOOPBACK]

#: name -> the coroutine that plays it; see ``tests/integration/test_ssrf.py`` for the verdicts.
SCENARIOS: dict[str, Callable[[], Coroutine[Any, Any, dict[str, Any]]]] = {
    # robots.txt from the public address, then the page's lookup answers 127.0.0.1.
    "robots_then_page": lambda: crawl(
        [_page("rebind.example", "page-1"), _page("other.example", "page-1")],
        {"rebind.example": [P, L], "other.example": [P]},
    ),
    # page-1 from the public address links two more; the third lookup answers 127.0.0.1.
    "two_pages": lambda: crawl(
        [_page("rebind.example", "page-1", "/page-2", "/page-3")],
        {"rebind.example": [P, P, L, P]},
    ),
    # a redirect on the same host, whose next lookup answers 127.0.0.1.
    "after_redirect": lambda: crawl(
        ["http://rebind.example/to-same-host"], {"rebind.example": [P, P, L]}
    ),
    # redirects to another host that answers 127.0.0.1, and to loopback and private
    # addresses spelt every way a URL can spell them.
    "redirects_inside": lambda: crawl(
        [f"http://rebind.example{path}" for path in REDIRECTS if path != "/to-same-host"],
        {"rebind.example": [P], "rebound.example": [L]},
    ),
    # public and internal addresses in one answer, in either order.
    "mixed_answers": lambda: fetch_each(
        ["http://mixed.example/a", "http://mixed.example/b", "http://mixed.example/c"],
        {"mixed.example": [[LOOPBACK, PUBLIC], [PUBLIC, "::1", PRIVATE], ["::ffff:7f00:1"]]},
        dns_cache_s=0,
    ),
    # the default cache: the public answer, once checked, serves the next connection.
    "cached_answer": lambda: fetch_each(
        ["http://rebind.example/a", "http://rebind.example/b"], {"rebind.example": [P, L]}
    ),
    # the controls: a check-then-connect guard (TOCTOU), and allow_private, let the same
    # rebinding reach 127.0.0.1.
    "control_check_then_connect": lambda: check_then_connect(
        ["http://rebind.example/a"], {"rebind.example": [P, L]}
    ),
    "control_allow_private": lambda: fetch_each(
        ["http://rebind.example/a", "http://rebind.example/b"],
        {"rebind.example": [P, L]},
        dns_cache_s=0,
        allow_private=True,
    ),
}


def _join_namespace_network() -> None:
    """Bring up the namespace's loopback interface with the public and private addresses."""
    for command in (
        ["ip", "link", "set", "lo", "up"],
        ["ip", "addr", "add", f"{PUBLIC}/32", "dev", "lo"],
        ["ip", "addr", "add", f"{PRIVATE}/32", "dev", "lo"],
    ):
        subprocess.run(command, check=True)  # noqa: S603 - fixed commands


def main(names: list[str]) -> None:
    """Play the scenarios *names* (all by default); print ``{name: outcome}`` as JSON."""
    _join_namespace_network()
    outcomes = {}
    for name in names or list(SCENARIOS):
        outcomes[name] = asyncio.run(SCENARIOS[name]())
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(sys.argv[1:])
