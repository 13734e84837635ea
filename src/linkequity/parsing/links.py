"""Every link of a page, read the way a search engine reads it.

``extract_links`` lets Lexbor do the per-node work in C and keeps the Python
work per link and per distinct ancestor:

1. ``script``, ``style`` and the other elements whose text no reader sees are
   removed; a CSS query finds every ``<a href>`` and ``<area href>`` in
   document order.
2. Each link climbs its ancestors until it meets one already read; each
   ancestor is read once (``parsing.placement.element_signal`` through a cached
   element kind, ``enter_region``, the hidden flags) and remembered by node
   identity, so the page's many links share the few distinct ancestors.
3. A NUL (which no text node of a parsed page holds) is put before and after
   each link; every element but blocks and ``<br>`` is unwrapped and the text
   runs merged, so one C-level ``text()`` of the page, with a separator between
   the runs that blocks separate, folded, is the reader's text flow with the
   links marked.
   Anchors, contexts, and the words and link words of each link's nearest block
   (``text()`` of that block) are read from it.
4. Where placement needs them (``parsing.placement.reads_neighbours``: a link
   list inside an article), the runs of text just before and after a link's
   own are read from the same ``text()``, whose runs a record separator
   divides; an element inside an article that starts a region (a share box,
   an ``<aside>``, the article itself) is fenced with a group separator, and a
   neighbour beyond a fence counts as none.

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
- Words are counted in the text between link boundaries, so a word that a
  link boundary splits counts once on each side, and markup inside a word
  (``Pay<b>Pal</b>``) does not split it.
- Hostile input never raises: the page is decoded and bounded by
  ``parsing.html.parse_html`` (size and nesting caps), at most ``MAX_LINKS``
  graph links are read, and block texts are read up to a budget of a few
  times the page's text; ``PageLinks.is_truncated`` says when any of these
  cut something.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from linkequity.errors import InvalidUrl
from linkequity.model.links import Link, PageLinks
from linkequity.model.urls import normalize_url, resolve_url
from linkequity.parsing.html import BoundedTree, meta_contents, parse_html, robots_directives
from linkequity.parsing.placement import (
    PAGE_LANDMARKS,
    Landmarks,
    TextRun,
    classify_placement,
    element_signal,
    enter_region,
    reads_neighbours,
)

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

    from linkequity.model.links import Placement

__all__ = [
    "CONTEXT_CHARS",
    "MAX_LINKS",
    "extract_links",
    "extract_page_links",
    "extract_tree_links",
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
_SKIPPED_SELECTOR = ", ".join(sorted(_SKIPPED))
_LINK_SELECTOR = "a[href], area[href]"
_LINKED_IMAGE_SELECTOR = "a[href] img"
# No text node of a parsed page holds a NUL: it marks where links start and end.
_MARK = "\x00"
# Between the text runs that blocks separate; whitespace to str.split().
_BLOCK_SEPARATOR = "\x1e"
# Before and after each element that changes the region; whitespace to str.split().
_REGION_MARK = "\x1d"
_EMPTY_RUN = TextRun(0, 0)
_RUN_START = re.compile(r"[^\s]|\x1d")
# Characters of page text first searched back for the end of the previous run.
_RUN_WINDOW = 512

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
# Every element but these is unwrapped before the text flow is read.
_INLINE_SELECTOR = "*:not(" + ", ".join(sorted(_BLOCKS | {"html", "br"})) + ")"


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


class _Place(NamedTuple):
    """What an element and its ancestors say about the text under it."""

    landmarks: Landmarks
    hidden: bool
    block: LexborNode
    block_id: int
    link: int


@dataclass(slots=True)
class _Found:
    """A graph link being read: its element, target, and what it and its ancestors say."""

    node: LexborNode
    kind: _ElementKind
    url: str
    rel: frozenset[str]
    title: str | None
    landmarks: Landmarks = PAGE_LANDMARKS
    hidden: bool = False
    block: LexborNode | None = None
    block_id: int = 0
    parent_link: int = -1
    is_area: bool = False
    alt: str | None = None
    has_image: bool = False


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
    return extract_tree_links(parse_html(html), page_url)


def extract_tree_links(bounded: BoundedTree, page_url: str) -> PageLinks:
    """Return the links of a page already parsed by ``parse_html``; this rewrites its tree.

    For callers that read other signals from the same tree first
    (``parsing.page.read_page``): the tree is left unfit for reading again.
    *page_url* must be normalised.
    """
    tree = bounded.tree
    document_url = _document_base(tree, page_url)
    has_meta_nofollow = _has_meta_nofollow(tree)
    reader = _Reader(page_url, document_url, has_meta_nofollow)
    top = tree.body or tree.root
    links = reader.read(top) if top is not None else []
    counts = reader.counts
    return PageLinks(
        url=page_url,
        links=links,
        javascript_links=counts.by_scheme.get("javascript", 0),
        mailto_links=counts.by_scheme.get("mailto", 0),
        tel_links=counts.by_scheme.get("tel", 0),
        data_links=counts.by_scheme.get("data", 0),
        other_scheme_links=counts.by_scheme.get("", 0),
        self_links=counts.self_links,
        unresolved_links=counts.unresolved,
        has_meta_nofollow=has_meta_nofollow,
        is_truncated=bounded.is_truncated or reader.is_truncated,
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


class _Reader:
    """The graph links of one parsed page (see the module docstring)."""

    def __init__(self, page_url: str, document_url: str, has_meta_nofollow: bool) -> None:
        self.page_url = page_url
        self.document_url = document_url
        self.has_meta_nofollow = has_meta_nofollow
        self.counts = _Counts()
        self.is_truncated = False
        self._resolved: dict[str, str | None] = {}
        self._rels: dict[str | None, frozenset[str]] = {}
        self._places: dict[int, _Place] = {}
        # Every block element read, outer ones first: (id, element, enclosing block's id).
        self._blocks: list[tuple[int, LexborNode, int]] = []

    def read(self, top: LexborNode) -> list[Link]:
        """Return the graph links under *top*, in document order; this rewrites *top*."""
        top.strip_tags([_SKIPPED_SELECTOR], recursive=True)
        found = self._find(top)
        if not found:
            return []
        top_id = top.mem_id
        root = _Place(PAGE_LANDMARKS, False, top, top_id, -1)
        self._places[top_id] = root
        self._blocks.append((top_id, top, -1))
        for index, link in enumerate(found):
            parent = link.node.parent
            self._place(index, link, self._place_of(parent) if parent is not None else root)
        self._read_images(top, found)
        for link in found:
            link.node.insert_before(_MARK)
            link.node.insert_after(_MARK)
        top.unwrap_tags([_INLINE_SELECTOR], delete_empty=True)
        top.merge_text_nodes()
        # Folding keeps the markers (a NUL is no whitespace) and drops the
        # block separators (a record separator is).
        raw = top.text(separator=_BLOCK_SEPARATOR)
        marked = " ".join(raw.split())
        pieces = marked.split(_MARK)
        neighbours: _Neighbours | None = _Neighbours(raw, found)
        if len(pieces) != 2 * len(found) + 1:
            # Parsed text holds no NUL (decode_html drops them, the parser
            # turns &#0; into U+FFFD); should one appear, drop the flow.
            self.is_truncated = True
            pieces = [""] * (2 * len(found) + 1)
            neighbours = None
        flow = "".join(pieces)
        starts, ends = _boundaries(found, list(itertools.accumulate(map(len, pieces))))
        words = self._block_words({link.block_id for link in found}, top_id)
        links = []
        for position, link in enumerate(found):
            start = starts[position]
            end = ends[position]
            anchor = _fold(flow[start:end])
            is_image = link.is_area or (link.has_image and not anchor)
            if is_image:
                anchor = link.alt or ""
            block_words, block_link_words = words[link.block_id]
            around = None
            if neighbours is not None and reads_neighbours(
                link.landmarks, block_words=block_words, block_link_words=block_link_words
            ):
                around = neighbours.of(position)
            links.append(
                Link(
                    url=link.url,
                    anchor_text=anchor,
                    rel=link.rel,
                    placement=classify_placement(
                        link.landmarks,
                        block_words=block_words,
                        block_link_words=block_link_words,
                        neighbours=around,
                    ),
                    is_image=is_image,
                    alt=link.alt if is_image else None,
                    title=link.title,
                    hidden=link.hidden,
                    position=position,
                    left_context=_tail(flow, start),
                    right_context=_head(flow, end),
                )
            )
        return links

    def _find(self, top: LexborNode) -> list[_Found]:
        """Return the graph links under *top*; count the hrefs kept out of the graph."""
        found: list[_Found] = []
        for node in top.css(_LINK_SELECTOR):
            attrs = node.attributes
            if "href" not in attrs:
                continue
            url = self._resolve(attrs["href"] or "")
            if url is None:
                continue
            if len(found) >= MAX_LINKS:
                self.is_truncated = True
                break
            rel = self._rels.get(attrs.get("rel"))
            if rel is None:
                rel = self._rel(attrs.get("rel"))
            title = attrs.get("title")
            tag = node.tag or "a"
            folded_title = _fold(title) if title is not None else None
            link = _Found(node, _kind_of(tag, attrs), url, rel, folded_title)
            if tag == "area":
                link.is_area = True
                link.alt = _fold(attrs.get("alt") or "")
            found.append(link)
        return found

    def _rel(self, value: str | None) -> frozenset[str]:
        """Return (and remember) the rel tokens of one ``rel`` value, meta nofollow included."""
        rel = frozenset((value or "").lower().split())
        if self.has_meta_nofollow:
            rel |= {"nofollow"}
        self._rels[value] = rel
        return rel

    def _place(self, index: int, link: _Found, parent: _Place) -> None:
        """Read where link number *index* sits, from its parent's place and its own kind."""
        kind = link.kind
        landmarks = parent.landmarks
        if kind.region is not None:
            landmarks = enter_region(landmarks, kind.region, kind.is_strong)
        hidden = parent.hidden or kind.is_hiding
        link.landmarks = landmarks
        link.hidden = hidden
        link.block = parent.block
        link.block_id = parent.block_id
        link.parent_link = parent.link
        self._places[link.node.mem_id] = _Place(
            landmarks, hidden, parent.block, parent.block_id, index
        )

    def _place_of(self, node: LexborNode) -> _Place:
        """Return the place of *node*, reading each ancestor not read yet, top down."""
        places = self._places
        chain = []
        place = None
        current: LexborNode | None = node
        while current is not None:
            key = current.mem_id
            place = places.get(key)
            if place is not None:
                break
            chain.append((key, current))
            current = current.parent
        if place is None:
            place = _Place(PAGE_LANDMARKS, False, node, node.mem_id, -1)
        for key, element in reversed(chain):
            place = self._enter(element, key, place)
            places[key] = place
        return place

    def _read_images(self, top: LexborNode, found: list[_Found]) -> None:
        """Mark the links that hold an image, with the first image's alt text."""
        for image in top.css(_LINKED_IMAGE_SELECTOR):
            parent = image.parent
            if parent is None:
                continue
            place = self._place_of(parent)
            if place.link < 0:
                continue
            link = found[place.link]
            link.has_image = True
            if link.alt is None:
                link.alt = _fold(image.attributes.get("alt") or "")

    def _enter(self, element: LexborNode, key: int, parent: _Place) -> _Place:
        """Return the place of *element* (node id *key*) whose parent's place is *parent*.

        An element that changes nothing shares its parent's place.
        """
        kind = _kind_of(element.tag or "-", element.attributes)
        if kind.region is None and not kind.is_hiding and not kind.is_block:
            return parent
        landmarks = parent.landmarks
        if kind.region is not None:
            landmarks = enter_region(landmarks, kind.region, kind.is_strong)
            if landmarks.in_article and _is_new_region(landmarks, parent.landmarks):
                # The runs of text around a link in an article stay in its region.
                element.insert_before(_REGION_MARK)
                element.insert_after(_REGION_MARK)
        if kind.is_block:
            self._blocks.append((key, element, parent.block_id))
            return _Place(landmarks, parent.hidden or kind.is_hiding, element, key, parent.link)
        return _Place(
            landmarks, parent.hidden or kind.is_hiding, parent.block, parent.block_id, parent.link
        )

    def _block_words(self, wanted: set[int], top_id: int) -> dict[int, tuple[int, int]]:
        """Return the words and link words of each block in *wanted*, by block id.

        Blocks are read innermost first, and each one read is then cut out of
        the tree, its counts carried to the block around it: every text is
        read once however deep the blocks nest.
        """
        words: dict[int, tuple[int, int]] = {}
        carried: dict[int, tuple[int, int]] = {}
        for key, block, outer in reversed(self._blocks):
            inner_words, inner_link_words = carried.pop(key, (0, 0))
            if key in wanted:
                own_words, own_link_words = _count_words(block.text(separator=" "))
                inner_words += own_words
                inner_link_words += own_link_words
                words[key] = (inner_words, inner_link_words)
                if key != top_id:
                    block.decompose(recursive=False)
            if outer >= 0 and (inner_words or inner_link_words):
                outer_words, outer_link_words = carried.get(outer, (0, 0))
                carried[outer] = (outer_words + inner_words, outer_link_words + inner_link_words)
        return words

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


