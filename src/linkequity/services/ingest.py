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

from collections import Counter
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from linkequity.errors import LinkEquityError, UnreadableArchive, UnreadableExport
from linkequity.model.links import Tool
from linkequity.model.records import DamagedRecord, FetchedPage
from linkequity.parsing.fetched import read_fetched_page, read_wat_page
from linkequity.sources.digest import file_sha256
from linkequity.sources.warc import WarcReader
from linkequity.store import LinkWriteCounts, Store, pages_to_arrow, sightings_to_arrow

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
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
#: How often, in records yielded, the progress display is told.
PROGRESS_EVERY_ITEMS = 50
#: ``files.kind`` of an ingested archive.
ARCHIVE_KIND = "archive"


@dataclass(frozen=True, slots=True)
class ArchiveReport:
    """What ingesting one archive file did.

    ``records_by_type`` counts every record read, by WARC type; ``skipped``
    those not stored, by reason; ``unreadable_bodies`` the responses whose
    body was in a coding nothing here undoes.
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
) -> IngestReport:
    """Ingest WARC, WAT and ARC files into the project ``db``, creating it if needed.

    Parameters
    ----------
    paths
        Archive files, plain or gzip.
    db
        The DuckDB project file.
    on_progress
        Called with each file's path and size in bytes; returns a context whose
        value is told ``(records_read, bytes_read)`` as reading goes on.
    on_damage
        Told of every damaged record or unreadable stretch, which is skipped.

    Raises
    ------
    UnreadableArchive
        For a file that is not an archive or cannot be read, before anything is
        written; or, when a file becomes unreadable halfway, with that file left
        out and the files before it kept.
    StoreLocked
        When another process is writing to ``db``.
    """
    readers = [WarcReader(path) for path in paths]  # each names its file in its errors
    reports: list[ArchiveReport] = []
    with Store.open(db) as store:
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
                        report = _ingest_file(store, reader, current, file_id, tell, on_damage)
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


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)
    except UnreadableExport as err:
        raise UnreadableArchive(str(err)) from err


@dataclass
class _Pending:
    """Pages and sightings read and not written yet, and the counts of what was."""

    pages: list[PageRecord] = field(default_factory=list)
    sightings: list[LinkSighting] = field(default_factory=list)
    written: LinkWriteCounts = field(default_factory=LinkWriteCounts)


def _ingest_file(
    store: Store,
    reader: WarcReader,
    snapshot_id: int,
    file_id: int,
    tell: ProgressTeller | None,
    on_damage: DamageHandler | None,
) -> ArchiveReport:
    pending = _Pending()
    problems: Counter[str] = Counter()
    next_row = 0
    for number, item in enumerate(reader.items(), start=1):
        if isinstance(item, DamagedRecord):
            if on_damage is not None:
                on_damage(item)
            continue
        read = (
            read_fetched_page(item, first_row=next_row)
            if isinstance(item, FetchedPage)
            else read_wat_page(item, first_row=next_row)
        )
        next_row += len(read.sightings)
        if read.problem is not None:
            problems[read.problem] += 1
        pending.pages.append(read.page)
        pending.sightings.extend(read.sightings)
        if len(pending.sightings) >= BATCH_SIGHTINGS:
            _flush(store, snapshot_id, file_id, pending)
        if tell is not None and number % PROGRESS_EVERY_ITEMS == 0:
            tell(reader.summary.records, item.record_offset)
    _flush(store, snapshot_id, file_id, pending)
    summary = reader.summary
    if tell is not None:
        tell(summary.records, reader.path.stat().st_size)
    written = pending.written
    return ArchiveReport(
        path=reader.path,
        archive_format=reader.archive_format,
        records_by_type=summary.records_by_type,
        skipped=summary.skipped,
        pages=summary.pages,
        wat_pages=summary.wat_pages,
        damaged=summary.damaged,
        unreadable_bodies=problems.total(),
        links_added=written.links_added,
        links_merged=written.links_merged,
        sightings_added=written.sightings_added,
        block_bytes=summary.block_bytes,
    )


def _flush(store: Store, snapshot_id: int, file_id: int, pending: _Pending) -> None:
    if pending.pages:
        store.write_pages(snapshot_id, file_id, pages_to_arrow(pending.pages))
    if pending.sightings:
        pending.written += store.write_link_sightings(
            snapshot_id, file_id, sightings_to_arrow(pending.sightings)
        )
    pending.pages.clear()
    pending.sightings.clear()
