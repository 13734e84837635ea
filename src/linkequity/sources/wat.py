"""Common Crawl WAT metadata: the links of one page, from the JSON of one record.

A WAT file is a WARC file of ``metadata`` records whose payload is JSON that
describes one record of the matching WARC file. For an HTTP response it holds
``Envelope → Payload-Metadata → HTTP-Response-Metadata → HTML-Metadata →
Links``, one entry per URL-bearing attribute with its ``path`` (``A@/href``,
``IMG@/src``, ``LINK@/href``…). Only ``<a href>`` and ``<area href>`` are links
a reader follows; the rest are counted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from linkequity.errors import InvalidUrl
from linkequity.model.records import ANCHOR_PATHS, WatLink, WatLinks
from linkequity.model.urls import normalize_url, resolve_url

__all__ = ["parse_wat_metadata"]


def parse_wat_metadata(payload: bytes, *, page_url: str) -> WatLinks | None:
    """Return the anchor links of the page a WAT metadata record describes.

    Parameters
    ----------
    payload : bytes
        The record's JSON payload.
    page_url : str
        The page's URL (the record's ``WARC-Target-URI``); links are resolved
        against it, or against the page's ``<base href>`` when the WAT gives one.

    Returns
    -------
    WatLinks or None
        ``None`` when the record describes no HTTP response (WAT records of
        requests, warcinfo and metadata records), or *page_url* is not an http(s)
        URL. A response page without HTML metadata has no links.
        ``record_offset`` is 0; the reader fills it in.

    Raises
    ------
    ValueError
        If *payload* is not a JSON object (the record is damaged).
    """
    document = json.loads(payload)
    if not isinstance(document, dict):
        raise ValueError(f"WAT payload is a JSON {type(document).__name__}, not an object")
    envelope = _mapping(document.get("Envelope"))
    response = _mapping(_mapping(envelope.get("Payload-Metadata")).get("HTTP-Response-Metadata"))
    if not response:
        return None
    try:
        url = normalize_url(page_url)
    except InvalidUrl:
        return None
    html = _mapping(response.get("HTML-Metadata"))
    base = _base_url(url, _mapping(html.get("Head")).get("Base"))
    entries = html.get("Links")
    entries = entries if isinstance(entries, list) else []
    links: list[WatLink] = []
    other = unresolved = 0
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("path") not in ANCHOR_PATHS:
            other += 1
            continue
        link = _anchor(entry, base)
        if link is None:
            unresolved += 1
        else:
            links.append(link)
    warc_header = _mapping(envelope.get("WARC-Header-Metadata"))
    return WatLinks(
        url=url,
        fetched_at=_date(warc_header.get("WARC-Date")),
        status=_status(_mapping(response.get("Response-Message")).get("Status")),
        links=tuple(links),
        listed_links=len(entries),
        other_links=other,
        unresolved_links=unresolved,
    )


def _mapping(value: Any) -> dict[str, Any]:
    """Return *value* when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _base_url(page_url: str, base_href: Any) -> str:
    """Return the URL links resolve against: the ``<base href>`` when usable, else the page."""
    if isinstance(base_href, str) and base_href.strip():
        try:
            return resolve_url(page_url, base_href)
        except InvalidUrl:
            pass
    return page_url


def _anchor(entry: dict[str, Any], base: str) -> WatLink | None:
    """Return the link of one anchor entry, or None when its URL is unusable."""
    href = entry.get("url")
    if not isinstance(href, str):
        return None
    try:
        target = resolve_url(base, href)
    except InvalidUrl:
        return None
    text = entry.get("text")
    rel = entry.get("rel")
    title = entry.get("title")
    return WatLink(
        url=target,
        text=" ".join(text.split()) if isinstance(text, str) else "",
        rel=frozenset(rel.lower().split()) if isinstance(rel, str) else frozenset(),
        title=" ".join(title.split()) if isinstance(title, str) else None,
    )


def _status(value: Any) -> int | None:
    """Return an HTTP status given as text or number, or None."""
    try:
        status = int(value)
    except (TypeError, ValueError):
        return None
    return status if 100 <= status <= 999 else None


def _date(value: Any) -> datetime | None:
    """Return a WARC-Date (ISO 8601) as a datetime, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None
