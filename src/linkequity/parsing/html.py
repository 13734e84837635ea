"""Untrusted page bytes to a bounded Lexbor tree, and the robots directives it states.

``parse_html`` is the one way the parsing modules read a page: ``bound_html``
decodes it (``decode_html``) and bounds it, then Lexbor parses what is left.
Everything here is pure and total: hostile input gives a value, never an error.

Caps (each bounds the time or memory one page can take):

- ``MAX_HTML_BYTES``: only the first 15 MiB (bytes, or characters for ``str``)
  are read, which is where Googlebot stops reading an HTML file. Real pages
  are under 1 MB.
- ``MAX_NESTING``: Lexbor's tree building is quadratic in the depth of the
  stack of open elements, inline ones included: most start and end tags scan
  that stack (a ``<div>`` looks for a ``<p>`` to close), so 40,000 open
  ``<span>`` followed by 40,000 ``<div></div>`` take about 6 s. Start and end
  tags of elements nested deeper than 512, Blink's own limit, are therefore
  dropped. A deep run that closes again is flattened and its content kept,
  as Blink keeps it; a run still open where the page ends (unclosed tags, or
  a page built to be deep) is cut where it passes the cap. Void elements,
  elements that close their like (``p``, ``li``, ``td``…) and raw text
  (``script``, comments…) do not count; an end tag pops the elements above
  its own start, and an end tag with no start is ignored, as the parser does.
  A page of at most ``FEW_TAGS`` ``<`` cannot nest deep enough to cost much
  (at most ``FEW_TAGS``² / 4 stack steps, about 15 ms) and is parsed as it
  is, after one count; the real pages of the shared corpus nest at most 55
  deep by this estimate.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_HTML_BYTES",
    "FEW_TAGS",
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
#: Deepest element nesting kept; Blink flattens the DOM at 512 too.
MAX_NESTING = 512
#: Pages with at most this many ``<`` are not scanned for their nesting.
FEW_TAGS = 4096

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

# One tag, or the start of a comment: (end slash, name, the rest of the tag).
_TAG = re.compile(r"<(?:!--|(/?)([A-Za-z][^\t\n\f\r />]*)([^>]*)>?)")
# Elements that never stay open, or close an open element like them: they
# add nothing to the depth of the stack of open elements.
_UNSTACKED = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
    "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    "html", "head", "body", "p", "li", "dd", "dt", "option", "optgroup", "tr", "td",
    "th", "tbody", "thead", "tfoot", "caption", "colgroup", "rb", "rp", "rt", "rtc",
})  # fmt: skip
# Their text is raw: no tag inside them opens anything.
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
)
# HTML start tags that leave SVG or MathML, where ``<x/>`` closes itself.
_BREAKOUT = frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt",
    "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li",
    "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span",
    "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var", "font",
})  # fmt: skip

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
    if text.count("<") <= FEW_TAGS:
        return text, is_truncated
    bounded = _flatten_deep_runs(text)
    if bounded is None:
        return text, is_truncated
    return bounded, True


def _flatten_deep_runs(text: str) -> str | None:
    """Return *text* without the tags nested deeper than ``MAX_NESTING``, or ``None``.

    One pass keeps the stack of open elements, each with whether its tags
    are kept and where its start tag begins. An end tag pops every element
    above its own start; an end tag with no start is ignored; a start tag
    over the cap is dropped, and so is the end tag that closes it. An HTML
    ``<a>`` closes an open ``<a>``, so links are kept over the cap.
    """
    stack: list[tuple[str, bool, int]] = []
    open_at: dict[str, list[int]] = {}
    dropped: list[tuple[int, int]] = []
    kept = 0
    end = len(text)
    position = 0
    while (tag := _TAG.search(text, position)) is not None:
        position = tag.end()
        raw_name = tag.group(2)
        if raw_name is None:
            close = text.find("-->", tag.start() + 2)
            position = end if close < 0 else close + 3
            continue
        name = raw_name.lower()
        if tag.group(1):
            where = open_at.get(name)
            if where:
                if not stack[where[-1]][1]:
                    dropped.append((tag.start(), position))
                kept -= _pop_to(stack, open_at, where[-1])
            continue
        if name in _RAW_TEXT:
            close_tag = _raw_text_end(name).search(text, position)
            position = end if close_tag is None else close_tag.start()
            continue
        if name in _UNSTACKED:
            continue
        is_foreign = bool(open_at.get("svg") or open_at.get("math"))
        if is_foreign and name not in _BREAKOUT and tag.group(3).endswith("/"):
            continue
        is_kept = kept < MAX_NESTING
        if name == "a" and not is_foreign:
            if open_at.get("a"):
                kept -= _pop_to(stack, open_at, open_at["a"][-1])
            is_kept = True
        if is_kept:
            kept += 1
        else:
            dropped.append((tag.start(), position))
        open_at.setdefault(name, []).append(len(stack))
        stack.append((name, is_kept, tag.start()))
    if not dropped:
        return None
    cut = next((start for _, is_kept, start in stack if not is_kept), end)
    pieces = []
    last = 0
    for start, stop in dropped:
        if start >= cut:
            break
        pieces.append(text[last:start])
        last = stop
    pieces.append(text[last:cut])
    return "".join(pieces)


def _pop_to(stack: list[tuple[str, bool, int]], open_at: dict[str, list[int]], start: int) -> int:
    """Pop the element at *start* and all above it; return how many of them were kept."""
    popped_kept = 0
    for name, is_kept, _ in stack[start:]:
        open_at[name].pop()
        popped_kept += is_kept
    del stack[start:]
    return popped_kept


@functools.lru_cache(maxsize=16)
def _raw_text_end(name: str) -> re.Pattern[str]:
    """Return the pattern of the end tag that closes raw text element *name*."""
    return re.compile(rf"</{name}[\t\n\f\r />]", re.I)


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
