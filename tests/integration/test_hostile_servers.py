"""Hostile servers: the real crawler keeps its memory and time bounded and goes on.

Each case is one crawl (``services.crawl.crawl``, the real ``HttpFetcher`` and
store) of a page on the hostile server of ``hostile_server`` that links to one
hostile URL and to three plain pages. The hostile URL must be recorded in the
frontier with a clear reason, the plain pages fetched, and the Python heap's
peak (``tracemalloc``) stay far below what the bombs inflate to. Bodies are
read up to ``crawl.max_body_bytes``, 1 MiB here to keep each case short,
however they are coded: a gzip bomb of 1 GiB, a brotli bomb of 256 MiB and an
endless chunked body all end cut there. The drip is cut by the fetch's total
timeout, one second here. The long forms (subprocess crawls and their peak
RSS, the default 15 MiB cap and timeouts, 4 GiB bombs, every case in one
crawl) are in ``tests/prove/test_prove_hostile``.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import duckdb
import pytest
from tests.integration.hostile_server import CASES, HOST, MIB, OK_PAGES, HostileWeb, serve_hostile

from linkequity.parsing.links import MAX_LINKS
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl
from linkequity.settings import CrawlSettings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [pytest.mark.loopback]

#: Decoded body bytes kept (crawl.max_body_bytes).
BODY_CAP = MIB
CUT = f"body cut at {BODY_CAP:,} bytes"
#: Peak of the Python heap a hostile crawl may reach: a few copies of the body cap,
#: the page's parse (65,000 elements of the endless body: 63 MB), the crawl's own
#: structures; the bombs inflate to 256 and 1024 MiB.
MAX_HEAP_MB = 100
#: Tuning of every case: no politeness delay, pages read in this process.
TUNING = CrawlSettings(delay_s=0.0, workers=1, max_body_bytes=BODY_CAP)
#: The drip's: a fetch may take a second, and is not retried.
DRIP_TUNING = replace(TUNING, total_timeout_s=1.0, max_retries=0)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HostileWeb, str]]:
    web = HostileWeb(gzip_bomb_bytes=1024 * MIB, brotli_bomb_bytes=256 * MIB, drip_bytes=60)
    with serve_hostile(web) as address:
        # What a first crawl loads once (the language model, 130 MB of heap) is not the case's.
        crawl_case("redirect-loop", address, tmp_path_factory.mktemp("warm") / "warm.duckdb")
        yield web, address


@dataclass(frozen=True)
class Crawled:
    """What one case's crawl left: each path's (state, status, outcome), links by source."""

    frontier: dict[str, tuple[str, int | None, str | None]]
    links: dict[str, int]
    heap_peak_mb: float


def crawl_case(name: str, address: str, db: Path) -> Crawled:
    plan = CrawlPlan(
        seeds=(f"http://{HOST}/index/{name}",),
        mode=CrawlMode.SITE,
        allow_private=True,
        resolve_to=address,
    )
    tracemalloc.start()
    try:
        crawl(plan, db=db, tuning=DRIP_TUNING if name == "drip" else TUNING)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    prefix = f"http://{HOST}"
    with duckdb.connect(str(db), read_only=True) as conn:
        frontier = {
            url.removeprefix(prefix): (state, status, outcome)
            for url, state, status, outcome in conn.execute(
                "SELECT url, state, status, outcome FROM crawl_frontier"
            ).fetchall()
        }
        links = {
            url.removeprefix(prefix): int(count)
            for url, count in conn.execute(
                """SELECT u.url, count(*) FROM links l JOIN urls u ON u.id = l.source_url_id
                GROUP BY u.url"""
            ).fetchall()
        }
    return Crawled(frontier, links, peak / MIB)


#: Each case's hostile URL (the one that tells), and its frontier row: state, status, outcome.
EXPECTED: dict[str, tuple[str, tuple[str, int | None, str | None]]] = {
    "gzip-bomb": ("/gzip-bomb", ("done", 200, CUT)),
    "brotli-bomb": ("/brotli-bomb", ("done", 200, CUT)),
    "endless": ("/endless", ("done", 200, CUT)),
    "drip": ("/drip", ("failed", None, f"cannot fetch http://{HOST}/drip: not done within 1 s")),
    "redirect-loop": (
        "/loop/b",
        (
            "done",
            302,
            f"redirect loop: http://{HOST}/loop/a -> http://{HOST}/loop/b -> http://{HOST}/loop/a",
        ),
    ),
    "redirect-chain": ("/chain/10", ("done", 302, "more than 10 redirects in a row")),
    "many-links": ("/many-links", ("done", 200, CUT)),
    "unknown-charset": ("/charset/unknown", ("done", 200, None)),
    "lying-charset": ("/charset/lying", ("done", 200, None)),
    "meta-contradicts": ("/charset/meta", ("done", 200, None)),
}
#: Cases over two seconds here (the Python heap traced makes parsing slow).
SLOW = {"many-links", "endless", "redirect-chain"}


def test_every_case_has_its_expectation() -> None:
    assert set(EXPECTED) == set(CASES)


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] * (name in SLOW)) for name in CASES]
)
def test_a_hostile_url_is_recorded_with_its_reason_and_the_crawl_goes_on(
    hostile: tuple[HostileWeb, str], tmp_path: Path, name: str
) -> None:
    _, address = hostile
    path, expected = EXPECTED[name]

    crawled = crawl_case(name, address, tmp_path / "crawl.duckdb")

    assert crawled.heap_peak_mb < MAX_HEAP_MB
    assert crawled.frontier[path] == expected
    plain = [f"/index/{name}", *(f"/ok/{name}/{n}" for n in range(1, OK_PAGES + 1))]
    assert [crawled.frontier[page][:2] for page in plain] == [("done", 200)] * len(plain)


def test_a_bomb_costs_the_server_little_and_the_crawler_the_cap(
    hostile: tuple[HostileWeb, str], tmp_path: Path
) -> None:
    web, address = hostile
    before = web.sent_bytes["/gzip-bomb"]

    crawl_case("gzip-bomb", address, tmp_path / "crawl.duckdb")

    sent = web.sent_bytes["/gzip-bomb"] - before
    assert sent < BODY_CAP  # some 1/1000 of the cap, and what socket buffers hold


@pytest.mark.slow
def test_a_redirect_chain_stops_at_the_limit(
    hostile: tuple[HostileWeb, str], tmp_path: Path
) -> None:
    _, address = hostile

    crawled = crawl_case("redirect-chain", address, tmp_path / "crawl.duckdb")

    hops = sorted(int(path[7:]) for path in crawled.frontier if path.startswith("/chain/"))
    assert hops == list(range(11))


@pytest.mark.slow
def test_a_page_of_100k_links_keeps_the_first_max_links(
    hostile: tuple[HostileWeb, str], tmp_path: Path
) -> None:
    web, address = hostile

    crawled = crawl_case("many-links", address, tmp_path / "crawl.duckdb")

    assert web.many_links == 100_000
    assert crawled.links["/many-links"] == MAX_LINKS


@pytest.mark.slow
def test_a_page_past_the_link_cap_says_its_links_were_cut(tmp_path: Path) -> None:
    web = HostileWeb(many_links=MAX_LINKS + 2000, brotli_bomb_bytes=MIB)
    with serve_hostile(web) as address:
        crawled = crawl_case("many-links", address, tmp_path / "crawl.duckdb")

    assert crawled.frontier["/many-links"] == (
        "done",
        200,
        f"links cut at {MAX_LINKS:,}, the most read from one page",
    )
    assert crawled.links["/many-links"] == MAX_LINKS


@pytest.mark.parametrize("name", ["unknown", "lying", "meta"])
def test_a_page_with_a_bad_charset_is_read_and_its_links_followed(
    hostile: tuple[HostileWeb, str], tmp_path: Path, name: str
) -> None:
    _, address = hostile
    case = {"unknown": "unknown-charset", "lying": "lying-charset", "meta": "meta-contradicts"}

    crawled = crawl_case(case[name], address, tmp_path / "crawl.duckdb")

    assert crawled.links[f"/charset/{name}"] == 1
    assert crawled.frontier[f"/ok/charset/{name}"][:2] == ("done", 200)