class _Neighbours:
    """The runs of text before and after each link's own run, read when asked.

    *raw* is the page's text with the links marked and a ``_BLOCK_SEPARATOR``
    where blocks (or ``<br>``) cut the text; runs of whitespace alone are
    passed over.
    """

    def __init__(self, raw: str, found: list[_Found]) -> None:
        self._raw = raw
        self._found = found
        self._starts: list[int] = []
        self._ends: list[int] = []

    def of(self, position: int) -> tuple[TextRun, TextRun]:
        """Return the runs before and after the run of link number *position*."""
        raw = self._raw
        if not self._starts:
            lengths = itertools.accumulate(map(len, raw.split(_MARK)[:-1]))
            # A marker's offset in raw: the text before it and the markers before it.
            offsets = list(map(operator.add, lengths, itertools.count()))
            self._starts, self._ends = _boundaries(self._found, offsets)
        start = self._starts[position]
        end = self._ends[position]
        run_start = raw.rfind(_BLOCK_SEPARATOR, 0, start)
        run_end = raw.find(_BLOCK_SEPARATOR, end)
        before = _EMPTY_RUN
        if raw.find(_REGION_MARK, run_start + 1, start) < 0:
            before = _run_before(raw, run_start)
        after = _EMPTY_RUN
        if raw.find(_REGION_MARK, end, run_end if run_end >= 0 else len(raw)) < 0:
            after = _run_after(raw, run_end)
        return before, after


