"""Untrusted page bytes to a bounded Lexbor tree, and the robots directives it states.

``parse_html`` is the one way the parsing modules read a page: ``bound_html``
decodes it (``decode_html``) and bounds it, then Lexbor parses what is left.
Everything here is pure and total: hostile input gives a value, never an error.

Caps (each bounds the time or memory one page can take):

- ``MAX_HTML_BYTES``: only the first 15 MiB (bytes, or characters for ``str``)
  are read, which is where Googlebot stops reading an HTML file. Real pages
  are under 1 MB.
- ``MAX_NESTING``: Lexbor's tree building is quadratic in the nesting of block
  elements (each ``<div>``-like start tag scans the stack of open elements for
  a ``<p>`` to close; 100,000 nested divs take about 40 s), so start and end
  tags of block elements nested deeper than 512, Blink's own limit, are
  dropped. A deep run that closes again is thereby flattened and its content
  kept, as Blink keeps it; a run still open where the page ends (unclosed
  tags, or a page built to be deep) is cut where it passes the cap. The
  real pages of the shared corpus nest at most 55 deep by this estimate.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from selectolax.lexbor import LexborHTMLParser

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_HTML_BYTES",
    "MAX_NESTING",
    "BoundedTree",
    "bound_html",
    "decode_html",
    "meta_contents",
    "parse_html",
    "robots_directives",
]

#: Longest page read, in bytes (characters for ``str``); Googlebot reads the first 15 MB.
MAX_HTML_BYTES = 15 * 1024 * 1024
#: Deepest block-element nesting kept; Blink flattens the DOM at 512 too.
MAX_NESTING = 512

_CHARSET_SCAN_BYTES = 4096
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# WHATWG Encoding: these mean windows-1252, and a page cannot be UTF-16 or
# UTF-32 without a BOM (its charset label was just read as ASCII).
_CODEC_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "x-user-defined": "cp1252"}
_ASCII_INCOMPATIBLE = ("utf-16", "utf-32")

# Start tags of these close a <p> in button scope, which scans the stack of
# open elements: only they make Lexbor quadratic (measured; inline ones do not).
_DEEPENING = (
    "address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|"
    "figcaption|figure|footer|form|header|hgroup|listing|main|menu|nav|ol|pre|"
    "search|section|summary|ul"
)
_NESTING_TAG = re.compile(rf"(</?(?:{_DEEPENING})(?=[\s/>])[^>]*>?)", re.I)

_DIRECTIVES = frozenset({
    "all", "index", "follow", "noindex", "nofollow", "none", "noarchive", "nocache",
    "nosnippet", "notranslate", "noimageindex", "noodp", "noydir", "indexifembedded",
    "unavailable_after", "max-snippet", "max-image-preview", "max-video-preview",
})  # fmt: skip
_VALUED_DIRECTIVES = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)
_GOOGLE_AGENTS = frozenset({"googlebot", "robots"})
_AGENT_PREFIX = re.compile(r"\s*([A-Za-z][A-Za-z0-9_\-]*)\s*:(.*)", re.S)


@dataclass(frozen=True, slots=True)
class BoundedTree:
    """A parsed page, the bounded text it was parsed from, and whether bounding cut it."""

    tree: LexborHTMLParser
    text: str
    is_truncated: bool


def parse_html(html: str | bytes, *, content_type: str | None = None) -> BoundedTree:
    """Return the Lexbor tree of *html* after ``bound_html``.

    *content_type* is the ``Content-Type`` header value, if any; its charset
    decodes bytes that neither a BOM nor a meta charset explains.
    """
    text, is_truncated = bound_html(html, content_type=content_type)
    return BoundedTree(LexborHTMLParser(text), text, is_truncated)


def bound_html(html: str | bytes, *, content_type: str | None = None) -> tuple[str, bool]:
    """Return *html* decoded and cut to the caps, and whether anything was cut.

    The first ``MAX_HTML_BYTES`` are decoded with ``decode_html``; then start
    and end tags of block elements nested deeper than ``MAX_NESTING`` are
    dropped, and a deep run still open at the end is cut where it began.
    """
    is_truncated = len(html) > MAX_HTML_BYTES
    text = decode_html(html[:MAX_HTML_BYTES], content_type=content_type)
    pieces = _NESTING_TAG.split(text)
    tags = pieces[1::2]
    if len(tags) <= MAX_NESTING:
        return text, is_truncated
    is_close = np.fromiter((tag[1] == "/" for tag in tags), dtype=bool, count=len(tags))
    sums = np.cumsum(np.where(is_close, -1, 1))
    # Stray end tags do not take the depth below zero (a reflected walk).
    after = sums - np.minimum.accumulate(np.minimum(sums, 0))
    before = np.concatenate(([0], after[:-1]))
    is_dropped = np.where(is_close, before, after) > MAX_NESTING
    if not is_dropped.any():
        return text, is_truncated
    if after[-1] > MAX_NESTING:
        shallow = np.flatnonzero(after <= MAX_NESTING)
        run_start = int(shallow[-1]) + 1 if len(shallow) else 0
        del pieces[2 * run_start + 1 :]
        is_dropped = is_dropped[:run_start]
    for index in np.flatnonzero(is_dropped).tolist():
        pieces[2 * index + 1] = ""
    return "".join(pieces), True


def decode_html(data: str | bytes, *, content_type: str | None = None) -> str:
    """Return *data* as text without NUL characters; ``str`` is only cleaned of NULs.

    Bytes are decoded by their byte-order mark, else by a ``<meta charset>`` or
    ``http-equiv`` declaration in the first 4 KiB, else by the charset of
    *content_type* (a ``Content-Type`` value), else as UTF-8. Latin-1 and ASCII
    labels read as windows-1252, UTF-16 and UTF-32 labels as UTF-8, unknown
    labels are skipped, and undecodable bytes become U+FFFD.
    """
    if isinstance(data, str):
        return data.replace("\x00", "")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace").replace("\x00", "")
    meta = _META_CHARSET.search(data[:_CHARSET_SCAN_BYTES])
    header = _HEADER_CHARSET.search(content_type) if content_type else None
    labels = (
        meta.group(1).decode("ascii") if meta else None,
        header.group(1) if header else None,
    )
    encoding = next(filter(None, map(_codec, labels)), "utf-8")
    return data.decode(encoding, "replace").replace("\x00", "")


def _codec(label: str | None) -> str | None:
    """Return the Python codec for a charset *label*, or ``None`` if it names no text codec."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        info = codecs.lookup(_CODEC_ALIASES.get(label, label))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    if info.name.startswith(_ASCII_INCOMPATIBLE):
        return "utf-8"
    return _CODEC_ALIASES.get(info.name, info.name)


