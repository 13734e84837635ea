"""The crawler over small fakes: a dict-backed web, an in-memory frontier and a fake clock.

Time is fake and stands still, except that the in-memory frontier moves it on to
the earliest retry when the crawler, idle, asks for it: a retry due in two
minutes costs no wait. Politeness delays are therefore 0 here; ``test_politeness``
checks them over chosen clock values.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest

from linkequity.crawl.crawler import Crawler, CrawlLimits, CrawlProgress
from linkequity.crawl.fetch import FetchResult
from linkequity.crawl.frontier import CrawlBatch, CrawlRequest, UrlState
from linkequity.crawl.readers import InlineReader
from linkequity.crawl.robots import AsyncRobotsPolicy
from linkequity.crawl.scope import DepthPolicy, HostPolicy, PatternPolicy, Policy, compile_patterns
from linkequity.errors import AddressRefused, FetchTimedOut, HostNotFound
from linkequity.model.records import FetchedPage
from linkequity.model.urls import url_host

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from linkequity.crawl.readers import PageRead
    from linkequity.model.pages import PageRecord

BASE = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HTML = (("Content-Type", "text/html; charset=utf-8"),)
#: Seconds a test's crawl may take before it counts as hung (real time; never reached).
HUNG_S = 30.0


# -- the fakes -------------------------------------------------------------------------


class FakeTime:
    """One timeline for the crawler's monotonic clock and its wall clock."""

    def __init__(self) -> None:
        self.now_s = 0.0

    def monotonic(self) -> float:
        return self.now_s

    def wall(self) -> datetime:
        return BASE + timedelta(seconds=self.now_s)

    def move_to(self, when: datetime) -> None:
        self.now_s = max(self.now_s, (when - BASE).total_seconds())


