"""Where on its page each link sits: content, navigation, header, footer, sidebar, comment.

Extraction walks the page once. Each element turns its parent's ``Landmarks``
into its own with ``enter_element``; each link keeps the ``Landmarks`` of its
position and, once its enclosing block is read, ``classify_placement`` decides.

Signals an element gives, strongest first:

1. its ARIA ``role`` (navigation, menu, menubar, banner, contentinfo,
   complementary, main, article);
2. its tag (``nav``, ``header``, ``footer``, ``aside``, ``main``, ``article``);
3. word tokens of its ``class`` and ``id`` (``site-header`` gives ``site`` and
   ``header``; ``navy`` and ``commentary`` give nothing). Boilerplate tokens beat
   content tokens on one element (``header-content`` is a header). Class names
   that describe a state or a layout (``has-sidebar``, ``nav-open``,
   ``sidebar-left``) and the classes of ``<html>`` and ``<body>`` are ignored.
   A ``<form>`` is a search box or the whole page (ASP.NET wraps every page in
   one), so it counts as a class hint of ``OTHER``, not as a tag.

Roles and tags are strong signals, class and id hints weak ones.

The rules of ``classify_placement``, in order; the first that decides wins:

1. A comment section anywhere above the link: ``COMMENT`` (comment beats content).
2. The nearest navigation, header, footer, sidebar or other boilerplate region
   above the link decides, except for running text (below) inside
   ``<main>``/``<article>`` whose region comes from a weak signal: there a
   class such as ``l-sidebar-fixed`` names the layout, not the text. A
   ``<header>`` or ``<footer>`` (or such a class) inside ``<main>``/``<article>``
   belongs to the article, not to the page, and gives no region. A content
   signal overrides an enclosing boilerplate region that a class or id names
   (``entry-content`` inside Blogger's ``class="widget Blog"``), never one
   that a tag or role names (``entry-content`` inside ``<nav>`` is still
   navigation, an ``<article>`` inside ``<aside>`` a teaser card).
3. Inside a content region: ``CONTENT`` unless the link's block is a link list
   (link density at least ``ARTICLE_LIST_DENSITY``: tags, share buttons, lists
   of related stories), which is ``OTHER``. A link list inside
   ``<main>``/``<article>`` whose neighbouring runs of text, just before and
   just after its own, are both paragraphs (running text of at least
   ``NEIGHBOUR_WORDS`` words) is ``CONTENT``: a listicle heading, a "Read: …"
   line, a product name between its descriptions. A run of link lists is a
   list; the neighbours are what Kohlschütter et al. (below) read besides a
   block's own densities. ``reads_neighbours`` says when they matter.
4. Elsewhere, text density decides (Kohlschütter, Frankhauser and Nejdl,
   "Boilerplate detection using shallow text features", WSDM 2010): running
   text, a block of at least ``CONTENT_BLOCK_WORDS`` words whose link density
   (anchor words / all words) is at most ``CONTENT_LINK_DENSITY``, is
   ``CONTENT``; anything else is ``OTHER``.

``mark_sitewide`` marks the links that recur across the pages of one site.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from linkequity.model.links import PageLinks, Placement, fold_anchor

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "ARTICLE_LIST_DENSITY",
    "CONTENT_BLOCK_WORDS",
    "CONTENT_LINK_DENSITY",
    "NEIGHBOUR_WORDS",
    "SITEWIDE_MIN_PAGES",
    "SITEWIDE_SHARE",
    "Landmarks",
    "TextRun",
    "class_tokens",
    "classify_placement",
    "enter_element",
    "enter_region",
    "mark_sitewide",
    "reads_neighbours",
]

#: Highest link density of a block that still reads as running text.
CONTENT_LINK_DENSITY = 1 / 3
#: Fewest words of a block of running text.
CONTENT_BLOCK_WORDS = 12
#: Inside a content region, a block at least this dense in links is a link
#: list (tags, share buttons, related stories), not content.
ARTICLE_LIST_DENSITY = 0.5
#: A link list inside a content region is content when the runs of text just
#: before and after it are paragraphs: running text of at least this many words.
NEIGHBOUR_WORDS = 16
#: A (target, anchor) pair on at least this share of a site's pages is sitewide…
SITEWIDE_SHARE = 0.6
#: …when at least this many pages of the site were read.
SITEWIDE_MIN_PAGES = 3

_BOILERPLATE = frozenset(
    {Placement.NAVIGATION, Placement.HEADER, Placement.FOOTER, Placement.SIDEBAR, Placement.OTHER}
)

_ROLES: Mapping[str, Placement] = {
    "navigation": Placement.NAVIGATION,
    "menu": Placement.NAVIGATION,
    "menubar": Placement.NAVIGATION,
    "banner": Placement.HEADER,
    "contentinfo": Placement.FOOTER,
    "complementary": Placement.SIDEBAR,
    "main": Placement.CONTENT,
    "article": Placement.CONTENT,
}

_TAGS: Mapping[str, Placement] = {
    "nav": Placement.NAVIGATION,
    "header": Placement.HEADER,
    "footer": Placement.FOOTER,
    "aside": Placement.SIDEBAR,
    "main": Placement.CONTENT,
    "article": Placement.CONTENT,
}
# A form may be a search box or the whole page (ASP.NET wraps every page in
# one), so it says no more than a class name would.
_WEAK_TAGS: Mapping[str, Placement] = {"form": Placement.OTHER}

_TOKENS: Mapping[str, Placement] = {
    **dict.fromkeys(
        [
            "comment",
            "comments",
            "commentlist",
            "disqus",
            "reply",
            "replies",
            "respond",
            "discussion",
            "livefyre",
        ],
        Placement.COMMENT,
    ),
    **dict.fromkeys(
        [
            "nav",
            "navbar",
            "navigation",
            "navlinks",
            "menu",
            "menubar",
            "mainmenu",
            "mainnav",
            "topnav",
            "subnav",
            "sitenav",
            "breadcrumb",
            "breadcrumbs",
            "crumbs",
            "pagination",
            "pager",
            "paging",
            "toc",
            "skiplinks",
        ],
        Placement.NAVIGATION,
    ),
    **dict.fromkeys(["header", "masthead", "topbar", "siteheader"], Placement.HEADER),
    **dict.fromkeys(["footer", "colophon", "sitefooter", "bottombar"], Placement.FOOTER),
    **dict.fromkeys(
        [
            "sidebar",
            "widget",
            "widgets",
            "aside",
            "rail",
            "related",
            "recommended",
            "trending",
            "popular",
        ],
        Placement.SIDEBAR,
    ),
    **dict.fromkeys(
        [
            "share",
            "sharing",
            "social",
            "socials",
            "tags",
            "tagcloud",
            "byline",
            "ads",
            "advert",
            "advertisement",
            "sponsor",
            "sponsored",
            "promo",
            "newsletter",
            "subscribe",
            "cookie",
            "cookies",
            "consent",
        ],
        Placement.OTHER,
    ),
    **dict.fromkeys(
        [
            "content",
            "entry",
            "article",
            "story",
            "prose",
            "main",
            "maincontent",
            "postbody",
            "articlebody",
            "storybody",
            "entrycontent",
            "postcontent",
            "articlecontent",
            "storycontent",
        ],
        Placement.CONTENT,
    ),
}

# A class name that opens or closes with one of these describes a state or a
# layout of some wrapper ("has-sidebar", "nav-open"), not the region itself.
_STATE_PREFIXES = frozenset(["has", "no", "with", "without", "is", "show", "hide", "toggle", "js"])
_STATE_SUFFIXES = frozenset(
    [
        "open",
        "opened",
        "closed",
        "active",
        "visible",
        "hidden",
        "expanded",
        "collapsed",
        "left",
        "right",
        "toggle",
    ]
)
_CLASS_NAME = re.compile(r"[^\s]+")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_IGNORED_HINTS = frozenset({"html", "body"})
_HEADER_OR_FOOTER = frozenset({Placement.HEADER, Placement.FOOTER})
_NO_SIGNAL: tuple[Placement | None, bool] = (None, False)
_TAG_SIGNALS = {
    **{tag: (placement, False) for tag, placement in _WEAK_TAGS.items()},
    **{tag: (placement, True) for tag, placement in _TAGS.items()},
}


class TextRun(NamedTuple):
    """A run of page text between two block boundaries (or ``<br>``).

    Attributes
    ----------
    words : int
        Words of the run.
    link_words : int
        Of those, the words inside links.
    """

    words: int
    link_words: int


@dataclass(frozen=True, slots=True)
class Landmarks:
    """What the ancestors of a node say about where it sits.

    Attributes
    ----------
    region : Placement or None
        The region the nearest deciding ancestor names, if any.
    is_strong : bool
        The region comes from a tag or a role rather than a class or id hint.
    is_comment : bool
        Some ancestor is a comment section.
    in_article : bool
        Some ancestor is ``<main>``, ``<article>`` or has role main/article.
    """

    region: Placement | None = None
    is_strong: bool = False
    is_comment: bool = False
    in_article: bool = False


PAGE_LANDMARKS = Landmarks()


def class_tokens(value: str) -> list[str]:
    """Return the lowercased word tokens of a ``class`` or ``id`` value.

    Class names that describe a state or a layout (``has-sidebar``,
    ``nav-open``) give no tokens. Hyphens, underscores and camel case separate
    words: ``siteHeader`` gives ``site`` and ``header``.
    """
    tokens: list[str] = []
    for name in _CLASS_NAME.findall(value):
        words = [word.lower() for word in _WORD.findall(name)]
        if not words or words[0] in _STATE_PREFIXES or words[-1] in _STATE_SUFFIXES:
            continue
        tokens.extend(words)
        if len(words) > 1:
            tokens.append("".join(words))
    return tokens


def element_signal(tag: str, attrs: Mapping[str, str | None]) -> tuple[Placement | None, bool]:
    """Return the region one element names and whether the signal is strong.

    Parameters
    ----------
    tag : str
        The lowercase tag name.
    attrs : mapping
        The element's attributes.

    Returns
    -------
    tuple
        ``(placement, is_strong)``; ``(None, False)`` when the element says nothing.
    """
    if not attrs:
        return _TAG_SIGNALS.get(tag, _NO_SIGNAL)
    return _signal(tag, attrs.get("role"), attrs.get("id"), attrs.get("class"))


@functools.lru_cache(maxsize=8192)
def _signal(
    tag: str, role: str | None, id_value: str | None, class_value: str | None
) -> tuple[Placement | None, bool]:
    """Return ``element_signal`` of one combination of tag, role, id and class."""
    if role:
        for word in role.lower().split():
            if word in _ROLES:
                return _ROLES[word], True
    if tag in _TAGS:
        return _TAGS[tag], True
    if tag in _IGNORED_HINTS:
        return _NO_SIGNAL
    found = _WEAK_TAGS.get(tag)
    for value in (id_value, class_value):
        if not value:
            continue
        for hinted in _value_hints(value):
            if hinted is Placement.COMMENT:
                return hinted, False
            if found is None or found is Placement.CONTENT:
                found = hinted
    return found, False


@functools.lru_cache(maxsize=16384)
def _value_hints(value: str) -> tuple[Placement, ...]:
    """Return the regions the tokens of one ``class`` or ``id`` value hint at, in order."""
    hints = (_TOKENS.get(token) for token in class_tokens(value))
    return tuple(hint for hint in hints if hint is not None)


def enter_element(parent: Landmarks, tag: str, attrs: Mapping[str, str | None]) -> Landmarks:
    """Return the landmarks of an element whose parent has *parent*.

    Returns *parent* itself when the element says nothing new, so that a walk
    allocates only where the page changes region.
    """
    region, is_strong = element_signal(tag, attrs)
    return enter_region(parent, region, is_strong)


def enter_region(parent: Landmarks, region: Placement | None, is_strong: bool) -> Landmarks:
    """Return the landmarks of an element whose ``element_signal`` is ``(region, is_strong)``.

    ``enter_element`` in two steps, for a walk that caches each element's signal.
    """
    if region is None:
        return parent
    if region is Placement.COMMENT:
        if parent.is_comment:
            return parent
        return dataclasses.replace(parent, is_comment=True)
    if region is Placement.CONTENT:
        if parent.region in _BOILERPLATE and parent.is_strong:
            return parent
        if is_strong:
            return Landmarks(Placement.CONTENT, True, parent.is_comment, True)
        if parent.region is Placement.CONTENT:
            return parent
        return Landmarks(Placement.CONTENT, False, parent.is_comment, parent.in_article)
    if region in _HEADER_OR_FOOTER and parent.in_article:
        return parent
    return Landmarks(region, is_strong, parent.is_comment, parent.in_article)


def classify_placement(
    landmarks: Landmarks,
    *,
    block_words: int,
    block_link_words: int,
    neighbours: tuple[TextRun, TextRun] | None = None,
) -> Placement:
    """Return where a link sits, from its landmarks and its enclosing block.

    Parameters
    ----------
    landmarks : Landmarks
        What the link's ancestors say (from ``enter_element``).
    block_words : int
        Words in the link's nearest block element (``p``, ``li``, ``div``…).
    block_link_words : int
        Of those, the words inside links.
    neighbours : (TextRun, TextRun), optional
        The runs of text just before and just after the link's own, when
        ``reads_neighbours`` says they matter; without them a link list in a
        content region is never content.

    Returns
    -------
    Placement
        The first decision of the rules in this module's docstring.
    """
    if landmarks.is_comment:
        return Placement.COMMENT
    density = block_link_words / block_words if block_words else 1.0
    is_running_text = density <= CONTENT_LINK_DENSITY and block_words >= CONTENT_BLOCK_WORDS
    if landmarks.region in _BOILERPLATE:
        if is_running_text and landmarks.in_article and not landmarks.is_strong:
            return Placement.CONTENT
        return landmarks.region
    if landmarks.region is Placement.CONTENT:
        if density < ARTICLE_LIST_DENSITY:
            return Placement.CONTENT
        if landmarks.in_article and neighbours is not None and all(map(_is_paragraph, neighbours)):
            return Placement.CONTENT
        return Placement.OTHER
    return Placement.CONTENT if is_running_text else Placement.OTHER


def reads_neighbours(landmarks: Landmarks, *, block_words: int, block_link_words: int) -> bool:
    """Return whether ``classify_placement`` of this link depends on its ``neighbours``.

    Only a link list inside a content region does; a caller can leave the
    neighbouring runs of every other link uncounted.
    """
    return (
        landmarks.in_article
        and landmarks.region is Placement.CONTENT
        and not landmarks.is_comment
        and block_link_words >= ARTICLE_LIST_DENSITY * block_words
    )


def _is_paragraph(run: TextRun) -> bool:
    """Return whether *run* reads as a paragraph of an article: long, few links."""
    return run.words >= NEIGHBOUR_WORDS and run.link_words <= CONTENT_LINK_DENSITY * run.words


def mark_sitewide(
    pages: Sequence[PageLinks],
    *,
    min_share: float = SITEWIDE_SHARE,
    min_pages: int = SITEWIDE_MIN_PAGES,
) -> list[PageLinks]:
    """Return *pages* with ``is_sitewide`` set on links that recur across the site.

    A link is sitewide when its (target, folded anchor) pair appears on at
    least *min_share* of *pages*, and there are at least *min_pages* pages.
    The caller passes pages of one site; fewer pages mark nothing.

    Parameters
    ----------
    pages : sequence of PageLinks
        Pages of one site.
    min_share : float
        Share of pages a pair must appear on, 0 < share <= 1.
    min_pages : int
        Fewest pages for any link to count as sitewide.

    Returns
    -------
    list of PageLinks
        New values, in the order of *pages*; the links are otherwise unchanged.
    """
    if len(pages) < max(min_pages, 1):
        return list(pages)
    seen: Counter[tuple[str, str]] = Counter()
    for page in pages:
        seen.update({(link.url, fold_anchor(link.anchor_text)) for link in page.links})
    needed = min_share * len(pages)
    sitewide = {pair for pair, count in seen.items() if count >= needed}
    return [
        dataclasses.replace(
            page,
            links=[
                dataclasses.replace(link, is_sitewide=True)
                if (link.url, fold_anchor(link.anchor_text)) in sitewide
                else link
                for link in page.links
            ],
        )
        for page in pages
    ]
