"""Use case: crawl the web into a project, politely, resumably.

A crawl is a snapshot of kind ``crawl``. Its plan (seeds, mode, scope) and its
tuning (the ``crawl`` settings) are saved with the snapshot, its URLs live in
the store's frontier, and its pages and links are committed batch by batch
with the settling of their URLs (``StoreFrontier``). Killed at any moment,
``resume_crawl`` puts the URLs that were in flight back in the queue and
carries on with the saved plan: no page is lost and none is stored twice.

Modes
-----
``site``
    The seeds' hosts only (plus any ``hosts``/``domains`` given), seeded
    with their sitemaps too.
``web``
    Any host, as deep as ``max_depth`` (3 unless given).
``verify``
    Only the seeds (and their redirects): no link is followed.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from linkequity.crawl.crawler import Crawler, CrawlLimits, CrawlProgress
from linkequity.crawl.frontier import CrawlBatch, CrawlRequest, Frontier, UrlState
from linkequity.crawl.http_fetcher import HttpFetcher, LoopbackResolver
from linkequity.crawl.readers import SIGHTING_FIELDS, InlineReader, PageReader, ProcessReader
from linkequity.crawl.robots import AsyncRobotsPolicy, robots_url
from linkequity.crawl.scope import (
    DepthPolicy,
    HostPolicy,
    PatternPolicy,
    Policy,
    admit,
    compile_patterns,
)
from linkequity.crawl.sitemaps import collect_sitemap_urls
from linkequity.crawl.warc_output import WarcResponseWriter
from linkequity.errors import FetchFailed, InvalidUrl, UsageError
from linkequity.model.links import Tool
from linkequity.model.urls import normalize_url, registrable_domain, url_host
from linkequity.parsing.placement import SITEWIDE_MIN_PAGES, SITEWIDE_SHARE
from linkequity.parsing.sitemaps import sitemap_locations
from linkequity.settings import CrawlSettings
from linkequity.store import (
    FRONTIER_ADD_SCHEMA,
    FRONTIER_SETTLE_SCHEMA,
    Store,
    pages_to_arrow,
    sighting_columns_to_arrow,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Coroutine, Iterator, Sequence

    from linkequity.crawl.fetch import FetchResult
    from linkequity.crawl.frontier import CrawlRequest as Request
    from linkequity.model.records import FetchedPage
    from linkequity.store import StoreStats

__all__ = ["CrawlMode", "CrawlPlan", "CrawlReport", "StoreFrontier", "crawl", "resume_crawl"]

#: ``files.kind`` of the file a crawl's link sightings are numbered in.
CRAWL_KIND = "crawl"
#: Depth of a web-mode crawl when none is given.
WEB_MAX_DEPTH = 3
#: Sitemap documents read per site at most, indexes and their children together.
MAX_SITEMAPS_PER_SITE = 50
#: Pages taken from one site's sitemaps at most, unless --max-pages is set.
MAX_SITEMAP_PAGES = 50_000
#: Where ``row`` is among the sighting columns a page read hands over.
_ROW = SIGHTING_FIELDS.index("row")
#: Seeds a saved plan keeps (the frontier holds them all; their hosts are saved apart).
SAVED_SEEDS = 100
#: Seeds queued at a time.
SEED_BATCH = 100_000
#: Failed URLs a report names.
SHOWN_FAILURES = 10

_T = TypeVar("_T")


class CrawlMode(StrEnum):
    """What a crawl follows."""

    SITE = "site"
    WEB = "web"
    VERIFY = "verify"


@dataclass(frozen=True, slots=True)
class CrawlPlan:
    """What to crawl; saved with the crawl, so that ``--resume`` goes on with the same plan.

    Attributes
    ----------
    seeds : tuple of str
        Normalised URLs to start from (depth 0).
    mode : CrawlMode
        ``site``, ``web`` or ``verify`` (see the module docstring).
    max_pages : int or None
        URLs visited at most, over every run of the crawl.
    max_depth : int or None
        Links followed from a seed at most.
    hosts, domains : tuple of str
        More hosts, or registrable domains, that a site crawl may visit.
    include, exclude : tuple of str
        Regular expressions a URL must match one of, and must match none of.
    allow_private : bool
        Visit private, loopback and link-local addresses.
    resolve_to : str or None
        ``127.0.0.1:PORT``: every host is sent there (the sample web).
    warc : str or None
        WARC file every response is appended to.
    seeds_file : str or None
        A file of more seeds, one URL a line, read as the crawl starts (see
        ``check_seeds_file``); it may hold millions.
    seed_hosts : tuple of str
        The hosts of all the seeds, the file's included, which a site crawl
        keeps to; taken from ``seeds`` when empty. A saved plan keeps only the
        first ``SAVED_SEEDS`` seeds (the frontier has them all) and their hosts.
    """

    seeds: tuple[str, ...]
    mode: CrawlMode = CrawlMode.SITE
    max_pages: int | None = None
    max_depth: int | None = None
    hosts: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    allow_private: bool = False
    resolve_to: str | None = None
    warc: str | None = None
    seeds_file: str | None = None
    seed_hosts: tuple[str, ...] = ()

    @property
    def site_hosts(self) -> frozenset[str]:
        """The hosts of the seeds."""
        return frozenset(self.seed_hosts or {url_host(seed) for seed in self.seeds})

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for the snapshot's settings: a few seeds and the hosts of all."""
        values = {item.name: _plain(getattr(self, item.name)) for item in fields(self)}
        values.update(seeds=list(self.seeds[:SAVED_SEEDS]), seed_hosts=sorted(self.site_hosts))
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CrawlPlan:
        """Rebuild a plan saved by ``as_dict``."""
        known = {item.name for item in fields(cls)}
        kept = {key: value for key, value in values.items() if key in known}
        for key in ("seeds", "hosts", "domains", "include", "exclude", "seed_hosts"):
            kept[key] = tuple(kept.get(key, ()))
        kept["mode"] = CrawlMode(kept.get("mode", CrawlMode.SITE))
        return cls(**kept)


