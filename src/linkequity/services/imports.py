"""Use case: import backlink exports into a project.

Every file is sniffed and its format recognised before anything is written, so
a wrong file on the command line costs nothing. Each file is then imported in a
transaction of its own: a failure halfway through one file leaves that file out
entirely and every file before it stored.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from linkequity.errors import LinkEquityError, UnknownExportFormat
from linkequity.model.links import ExportKind, LinkSighting, ReferringDomainReport
from linkequity.parsing.export_formats import detect_format
from linkequity.parsing.export_formats import known_formats as export_formats
from linkequity.parsing.exports import BadRow, RowReader, SiteRequired
from linkequity.samples import sample_export_paths
from linkequity.sources.digest import file_sha256
from linkequity.sources.exports import ExportTable, read_export, sniff_day_first
from linkequity.store import (
    LinkWriteCounts,
    Store,
    referring_domains_to_arrow,
    sightings_to_arrow,
    target_pages_to_arrow,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from linkequity.model.links import ExportRecord, TargetPageReport
    from linkequity.parsing.export_formats import ExportFormat
    from linkequity.store import StoreStats

    ProgressFactory = Callable[[Path], AbstractContextManager[Callable[[int], None]]]
    BadRowHandler = Callable[[Path, BadRow], None]

#: Records written to the store at a time: large enough that the per-write scans of the
#: store are paid rarely (benchmarks/README.md), small enough to bound memory.
BATCH_ROWS = 200_000
#: How often, in rows, the progress display is told.
PROGRESS_EVERY_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """One recognised export format, as ``linkequity formats`` lists it."""

    name: str
    tool: str
    kind: str
    title: str
    required_headers: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FileReport:
    """What importing one file did."""

    path: Path
    format_name: str
    format_title: str
    tool: str
    is_duplicate: bool = False
    rows_read: int = 0
    records_imported: int = 0
    bad_rows: int = 0
    links_added: int = 0
    links_merged: int = 0
    sightings_added: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {**asdict(self), "path": str(self.path)}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Per-file results of one ``import`` run and the project's counts after it."""

    files: tuple[FileReport, ...]
    stats: StoreStats

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {"files": [item.as_dict() for item in self.files], "stats": self.stats.as_dict()}


def known_formats() -> list[FormatInfo]:
    """List the export formats ``import`` recognises, with the headers that identify each."""
    return [
        FormatInfo(
            name=fmt.name,
            tool=str(fmt.tool),
            kind=str(fmt.kind),
            title=fmt.title,
            required_headers=tuple(fmt.aliases[field][0] for field in fmt.required),
        )
        for fmt in export_formats()
    ]


def sample_exports() -> list[Path]:
    """Return the paths of the sample exports shipped inside the package."""
    return sample_export_paths()


@dataclass(frozen=True, slots=True)
class _PlannedFile:
    table: ExportTable
    fmt: ExportFormat
    reader: RowReader


def import_exports(
    paths: Sequence[Path],
    *,
    db: Path,
    site: str | None = None,
    on_progress: ProgressFactory | None = None,
    on_bad_row: BadRowHandler | None = None,
) -> ImportReport:
    """Import backlink exports into the project ``db``, creating it if needed.

    Parameters
    ----------
    paths
        Export files in any recognised format; see :func:`known_formats`.
    db
        The DuckDB project file.
    site
        The site's root URL, which Search Console "Latest links" rows leave out.
    on_progress
        Called with each file's path; returns a context whose value is told the
        rows read so far.
    on_bad_row
        Told of every row that is skipped, with its file and line.

    Raises
    ------
    UnreadableExport, UnknownExportFormat, SiteRequired
        For a file that cannot be imported at all, before anything is written,
        or, for damage found past the header, with that file left out and the
        files before it kept.
    StoreLocked
        When another process is writing to ``db``.
    """
    planned = [_plan(path, site=site) for path in paths]
    reports: list[FileReport] = []
    with Store.open(db) as store:
        snapshot_id: int | None = None  # begun with the first new file, in its transaction
        try:
            for plan in planned:
                sha256 = file_sha256(plan.table.path)
                if store.imported_file_id(sha256) is not None:
                    reports.append(_report(plan, is_duplicate=True))
                    continue
                progress = on_progress(plan.table.path) if on_progress else nullcontext(None)
                try:
                    with store.transaction(), progress as tell:
                        current = snapshot_id
                        if current is None:
                            current = store.begin_snapshot(
                                kind="import",
                                source=", ".join(str(p.table.path) for p in planned),
                                settings={"site": site},
                            )
                        report = _import_file(store, plan, current, sha256, tell, on_bad_row)
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
        return ImportReport(files=tuple(reports), stats=store.stats())


