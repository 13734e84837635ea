"""Sitemaps read as the crawler's seed source: page URLs, child sitemaps, and what was dropped.

``parse_sitemap`` reads one document in any form search engines accept as a
sitemap: the sitemaps.org protocol (``<urlset>``, ``<sitemapindex>``, with or
without its namespace), a plain-text list of URLs, an RSS 2.0 or 1.0 feed and
an Atom feed; gzip is recognised by its magic bytes whatever the headers said.
It is total: bytes in, a ``Sitemap`` out, whatever the bytes are.

Limits
    The protocol caps a sitemap at 50 MB (52,428,800 bytes) uncompressed and
    50,000 URLs. Decoding stops at ``MAX_SITEMAP_BYTES`` (a gzip bomb costs no
    more) and reading at ``MAX_SITEMAP_URLS`` entries; ``is_truncated`` and
    ``problems`` say so.

Hostile XML
    The parser is the standard library's expat, driven through ``pyexpat``
    with a streaming handler (no tree is built). lxml is not a runtime
    dependency and is not needed: expat loads no external entity unless a
    handler is installed to do it (none is), does not read external DTD
    subsets here (parameter entity parsing stays off), and since expat 2.4.0
    limits entity amplification (billion laughs). We do not rely on that
    limit: a sitemap never needs to declare an entity, so the first entity
    declaration ends the read before any reference to it is expanded, and the
    document's ``problems`` say why.

Broken XML
    What was read before a well-formedness error is kept. Sitemaps written by
    hand or by string concatenation often hold a bare ``&`` in a query string
    or an HTML entity such as ``&nbsp;``; when expat stops on one, the bytes
    are read once more with each bare ``&`` escaped and HTML entities written
    as character references, and ``problems`` says the document was repaired.

Which URLs are kept
    A ``<loc>`` (or feed link, or text line) must be an absolute http(s) URL
    or an absolute path (``/page``, ``//host/page``), resolved against the
    sitemap's URL and normalised (``model.urls``). Bare words are not URLs:
    the protocol asks for full URLs and a text sitemap's stray line is not a
    page. The rest is counted in ``dropped`` by ``DropReason``.

Another host
    The protocol lets a sitemap list only URLs of its own host unless the
    other host's robots.txt names the sitemap (cross-submission).
    ``SitemapScope`` is the one place this rule lives. It compares sites, not
    hosts: a URL is kept when its registrable domain (private suffixes
    included, so ``a.github.io`` does not speak for ``b.github.io``; the host
    itself when it has none) is the sitemap's or that of a site that submitted
    the sitemap through its robots.txt. ``www.example.com`` listed in the
    sitemap of ``example.com``, or ``https`` pages in an ``http`` sitemap, are
    too common, and too plainly one owner, to drop; a page of another owner is
    a mistake or an attempt to steer the crawler, and is counted as
    ``OFF_SITE``. The same rule applies to the child sitemaps of an index.
    Cross-submission is no corner case: of the 12,242 sitemaps named by the
    4,231 real robots.txt files in ``../shared/data/robots``, 297 are on
    another site (S3 buckets, sitemap hosting services, sister sites).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from enum import StrEnum
from html.entities import name2codepoint
from typing import TYPE_CHECKING
from xml.parsers.expat import ExpatError, ParserCreate

from linkequity.errors import InvalidUrl
from linkequity.model.urls import MAX_URL_BYTES, normalize_url, parse_url, resolve_url

if TYPE_CHECKING:
    from collections.abc import Mapping

    from linkequity.model.urls import Url
    from linkequity.parsing.robots import RobotsTxt

__all__ = [
    "MAX_SITEMAP_BYTES",
    "MAX_SITEMAP_URLS",
    "DropReason",
    "Sitemap",
    "SitemapEntry",
    "SitemapFormat",
    "SitemapScope",
    "parse_sitemap",
    "sitemap_locations",
]

#: Uncompressed bytes of one sitemap read at most: the protocol's 50 MB.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: Entries of one sitemap read at most: the protocol's 50,000 URLs.
MAX_SITEMAP_URLS = 50_000

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_GZIP_LAYERS = 2
_FEED_BYTES = 1024 * 1024
_SALVAGE_BYTES = 256
_SNIFF_BYTES = 1024
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Longer text cannot be a URL we keep; stop collecting it rather than hold it.
_MAX_TEXT_CHARS = MAX_URL_BYTES + 1024
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
# A CDATA section is matched whole so that the "&" in it stays as it is.
_AMPERSAND = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|&(?:([A-Za-z][A-Za-z0-9]{0,31});|#[0-9]{1,8};|#x[0-9A-Fa-f]{1,8};)?",
    re.S,
)
# Shorter ISO forms (2024, 2024-05, 20240501) are the W3C pattern's to read, not fromisoformat's.
_ISO_MIN_CHARS = len("2024-05-01")
_W3C_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*([Zz]|[+-]\d{2}:?\d{2})?)?)?)?"
)


class SitemapFormat(StrEnum):
    """What kind of document a sitemap turned out to be."""

    URLSET = "urlset"
    INDEX = "sitemapindex"
    TEXT = "text"
    RSS = "rss"
    ATOM = "atom"
    UNKNOWN = "unknown"


class DropReason(StrEnum):
    """Why a listed entry gave no URL."""

    NO_URL = "no-url"
    NOT_HTTP = "not-http"
    MALFORMED = "malformed"
    OFF_SITE = "off-site"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One URL a sitemap lists.

    Attributes
    ----------
    url : str
        The URL, resolved against the sitemap and normalised (``normalize_url``).
    lastmod : datetime or None
        ``<lastmod>`` (a feed's ``pubDate`` or ``updated``), timezone-aware; a
        date without a time is midnight UTC. ``None`` when absent or unreadable.
    """

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class SitemapScope:
    """The sites whose URLs a sitemap may list; the module docstring gives the rule.

    Attributes
    ----------
    sites : frozenset of str
        Registrable domains (the host, for a host that has none).
    """

    sites: frozenset[str]

    @classmethod
    def of(cls, *urls: str) -> SitemapScope:
        """Return the scope of a sitemap at the first URL, submitted by the sites of the others.

        Raises
        ------
        InvalidUrl
            If a URL is not an http(s) URL.
        """
        return cls(frozenset(_site_of(parse_url(url)) for url in urls))

    def widened(self, url: str) -> SitemapScope:
        """Return this scope with the site of *url* added (a redirect target, for one)."""
        return SitemapScope(self.sites | {_site_of(parse_url(url))})

    def admits(self, url: Url) -> bool:
        """Whether the sitemap may list *url*."""
        return _site_of(url) in self.sites


