"""A bounded load client of the dashboard, and the dashboard served in a subprocess.

``served_in_subprocess`` runs ``python -m linkequity serve`` (uvicorn, as a user
runs it) on 127.0.0.1 and yields its base URL. ``request_mix`` draws what one
visitor asks for, from a fixed mix of the dashboard's pages: the overview,
pages of the links table with sorts, filters, a search and server-side paging,
a referring domain's page, a tier-1 page, a lazy section and a CSV download.
``run_load`` plays *clients* visitors at once, each with its own connection,
issuing its requests one after the other; every answer is checked for its
status and for a marker of the page it should be. ``warm_up`` asks for each
distinct request once, one at a time, before the measured run: the dashboard
works a target out once (toxicity, audit, tiers, plan) and keeps it, so the
run measures serving, not that first computation.

Latencies are figures to report, never asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

#: Seconds the served dashboard may take to answer its first request.
START_S = 120.0
_SOURCE_URL = re.compile(r'<td class="url"><a href="([^"]+)" rel="noopener')


@dataclass(frozen=True, slots=True)
class Ask:
    """One request of the mix: its route label, path, query and the marker its answer holds."""

    route: str
    path: str
    params: tuple[tuple[str, str], ...]
    marker: str


@dataclass
class RouteFigures:
    """Requests, errors and latencies (seconds) of one route, or of all of them."""

    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def requests(self) -> int:
        """Requests answered or failed."""
        return len(self.latencies_s) + self.errors

    def percentile_ms(self, share: float) -> float:
        """Return the latency (ms) below which *share* of the answered requests fell."""
        if not self.latencies_s:
            return math.nan
        ordered = sorted(self.latencies_s)
        rank = max(0, math.ceil(share * len(ordered)) - 1)
        return ordered[rank] * 1000

    def as_dict(self) -> dict[str, float | int]:
        """Return requests, errors, p50/p95/p99 and max latency in ms."""
        return {
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": self.percentile_ms(0.50),
            "p95_ms": self.percentile_ms(0.95),
            "p99_ms": self.percentile_ms(0.99),
            "max_ms": self.percentile_ms(1.0),
        }


@dataclass
class LoadFigures:
    """What a run measured: per route and overall, the wall time and the failures seen."""

    clients: int
    per_client: int
    routes: dict[str, RouteFigures] = field(default_factory=dict)
    wall_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def overall(self) -> RouteFigures:
        """Every route's requests together."""
        merged = RouteFigures()
        for figures in self.routes.values():
            merged.latencies_s += figures.latencies_s
            merged.errors += figures.errors
        return merged

    @property
    def throughput_rps(self) -> float:
        """Requests answered per second of the run's wall time."""
        return len(self.overall.latencies_s) / self.wall_s if self.wall_s else 0.0

    def table(self) -> str:
        """Return the figures as a plain-text table, one line per route and one overall."""
        lines = [
            f"{'route':<12}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'p99 ms':>9}{'max ms':>9}"
        ]
        for name, figures in [*sorted(self.routes.items()), ("overall", self.overall)]:
            row = figures.as_dict()
            lines.append(
                f"{name:<12}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9.1f}"
                f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}"
            )
        lines.append(
            f"{self.clients} clients x {self.per_client} requests in {self.wall_s:.1f} s: "
            f"{self.throughput_rps:.1f} requests/s"
        )
        return "\n".join(lines)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served_in_subprocess(db: Path, log: Path) -> Iterator[str]:
    """Run ``linkequity serve`` of *db* on 127.0.0.1 in a subprocess; yield its base URL.

    The server's stderr goes to the file *log* (a file, not a pipe: a server
    that logs much must never block on a full pipe).
    """
    port = free_port()
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "linkequity", "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, base, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_S
    with httpx.Client(base_url=base, timeout=5.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = log.read_text(encoding="utf-8")[-2000:]
                raise RuntimeError(f"the dashboard exited ({process.returncode}): {stderr}")
            try:
                if http.get("/").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"the dashboard at {base} did not answer within {START_S:g} s")


def discover(base: str, target: str) -> tuple[str, str]:
    """Return a referring domain and a tier-1 page of *target*, from its links table."""
    with httpx.Client(base_url=base, timeout=START_S * 10) as http:
        table = http.get(f"/t/{target}/links", params={"size": "50"})
        table.raise_for_status()
    domain = re.search(rf'href="/t/{re.escape(target)}/domain/([^"]+)"', table.text)
    source = _SOURCE_URL.search(table.text)
    if domain is None or source is None:
        raise RuntimeError(f"the links table of {target} shows no referring domain or page")
    return domain.group(1), source.group(1).replace("&amp;", "&")


