"""Untrusted page bytes to a bounded Lexbor tree, and the robots directives it states.

``parse_html`` is the one way the parsing modules read a page: ``bound_html``
decodes it (``decode_html``) and bounds it, then Lexbor parses what is left.
Everything here is pure and total: hostile input gives a value, never an error.

Caps (each bounds the time or memory one page can take):

- ``MAX_HTML_BYTES``: only the first 15 MiB (bytes, or characters for ``str``)
  are read, which is where Googlebot stops reading an HTML file. Real pages
  are under 1 MB.
- ``MAX_TAGS``: only the first 262,144 ``<`` are read. Lexbor's tree and
  what the page parsers build over it grow with the elements, not the
  bytes: 15 MiB of ``<p>x</p>`` (a million elements) made a tree of 450 MB,
  and reading the page (``parsing.page.read_page``) took 13 s and 1.1 GB
  at its peak; cut here, 2 s and 310 MB. The
  largest page of the shared corpus has 19,252 ``<`` (a 1 MB Wikipedia
  article): no real page is cut.
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
- ``MAX_FORMATTING`` and ``MAX_RECONSTRUCTED``: the parser clones
  ("reconstructs") every active formatting element (``a``, ``b``, ``big``,
  ``code``, ``em``, ``font``, ``i``, ``nobr``, ``s``, ``small``, ``strike``,
  ``strong``, ``tt``, ``u``) that something else closed into the next text
  or inline element, as the HTML spec requires. It keeps at most three alike,
  but distinct attributes defeat that: 2,047 open ``<b class=N>`` followed
  by 1,024 ``</p><p>x`` (36 KB, 4,096 ``<``) make Lexbor build 2.1 million
  elements, in 1.3 s and 940 MB. So one pass also keeps the parser's list of
  active formatting elements, split at table cells and ``object``-like
  markers as the parser splits it: a formatting start tag past 64 active
  ones (since the last marker) is dropped with its end tag and its text
  kept, which bounds each reconstruction; and the page is cut where the
  clones counted so far pass 2**18 (about 100 MB), or one per ``<`` if that
  is more, which bounds them all (64 open elements alone would still cost
  64 clones per ``<p>x``). ``<a>`` counts toward neither cap and is never
  dropped: a new ``<a>`` closes an active one, so at most one ``<a>`` per
  marker is ever cloned. The count is conservative where the model is
  simpler than the parser (an end tag out of scope behind a table, or a
  ``</b>`` across eight or more blocks, leaves the element active). A page
  of at most ``FEW_TAGS`` ``<`` cannot reconstruct more than (40 + its
  formatting start tags with attributes) elements per ``<``, since the
  parser keeps at most three alike of the 13 names and one ``<a>``: when
  that product is under ``MAX_RECONSTRUCTED`` it is parsed as it is, after a
  second count (about 0.1 ms a page). No real page of the shared corpus is
  changed: they have at most 3 formatting elements active and none cloned.
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
    "MAX_TAGS",
    "FEW_TAGS",
    "MAX_NESTING",
    "MAX_FORMATTING",
    "MAX_RECONSTRUCTED",
    "BoundedTree",
    "bound_html",
    "decode_html",
    "meta_contents",
    "parse_html",
    "robots_directives",
]

#: Longest page read, in bytes (characters for ``str``); Googlebot reads the first 15 MB.
MAX_HTML_BYTES = 15 * 1024 * 1024
#: Most ``<`` read from one page: the tree's elements, and its cost, grow with them.
MAX_TAGS = 2**18
#: Deepest element nesting kept; Blink flattens the DOM at 512 too.
MAX_NESTING = 512
#: Pages with at most this many ``<`` are not scanned for their nesting.
FEW_TAGS = 4096
#: Most formatting elements (``<a>`` aside) active at once since the last table cell or marker.
MAX_FORMATTING = 64
#: Most formatting elements Lexbor may reconstruct in one page, or one per ``<`` if more.
MAX_RECONSTRUCTED = 2**18

_CHARSET_SCAN_BYTES = 4096
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# The parser keeps at most three like formatting elements active (its
# "Noah's Ark" clause): without attributes, 13 names make 39, and one <a>.
_NOAHS_ARK_ACTIVE = 3 * 13 + 1
_ATTRIBUTED_FORMATTING = re.compile(
    r"<(?=[bcefinstu])(?:b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)[\t\n\f\r /]",
    re.I | re.A,
)
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

_FORMATTING = frozenset({
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
})  # fmt: skip
# Start tags that close an open <p>; items also close an open item like them.
_CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
    "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "listing", "form", "li", "dd", "dt", "plaintext", "table", "hr", "xmp",
})  # fmt: skip
_P_SCOPE = ("button",)
_ITEM_SCOPES = {"li": ("ul", "ol", "menu"), "dd": ("dl",), "dt": ("dl",)}
_CLOSER_SCOPES = {"p": _P_SCOPE, **_ITEM_SCOPES}
_CELLS = frozenset({"td", "th", "caption"})
# Unstacked elements whose end (or the next one like them) pops what opened inside.
_CLOSERS = frozenset({"p", "li", "dd", "dt"}) | _CELLS
_CELL_STARTS = frozenset({"tr", "tbody", "thead", "tfoot", "col", "colgroup"})
_CELL_ENDS = frozenset({"tr", "tbody", "thead", "tfoot", "table"})
# Elements an end tag from outside them cannot pop; markers also start a new
# run of active formatting elements, as cells do.
_MARKERS = frozenset({"object", "marquee", "applet", "template"})
_SCOPES = _MARKERS | {"table"}
_ADOPTION_ROUNDS = 8
# Start tags before which the parser does not reconstruct formatting elements.
_NO_RECONSTRUCT = _CLOSES_P | _CELLS | _CELL_STARTS | frozenset({
    "html", "head", "body", "base", "basefont", "bgsound", "link", "meta", "noframes",
    "template", "frameset", "frame", "rb", "rp", "rt", "rtc", "param", "source", "track",
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

    The first ``MAX_HTML_BYTES`` are decoded with ``decode_html`` and cut
    before the ``<`` past ``MAX_TAGS``. Then start
    and end tags of elements nested deeper than ``MAX_NESTING`` are dropped,
    and so are start tags of formatting elements (``<b>``, ``<font>``… but
    never ``<a>``) past ``MAX_FORMATTING`` active ones, with their end tags; a
    deep run still open at the end is cut where it began, and the page is cut
    where Lexbor would reconstruct more than ``MAX_RECONSTRUCTED`` formatting
    elements (or one per ``<``, if that is more). A page of at most
    ``FEW_TAGS`` ``<`` and few formatting tags with attributes is returned as
    it is, after two counts.
    """
    is_truncated = len(html) > MAX_HTML_BYTES
    text = decode_html(html[:MAX_HTML_BYTES], content_type=content_type)
    n_tags = text.count("<")
    if n_tags > MAX_TAGS:
        text = text[: _tag_position(text, MAX_TAGS)]
        n_tags = MAX_TAGS
        is_truncated = True
    if n_tags <= FEW_TAGS:
        most_active = _NOAHS_ARK_ACTIVE + len(_ATTRIBUTED_FORMATTING.findall(text))
        if most_active * n_tags <= MAX_RECONSTRUCTED:
            return text, is_truncated
    bounded = _TreeBuildingModel(text, n_tags).bound()
    if bounded is None:
        return text, is_truncated
    return bounded, True


