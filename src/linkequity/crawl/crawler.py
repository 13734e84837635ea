"""The crawler: claim URLs from the frontier, fetch them politely, read them, commit.

One event loop does the fetching. URLs are claimed from the ``Frontier`` in
batches, fairly across hosts, and wait in per-host queues in memory (a bounded
number per host); a URL starts when its host has a free slot and its delay
has passed (``Politeness``) and the global limit allows. Each visit asks
robots.txt, fetches through the ``Fetcher`` seam, retries what deserves it
(no response, 5xx, 429 and 503 with their ``Retry-After``) by handing the URL
back to the frontier with a due time, reads the page (``PageReader``, in
worker processes when asked), and queues the links it admits (``scope``
policies) and the redirect it follows (chains up to ``max_redirects``, loops
detected). Results are committed with the settling of their URLs in batches,
so a crawl killed at any moment loses only what it had not committed, and
those URLs are still in flight in the frontier, to be fetched again on resume.

Frontier calls block (the store); they run on one thread beside the loop.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from linkequity.crawl.frontier import CrawlBatch, CrawlRequest, Settled, UrlState
from linkequity.crawl.politeness import Politeness, retry_after_s
from linkequity.crawl.readers import PageRead
from linkequity.crawl.scope import DepthPolicy, admit
from linkequity.errors import AddressRefused, FetchFailed, HostNotFound, InvalidUrl
from linkequity.model.pages import IndexabilityReason, PageRecord
from linkequity.model.urls import resolve_url, url_host
from linkequity.parsing.links import MAX_LINKS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from linkequity.crawl.fetch import Fetcher, FetchResult
    from linkequity.crawl.frontier import Frontier
    from linkequity.crawl.readers import PageReader
    from linkequity.crawl.robots import AsyncRobotsPolicy
    from linkequity.crawl.scope import Policy

__all__ = ["CrawlLimits", "CrawlProgress", "Crawler", "ResponseSink"]

_T = TypeVar("_T")
#: Statuses retried with back-off; 429 and 503 also hold the host (``Retry-After``).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Found URLs remembered to spare the frontier repeats (a site's menu on every page).
RECENT_URLS = 100_000


@dataclass(frozen=True, slots=True)
class CrawlLimits:
    """How hard, how far and how politely one crawl goes.

    Attributes
    ----------
    concurrency : int
        Requests at once, over all hosts.
    per_host : int
        Requests at once to one host.
    delay_s : float
        Seconds between the starts of two requests to one host (raised to its
        robots.txt ``Crawl-delay``).
    max_pages : int or None
        URLs this run may visit, robots.txt exclusions included (robots.txt fetches are not).
    max_retries : int
        Retries of a URL that got no response, a 5xx, or a 429.
    retry_backoff_s : float
        First retry's wait; each further retry waits twice as long.
    max_wait_s : float
        Longest ``Crawl-delay`` or ``Retry-After`` obeyed.
    error_budget : int
        Failures in a row that pause a host; 0 never pauses.
    host_pause_s : float
        How long a host that spent its error budget is left alone.
    follow_links : bool
        Queue the links of fetched pages (``False`` fetches only the seeds: verify mode).
    follow_nofollow : bool
        Queue links marked nofollow, sponsored or ugc too.
    max_redirects : int
        Redirects followed in one chain.
    commit_pages : int
        Settled URLs that trigger a commit.
    commit_interval_s : float
        Longest time results wait before a commit.
    claim_batch : int
        URLs held in memory at most, claimed from the frontier at once.
    host_backlog : int
        URLs of one host held in memory at most.
    """

    concurrency: int = 16
    per_host: int = 2
    delay_s: float = 0.5
    max_pages: int | None = None
    max_retries: int = 2
    retry_backoff_s: float = 2.0
    max_wait_s: float = 120.0
    error_budget: int = 10
    host_pause_s: float = 60.0
    follow_links: bool = True
    follow_nofollow: bool = True
    max_redirects: int = 10
    commit_pages: int = 512
    commit_interval_s: float = 1.0
    claim_batch: int = 1024
    host_backlog: int = 64


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    """Where a crawl stands: this run's counts and the frontier's.

    ``fetched`` counts responses received this run (redirect hops and error
    statuses included), ``stored`` the settled URLs committed, ``failed`` the
    URLs given up on, ``excluded`` those robots.txt forbids, ``retried`` the
    retries handed back; ``queued`` and ``in_flight`` are the frontier's, as of
    the last commit; ``hosts_waiting`` the hosts paused or backing off;
    ``hints`` what to do about the hosts given up on (refused, not found).
    """

    fetched: int = 0
    stored: int = 0
    failed: int = 0
    excluded: int = 0
    retried: int = 0
    queued: int = 0
    in_flight: int = 0
    hosts_waiting: int = 0
    elapsed_s: float = 0.0
    hints: tuple[str, ...] = ()

    @property
    def pages_per_s(self) -> float:
        """Responses per second this run."""
        return self.fetched / self.elapsed_s if self.elapsed_s > 0 else 0.0


class ResponseSink(Protocol):
    """Keeps every response fetched, such as a WARC writer."""

    def write(self, result: FetchResult, /) -> None:
        """Keep *result*."""
        ...


class Crawler:
    """One run of a crawl over a frontier; see the module docstring.

    Parameters
    ----------
    frontier : Frontier
        The crawl's URLs; seeds are queued before ``run``.
    fetcher : Fetcher
        Does the GETs.
    reader : PageReader
        Parses fetched pages.
    policies : sequence of Policy
        Decide which found URLs are queued, first refusal wins.
    robots : AsyncRobotsPolicy or None
        robots.txt of every origin; ``None`` fetches without asking.
    limits : CrawlLimits
        Concurrency, politeness, retries, budgets.
    responses : ResponseSink or None
        Told of every response (WARC output).
    on_progress : callable or None
        Told the progress after each commit.
    clock : callable
        Monotonic seconds; ``wall_clock`` gives the UTC time for due times.
    """

    def __init__(
        self,
        frontier: Frontier,
        fetcher: Fetcher,
        reader: PageReader,
        *,
        policies: Sequence[Policy],
        robots: AsyncRobotsPolicy | None,
        limits: CrawlLimits,
        responses: ResponseSink | None = None,
        on_progress: Callable[[CrawlProgress], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._frontier = frontier
        self._fetcher = fetcher
        self._reader = reader
        self._policies = tuple(policies)
        self._robots = robots
        self._limits = limits
        self._responses = responses
        self._on_progress = on_progress
        self._clock = clock
        self._wall_clock = wall_clock
        self._politeness = Politeness(
            per_host=limits.per_host,
            delay_s=limits.delay_s,
            error_budget=limits.error_budget,
            pause_s=limits.host_pause_s,
            max_wait_s=limits.max_wait_s,
        )
        self._backlog: dict[str, deque[CrawlRequest]] = {}
        self._backlog_size = 0
        self._running: set[asyncio.Task[None]] = set()
        self._committing: asyncio.Task[None] | None = None
        self._claiming: asyncio.Task[int] | None = None
        self._reads: list[PageRead] = []
        self._settled: list[Settled] = []
        self._found: list[CrawlRequest] = []
        self._recent: dict[str, int] = {}
        self._started = 0
        self._is_dry = False
        self._next_wake_s = math.inf
        self._last_commit_s = 0.0
        self._began_s = 0.0
        self._progress = CrawlProgress()
        self._store_thread: ThreadPoolExecutor | None = None

    @property
    def progress(self) -> CrawlProgress:
        """The progress as of the last commit."""
        return self._progress

    async def run(self) -> CrawlProgress:
        """Crawl until the frontier is empty or ``max_pages`` fetches have started.

        Interrupted (cancelled, Ctrl-C), it commits what it has and hands the
        URLs it holds back to the frontier before the interruption goes on.
        """
        self._began_s = self._last_commit_s = self._clock()
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="crawl-store")
        try:
            await self._crawl()
        finally:
            await self._stop()
        return self._progress

    async def _crawl(self) -> None:
        while True:
            if self._claiming is None and self._is_claim_due():
                self._claiming = asyncio.create_task(self._claim())
            self._start_ready()
            if self._committing is None and self._is_commit_due():
                self._committing = asyncio.create_task(self._commit())
            if self._running or self._backlog_size or self._claiming is not None:
                await self._wait()
                continue
            await self._commit_now()
            if not self._has_budget():
                return
            self._is_dry = False
            if await self._claim():
                continue
            due = await self._in_store(self._frontier.earliest_retry)
            if due is None:
                return
            wait_s = (due - self._wall_clock()).total_seconds()
            await asyncio.sleep(min(max(wait_s, 0.05), 5.0))
            self._is_dry = False

    async def _commit_now(self) -> None:
        """Wait for the commit under way, then commit what is left."""
        if self._committing is not None:
            committing, self._committing = self._committing, None
            await committing
        await self._commit()

    async def _stop(self) -> None:
        for task in self._running:
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self._running.clear()
        if self._claiming is not None:
            # Let a claim under way finish: what it claimed is handed back below.
            claiming, self._claiming = self._claiming, None
            await asyncio.gather(claiming, return_exceptions=True)
        self._hand_back_backlog()
        try:
            await self._commit_now()
        finally:
            if self._store_thread is not None:
                self._store_thread.shutdown(wait=True)

    # -- scheduling ---------------------------------------------------------

    def _is_claim_due(self) -> bool:
        """Whether the backlog runs low and the frontier may have more to give."""
        limits = self._limits
        return (
            not self._is_dry
            and self._has_budget()
            and self._backlog_size <= limits.claim_batch // 2
        )

    async def _claim(self) -> int:
        """Claim URLs from the frontier into the backlog; return how many were claimed."""
        limits = self._limits
        full = [host for host, queue in self._backlog.items() if len(queue) >= limits.host_backlog]
        room = limits.claim_batch - self._backlog_size
        claimed = await self._in_store(
            lambda: self._frontier.claim(limit=room, per_host=limits.host_backlog, skip_hosts=full)
        )
        for request in claimed:
            self._backlog.setdefault(request.host, deque()).append(request)
        self._backlog_size += len(claimed)
        self._is_dry = not claimed
        return len(claimed)

    def _has_budget(self) -> bool:
        return self._limits.max_pages is None or self._started < self._limits.max_pages

    def _start_ready(self) -> None:
        now = self._clock()
        self._next_wake_s = math.inf
        for host in list(self._backlog):
            queue = self._backlog[host]
            while queue and len(self._running) < self._limits.concurrency and self._has_budget():
                ready_at = self._politeness.ready_at(host)
                if ready_at is None:
                    break
                if ready_at > now:
                    self._next_wake_s = min(self._next_wake_s, ready_at)
                    break
                request = queue.popleft()
                self._backlog_size -= 1
                self._started += 1
                self._politeness.started(host, now)
                task = asyncio.create_task(self._visit(request))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            if not queue:
                del self._backlog[host]
        if not self._has_budget():
            self._hand_back_backlog()

    def _hand_back_backlog(self) -> None:
        for queue in self._backlog.values():
            self._settled.extend(
                Settled(request, UrlState.QUEUED, request.attempts) for request in queue
            )
        self._backlog.clear()
        self._backlog_size = 0

    async def _wait(self) -> None:
        """Wait for a visit or the commit under way to end, or for the next host or commit due."""
        now = self._clock()
        deadline = self._next_wake_s
        if self._settled and self._committing is None:
            deadline = min(deadline, self._last_commit_s + self._limits.commit_interval_s)
        timeout = min(max(deadline - now, 0.0), 1.0)
        waited: set[asyncio.Task[Any]] = set(self._running)
        if self._committing is not None:
            waited.add(self._committing)
        if self._claiming is not None:
            waited.add(self._claiming)
        if not waited:
            await asyncio.sleep(timeout)
            return
        done, _ = await asyncio.wait(waited, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is self._committing:
                self._committing = None
            if task is self._claiming:
                self._claiming = None
            task.result()  # a failed commit or a bug in a visit stops the crawl, loudly

    def _is_commit_due(self) -> bool:
        pending = len(self._settled)
        if not pending:
            return False
        if self._found and not self._backlog_size and self._is_dry:
            return True  # nothing left to fetch until the URLs found are queued
        overdue = self._clock() - self._last_commit_s >= self._limits.commit_interval_s
        return pending >= self._limits.commit_pages or overdue

    async def _commit(self) -> None:
        self._last_commit_s = self._clock()
        if not (self._settled or self._found):
            self._tell_progress()
            return
        batch = CrawlBatch(tuple(self._reads), tuple(self._settled), tuple(self._found))
        self._reads, self._settled, self._found = [], [], []
        await self._in_store(lambda: self._frontier.commit(batch))
        if batch.found:
            self._is_dry = False
        counts = await self._in_store(self._frontier.counts)
        stored = sum(1 for item in batch.settled if item.state is not UrlState.QUEUED)
        self._progress = replace(
            self._progress,
            stored=self._progress.stored + stored,
            queued=counts[UrlState.QUEUED],
            in_flight=counts[UrlState.IN_FLIGHT],
        )
        self._tell_progress()

    def _tell_progress(self) -> None:
        now = self._clock()
        self._progress = replace(
            self._progress,
            elapsed_s=now - self._began_s,
            hosts_waiting=self._politeness.held_hosts(now),
        )
        if self._on_progress is not None:
            self._on_progress(self._progress)

    async def _in_store(self, call: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call)

    # -- one visit ----------------------------------------------------------

    async def _visit(self, request: CrawlRequest) -> None:
        is_error = True
        try:
            is_error = await self._fetch_and_read(request)
        finally:
            self._politeness.finished(request.host, self._clock(), is_error=is_error)

    async def _fetch_and_read(self, request: CrawlRequest) -> bool:
        """Visit *request*; return whether the host failed (no response, 5xx, 429)."""
        try:
            if self._robots is not None:
                check = await self._robots.check(request.url)
                delay_s = self._robots.crawl_delay_s(check.answer)
                self._politeness.ask_for_delay(request.host, delay_s)
                if not check.is_allowed:
                    self._exclude(request, f"robots.txt: {check.explanation}")
                    return False
            result = await self._fetcher.fetch(request.url)
        except (HostNotFound, AddressRefused) as err:
            self._give_up(request, str(err))
            if err.hint not in self._progress.hints:
                self._progress = replace(self._progress, hints=(*self._progress.hints, err.hint))
            return True
        except FetchFailed as err:
            self._retry_or_give_up(request, None, str(err), self._backoff_s(request))
            return True
        if self._responses is not None:
            self._responses.write(result)
        self._progress = replace(self._progress, fetched=self._progress.fetched + 1)
        status = result.page.status or 0
        if status in RETRY_STATUSES and request.attempts < self._limits.max_retries:
            wait_s = self._backoff_s(request)
            if status in (429, 503):
                asked_s = retry_after_s(result.page.headers, self._wall_clock())
                wait_s = min(asked_s, self._limits.max_wait_s) if asked_s is not None else wait_s
                self._politeness.hold(request.host, self._clock(), wait_s)
            self._retry_or_give_up(request, status, f"HTTP {status}", wait_s)
            return True
        read = await self._reader.read(result.page)
        self._keep(request, result, read)
        return status in RETRY_STATUSES

    def _keep(self, request: CrawlRequest, result: FetchResult, read: PageRead) -> None:
        page = replace(
            read.page,
            crawl_depth=request.depth,
            is_robots_allowed=True if self._robots is not None else None,
        )
        self._reads.append(replace(read, page=page))
        status = result.page.status or 0
        outcome = read.problem
        if result.is_truncated:
            outcome = f"body cut at {len(result.page.body):,} bytes"
        elif result.is_body_skipped:
            outcome = f"not read: content type {page.content_type or 'unknown'}"
        elif outcome is None and len(read.column("target_url")) >= MAX_LINKS:
            outcome = f"links cut at {MAX_LINKS:,}, the most read from one page"
        if 300 <= status < 400:
            target = page.final_url or _self_redirect(request.url, result.page.headers)
            outcome = self._follow_redirect(request, target) or outcome
        elif 200 <= status < 300 and self._limits.follow_links:
            self._follow_links(request, read)
        self._settled.append(
            Settled(request, UrlState.DONE, request.attempts, status or None, outcome)
        )

    def _follow_redirect(self, request: CrawlRequest, target: str | None) -> str | None:
        """Queue the redirect's target; return why it is not followed, if it is not."""
        if target is None:
            return "redirect without a usable Location"
        chain = (*request.redirect_chain, request.url)
        if target in chain:
            return "redirect loop: " + " -> ".join((*chain[chain.index(target) :], target))
        if len(chain) > self._limits.max_redirects:
            return f"more than {self._limits.max_redirects} redirects in a row"
        hop = CrawlRequest(
            target, url_host(target), request.depth, via=request.url, redirect_chain=chain
        )
        redirect_policies = [p for p in self._policies if not isinstance(p, DepthPolicy)]
        verdict = admit(redirect_policies, hop)
        if not verdict.is_admitted:
            return f"redirect not followed: {verdict.reason}"
        self._found.append(hop)
        return None

    def _follow_links(self, request: CrawlRequest, read: PageRead) -> None:
        depth = request.depth + 1
        flags = zip(
            read.column("is_nofollow"),
            read.column("is_sponsored"),
            read.column("is_ugc"),
            strict=True,
        )
        for url, (nofollow, sponsored, ugc) in zip(read.column("target_url"), flags, strict=True):
            # Only the depth can change a verdict: a URL found again no shallower
            # than before gets the same one, but one refused as too deep may now be in reach.
            if self._recent.get(url, depth + 1) <= depth:
                continue
            if not self._limits.follow_nofollow and (nofollow or sponsored or ugc):
                continue
            self._remember(url, depth)
            found = CrawlRequest(url, url_host(url), depth, via=request.url)
            if admit(self._policies, found).is_admitted:
                self._found.append(found)

    def _remember(self, url: str, depth: int) -> None:
        self._recent[url] = depth
        if len(self._recent) > RECENT_URLS:
            del self._recent[next(iter(self._recent))]

    def _backoff_s(self, request: CrawlRequest) -> float:
        return float(self._limits.retry_backoff_s * 2**request.attempts)

    def _retry_or_give_up(
        self, request: CrawlRequest, status: int | None, problem: str, wait_s: float
    ) -> None:
        if request.attempts >= self._limits.max_retries:
            self._give_up(request, problem, status)
            return
        due = (self._wall_clock() + timedelta(seconds=wait_s)).astimezone(UTC).replace(tzinfo=None)
        self._settled.append(
            Settled(request, UrlState.QUEUED, request.attempts + 1, status, problem, due)
        )
        self._progress = replace(self._progress, retried=self._progress.retried + 1)

    def _give_up(self, request: CrawlRequest, problem: str, status: int | None = None) -> None:
        detail = _one_line(problem)
        if request.attempts:
            detail = f"{detail} (after {request.attempts + 1} attempts)"
        page = PageRecord(
            request.url,
            status,
            is_indexable=False,
            non_indexable_reason=str(IndexabilityReason.STATUS),
            indexability_detail=detail,
            crawl_depth=request.depth,
            fetched_at=self._wall_clock(),
        )
        self._reads.append(PageRead(page))
        self._settled.append(Settled(request, UrlState.FAILED, request.attempts, status, detail))
        self._progress = replace(self._progress, failed=self._progress.failed + 1)

    def _exclude(self, request: CrawlRequest, reason: str) -> None:
        page = PageRecord(
            request.url,
            None,
            is_indexable=False,
            non_indexable_reason=str(IndexabilityReason.ROBOTS_TXT),
            indexability_detail=reason,
            is_robots_allowed=False,
            crawl_depth=request.depth,
        )
        self._reads.append(PageRead(page))
        self._settled.append(Settled(request, UrlState.EXCLUDED, request.attempts, None, reason))
        self._progress = replace(self._progress, excluded=self._progress.excluded + 1)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _self_redirect(url: str, headers: Sequence[tuple[str, str]]) -> str | None:
    """Return *url* when a redirect's ``Location`` points back to it (the page keeps none)."""
    location = next((value for name, value in headers if name.lower() == "location"), None)
    if location is None:
        return None
    try:
        return url if resolve_url(url, location.strip()) == url else None
    except InvalidUrl:
        return None
