"""Every link of a page, read the way a search engine reads it.

``extract_links`` parses the page once with Lexbor and walks it once in
document order, keeping a stack of open elements; each link gets its target,
anchor, ``rel``, image and alt, hidden flag, placement (``parsing.placement``),
position and surrounding text from that one walk.

Decisions
---------
- Targets are resolved against the first ``<base href>`` (itself resolved
  against the page URL) and normalised with ``resolve_url``.
- ``javascript:``, ``mailto:``, ``tel:``, ``data:`` and other non-http(s)
  schemes are counted on ``PageLinks`` and kept out of the link graph, as are
  ``href`` values that are no usable URL (``InvalidUrl``).
- An empty or fragment-only ``href`` (``#top``) that resolves to the page
  itself is a self-link: search engines drop the fragment, so it is counted in
  ``self_links`` and kept out of the graph. With a ``<base href>`` elsewhere it
  points at that page and is a graph link.
- An image link (an ``<img>`` and no text, or an ``<area>``) has
  ``is_image=True``, ``alt`` set, and the alt text as its anchor, as Ahrefs
  reports image anchors.
- Page-level ``<meta name="robots|googlebot" content="nofollow">`` (or
  ``none``), read by ``parsing.html.robots_directives``, adds ``"nofollow"``
  to every link's ``rel`` and sets ``PageLinks.has_meta_nofollow``.
- Hostile input never raises: the page is decoded and bounded by
  ``parsing.html.parse_html`` (size and nesting caps), and at most
  ``MAX_LINKS`` graph links are read; ``PageLinks.is_truncated`` says when
  either cut something.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from linkequity.errors import InvalidUrl
from linkequity.model.links import Link, PageLinks
from linkequity.model.urls import normalize_url, resolve_url
from linkequity.parsing.html import MAX_NESTING, meta_contents, parse_html, robots_directives
from linkequity.parsing.placement import (
    PAGE_LANDMARKS,
    Landmarks,
    classify_placement,
    element_signal,
    enter_region,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from selectolax.lexbor import LexborHTMLParser, LexborNode

    from linkequity.model.links import Placement

__all__ = [
    "CONTEXT_CHARS",
    "MAX_LINKS",
    "extract_links",
    "extract_page_links",
]

#: Most graph links read from one page.
MAX_LINKS = 10_000
#: Characters of page text kept on each side of a link.
CONTEXT_CHARS = 100
# Characters of page text folded first for a context; usually enough.
_NEAR_CHARS = 2 * CONTEXT_CHARS

_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*(?:0+(?:\.0*)?|\.0+)(?:px|em|rem|pt|ex|ch|vw|vh|%)?)"
    r"\s*(?:!\s*important\s*)?(?:;|$)"
)
_COUNTED_SCHEMES = frozenset({"javascript", "mailto", "tel", "data"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Already absolute: normalising it is what resolve_url would do, without
# normalising the base once more for every link.
_ABSOLUTE_HTTP = re.compile(r"[\x00-\x20]*https?://[^\t\n\r]*\Z", re.I)
_HREF_TRIM = "".join(map(chr, range(0x21)))
_SKIPPED = frozenset({"script", "style", "template", "noembed", "noframes", "iframe", "textarea"})
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)


@dataclass(frozen=True, slots=True)
class _ElementKind:
    """What an element's tag and attributes say, whatever its ancestors."""

    region: Placement | None
    is_strong: bool
    is_hiding: bool
    is_block: bool
    is_skipping: bool
    is_link: bool
    is_inert: bool


@dataclass(slots=True)
class _PendingLink:
    """A graph link whose end, block and image are still being read."""

    url: str
    rel: frozenset[str]
    title: str | None
    hidden: bool
    landmarks: Landmarks
    block: _Frame
    start: int
    end: int = -1
    is_area: bool = False
    alt: str | None = None
    has_image: bool = False


@dataclass(slots=True)
class _Frame:
    """One open element of the walk, and the words read inside it so far."""

    landmarks: Landmarks
    hidden: bool
    block: _Frame | None
    link: _PendingLink | None
    is_skipped: bool = False
    is_block: bool = False
    words: int = 0
    link_words: int = 0


@dataclass(slots=True)
class _Counts:
    """Hrefs counted but kept out of the graph."""

    by_scheme: dict[str, int] = field(default_factory=dict)
    self_links: int = 0
    unresolved: int = 0


