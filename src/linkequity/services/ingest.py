"""Use case: ingest web archives (WARC, WAT, ARC) into a project.

Every file is opened and sniffed before anything is written, so a wrong file on
the command line costs nothing. Each archive is then read in a transaction of
its own: an interruption or a store error halfway through one leaves that file
out entirely and every file before it stored. Damaged records are not errors:
each is reported (file, offset, why) and skipped, and everything before and
after it is ingested.

Response records go through the same parser as a crawled page
(``parsing.fetched``); WAT metadata records become links without re-parsing
HTML; request, metadata, revisit and other records are counted, never stored.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa

from linkequity.errors import (
    LinkEquityError,
    SettingsError,
    UnreadableArchive,
    UnreadableExport,
)
from linkequity.model.links import Tool
from linkequity.model.records import DamagedRecord, FetchedPage, WatLinks
from linkequity.parsing.fetched import read_fetched_page, read_wat_page
from linkequity.parsing.placement import SITEWIDE_MIN_PAGES, SITEWIDE_SHARE
from linkequity.sources.digest import file_sha256
from linkequity.sources.warc import WarcReader
from linkequity.store import (
    LinkWriteCounts,
    Store,
    pages_to_arrow,
    shift_rows,
    sightings_to_arrow,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from linkequity.model.links import LinkSighting
    from linkequity.model.pages import PageRecord
    from linkequity.store import StoreStats

    ProgressTeller = Callable[[int, int], None]
    ProgressFactory = Callable[[Path, int], AbstractContextManager[ProgressTeller | None]]
    DamageHandler = Callable[[DamagedRecord], None]

#: Link sightings written to the store at a time (see ``services.imports.BATCH_ROWS``).
BATCH_SIGHTINGS = 200_000
#: Fetches parsed together, in one worker call.
CHUNK_FETCHES = 32
#: Archives smaller than this in all are parsed without worker processes.
POOL_MIN_BYTES = 16 * 1024 * 1024
#: How often, in records yielded, the progress display is told.
PROGRESS_EVERY_ITEMS = 50
#: Names of the files a folder given to ``ingest`` contributes.
_ARCHIVE_NAME = re.compile(r"\.(?:warc|arc|wat)(?:\.gz)?$", re.IGNORECASE)
#: ``files.kind`` of an ingested archive.
ARCHIVE_KIND = "archive"


@dataclass(frozen=True, slots=True)
class ArchiveReport:
    """What ingesting one archive file did.

    ``records_by_type`` counts every record read, by WARC type; ``skipped``
    those not stored, by reason; ``unreadable_bodies`` the responses whose
    body was in a coding nothing here undoes; ``sitewide_sightings`` the links
    found on most pages of their host in this file (template links);
    ``lost_links`` the stored links that the file's fetches show gone
    (``Store.mark_lost``).
    """

    path: Path
    archive_format: str
    is_duplicate: bool = False
    records_by_type: Mapping[str, int] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)
    pages: int = 0
    wat_pages: int = 0
    damaged: int = 0
    unreadable_bodies: int = 0
    links_added: int = 0
    links_merged: int = 0
    sightings_added: int = 0
    sitewide_sightings: int = 0
    lost_links: int = 0
    block_bytes: int = 0

    @property
    def records(self) -> int:
        """Records read, of every type."""
        return sum(self.records_by_type.values())

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        values = asdict(self)
        values.update(path=str(self.path), records=self.records)
        values.update(records_by_type=dict(self.records_by_type), skipped=dict(self.skipped))
        return values


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Per-file results of one ``ingest`` run and the project's counts after it."""

    files: tuple[ArchiveReport, ...]
    stats: StoreStats

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {"files": [item.as_dict() for item in self.files], "stats": self.stats.as_dict()}


