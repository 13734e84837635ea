"""Reading fetched pages for the crawler: in its own process, or in worker processes.

Parsing a page (``parsing.fetched.read_fetched_page``) is CPU work that would
stall the event loop; ``ProcessReader`` does it in a pool of worker processes
so that fetching, parsing and store writes use every core.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Protocol

from linkequity.parsing.fetched import read_fetched_page

if TYPE_CHECKING:
    from linkequity.model.records import FetchedPage
    from linkequity.parsing.fetched import ReadFetch

__all__ = ["InlineReader", "PageReader", "ProcessReader"]


class PageReader(Protocol):
    """Turns a fetched page into its page record and link sightings."""

    async def read(self, page: FetchedPage, /) -> ReadFetch:
        """Return what the store keeps of *page*; its sightings are numbered from 0."""
        ...

    def close(self) -> None:
        """Stop any workers."""
        ...


class InlineReader:
    """Parses in the crawler's own process, on the event loop: for small crawls and tests."""

    async def read(self, page: FetchedPage, /) -> ReadFetch:
        """Parse *page* now."""
        return read_fetched_page(page)

    def close(self) -> None:
        """Nothing to stop."""


class ProcessReader:
    """Parses in *workers* spawned processes while the event loop goes on fetching.

    The first *inline_first* pages are parsed in this process: starting
    workers costs a second or two, more than a small crawl spends parsing.
    """

    def __init__(self, workers: int, *, inline_first: int = 0) -> None:
        self._workers = workers
        self._inline_left = inline_first
        self._pool: ProcessPoolExecutor | None = None

    async def read(self, page: FetchedPage, /) -> ReadFetch:
        """Parse *page* in a worker (or here, while the crawl is young)."""
        if self._inline_left > 0:
            self._inline_left -= 1
            return read_fetched_page(page)
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self._workers, mp_context=context)
        return await asyncio.get_running_loop().run_in_executor(self._pool, read_fetched_page, page)

    def close(self) -> None:
        """Stop the workers, dropping pages not yet parsed."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