def extract_links(html: str | bytes, base_url: str) -> list[Link]:
    """Return every http(s) link of *html*, resolved against *base_url*.

    Parameters
    ----------
    html : str or bytes
        The page; bytes are decoded with ``parsing.html.decode_html``.
    base_url : str
        The URL the page was fetched from.

    Returns
    -------
    list of Link
        Graph links in document order (see ``extract_page_links``).

    Raises
    ------
    InvalidUrl
        If *base_url* is not an http(s) URL; the page itself never raises.
    """
    return extract_page_links(html, base_url).links


def extract_page_links(html: str | bytes, base_url: str) -> PageLinks:
    """Return the graph links of *html* and counts of the hrefs kept out of the graph.

    Parameters
    ----------
    html : str or bytes
        The page; bytes are decoded with ``parsing.html.decode_html``.
    base_url : str
        The URL the page was fetched from.

    Returns
    -------
    PageLinks
        Links in document order with placement, context and flags.

    Raises
    ------
    InvalidUrl
        If *base_url* is not an http(s) URL; the page itself never raises.
    """
    page_url = normalize_url(base_url)
    bounded = parse_html(html)
    tree = bounded.tree
    document_url = _document_base(tree, page_url)
    has_meta_nofollow = _has_meta_nofollow(tree)
    walk = _Walk(page_url, document_url, has_meta_nofollow)
    top = tree.body or tree.root
    if top is not None:
        walk.run(top)
    counts = walk.counts
    return PageLinks(
        url=page_url,
        links=walk.links(),
        javascript_links=counts.by_scheme.get("javascript", 0),
        mailto_links=counts.by_scheme.get("mailto", 0),
        tel_links=counts.by_scheme.get("tel", 0),
        data_links=counts.by_scheme.get("data", 0),
        other_scheme_links=counts.by_scheme.get("", 0),
        self_links=counts.self_links,
        unresolved_links=counts.unresolved,
        has_meta_nofollow=has_meta_nofollow,
        is_truncated=bounded.is_truncated or walk.is_truncated,
    )


def _document_base(tree: LexborHTMLParser, page_url: str) -> str:
    """Return the URL relative links resolve against: the first ``<base href>`` or the page."""
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    if not href:
        return page_url
    try:
        return resolve_url(page_url, href)
    except InvalidUrl:
        return page_url


def _has_meta_nofollow(tree: LexborHTMLParser) -> bool:
    """Return whether the page's robots or googlebot meta tags say nofollow (or none)."""
    contents = meta_contents(tree, "robots") + meta_contents(tree, "googlebot")
    return "nofollow" in robots_directives(contents)


def _kind_of(tag: str, attrs: dict[str, str | None]) -> _ElementKind:
    """Return the cached ``_ElementKind`` of an element with these attributes."""
    if not attrs:
        return _bare_kind(tag)
    return _element_kind(
        tag,
        attrs.get("role"),
        attrs.get("id"),
        attrs.get("class"),
        attrs.get("style"),
        attrs.get("aria-hidden"),
        "hidden" in attrs,
        "href" in attrs,
    )


@functools.lru_cache(maxsize=256)
def _bare_kind(tag: str) -> _ElementKind:
    """Return the ``_ElementKind`` of an element without attributes."""
    return _element_kind(tag, None, None, None, None, None, False, False)


@functools.lru_cache(maxsize=16384)
def _element_kind(
    tag: str,
    role: str | None,
    id_value: str | None,
    class_value: str | None,
    style: str | None,
    aria_hidden: str | None,
    has_hidden: bool,
    has_href: bool,
) -> _ElementKind:
    """Return what an element with this tag and these attributes says.

    Pages repeat the same few elements (``<div class="row">``, ``<li>``) many
    times; caching by the attributes that matter reads each one once.
    """
    attrs = {"role": role, "id": id_value, "class": class_value}
    region, is_strong = element_signal(tag, {key: value for key, value in attrs.items() if value})
    is_hiding = _is_hidden(has_hidden, aria_hidden, style)
    is_block = tag in _BLOCKS
    is_skipping = tag in _SKIPPED
    is_link = has_href and tag in ("a", "area")
    is_inert = not (
        region is not None
        or is_hiding
        or is_block
        or is_skipping
        or is_link
        or tag in ("img", "br")
    )
    return _ElementKind(region, is_strong, is_hiding, is_block, is_skipping, is_link, is_inert)


def _is_hidden(has_hidden: bool, aria_hidden: str | None, style: str | None) -> bool:
    """Return whether an element hides itself (and so its subtree) from readers."""
    if has_hidden:
        return True
    if (aria_hidden or "").strip().lower() == "true":
        return True
    return style is not None and _HIDDEN_STYLE.search(style.lower()) is not None


def _fold(text: str) -> str:
    """Return *text* with runs of whitespace folded to one space, stripped."""
    return " ".join(text.split())


