"""Reading fetched pages for the crawler: in its own process, or in worker processes.

Parsing a page (``parsing.fetched.read_fetched_page``) is CPU work that would
stall the event loop; ``ProcessReader`` does it in a pool of worker processes
so that fetching, parsing and store writes use every core.

What crosses between processes is kept to plain values: the fetch goes out as
a tuple and the page's links come back as ``PageRead.sightings``, one tuple
of values per ``LinkSighting`` field. Pickling a frozen, slotted dataclass
per link costs more than parsing the page (measured on the sample web: 366
pages/s through two workers with one object per link, 662 with columns).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

from linkequity.model.links import LinkSighting
from linkequity.model.records import FetchedPage
from linkequity.parsing.fetched import read_fetched_page

if TYPE_CHECKING:
    from collections.abc import Sequence
    from multiprocessing.process import BaseProcess

    from linkequity.model.pages import PageRecord

__all__ = [
    "SIGHTING_FIELDS",
    "InlineReader",
    "PageRead",
    "PageReader",
    "ProcessReader",
    "read_page",
]

#: The fields of ``LinkSighting``, in order: the columns of ``PageRead.sightings``.
SIGHTING_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(LinkSighting))
_SIGHTING_VALUES = attrgetter(*SIGHTING_FIELDS)
_COLUMN = {name: index for index, name in enumerate(SIGHTING_FIELDS)}


@dataclass(frozen=True, slots=True)
class PageRead:
    """A fetched page as the crawl keeps it: its record, its links as columns, any problem.

    Attributes
    ----------
    page : PageRecord
        The fetch as a row of ``pages``.
    sightings : tuple of tuples
        The page's links, one tuple per field of ``LinkSighting`` (in
        ``SIGHTING_FIELDS`` order), rows numbered from 0 in page order;
        empty when the page has no links.
    problem : str or None
        Why a page that should have had links gave none.
    """

    page: PageRecord
    sightings: tuple[tuple[Any, ...], ...] = ()
    problem: str | None = None

    def column(self, name: str) -> tuple[Any, ...]:
        """Return the values of the ``LinkSighting`` field *name*, one per link."""
        return self.sightings[_COLUMN[name]] if self.sightings else ()

    def __reduce__(self) -> tuple[type[PageRead], tuple[Any, ...]]:
        """Pickle as the three values, not through the dataclass's slow state protocol."""
        return (PageRead, (self.page, self.sightings, self.problem))


def read_page(page: FetchedPage) -> PageRead:
    """Parse one fetched page into a ``PageRead`` (``parsing.fetched.read_fetched_page``)."""
    read = read_fetched_page(page)
    return PageRead(read.page, _columns(read.sightings), read.problem)


def _columns(sightings: Sequence[LinkSighting]) -> tuple[tuple[Any, ...], ...]:
    if not sightings:
        return ()
    return tuple(zip(*map(_SIGHTING_VALUES, sightings), strict=True))


def _read_fetch_values(values: tuple[Any, ...]) -> PageRead:
    """Worker side: rebuild the fetch from plain values and parse it."""
    return read_page(FetchedPage(*values))


def _fetch_values(page: FetchedPage) -> tuple[Any, ...]:
    return (
        page.url,
        page.fetched_at,
        page.status,
        page.headers,
        page.body,
        page.record_offset,
        page.payload_digest,
    )


class PageReader(Protocol):
    """Turns a fetched page into its page record and link sightings."""

    async def read(self, page: FetchedPage, /) -> PageRead:
        """Return what the store keeps of *page*; its sightings are numbered from 0."""
        ...

    def close(self) -> None:
        """Stop any workers."""
        ...


class InlineReader:
    """Parses in the crawler's own process, on the event loop: for small crawls and tests."""

    async def read(self, page: FetchedPage, /) -> PageRead:
        """Parse *page* now."""
        return read_page(page)

    def close(self) -> None:
        """Nothing to stop."""


class ProcessReader:
    """Parses in *workers* spawned processes while the event loop goes on fetching.

    The workers start with the first page; until they are up (a second or
    two), pages are parsed in this process, so a small crawl never waits for
    them.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future[list[None]] | None = None

    async def read(self, page: FetchedPage, /) -> PageRead:
        """Parse *page* in a worker, or here while the workers start."""
        loop = asyncio.get_running_loop()
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=_end_with_the_crawl
            )
            self._ready = asyncio.gather(
                *(loop.run_in_executor(self._pool, _start_worker) for _ in range(self._workers))
            )
        if self._ready is not None and not self._ready.done():
            return read_page(page)
        return await loop.run_in_executor(self._pool, _read_fetch_values, _fetch_values(page))

    def close(self) -> None:
        """Stop the workers, dropping pages not yet parsed."""
        if self._ready is not None and not self._ready.done():
            self._ready.cancel()
            # Retrieve the outcome, or asyncio logs "exception was never retrieved".
            self._ready.add_done_callback(_settled)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _settled(future: asyncio.Future[list[None]]) -> None:
    """Read a dropped start-up's outcome, so that asyncio does not warn of it."""
    if not future.cancelled():
        future.exception()


def _start_worker() -> None:
    """Worker side: nothing; the import of this module is the start-up."""


def _end_with_the_crawl() -> None:
    """Worker initializer: exit when the crawl process that started the worker is gone.

    A crawl killed outright (SIGKILL, the OOM killer) never shuts its pool
    down: its workers would wait for pages forever, holding on to its stdout
    and stderr, so that whatever reads them never sees them close.
    """
    crawl = multiprocessing.parent_process()
    if crawl is not None:
        threading.Thread(target=_exit_after, args=(crawl,), name="crawl-watch", daemon=True).start()


def _exit_after(crawl: BaseProcess) -> None:
    crawl.join()
    os._exit(1)