@dataclass(frozen=True, slots=True)
class Sitemap:
    """One sitemap document as read.

    Attributes
    ----------
    url : str
        The sitemap's URL, normalised: the base of relative URLs.
    format : SitemapFormat
        What the document is; ``UNKNOWN`` for anything else (an HTML page, an
        empty body), with the reason in ``problems``.
    pages : tuple of SitemapEntry
        Page URLs in document order, each once (``urlset``, text, feeds).
    sitemaps : tuple of SitemapEntry
        Child sitemap URLs of a sitemap index, each once.
    dropped : mapping of DropReason to int
        Entries that gave no URL, by reason.
    is_gzip : bool
        The bytes were gzip.
    is_truncated : bool
        Reading stopped before the end: a limit was reached, or the document
        (or its gzip stream) is cut or broken; ``problems`` says which.
    problems : tuple of str
        What was wrong, one sentence each.
    """

    url: str
    format: SitemapFormat
    pages: tuple[SitemapEntry, ...] = ()
    sitemaps: tuple[SitemapEntry, ...] = ()
    dropped: Mapping[DropReason, int] = field(default_factory=dict)
    is_gzip: bool = False
    is_truncated: bool = False
    problems: tuple[str, ...] = ()

    @property
    def is_index(self) -> bool:
        """Whether the document is a sitemap index."""
        return self.format is SitemapFormat.INDEX

    @property
    def entries(self) -> int:
        """Entries read: kept and dropped."""
        return len(self.pages) + len(self.sitemaps) + sum(self.dropped.values())


def parse_sitemap(
    data: bytes,
    url: str,
    *,
    scope: SitemapScope | None = None,
    max_bytes: int = MAX_SITEMAP_BYTES,
    max_urls: int = MAX_SITEMAP_URLS,
) -> Sitemap:
    """Read one sitemap: an XML sitemap or index, a text list, an RSS or Atom feed, gzipped or not.

    Parameters
    ----------
    data : bytes
        The document as fetched (HTTP content coding undone; a ``.gz`` file
        may stay gzip).
    url : str
        Where the document was fetched from, after redirects.
    scope : SitemapScope, optional
        The sites it may list; by default the site of *url* alone.
    max_bytes : int
        Uncompressed bytes read at most.
    max_urls : int
        Entries read at most.

    Returns
    -------
    Sitemap
        Never raises for any *data*.

    Raises
    ------
    InvalidUrl
        If *url* is not an http(s) URL.
    """
    base = normalize_url(url)
    reader = _Reader(base, scope or SitemapScope.of(base), max_urls)
    is_gzip = data[:2] == _GZIP_MAGIC
    problems: list[str] = []
    is_truncated = False
    for _ in range(_GZIP_LAYERS):
        if data[:2] != _GZIP_MAGIC:
            break
        data, was_cut, problem = _gunzip(data, max_bytes)
        is_truncated = is_truncated or was_cut
        problems += [problem] if problem else []
    if len(data) > max_bytes:
        data = data[:max_bytes]
        is_truncated = True
        problems.append(f"read up to {max_bytes:,} bytes, the protocol's limit")
    start = _LEADING_SPACE.match(data)
    offset = start.end() if start else 0
    if data.startswith(_UTF16_BOMS) or data[offset : offset + 1] == b"<":
        result = _read_xml(reader, data if data.startswith(_UTF16_BOMS) else data[offset:])
    elif offset == len(data):
        result = _Result(SitemapFormat.UNKNOWN, problems=["the document is empty"])
    elif b"\0" in data[offset : offset + _SNIFF_BYTES]:
        result = _Result(SitemapFormat.UNKNOWN, problems=["binary data, not a sitemap"])
    else:
        result = _read_text(reader, data[offset:])
    return Sitemap(
        url=base,
        format=result.format,
        pages=tuple(reader.pages),
        sitemaps=tuple(reader.sitemaps),
        dropped=dict(reader.dropped),
        is_gzip=is_gzip,
        is_truncated=is_truncated or result.is_truncated,
        problems=(*problems, *result.problems),
    )


def sitemap_locations(site_url: str, robots: RobotsTxt | None) -> tuple[str, ...]:
    """Return the sitemaps to start a site from: robots.txt ``Sitemap`` lines, or ``/sitemap.xml``.

    Parameters
    ----------
    site_url : str
        Any URL of the site; its scheme, host and port are used.
    robots : RobotsTxt or None
        The site's parsed robots.txt, or ``None`` when it has none.

    Returns
    -------
    tuple of str
        The ``Sitemap`` values resolved against the robots.txt URL, normalised,
        each once, unusable ones left out; ``/sitemap.xml`` of the site when
        that leaves none.

    Raises
    ------
    InvalidUrl
        If *site_url* is not an http(s) URL.
    """
    normal = normalize_url(site_url)
    origin = normal[: normal.index("/", normal.index("//") + 2)]
    robots_url = f"{origin}/robots.txt"
    found: dict[str, None] = {}
    for value in robots.sitemaps if robots is not None else ():
        try:
            found[resolve_url(robots_url, value.strip())] = None
        except InvalidUrl:
            continue
    return tuple(found) or (f"{origin}/sitemap.xml",)