class _Walk:
    """One pass over a parsed page: the text flow, the open elements and the links."""

    def __init__(self, page_url: str, document_url: str, has_meta_nofollow: bool) -> None:
        self.page_url = page_url
        self.document_url = document_url
        self.has_meta_nofollow = has_meta_nofollow
        self.counts = _Counts()
        self.is_truncated = False
        self.pending: list[_PendingLink] = []
        self.pieces: list[str] = []
        self.offset = 0
        self._resolved: dict[str, str | None] = {}

    def run(self, top: LexborNode) -> None:
        """Walk *top* and everything under it, in document order.

        ``frames`` holds one entry per open element; an element that changes
        nothing (no block, link, landmark, hidden or skipped text) shares its
        parent's ``_Frame``, so counting stays in one place and closing it is free.
        """
        root = _Frame(PAGE_LANDMARKS, False, None, None, is_block=True)
        root.block = root
        frames = [root]
        open_ids = {top.mem_id: 0}
        ids = [top.mem_id]
        pieces = self.pieces
        pending = self.pending
        for node in _descendants(top):
            parent = node.parent
            depth = open_ids.get(parent.mem_id, -1) if parent is not None else -1
            while len(frames) > depth + 1 > 0:
                closed = frames.pop()
                del open_ids[ids.pop()]
                if closed is not frames[-1]:
                    self._close(closed, frames[-1])
            frame = frames[-1]
            tag = node.tag or "-"
            if tag == "-text":
                if frame.is_skipped:
                    continue
                text = node.text_content or ""
                words = text.split()
                if words:
                    piece = " ".join(words)
                    if text[0].isspace():
                        piece = " " + piece
                    if text[-1].isspace():
                        piece += " "
                    pieces.append(piece)
                    self.offset += len(piece)
                    count = len(words)
                    frame.words += count
                    if frame.link is not None:
                        frame.link_words += count
                elif text:
                    pieces.append(" ")
                    self.offset += 1
                continue
            if tag[0] == "-":
                continue
            if len(pending) >= MAX_LINKS:
                self.is_truncated = True
                break
            attrs = node.attributes
            kind = _kind_of(tag, attrs)
            entered = frame if kind.is_inert else self._enter(tag, attrs, kind, frame)
            if len(frames) < MAX_NESTING or entered.link is not frame.link:
                node_id = node.mem_id
                open_ids[node_id] = len(frames)
                ids.append(node_id)
                frames.append(entered)
        while len(frames) > 1:
            closed = frames.pop()
            if closed is not frames[-1]:
                self._close(closed, frames[-1])

    def _append(self, piece: str) -> None:
        self.pieces.append(piece)
        self.offset += len(piece)

    def _enter(
        self, tag: str, attrs: Mapping[str, str | None], kind: _ElementKind, parent: _Frame
    ) -> _Frame:
        """Open one element and return its frame (its parent's when it changes nothing)."""
        landmarks = parent.landmarks
        if kind.region is not None:
            landmarks = enter_region(landmarks, kind.region, kind.is_strong)
        hidden = parent.hidden or kind.is_hiding
        link = parent.link
        if tag == "img" and link is not None:
            link.has_image = True
            if link.alt is None:
                link.alt = _fold(attrs.get("alt") or "")
        is_block = kind.is_block
        if is_block or tag == "br":
            self._append(" ")
        is_skipped = parent.is_skipped or kind.is_skipping
        is_link = kind.is_link and not is_skipped
        if not (
            is_block
            or is_link
            or is_skipped is not parent.is_skipped
            or hidden is not parent.hidden
            or landmarks is not parent.landmarks
        ):
            return parent
        frame = _Frame(landmarks, hidden, parent.block, link, is_skipped=is_skipped)
        if is_block:
            frame.is_block = True
            frame.block = frame
        if is_link:
            pending = self._start_link(tag, attrs, frame)
            if pending is not None:
                frame.link = pending
        return frame

    def _start_link(
        self, tag: str, attrs: Mapping[str, str | None], frame: _Frame
    ) -> _PendingLink | None:
        """Return the pending graph link of an ``<a>``/``<area>``, or count it and return None."""
        href = attrs.get("href") or ""
        url = self._resolve(href)
        if url is None:
            return None
        rel = frozenset((attrs.get("rel") or "").lower().split())
        if self.has_meta_nofollow:
            rel |= {"nofollow"}
        title = attrs.get("title")
        block = frame.block if frame.block is not None else frame
        pending = _PendingLink(
            url=url,
            rel=rel,
            title=_fold(title) if title is not None else None,
            hidden=frame.hidden,
            landmarks=frame.landmarks,
            block=block,
            start=self.offset,
        )
        if tag == "area":
            pending.is_area = True
            pending.alt = _fold(attrs.get("alt") or "")
        self.pending.append(pending)
        return pending

    def _resolve(self, href: str) -> str | None:
        """Return the graph target of *href*, or count why it has none."""
        if href in self._resolved:
            url = self._resolved[href]
            if url is None:
                self._count(href)
            return url
        url = self._target(href)
        self._resolved[href] = url
        if url is None:
            self._count(href)
        return url

    def _target(self, href: str) -> str | None:
        stripped = href.strip(_HREF_TRIM)
        scheme = _SCHEME.match(stripped)
        if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
            return None
        try:
            if _ABSOLUTE_HTTP.match(href):
                url = normalize_url(href)
            else:
                url = resolve_url(self.document_url, href)
        except InvalidUrl:
            return None
        if url == self.page_url and (not stripped or stripped.startswith("#")):
            return None
        return url

    def _count(self, href: str) -> None:
        """Count an href that is kept out of the graph, by the reason."""
        stripped = href.strip(_HREF_TRIM)
        scheme = _SCHEME.match(stripped)
        if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
            name = scheme.group(1).lower()
            key = name if name in _COUNTED_SCHEMES else ""
            self.counts.by_scheme[key] = self.counts.by_scheme.get(key, 0) + 1
        elif not stripped or stripped.startswith("#"):
            try:
                is_self = resolve_url(self.document_url, href) == self.page_url
            except InvalidUrl:
                is_self = False
            if is_self:
                self.counts.self_links += 1
            else:
                self.counts.unresolved += 1
        else:
            self.counts.unresolved += 1

    def _close(self, frame: _Frame, parent: _Frame) -> None:
        """Close one element: end its link, add its words to its parent's."""
        if frame.link is not None and frame.link is not parent.link:
            frame.link.end = self.offset
        if frame.is_block:
            self._append(" ")
        parent.words += frame.words
        parent.link_words += frame.link_words

    def links(self) -> list[Link]:
        """Return the finished links, once the walk is over."""
        flow = "".join(self.pieces)
        links = []
        for position, pending in enumerate(self.pending):
            end = pending.end if pending.end >= 0 else self.offset
            anchor = _fold(flow[pending.start : end])
            is_image = pending.is_area or (pending.has_image and not anchor)
            if is_image:
                anchor = pending.alt or ""
            block = pending.block
            links.append(
                Link(
                    url=pending.url,
                    anchor_text=anchor,
                    rel=pending.rel,
                    placement=classify_placement(
                        pending.landmarks,
                        block_words=block.words,
                        block_link_words=block.link_words,
                    ),
                    is_image=is_image,
                    alt=pending.alt if is_image else None,
                    title=pending.title,
                    hidden=pending.hidden,
                    position=position,
                    left_context=_tail(flow, pending.start),
                    right_context=_head(flow, end),
                )
            )
        return links


