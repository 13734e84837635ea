"""What one fetched page says about itself: the signals a link's value depends on.

``linkequity.parsing.page.parse_page`` builds a ``PageSignals`` from the HTML,
the response headers and the status; everything here is a plain value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

#: Characters of a page's main text a ``PageRecord`` keeps (the store's ``page_texts``):
#: enough for topical relevance (the first 20,000 characters of an article say
#: what it is about) at a bounded cost per page in the store and between processes.
MAX_STORED_TEXT_CHARS = 20_000


class IndexabilityReason(StrEnum):
    """Why a page is or is not indexable; the first rule that applies wins."""

    INDEXABLE = "indexable"
    STATUS = "status"
    REDIRECT = "redirect"
    ROBOTS_TXT = "robots_txt"
    NOINDEX = "noindex"
    NOT_HTML = "not_html"
    CANONICALISED = "canonicalised"


class LanguageSource(StrEnum):
    """Where the page's language came from, most trusted first."""

    HTML_LANG = "html_lang"
    CONTENT_LANGUAGE = "content_language"
    DETECTED = "detected"


class CanonicalSource(StrEnum):
    """Which declaration the canonical URL was taken from."""

    HTML = "html"
    HEADER = "header"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Indexability:
    """Whether search engines may index the page, and the rule that decided it.

    ``detail`` is a short human text such as ``"status 404"`` or
    ``"noindex in meta robots"``; it is ``""`` for an indexable page.
    """

    reason: IndexabilityReason
    detail: str = ""

    @property
    def is_indexable(self) -> bool:
        """Whether no rule stopped the page from being indexed."""
        return self.reason is IndexabilityReason.INDEXABLE


@dataclass(frozen=True, slots=True)
class Canonical:
    """The canonical URL declared in the HTML and in the ``Link`` header.

    ``url`` is the one that applies, or ``None`` when none was declared or the
    two declarations disagree (``is_conflicting``): Google ignores conflicting
    canonical hints, and so do we.
    """

    html: str | None = None
    header: str | None = None

    @property
    def is_conflicting(self) -> bool:
        """Whether the HTML and the header name different URLs."""
        return self.html is not None and self.header is not None and self.html != self.header

    @property
    def url(self) -> str | None:
        """The canonical URL that applies, or ``None``."""
        if self.is_conflicting:
            return None
        return self.html if self.html is not None else self.header

    @property
    def source(self) -> CanonicalSource | None:
        """Where ``url`` was declared, or ``None`` when no canonical applies."""
        if self.is_conflicting or (self.html is None and self.header is None):
            return None
        if self.html is not None and self.header is not None:
            return CanonicalSource.BOTH
        return CanonicalSource.HTML if self.html is not None else CanonicalSource.HEADER


@dataclass(frozen=True, slots=True)
class Footprints:
    """Ids of third-party accounts found in the page, each tuple sorted and unique.

    Pages that share one of these are run by the same account holder, which is
    how link networks give themselves away.
    """

    analytics_ids: tuple[str, ...] = ()
    tag_manager_ids: tuple[str, ...] = ()
    adsense_publishers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PageSignals:
    """Everything ``parse_page`` learns about one fetched page.

    Attributes
    ----------
    url, final_url : str
        The requested URL and the URL after redirects, normalised.
    status : int
        HTTP status code.
    content_type : str or None
        Media type from the ``Content-Type`` header, lowercase, without
        parameters; ``None`` when the header is absent.
    robots : frozenset of str
        Robots directives that apply to Googlebot, from ``<meta name=robots>``,
        ``<meta name=googlebot>`` and ``X-Robots-Tag``; ``none`` adds
        ``noindex`` and ``nofollow``.
    noindex_sources : tuple of str
        Where a ``noindex`` came from (``"meta robots"``, ``"meta googlebot"``,
        ``"X-Robots-Tag"``), in that order; empty when there is none.
    canonical : Canonical
        The canonical declarations and the one that applies.
    hreflang : tuple of (str, str)
        ``(language, url)`` alternates, lowercase language, HTML first.
    language, language_source
        Primary language subtag (``"en"``) and where it came from, or ``None``.
    title, description : str
        Whitespace-folded ``<title>`` and meta description, capped.
    main_text : str
        The page's main text, whitespace folded, capped.
    word_count : int
        Words in the main text (CJK characters count one each).
    internal_links, external_links : int
        Distinct followed http(s) ``<a href>`` and ``<area href>`` targets on
        the same registrable domain as ``final_url``, and on other domains;
        both 0 when a page-level ``nofollow`` follows none.
    template_hash, content_hash : str
        Hex digests of the DOM skeleton and of the normalised main text.
    footprints : Footprints
        Analytics, Tag Manager and AdSense ids.
    indexability : Indexability
        Whether the page can be indexed, and why not.
    """

    url: str
    final_url: str
    status: int
    content_type: str | None
    robots: frozenset[str]
    noindex_sources: tuple[str, ...]
    canonical: Canonical
    hreflang: tuple[tuple[str, str], ...]
    language: str | None
    language_source: LanguageSource | None
    title: str
    description: str
    main_text: str
    word_count: int
    internal_links: int
    external_links: int
    template_hash: str
    content_hash: str
    footprints: Footprints
    indexability: Indexability

    @property
    def is_indexable(self) -> bool:
        """Whether search engines may index the page."""
        return self.indexability.is_indexable

    @property
    def is_noindex(self) -> bool:
        """Whether a robots directive forbids indexing."""
        return "noindex" in self.robots

    @property
    def is_nofollow(self) -> bool:
        """Whether a robots directive tells engines not to follow the page's links."""
        return "nofollow" in self.robots


