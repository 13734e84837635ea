"""Rows of backlink exports -> model records (pure: strings in, records out).

Use :func:`~linkequity.parsing.export_formats.detect_format` on the header row,
build one :class:`RowReader` per file, then call :meth:`RowReader.read` per row.

Conventions
-----------
Dates
    Every date is returned as a timezone-aware UTC ``datetime``. A value without
    an offset is taken to be UTC; a bare date is midnight UTC. Accepted: ISO
    8601 (``2026-09-15``, ``2026-09-15T10:22:33Z``, ``2026-09-15 10:22:33``,
    with or without `` UTC``), ``Sep 15, 2026``, ``15 Sep 2026``, ``15.09.2026``
    (always day first), ``2026/09/15``, slash dates ``15/09/2026`` and unix
    timestamps in seconds or milliseconds. A slash date whose first two parts
    are both 12 or less is ambiguous: the reader is told per file whether days
    come first (see :func:`infer_day_first`), else the format's convention
    (month first, except where the format says otherwise) applies.
Numbers
    ``1,240``, ``1 240`` and ``1.240.000`` use thousands separators; ``1.240,5``
    and ``12,5`` use a decimal comma; ``45%`` is 45. ``""``, ``-``, ``n/a`` are
    ``None``.
Text
    Anchors and titles are kept verbatim except that control characters other
    than tab and newline are removed and each field is cut at
    :data:`MAX_FIELD_CHARS`. Escaping is the job of whatever writes them out.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from linkequity.errors import BadExportRow, ExportFileError, InvalidUrl
from linkequity.model.links import (
    ExportKind,
    ExportRecord,
    LinkSighting,
    ReferringDomainReport,
    TargetPageReport,
)
from linkequity.model.urls import normalize_url, url_host
from linkequity.parsing.export_formats import header_map

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from linkequity.parsing.export_formats import ExportFormat, HeaderMap

_T = TypeVar("_T")

#: Longest text kept from one field; the rest of a hostile megabyte is dropped.
MAX_FIELD_CHARS = 10_000

_MISSING = frozenset({"", "-", "–", "—", "n/a", "na", "none", "null", "nan", "never"})
_TRUE = frozenset({"true", "yes", "y", "1", "+", "t", "on", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "-", "f", "off"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
_TZ = r"\s*(?:Z|UTC|GMT|[+-]00:?00)?"
_SLASH = re.compile(rf"(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}{_TZ}", re.IGNORECASE)
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}{_TZ}", re.IGNORECASE)
_YMD_SLASH = re.compile(rf"(\d{{4}})/(\d{{1,2}})/(\d{{1,2}}){_TIME}{_TZ}", re.IGNORECASE)
_MONTH_FIRST = re.compile(rf"([a-z]+)\.? (\d{{1,2}}),? (\d{{4}}){_TIME}{_TZ}", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"(\d{{1,2}}) ([a-z]+)\.?,? (\d{{4}}){_TIME}{_TZ}", re.IGNORECASE)
_TIMESTAMP = re.compile(r"\d{9,13}")
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")


class BadRow(BadExportRow):
    """A row that cannot be imported, with the 1-based line it starts on.

    ``str(err)`` is ``"line 17: source URL 'htp:/x' is not a URL"``, or with
    :meth:`in_file`, ``"export.csv:17: source URL ..."``.
    """

    def __init__(self, detail: str, *, line: int, path: Path | None = None) -> None:
        where = f"{path}:{line}" if path is not None else f"line {line}"
        super().__init__(f"{where}: {detail}")
        self.detail = detail
        self.line = line
        self.path = path

    def in_file(self, path: Path) -> BadRow:
        """Return the same error with the file named in its message."""
        return BadRow(self.detail, line=self.line, path=path)


class SiteRequired(ExportFileError):
    """The export does not name the linked site and no ``site`` was given."""

    hint = "Pass --site with the Search Console property, such as --site https://example.com/."


class _ValueError(Exception):
    """A cell that cannot be read; turned into :class:`BadRow` with its column."""


def clean_text(value: str) -> str:
    """Return *value* without control characters (tab and newline kept), capped in length."""
    text = value.replace("\r\n", "\n")
    text = _CONTROL.sub("", text)
    return text[:MAX_FIELD_CHARS]


def is_missing(value: str) -> bool:
    """Whether a cell says "no value" (empty, dash, n/a...)."""
    return value.strip().casefold() in _MISSING


def parse_bool(value: str, *, blank: bool | None = None) -> bool | None:
    """Read true/false, yes/no, 1/0, +/- (any case); *blank* for an empty cell.

    Raises
    ------
    ValueError
        If the cell is none of those.
    """
    text = value.strip().casefold()
    if not text:
        return blank
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _MISSING:
        return blank
    raise ValueError(f"{value!r} is not yes or no")


def parse_number(value: str) -> float | None:
    """Read a count or score as exported: ``1,240``, ``1 240``, ``1.240,5``, ``45%``.

    Raises
    ------
    ValueError
        If the cell is not a number.
    """
    text = _NUMBER_SPACES.sub("", value.strip()).removesuffix("%")
    if text.casefold() in _MISSING:
        return None
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif commas:
        groups = text.lstrip("+-").split(",")
        if commas == 1 and len(groups[1]) != 3:
            text = text.replace(",", ".")
        elif all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            text = text.replace(",", "")
        else:
            raise ValueError(f"{value!r} is not a number")
    elif dots > 1:
        groups = text.lstrip("+-").split(".")
        if not (all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3):
            raise ValueError(f"{value!r} is not a number")
        text = text.replace(".", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a number")
    return number


def parse_count(value: str) -> int | None:
    """Read a whole, non-negative count.

    Raises
    ------
    ValueError
        If the cell is not a whole number of zero or more.
    """
    number = parse_number(value)
    if number is None:
        return None
    if number < 0 or not number.is_integer():
        raise ValueError(f"{value!r} is not a count")
    return int(number)


def _datetime(year: int, month: int, day: int, match: re.Match[str], first: int) -> datetime:
    hour, minute, second = (match.group(first + i) for i in range(3))
    return datetime(
        year, month, day, int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC
    )


def parse_date(value: str, *, day_first: bool = False) -> datetime | None:
    """Read a date as tools export it, as an aware UTC datetime (see module docs).

    Raises
    ------
    ValueError
        If the cell is not a date we read.
    """
    text = value.strip()
    if text.casefold() in _MISSING:
        return None
    try:
        if _TIMESTAMP.fullmatch(text):
            seconds = int(text) / 1000 if len(text) == 13 else int(text)
            return datetime.fromtimestamp(seconds, tz=UTC)
        return _parse_text_date(text, day_first=day_first)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"{value!r} is not a date") from None


def _parse_text_date(text: str, *, day_first: bool) -> datetime:
    if match := _SLASH.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        is_day_first = first > 12 or (second <= 12 and day_first)
        day, month = (first, second) if is_day_first else (second, first)
        return _datetime(year, month, day, match, 4)
    if match := _DOTTED.fullmatch(text):
        return _datetime(int(match[3]), int(match[2]), int(match[1]), match, 4)
    if match := _YMD_SLASH.fullmatch(text):
        return _datetime(int(match[1]), int(match[2]), int(match[3]), match, 4)
    if (match := _MONTH_FIRST.fullmatch(text)) and match[1].casefold() in _MONTHS:
        return _datetime(int(match[3]), _MONTHS[match[1].casefold()], int(match[2]), match, 4)
    if (match := _DAY_FIRST.fullmatch(text)) and match[2].casefold() in _MONTHS:
        return _datetime(int(match[3]), _MONTHS[match[2].casefold()], int(match[1]), match, 4)
    iso = re.sub(r"\s*(UTC|GMT)$", "", text, flags=re.IGNORECASE)
    parsed = datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def infer_day_first(values: Iterable[str]) -> bool | None:
    """Decide from a file's slash dates whether days come first.

    Returns ``True`` if some date has a first part over 12, ``False`` if some has
    a second part over 12, and ``None`` when none settles it (or they disagree).
    """
    day_first = month_first = False
    for value in values:
        match = _SLASH.fullmatch(value.strip())
        if match:
            day_first |= int(match[1]) > 12
            month_first |= int(match[2]) > 12
    if day_first == month_first:
        return None
    return day_first


_DATE_FIELDS = ("first_seen", "last_seen", "lost_at")


def date_columns(fmt: ExportFormat, headers: Sequence[str]) -> list[int]:
    """Return the indexes of the date columns of *headers* in *fmt*."""
    columns = header_map(fmt, headers).columns
    return [columns[name] for name in _DATE_FIELDS if name in columns]


# Short coded values where "-" or "n/a" means "none" (unlike an anchor or a title).
_CODE_FIELDS = frozenset({"country", "ip_address", "language", "link_type", "lost_reason"})

_FIELD_LABELS = {
    "source_url": "source URL",
    "target_url": "target URL",
    "domain": "domain",
}


class RowReader:
    """Turns the rows of one export file into model records.

    Parameters
    ----------
    fmt
        The format :func:`detect_format` found for the file's header row.
    headers
        The header row.
    site
        The user's site (``https://example.com/``), the target of every link in
        exports that do not name one (Search Console "Latest links").
    day_first
        Whether the file's ambiguous slash dates put the day first; ``None``
        keeps the format's convention.

    Raises
    ------
    SiteRequired
        If the format needs *site* and none was given.
    InvalidUrl
        If *site* is not a URL.
    """

    def __init__(
        self,
        fmt: ExportFormat,
        headers: Sequence[str],
        *,
        site: str | None = None,
        day_first: bool | None = None,
    ) -> None:
        self.format = fmt
        self.columns: HeaderMap = header_map(fmt, headers)
        self._day_first = fmt.is_day_first if day_first is None else day_first
        self._site: str | None = None
        if fmt.needs_site:
            if site is None:
                raise SiteRequired(
                    f"{fmt.title} exports do not name your site; pass --site https://example.com/"
                )
            self._site = normalize_url(site)

    def read(self, fields: Sequence[str], *, line: int) -> ExportRecord:
        """Return the record of one row.

        Raises
        ------
        BadRow
            If a required value is missing or a value cannot be read.
        """
        try:
            if self.format.kind is ExportKind.REFERRING_DOMAINS:
                return self._domain_report(fields, line)
            if self.format.kind is ExportKind.TARGET_PAGES:
                return self._page_report(fields, line)
            return self._sighting(fields, line)
        except _ValueError as err:
            raise BadRow(str(err), line=line) from None

    def _cell(self, fields: Sequence[str], name: str) -> str | None:
        index = self.columns.columns.get(name)
        if index is None or index >= len(fields):
            return None
        return fields[index]

    def _text(self, fields: Sequence[str], name: str) -> str | None:
        cell = self._cell(fields, name)
        if cell is None:
            return None
        text = clean_text(cell).strip()
        if name in _CODE_FIELDS and is_missing(text):
            return None
        return text or None

    def _url(self, fields: Sequence[str], name: str) -> str:
        label = _FIELD_LABELS[name]
        cell = self._cell(fields, name)
        text = clean_text(cell).strip() if cell is not None else ""
        if not text:
            raise _ValueError(f"{label} is empty")
        try:
            return normalize_url(text)
        except InvalidUrl:
            raise _ValueError(f"{label} {_quote(text)} is not a URL") from None

    def _convert(
        self, fields: Sequence[str], name: str, parse: Callable[[str], _T | None]
    ) -> _T | None:
        cell = self._cell(fields, name)
        if cell is None:
            return None
        try:
            return parse(cell)
        except ValueError as err:
            raise _ValueError(f"{name.replace('_', ' ')}: {err}") from None

    def _flag(self, fields: Sequence[str], name: str) -> bool | None:
        blank = False if self.format.is_blank_flag_false else None
        return self._convert(fields, name, lambda cell: parse_bool(cell, blank=blank))

    def _date(self, fields: Sequence[str], name: str) -> datetime | None:
        day_first = self._day_first
        return self._convert(fields, name, lambda cell: parse_date(cell, day_first=day_first))

    def _count(self, fields: Sequence[str], name: str) -> int | None:
        return self._convert(fields, name, parse_count)

    def _metrics(self, fields: Sequence[str]) -> dict[str, float | str]:
        fmt = self.format
        metrics: dict[str, float | str] = {}
        for name in sorted(fmt.numeric_metrics):
            number = self._convert(fields, name, parse_number)
            if number is not None:
                metrics[name] = number
        for name in sorted(fmt.text_metrics):
            text = self._text(fields, name)
            if text is not None:
                metrics[name] = text
        for name in sorted(fmt.flag_metrics):
            flag = self._flag(fields, name)
            if flag is not None:
                metrics[name] = 1.0 if flag else 0.0
        for index, name, is_numeric in self.columns.patterned:
            cell = fields[index] if index < len(fields) else ""
            if is_numeric:
                try:
                    number = parse_number(cell)
                except ValueError as err:
                    raise _ValueError(f"{name.replace('_', ' ')}: {err}") from None
                if number is not None:
                    metrics[name] = number
            elif text := clean_text(cell).strip():
                metrics[name] = text
        return metrics

    def _sighting(self, fields: Sequence[str], line: int) -> LinkSighting:
        source_url = self._url(fields, "source_url")
        if self._site is not None:
            target_url, is_inferred = self._site, True
        else:
            target_url, is_inferred = self._url(fields, "target_url"), False
        anchor = clean_text(self._cell(fields, "anchor") or "")
        nofollow = self._flag(fields, "nofollow")
        followable = self._flag(fields, "followable")
        if nofollow is None and followable is not None:
            nofollow = not followable
        link_type, is_image = self._link_type(fields)
        if nofollow is None and link_type in ("nofollow", "follow", "dofollow"):
            nofollow = link_type == "nofollow"
        alt = None
        if is_image and anchor.strip():
            has_alt = self._flag(fields, "alt_text_flag")
            alt = anchor if has_alt is not False else None
        last_seen = self._date(fields, "last_seen")
        lost_at = self._date(fields, "lost_at")
        lost_reason = self._text(fields, "lost_reason")
        if self._flag(fields, "lost_flag"):
            lost_at = lost_at or last_seen
            lost_reason = lost_reason or "lost"
        return LinkSighting(
            source_url=source_url,
            target_url=target_url,
            row=line,
            anchor=anchor,
            is_nofollow=nofollow,
            is_sponsored=self._flag(fields, "sponsored"),
            is_ugc=self._flag(fields, "ugc"),
            is_image=is_image,
            alt=alt,
            link_type=link_type,
            is_sitewide=self._flag(fields, "sitewide"),
            is_target_inferred=is_inferred,
            left_context=self._text(fields, "left_context"),
            right_context=self._text(fields, "right_context"),
            source_title=self._text(fields, "source_title"),
            source_status=self._count(fields, "source_status"),
            source_language=self._text(fields, "language"),
            first_seen=self._date(fields, "first_seen"),
            last_seen=last_seen,
            lost_at=lost_at,
            lost_reason=lost_reason,
            tool_metrics=self._metrics(fields),
        )

    def _link_type(self, fields: Sequence[str]) -> tuple[str | None, bool | None]:
        """Return the link type and whether it is an image link, from a column or flags."""
        image = self._flag(fields, "image")
        named = self._text(fields, "link_type")
        if named is not None:
            kind = named.casefold()
            return kind, image if image is not None else kind == "image"
        flags = [
            (name, self._flag(fields, name))
            for name in ("redirect", "frame", "form", "image", "mention", "text_link")
            if name in self.columns
        ]
        if not flags:
            return None, image
        for name, is_set in flags:
            if is_set:
                return ("text" if name == "text_link" else name), image
        return ("text" if self.format.is_blank_flag_false else None), image

    def _domain_report(self, fields: Sequence[str], line: int) -> ReferringDomainReport:
        cell = clean_text(self._cell(fields, "domain") or "").strip()
        if not cell:
            raise _ValueError("domain is empty")
        try:
            domain = url_host(normalize_url(cell if "://" in cell else f"http://{cell}/"))
        except InvalidUrl:
            raise _ValueError(f"domain {_quote(cell)} is not a domain") from None
        metrics = self._metrics(fields)
        authority_name = self.format.authority_metric
        authority = metrics.get(authority_name) if authority_name else None
        return ReferringDomainReport(
            domain=domain,
            row=line,
            backlinks=self._count(fields, "backlinks"),
            linking_pages=self._count(fields, "linking_pages"),
            target_pages=self._count(fields, "target_pages"),
            authority=authority if isinstance(authority, float) else None,
            ip_address=self._text(fields, "ip_address"),
            country=self._text(fields, "country"),
            first_seen=self._date(fields, "first_seen"),
            last_seen=self._date(fields, "last_seen"),
            tool_metrics=metrics,
        )

    def _page_report(self, fields: Sequence[str], line: int) -> TargetPageReport:
        return TargetPageReport(
            target_url=self._url(fields, "target_url"),
            row=line,
            incoming_links=self._count(fields, "incoming_links"),
            linking_sites=self._count(fields, "linking_sites"),
            tool_metrics=self._metrics(fields),
        )


def _quote(text: str, limit: int = 80) -> str:
    shown = " ".join(text.split())
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"