def meta_contents(tree: LexborHTMLParser, name: str) -> list[str]:
    """Return the ``content`` of every ``<meta name=NAME>`` (name case-insensitive)."""
    return [
        node.attributes.get("content") or ""
        for node in tree.css("meta[name][content]")
        if (node.attributes.get("name") or "").strip().lower() == name
    ]


def robots_directives(values: Iterable[str], *, agent_prefixes: bool = False) -> set[str]:
    """Return the robots directives in *values* that apply to Googlebot.

    Each value is a comma-separated list (``"noindex, nofollow"``); a part that
    is no directive is read as space-separated ones (``"noindex nofollow"``).
    With *agent_prefixes* (``X-Robots-Tag``), ``"otherbot: noindex"`` applies to
    ``otherbot`` only, and the agent holds for the rest of that value. Unknown
    tokens are ignored, valued ones (``max-snippet:20``) keep their name only,
    and ``none`` adds ``noindex`` and ``nofollow``.
    """
    found: set[str] = set()
    for value in values:
        applies = True
        for raw in value.split(","):
            token = raw.strip().lower()
            prefixed = _AGENT_PREFIX.fullmatch(token) if agent_prefixes else None
            if prefixed and prefixed.group(1) not in _VALUED_DIRECTIVES:
                applies = prefixed.group(1) in _GOOGLE_AGENTS
                token = prefixed.group(2).strip()
            name = token.split(":", 1)[0].strip()
            if applies:
                found |= _DIRECTIVES.intersection([name] if name in _DIRECTIVES else name.split())
    if "none" in found:
        found |= {"noindex", "nofollow"}
    return found