def _plan(path: Path, *, site: str | None) -> _PlannedFile:
    table = read_export(path)  # names the file in its own errors
    try:
        fmt = detect_format(table.headers)
        reader = RowReader(fmt, table.headers, site=site, day_first=sniff_day_first(table, fmt))
    except (UnknownExportFormat, SiteRequired) as err:
        raise type(err)(f"{path}: {err}") from err
    return _PlannedFile(table, fmt, reader)


def _report(plan: _PlannedFile, **counts: Any) -> FileReport:
    return FileReport(
        path=plan.table.path,
        format_name=plan.fmt.name,
        format_title=plan.fmt.title,
        tool=str(plan.fmt.tool),
        **counts,
    )


def _import_file(
    store: Store,
    plan: _PlannedFile,
    snapshot_id: int,
    sha256: str,
    tell: Callable[[int], None] | None,
    on_bad_row: BadRowHandler | None,
) -> FileReport:
    file_id, _ = store.register_file(
        sha256=sha256,
        path=str(plan.table.path),
        tool=str(plan.fmt.tool),
        export_format=plan.fmt.name,
        kind=str(plan.fmt.kind),
        snapshot_id=snapshot_id,
    )
    rows_read = bad_rows = imported = 0
    written = LinkWriteCounts()
    for batch in _batches(_records(plan, on_bad_row), size=BATCH_ROWS):
        counts = _write_batch(store, plan.fmt.kind, snapshot_id, file_id, batch.records)
        written += counts
        rows_read += batch.rows
        bad_rows += batch.bad
        imported += len(batch.records)
        if tell is not None:
            tell(rows_read)
    return _report(
        plan,
        rows_read=rows_read,
        records_imported=imported,
        bad_rows=bad_rows,
        links_added=written.links_added,
        links_merged=written.links_merged,
        sightings_added=written.sightings_added,
    )


def _records(plan: _PlannedFile, on_bad_row: BadRowHandler | None) -> Iterator[ExportRecord | None]:
    """Each row as its record, or ``None`` for a bad row (already reported)."""
    for row in plan.table.rows():
        try:
            yield plan.reader.read(row.fields, line=row.line)
        except BadRow as err:
            if on_bad_row is not None:
                on_bad_row(plan.table.path, err)
            yield None


@dataclass(frozen=True, slots=True)
class _Batch:
    records: list[ExportRecord]
    rows: int
    bad: int


def _batches(records: Iterator[ExportRecord | None], *, size: int) -> Iterator[_Batch]:
    batch: list[ExportRecord] = []
    rows = bad = 0
    for record in records:
        rows += 1
        if record is None:
            bad += 1
        else:
            batch.append(record)
        if rows == size:
            yield _Batch(batch, rows, bad)
            batch, rows, bad = [], 0, 0
    if rows:
        yield _Batch(batch, rows, bad)


def _write_batch(
    store: Store, kind: ExportKind, snapshot_id: int, file_id: int, records: list[ExportRecord]
) -> LinkWriteCounts:
    if not records:
        return LinkWriteCounts()
    if kind is ExportKind.BACKLINKS:
        sightings = [record for record in records if isinstance(record, LinkSighting)]
        return store.write_link_sightings(snapshot_id, file_id, sightings_to_arrow(sightings))
    if kind is ExportKind.REFERRING_DOMAINS:
        domains = [record for record in records if isinstance(record, ReferringDomainReport)]
        store.write_referring_domains(snapshot_id, file_id, referring_domains_to_arrow(domains))
    else:
        pages: list[TargetPageReport] = [
            record
            for record in records
            if not isinstance(record, LinkSighting | ReferringDomainReport)
        ]
        store.write_target_pages(snapshot_id, file_id, target_pages_to_arrow(pages))
    return LinkWriteCounts()