def _tag_position(text: str, index: int) -> int:
    """Return where the ``<`` numbered *index* (from 0) starts in *text*."""
    position = -1
    for _ in range(index + 1):
        position = text.find("<", position + 1)
    return position


class _Formatting:
    """One entry of the list of active formatting elements, and whether it is off the stack."""

    __slots__ = ("is_displaced", "name", "segment")

    def __init__(self, name: str, segment: int) -> None:
        self.name = name
        self.segment = segment
        self.is_displaced = False


# An open element: name, whether its tags are kept, where the page is cut if
# it is still open at the end (past the end: never), and its formatting entry.
_Open = tuple[str, bool, int, _Formatting | None]


class _TreeBuildingModel:
    """One pass over the tags of a page that keeps what Lexbor's tree building costs bounded.

    It keeps the stack of open elements (each with whether its tags are kept
    and where its start tag begins) and the list of active formatting
    elements, split by markers (table cells, ``object``…) as the parser
    splits it. An end tag pops every element above its own start, unless a
    table or marker element lies between (the parser ignores it then); an end
    tag with no start is ignored; a start tag over ``MAX_NESTING`` is dropped,
    and so is the end tag that closes it. ``p``, ``li``, ``dd``, ``dt`` and
    cells do not deepen the stack, but closing one pops what was opened
    inside it. A formatting element popped by anything but its own end tag
    stays active and is cloned back (reconstructed) by the next text or
    inline start tag; the clones are counted against the budget, and the page
    is cut where the budget runs out. An HTML ``<a>`` closes an open ``<a>``,
    so links are kept over both caps.
    """

    def __init__(self, text: str, n_tags: int) -> None:
        self.text = text
        self.budget = max(MAX_RECONSTRUCTED, n_tags)
        self.reconstructed = 0
        self.stack: list[_Open] = []
        self.open_at: dict[str, list[int]] = {}
        self.kept = 0
        self.scopes: list[int] = []
        self.closers: list[tuple[str, int]] = []
        self.open_closers = dict.fromkeys(_CLOSERS, 0)
        self.active: list[_Formatting | None] = []
        self.active_by_name: dict[str, list[_Formatting]] = {}
        self.formatting_counts = [0]
        self.dropped: list[tuple[int, int]] = []

    def bound(self) -> str | None:
        """Return the text without the dropped tags and cut, or ``None`` if nothing was."""
        text = self.text
        end = len(text)
        cut = end
        position = 0
        while (tag := _TAG.search(text, position)) is not None:
            if tag.start() > position and self.active and not self._reconstruct():
                cut = position
                break
            position = tag.end()
            raw_name = tag.group(2)
            if raw_name is None:
                close = text.find("-->", tag.start() + 2)
                position = end if close < 0 else close + 3
                continue
            name = raw_name.lower()
            if tag.group(1):
                self._end_tag(name, tag.start(), position)
                continue
            if name in _RAW_TEXT:
                close_tag = _raw_text_end(name).search(text, position)
                position = end if close_tag is None else close_tag.start()
                continue
            if not self._start_tag(name, tag.start(), position, tag.group(3)):
                cut = tag.start()
                break
        else:
            if position < end and not self._reconstruct():
                cut = position
        cut = min([cut, *(cut_at for _, _, cut_at, _ in self.stack)])
        if not self.dropped and cut == end:
            return None
        pieces = []
        last = 0
        for start, stop in self.dropped:
            if start >= cut:
                break
            pieces.append(text[last:start])
            last = stop
        pieces.append(text[last:cut])
        return "".join(pieces)

    def _start_tag(self, name: str, start: int, stop: int, rest: str) -> bool:
        """Push or drop start tag *name*; return ``False`` if the budget ran out."""
        open_at = self.open_at
        if name in _CLOSES_P:
            if self.open_closers["p"]:
                self._close("p", _P_SCOPE)
            if name in _ITEM_SCOPES:
                self._close(name, _ITEM_SCOPES[name])
        elif name in _CELL_STARTS:
            self._close_cell()
        elif name == "a" and not (open_at.get("svg") or open_at.get("math")):
            self._close_active_a()
        if name not in _NO_RECONSTRUCT and self.active and not self._reconstruct():
            return False
        if name in _UNSTACKED:
            if name in _CELLS:
                if not open_at.get("table"):
                    return True
                self._close_cell()
                self._push_marker()
            if name in _CLOSERS:
                self.closers.append((name, len(self.stack)))
                self.open_closers[name] += 1
            return True
        is_foreign = bool(open_at.get("svg") or open_at.get("math"))
        if is_foreign and name not in _BREAKOUT and rest.endswith("/"):
            return True
        is_kept = self.kept < MAX_NESTING
        entry = None
        if name in _FORMATTING and (not is_foreign or name in _BREAKOUT):
            if name == "a":
                is_kept = True
            elif self.formatting_counts[-1] >= MAX_FORMATTING:
                self.dropped.append((start, stop))
                self._push(name, is_kept=False, cut_at=len(self.text), entry=None)
                return True
            if is_kept:
                entry = self._activate(name)
        self._push(name, is_kept=is_kept, cut_at=len(self.text) if is_kept else start, entry=entry)
        if not is_kept:
            self.dropped.append((start, stop))
        elif name in _SCOPES:
            self.scopes.append(len(self.stack) - 1)
            if name in _MARKERS:
                self._push_marker()
        return True

    def _end_tag(self, name: str, start: int, stop: int) -> None:
        """Pop what end tag *name* closes, dropping the tag if its start tag was dropped."""
        if name in _CLOSERS:
            self._close(name, _CLOSER_SCOPES.get(name, ()))
            return
        if name in _CELL_ENDS:
            self._close_cell()
        where = self.open_at.get(name)
        if name in _FORMATTING and not (where and not self.stack[where[-1]][1]):
            last = self._last_active(name)
            if last is not None and last.is_displaced:
                self._deactivate(last)
                return
        if not where:
            return
        if where[-1] < self._scope_floor() and name not in _SCOPES:
            return
        _, is_kept, cut_at, entry = self.stack[where[-1]]
        if not is_kept:
            self.dropped.append((start, stop))
            if cut_at == len(self.text) and where[-1] < len(self.stack) - 1:
                return  # a dropped formatting element: neither of its tags is left to pop
        if entry is not None:
            if self._is_misnested(where[-1]):
                return
            self._deactivate(entry)
        self._pop_to(where[-1])

    def _is_misnested(self, index: int) -> bool:
        """Whether the parser's adoption agency gives up on the formatting element at *index*.

        It moves the element past one block above it per round, for at most
        ``_ADOPTION_ROUNDS`` rounds; past that the element stays open and
        active, and the blocks stay open too.
        """
        blocks = 0
        for name, _, _, _ in self.stack[index + 1 :]:
            blocks += name not in _FORMATTING
            if blocks >= _ADOPTION_ROUNDS:
                return True
        return False

    def _reconstruct(self) -> bool:
        """Clone the active formatting elements that were popped; ``False`` if over budget."""
        active = self.active
        if not active or active[-1] is None or not active[-1].is_displaced:
            return True
        first = len(active) - 1
        while first > 0 and (previous := active[first - 1]) is not None and previous.is_displaced:
            first -= 1
        self.reconstructed += len(active) - first
        if self.reconstructed > self.budget:
            return False
        end = len(self.text)
        for entry in active[first:]:
            if entry is not None:
                entry.is_displaced = False
                self._push(entry.name, is_kept=True, cut_at=end, entry=entry)
        return True

    def _push(self, name: str, *, is_kept: bool, cut_at: int, entry: _Formatting | None) -> None:
        self.open_at.setdefault(name, []).append(len(self.stack))
        self.stack.append((name, is_kept, cut_at, entry))
        self.kept += is_kept

    def _pop_to(self, start: int) -> None:
        """Pop the element at *start* and all above it, and close what that closes."""
        markers = 0
        for name, is_kept, _, entry in self.stack[start:]:
            self.open_at[name].pop()
            self.kept -= is_kept
            if entry is not None:
                entry.is_displaced = True
            markers += is_kept and name in _MARKERS
        del self.stack[start:]
        while self.scopes and self.scopes[-1] >= start:
            self.scopes.pop()
        closers = self.closers
        index = len(closers)
        while index and closers[index - 1][1] > start:
            index -= 1
        self._clear_markers(markers + self._forget_closers(index))

    def _close(self, name: str, scope: Iterable[str]) -> None:
        """Close the innermost open closer *name* (``p``, ``li``…) unless *scope* shields it."""
        if not self.open_closers[name]:
            return
        closers = self.closers
        if closers[-1] == (name, len(self.stack)):
            closers.pop()
            self.open_closers[name] -= 1
            self._clear_markers(name in _CELLS)
            return
        index = len(closers) - 1
        while closers[index][0] != name:
            index -= 1
        height = closers[index][1]
        if height <= self._scope_floor():
            return
        for other in scope:
            if self._innermost(other) >= height:
                return
        self._pop_to(height)
        self._clear_markers(self._forget_closers(index))

    def _forget_closers(self, index: int) -> int:
        """Forget the closers from *index* on; return how many of them were cells."""
        cells = 0
        for name, _ in self.closers[index:]:
            self.open_closers[name] -= 1
            cells += name in _CELLS
        del self.closers[index:]
        return cells

    def _close_cell(self) -> None:
        """Close the open cell of the innermost table, if any."""
        open_closers = self.open_closers
        if not (open_closers["td"] or open_closers["th"] or open_closers["caption"]):
            return
        table = self._innermost("table")
        for index in range(len(self.closers) - 1, -1, -1):
            closer, height = self.closers[index]
            if height <= table:
                return
            if closer in _CELLS:
                self._close(closer, ())
                return

    def _innermost(self, name: str) -> int:
        where = self.open_at.get(name)
        return where[-1] if where else -1

    def _scope_floor(self) -> int:
        return self.scopes[-1] if self.scopes else -1

    def _push_marker(self) -> None:
        self.active.append(None)
        self.formatting_counts.append(0)

    def _clear_markers(self, count: int) -> None:
        """Drop the last *count* markers and the formatting entries after them."""
        active = self.active
        while count and len(self.formatting_counts) > 1:
            while (entry := active.pop()) is not None:
                self.active_by_name[entry.name].pop()
            self.formatting_counts.pop()
            count -= 1

    def _activate(self, name: str) -> _Formatting:
        entry = _Formatting(name, len(self.formatting_counts) - 1)
        self.active.append(entry)
        self.active_by_name.setdefault(name, []).append(entry)
        self.formatting_counts[-1] += name != "a"
        return entry

    def _deactivate(self, entry: _Formatting) -> None:
        entries = self.active_by_name[entry.name]
        if not entries or entries[-1] is not entry:
            return
        entries.pop()
        for index in range(len(self.active) - 1, -1, -1):
            if self.active[index] is entry:
                del self.active[index]
                break
        self.formatting_counts[entry.segment] -= entry.name != "a"

    def _last_active(self, name: str) -> _Formatting | None:
        """Return the last active formatting element *name* after the last marker."""
        entries = self.active_by_name.get(name)
        if not entries or entries[-1].segment != len(self.formatting_counts) - 1:
            return None
        return entries[-1]

    def _close_active_a(self) -> None:
        """Close the active ``<a>`` after the last marker, as a new ``<a>`` does."""
        entry = self._last_active("a")
        if entry is None:
            return
        self._deactivate(entry)
        if not entry.is_displaced:
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index][3] is entry:
                    self._pop_to(index)
                    return


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
