"""kill -9: a crawl killed at random moments and resumed holds what one uninterrupted run would.

``linkequity crawl`` runs as a child process against the sample web served
here, and is killed with SIGKILL once the server has answered a random number
of its requests (seeded, so a failure replays); ``linkequity crawl --resume``
starts it again, killed again, until a last resume runs to the end. Then no
page may be lost and none stored twice: the store must hold exactly the pages,
links and sightings the manifest says a crawl of that web reaches, each once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.sample_crawl import RecordingWeb, expected_crawl, read_store

from linkequity.parsing.placement import SITEWIDE_MIN_PAGES, SITEWIDE_SHARE
from linkequity.samples.web import generate_web, serve_web
from linkequity.services.crawl import CrawlPlan, crawl
from linkequity.settings import CrawlSettings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.sample_crawl import Expected, LinkKey, Stored

    from linkequity.samples.web import SampleWeb
    from linkequity.samples.web.spec import Site

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

#: Pages of the web: about seven seconds of crawling on two cores, some 2,060 requests.
PAGES = 2000
#: Seed of the random kill points.
KILL_SEED = 10
#: Kills before the last resume runs to the end.
KILLS = 4
#: A run is killed once the server has answered between these many of its requests:
#: before its first commit, during one or after. Fewer in all than the crawl needs,
#: so that no run can end before its kill, however fast the machine.
KILL_AFTER = (5, 700)
#: Real seconds a run may take before the test gives up on it (a guard, never reached).
HUNG_S = 300.0
#: Real seconds a killed crawl's page readers may take to notice (a guard, never reached).
READERS_GONE_S = 30.0


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(1, pages=PAGES)


@pytest.fixture(scope="module")
def server(web: SampleWeb) -> Iterator[tuple[RecordingWeb, str]]:
    recording = RecordingWeb(web)
    with serve_web(recording, workers=64) as base:  # type: ignore[arg-type]
        yield recording, base.removeprefix("http://")


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """Start ``linkequity ARGS`` in *cwd*, free of the developer's LINKEQUITY_* settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LINKEQUITY_")}
    return subprocess.Popen(
        [sys.executable, "-m", "linkequity", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when_served(child: subprocess.Popen[str], recording: RecordingWeb, requests: int) -> None:
    """SIGKILL *child* once the server has answered *requests* more of its requests."""
    before = recording.served_since(0)
    deadline = time.monotonic() + HUNG_S
    while child.poll() is None and recording.served_since(before) < requests:
        assert time.monotonic() < deadline, "the crawl neither ended nor fetched"
        time.sleep(0.005)
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    _, err = child.communicate(timeout=HUNG_S)
    assert child.returncode == -signal.SIGKILL, f"the crawl ended before it was killed:\n{err}"


def settled_urls(db: Path) -> int:
    """URLs the crawl in *db* has settled so far."""
    frontier = read_store(db).frontier
    return sum(1 for row in frontier if row["state"] not in ("queued", "in_flight"))


class Outcome:
    """A crawl killed and resumed to the end, and what its store holds.

    ``settled`` counts the URLs settled after each kill.
    """

    def __init__(self, settled: list[int], report: dict[str, Any], stored: Stored) -> None:
        self.settled = settled
        self.report = report
        self.stored = stored


@pytest.fixture(scope="module")
def killed_and_resumed(
    web: SampleWeb, server: tuple[RecordingWeb, str], tmp_path_factory: pytest.TempPathFactory
) -> Outcome:
    recording, resolve_to = server
    cwd = tmp_path_factory.mktemp("kill9")
    db = cwd / "killed.duckdb"
    first = [
        "crawl",
        *(site.base for site in web.sites),
        "--mode",
        "web",
        "--max-depth",
        "50",
        "--allow-private",
        "--resolve-to",
        resolve_to,
        "--delay",
        "0",
        "--db",
        str(db),
        "--json",
    ]
    again = ["crawl", "--resume", "--db", str(db), "--json"]
    points = random.Random(KILL_SEED)  # noqa: S311 - kill points, not secrets
    settled = []
    for run in range(KILLS):
        child = start(first if run == 0 else again, cwd)
        kill_when_served(child, recording, points.randint(*KILL_AFTER))
        settled.append(settled_urls(db))
    last = start(again, cwd)
    out, err = last.communicate(timeout=HUNG_S)
    assert last.returncode == 0, err
    return Outcome(settled, json.loads(out), read_store(db))


@pytest.fixture(scope="module")
def expected(web: SampleWeb) -> Expected:
    return expected_crawl(web.manifest(), [site.base for site in web.sites])


def test_the_crawl_was_killed_and_resumed(killed_and_resumed: Outcome) -> None:
    report = killed_and_resumed.report

    print(f"URLs settled after each kill: {killed_and_resumed.settled}")  # noqa: T201
    settled = killed_and_resumed.settled
    assert len(settled) == KILLS
    assert settled == sorted(settled)  # what a run committed, no later kill undoes
    assert report["is_resumed"] is True
    assert report["failures"] == []
    assert report["urls_by_state"]["in_flight"] == report["urls_by_state"]["queued"] == 0


def test_no_page_is_lost_and_none_is_stored_twice(
    killed_and_resumed: Outcome, expected: Expected
) -> None:
    pages = killed_and_resumed.stored.pages
    stored = Counter(page["url"] for page in pages)

    assert len(expected.urls) > PAGES * 0.9
    assert set(stored) == set(expected.urls)
    assert set(stored.values()) == {1}
    assert {page["url"]: page["status"] for page in pages} == {
        url: None if url in expected.disallowed else entry["status"]
        for url, entry in expected.urls.items()
    }


def test_the_frontier_holds_each_url_once_all_settled(
    killed_and_resumed: Outcome, expected: Expected
) -> None:
    frontier = killed_and_resumed.stored.frontier

    assert len({row["url"] for row in frontier}) == len(frontier) == len(expected.urls)
    assert Counter(row["state"] for row in frontier) == {
        "done": len(expected.fetched),
        "excluded": len(expected.disallowed),
    }
    assert [
        (s["kind"], s["finished_at"] is not None) for s in killed_and_resumed.stored.snapshots
    ] == [("crawl", True)]


def test_every_link_is_stored_and_sighted_once_per_time_its_page_shows_it(
    killed_and_resumed: Outcome, expected: Expected
) -> None:
    stored = killed_and_resumed.stored
    redirects = {(url, location, "") for url, location in expected.redirects.items()}
    page_sightings = Counter(
        {key: count for key, count in stored.sightings.items() if key not in redirects}
    )

    assert set(stored.links) == set(expected.links) | redirects
    assert page_sightings == expected.links
    assert {stored.sightings[key] for key in redirects} == {1}


def test_rel_flags_and_sitewide_marking_are_those_of_an_uninterrupted_crawl(
    killed_and_resumed: Outcome, expected: Expected
) -> None:
    links = killed_and_resumed.stored.links
    sitewide = sitewide_by_the_rule(expected)

    for key, link in expected.entries.items():
        rel = set(link["rel"])
        row = links[key]
        assert (row["is_nofollow"], row["is_sponsored"], row["is_ugc"]) == (
            "nofollow" in rel,
            "sponsored" in rel,
            "ugc" in rel,
        ), key
        assert row["is_sitewide"] is sitewide[key], key


def sitewide_by_the_rule(expected: Expected) -> dict[LinkKey, bool | None]:
    """The store's sitewide rule applied to the manifest: what any complete crawl marks."""
    pages: Counter[str] = Counter()
    for url, entry in expected.fetched.items():
        if entry["status"] == 200:
            pages[host_of(url)] += 1
    seen_on = Counter(
        (host_of(source), target, anchor) for source, target, anchor in expected.links
    )
    marked: dict[LinkKey, bool | None] = {}
    for source, target, anchor in expected.links:
        host = host_of(source)
        if pages[host] < SITEWIDE_MIN_PAGES:
            marked[source, target, anchor] = None
        else:
            marked[source, target, anchor] = (
                seen_on[host, target, anchor] >= SITEWIDE_SHARE * pages[host]
            )
    return marked


def host_of(url: str) -> str:
    return url.split("/")[2]


# -- a site crawl killed while it reads sitemaps -------------------------------------------


def test_a_site_crawl_killed_while_reading_sitemaps_queues_them_all_on_resume(
    web: SampleWeb, server: tuple[RecordingWeb, str], tmp_path: Path
) -> None:
    recording, resolve_to = server
    first, second = web.sites[3], web.sites[4]
    seeds = (first.base, second.base)
    flags = ["--mode", "site", "--max-depth", "1", "--allow-private"]
    flags += ["--resolve-to", resolve_to, "--delay", "0"]
    plan = CrawlPlan(seeds=seeds, max_depth=1, allow_private=True, resolve_to=resolve_to)
    crawl(plan, db=tmp_path / "whole.duckdb", tuning=CrawlSettings(delay_s=0.0))
    whole = {page["url"] for page in read_store(tmp_path / "whole.duckdb").pages}
    [sitemap] = sitemaps_of(web, second)
    db = tmp_path / "killed.duckdb"

    recording.stall_url = sitemap
    try:
        with start(["crawl", *seeds, *flags, "--db", str(db), "--json"], tmp_path) as killed:
            assert recording.stalled.wait(HUNG_S), "the crawl never asked for the sitemap"
            os.kill(killed.pid, signal.SIGKILL)
    finally:
        recording.stall_url = None
        recording.release.set()
    with start(["crawl", "--resume", "--db", str(db), "--json"], tmp_path) as resumed:
        out, err = resumed.communicate(timeout=HUNG_S)
    assert resumed.returncode == 0, err

    assert json.loads(out)["is_resumed"] is True
    assert len(whole) > 2 * len(seeds)
    assert {page["url"] for page in read_store(db).pages} == whole


def sitemaps_of(web: SampleWeb, site: Site) -> list[str]:
    """The sitemaps a site's robots.txt names."""
    robots = web.respond(site.url("/robots.txt")).body.decode()
    return [
        line.partition(":")[2].strip()
        for line in robots.splitlines()
        if line.startswith("Sitemap:")
    ]


# -- the page readers of a killed crawl ------------------------------------------------------

#: A crawl's page reader with its workers started, then waiting to be killed.
READER_SCRIPT = """
import asyncio, multiprocessing, time
from linkequity.crawl.readers import ProcessReader
from linkequity.model.records import FetchedPage

async def main():
    reader = ProcessReader(2)
    page = FetchedPage("https://a.example/", None, 200, (), b"<p>Hello</p>", 0)
    await asyncio.gather(*(reader.read(page) for _ in range(8)))
    print(*(child.pid for child in multiprocessing.active_children()), flush=True)
    time.sleep(HUNG_S)

if __name__ == "__main__":
    asyncio.run(main())
"""


def is_running(pid: int) -> bool:
    """Whether *pid* is a process that has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_page_readers_of_a_killed_crawl_end_with_it(tmp_path: Path) -> None:
    script = READER_SCRIPT.replace("HUNG_S", repr(HUNG_S))
    workers: list[int] = []
    try:
        with subprocess.Popen(
            [sys.executable, "-c", script], cwd=tmp_path, stdout=subprocess.PIPE, text=True
        ) as crawl:
            assert crawl.stdout is not None
            workers = [int(pid) for pid in crawl.stdout.readline().split()]
            assert len(workers) == 2
            os.kill(crawl.pid, signal.SIGKILL)
        deadline = time.monotonic() + READERS_GONE_S
        while any(map(is_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.01)

        assert not [pid for pid in workers if is_running(pid)]
    finally:
        for pid in filter(is_running, workers):
            os.kill(pid, signal.SIGKILL)
