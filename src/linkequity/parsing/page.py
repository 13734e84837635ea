"""Page signals: what one fetched page says about its own indexability and content.

``parse_page`` takes the body, URL, response headers and status of one fetch and
returns a ``PageSignals``. It is pure and never raises on hostile HTML or
headers; only an invalid *url* is refused.

Rules worth knowing:

- Robots directives (``parsing.html.robots_directives``) are the union of
  ``<meta name=robots>``, ``<meta name=googlebot>`` and every ``X-Robots-Tag``
  header whose user-agent prefix is absent or ``googlebot``; ``none`` means
  ``noindex`` and ``nofollow``.
- The canonical URL is the first ``<link rel=canonical>`` that resolves to an
  http(s) URL (against ``<base href>``) and the first ``rel=canonical`` of the
  ``Link`` header. When both exist and differ, neither applies: Google ignores
  conflicting canonical hints.
- Internal and external link counts are the distinct followed targets of
  ``<a href>`` and ``<area href>`` on the page's registrable domain and off it,
  the page itself left out; a page-level ``nofollow`` (meta robots, googlebot
  or ``X-Robots-Tag``) follows none, so both are 0.
- Indexability is decided by the first rule that fails, in this order: status
  not 2xx (3xx is a redirect), robots.txt, noindex, a non-HTML content type, a
  canonical naming another URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from linkequity.errors import InvalidUrl
from linkequity.model.links import UNFOLLOWED_RELS, PageLinks
from linkequity.model.pages import (
    Canonical,
    Indexability,
    IndexabilityReason,
    LanguageSource,
    PageSignals,
)
from linkequity.model.urls import normalize_url, registrable_domain, resolve_url, url_host
from linkequity.parsing.html import BoundedTree, meta_contents, parse_html, robots_directives
from linkequity.parsing.links import extract_tree_links
from linkequity.parsing.page_text import (
    MAX_MAIN_TEXT_CHARS,
    content_hash,
    count_words,
    detect_language,
    extract_main_text,
    find_footprints,
    fold_whitespace,
    template_hash,
)

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "HTML_TYPES",
    "MAX_DESCRIPTION_CHARS",
    "MAX_LINKS",
    "MAX_TITLE_CHARS",
    "media_type",
    "parse_link_header",
    "parse_page",
    "read_page",
]

MAX_TITLE_CHARS = 512
MAX_DESCRIPTION_CHARS = 1024
#: ``<a href>`` elements read for the link counts; later ones are not counted.
MAX_LINKS = 10_000

Headers = Mapping[str, str] | Sequence[tuple[str, str]] | None

#: Media types read as HTML.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_LINK_TARGET = re.compile(r"\s*<([^>]*)>")
_LINK_PARAM = re.compile(r"""\s*;\s*([^\s=;,]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^\s;,]*))?""", re.S)
_LANG_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*")


def parse_page(
    html: str | bytes,
    url: str,
    headers: Headers = None,
    status: int = 200,
    *,
    final_url: str | None = None,
    robots_allowed: bool = True,
) -> PageSignals:
    """Return the signals of one fetched page.

    Parameters
    ----------
    html : str or bytes
        The response body, decoded and bounded by ``parsing.html.parse_html``.
    url : str
        The requested URL.
    headers : mapping or sequence of (name, value), optional
        Response headers; names are case-insensitive and may repeat.
    status : int
        HTTP status code.
    final_url : str, optional
        URL after redirects; defaults to *url*. Relative links resolve against it.
    robots_allowed : bool
        Whether robots.txt allowed fetching the page.

    Returns
    -------
    PageSignals

    Raises
    ------
    InvalidUrl
        If *url* or *final_url* is not an absolute http(s) URL.
    """
    page_url = normalize_url(url)
    final = normalize_url(final_url) if final_url is not None else page_url
    header_list = _header_pairs(headers)
    bounded = parse_html(html, content_type=_first_header(header_list, "content-type"))
    # Read before the signals, which rewrite the tree.
    targets = _followed_targets(bounded.tree, _base_url(bounded.tree, final))
    signals = _signals(bounded, page_url, final, header_list, status, robots_allowed)
    if "nofollow" in signals.robots:
        return signals
    return _with_link_counts(signals, targets)


def read_page(
    html: str | bytes,
    url: str,
    headers: Headers = None,
    status: int = 200,
    *,
    final_url: str | None = None,
    robots_allowed: bool = True,
) -> tuple[PageSignals, PageLinks]:
    """Return the signals and the links of one fetched page, parsing it once.

    The same as ``parse_page`` and ``extract_page_links(html, final_url)``
    together, at the cost of one parse and a copy of the parsed tree: what a
    crawl or an archive ingest wants of every page. The link counts of the
    signals are taken from the links found.

    Raises
    ------
    InvalidUrl
        If *url* or *final_url* is not an absolute http(s) URL.
    """
    page_url = normalize_url(url)
    final = normalize_url(final_url) if final_url is not None else page_url
    header_list = _header_pairs(headers)
    bounded = parse_html(html, content_type=_first_header(header_list, "content-type"))
    # Both readings rewrite the tree they read; copying it costs a third of a parse.
    links = extract_tree_links(replace(bounded, tree=bounded.tree.clone()), final)
    signals = _signals(bounded, page_url, final, header_list, status, robots_allowed)
    if "nofollow" in signals.robots:
        return signals, links
    return _with_link_counts(
        signals, [link.url for link in links.links if link.passes_equity]
    ), links


def _signals(
    bounded: BoundedTree,
    page_url: str,
    final: str,
    header_list: list[tuple[str, str]],
    status: int,
    robots_allowed: bool,
) -> PageSignals:
    """Return every signal of the parsed page but the link counts, which are 0 here.

    The tree is rewritten (``extract_main_text`` drops boilerplate from it).
    """
    content_type = media_type(_first_header(header_list, "content-type"))
    tree = bounded.tree
    base = _base_url(tree, final)
    meta_robots = meta_contents(tree, "robots")
    meta_googlebot = meta_contents(tree, "googlebot")
    header_robots = [value for name, value in header_list if name == "x-robots-tag"]
    robots: set[str] = set()
    noindex_sources: list[str] = []
    for source, values, has_agents in (
        ("meta robots", meta_robots, False),
        ("meta googlebot", meta_googlebot, False),
        ("X-Robots-Tag", header_robots, True),
    ):
        found = robots_directives(values, agent_prefixes=has_agents)
        robots |= found
        if "noindex" in found:
            noindex_sources.append(source)

    link_header = [
        link for name, value in header_list if name == "link" for link in parse_link_header(value)
    ]
    canonical = Canonical(
        html=_html_canonical(tree, base), header=_header_canonical(link_header, final)
    )
    hreflang = _hreflang(tree, base, link_header, final)

    title = _title(tree)
    description = _meta_description(tree)
    footprints = find_footprints(bounded.text)
    skeleton = template_hash(tree)
    main_text = extract_main_text(tree)

    language, language_source = _language(tree, header_list, main_text)
    indexability = _indexability(
        status, robots_allowed, noindex_sources, content_type, canonical.url, final
    )
    return PageSignals(
        url=page_url,
        final_url=final,
        status=status,
        content_type=content_type,
        robots=frozenset(robots),
        noindex_sources=tuple(noindex_sources),
        canonical=canonical,
        hreflang=hreflang,
        language=language,
        language_source=language_source,
        title=title,
        description=description,
        main_text=main_text[:MAX_MAIN_TEXT_CHARS],
        word_count=count_words(main_text),
        internal_links=0,
        external_links=0,
        template_hash=skeleton,
        content_hash=content_hash(main_text),
        footprints=footprints,
        indexability=indexability,
    )


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """Return the links of one HTTP ``Link`` header value (RFC 8288).

    Each link is ``(target, params)`` with parameter names lowercased and quoted
    values unquoted; commas inside ``<...>`` belong to the URL. Parsing stops
    at the first malformed link, keeping the ones before it.
    """
    links: list[tuple[str, dict[str, str]]] = []
    position = 0
    while position < len(value):
        target = _LINK_TARGET.match(value, position)
        if target is None:
            break
        position = target.end()
        params: dict[str, str] = {}
        while (param := _LINK_PARAM.match(value, position)) is not None:
            position = param.end()
            raw = (param.group(2) or "").strip()
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            params.setdefault(param.group(1).lower(), raw)
        links.append((target.group(1).strip(), params))
        rest = value[position:].lstrip()
        if rest and not rest.startswith(","):
            break
        position = len(value) - len(rest) + 1
    return links


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Return *headers* as ``(lowercase name, value)`` pairs, in order."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name).strip().lower(), str(value)) for name, value in items]


def _first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    """Return the first value of header *name*, or ``None``."""
    return next((value for key, value in headers if key == name), None)


def media_type(content_type: str | None) -> str | None:
    """Return the media type of a ``Content-Type`` value, lowercase, or ``None``."""
    if content_type is None:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _resolve(base: str, href: str | None) -> str | None:
    """Return *href* resolved against *base*, or ``None`` if it is not an http(s) URL."""
    if not href or not href.strip():
        return None
    try:
        return resolve_url(base, href)
    except InvalidUrl:
        return None


def _base_url(tree: LexborHTMLParser, final: str) -> str:
    """Return the URL relative references resolve against: ``<base href>`` or *final*."""
    base = tree.css_first("base[href]")
    resolved = _resolve(final, base.attributes.get("href")) if base is not None else None
    return resolved or final


def _rel_tokens(value: str | None) -> set[str]:
    """Return the lowercase tokens of a ``rel`` attribute or parameter."""
    return set((value or "").lower().split())


def _html_canonical(tree: LexborHTMLParser, base: str) -> str | None:
    """Return the first ``<link rel=canonical>`` that resolves to an http(s) URL."""
    for node in tree.css("link[rel][href]"):
        if "canonical" in _rel_tokens(node.attributes.get("rel")):
            resolved = _resolve(base, node.attributes.get("href"))
            if resolved is not None:
                return resolved
    return None


def _header_canonical(links: list[tuple[str, dict[str, str]]], final: str) -> str | None:
    """Return the first ``rel=canonical`` target of the ``Link`` headers, resolved."""
    for target, params in links:
        if "canonical" in _rel_tokens(params.get("rel")):
            resolved = _resolve(final, target)
            if resolved is not None:
                return resolved
    return None


def _hreflang(
    tree: LexborHTMLParser, base: str, links: list[tuple[str, dict[str, str]]], final: str
) -> tuple[tuple[str, str], ...]:
    """Return the distinct ``(language, url)`` alternates of the HTML, then the header."""
    found: dict[tuple[str, str], None] = {}
    declared = [
        (node.attributes.get("hreflang"), base, node.attributes.get("href"))
        for node in tree.css("link[rel][hreflang][href]")
        if "alternate" in _rel_tokens(node.attributes.get("rel"))
    ]
    declared += [
        (params.get("hreflang"), final, target)
        for target, params in links
        if "alternate" in _rel_tokens(params.get("rel"))
    ]
    for lang, against, href in declared:
        resolved = _resolve(against, href)
        language = (lang or "").strip().lower()
        if resolved is not None and language:
            found[(language[:35], resolved)] = None
    return tuple(found)


def _title(tree: LexborHTMLParser) -> str:
    """Return the first ``<title>`` outside SVG, folded and capped."""
    node = tree.css_first("head title") or tree.css_first("title:not(svg *)")
    return fold_whitespace(node.text())[:MAX_TITLE_CHARS] if node is not None else ""


def _meta_description(tree: LexborHTMLParser) -> str:
    """Return the first meta description, folded and capped."""
    descriptions = meta_contents(tree, "description")
    return fold_whitespace(descriptions[0])[:MAX_DESCRIPTION_CHARS] if descriptions else ""


def _followed_targets(tree: LexborHTMLParser, base: str) -> list[str]:
    """Return the resolved targets of the ``<a href>``/``<area href>`` without an unfollowed rel."""
    targets = []
    for count, node in enumerate(tree.css("a[href], area[href]")):
        if count >= MAX_LINKS:
            break
        if _rel_tokens(node.attributes.get("rel")) & UNFOLLOWED_RELS:
            continue
        resolved = _resolve(base, node.attributes.get("href"))
        if resolved is not None:
            targets.append(resolved)
    return targets


def _with_link_counts(signals: PageSignals, targets: Iterable[str]) -> PageSignals:
    """Return *signals* with its distinct followed targets counted, on its site and off it.

    Links to the page itself are not counted.
    """
    distinct = set(targets) - {signals.final_url}
    site = _site(signals.final_url)
    internal = sum(1 for target in distinct if _site(target) == site)
    return replace(signals, internal_links=internal, external_links=len(distinct) - internal)


def _site(url: str) -> str:
    """Return the registrable domain of *url*, or its host when it has none."""
    host = url_host(url)
    return registrable_domain(host) or host


def _language(
    tree: LexborHTMLParser, headers: list[tuple[str, str]], main_text: str
) -> tuple[str | None, LanguageSource | None]:
    """Return the page's primary language subtag and where it came from."""
    root = tree.css_first("html")
    declared = root.attributes.get("lang") if root is not None else None
    primary = _primary_subtag(declared)
    if primary is not None:
        return primary, LanguageSource.HTML_LANG
    header = _first_header(headers, "content-language")
    primary = _primary_subtag(header.split(",", 1)[0] if header else None)
    if primary is not None:
        return primary, LanguageSource.CONTENT_LANGUAGE
    detected = detect_language(main_text)
    if detected is not None:
        return detected, LanguageSource.DETECTED
    return None, None


