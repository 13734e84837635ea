"""Reading web archives: WARC files with FastWARC, ARC files with warcio.

``WarcReader(path).items()`` streams one ``WarcItem`` per kept record:
``FetchedPage`` for HTTP responses, ``WatLinks`` for Common Crawl WAT metadata
of responses, and ``DamagedRecord`` for what cannot be read. Every other record
is counted in ``WarcReader.summary``, never silently dropped.

Which library reads a file is decided per file from its first bytes (after
gunzipping): ``WARC/`` goes to FastWARC, ``filedesc://`` (an ARC file) to
warcio, which FastWARC does not read; anything else is ``UnreadableArchive``.
FastWARC runs strict, so that damage is seen and reported, except for files
whose first line ends in a bare LF (as some Common Crawl WAT files do): those
are read in its quirks mode, which also passes over damage without a word.

Damage is a record whose block is shorter than its ``Content-Length`` (a
truncated file or gzip member), a file that ends inside a record's header or
gzip member, or holds what is no record after the last one (FastWARC stops
there without a word; records that share one gzip member are not checked), a
response without an HTTP status line, a WAT payload that is not a JSON
object, an ARC record with an unusable length, and any stretch FastWARC cannot
parse. After an unparsable stretch, reading resumes
at the next record start found by scanning the file (the next ``WARC/1.`` line
of a plain file, the next gzip member that opens with one in a gzip file);
warcio (ARC) stops at the first such stretch.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from datetime import datetime
from typing import IO, TYPE_CHECKING

from fastwarc.warc import ArchiveIterator, WarcRecord
from warcio.archiveiterator import ArchiveIterator as WarcioIterator
from warcio.exceptions import ArchiveLoadFailed

from linkequity.errors import InvalidUrl, UnreadableArchive
from linkequity.model.records import (
    DamagedRecord,
    FetchedPage,
    WarcItem,
    WarcSummary,
    WatLinks,
)
from linkequity.model.urls import normalize_url
from linkequity.sources.wat import parse_wat_metadata

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from warcio.recordloader import ArcWarcRecord

__all__ = ["WarcReader", "read_warc"]

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."
_SNIFF_BYTES = 64 * 1024
_SCAN_BYTES = 1024 * 1024
_STATUS_LINE = re.compile(r"HTTP/\d+(?:\.\d+)?[ \t]+(\d{3})\b")
_LINE_END = re.compile(r"\r?\n")


class WarcReader:
    """One archive file, read record by record.

    Parameters
    ----------
    path : Path
        A WARC or ARC file, plain or gzip (multi-member gzip included).

    Raises
    ------
    UnreadableArchive
        If the file cannot be opened, or is neither a WARC nor an ARC file.

    Examples
    --------
    >>> reader = WarcReader(path)  # doctest: +SKIP
    >>> pages = [item for item in reader.items() if isinstance(item, FetchedPage)]  # doctest: +SKIP
    >>> reader.summary.damaged  # doctest: +SKIP
    0
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._is_gzip, self._format, self._is_lf_only = _sniff(path)
        self._types: Counter[str] = Counter()
        self._skipped: Counter[str] = Counter()
        self._pages = self._wat_pages = self._damaged = self._block_bytes = 0
        self._is_complete = False
        self._reported_at: int | None = None

    @property
    def path(self) -> Path:
        """The archive file."""
        return self._path

    @property
    def archive_format(self) -> str:
        """``"warc"`` or ``"arc"``, as sniffed from the file's first bytes."""
        return self._format

    @property
    def summary(self) -> WarcSummary:
        """What has been read so far; final once ``items()`` is exhausted."""
        return WarcSummary(
            path=str(self._path),
            reader="fastwarc" if self._format == "warc" else "warcio",
            records_by_type=dict(self._types),
            pages=self._pages,
            wat_pages=self._wat_pages,
            skipped=dict(self._skipped),
            damaged=self._damaged,
            block_bytes=self._block_bytes,
            is_complete=self._is_complete,
        )

    def items(self) -> Iterator[WarcItem]:
        """Yield the file's pages, WAT link lists and damage reports, in file order."""
        records = self._warc_items() if self._format == "warc" else self._arc_items()
        for item in records:
            if isinstance(item, FetchedPage):
                self._pages += 1
            elif isinstance(item, WatLinks):
                self._wat_pages += 1
            else:
                self._damaged += 1
            yield item

    def _warc_items(self) -> Iterator[WarcItem]:
        """Yield the items of a WARC file, resuming after each unparsable stretch."""
        with self._path.open("rb") as raw:
            start = 0
            while True:
                raw.seek(start)
                last = start
                length: int | None = None
                try:
                    for record in ArchiveIterator(
                        raw, parse_http=False, quirks_mode=self._is_lf_only
                    ):
                        last, length = record.stream_pos, record.content_length
                        yield from self._warc_record(record)
                except OSError as exc:
                    resume = _next_record_start(raw, last + 1, is_gzip=self._is_gzip)
                    where = "end of file" if resume is None else f"offset {resume}"
                    yield self._damage(
                        last, f"cannot parse what follows this record ({exc}); resumed at {where}"
                    )
                    if resume is None:
                        self._is_complete = True  # scanned to the end: no record is left
                        return
                    start = resume
                else:
                    unread = _unread_tail(raw, last, length, is_gzip=self._is_gzip)
                    if unread is not None and unread[0] != self._reported_at:
                        yield self._damage(*unread)
                    self._is_complete = True
                    return

    def _warc_record(self, record: WarcRecord) -> Iterator[WarcItem]:
        """Yield the item of one FastWARC record, or count it as skipped."""
        record_type = (record.headers.get("WARC-Type") or "unknown").lower()
        self._types[record_type] += 1
        offset = record.stream_pos
        block = record.reader.read()
        self._block_bytes += len(block)
        if len(block) < record.content_length:
            yield self._damage(
                offset,
                f"{record_type} record truncated: {len(block)} of {record.content_length} bytes",
            )
            return
        content_type = (record.headers.get("Content-Type") or "").lower()
        target = record.headers.get("WARC-Target-URI") or ""
        fetched_at = _date(record.headers.get("WARC-Date"))
        if record_type == "response" and content_type.startswith("application/http"):
            yield from self._response(
                target, fetched_at, block, offset, record.headers.get("WARC-Payload-Digest")
            )
        elif record_type == "metadata" and content_type.startswith("application/json"):
            yield from self._wat(target, fetched_at, block, offset)
        else:
            self._skipped[record_type] += 1

    def _response(
        self,
        target: str,
        fetched_at: datetime | None,
        block: bytes,
        offset: int,
        payload_digest: str | None,
    ) -> Iterator[WarcItem]:
        """Yield the page of one HTTP response block."""
        http = _split_http(block)
        if http is None:
            yield self._damage(offset, "response record without an HTTP status line")
            return
        try:
            url = normalize_url(target)
        except InvalidUrl:
            self._skipped["unusable-url"] += 1
            return
        status, headers, body = http
        yield FetchedPage(url, fetched_at, status, headers, body, offset, payload_digest)

    def _wat(
        self, target: str, fetched_at: datetime | None, payload: bytes, offset: int
    ) -> Iterator[WarcItem]:
        """Yield the links of one WAT metadata record, if it describes a response."""
        try:
            links = parse_wat_metadata(payload, page_url=target)
        except ValueError as exc:
            yield self._damage(offset, f"WAT record is not a JSON object ({exc})")
            return
        if links is None:
            self._skipped["wat-non-response"] += 1
            return
        yield WatLinks(
            url=links.url,
            fetched_at=links.fetched_at or fetched_at,
            status=links.status,
            links=links.links,
            record_offset=offset,
            listed_links=links.listed_links,
            other_links=links.other_links,
            unresolved_links=links.unresolved_links,
        )

    def _arc_items(self) -> Iterator[WarcItem]:
        """Yield the items of an ARC file through warcio, stopping at the first unreadable part."""
        with self._path.open("rb") as raw:
            iterator = WarcioIterator(raw, arc2warc=True)
            offset = 0
            try:
                for record in iterator:
                    yield from self._arc_record(record, iterator)
                    offset = iterator.get_record_offset()
            except (ArchiveLoadFailed, EOFError, ValueError, zlib.error, OSError) as exc:
                yield self._damage(offset, f"cannot read past this record ({exc})")
            else:
                self._is_complete = True

    def _arc_record(self, record: ArcWarcRecord, iterator: WarcioIterator) -> Iterator[WarcItem]:
        """Yield the item of one warcio record, or count it as skipped.

        The record's offset is asked for only after its body is read: warcio
        reads the record to its end to tell it.
        """
        record_type = str(record.rec_type or "unknown").lower()
        self._types[record_type] += 1
        declared = record.rec_headers.get_header("Content-Length") or ""
        if not declared.isdigit():
            offset = iterator.get_record_offset()
            yield self._damage(offset, f"{record_type} record with length {declared!r}")
            return
        body: bytes = record.raw_stream.read()
        offset = iterator.get_record_offset()
        self._block_bytes += len(body)
        if record_type != "response" or record.http_headers is None:
            self._skipped[record_type] += 1
            return
        status_text = str(record.http_headers.get_statuscode() or "")
        target = record.rec_headers.get_header("WARC-Target-URI") or ""
        try:
            url = normalize_url(target)
        except InvalidUrl:
            self._skipped["unusable-url"] += 1
            return
        yield FetchedPage(
            url=url,
            fetched_at=_date(record.rec_headers.get_header("WARC-Date")),
            status=int(status_text) if status_text.isdigit() else None,
            headers=tuple((str(name), str(value)) for name, value in record.http_headers.headers),
            body=body,
            record_offset=offset,
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        )

    def _damage(self, offset: int, reason: str) -> DamagedRecord:
        """Return the damage report of *offset* in this file."""
        self._reported_at = offset
        return DamagedRecord(path=str(self._path), offset=offset, reason=reason)


