"""The backlink exports we recognise, described by their header rows.

Each :class:`ExportFormat` names the *canonical fields* an export carries and the
header spellings seen for each in the wild. Columns are found by name, never by
position, and names are compared after :func:`normalize_header` folds case,
width, whitespace and punctuation, so ``Source url``, ``source_url`` and
``SourceURL`` are one header.

Sources of the spellings
------------------------
- Ahrefs, Semrush and Majestic: the header rows of their backlink exports and of
  the Majestic ``GetBackLinkData`` API (``SourceURL``, ``FirstIndexedDate``...).
- Moz: the Open Site Explorer / Link Explorer inbound-links CSV (``URL, Title,
  Anchor Text, Spam Score, Page Authority, Domain Authority, ... Target URL,
  Link Equity, No Link Equity, Only rel=nofollow, Only follow, 301``) and its
  older form (``Number of Links, Followable, 301, Origin``). Newer column names
  (``Source URL``, ``Link Type``, ``First Seen``) are accepted as aliases.
- Google Search Console: English headers, the Spanish "Latest links" header
  (``Página con enlaces, Último rastreo``) and the Hebrew headers of all three
  link tables, each seen in real exports; no other language is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from linkequity.errors import UnknownExportFormat
from linkequity.model.links import ExportKind, Tool

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_SHOWN_HEADERS = 8
_SHOWN_HEADER_CHARS = 40


def normalize_header(text: str) -> str:
    """Return *text* as headers are compared: NFKC, case-folded, letters and digits only.

    Examples
    --------
    >>> normalize_header(" Referring page-URL ")
    'referringpageurl'
    >>> normalize_header("page_ascore") == normalize_header("Page ascore")
    True
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


@dataclass(frozen=True, slots=True)
class MetricPattern:
    """A family of numbered columns (Majestic's topical Trust Flow) kept as metrics.

    ``regex`` is matched against the normalised header; ``template`` is expanded
    with its groups into the metric name.
    """

    regex: re.Pattern[str]
    template: str
    is_numeric: bool


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export layout of one tool, recognised by its header row.

    Attributes
    ----------
    name
        Stable identifier, such as ``"ahrefs_backlinks"``.
    tool, kind
        Who wrote the export and what one row describes.
    title
        Human title for ``linkequity formats``.
    required
        Canonical fields whose columns must all be present.
    aliases
        Canonical field -> header spellings.
    numeric_metrics, text_metrics, flag_metrics
        Canonical fields copied into ``tool_metrics`` as numbers, text, or
        booleans stored as 1.0/0.0.
    metric_patterns
        Numbered column families kept as metrics.
    is_blank_flag_false
        Whether an empty flag cell means "no" (Majestic) rather than "unknown".
    is_day_first
        Convention for an ambiguous ``03/04/2026`` when no row of the file settles it.
    needs_site
        Rows do not name the target; the user's site stands in for it.
    authority_metric
        Metric that also fills ``ReferringDomainReport.authority``.
    """

    name: str
    tool: Tool
    kind: ExportKind
    title: str
    required: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    numeric_metrics: frozenset[str] = frozenset()
    text_metrics: frozenset[str] = frozenset()
    flag_metrics: frozenset[str] = frozenset()
    metric_patterns: tuple[MetricPattern, ...] = ()
    is_blank_flag_false: bool = False
    is_day_first: bool = False
    needs_site: bool = False
    authority_metric: str | None = None
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for canonical, spellings in self.aliases.items():
            for spelling in spellings:
                lookup.setdefault(normalize_header(spelling), canonical)
        object.__setattr__(self, "_lookup", lookup)

    def canonical(self, header: str) -> str | None:
        """Return the canonical field *header* names in this format, if any."""
        return self._lookup.get(normalize_header(header))


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Where each canonical field sits in one file's rows."""

    columns: Mapping[str, int]
    patterned: tuple[tuple[int, str, bool], ...] = ()

    def __contains__(self, canonical: object) -> bool:
        return canonical in self.columns


def header_map(fmt: ExportFormat, headers: Sequence[str]) -> HeaderMap:
    """Map the canonical fields of *fmt* to column indexes of *headers* (first wins)."""
    columns: dict[str, int] = {}
    patterned: list[tuple[int, str, bool]] = []
    for index, header in enumerate(headers):
        canonical = fmt.canonical(header)
        if canonical is not None:
            columns.setdefault(canonical, index)
            continue
        normalised = normalize_header(header)
        for pattern in fmt.metric_patterns:
            match = pattern.regex.fullmatch(normalised)
            if match:
                patterned.append((index, match.expand(pattern.template), pattern.is_numeric))
                break
    return HeaderMap(columns, tuple(patterned))