def ingest_archives(
    paths: Sequence[Path],
    *,
    db: Path,
    on_progress: ProgressFactory | None = None,
    on_damage: DamageHandler | None = None,
    workers: int = 0,
) -> IngestReport:
    """Ingest WARC, WAT and ARC files into the project ``db``, creating it if needed.

    Parameters
    ----------
    paths
        Archive files, plain or gzip, or folders of them (see ``archive_paths``).
    db
        The DuckDB project file.
    on_progress
        Called with each file's path and size in bytes; returns a context whose
        value is told ``(records_read, bytes_read)`` as reading goes on.
    on_damage
        Told of every damaged record or unreadable stretch, which is skipped.
    workers
        Processes that parse pages; 0 means one per CPU. Under
        ``POOL_MIN_BYTES`` of archives in all, pages are parsed in this
        process: starting workers would cost more than they save.

    Raises
    ------
    UnreadableArchive
        For a file that is not an archive or cannot be read, before anything is
        written; or, when a file becomes unreadable halfway, with that file left
        out and the files before it kept.
    StoreLocked
        When another process is writing to ``db``.
    SettingsError
        If *workers* is negative.
    """
    if workers < 0:
        raise SettingsError(f"ingest.workers is {workers}; give 0 (one per CPU) or more")
    readers = [WarcReader(path) for path in archive_paths(paths)]  # each names its file
    total_bytes = sum(reader.path.stat().st_size for reader in readers)
    if total_bytes < POOL_MIN_BYTES:
        workers = 1
    elif workers == 0:
        workers = _usable_cpus()
    reports: list[ArchiveReport] = []
    with Store.open(db) as store, _Parsers(workers) as parsers:
        snapshot_id: int | None = None  # begun with the first new file, in its transaction
        try:
            for reader in readers:
                path = reader.path
                sha256 = _sha256(path)
                if store.imported_file_id(sha256) is not None:
                    reports.append(ArchiveReport(path, reader.archive_format, is_duplicate=True))
                    continue
                size = path.stat().st_size
                progress = on_progress(path, size) if on_progress else nullcontext(None)
                try:
                    with store.transaction(), progress as tell:
                        current = snapshot_id
                        if current is None:
                            current = store.begin_snapshot(
                                kind="ingest", source=", ".join(str(r.path) for r in readers)
                            )
                        file_id, _ = store.register_file(
                            sha256=sha256,
                            path=str(path),
                            tool=str(Tool.WARC),
                            export_format=reader.archive_format,
                            kind=ARCHIVE_KIND,
                            snapshot_id=current,
                        )
                        writer = _Writer(store, current, file_id)
                        report = _ingest_file(store, reader, parsers, writer, tell, on_damage)
                except LinkEquityError as err:
                    kept = sum(1 for done in reports if not done.is_duplicate)
                    err.args = (
                        f"{err} (nothing of this file was stored; {kept} file(s) before it were)",
                    )
                    raise
                snapshot_id = current
                reports.append(report)
        finally:
            if snapshot_id is not None:
                store.finish_snapshot(snapshot_id)
        return IngestReport(files=tuple(reports), stats=store.stats())


def archive_paths(paths: Sequence[Path]) -> list[Path]:
    """Return *paths* with each folder replaced by the archives under it, sorted.

    An archive in a folder is a file named ``*.warc``, ``*.arc`` or ``*.wat``,
    gzipped or not (``.warc.gz``, ``.warc.wat.gz``…); a file named on its own
    is taken whatever its name, and sniffed.

    Raises
    ------
    UnreadableArchive
        If a folder holds no archive.
    """
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir():
            expanded.append(path)
            continue
        found = sorted(
            child
            for child in path.rglob("*")
            if child.is_file() and _ARCHIVE_NAME.search(child.name)
        )
        if not found:
            raise UnreadableArchive(f"{path} is a folder with no .warc, .arc or .wat files in it")
        expanded.extend(found)
    return expanded