def read_warc(path: Path) -> Iterator[WarcItem]:
    """Yield the items of one WARC or ARC file (see ``WarcReader``; no summary).

    Raises
    ------
    UnreadableArchive
        If the file cannot be opened, or is neither a WARC nor an ARC file.
    """
    return WarcReader(path).items()


def _sniff(path: Path) -> tuple[bool, str, bool]:
    """Return whether *path* is gzip, ``"warc"`` or ``"arc"``, and whether lines end in bare LF."""
    try:
        with path.open("rb") as raw:
            head = raw.read(_SNIFF_BYTES)
    except OSError as exc:
        raise UnreadableArchive(f"cannot read {path}: {exc.strerror or exc}") from exc
    is_gzip = head.startswith(_GZIP_MAGIC)
    if is_gzip:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 256)
        except zlib.error as exc:
            raise UnreadableArchive(f"{path}: damaged gzip at its start ({exc})") from exc
    head = head.lstrip(b"\r\n")
    first_line = head.partition(b"\n")[0]
    is_lf_only = not first_line.endswith(b"\r")
    if head.startswith(b"WARC/"):
        return is_gzip, "warc", is_lf_only
    if head.startswith(b"filedesc://"):
        return is_gzip, "arc", is_lf_only
    raise UnreadableArchive(f"{path} is not a WARC or ARC file: it starts with {head[:16]!r}")


