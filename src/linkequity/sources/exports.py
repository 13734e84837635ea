"""Reading backlink export files: encoding, delimiter, header row, streamed rows.

The import service calls, in order::

    table = read_export(path)                   # sniff; UnreadableExport
    fmt = detect_format(table.headers)          # UnknownExportFormat
    reader = RowReader(fmt, table.headers, site=site,
                       day_first=sniff_day_first(table, fmt))  # SiteRequired
    for row in table.rows():                    # streamed; UnreadableExport mid-file
        try:
            record = reader.read(row.fields, line=row.line)
        except BadRow as err:
            warn(err.in_file(path))             # "export.csv:17: source URL ..."

or simply iterates :func:`read_records`, which does all of that and yields the
bad rows as values.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from linkequity.errors import UnreadableExport
from linkequity.parsing.export_formats import detect_format, match_format
from linkequity.parsing.exports import BadRow, RowReader, date_columns, infer_day_first

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from linkequity.model.links import ExportRecord
    from linkequity.parsing.export_formats import ExportFormat

#: Bytes read to choose the encoding; UTF-8 must hold over all of them.
SNIFF_BYTES = 1 << 20
#: Lines before the header that may hold a title or preamble (Moz, Majestic).
HEADER_SEARCH_LINES = 10
#: Rows read to decide whether ``03/04/2026`` puts the day first.
DATE_SNIFF_ROWS = 10_000

_DELIMITERS = (",", "\t", ";")
_MAX_HEADER_CHARS = 64 * 1024
# One hostile field may be huge (it is cut later); an unterminated quote must
# still stop well before it swallows a 2 GB file.
_FIELD_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One record of an export: the 1-based physical line it starts on, and its fields."""

    line: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportTable:
    """An export file, sniffed: how to decode it, where its header is, and what it says.

    Rows are not held; :meth:`rows` streams them from the file each time.
    """

    path: Path
    encoding: str
    has_bom: bool
    delimiter: str
    header_line: int
    headers: tuple[str, ...]

    def rows(self) -> Iterator[ExportRow]:
        """Yield the records after the header, skipping empty lines.

        Raises
        ------
        UnreadableExport
            If the file cannot be read or decoded, or a quoted field never ends.
        """
        with _open_text(self.path, self.encoding, self.has_bom) as stream:
            lines = _NumberedLines(stream, self.path)
            for _ in islice(lines, self.header_line):
                pass
            yield from _records(lines, self.delimiter, len(self.headers), self.path)


def read_export(path: Path) -> ExportTable:
    """Sniff the encoding, delimiter and header row of the export at *path*.

    The header is the first of the opening lines that matches a known export
    format, which skips a title or preamble; failing that, the first non-empty
    line (and :func:`detect_format` then names what it found).

    Raises
    ------
    UnreadableExport
        If the file is missing, unreadable, empty, or not text.
    """
    try:
        with path.open("rb") as raw:
            sample = raw.read(SNIFF_BYTES)
            is_whole = not raw.read(1)
    except OSError as exc:
        raise UnreadableExport(f"cannot read {path}: {exc.strerror or exc}") from exc
    encoding, has_bom = sniff_encoding(sample, is_whole=is_whole, path=path)
    candidates: list[tuple[int, str]] = []
    with _open_text(path, encoding, has_bom) as stream:
        for number in range(1, HEADER_SEARCH_LINES + 1):
            try:
                text = stream.readline(_MAX_HEADER_CHARS)
            except UnicodeDecodeError as exc:
                raise UnreadableExport(f"{path}:{number}: bytes are not {encoding} text") from exc
            if not text:
                break
            text = text.replace("\0", "")
            if text.strip():
                candidates.append((number, text))
    if not candidates:
        raise UnreadableExport(f"{path} is empty")
    for number, text in candidates:
        delimiter = sniff_delimiter(text)
        headers = _split_header(text, delimiter)
        if match_format(headers) is not None:
            return ExportTable(path, encoding, has_bom, delimiter, number, headers)
    number, text = candidates[0]
    delimiter = sniff_delimiter(text)
    return ExportTable(path, encoding, has_bom, delimiter, number, _split_header(text, delimiter))


