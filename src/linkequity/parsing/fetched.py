"""An archived fetch to what the store keeps of it: a page record and the page's link sightings.

``read_fetched_page`` takes one ``FetchedPage`` (an HTTP response from a WARC
file) and ``read_wat_page`` one ``WatLinks`` (the WAT metadata of one). Both
are pure; the ingest service numbers the sightings and writes them.

What counts as a link of a fetch, the way a search engine counts it:

- a 2xx HTML page: every graph link of its HTML (``parsing.page.read_page``,
  one parse for the page's signals and its links), with placement, hidden
  flag, position and context;
- a redirect (3xx with a ``Location``): one link to the resolved location,
  ``link_type="redirect"``, no anchor;
- anything else (errors, non-HTML bodies, bodies in a coding nothing here
  undoes): no links, only the page record, which says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from linkequity.errors import InvalidUrl
from linkequity.model.links import LinkSighting
from linkequity.model.pages import IndexabilityReason, PageRecord
from linkequity.model.urls import resolve_url
from linkequity.parsing.http_body import decode_body
from linkequity.parsing.page import HTML_TYPES, media_type, read_page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkequity.model.records import FetchedPage, WatLinks

__all__ = ["ReadFetch", "read_fetched_page", "read_wat_page"]

#: First bytes of a body without a ``Content-Type`` that make it HTML.
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")


@dataclass(frozen=True, slots=True)
class ReadFetch:
    """What one archived fetch gives the store.

    Attributes
    ----------
    page : PageRecord
        The fetch as a row of ``pages``.
    sightings : tuple of LinkSighting
        The page's links, ``row`` numbered on from ``first_row`` in page order.
    problem : str or None
        Why a page that should have had links gave none (a body in an
        unsupported coding), for the ingest report.
    """

    page: PageRecord
    sightings: tuple[LinkSighting, ...] = ()
    problem: str | None = None


def read_fetched_page(fetch: FetchedPage, *, first_row: int = 0) -> ReadFetch:
    """Return the page record and link sightings of one archived HTTP response.

    Parameters
    ----------
    fetch : FetchedPage
        An HTTP response record; its URL is already normalised.
    first_row : int
        The ``row`` of the page's first sighting; the rest follow in page order.

    Returns
    -------
    ReadFetch
    """
    status = fetch.status
    headers = fetch.headers
    content_type = media_type(_header(headers, "content-type"))
    bare = PageRecord(fetch.url, status, content_type=content_type, fetched_at=fetch.fetched_at)
    if status is None:
        return ReadFetch(bare)
    if 300 <= status < 400:
        return _redirect(fetch, bare, first_row)
    if not 200 <= status < 300:
        return ReadFetch(_not_indexable(bare, IndexabilityReason.STATUS, f"status {status}"))
    decoded = decode_body(fetch.body, headers)
    if decoded.problem is not None:
        return ReadFetch(bare, problem=decoded.problem)
    if not _is_html(content_type, decoded.data):
        detail = f"content type {content_type or 'unknown'}"
        return ReadFetch(_not_indexable(bare, IndexabilityReason.NOT_HTML, detail))
    signals, found = read_page(decoded.data, fetch.url, headers, status)
    page = PageRecord.from_signals(signals, fetched_at=fetch.fetched_at)
    sightings = tuple(
        LinkSighting(
            source_url=fetch.url,
            target_url=link.url,
            row=first_row + row,
            anchor=link.anchor_text,
            is_nofollow=link.nofollow,
            is_sponsored=link.sponsored,
            is_ugc=link.ugc,
            is_image=link.is_image,
            alt=link.alt,
            link_type="image" if link.is_image else "text",
            left_context=link.left_context or None,
            right_context=link.right_context or None,
            source_title=signals.title or None,
            source_status=status,
            source_language=signals.language,
            first_seen=fetch.fetched_at,
            last_seen=fetch.fetched_at,
            placement=str(link.placement),
            is_hidden=link.hidden,
            position=link.position,
        )
        for row, link in enumerate(found.links)
    )
    return ReadFetch(page, sightings)


def read_wat_page(wat: WatLinks, *, first_row: int = 0) -> ReadFetch:
    """Return the page record and link sightings of one WAT metadata record.

    The WAT tells the status, the fetch time and each anchor's URL, text and
    rel, not where on the page a link sits or whether it is hidden: those stay
    unknown (``None``).
    """
    page = PageRecord(wat.url, wat.status, fetched_at=wat.fetched_at)
    sightings = tuple(
        LinkSighting(
            source_url=wat.url,
            target_url=link.url,
            row=first_row + row,
            anchor=link.text,
            is_nofollow="nofollow" in link.rel,
            is_sponsored="sponsored" in link.rel,
            is_ugc="ugc" in link.rel,
            source_status=wat.status,
            first_seen=wat.fetched_at,
            last_seen=wat.fetched_at,
            position=row,
        )
        for row, link in enumerate(wat.links)
    )
    return ReadFetch(page, sightings)


def _redirect(fetch: FetchedPage, bare: PageRecord, row: int) -> ReadFetch:
    location = _header(fetch.headers, "location")
    target = None
    if location is not None and location.strip():
        try:
            target = resolve_url(fetch.url, location.strip())
        except InvalidUrl:
            target = None
    page = _not_indexable(bare, IndexabilityReason.REDIRECT, f"redirects to {target or '?'}")
    if target is None or target == fetch.url:
        return ReadFetch(page)
    sighting = LinkSighting(
        source_url=fetch.url,
        target_url=target,
        row=row,
        link_type="redirect",
        source_status=fetch.status,
        first_seen=fetch.fetched_at,
        last_seen=fetch.fetched_at,
    )
    return ReadFetch(replace(page, final_url=target), (sighting,))


def _not_indexable(page: PageRecord, reason: IndexabilityReason, detail: str) -> PageRecord:
    return replace(
        page, is_indexable=False, non_indexable_reason=str(reason), indexability_detail=detail
    )


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.strip().lower() == name:
            return value
    return None


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type is not None:
        return content_type in HTML_TYPES
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_SNIFF)
