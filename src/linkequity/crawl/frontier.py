"""The frontier seam: the crawler's queue of URLs, kept where a killed crawl can find it.

The crawler claims URLs from a ``Frontier`` (they are then in flight), fetches
them, and commits a ``CrawlBatch``: the pages and links read, how each claimed
URL ended, and the URLs found. A frontier must make each commit atomic, so
that a crawl killed at any moment leaves every URL either settled with its
results or still in flight without them; ``services.crawl`` keeps it in the
project store.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime

    from linkequity.crawl.readers import PageRead

__all__ = ["CrawlBatch", "CrawlRequest", "Frontier", "Settled", "UrlState"]


class UrlState(StrEnum):
    """Where a URL of a crawl stands."""

    QUEUED = "queued"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    FAILED = "failed"
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class CrawlRequest:
    """One URL to fetch, and how the crawl came to it.

    Attributes
    ----------
    url : str
        Normalised http(s) URL.
    host : str
        Its host, for politeness and fairness.
    depth : int
        Links followed from a seed (0); a redirect keeps its source's depth.
    seq : int
        The frontier's key for the URL; 0 until it is queued.
    attempts : int
        Fetches tried so far that asked for a retry.
    via : str or None
        The page it was found on, or the URL that redirected to it.
    redirect_chain : tuple of str
        The URLs whose redirects led here, first to last.
    """

    url: str
    host: str
    depth: int
    seq: int = 0
    attempts: int = 0
    via: str | None = None
    redirect_chain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settled:
    """How one claimed URL ended this time.

    ``state`` ``QUEUED`` hands the URL back: a retry due at ``not_before``
    (UTC), or a URL claimed but never started.
    """

    request: CrawlRequest
    state: UrlState
    attempts: int
    status: int | None = None
    outcome: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class CrawlBatch:
    """What the crawler commits at once: results, settled URLs and URLs found.

    ``reads`` number their sightings from 0 each; the frontier numbers them on.
    """

    reads: tuple[PageRead, ...] = ()
    settled: tuple[Settled, ...] = ()
    found: tuple[CrawlRequest, ...] = ()


class Frontier(Protocol):
    """A crawl's URLs; every method blocks, and the crawler calls them off its event loop."""

    def claim(
        self, *, limit: int, per_host: int, skip_hosts: Collection[str]
    ) -> list[CrawlRequest]:
        """Mark up to *limit* due URLs in flight, at most *per_host* a host, and return them."""
        ...

    def commit(self, batch: CrawlBatch) -> None:
        """Store *batch* atomically: all of it or, if interrupted, none of it."""
        ...

    def counts(self) -> dict[UrlState, int]:
        """Return the crawl's URLs by state."""
        ...

    def earliest_retry(self) -> datetime | None:
        """Return when the earliest queued URL waiting for a retry is due (UTC), if one is."""
        ...
