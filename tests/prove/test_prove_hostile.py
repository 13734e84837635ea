"""Proof: hostile servers leave a real crawl's memory and time bounded, and the crawl goes on.

The long form of ``tests/integration/test_hostile_servers``: ``linkequity crawl``
runs as a child process with the default settings (15 MiB body cap, 60 s
fetch timeout, 2 retries, page readers in worker processes), against bombs of
4 GiB (gzip) and 1 GiB (brotli), an endless body, a 1 byte/s drip, redirect
traps, 100,000 links on a page and lying charsets. Peak memory is the crawl
process's maximum resident set (``wait4``), its page readers' included; a
crawl of one plain page gives the baseline, and no case may take more than
``MAX_GROWTH_MB`` above it. Time is recorded, never asserted: the crawl must
end by itself, within a guard. Then all the cases in one crawl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tests.integration.hostile_server import (
    CASES,
    MIB,
    OK_PAGES,
    HostileCrawl,
    HostileWeb,
    crawl_hostile,
    serve_hostile,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.prove.conftest import BoundFigures

pytestmark = [pytest.mark.prove, pytest.mark.loopback]

#: Resident memory a hostile case may take above a plain crawl's.
MAX_GROWTH_MB = 500
#: The default cap on decoded body bytes (crawl.max_body_bytes).
CUT = f"body cut at {15 * MIB:,} bytes"
#: The reason each case's hostile URL must carry (its start), by the URL's path.
REASONS = {
    "gzip-bomb": ("/gzip-bomb", "done", CUT),
    "brotli-bomb": ("/brotli-bomb", "done", CUT),
    "endless": ("/endless", "done", CUT),
    "drip": ("/drip", "failed", "cannot fetch http://hostile.example/drip: not done within 60 s"),
    "redirect-loop": ("/loop/b", "done", "redirect loop: "),
    "redirect-chain": ("/chain/10", "done", "more than 10 redirects in a row"),
    "many-links": ("/many-links", "done", "links cut at 10,000"),
    "unknown-charset": ("/charset/unknown", "done", None),
    "lying-charset": ("/charset/lying", "done", None),
    "meta-contradicts": ("/charset/meta", "done", None),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[HostileWeb, str]]:
    web = HostileWeb(gzip_bomb_bytes=4096 * MIB, brotli_bomb_bytes=1024 * MIB, drip_bytes=10_000)
    with serve_hostile(web) as address:
        yield web, address


@pytest.fixture(scope="module")
def baseline(
    hostile: tuple[HostileWeb, str], tmp_path_factory: pytest.TempPathFactory
) -> HostileCrawl:
    _, address = hostile
    crawled = crawl_hostile(["/ok/baseline"], address, tmp_path_factory.mktemp("base"), workers=0)
    assert crawled.exit_code == 0, crawled.stderr
    return crawled


def check_reason(crawled: HostileCrawl, name: str) -> None:
    path, state, reason = REASONS[name]
    got_state, _, outcome = crawled.frontier[path]
    assert got_state == state, (name, crawled.frontier[path])
    if reason is None:
        assert outcome is None, (name, outcome)
    else:
        assert outcome is not None, name
        assert outcome.startswith(reason), (name, outcome)


@pytest.mark.parametrize("name", [name for name in CASES if name != "drip"])
def test_each_hostile_case_alone(
    hostile: tuple[HostileWeb, str],
    baseline: HostileCrawl,
    tmp_path: Path,
    figures: BoundFigures,
    name: str,
) -> None:
    web, address = hostile
    path = CASES[name]
    sent_before = web.sent_bytes[path]

    crawled = crawl_hostile([f"/index/{name}"], address, tmp_path, workers=0)

    figures.record("hostile.baseline.peak_rss", baseline.max_rss_mb, unit="MB")
    figures.record(f"hostile.{name}.peak_rss", crawled.max_rss_mb, unit="MB")
    figures.record(f"hostile.{name}.seconds", crawled.seconds, unit="s")
    figures.record(f"hostile.{name}.bytes_sent", web.sent_bytes[path] - sent_before, unit="B")
    assert crawled.exit_code == 0, crawled.stderr
    assert crawled.max_rss_mb < baseline.max_rss_mb + MAX_GROWTH_MB
    check_reason(crawled, name)
    plain = [f"/index/{name}", *(f"/ok/{name}/{n}" for n in range(1, OK_PAGES + 1))]
    assert [crawled.frontier[page][:2] for page in plain] == [("done", 200)] * len(plain)


def test_every_hostile_case_in_one_crawl_with_the_default_timeouts(
    hostile: tuple[HostileWeb, str],
    baseline: HostileCrawl,
    tmp_path: Path,
    figures: BoundFigures,
) -> None:
    web, address = hostile
    sent_before = web.sent_bytes["/drip"]

    crawled = crawl_hostile([f"/index/{name}" for name in CASES], address, tmp_path, workers=0)

    figures.record("hostile.all_in_one.peak_rss", crawled.max_rss_mb, unit="MB")
    figures.record("hostile.all_in_one.seconds", crawled.seconds, unit="s")
    figures.record("hostile.drip.bytes_sent", web.sent_bytes["/drip"] - sent_before, unit="B")
    figures.record("hostile.many-links.links_kept", crawled.links_by_source["/many-links"])
    assert crawled.exit_code == 0, crawled.stderr
    assert crawled.max_rss_mb < baseline.max_rss_mb + MAX_GROWTH_MB
    for name in CASES:
        check_reason(crawled, name)
        for n in range(1, OK_PAGES + 1):
            assert crawled.frontier[f"/ok/{name}/{n}"][:2] == ("done", 200), name
    assert crawled.frontier["/drip"][2].endswith("(after 3 attempts)")