@dataclass(frozen=True, slots=True)
class PageRecord:
    """One fetch of one page as the store keeps it: a row of ``pages``.

    ``None`` means not known: an archived WAT record tells the status but not
    the title, and nothing in an archive tells whether robots.txt allowed the
    fetch or how deep the crawler was.

    Attributes
    ----------
    url : str
        The fetched URL, normalised.
    status : int or None
        HTTP status code.
    final_url : str or None
        Where the fetch ended: the URL itself for a 2xx, the ``Location`` of a redirect.
    content_type : str or None
        Media type, lowercase, without parameters.
    title, language : str or None
        As ``PageSignals`` has them.
    word_count : int or None
        Words of the main text.
    is_indexable : bool or None
        Whether the page can be indexed.
    non_indexable_reason, indexability_detail : str or None
        The ``IndexabilityReason`` value and its human detail, when not indexable.
    canonical_url : str or None
        The canonical URL that applies.
    is_robots_allowed : bool or None
        Whether robots.txt allowed the fetch.
    crawl_depth : int or None
        Links followed from a seed to reach the page.
    content_hash, template_hash : str or None
        As ``PageSignals`` has them.
    fetched_at : datetime or None
        When the page was fetched, UTC.
    robots : str or None
        Robots directives that apply, sorted and space-separated.
    internal_links, external_links : int or None
        As ``PageSignals`` has them.
    footprints : Footprints or None
        Analytics, Tag Manager and AdSense ids.
    main_text : str or None
        The main text, whitespace folded, its first ``MAX_STORED_TEXT_CHARS``
        characters; ``None`` when no HTML was read (a redirect, an error, a
        WAT record). Data from the web: stored and compared, never evaluated.
    """

    url: str
    status: int | None
    final_url: str | None = None
    content_type: str | None = None
    title: str | None = None
    language: str | None = None
    word_count: int | None = None
    is_indexable: bool | None = None
    non_indexable_reason: str | None = None
    indexability_detail: str | None = None
    canonical_url: str | None = None
    is_robots_allowed: bool | None = None
    crawl_depth: int | None = None
    content_hash: str | None = None
    template_hash: str | None = None
    fetched_at: datetime | None = None
    robots: str | None = None
    internal_links: int | None = None
    external_links: int | None = None
    footprints: Footprints | None = None
    main_text: str | None = None

    @classmethod
    def from_signals(
        cls,
        signals: PageSignals,
        *,
        fetched_at: datetime | None = None,
        is_robots_allowed: bool | None = None,
        crawl_depth: int | None = None,
    ) -> PageRecord:
        """Return the record of a page whose HTML was read by ``parse_page``."""
        indexability = signals.indexability
        return cls(
            url=signals.url,
            status=signals.status,
            final_url=signals.final_url,
            content_type=signals.content_type,
            title=signals.title,
            language=signals.language,
            word_count=signals.word_count,
            is_indexable=indexability.is_indexable,
            non_indexable_reason=None if indexability.is_indexable else str(indexability.reason),
            indexability_detail=indexability.detail or None,
            canonical_url=signals.canonical.url,
            is_robots_allowed=is_robots_allowed,
            crawl_depth=crawl_depth,
            content_hash=signals.content_hash,
            template_hash=signals.template_hash,
            fetched_at=fetched_at,
            robots=" ".join(sorted(signals.robots)) or None,
            internal_links=signals.internal_links,
            external_links=signals.external_links,
            footprints=signals.footprints,
            main_text=signals.main_text[:MAX_STORED_TEXT_CHARS],
        )