@dataclass(frozen=True, slots=True)
class CrawlReport:
    """How a crawl run ended and what the project holds after it.

    A run that is interrupted raises instead; ``linkequity crawl --resume``
    goes on from where it stopped.
    """

    snapshot_id: int
    progress: CrawlProgress
    urls_by_state: dict[str, int]
    is_resumed: bool
    sitewide_sightings: int
    stats: StoreStats
    lost_links: int = 0
    sitemap_urls: int = 0
    requeued: int = 0
    failures: tuple[tuple[str, str], ...] = ()

    @property
    def fetched_nothing(self) -> bool:
        """Whether the crawl holds no fetched URL: every one failed or was excluded."""
        return not self.urls_by_state.get(UrlState.DONE)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        progress = asdict(self.progress)
        progress["pages_per_s"] = round(self.progress.pages_per_s, 2)
        return {
            "snapshot_id": self.snapshot_id,
            "is_resumed": self.is_resumed,
            "requeued": self.requeued,
            "sitemap_urls": self.sitemap_urls,
            "progress": progress,
            "urls_by_state": dict(self.urls_by_state),
            "sitewide_sightings": self.sitewide_sightings,
            "lost_links": self.lost_links,
            "failures": [{"url": url, "outcome": outcome} for url, outcome in self.failures],
            "stats": self.stats.as_dict(),
        }


class StoreFrontier(Frontier):
    """A crawl's frontier in the project store; sightings numbered on across runs."""

    def __init__(self, store: Store, snapshot_id: int, file_id: int) -> None:
        self._store = store
        self._snapshot_id = snapshot_id
        self._file_id = file_id
        self._next_row = store.next_sighting_row(file_id)

    def claim(self, *, limit: int, per_host: int, skip_hosts: Collection[str]) -> list[Request]:
        """Mark up to *limit* due URLs in flight, fairly across hosts, and return them."""
        table = self._store.claim_frontier(
            self._snapshot_id,
            limit=limit,
            per_host=per_host,
            now=_utc_naive(datetime.now(UTC)),
            skip_hosts=list(skip_hosts),
        )
        return [
            CrawlRequest(
                url=row["url"],
                host=row["host"],
                depth=row["depth"],
                seq=row["seq"],
                attempts=row["attempts"],
                via=row["via"],
                redirect_chain=tuple(row["redirect_chain"] or ()),
            )
            for row in table.to_pylist()
        ]

    def commit(self, batch: CrawlBatch) -> None:
        """Store the batch's pages, links, settled URLs and found URLs in one transaction."""
        columns: list[list[Any]] = [[] for _ in SIGHTING_FIELDS]
        for read in batch.reads:
            for values, column in zip(read.sightings, columns, strict=False):
                column.extend(values)
        rows = len(columns[_ROW])
        columns[_ROW] = list(range(self._next_row, self._next_row + rows))
        sightings = sighting_columns_to_arrow(dict(zip(SIGHTING_FIELDS, columns, strict=True)))
        self._store.commit_crawl_batch(
            self._snapshot_id,
            self._file_id,
            pages=pages_to_arrow([read.page for read in batch.reads]),
            sightings=sightings,
            settled=_settled_table(batch),
            found=queued_table(batch.found),
        )
        self._next_row += rows

    def queue(self, requests: Sequence[Request]) -> int:
        """Queue *requests* the crawl has not seen; return how many were new."""
        return self._store.add_to_frontier(self._snapshot_id, queued_table(requests))

    def counts(self) -> dict[UrlState, int]:
        """Return the crawl's URLs by state."""
        counts = self._store.frontier_counts(self._snapshot_id)
        return {state: counts.get(str(state), 0) for state in UrlState}

    def earliest_retry(self) -> datetime | None:
        """Return when the earliest retry is due (UTC), if one waits."""
        due = self._store.earliest_retry(self._snapshot_id)
        return None if due is None else due.replace(tzinfo=UTC)


