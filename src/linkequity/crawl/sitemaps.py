"""Sitemaps fetched as a seed source: the page URLs a site lists, and a report per sitemap.

``collect_sitemap_urls`` fetches sitemaps through the ``Fetcher`` seam, one at
a time, breadth first: the sitemaps it is given, then the children of those
that are indexes, and so on down to ``max_depth`` (the protocol forbids an
index of indexes; real sites nest them anyway). Each sitemap is fetched once,
whichever index lists it or redirect leads to it.

Redirects are followed here, since a ``Fetcher`` never follows them: five hops
at most (as for robots.txt, RFC 9309 §2.3.1.2), a loop stopped where it closes.
A sitemap that cannot be read (no response, a status other than 2xx, a body
the fetcher skipped, a loop) is recorded in its ``SitemapReport`` and the rest
are read as usual: only bugs raise.

Which pages a sitemap may list is ``parsing.sitemaps.SitemapScope``'s rule:
its own site, and the site whose robots.txt named it (``submitted_by``). A
redirect widens the scope to the site it leads to: the site that redirected
vouches for the target as its sitemap, as a robots.txt line would.
"""

from __future__ import annotations

import inspect
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from linkequity.errors import FetchFailed, InvalidUrl
from linkequity.model.urls import normalize_url, resolve_url
from linkequity.parsing.sitemaps import SitemapScope, parse_sitemap

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

    from linkequity.crawl.fetch import Fetcher, FetchResult
    from linkequity.parsing.sitemaps import DropReason, Sitemap, SitemapEntry, SitemapFormat

__all__ = [
    "DEFAULT_SITEMAP_DEPTH",
    "MAX_SITEMAP_REDIRECTS",
    "SitemapHarvest",
    "SitemapReport",
    "collect_sitemap_urls",
]