def _a(*spellings: str) -> tuple[str, ...]:
    return spellings


_AHREFS = ExportFormat(
    name="ahrefs_backlinks",
    tool=Tool.AHREFS,
    kind=ExportKind.BACKLINKS,
    title="Ahrefs Site Explorer backlinks export",
    required=("source_url", "target_url"),
    aliases={
        "source_title": _a("Referring page title"),
        "source_url": _a("Referring page URL"),
        "language": _a("Language"),
        "platform": _a("Platform"),
        "source_status": _a("Referring page HTTP code"),
        "domain_rating": _a("Domain rating", "DR"),
        "url_rating": _a("UR", "URL rating"),
        "domain_traffic": _a("Domain traffic"),
        "referring_domains": _a("Referring domains"),
        "linked_domains": _a("Linked domains"),
        "external_links": _a("External links"),
        "page_traffic": _a("Page traffic"),
        "keywords": _a("Keywords"),
        "target_url": _a("Target URL", "Link URL"),
        "left_context": _a("Left context", "TextPre"),
        "anchor": _a("Anchor", "Link Anchor"),
        "right_context": _a("Right context", "TextPost"),
        "redirect_chain_urls": _a("Redirect Chain URLs"),
        "redirect_chain_status_codes": _a("Redirect Chain status codes"),
        "link_type": _a("Type"),
        "is_spam": _a("Is spam"),
        "is_content": _a("Content"),
        "nofollow": _a("Nofollow"),
        "ugc": _a("UGC"),
        "sponsored": _a("Sponsored"),
        "is_rendered": _a("Rendered"),
        "is_raw": _a("Raw"),
        "lost_reason": _a("Lost status"),
        "drop_reason": _a("Drop reason"),
        "discovered_status": _a("Discovered status"),
        "first_seen": _a("First seen"),
        "last_seen": _a("Last seen", "Last check"),
        "lost_at": _a("Lost"),
        "author": _a("Author"),
        "page_type": _a("Page type"),
        "page_category": _a("Page category"),
        "links_in_group": _a("Links in group"),
    },
    numeric_metrics=frozenset(
        {
            "domain_rating",
            "url_rating",
            "domain_traffic",
            "referring_domains",
            "linked_domains",
            "external_links",
            "page_traffic",
            "keywords",
            "links_in_group",
        }
    ),
    text_metrics=frozenset(
        {
            "platform",
            "redirect_chain_urls",
            "redirect_chain_status_codes",
            "drop_reason",
            "discovered_status",
            "author",
            "page_type",
            "page_category",
        }
    ),
    flag_metrics=frozenset({"is_spam", "is_content", "is_rendered", "is_raw"}),
)

_SEMRUSH_BACKLINKS = ExportFormat(
    name="semrush_backlinks",
    tool=Tool.SEMRUSH,
    kind=ExportKind.BACKLINKS,
    title="Semrush Backlink Analytics backlinks (UI export or API)",
    required=("source_url", "target_url", "anchor"),
    aliases={
        "page_ascore": _a("Page ascore", "page_ascore"),
        "page_score": _a("Page score"),
        "page_trust_score": _a("Page trust score"),
        "source_title": _a("Source title", "source_title"),
        "source_url": _a("Source url", "source_url"),
        "target_url": _a("Target url", "target_url"),
        "anchor": _a("Anchor", "anchor"),
        "external_links": _a("External links", "external_num", "external_links"),
        "internal_links": _a("Internal links", "internal_num", "internal_links"),
        "nofollow": _a("Nofollow", "nofollow"),
        "sponsored": _a("Sponsored", "sponsored"),
        "ugc": _a("Ugc", "ugc"),
        "text_link": _a("Text", "text"),
        "frame": _a("Frame", "frame"),
        "form": _a("Form", "form"),
        "image": _a("Image", "image"),
        "sitewide": _a("Sitewide", "sitewide"),
        "first_seen": _a("First seen", "first_seen"),
        "last_seen": _a("Last seen", "last_seen"),
        "is_new_link": _a("New link", "newlink"),
        "lost_flag": _a("Lost link", "lostlink"),
    },
    numeric_metrics=frozenset({"page_ascore", "page_score", "page_trust_score"})
    | frozenset({"external_links", "internal_links"}),
    flag_metrics=frozenset({"is_new_link"}),
)