def _descendants(top: LexborNode) -> Iterator[LexborNode]:
    """Yield every node under *top* (not *top* itself), text and comments included."""
    nodes = top.traverse(include_text=True)
    next(nodes, None)
    return nodes


def _tail(flow: str, end: int) -> str:
    """Return about ``CONTEXT_CHARS`` of folded text before *end*, cut at a word start."""
    start = max(0, end - 4 * CONTEXT_CHARS)
    # The fold of a window ends with the fold of any suffix of it, so a short
    # suffix decides whenever it already holds enough text.
    folded = _fold(flow[max(start, end - _NEAR_CHARS) : end])
    if len(folded) <= CONTEXT_CHARS:
        folded = _fold(flow[start:end])
    if len(folded) <= CONTEXT_CHARS:
        return folded
    cut = folded[-CONTEXT_CHARS:]
    if folded[-CONTEXT_CHARS - 1] != " " and " " in cut:
        cut = cut.split(" ", 1)[1]
    return cut


def _head(flow: str, start: int) -> str:
    """Return about ``CONTEXT_CHARS`` of folded text after *start*, cut at a word end."""
    # The fold of a window starts with the fold of any prefix of it.
    folded = _fold(flow[start : start + _NEAR_CHARS])
    if len(folded) <= CONTEXT_CHARS:
        folded = _fold(flow[start : start + 4 * CONTEXT_CHARS])
    if len(folded) <= CONTEXT_CHARS:
        return folded
    cut = folded[:CONTEXT_CHARS]
    if folded[CONTEXT_CHARS] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut
