"""Records read from web archives (WARC, ARC and Common Crawl WAT files), as values.

A reader yields one ``WarcItem`` per record it keeps: a ``FetchedPage`` for an
HTTP response, a ``WatLinks`` for the WAT metadata of one, and a
``DamagedRecord`` for each stretch of the file it could not read. What it
skips is only counted, in the ``WarcSummary`` it hands over at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

#: WAT link paths that are links a reader follows: ``<a href>`` and ``<area href>``.
ANCHOR_PATHS = frozenset({"A@/href", "AREA@/href"})


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One HTTP response record: the page as the crawler received it.

    Attributes
    ----------
    url : str
        The record's target URI, normalised (``normalize_url``).
    fetched_at : datetime or None
        ``WARC-Date``; ``None`` when missing or unreadable.
    status : int or None
        HTTP status code from the status line; ``None`` when there is none.
    headers : tuple of (str, str)
        HTTP response headers in file order, names as written.
    body : bytes
        The HTTP payload as stored: transfer and content encodings are *not*
        decoded (a ``Content-Encoding: gzip`` body stays gzip).
    record_offset : int
        Byte offset of the record in the file; for gzip files, of its gzip member
        (records sharing one member share its offset).
    payload_digest : str or None
        ``WARC-Payload-Digest`` as written (``sha1:BASE32``).
    """

    url: str
    fetched_at: datetime | None
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    record_offset: int
    payload_digest: str | None = None


@dataclass(frozen=True, slots=True)
class WatLink:
    """One anchor link (``<a href>`` or ``<area href>``) listed in a WAT record.

    Attributes
    ----------
    url : str
        The target, resolved against the page (or its ``<base href>``), normalised.
    text : str
        The anchor text as the WAT gives it, whitespace folded.
    rel : frozenset of str
        Lowercased ``rel`` tokens.
    title : str or None
        The ``title`` attribute, when the WAT gives one.
    """

    url: str
    text: str = ""
    rel: frozenset[str] = frozenset()
    title: str | None = None


@dataclass(frozen=True, slots=True)
class WatLinks:
    """The links of one page, from the WAT metadata record of its HTTP response.

    Attributes
    ----------
    url : str
        The page, normalised.
    fetched_at : datetime or None
        When the response was fetched (the WAT's ``WARC-Date`` of the response).
    status : int or None
        HTTP status of the response.
    links : tuple of WatLink
        Anchor links to http(s) targets, in the WAT's order.
    record_offset : int
        Offset of the WAT metadata record, as for ``FetchedPage``.
    listed_links : int
        Entries of the WAT's ``Links`` list, of every kind.
    other_links : int
        Entries that are not anchors (``IMG@/src``, ``LINK@/href``, ``SCRIPT@/src``…).
    unresolved_links : int
        Anchor entries whose URL is no http(s) URL we can use (``mailto:``,
        ``javascript:``, malformed).
    """

    url: str
    fetched_at: datetime | None
    status: int | None
    links: tuple[WatLink, ...]
    record_offset: int = 0
    listed_links: int = 0
    other_links: int = 0
    unresolved_links: int = 0


@dataclass(frozen=True, slots=True)
class DamagedRecord:
    """A record, or a stretch of a file, that could not be read; reading went on after it.

    Attributes
    ----------
    path : str
        The file.
    offset : int
        Byte offset of the damaged record, or of the last good record before an
        unreadable stretch (see ``reason``).
    reason : str
        What is wrong, in one line.
    """

    path: str
    offset: int
    reason: str


WarcItem = FetchedPage | WatLinks | DamagedRecord


@dataclass(frozen=True, slots=True)
class WarcSummary:
    """What reading one archive file found.

    Attributes
    ----------
    path : str
        The file.
    reader : str
        ``"fastwarc"`` for WARC files, ``"warcio"`` for ARC files.
    records_by_type : mapping of str to int
        Records read, by ``WARC-Type`` (ARC records count as warcinfo and response).
    pages : int
        ``FetchedPage`` items yielded.
    wat_pages : int
        ``WatLinks`` items yielded.
    skipped : mapping of str to int
        Records read but not yielded, by reason (``request``, ``revisit``,
        ``metadata``, ``wat-non-response``, ``unusable-url``…).
    damaged : int
        ``DamagedRecord`` items yielded.
    block_bytes : int
        Uncompressed record-block bytes read.
    is_complete : bool
        The file was read to its end.
    """

    path: str
    reader: str
    records_by_type: Mapping[str, int] = field(default_factory=dict)
    pages: int = 0
    wat_pages: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    damaged: int = 0
    block_bytes: int = 0
    is_complete: bool = False

    @property
    def records(self) -> int:
        """Records read, of every type."""
        return sum(self.records_by_type.values())