_SEMRUSH_DOMAINS = ExportFormat(
    name="semrush_referring_domains",
    tool=Tool.SEMRUSH,
    kind=ExportKind.REFERRING_DOMAINS,
    title="Semrush Backlink Analytics referring domains (UI export or API)",
    required=("domain", "backlinks"),
    aliases={
        "domain_ascore": _a("Domain ascore", "domain_ascore", "authority_score", "Authority score"),
        "domain": _a("Domain", "domain"),
        "backlinks": _a("Backlinks", "backlinks_num"),
        "ip_address": _a("IP address", "ip"),
        "country": _a("Country", "country"),
        "first_seen": _a("First seen", "first_seen"),
        "last_seen": _a("Last seen", "last_seen"),
    },
    numeric_metrics=frozenset({"domain_ascore"}),
    authority_metric="domain_ascore",
)

_TOPICAL = (
    MetricPattern(
        re.compile(r"(source|target|refdomain)topicaltrustflowtopic(\d+)"),
        r"\1_topical_trust_flow_topic_\2",
        is_numeric=False,
    ),
    MetricPattern(
        re.compile(r"(source|target|refdomain)topicaltrustflowvalue(\d+)"),
        r"\1_topical_trust_flow_value_\2",
        is_numeric=True,
    ),
)

_MAJESTIC = ExportFormat(
    name="majestic_backlinks",
    tool=Tool.MAJESTIC,
    kind=ExportKind.BACKLINKS,
    title="Majestic backlinks download (Site Explorer export or GetBackLinkData)",
    required=("source_url", "target_url", "anchor", "nofollow"),
    aliases={
        "target_url": _a("Target URL"),
        "source_url": _a("Source URL"),
        "anchor": _a("Anchor Text"),
        "last_seen": _a("Source Crawl Date", "LastSeenDate", "Last Seen Date"),
        "first_seen": _a("Source First Found Date", "FirstIndexedDate", "First Indexed Date"),
        "lost_at": _a("DateLost", "Date Lost"),
        "nofollow": _a("FlagNoFollow"),
        "image": _a("FlagImageLink", "FlagImages"),
        "redirect": _a("FlagRedirect"),
        "frame": _a("FlagFrame"),
        "flag_old_crawl": _a("FlagOldCrawl"),
        "alt_text_flag": _a("FlagAltText"),
        "mention": _a("FlagMention"),
        "lost_flag": _a("FlagDeleted"),
        "source_citation_flow": _a("SourceCitationFlow"),
        "source_trust_flow": _a("SourceTrustFlow"),
        "target_citation_flow": _a("TargetCitationFlow"),
        "target_trust_flow": _a("TargetTrustFlow"),
    },
    numeric_metrics=frozenset(
        {"source_citation_flow", "source_trust_flow", "target_citation_flow", "target_trust_flow"}
    ),
    flag_metrics=frozenset({"flag_old_crawl"}),
    metric_patterns=_TOPICAL,
    is_blank_flag_false=True,
)

_MOZ = ExportFormat(
    name="moz_inbound_links",
    tool=Tool.MOZ,
    kind=ExportKind.BACKLINKS,
    title="Moz Link Explorer (Open Site Explorer) inbound links",
    required=("source_url", "target_url", "anchor"),
    aliases={
        "source_url": _a("URL", "Source URL"),
        "source_title": _a("Title", "Source Title"),
        "anchor": _a("Anchor Text"),
        "spam_score": _a("Spam Score", "Source Spam Score"),
        "page_authority": _a("Page Authority", "PA", "Source Page Authority"),
        "domain_authority": _a("Domain Authority", "DA", "Source Domain Authority"),
        "linking_domains_to_page": _a("Number of Domains Linking to this Page"),
        "linking_domains_to_domain": _a("Number of Domains Linking to Domain"),
        "links_to_page": _a("Number of Links"),
        "origin": _a("Origin"),
        "target_url": _a("Target URL"),
        "link_equity": _a("Link Equity"),
        "no_link_equity": _a("No Link Equity"),
        "nofollow": _a("Only rel=nofollow", "Nofollow"),
        "only_follow": _a("Only follow"),
        "followable": _a("Followable"),
        "redirect": _a("301"),
        "link_type": _a("Link Type"),
        "first_seen": _a("First Seen", "Date First Seen"),
        "last_seen": _a("Last Seen", "Date Last Seen"),
        "lost_at": _a("Date Lost", "Lost Date"),
    },
    numeric_metrics=frozenset(
        {
            "spam_score",
            "page_authority",
            "domain_authority",
            "linking_domains_to_page",
            "linking_domains_to_domain",
            "links_to_page",
        }
    ),
    text_metrics=frozenset({"origin"}),
    flag_metrics=frozenset({"link_equity", "no_link_equity", "only_follow"}),
)