@dataclass(frozen=True)
class Reply:
    """One HTTP answer of the fake web."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


Answer = Reply | Exception


def page(*hrefs: str, rel: dict[str, str] | None = None) -> Reply:
    """An HTML page linking to *hrefs*; *rel* gives some of them a rel attribute."""
    rels = rel or {}
    anchors = "".join(
        f'<li><a href="{href}"{f" rel={rels[href]!r}" if href in rels else ""}>page {n}</a></li>'
        for n, href in enumerate(hrefs)
    )
    body = f"<!doctype html><title>t</title><main><p>Words here.</p><ul>{anchors}</ul></main>"
    return Reply(200, HTML, body.encode())


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, (("Location", location),))


class FakeWeb:
    """A ``Fetcher`` over a dict of URL -> answers, one per fetch, the last one repeated.

    An unknown URL answers 404. Every fetch is recorded with the fake time it started.
    """

    def __init__(self, time: FakeTime, answers: dict[str, Answer | list[Answer]]) -> None:
        self.time = time
        self.answers = {
            url: value if isinstance(value, list) else [value] for url, value in answers.items()
        }
        self.fetched: list[tuple[str, float]] = []
        self.robots_fetched: list[str] = []

    async def fetch(self, url: str, /) -> FetchResult:
        self.fetched.append((url, self.time.now_s))
        return FetchResult(self._answer(url, sum(1 for done, _ in self.fetched if done == url)))

    async def fetch_robots(self, url: str) -> FetchedPage:
        self.robots_fetched.append(url)
        return self._answer(url, 1)

    async def aclose(self) -> None:
        """Nothing to release."""

    def _answer(self, url: str, nth: int) -> FetchedPage:
        answers = self.answers.get(url, [Reply(404)])
        answer = answers[min(nth, len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return FetchedPage(url, self.time.wall(), answer.status, answer.headers, answer.body, 0)

    def urls_fetched(self) -> list[str]:
        return [url for url, _ in self.fetched]

    def times_of(self, url: str) -> list[float]:
        return [at for done, at in self.fetched if done == url]


@dataclass
class Row:
    request: CrawlRequest
    state: UrlState = UrlState.QUEUED
    attempts: int = 0
    not_before: datetime | None = None
    status: int | None = None
    outcome: str | None = None
    settled: int = 0


@dataclass
class MemoryFrontier:
    """A ``Frontier`` in a dict that records every commit and checks what is settled.

    Settling a URL that is not in flight fails the test at once.
    """

    time: FakeTime
    rows: dict[str, Row] = field(default_factory=dict)
    batches: list[CrawlBatch] = field(default_factory=list)

    def add(self, requests: Iterable[CrawlRequest]) -> None:
        for request in requests:
            if request.url not in self.rows:
                self.rows[request.url] = Row(replace(request, seq=len(self.rows) + 1))

    def claim(
        self, *, limit: int, per_host: int, skip_hosts: Collection[str]
    ) -> list[CrawlRequest]:
        now = self.time.wall().replace(tzinfo=None)
        due = sorted(
            (
                row
                for row in self.rows.values()
                if row.state is UrlState.QUEUED
                and (row.not_before is None or row.not_before <= now)
                and row.request.host not in skip_hosts
            ),
            key=lambda row: (row.request.depth, row.request.seq),
        )
        turn: Counter[str] = Counter()
        ranked = []
        for row in due:
            turn[row.request.host] += 1
            if turn[row.request.host] <= per_host:
                ranked.append((turn[row.request.host], row))
        ranked.sort(key=lambda item: (item[0], item[1].request.depth, item[1].request.seq))
        claimed = [row for _, row in ranked[:limit]]
        for row in claimed:
            row.state = UrlState.IN_FLIGHT
        return [replace(row.request, attempts=row.attempts) for row in claimed]

    def commit(self, batch: CrawlBatch) -> None:
        self.batches.append(batch)
        for item in batch.settled:
            row = self.rows[item.request.url]
            assert row.state is UrlState.IN_FLIGHT, f"{item.request.url} settled while {row.state}"
            assert item.request.seq == row.request.seq
            row.state, row.attempts, row.not_before = item.state, item.attempts, item.not_before
            row.status, row.outcome = item.status, item.outcome
            row.settled += item.state is not UrlState.QUEUED
        self.add(batch.found)

    def counts(self) -> dict[UrlState, int]:
        counts = Counter(row.state for row in self.rows.values())
        return {state: counts[state] for state in UrlState}

    def earliest_retry(self) -> datetime | None:
        waiting = [
            row.not_before
            for row in self.rows.values()
            if row.state is UrlState.QUEUED and row.not_before is not None
        ]
        if not waiting:
            return None
        due = min(waiting).replace(tzinfo=UTC)
        self.time.move_to(due)  # the crawler has nothing else to do: let the time pass
        return due

    # -- for the assertions

    def reads(self) -> list[PageRead]:
        return [read for batch in self.batches for read in batch.reads]

    def pages(self) -> dict[str, PageRecord]:
        pages = [read.page for read in self.reads()]
        by_url = {record.url: record for record in pages}
        assert len(by_url) == len(pages), "a page was stored twice"
        return by_url

    def state(self, url: str) -> tuple[UrlState, int, int | None, str | None]:
        row = self.rows[url]
        return row.state, row.attempts, row.status, row.outcome


@dataclass
class Setup:
    time: FakeTime
    web: FakeWeb
    frontier: MemoryFrontier
    progress: list[CrawlProgress]


def setup(answers: dict[str, Answer | list[Answer]], *seeds: str) -> Setup:
    time = FakeTime()
    frontier = MemoryFrontier(time)
    frontier.add(CrawlRequest(seed, url_host(seed), 0) for seed in seeds)
    return Setup(time, FakeWeb(time, answers), frontier, [])


def crawl(
    world: Setup,
    *,
    policies: Sequence[Policy] = (),
    with_robots: bool = False,
    responses: Any = None,
    **limits: Any,
) -> CrawlProgress:
    """Run a crawler over *world* to the end; *limits* override ``CrawlLimits``."""
    settings = {"concurrency": 4, "per_host": 2, "delay_s": 0.0, "retry_backoff_s": 2.0} | limits
    robots = None
    if with_robots:
        robots = AsyncRobotsPolicy(
            world.web.fetch_robots, user_agent="linkequity/test", clock=world.time.monotonic
        )
    crawler = Crawler(
        world.frontier,
        world.web,
        InlineReader(),
        policies=policies,
        robots=robots,
        limits=CrawlLimits(**settings),
        responses=responses,
        on_progress=world.progress.append,
        clock=world.time.monotonic,
        wall_clock=world.time.wall,
    )
    return asyncio.run(asyncio.wait_for(crawler.run(), HUNG_S))


def on_a(path: str) -> str:
    return f"https://a.example{path}"


ONLY_A: list[Policy] = [HostPolicy(hosts=frozenset({"a.example"}))]


# -- links ---------------------------------------------------------------------------------


def test_links_are_followed_within_scope_and_each_page_is_kept_with_its_depth() -> None:
    world = setup(
        {
            on_a("/"): page("/one", "/two", "https://b.example/", "mailto:x@a.example"),
            on_a("/one"): page("/", "/two", "/three"),
            on_a("/two"): page("/one"),
            on_a("/three"): page(),
            "https://b.example/": page(),
        },
        on_a("/"),
    )

    progress = crawl(world, policies=ONLY_A)

    assert sorted(world.web.urls_fetched()) == sorted(
        on_a(path) for path in ("/", "/one", "/two", "/three")
    )
    depths = {url: record.crawl_depth for url, record in world.frontier.pages().items()}
    assert depths == {on_a("/"): 0, on_a("/one"): 1, on_a("/two"): 1, on_a("/three"): 2}
    assert "https://b.example/" not in world.frontier.rows
    assert world.frontier.rows[on_a("/three")].request.via == on_a("/one")
    assert (progress.fetched, progress.stored, progress.failed) == (4, 4, 0)
    assert world.frontier.counts()[UrlState.DONE] == 4


def test_links_deeper_than_max_depth_are_not_queued() -> None:
    world = setup(
        {on_a("/"): page("/1"), on_a("/1"): page("/2"), on_a("/2"): page("/3")}, on_a("/")
    )

    crawl(world, policies=[DepthPolicy(2)])

    assert world.web.urls_fetched() == [on_a("/"), on_a("/1"), on_a("/2")]
    assert on_a("/3") not in world.frontier.rows


def test_include_and_exclude_patterns_scope_the_links() -> None:
    world = setup(
        {on_a("/"): page("/blog/a", "/blog/tag/x", "/shop/b"), on_a("/blog/a"): page()},
        on_a("/"),
    )
    patterns = PatternPolicy(
        include=compile_patterns([r"/blog/", r"a\.example/$"], flag="--include"),
        exclude=compile_patterns(["/tag/"], flag="--exclude"),
    )

    crawl(world, policies=[patterns])

    assert world.web.urls_fetched() == [on_a("/"), on_a("/blog/a")]


@pytest.mark.parametrize("follow_nofollow", [True, False])
def test_links_marked_nofollow_sponsored_or_ugc_are_followed_only_when_asked(
    follow_nofollow: bool,
) -> None:
    rel = {"/nf": "nofollow", "/sp": "sponsored", "/ugc": "ugc noopener"}
    world = setup({on_a("/"): page("/nf", "/sp", "/ugc", "/plain", rel=rel)}, on_a("/"))

    crawl(world, follow_nofollow=follow_nofollow)

    marked = {on_a(path) for path in rel}
    assert set(world.web.urls_fetched()) == {on_a("/"), on_a("/plain")} | (
        marked if follow_nofollow else set()
    )


def test_a_page_linked_both_nofollow_and_followed_is_queued_when_nofollow_is_not() -> None:
    world = setup(
        {on_a("/"): page("/x", "/other", rel={"/x": "nofollow"}), on_a("/other"): page("/x")},
        on_a("/"),
    )

    crawl(world, follow_nofollow=False)

    assert on_a("/x") in world.web.urls_fetched()
    assert world.frontier.rows[on_a("/x")].request.via == on_a("/other")


def test_with_follow_links_off_only_the_seeds_are_fetched() -> None:
    world = setup(
        {on_a("/"): page("/one"), on_a("/s2"): redirect("/s3"), on_a("/s3"): page("/two")},
        on_a("/"),
        on_a("/s2"),
    )

    crawl(world, follow_links=False)

    # the redirect of a seed is still followed: verify mode checks where it lands
    assert sorted(world.web.urls_fetched()) == [on_a("/"), on_a("/s2"), on_a("/s3")]


def test_a_url_refused_as_too_deep_is_queued_when_found_again_within_reach() -> None:
    # a.example's chain reaches /t three links deep before b.example's seed,
    # one link from /t, is read: /t is then within --max-depth 2 and must be fetched.
    a_read = asyncio.Event()

    class SlowB(FakeWeb):
        async def fetch(self, url: str, /) -> FetchResult:
            if url == "https://b.example/":
                await a_read.wait()
            result = await super().fetch(url)
            if url == on_a("/2"):
                a_read.set()
            return result

    world = setup({}, on_a("/"), "https://b.example/")
    world.web = SlowB(
        world.time,
        {
            on_a("/"): page("/1"),
            on_a("/1"): page("/2"),
            on_a("/2"): page("https://c.example/t"),
            "https://b.example/": page("https://c.example/t"),
            "https://c.example/t": page(),
        },
    )

    crawl(world, policies=[DepthPolicy(2)], concurrency=4)

    assert "https://c.example/t" in world.web.urls_fetched()
    assert world.frontier.pages()["https://c.example/t"].crawl_depth == 1


# -- redirects -----------------------------------------------------------------------------


def test_a_redirect_is_followed_and_its_chain_kept() -> None:
    world = setup(
        {
            on_a("/old"): redirect("/mid"),
            on_a("/mid"): redirect("https://a.example/new", status=302),
            on_a("/new"): page("/linked"),
            on_a("/linked"): page(),
        },
        on_a("/old"),
    )

    crawl(world)

    assert world.web.urls_fetched() == [on_a("/old"), on_a("/mid"), on_a("/new"), on_a("/linked")]
    landed = world.frontier.rows[on_a("/new")].request
    assert landed.redirect_chain == (on_a("/old"), on_a("/mid"))
    assert (landed.via, landed.depth) == (on_a("/mid"), 0)  # a redirect keeps its depth
    assert world.frontier.rows[on_a("/linked")].request.depth == 1
    pages = world.frontier.pages()
    assert (pages[on_a("/old")].status, pages[on_a("/old")].final_url) == (301, on_a("/mid"))
    assert (pages[on_a("/mid")].status, pages[on_a("/mid")].final_url) == (302, on_a("/new"))
    reads = {read.page.url: read for read in world.frontier.reads()}
    old = reads[on_a("/old")]
    assert list(zip(old.column("target_url"), old.column("link_type"), strict=True)) == [
        (on_a("/mid"), "redirect")
    ]
    assert world.frontier.state(on_a("/old")) == (UrlState.DONE, 0, 301, None)


def test_a_redirect_beyond_max_depth_is_still_followed() -> None:
    world = setup({on_a("/"): page("/moved"), on_a("/moved"): redirect("/here")}, on_a("/"))

    crawl(world, policies=[DepthPolicy(1)])

    assert world.web.urls_fetched() == [on_a("/"), on_a("/moved"), on_a("/here")]


def test_a_page_redirecting_to_itself_is_a_loop() -> None:
    world = setup({on_a("/a"): redirect("/a")}, on_a("/a"))

    crawl(world)

    assert world.web.urls_fetched() == [on_a("/a")]
    state, _, status, outcome = world.frontier.state(on_a("/a"))
    assert (state, status) == (UrlState.DONE, 301)
    assert outcome == f"redirect loop: {on_a('/a')} -> {on_a('/a')}"


def test_a_redirect_loop_is_detected_and_named() -> None:
    world = setup(
        {on_a("/a"): redirect("/b"), on_a("/b"): redirect("/c"), on_a("/c"): redirect("/b")},
        on_a("/a"),
    )

    crawl(world)

    assert world.web.urls_fetched() == [on_a("/a"), on_a("/b"), on_a("/c")]
    state, _, status, outcome = world.frontier.state(on_a("/c"))
    assert (state, status) == (UrlState.DONE, 301)
    assert outcome == f"redirect loop: {on_a('/b')} -> {on_a('/c')} -> {on_a('/b')}"


def test_a_chain_longer_than_max_redirects_is_cut() -> None:
    hops = {on_a(f"/{n}"): redirect(f"/{n + 1}") for n in range(6)}
    world = setup(hops, on_a("/0"))

    crawl(world, max_redirects=3)

    assert world.web.urls_fetched() == [on_a(f"/{n}") for n in range(4)]
    assert world.frontier.state(on_a("/3"))[3] == "more than 3 redirects in a row"


def test_a_redirect_out_of_scope_is_not_followed_and_says_why() -> None:
    world = setup({on_a("/"): redirect("https://b.example/")}, on_a("/"))

    crawl(world, policies=ONLY_A)

    assert world.web.urls_fetched() == [on_a("/")]
    assert world.frontier.state(on_a("/"))[3] == (
        "redirect not followed: host b.example is outside the crawl"
    )


def test_a_redirect_without_a_location_is_kept_and_named() -> None:
    world = setup({on_a("/"): Reply(301)}, on_a("/"))

    crawl(world)

    assert world.frontier.state(on_a("/")) == (
        UrlState.DONE,
        0,
        301,
        "redirect without a usable Location",
    )


# -- retries -------------------------------------------------------------------------------


def test_a_5xx_is_retried_with_backoff_then_kept_with_its_status() -> None:
    world = setup({on_a("/"): Reply(500)}, on_a("/"))

    progress = crawl(world, max_retries=2, retry_backoff_s=2.0)

    assert world.web.times_of(on_a("/")) == [0.0, 2.0, 6.0]
    assert world.frontier.state(on_a("/")) == (UrlState.DONE, 2, 500, None)
    record = world.frontier.pages()[on_a("/")]
    assert (record.status, record.is_indexable) == (500, False)
    assert progress.retried == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_a_retried_status_then_an_answer_stores_the_answer(status: int) -> None:
    world = setup({on_a("/"): [Reply(status), page("/next")], on_a("/next"): page()}, on_a("/"))

    crawl(world)

    assert world.web.urls_fetched() == [on_a("/"), on_a("/"), on_a("/next")]
    assert world.frontier.state(on_a("/")) == (UrlState.DONE, 1, 200, None)
    assert world.frontier.pages()[on_a("/")].status == 200


@pytest.mark.parametrize("status", [400, 403, 404, 410, 501])
def test_other_error_statuses_are_not_retried(status: int) -> None:
    world = setup({on_a("/"): Reply(status)}, on_a("/"))

    crawl(world)

    assert world.web.urls_fetched() == [on_a("/")]
    assert world.frontier.state(on_a("/"))[:3] == (UrlState.DONE, 0, status)


def test_a_429_with_retry_after_holds_the_host_and_retries_when_asked() -> None:
    world = setup(
        {on_a("/"): [Reply(429, (("Retry-After", "30"),)), page()], on_a("/x"): page()},
        on_a("/"),
    )

    crawl(world, retry_backoff_s=1.0)

    assert world.web.times_of(on_a("/")) == [0.0, 30.0]
    assert max(progress.hosts_waiting for progress in world.progress) == 1
    assert world.frontier.state(on_a("/"))[:3] == (UrlState.DONE, 1, 200)


def test_a_retry_after_date_is_obeyed_and_a_long_one_cut_to_max_wait() -> None:
    in_a_minute = format_datetime(BASE + timedelta(seconds=60), usegmt=True)
    world = setup(
        {
            on_a("/"): [Reply(503, (("Retry-After", in_a_minute),)), page()],
            "https://b.example/": [Reply(429, (("Retry-After", "86400"),)), page()],
        },
        on_a("/"),
        "https://b.example/",
    )

    crawl(world, max_wait_s=300.0)

    assert world.web.times_of(on_a("/")) == [0.0, 60.0]
    assert world.web.times_of("https://b.example/") == [0.0, 300.0]


def test_a_timeout_is_retried() -> None:
    world = setup({on_a("/"): [FetchTimedOut("read timed out"), page()]}, on_a("/"))

    progress = crawl(world, retry_backoff_s=0.5)

    assert world.web.times_of(on_a("/")) == [0.0, 0.5]
    assert world.frontier.state(on_a("/")) == (UrlState.DONE, 1, 200, None)
    assert (progress.retried, progress.failed) == (1, 0)


def test_a_url_that_never_answers_fails_after_its_retries() -> None:
    world = setup({on_a("/"): FetchTimedOut("connect timed out\n after 10 s")}, on_a("/"))

    progress = crawl(world, max_retries=2)

    assert len(world.web.times_of(on_a("/"))) == 3
    assert world.frontier.state(on_a("/")) == (
        UrlState.FAILED,
        2,
        None,
        "connect timed out after 10 s (after 3 attempts)",
    )
    record = world.frontier.pages()[on_a("/")]
    assert (record.status, record.is_indexable, record.non_indexable_reason) == (
        None,
        False,
        "status",
    )
    assert progress.failed == 1


@pytest.mark.parametrize(
    "error",
    [HostNotFound("cannot resolve a.example"), AddressRefused("a.example resolves to 10.0.0.1")],
    ids=["host-not-found", "address-refused"],
)
@pytest.mark.parametrize("with_robots", [False, True], ids=["no-robots", "robots"])
def test_a_host_that_cannot_be_visited_fails_its_urls_without_retry(
    error: Exception, with_robots: bool
) -> None:
    world = setup({on_a("/"): error, on_a("/robots.txt"): error}, on_a("/"))

    progress = crawl(world, with_robots=with_robots)

    assert world.web.fetched == ([] if with_robots else [(on_a("/"), 0.0)])
    assert world.frontier.state(on_a("/")) == (UrlState.FAILED, 0, None, str(error))
    assert (progress.failed, progress.retried, progress.excluded) == (1, 0, 0)


# -- robots.txt ----------------------------------------------------------------------------


def test_a_url_robots_txt_disallows_is_excluded_with_the_rule_and_not_fetched() -> None:
    robots = Reply(200, (("Content-Type", "text/plain"),), b"User-agent: *\nDisallow: /private/\n")
    world = setup(
        {
            on_a("/robots.txt"): robots,
            on_a("/"): page("/private/x", "/public"),
            on_a("/public"): page(),
        },
        on_a("/"),
    )

    progress = crawl(world, with_robots=True)

    assert world.web.urls_fetched() == [on_a("/"), on_a("/public")]
    assert world.web.robots_fetched == [on_a("/robots.txt")]
    state, _, status, outcome = world.frontier.state(on_a("/private/x"))
    assert (state, status) == (UrlState.EXCLUDED, None)
    assert outcome is not None
    assert outcome.startswith("robots.txt: disallowed by line 2 'Disallow: /private/'")
    record = world.frontier.pages()[on_a("/private/x")]
    assert (record.is_robots_allowed, record.non_indexable_reason) == (False, "robots_txt")
    assert world.frontier.pages()[on_a("/public")].is_robots_allowed is True
    assert progress.excluded == 1


def test_without_a_robots_policy_robots_allowed_is_unknown() -> None:
    world = setup({on_a("/"): page()}, on_a("/"))

    crawl(world)

    assert world.frontier.pages()[on_a("/")].is_robots_allowed is None


# -- budgets and commits -------------------------------------------------------------------


def test_max_pages_stops_the_fetches_and_leaves_the_rest_queued() -> None:
    links = [f"/{n}" for n in range(20)]
    answers: dict[str, Answer | list[Answer]] = {on_a(path): page() for path in links}
    answers[on_a("/")] = page(*links)
    world = setup(answers, on_a("/"))

    progress = crawl(world, max_pages=5, per_host=4)

    assert len(world.web.fetched) == 5
    counts = world.frontier.counts()
    assert (counts[UrlState.DONE], counts[UrlState.IN_FLIGHT], counts[UrlState.QUEUED]) == (
        5,
        0,
        16,
    )
    assert progress.stored == 5


def test_every_url_of_a_crawl_is_committed_exactly_once() -> None:
    pages = 60
    answers: dict[str, Answer | list[Answer]] = {
        on_a(f"/{n}"): page(
            *(f"/{(n * 7 + k) % pages}" for k in range(1, 6)), "https://b.example/0"
        )
        for n in range(pages)
    }
    answers |= {f"https://b.example/{n}": page(f"/{n + 1}", on_a("/0")) for n in range(pages)}
    world = setup(answers, on_a("/0"), "https://b.example/0")

    progress = crawl(
        world, concurrency=8, per_host=3, commit_pages=5, claim_batch=16, host_backlog=4
    )

    fetched = Counter(world.web.urls_fetched())
    assert len(fetched) == 2 * pages + 1  # b.example/60 answers 404
    assert set(fetched.values()) == {1}
    assert set(world.frontier.pages()) == set(fetched)
    assert {row.settled for row in world.frontier.rows.values()} == {1}
    assert world.frontier.counts()[UrlState.DONE] == 2 * pages + 1
    assert len(world.frontier.batches) > 10
    assert progress.stored == 2 * pages + 1


def test_a_cancelled_crawl_commits_what_it_fetched_and_leaves_the_rest_for_resume() -> None:
    stalled, never = asyncio.Event(), asyncio.Event()

    class Stalls(FakeWeb):
        async def fetch(self, url: str, /) -> FetchResult:
            if url == on_a("/stall"):
                stalled.set()
                await never.wait()  # the crawl is cancelled while this fetch waits
            return await super().fetch(url)

    links = ["/stall"] + [f"/{n}" for n in range(10)]
    world = setup({}, on_a("/"))
    world.web = Stalls(world.time, {on_a("/"): page(*links)} | {on_a(p): page() for p in links})
    time = world.time

    async def crawl_until_stuck() -> None:
        crawler = Crawler(
            world.frontier,
            world.web,
            InlineReader(),
            policies=[],
            robots=None,
            limits=CrawlLimits(concurrency=2, per_host=2, delay_s=0.0),
            clock=time.monotonic,
            wall_clock=time.wall,
        )
        task = asyncio.create_task(crawler.run())
        await stalled.wait()
        while len(world.web.fetched) < 4:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(crawl_until_stuck(), HUNG_S))

    fetched = set(world.web.urls_fetched())
    rows = world.frontier.rows
    assert len(fetched) >= 4
    assert set(world.frontier.pages()) == fetched
    assert {url for url, row in rows.items() if row.state is UrlState.DONE} == fetched
    in_flight = {url for url, row in rows.items() if row.state is UrlState.IN_FLIGHT}
    assert on_a("/stall") in in_flight  # started, not finished: requeued on resume
    assert not in_flight & fetched
    assert len(rows) == 1 + len(links)


def test_every_response_goes_to_the_response_sink() -> None:
    class Sink:
        def __init__(self) -> None:
            self.urls: list[str] = []

        def write(self, result: FetchResult, /) -> None:
            self.urls.append(result.page.url)

    sink = Sink()
    world = setup(
        {
            on_a("/"): page("/moved", "/gone"),
            on_a("/moved"): redirect("/here"),
            on_a("/here"): page(),
        },
        on_a("/"),
    )

    crawl(world, responses=sink)

    assert sorted(sink.urls) == sorted(on_a(p) for p in ("/", "/moved", "/gone", "/here"))