def sniff_encoding(
    sample: bytes, *, is_whole: bool = True, path: Path | None = None
) -> tuple[str, bool]:
    """Return the encoding of an export from its first bytes, and whether it has a BOM.

    A BOM decides (UTF-8, UTF-16LE, UTF-16BE). Without one, a regular pattern of
    NUL bytes means BOM-less UTF-16; otherwise UTF-8 if *sample* decodes as
    UTF-8 (a character cut at the end of an incomplete sample is allowed), else
    cp1252.

    Raises
    ------
    UnreadableExport
        If the bytes hold NULs that are not UTF-16, or are not cp1252 either.
    """
    where = str(path) if path is not None else "export"
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", True
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", True
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", True
    head = sample[: 4096 - 4096 % 2] if len(sample) >= 2 else b""
    pairs = len(head) // 2
    if pairs:
        even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
        # ASCII in UTF-16 puts a NUL beside each letter; other scripts add a few
        # on the other side too, so compare the two sides rather than demand zero.
        if odd_nuls >= pairs * 0.3 and odd_nuls > 3 * even_nuls:
            return "utf-16-le", False
        if even_nuls >= pairs * 0.3 and even_nuls > 3 * odd_nuls:
            return "utf-16-be", False
    if b"\0" in sample:
        raise UnreadableExport(f"{where} looks binary, not a CSV or TSV export")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=is_whole)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", False
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UnreadableExport(f"{where} is neither UTF-8, UTF-16 nor cp1252 text") from exc
    return "cp1252", False


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter of a header line: the most frequent of , tab ; outside quotes.

    Ties go to tab, then comma, then semicolon; a line with none is comma-separated.
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    is_quoted = False
    for char in header_line:
        if char == '"':
            is_quoted = not is_quoted
        elif not is_quoted and char in counts:
            counts[char] += 1
    best = max(("\t", ",", ";"), key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def sniff_day_first(
    table: ExportTable, fmt: ExportFormat, *, max_rows: int = DATE_SNIFF_ROWS
) -> bool | None:
    """Decide from the first *max_rows* rows whether the file writes dates day first."""
    columns = date_columns(fmt, table.headers)
    if not columns:
        return None
    values = (
        row.fields[index]
        for row in islice(table.rows(), max_rows)
        for index in columns
        if index < len(row.fields)
    )
    return infer_day_first(values)


def read_records(path: Path, *, site: str | None = None) -> Iterator[ExportRecord | BadRow]:
    """Yield each row of the export at *path* as a record, or as the error that skips it.

    Raises
    ------
    UnreadableExport, UnknownExportFormat, SiteRequired
        Failures of the whole file, raised before the first row.
    """
    table = read_export(path)
    fmt = detect_format(table.headers)
    reader = RowReader(fmt, table.headers, site=site, day_first=sniff_day_first(table, fmt))
    return _read_rows(table, reader)


def _read_rows(table: ExportTable, reader: RowReader) -> Iterator[ExportRecord | BadRow]:
    for row in table.rows():
        try:
            yield reader.read(row.fields, line=row.line)
        except BadRow as err:
            yield err.in_file(table.path)


def _open_text(path: Path, encoding: str, has_bom: bool) -> io.TextIOWrapper:
    codec = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise UnreadableExport(f"cannot read {path}: {exc.strerror or exc}") from exc
    return io.TextIOWrapper(raw, encoding=codec[encoding] if has_bom else encoding, newline="")


def _split_header(text: str, delimiter: str) -> tuple[str, ...]:
    cells = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
    cells = [cell.replace("\ufeff", "").strip() for cell in cells]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


class _NumberedLines:
    """Physical lines of a text stream, remembering the number of the last one given out."""

    def __init__(self, stream: io.TextIOWrapper, path: Path) -> None:
        self._stream = stream
        self._path = path
        self.last = 0

    def __iter__(self) -> _NumberedLines:
        return self

    def __next__(self) -> str:
        try:
            text = self._stream.readline()
        except UnicodeDecodeError as exc:
            encoding = self._stream.encoding
            line = _first_undecodable_line(self._path, encoding)
            where = f"{self._path}:{line}" if line else f"{self._path} after line {self.last}"
            raise UnreadableExport(f"{where}: bytes are not {encoding} text") from exc
        except OSError as exc:
            raise UnreadableExport(f"cannot read {self._path}: {exc}") from exc
        if not text:
            raise StopIteration
        self.last += 1
        return text.replace("\0", "")


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    """Return the line holding the first bytes *encoding* cannot decode (not for UTF-16)."""
    if encoding.startswith("utf-16"):
        return None
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
    return None


def _records(lines: _NumberedLines, delimiter: str, width: int, path: Path) -> Iterator[ExportRow]:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    while True:
        start = lines.last + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableExport(f"{path}:{start}: {exc}") from exc
        if not any(field.strip() for field in fields):
            continue
        while len(fields) > width and not fields[-1]:
            fields.pop()
        yield ExportRow(start, tuple(fields))


__all__ = [
    "ExportRow",
    "ExportTable",
    "read_export",
    "read_records",
    "sniff_day_first",
    "sniff_delimiter",
    "sniff_encoding",
]