def _run_before(raw: str, end: int) -> TextRun:
    """Return the last run of *raw* before *end* that holds a word, in the same region."""
    width = _RUN_WINDOW
    while end > 0:
        low = max(0, end - width)
        window = raw[low:end]
        kept = window.rstrip()
        if _REGION_MARK in window[len(kept) :]:
            return _EMPTY_RUN
        if kept:
            end = low + len(kept)
            run = raw[raw.rfind(_BLOCK_SEPARATOR, 0, end) + 1 : end]
            return TextRun(*_count_words(run.rpartition(_REGION_MARK)[2]))
        end = low
        width *= 2
    return _EMPTY_RUN


def _run_after(raw: str, start: int) -> TextRun:
    """Return the first run of *raw* after *start* that holds a word, in the same region."""
    found = _RUN_START.search(raw, start) if start >= 0 else None
    if found is None or found.group() == _REGION_MARK:
        return _EMPTY_RUN
    end = raw.find(_BLOCK_SEPARATOR, found.start())
    run = raw[found.start() : end if end >= 0 else None]
    return TextRun(*_count_words(run.partition(_REGION_MARK)[0]))


def _is_new_region(landmarks: Landmarks, parent: Landmarks) -> bool:
    """Return whether an element with *landmarks* starts a region within *parent*'s."""
    return (
        landmarks.region is not parent.region
        or landmarks.is_comment is not parent.is_comment
        or landmarks.in_article is not parent.in_article
    )


def _boundaries(found: list[_Found], offsets: list[int]) -> tuple[list[int], list[int]]:
    """Return where each link starts and ends in the flow, from its markers' offsets.

    The markers are a well-nested sequence: without nested links (only SVG
    can nest them) they alternate start, end; with them, the enclosing links
    say which marker is whose.
    """
    if all(link.parent_link < 0 for link in found):
        return offsets[0::2], offsets[1::2]
    starts = [0] * len(found)
    ends = [0] * len(found)
    marker = 0
    open_links: list[int] = []
    for index, link in enumerate(found):
        while open_links and open_links[-1] != link.parent_link:
            ends[open_links.pop()] = offsets[marker]
            marker += 1
        starts[index] = offsets[marker]
        marker += 1
        open_links.append(index)
    while open_links:
        ends[open_links.pop()] = offsets[marker]
        marker += 1
    return starts, ends


def _count_words(marked: str) -> tuple[int, int]:
    """Return the words of a block's marked text and, of those, the words inside links."""
    if _MARK not in marked:
        return len(marked.split()), 0
    counts = [len(part.split()) for part in marked.split(_MARK)]
    return sum(counts), sum(counts[1::2])


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