def _usable_cpus() -> int:
    """Return the CPUs this process may run on (its affinity, where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)
    except UnreadableExport as err:
        raise UnreadableArchive(str(err)) from err


@dataclass(frozen=True, slots=True)
class ReadChunk:
    """The pages and sightings of consecutive fetches, sightings numbered from 0."""

    pages: pa.Table
    sightings: pa.Table
    unreadable_bodies: int


def read_chunk(items: Sequence[FetchedPage | WatLinks]) -> ReadChunk:
    """Parse a run of fetches; runs in a worker process when there is a pool."""
    pages: list[PageRecord] = []
    sightings: list[LinkSighting] = []
    unreadable = 0
    for item in items:
        first_row = len(sightings)
        read = (
            read_fetched_page(item, first_row=first_row)
            if isinstance(item, FetchedPage)
            else read_wat_page(item, first_row=first_row)
        )
        unreadable += read.problem is not None
        pages.append(read.page)
        sightings.extend(read.sightings)
    return ReadChunk(pages_to_arrow(pages), sightings_to_arrow(sightings), unreadable)


class _Parsers:
    """Parses chunks of fetches in worker processes, or inline with one worker.

    Results come back in submission order; at most ``2 * workers`` chunks are
    in flight, so memory stays bounded however large the archive.
    """

    def __init__(self, workers: int) -> None:
        self._pool = (
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            if workers > 1
            else None
        )
        self._window = 2 * workers
        self._pending: deque[Future[ReadChunk]] = deque()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def submit(self, items: list[FetchedPage | WatLinks]) -> Iterator[ReadChunk]:
        """Queue *items*; yield the chunks that must be taken to keep the window."""
        if self._pool is None:
            yield read_chunk(items)
            return
        self._pending.append(self._pool.submit(read_chunk, items))
        while len(self._pending) >= self._window:
            yield self._pending.popleft().result()

    def drain(self) -> Iterator[ReadChunk]:
        """Yield every chunk still in flight, in order."""
        while self._pending:
            yield self._pending.popleft().result()


@dataclass
class _Writer:
    """Writes parsed chunks to the store in batches, numbering the file's sightings."""

    store: Store
    snapshot_id: int
    file_id: int
    next_row: int = 0
    unreadable_bodies: int = 0
    written: LinkWriteCounts = field(default_factory=LinkWriteCounts)
    _pages: list[pa.Table] = field(default_factory=list)
    _sightings: list[pa.Table] = field(default_factory=list)
    _pending_rows: int = 0

    def add(self, chunk: ReadChunk) -> None:
        self.unreadable_bodies += chunk.unreadable_bodies
        self._pages.append(chunk.pages)
        self._sightings.append(shift_rows(chunk.sightings, self.next_row))
        self.next_row += chunk.sightings.num_rows
        self._pending_rows += chunk.sightings.num_rows
        if self._pending_rows >= BATCH_SIGHTINGS:
            self.flush()

    def flush(self) -> None:
        if self._pages:
            pages = pa.concat_tables(self._pages)
            if pages.num_rows:
                self.store.write_pages(self.snapshot_id, self.file_id, pages)
        if self._pending_rows:
            self.written += self.store.write_link_sightings(
                self.snapshot_id, self.file_id, pa.concat_tables(self._sightings)
            )
        self._pages.clear()
        self._sightings.clear()
        self._pending_rows = 0


def _ingest_file(
    store: Store,
    reader: WarcReader,
    parsers: _Parsers,
    writer: _Writer,
    tell: ProgressTeller | None,
    on_damage: DamageHandler | None,
) -> ArchiveReport:
    chunk: list[FetchedPage | WatLinks] = []
    for number, item in enumerate(reader.items(), start=1):
        if isinstance(item, DamagedRecord):
            if on_damage is not None:
                on_damage(item)
            continue
        chunk.append(item)
        if len(chunk) == CHUNK_FETCHES:
            for done in parsers.submit(chunk):
                writer.add(done)
            chunk = []
        if tell is not None and number % PROGRESS_EVERY_ITEMS == 0:
            tell(reader.summary.records, item.record_offset)
    if chunk:
        for done in parsers.submit(chunk):
            writer.add(done)
    for done in parsers.drain():
        writer.add(done)
    writer.flush()
    sitewide = store.mark_sitewide(
        writer.file_id, min_share=SITEWIDE_SHARE, min_pages=SITEWIDE_MIN_PAGES
    )
    lost = store.mark_lost(writer.file_id)
    summary = reader.summary
    if tell is not None:
        tell(summary.records, reader.path.stat().st_size)
    written = writer.written
    return ArchiveReport(
        path=reader.path,
        archive_format=reader.archive_format,
        records_by_type=summary.records_by_type,
        skipped=summary.skipped,
        pages=summary.pages,
        wat_pages=summary.wat_pages,
        damaged=summary.damaged,
        unreadable_bodies=writer.unreadable_bodies,
        links_added=written.links_added,
        links_merged=written.links_merged,
        sightings_added=written.sightings_added,
        sitewide_sightings=sitewide,
        lost_links=lost,
        block_bytes=summary.block_bytes,
    )