#: Redirects followed from one sitemap URL, at most.
MAX_SITEMAP_REDIRECTS = 5
#: Levels of sitemap indexes below the sitemaps given, by default.
DEFAULT_SITEMAP_DEPTH = 3

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class SitemapReport:
    """What fetching and reading one sitemap gave.

    Attributes
    ----------
    url : str
        The sitemap URL as listed (normalised when it could be).
    depth : int
        0 for a sitemap given, 1 for a child of one of their indexes, and so on.
    final_url : str or None
        Where the redirects ended, when they led elsewhere.
    status : int or None
        Status of the last response; ``None`` when none came.
    error : str or None
        Why the sitemap gave no URLs, in one sentence; ``None`` when it was read.
    format : SitemapFormat or None
        What the document was, when it was read.
    pages : int
        Page URLs it listed (``parse_sitemap`` kept).
    new_pages : int
        Of those, URLs the harvest did not have yet.
    sitemaps : int
        Child sitemaps it listed, if an index.
    dropped : mapping of DropReason to int
        Entries the parse dropped, by reason.
    is_truncated : bool
        Not all of it was read: the fetcher's size cap, the protocol's limits,
        damage; ``problems`` says which.
    problems : tuple of str
        What was wrong with the document, one sentence each.
    """

    url: str
    depth: int = 0
    final_url: str | None = None
    status: int | None = None
    error: str | None = None
    format: SitemapFormat | None = None
    pages: int = 0
    new_pages: int = 0
    sitemaps: int = 0
    dropped: Mapping[DropReason, int] = field(default_factory=dict)
    is_truncated: bool = False
    problems: tuple[str, ...] = ()

    @property
    def is_read(self) -> bool:
        """Whether a document was fetched and parsed."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class SitemapHarvest:
    """The page URLs a site's sitemaps list, and how each sitemap went.

    Attributes
    ----------
    pages : tuple of SitemapEntry
        Page URLs in the order found, each once (with the ``lastmod`` of its
        first listing).
    reports : tuple of SitemapReport
        One per sitemap attempted, in the order attempted.
    unread : int
        Sitemaps found but not fetched because a limit was reached.
    stopped_by : str or None
        The limit that ended the harvest early, e.g. ``"max_urls (1,000)"``.
    """

    pages: tuple[SitemapEntry, ...] = ()
    reports: tuple[SitemapReport, ...] = ()
    unread: int = 0
    stopped_by: str | None = None

    @property
    def urls(self) -> tuple[str, ...]:
        """The page URLs alone."""
        return tuple(entry.url for entry in self.pages)

    @property
    def is_truncated(self) -> bool:
        """Whether a limit ended the harvest before every sitemap and URL was taken."""
        return self.stopped_by is not None


async def collect_sitemap_urls(
    fetcher: Fetcher,
    sitemap_urls: Iterable[str],
    *,
    max_sitemaps: int,
    max_urls: int,
    max_depth: int = DEFAULT_SITEMAP_DEPTH,
    submitted_by: str | None = None,
    is_allowed: Callable[[str], bool | Awaitable[bool]] | None = None,
) -> SitemapHarvest:
    """Fetch sitemaps and the sitemaps their indexes list; return the page URLs they list.

    Parameters
    ----------
    fetcher : Fetcher
        Fetches one URL without following redirects.
    sitemap_urls : iterable of str
        The sitemaps to start from (``parsing.sitemaps.sitemap_locations``).
    max_sitemaps : int
        Sitemap documents fetched at most (redirect hops not counted).
    max_urls : int
        Page URLs collected at most.
    max_depth : int
        Levels of indexes followed below the sitemaps given.
    submitted_by : str, optional
        A URL of the site whose robots.txt named *sitemap_urls*: they may list
        its pages wherever they are hosted (cross-submission).
    is_allowed : callable, optional
        Asked about each URL before it is fetched, redirect targets included
        (a robots.txt check); it may return a bool or an awaitable of one. The
        page URLs are not asked about: the crawler decides on them when it
        fetches them.

    Returns
    -------
    SitemapHarvest
        A sitemap that cannot be read, or a listed URL that is no URL, is
        recorded in its report, never raised.

    Raises
    ------
    InvalidUrl
        If *submitted_by* is not an http(s) URL.
    """
    run = _Harvester(fetcher, max_depth=max_depth, max_urls=max_urls, is_allowed=is_allowed)
    submitters = () if submitted_by is None else (normalize_url(submitted_by),)
    for listed in sitemap_urls:
        try:
            url = normalize_url(listed)
            scope = SitemapScope.of(url, *submitters)
        except InvalidUrl as exc:
            run.reports.append(SitemapReport(listed.strip(), error=str(exc)))
            continue
        run.enqueue(url, 0, scope)
    fetched = 0
    stopped_by: str | None = None
    while run.queue:
        if len(run.pages) >= max_urls:
            stopped_by = f"max_urls ({max_urls:,})"
            break
        if fetched >= max_sitemaps:
            stopped_by = f"max_sitemaps ({max_sitemaps:,})"
            break
        url, depth, scope = run.queue.popleft()
        fetched += 1
        await run.read(url, depth, scope)
    if stopped_by is None and run.is_full:
        stopped_by = f"max_urls ({max_urls:,})"
    return SitemapHarvest(
        pages=tuple(run.pages.values()),
        reports=tuple(run.reports),
        unread=len(run.queue),
        stopped_by=stopped_by,
    )


class _Harvester:
    """The state of one harvest: the queue, what was seen, the pages and the reports."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        max_depth: int,
        max_urls: int,
        is_allowed: Callable[[str], bool | Awaitable[bool]] | None,
    ) -> None:
        self.fetcher = fetcher
        self.max_depth = max_depth
        self.max_urls = max_urls
        self.is_allowed = is_allowed
        self.queue: deque[tuple[str, int, SitemapScope]] = deque()
        self.pages: dict[str, SitemapEntry] = {}
        self.reports: list[SitemapReport] = []
        self.is_full = False
        self._seen: set[str] = set()

    def enqueue(self, url: str, depth: int, scope: SitemapScope) -> None:
        if url in self._seen:
            return
        self._seen.add(url)
        if depth > self.max_depth:
            error = f"a sitemap index nested deeper than {self.max_depth} levels"
            self.reports.append(SitemapReport(url, depth, error=error))
            return
        self.queue.append((url, depth, scope))

    async def read(self, url: str, depth: int, scope: SitemapScope) -> None:
        fetched = await self._fetch(url, depth)
        if isinstance(fetched, SitemapReport):
            self.reports.append(fetched)
            return
        final_url, result = fetched
        final = None if final_url == url else final_url
        status = result.page.status
        if result.is_body_skipped:
            error = "the fetcher did not read the body (its content type is not one it reads)"
            self.reports.append(SitemapReport(url, depth, final, status, error))
            return
        widened = scope if final is None else scope.widened(final_url)
        sitemap = parse_sitemap(result.page.body, final_url, scope=widened)
        new_pages = self._take(sitemap)
        for child in sitemap.sitemaps:
            self.enqueue(child.url, depth + 1, widened)
        problems = sitemap.problems
        if result.is_truncated:
            problems = ("the fetcher cut the body at its size cap", *problems)
        self.reports.append(
            SitemapReport(
                url,
                depth,
                final,
                status,
                format=sitemap.format,
                pages=len(sitemap.pages),
                new_pages=new_pages,
                sitemaps=len(sitemap.sitemaps),
                dropped=sitemap.dropped,
                is_truncated=sitemap.is_truncated or result.is_truncated,
                problems=problems,
            )
        )

    def _take(self, sitemap: Sitemap) -> int:
        before = len(self.pages)
        for entry in sitemap.pages:
            if entry.url in self.pages:
                continue
            if len(self.pages) >= self.max_urls:
                self.is_full = True
                break
            self.pages[entry.url] = entry
        return len(self.pages) - before

    async def _fetch(self, url: str, depth: int) -> tuple[str, FetchResult] | SitemapReport:
        """Return the final URL and its 2xx response, or the report of why there is none."""
        chain = [url]
        target = url
        while True:
            final = None if target == url else target
            if self.is_allowed is not None and not await _answer(self.is_allowed(target)):
                return SitemapReport(url, depth, final, error=f"robots.txt disallows {target}")
            try:
                result = await self.fetcher.fetch(target)
            except FetchFailed as exc:
                return SitemapReport(url, depth, final, error=f"{type(exc).__name__}: {exc}")
            status = result.page.status
            if status is not None and 200 <= status < 300:
                return target, result
            if status not in _REDIRECT_STATUSES:
                unread = "no HTTP status" if status is None else f"HTTP {status}"
                return SitemapReport(url, depth, final, status, unread)
            location = _header(result, "location")
            error: str | None = None
            if location is None:
                error = f"HTTP {status} without a Location"
            else:
                try:
                    target = resolve_url(target, location)
                except InvalidUrl:
                    error = f"HTTP {status} to {location[:100]!r}, not a URL we can use"
            if error is None and target in chain:
                error = f"a redirect loop: {' -> '.join([*chain[chain.index(target) :], target])}"
            elif error is None and len(chain) > MAX_SITEMAP_REDIRECTS:
                error = f"more than {MAX_SITEMAP_REDIRECTS} redirects"
            elif error is None and target in self._seen:
                error = f"redirects to {target}, a sitemap listed or reached before"
            if error is not None:
                return SitemapReport(url, depth, final, status, error)
            chain.append(target)
            self._seen.add(target)


async def _answer(answer: bool | Awaitable[bool]) -> bool:
    return await answer if inspect.isawaitable(answer) else bool(answer)


def _header(result: FetchResult, name: str) -> str | None:
    return next((v for k, v in result.page.headers if k.strip().lower() == name), None)