class _Refused(Exception):
    """The document declares an entity; reading ends before it is used."""


class _Full(Exception):
    """The entry limit is reached."""


class _NotASitemap(Exception):
    """The root element is none of those we read."""


@dataclass(frozen=True, slots=True)
class _Shape:
    """Where a format keeps its entries: the element path, the URL and date children."""

    format: SitemapFormat
    entry_path: tuple[str, ...]
    url_element: str
    date_element: str
    is_index: bool = False
    is_href: bool = False


_SHAPES = {
    "urlset": _Shape(SitemapFormat.URLSET, ("urlset", "url"), "loc", "lastmod"),
    "sitemapindex": _Shape(
        SitemapFormat.INDEX, ("sitemapindex", "sitemap"), "loc", "lastmod", is_index=True
    ),
    "rss": _Shape(SitemapFormat.RSS, ("rss", "channel", "item"), "link", "pubdate"),
    "rdf": _Shape(SitemapFormat.RSS, ("rdf", "item"), "link", "date"),
    "feed": _Shape(SitemapFormat.ATOM, ("feed", "entry"), "link", "updated", is_href=True),
}


@dataclass(slots=True)
class _Result:
    format: SitemapFormat
    is_truncated: bool = False
    is_xml_error: bool = False
    is_encoding_error: bool = False
    problems: list[str] = field(default_factory=list)


class _Reader:
    """Turns listed URLs into entries, counting what it drops; shared by every format."""

    def __init__(self, base: str, scope: SitemapScope, max_urls: int) -> None:
        self.base = base
        self.scope = scope
        self.max_urls = max_urls
        self.read = 0
        self.pages: list[SitemapEntry] = []
        self.sitemaps: list[SitemapEntry] = []
        self.dropped: dict[DropReason, int] = {}
        self._seen: set[str] = set()

    def reset(self) -> None:
        self.read = 0
        self.pages.clear()
        self.sitemaps.clear()
        self.dropped.clear()
        self._seen.clear()

    @property
    def is_full(self) -> bool:
        return self.read >= self.max_urls

    def add(self, text: str | None, lastmod: str | None, *, is_index: bool) -> None:
        self.read += 1
        url, reason = self._usable(text)
        if reason is not None or url is None:
            reason = reason or DropReason.NO_URL
            self.dropped[reason] = self.dropped.get(reason, 0) + 1
            return
        self._seen.add(url)
        entry = SitemapEntry(url, _parse_date(lastmod) if lastmod else None)
        (self.sitemaps if is_index else self.pages).append(entry)

    def _usable(self, text: str | None) -> tuple[str | None, DropReason | None]:
        listed = (text or "").strip()
        if not listed:
            return None, DropReason.NO_URL
        if len(listed) > MAX_URL_BYTES:
            return None, DropReason.MALFORMED
        scheme = _SCHEME.match(listed)
        if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
            return None, DropReason.NOT_HTTP
        if scheme is None and not listed.startswith("/"):
            return None, DropReason.MALFORMED
        try:
            url = parse_url(listed if scheme else resolve_url(self.base, listed))
        except InvalidUrl:
            return None, DropReason.MALFORMED
        if not self.scope.admits(url):
            return None, DropReason.OFF_SITE
        if url.url in self._seen:
            return None, DropReason.DUPLICATE
        return url.url, None


def _read_text(reader: _Reader, data: bytes) -> _Result:
    result = _Result(SitemapFormat.TEXT)
    text = data.decode("utf-8", "replace")
    for line in _LINE_BREAK.split(text):
        listed = line.strip()
        if not listed:
            continue
        if reader.is_full:
            _note_full(result, reader)
            break
        reader.add(listed, None, is_index=False)
    return result