def _primary_subtag(tag: str | None) -> str | None:
    """Return the lowercase primary subtag of a BCP 47 *tag* (``en-GB`` -> ``en``)."""
    if not tag:
        return None
    found = _LANG_TAG.fullmatch(tag)
    return found.group(1).lower() if found else None


def _indexability(
    status: int,
    robots_allowed: bool,
    noindex_sources: list[str],
    content_type: str | None,
    canonical: str | None,
    final: str,
) -> Indexability:
    """Return the first reason the page cannot be indexed, or that it can."""
    if 300 <= status < 400:
        return Indexability(IndexabilityReason.REDIRECT, f"redirect (status {status})")
    if not 200 <= status < 300:
        return Indexability(IndexabilityReason.STATUS, f"status {status}")
    if not robots_allowed:
        return Indexability(IndexabilityReason.ROBOTS_TXT, "disallowed by robots.txt")
    if noindex_sources:
        return Indexability(
            IndexabilityReason.NOINDEX, "noindex in " + " and ".join(noindex_sources)
        )
    if content_type is not None and content_type not in HTML_TYPES:
        return Indexability(IndexabilityReason.NOT_HTML, f"content type {content_type}")
    if canonical is not None and canonical != final:
        return Indexability(IndexabilityReason.CANONICALISED, f"canonicalised to {canonical}")
    return Indexability(IndexabilityReason.INDEXABLE)