_GSC_LATEST = ExportFormat(
    name="gsc_latest_links",
    tool=Tool.GSC,
    kind=ExportKind.BACKLINKS,
    title="Google Search Console Links: Latest links",
    required=("source_url", "last_seen"),
    aliases={
        "source_url": _a("Linking page", "Página con enlaces", "דף מקשר"),
        "last_seen": _a("Last crawled", "Último rastreo", "נסרק לאחרונה"),
    },
    needs_site=True,
)

_GSC_SAMPLE = ExportFormat(
    name="gsc_sample_links",
    tool=Tool.GSC,
    kind=ExportKind.BACKLINKS,
    title="Google Search Console Links: More sample links",
    required=("source_url",),
    aliases=_GSC_LATEST.aliases,
    needs_site=True,
)

_GSC_SITES = ExportFormat(
    name="gsc_top_linking_sites",
    tool=Tool.GSC,
    kind=ExportKind.REFERRING_DOMAINS,
    title="Google Search Console Links: Top linking sites",
    required=("domain", "linking_pages"),
    aliases={
        "domain": _a("Site", "אתר"),
        "linking_pages": _a("Linking pages", "דפים מקשרים"),
        "target_pages": _a("Target pages", "דפי יעד"),
    },
)

_GSC_PAGES = ExportFormat(
    name="gsc_top_linked_pages",
    tool=Tool.GSC,
    kind=ExportKind.TARGET_PAGES,
    title="Google Search Console Links: Top linked pages",
    required=("target_url", "incoming_links"),
    aliases={
        "target_url": _a("Target page", "דף יעד"),
        "incoming_links": _a("Incoming links", "קישורים נכנסים"),
        "linking_sites": _a("Linking sites", "אתרים מקשרים"),
    },
)

FORMATS: tuple[ExportFormat, ...] = (
    _AHREFS,
    _SEMRUSH_BACKLINKS,
    _SEMRUSH_DOMAINS,
    _MAJESTIC,
    _MOZ,
    _GSC_LATEST,
    _GSC_SAMPLE,
    _GSC_SITES,
    _GSC_PAGES,
)


def known_formats() -> tuple[ExportFormat, ...]:
    """Return every recognised export format, in the order ``linkequity formats`` lists them."""
    return FORMATS


def match_format(headers: Sequence[str]) -> ExportFormat | None:
    """Return the most specific format whose required columns are all in *headers*.

    Most specific means the most required fields, then the most recognised
    columns; ``None`` when no format fits.
    """
    best: ExportFormat | None = None
    best_score = (0, 0)
    for fmt in FORMATS:
        found = header_map(fmt, headers)
        if not all(canonical in found for canonical in fmt.required):
            continue
        score = (len(fmt.required), len(found.columns) + len(found.patterned))
        if score > best_score:
            best, best_score = fmt, score
    return best


def detect_format(headers: Sequence[str]) -> ExportFormat:
    """Return the export format *headers* belong to.

    Raises
    ------
    UnknownExportFormat
        With a one-line message listing the headers found and the formats known.
    """
    fmt = match_format(headers)
    if fmt is None:
        raise UnknownExportFormat(
            f"header row matches no known export; found {describe_headers(headers)}; "
            f"known formats: {', '.join(known.name for known in FORMATS)}"
        )
    return fmt


def describe_headers(headers: Sequence[str]) -> str:
    """Return *headers* quoted on one line, each and the list truncated."""
    shown = []
    for header in headers[:_SHOWN_HEADERS]:
        text = " ".join("".join(c if c.isprintable() else " " for c in header).split())
        if len(text) > _SHOWN_HEADER_CHARS:
            text = text[: _SHOWN_HEADER_CHARS - 1] + "…"
        shown.append(f"'{text}'")
    if not shown:
        return "no headers"
    more = len(headers) - _SHOWN_HEADERS
    suffix = f" (+{more} more)" if more > 0 else ""
    return ", ".join(shown) + suffix