def _read_xml(reader: _Reader, data: bytes) -> _Result:
    result = _parse_xml(reader, data)
    if result.is_encoding_error:
        reader.reset()
        problem = result.problems[0]
        result = _parse_xml(reader, data, encoding="utf-8")
        result.problems.insert(0, f"{problem}; read as UTF-8")
    if not result.is_xml_error or result.format is SitemapFormat.UNKNOWN:
        return result
    repaired = _repair(data)
    if repaired == data or data.startswith(_UTF16_BOMS):
        return result
    reader.reset()
    second = _parse_xml(reader, repaired)
    second.problems.insert(0, f"{result.problems[0]}; read again with bare '&' escaped")
    return second


def _parse_xml(reader: _Reader, data: bytes, *, encoding: str | None = None) -> _Result:
    """Read *data* with expat, streaming; ``problems`` is empty only for a whole, clean read.

    *encoding* overrides the one the document declares.
    """
    handler = _XmlHandler(reader)
    parser = ParserCreate(encoding)
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    result = _Result(SitemapFormat.UNKNOWN)
    try:
        for start in range(0, len(data), _FEED_BYTES):
            parser.Parse(data[start : start + _FEED_BYTES], False)
        parser.Parse(b"", True)
    except _Refused as exc:
        result.problems.append(str(exc))
        result.is_truncated = True
    except _NotASitemap as exc:
        result.problems.append(str(exc))
    except _Full:
        _note_full(result, reader)
    except (LookupError, ValueError) as exc:
        # Python codecs read the 8-bit encodings expat does not know; an unknown
        # name or a multi-byte codec fails before the first element.
        if handler.shape is not None:
            raise
        result.problems.append(f"the declared encoding cannot be read ({exc})")
        result.is_encoding_error = True
    except ExpatError as exc:
        if handler.shape is None:
            result.problems.append(f"not XML: {exc}")
        else:
            result.problems.append(f"XML error: {exc}")
            result.is_truncated = result.is_xml_error = True
    if handler.shape is not None:
        result.format = handler.shape.format
    return result


def _note_full(result: _Result, reader: _Reader) -> None:
    result.is_truncated = True
    result.problems.append(f"read the first {reader.max_urls:,} entries, the protocol's limit")


def _refuse_entity(name: str, *_: object) -> None:
    raise _Refused(f"the document declares the entity {name!r} (an XML bomb or an external entity)")


class _XmlHandler:
    """Expat callbacks: find the format at the root, then each entry's URL and date."""

    __slots__ = ("_capture", "_date", "_path", "_text", "_url", "depth", "reader", "shape")

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.shape: _Shape | None = None
        self.depth = 0
        self._path: list[str] = []
        self._url: str | None = None
        self._date: str | None = None
        self._capture: str | None = None
        self._text: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2].lower()
        self.depth += 1
        if self.shape is None:
            shape = _SHAPES.get(local)
            if shape is None:
                raise _NotASitemap(f"the root element <{name[:40]}> is not a sitemap or a feed")
            self.shape = shape
        path = self.shape.entry_path
        if self.depth <= len(path):
            self._path.append(local)
            if self.depth == len(path) and tuple(self._path) == path:
                if self.reader.is_full:
                    raise _Full
                self._url = self._date = None
        elif self.depth == len(path) + 1 and tuple(self._path) == path:
            self._start_field(local, attributes)

    def _start_field(self, local: str, attributes: dict[str, str]) -> None:
        shape = self.shape
        if shape is None:  # pragma: no cover - set at the root
            return
        if local == shape.url_element and self._url is None:
            if shape.is_href:
                is_alternate = attributes.get("rel", "alternate").strip().lower() == "alternate"
                if is_alternate and attributes.get("href", "").strip():
                    self._url = attributes["href"]
                return
            self._capture, self._text = "url", []
        elif local == shape.date_element and self._date is None:
            self._capture, self._text = "date", []

    def text(self, data: str) -> None:
        if self._capture is not None and sum(map(len, self._text)) < _MAX_TEXT_CHARS:
            self._text.append(data)

    def end(self, name: str) -> None:
        shape = self.shape
        if shape is None:  # pragma: no cover - the root sets it or raises
            return
        path = shape.entry_path
        if self._capture is not None and self.depth == len(path) + 1:
            text = "".join(self._text)
            if self._capture == "url":
                self._url = text if text.strip() else None
            else:
                self._date = text
            self._capture = None
        elif self.depth == len(path) and tuple(self._path) == path:
            self.reader.add(self._url, self._date, is_index=shape.is_index)
        if self.depth <= len(path):
            self._path.pop()
        self.depth -= 1