def _next_record_start(raw: IO[bytes], position: int, *, is_gzip: bool) -> int | None:
    """Return the offset of the first record start at or after *position*, or None."""
    marker = _GZIP_MEMBER if is_gzip else _WARC_LINE
    while True:
        raw.seek(position)
        chunk = raw.read(_SCAN_BYTES)
        if len(chunk) < len(marker):
            return None
        found = chunk.find(marker)
        if found < 0:
            position += len(chunk) - len(marker) + 1
            continue
        start = position + found
        if not is_gzip:
            return start + 1
        if _opens_warc_member(chunk[found:]):
            return start
        position = start + 1


def _unread_tail(
    raw: IO[bytes], last: int, length: int | None, *, is_gzip: bool
) -> tuple[int, str] | None:
    """Return the offset and the reason of what FastWARC passed over at the end, if anything.

    FastWARC ends without a word where a file is cut inside a record's header or
    gzip member. *last* is the offset of the last record read, *length* its
    ``Content-Length`` (``None`` when no record was read, from offset *last*).
    """
    if length is None:
        end = last
    elif is_gzip:
        raw.seek(last)
        if raw.read(len(_GZIP_MEMBER)) != _GZIP_MEMBER:
            return None  # records that share one member: FastWARC places them at its end
        raw.seek(last)
        inflater = zlib.decompressobj(wbits=31)
        pending = b""
        try:
            while not inflater.eof and (pending or (pending := raw.read(_SCAN_BYTES))):
                inflater.decompress(pending, _SCAN_BYTES)  # bounded: a bomb stays a bomb
                pending = inflater.unconsumed_tail
        except zlib.error as exc:
            return last, f"its gzip member is damaged ({exc}); the rest of the file was not read"
        if not inflater.eof:
            return last, "its gzip member breaks off: the file ends inside a record"
        end = raw.tell() - len(pending) - len(inflater.unused_data)
    else:
        raw.seek(last)
        head = raw.read(_SCAN_BYTES)
        ends = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := head.find(sep)) >= 0]
        if not ends:
            return last, "the file ends inside a record's header"
        at, size = min(ends)
        end = last + at + size + length
    if _is_blank(raw, end, is_gzip=is_gzip):
        return None
    return end, "the file ends inside a record, or holds what is no record after the last one"


def _is_blank(raw: IO[bytes], position: int, *, is_gzip: bool) -> bool:
    """Whether the file holds only line breaks from *position* (inside gzip members if gzip)."""
    raw.seek(position)
    data = raw.read(_SCAN_BYTES)
    if not is_gzip:
        while data:
            if data.strip(b"\r\n"):
                return False
            data = raw.read(_SCAN_BYTES)
        return True
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            text = inflater.decompress(data, _SCAN_BYTES)
        except zlib.error:
            return False
        if text.strip(b"\r\n") or not inflater.eof:
            return False
        data = inflater.unused_data
    return True


def _opens_warc_member(data: bytes) -> bool:
    """Whether *data* starts a gzip member whose text starts a WARC record."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, 16).startswith(b"WARC/")
    except zlib.error:
        return False


def _split_http(block: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes] | None:
    """Return status, headers and body of an HTTP response block, or None without a status line."""
    ends = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := block.find(sep)) >= 0]
    if ends:
        end, size = min(ends)
        head, body = block[:end], block[end + size :]
    else:
        head, body = block, b""
    lines = _LINE_END.split(head.decode("latin-1"))
    status = _STATUS_LINE.match(lines[0])
    if status is None:
        return None
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, has_colon, value = line.partition(":")
        if has_colon and name.strip():
            headers.append((name.strip(), value.strip()))
    return int(status.group(1)), tuple(headers), body


def _date(value: str | None) -> datetime | None:
    """Return a WARC-Date (ISO 8601) as a datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None