def crawl(
    plan: CrawlPlan,
    *,
    db: Path,
    tuning: CrawlSettings,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlReport:
    """Crawl from the seeds of *plan* into the project *db*; see the module docstring.

    Raises
    ------
    UsageError
        For a plan or tuning that cannot work (no seeds, a bad pattern, a
        concurrency below 1…), before anything is written.
    StoreLocked
        When another process is writing to *db*.
    """
    check_plan(plan, tuning)
    with Store.open(db) as store:
        with store.transaction():
            snapshot_id = store.begin_snapshot(
                kind="crawl",
                source=_seeds_text(plan),
                settings={"plan": plan.as_dict(), "tuning": asdict(tuning)},
            )
            file_id = _crawl_file(store, snapshot_id, plan)
            for batch in _seed_batches(plan):
                store.add_to_frontier(
                    snapshot_id,
                    queued_table([CrawlRequest(url, url_host(url), 0) for url in batch]),
                )
        return _run(store, snapshot_id, file_id, plan, tuning, on_progress, is_resumed=False)


def resume_crawl(
    *, db: Path, on_progress: Callable[[CrawlProgress], None] | None = None
) -> CrawlReport:
    """Go on with the latest unfinished crawl of *db*, with its saved plan and tuning.

    Raises
    ------
    UsageError
        If *db* holds no unfinished crawl.
    """
    with Store.open(db) as store:
        unfinished = store.unfinished_crawl()
        if unfinished is None:
            raise UsageError(
                f"{db} holds no unfinished crawl to resume",
                hint="Start one with: linkequity crawl SEED --db " + str(db),
            )
        snapshot_id, saved = unfinished
        values = json.loads(saved)
        plan = CrawlPlan.from_dict(values.get("plan", {}))
        tuning = _tuning_from_dict(values.get("tuning", {}))
        requeued = store.requeue_in_flight(snapshot_id)
        file_id = _crawl_file(store, snapshot_id, plan)
        report = _run(store, snapshot_id, file_id, plan, tuning, on_progress, is_resumed=True)
        return replace(report, requeued=requeued)


def check_plan(plan: CrawlPlan, tuning: CrawlSettings) -> None:
    """Raise ``UsageError`` for a plan or tuning that cannot work, naming what to change."""
    if not plan.seeds and plan.seeds_file is None:
        raise UsageError("nothing to crawl: give at least one seed URL")
    compile_patterns(plan.include, flag="--include")
    compile_patterns(plan.exclude, flag="--exclude")
    _resolve_port(plan.resolve_to)
    for name in ("concurrency", "per_host"):
        if getattr(tuning, name) < 1:
            raise UsageError(f"crawl.{name} is {getattr(tuning, name)}; give 1 or more")
    for name in (
        "delay_s",
        "connect_timeout_s",
        "read_timeout_s",
        "total_timeout_s",
        "host_pause_s",
    ):
        value = getattr(tuning, name)
        if not value >= 0 or value == float("inf"):
            raise UsageError(f"crawl.{name} is {value}; give a finite number of seconds, 0 or more")
    for name in ("max_retries", "error_budget", "workers"):
        if getattr(tuning, name) < 0:
            raise UsageError(f"crawl.{name} is {getattr(tuning, name)}; give 0 or more")
    if tuning.max_body_bytes < 1024:
        raise UsageError(f"crawl.max_body_bytes is {tuning.max_body_bytes}; give 1024 or more")
    for limit, name in ((plan.max_pages, "--max-pages"), (plan.max_depth, "--max-depth")):
        if limit is not None and limit < 0:
            raise UsageError(f"{name} is {limit}; give 0 or more")


def seed_urls(urls: Sequence[str], *, origin: str) -> tuple[str, ...]:
    """Normalise seed URLs in order, without repeats.

    Raises
    ------
    UsageError
        Naming *origin* (``argument``, or a file and line) and the URL that is
        not an http(s) URL.
    """
    seen: dict[str, None] = {}
    for number, text in enumerate(urls, start=1):
        try:
            seen.setdefault(normalize_url(text.strip()), None)
        except InvalidUrl as err:
            where = f"{origin}, line {number}" if origin != "argument" else "argument"
            raise UsageError(f"{where}: {err}", hint=err.hint) from err
    return tuple(seen)


@dataclass(frozen=True, slots=True)
class SeedsFile:
    """A seeds file, checked: how many URLs it gives, their hosts, and its first few."""

    path: Path
    count: int
    hosts: frozenset[str]
    head: tuple[str, ...]


def check_seeds_file(path: Path) -> SeedsFile:
    """Read a seeds file through once: one URL a line; blank lines and ``#`` comments skipped.

    Nothing but the hosts and the first ``SAVED_SEEDS`` URLs is kept, so a file
    of millions of seeds costs little memory; the crawl reads it again.

    Raises
    ------
    UsageError
        If the file cannot be read as UTF-8 text, or naming the line of the
        file (blank and comment lines counted) that is not an http(s) URL.
    """
    count = 0
    hosts: set[str] = set()
    head: list[str] = []
    for url in _seeds_in(path):
        count += 1
        hosts.add(url_host(url))
        if len(head) < SAVED_SEEDS:
            head.append(url)
    return SeedsFile(path, count, frozenset(hosts), tuple(head))


def _seeds_in(path: Path) -> Iterator[str]:
    """Yield the normalised URLs of a seeds file in order (see ``check_seeds_file``)."""
    try:
        with path.open(encoding="utf-8-sig") as lines:
            for number, line in enumerate(lines, start=1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                try:
                    yield normalize_url(text)
                except InvalidUrl as err:
                    raise UsageError(f"{path}, line {number}: {err}", hint=err.hint) from err
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read seeds file {path}: {err}") from err


def _seed_batches(plan: CrawlPlan) -> Iterator[list[str]]:
    """Yield the plan's seeds, then its seeds file's, ``SEED_BATCH`` at a time."""
    batch = list(plan.seeds)
    if plan.seeds_file is not None:
        for url in _seeds_in(Path(plan.seeds_file)):
            batch.append(url)
            if len(batch) >= SEED_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def policies_for(plan: CrawlPlan) -> list[Policy]:
    """Return the scope policies of *plan*, in the order they are asked."""
    policies: list[Policy] = []
    max_depth = plan.max_depth
    if plan.mode is CrawlMode.WEB and max_depth is None:
        max_depth = WEB_MAX_DEPTH
    if max_depth is not None:
        policies.append(DepthPolicy(max_depth))
    domains = frozenset(registrable_domain(domain) or domain for domain in plan.domains)
    if plan.mode is CrawlMode.SITE:
        hosts = plan.site_hosts | set(plan.hosts)
        policies.append(HostPolicy(hosts, domains))
    elif plan.hosts or plan.domains:
        policies.append(HostPolicy(frozenset(plan.hosts), domains))
    if plan.include or plan.exclude:
        policies.append(
            PatternPolicy(
                compile_patterns(plan.include, flag="--include"),
                compile_patterns(plan.exclude, flag="--exclude"),
            )
        )
    return policies


def queued_table(requests: Sequence[CrawlRequest]) -> pa.Table:
    """Return *requests* as rows to queue (``FRONTIER_ADD_SCHEMA``)."""
    return pa.Table.from_pydict(
        {
            "url": [request.url for request in requests],
            "host": [request.host for request in requests],
            "depth": [request.depth for request in requests],
            "via": [request.via for request in requests],
            "redirect_chain": [list(request.redirect_chain) or None for request in requests],
        },
        schema=FRONTIER_ADD_SCHEMA,
    )


def _settled_table(batch: CrawlBatch) -> pa.Table:
    settled = batch.settled
    return pa.Table.from_pydict(
        {
            "seq": [item.request.seq for item in settled],
            "state": [str(item.state) for item in settled],
            "attempts": [item.attempts for item in settled],
            "not_before": [item.not_before for item in settled],
            "status": [item.status for item in settled],
            "outcome": [item.outcome for item in settled],
        },
        schema=FRONTIER_SETTLE_SCHEMA,
    )


def _run(
    store: Store,
    snapshot_id: int,
    file_id: int,
    plan: CrawlPlan,
    tuning: CrawlSettings,
    on_progress: Callable[[CrawlProgress], None] | None,
    *,
    is_resumed: bool,
) -> CrawlReport:
    counts = store.frontier_counts(snapshot_id)
    visited = counts["done"] + counts["failed"] + counts["excluded"]
    budget = None if plan.max_pages is None else max(plan.max_pages - visited, 0)
    limits = _limits(plan, tuning, budget)
    frontier = StoreFrontier(store, snapshot_id, file_id)
    # On resume too: a crawl stopped while reading them queued only some; the
    # frontier does not queue twice what it already holds.
    with_sitemaps = tuning.sitemaps and plan.mode is CrawlMode.SITE
    progress, sitemap_pages = _run_to_end(
        _crawl_async(frontier, plan, tuning, limits, on_progress, with_sitemaps=with_sitemaps)
    )
    sitewide = store.mark_sitewide(file_id, min_share=SITEWIDE_SHARE, min_pages=SITEWIDE_MIN_PAGES)
    lost = store.mark_lost(file_id)
    store.finish_snapshot(snapshot_id)
    return CrawlReport(
        snapshot_id=snapshot_id,
        progress=progress,
        urls_by_state=store.frontier_counts(snapshot_id),
        is_resumed=is_resumed,
        sitewide_sightings=sitewide,
        lost_links=lost,
        stats=store.stats(),
        failures=_failures(store, snapshot_id),
        sitemap_urls=sitemap_pages,
    )


def _run_to_end(work: Coroutine[Any, Any, _T]) -> _T:
    """Run *work* in an event loop of its own, and return its result.

    ``asyncio.run`` refuses to start inside a running loop, which a Jupyter
    notebook (or any async caller of this synchronous API) has: there the
    crawl gets a thread of its own and the caller waits for it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkequity-crawl") as thread:
        return thread.submit(asyncio.run, work).result()


def _failures(store: Store, snapshot_id: int) -> tuple[tuple[str, str], ...]:
    """Return the first ``SHOWN_FAILURES`` URLs the crawl gave up on, and why."""
    return tuple(store.failed_urls(snapshot_id, limit=SHOWN_FAILURES))


async def _crawl_async(
    frontier: StoreFrontier,
    plan: CrawlPlan,
    tuning: CrawlSettings,
    limits: CrawlLimits,
    on_progress: Callable[[CrawlProgress], None] | None,
    *,
    with_sitemaps: bool,
) -> tuple[CrawlProgress, int]:
    """Crawl; first, when *with_sitemaps*, queue the pages the seeds' sitemaps list.

    Returns the progress and the sitemap pages queued.
    """
    sitemap_pages = 0
    port = _resolve_port(plan.resolve_to)
    fetcher = HttpFetcher(
        user_agent=tuning.user_agent,
        connect_timeout_s=tuning.connect_timeout_s,
        read_timeout_s=tuning.read_timeout_s,
        total_timeout_s=tuning.total_timeout_s,
        max_body_bytes=tuning.max_body_bytes,
        allow_private=plan.allow_private,
        resolver=LoopbackResolver(port) if port is not None else None,
        max_connections=tuning.concurrency,
        max_connections_per_host=tuning.per_host,
    )

    async def fetch_robots(url: str) -> FetchedPage:
        return (await fetcher.fetch(url, accept_types=None)).page

    robots = AsyncRobotsPolicy(fetch_robots, user_agent=tuning.user_agent)
    if with_sitemaps:
        sitemap_pages = await _queue_sitemap_pages(frontier, plan, fetcher, robots)
    reader = _reader(tuning, plan)
    warc = WarcResponseWriter(Path(plan.warc)) if plan.warc else None
    try:
        crawler = Crawler(
            frontier,
            fetcher,
            reader,
            policies=policies_for(plan),
            robots=robots,
            limits=limits,
            responses=warc,
            on_progress=on_progress,
        )
        return await crawler.run(), sitemap_pages
    finally:
        reader.close()
        if warc is not None:
            warc.close()
        await fetcher.aclose()


async def _queue_sitemap_pages(
    frontier: StoreFrontier, plan: CrawlPlan, fetcher: HttpFetcher, robots: AsyncRobotsPolicy
) -> int:
    """Queue the in-scope pages the sitemaps of the seeds' sites list; return how many."""
    policies = policies_for(plan)
    sitemap_fetcher = _AnyContentFetcher(fetcher)
    queued = 0
    for origin in dict.fromkeys(robots_url(seed).removesuffix("robots.txt") for seed in plan.seeds):
        try:
            answer = await robots.answer_for(origin)
        except FetchFailed:
            continue  # the host is refused or gone: its seed fails, with the reason
        harvest = await collect_sitemap_urls(
            sitemap_fetcher,
            sitemap_locations(origin, answer.robots),
            max_sitemaps=MAX_SITEMAPS_PER_SITE,
            max_urls=plan.max_pages or MAX_SITEMAP_PAGES,
            submitted_by=origin,
            is_allowed=lambda url: _is_allowed(robots, url),
        )
        found = [CrawlRequest(entry.url, url_host(entry.url), 1) for entry in harvest.pages]
        admitted = [request for request in found if admit(policies, request).is_admitted]
        queued += frontier.queue(admitted)
    return queued


async def _is_allowed(robots: AsyncRobotsPolicy, url: str) -> bool:
    return (await robots.check(url)).is_allowed


class _AnyContentFetcher:
    """The crawl's fetcher, reading bodies of every content type (sitemaps are XML or text)."""

    def __init__(self, fetcher: HttpFetcher) -> None:
        self._fetcher = fetcher

    async def fetch(self, url: str, /) -> FetchResult:
        return await self._fetcher.fetch(url, accept_types=None)

    async def aclose(self) -> None:
        """Leave the crawl's fetcher open: the crawl closes it."""


def _reader(tuning: CrawlSettings, plan: CrawlPlan) -> PageReader:
    workers = tuning.workers or _usable_cpus()
    if workers <= 1 or plan.mode is CrawlMode.VERIFY:
        return InlineReader()
    return ProcessReader(workers)


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _limits(plan: CrawlPlan, tuning: CrawlSettings, budget: int | None) -> CrawlLimits:
    return CrawlLimits(
        concurrency=tuning.concurrency,
        per_host=tuning.per_host,
        delay_s=tuning.delay_s,
        max_pages=budget,
        max_retries=tuning.max_retries,
        error_budget=tuning.error_budget,
        host_pause_s=tuning.host_pause_s,
        follow_links=plan.mode is not CrawlMode.VERIFY,
        follow_nofollow=tuning.follow_nofollow,
    )


def _crawl_file(store: Store, snapshot_id: int, plan: CrawlPlan) -> int:
    file_id, _ = store.register_file(
        sha256=f"crawl:{snapshot_id}",
        path=f"crawl of {_seeds_text(plan)}",
        tool=str(Tool.CRAWL),
        export_format=None,
        kind=CRAWL_KIND,
        snapshot_id=snapshot_id,
    )
    return file_id


def _seeds_text(plan: CrawlPlan) -> str:
    """Describe the seeds in a few words: the first, how many more, the seeds file."""
    parts = []
    if plan.seeds:
        more = len(plan.seeds) - 1
        parts.append(plan.seeds[0] + (f" and {more} more" if more else ""))
    if plan.seeds_file is not None:
        parts.append(f"the seeds of {plan.seeds_file}")
    return ", ".join(parts)


def _resolve_port(resolve_to: str | None) -> int | None:
    if resolve_to is None:
        return None
    address, _, port = resolve_to.rpartition(":")
    if address != "127.0.0.1" or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"--resolve-to {resolve_to!r}: give 127.0.0.1:PORT, the loopback address "
            "of a server such as the sample web's"
        )
    return int(port)


def _tuning_from_dict(values: dict[str, Any]) -> CrawlSettings:
    known = {item.name for item in fields(CrawlSettings)}
    return CrawlSettings(**{key: value for key, value in values.items() if key in known})


def _plain(value: object) -> object:
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