def _repair(data: bytes) -> bytes:
    """Return *data* with bare ``&`` escaped and HTML entities as character references."""
    return _AMPERSAND.sub(_repair_one, data)


def _repair_one(match: re.Match[bytes]) -> bytes:
    found = match.group()
    name = match.group(1)
    if found == b"&":
        return b"&amp;"
    if name is None or name in _XML_ENTITIES:
        return found
    codepoint = name2codepoint.get(name.decode("ascii"))
    return b"&amp;" + found[1:] if codepoint is None else f"&#{codepoint};".encode("ascii")


def _gunzip(data: bytes, max_bytes: int) -> tuple[bytes, bool, str | None]:
    """Return the decompressed gzip members of *data*, whether cut short, and what went wrong.

    Output stops at *max_bytes*; damage keeps what came out before it.
    """
    out = bytearray()
    rest = memoryview(data)
    while rest[:2] == _GZIP_MAGIC:
        decompressor = zlib.decompressobj(_GZIP_WBITS)
        position = 0
        try:
            while not decompressor.eof:
                # Output beyond the cap ends the read, so no input is ever left
                # unconsumed by the max_length below: each piece is fed once.
                if position >= len(rest):
                    return bytes(out), True, "the gzip stream ends early"
                piece = rest[position : position + _FEED_BYTES]
                position += len(piece)
                before = decompressor.copy()
                try:
                    out += decompressor.decompress(piece, max_bytes + 1 - len(out))
                except zlib.error:
                    out += _salvage(before, piece, max_bytes - len(out))
                    raise
                if len(out) > max_bytes:
                    limit = f"decompressed up to {max_bytes:,} bytes, the protocol's limit"
                    return bytes(out[:max_bytes]), True, limit
        except zlib.error as exc:
            return bytes(out), True, f"the gzip stream is damaged ({exc})"
        rest = memoryview(decompressor.unused_data + bytes(rest[position:]))
    return bytes(out), False, None


def _salvage(decompressor: zlib._Decompress, piece: bytes | memoryview, room: int) -> bytes:
    """Return what *piece* decompresses to before the damage in it.

    zlib gives no output from a call that fails, so the piece is fed again in
    slices, and the slice that fails one byte at a time.
    """
    out = bytearray()
    for size in (_SALVAGE_BYTES, 1):
        failed: bytes | memoryview = b""
        for start in range(0, len(piece), size):
            before = decompressor.copy()
            try:
                out += decompressor.decompress(piece[start : start + size])
            except zlib.error:
                decompressor, failed = before, piece[start : start + size]
                break
            if len(out) >= room:
                return bytes(out[:room])
        piece = failed
    return bytes(out[:room])


def _parse_date(text: str) -> datetime | None:
    """Return a W3C datetime (ISO 8601 profile) or an RFC 822 date, timezone-aware, or None."""
    text = text.strip()
    try:
        if len(text) >= _ISO_MIN_CHARS:
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    match = _W3C_DATE.fullmatch(text)
    try:
        if match is not None:
            return _w3c_datetime(match)
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _w3c_datetime(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = UTC
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = timezone(sign * offset)
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year),
        int(month or 1),
        int(day or 1),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        microsecond,
        tzinfo=tz,
    )


def _site_of(url: Url) -> str:
    return url.domain or url.host
