"""Links and what the tools that report them know.

A *sighting* is one report of one link: a row of an Ahrefs export, a page of a
crawl. Several sightings of the same link (same source page, same target page,
same anchor once whitespace and case are folded) become one link in the store
with several provenances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

#: rel tokens that stop a link from passing equity.
UNFOLLOWED_RELS = frozenset({"nofollow", "sponsored", "ugc"})


class Tool(StrEnum):
    """Where a sighting came from."""

    AHREFS = "ahrefs"
    SEMRUSH = "semrush"
    MAJESTIC = "majestic"
    MOZ = "moz"
    GSC = "gsc"
    CRAWL = "crawl"
    WARC = "warc"


class ExportKind(StrEnum):
    """What one row of an export describes."""

    BACKLINKS = "backlinks"
    REFERRING_DOMAINS = "referring_domains"
    TARGET_PAGES = "target_pages"


def fold_anchor(anchor: str) -> str:
    """Return the anchor as links are matched on: whitespace folded, case folded."""
    return " ".join(anchor.split()).casefold()


@dataclass(frozen=True, slots=True)
class LinkSighting:
    """One link as one source reports it.

    ``None`` means the source does not say (a GSC export knows nothing of rel);
    ``False`` means it says no. URLs are normalised (see ``normalize_url``).
    ``tool_metrics`` keeps the tool's own figures under their own names
    (``{"domain_rating": 71.0}``), never mixed with ours. ``placement``
    (a ``Placement`` value), ``is_hidden`` and ``position`` are known only for
    links read from the page's HTML.
    """

    source_url: str
    target_url: str
    row: int
    anchor: str = ""
    is_nofollow: bool | None = None
    is_sponsored: bool | None = None
    is_ugc: bool | None = None
    is_image: bool | None = None
    alt: str | None = None
    link_type: str | None = None
    is_sitewide: bool | None = None
    is_target_inferred: bool = False
    left_context: str | None = None
    right_context: str | None = None
    source_title: str | None = None
    source_status: int | None = None
    source_language: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    lost_at: datetime | None = None
    lost_reason: str | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)
    placement: str | None = None
    is_hidden: bool | None = None
    position: int | None = None

    @property
    def passes_equity(self) -> bool | None:
        """Whether the link is followed; ``None`` when the source does not say."""
        flags = (self.is_nofollow, self.is_sponsored, self.is_ugc)
        if any(flags):
            return False
        if all(flag is None for flag in flags):
            return None
        return True

    @property
    def anchor_key(self) -> str:
        """The anchor as sightings of one link are matched on."""
        return fold_anchor(self.anchor)


@dataclass(frozen=True, slots=True)
class ReferringDomainReport:
    """One row of a referring-domains export: a domain and the tool's figures for it."""

    domain: str
    row: int
    backlinks: int | None = None
    linking_pages: int | None = None
    target_pages: int | None = None
    authority: float | None = None
    ip_address: str | None = None
    country: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TargetPageReport:
    """One row of a top-linked-pages export: a page of the site and its link counts."""

    target_url: str
    row: int
    incoming_links: int | None = None
    linking_sites: int | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)


ExportRecord = LinkSighting | ReferringDomainReport | TargetPageReport


class Placement(StrEnum):
    """Where on its page a link sits, as a reader (and a search engine) sees the page."""

    CONTENT = "content"
    NAVIGATION = "navigation"
    HEADER = "header"
    FOOTER = "footer"
    SIDEBAR = "sidebar"
    COMMENT = "comment"
    OTHER = "other"


class AnchorClass(StrEnum):
    """What an anchor says about the page it links to (``analysis.anchors`` classifies)."""

    BRANDED = "branded"
    EXACT = "exact"
    PARTIAL = "partial"
    GENERIC = "generic"
    NAKED_URL = "naked_url"
    IMAGE = "image"
    EMPTY = "empty"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Link:
    """One link of one page, read from its HTML the way a search engine reads it.

    ``rel`` holds the lowercased tokens of the ``rel`` attribute; when the page
    says ``<meta name="robots" content="nofollow">`` (or ``none``, or the same
    for ``googlebot``), ``extract_links`` adds ``"nofollow"`` to every link's
    ``rel`` and records that on ``PageLinks.has_meta_nofollow``. For image
    links ``anchor_text`` is the image's alt text, as Ahrefs reports it.

    Attributes
    ----------
    url : str
        The target, absolute and normalised (``normalize_url``).
    anchor_text : str
        The visible text of the link, whitespace folded; the alt text for an
        image link.
    rel : frozenset of str
        Lowercased ``rel`` tokens.
    placement : Placement
        Where on the page the link sits.
    is_image : bool
        The link holds an image and no text.
    alt : str or None
        Alt text of the image of an image link; ``None`` for text links.
    title : str or None
        The ``title`` attribute, whitespace folded.
    hidden : bool
        Hidden by inline style, ``hidden`` or ``aria-hidden`` on the link or an
        ancestor.
    position : int
        0-based ordinal among the page's graph links, in document order.
    left_context, right_context : str
        About 100 characters of page text before and after the link.
    is_sitewide : bool
        The same target and anchor recur on most pages of the site
        (``mark_sitewide``).
    """

    url: str
    anchor_text: str
    rel: frozenset[str]
    placement: Placement
    is_image: bool
    alt: str | None
    title: str | None
    hidden: bool
    position: int
    left_context: str
    right_context: str
    is_sitewide: bool = False

    @property
    def nofollow(self) -> bool:
        """Whether the link (or its page, through meta robots) says nofollow."""
        return "nofollow" in self.rel

    @property
    def sponsored(self) -> bool:
        """Whether the link is marked ``rel="sponsored"``."""
        return "sponsored" in self.rel

    @property
    def ugc(self) -> bool:
        """Whether the link is marked ``rel="ugc"`` (user-generated content)."""
        return "ugc" in self.rel

    @property
    def passes_equity(self) -> bool:
        """Whether the link is followed: no nofollow, sponsored or ugc."""
        return not self.rel & UNFOLLOWED_RELS


@dataclass(frozen=True, slots=True)
class PageLinks:
    """The graph links of one page, and what was counted but kept out of the graph.

    Attributes
    ----------
    url : str
        The page, normalised.
    links : list of Link
        Links to http(s) pages, in document order.
    javascript_links, mailto_links, tel_links, data_links : int
        ``href`` values with those schemes.
    other_scheme_links : int
        ``href`` values with any other non-http(s) scheme (``ftp:``, ``sms:``…).
    self_links : int
        Empty or fragment-only ``href`` values that point back at the page itself.
    unresolved_links : int
        ``href`` values that are no URL we can use (``InvalidUrl``).
    has_meta_nofollow : bool
        The page's meta robots says nofollow (or none): every link carries it.
    is_truncated : bool
        The page hit a size, nesting or link-count cap and was read in part.
    """

    url: str
    links: list[Link]
    javascript_links: int = 0
    mailto_links: int = 0
    tel_links: int = 0
    data_links: int = 0
    other_scheme_links: int = 0
    self_links: int = 0
    unresolved_links: int = 0
    has_meta_nofollow: bool = False
    is_truncated: bool = False