def asks(target: str, domain: str, page_url: str, *, search: str) -> dict[str, list[Ask]]:
    """Return the requests of the mix by route, with the marker each answer must hold."""
    links = f"/t/{target}/links"
    count = '<p id="count">'
    return {
        "overview": [
            Ask("overview", f"/t/{target}/", (), f'data-part="/t/{target}/part/overview"')
        ],
        "links": [
            Ask("links", links, (), count),
            Ask("links", links, (("page", "2"),), count),
            Ask("links", links, (("page", "40"), ("size", "50")), count),
            Ask("links", links, (("sort", "source"), ("desc", "1")), count),
            Ask("links", links, (("sort", "first_seen"), ("page", "3")), count),
            Ask("links", links, (("rel", "followed"), ("sort", "anchor")), count),
            Ask("links", links, (("rel", "nofollow"),), count),
            Ask("links", links, (("q", search), ("rel", "followed")), count),
            Ask("links", links, (("q", search), ("page", "2"), ("size", "100")), count),
            Ask("links", links, (("toxic", "yes"),), count),
            Ask("links", links, (("sort", "last_seen"), ("desc", "1"), ("page", "5")), count),
        ],
        "domain": [Ask("domain", f"/t/{target}/domain/{domain}", (), f"links to {target}")],
        "tier1": [Ask("tier1", f"/t/{target}/page", (("url", page_url),), 'id="gain"')],
        "part": [
            Ask("part", f"/t/{target}/part/{part}", (), f'id="{part}"')
            for part in ("overview", "profile", "tier-graph", "plan", "tier1")
        ],
        "csv": [
            Ask(
                "csv",
                f"{links}.csv",
                (("q", search), ("rel", "followed")),
                "source,source_domain,target",
            )
        ],
    }


#: How often each route is asked, out of 100 requests of a visitor.
MIX = {"overview": 10, "links": 40, "domain": 15, "tier1": 10, "part": 15, "csv": 10}


def request_mix(by_route: dict[str, list[Ask]], n: int, seed: int) -> list[Ask]:
    """Return *n* requests drawn from *by_route* with the weights of ``MIX`` (seeded)."""
    rng = random.Random(seed)  # noqa: S311 - a workload, not a secret
    routes = rng.choices(list(MIX), weights=list(MIX.values()), k=n)
    return [rng.choice(by_route[route]) for route in routes]


async def _visitor(
    base: str, todo: Sequence[Ask], figures: LoadFigures, request_timeout_s: float
) -> None:
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=request_timeout_s)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        for ask in todo:
            route = figures.routes.setdefault(ask.route, RouteFigures())
            started = time.perf_counter()
            try:
                async with session.get(ask.path, params=list(ask.params)) as answer:
                    text = await answer.text()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                route.errors += 1
                figures.failures.append(f"{ask.path} {ask.params}: {type(exc).__name__} {exc}")
                continue
            elapsed_s = time.perf_counter() - started
            if status != 200 or ask.marker not in text:
                route.errors += 1
                figures.failures.append(f"{ask.path} {ask.params}: {status} {text[:200]!r}")
                continue
            route.latencies_s.append(elapsed_s)


async def run_load(
    base: str,
    plans: Sequence[Sequence[Ask]],
    *,
    request_timeout_s: float = 300.0,
    bound_s: float = 1800.0,
) -> LoadFigures:
    """Play one visitor per plan at once against *base*; return what they measured.

    The run stops at *bound_s*: a visitor still running then is cancelled and
    each request it had left counts as an error.
    """
    figures = LoadFigures(clients=len(plans), per_client=max((len(p) for p in plans), default=0))
    started = time.perf_counter()
    visitors = [
        asyncio.ensure_future(_visitor(base, plan, figures, request_timeout_s)) for plan in plans
    ]
    _, unfinished = await asyncio.wait(visitors, timeout=bound_s)
    for visitor in unfinished:
        visitor.cancel()
    figures.wall_s = time.perf_counter() - started
    asked = sum(len(plan) for plan in plans)
    missing = asked - figures.overall.requests
    if missing:
        figures.routes.setdefault("unfinished", RouteFigures()).errors += missing
        figures.failures.append(f"{missing} requests not done within {bound_s:g} s")
    for visitor in visitors:
        if visitor.done() and not visitor.cancelled() and visitor.exception() is not None:
            figures.failures.append(f"a visitor failed: {visitor.exception()!r}")
    return figures


def warm_up(base: str, by_route: dict[str, list[Ask]]) -> float:
    """Ask every distinct request once, one at a time; return the seconds it took.

    Raises
    ------
    RuntimeError
        If an answer is not a 200 holding its marker.
    """
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=START_S * 10) as http:
        for ask in (ask for route in by_route.values() for ask in route):
            answer = http.get(ask.path, params=list(ask.params))
            if answer.status_code != 200 or ask.marker not in answer.text:
                raise RuntimeError(
                    f"warm-up: {ask.path} {ask.params} answered {answer.status_code}: "
                    f"{answer.text[:300]!r}"
                )
    return time.perf_counter() - started


def load_figures(figures: LoadFigures) -> dict[str, Any]:
    """Return the run's figures as plain values: per route, overall, wall time, throughput."""
    return {
        "clients": figures.clients,
        "per_client": figures.per_client,
        "wall_s": figures.wall_s,
        "throughput_rps": figures.throughput_rps,
        "overall": figures.overall.as_dict(),
        "routes": {name: route.as_dict() for name, route in sorted(figures.routes.items())},
    }
