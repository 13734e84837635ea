"""Link opportunities: broken link building, reclamation, brand mentions, competitor gap.

Dead URLs
    A URL is dead when its latest fetch answered 404 (not found) or 410
    (gone), or when its host has no address: the crawler records a DNS failure
    as a fetch without a status whose detail is the ``HostNotFound`` message
    (``"... has no address"``; aiohttp's resolver says ``"Name or service not
    known"`` and the like). Another fetch without a status (a timeout, a
    refused connection) is not taken for dead: it may answer tomorrow.

Broken link building
    Pages outside the target's domains that link to a dead URL of another site
    are prospects: the target can offer its page as the replacement. They are
    kept when relevant to the target (best TF-IDF cosine to a target page, as
    the planner measures it) and ranked by ``authority / 100 * relevance``;
    pages without stored words come after, by authority, marked not measured.

Reclamation
    Links to the target's own dead URLs, each dead URL with a 301 suggestion:
    the live page of the target whose slug, title and text best match the dead
    URL's slug words (TF-IDF cosine); when they match nothing, its slug and the
    anchors of the links to it together; when nothing matches, the home page of
    its host, else the live page of highest authority.

Unlinked brand mentions
    A brand matches case-insensitively as whole words, its words joined by
    nothing, a space, a hyphen or an underscore: ``SproutRoot`` and
    ``sprout-root`` both match ``SproutRoot``. A brand not given is the first
    label of the target's registrable domain (``acmewidgets`` for
    ``acmewidgets.com``).

Competitor gap
    Referring domains that link to at least ``min_competitors`` of the
    competitors and not to the target, most competitors first, then by
    authority.

Pure: values in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import numpy as np
import numpy.typing as npt

from linkequity.analysis.relevance import RelevanceModel

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DEAD_DNS",
    "DEAD_STATUSES",
    "BrandMention",
    "GapDomains",
    "RedirectChoice",
    "brand_pattern",
    "brand_tokens",
    "choose_redirects",
    "competitor_gap",
    "dead_reasons",
    "derived_brand",
    "find_mentions",
    "prospect_order",
    "slug_words",
]

#: Statuses that mean a URL is dead, and the reason shown for each.
DEAD_STATUSES = {404: "404 not found", 410: "410 gone"}
#: The reason shown for a host without an address.
DEAD_DNS = "DNS failure"

_DNS_FAILURE = re.compile(
    r"has no address|is not served on loopback|name or service not known"
    r"|nodename nor servname|no address associated|getaddrinfo failed|name does not resolve",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")
_SLUG_SPLIT = re.compile(r"[^\w]+|_")
_PAGE_SUFFIXES = frozenset({"html", "htm", "php", "asp", "aspx", "jsp", "cgi", "shtml", "index"})
#: Characters of text kept on each side of a brand mention in its snippet.
SNIPPET_CHARS = 60


def dead_reasons(statuses: Sequence[int | None], details: Sequence[str | None]) -> list[str | None]:
    """Return why each fetch says its URL is dead, or ``None`` when it does not.

    Parameters
    ----------
    statuses : sequence of int or None
        HTTP status of each URL's latest fetch; ``None`` when no response came.
    details : sequence of str or None
        What the fetch recorded beside (``pages.indexability_detail``).

    Returns
    -------
    list of str or None
        ``"404 not found"``, ``"410 gone"``, ``"DNS failure"`` or ``None``.

    Examples
    --------
    >>> dead_reasons([404, 200, None, None], [None, None, "x.example has no address", "timeout"])
    ['404 not found', None, 'DNS failure', None]
    """
    if len(statuses) != len(details):
        raise ValueError(f"{len(statuses)} statuses but {len(details)} details")
    reasons: list[str | None] = []
    for status, detail in zip(statuses, details, strict=True):
        if status is not None:
            reasons.append(DEAD_STATUSES.get(int(status)))
        else:
            reasons.append(DEAD_DNS if detail and _DNS_FAILURE.search(detail) else None)
    return reasons


def prospect_order(
    authority: npt.ArrayLike, relevance: npt.ArrayLike
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Rank prospects: by ``authority / 100 * relevance``, then those without text by authority.

    When no page has an authority (the store is not ranked), the priority is
    the relevance alone.

    Parameters
    ----------
    authority : array_like of float
        0-100 authority of each page; NaN when not ranked (counts as 0 if
        another page is ranked).
    relevance : array_like of float
        Relevance of each page to the target in ``[0, 1]``; NaN when not measured.

    Returns
    -------
    order : numpy.ndarray
        Indices of the pages, best first; ties keep the given order.
    priority : numpy.ndarray
        The priority of each page (NaN when relevance is not measured).

    Examples
    --------
    >>> order, priority = prospect_order([80, 20, 90], [0.1, 0.9, float("nan")])
    >>> order.tolist(), priority.round(2).tolist()[:2]
    ([1, 0, 2], [0.08, 0.18])
    >>> prospect_order([float("nan")] * 2, [0.3, 0.6])[0].tolist()
    [1, 0]
    """
    given = np.asarray(authority, dtype=np.float64)
    related = np.asarray(relevance, dtype=np.float64)
    if given.shape != related.shape or given.ndim != 1:
        raise ValueError(f"authority {given.shape} and relevance {related.shape} must match")
    is_ranked = bool(np.any(~np.isnan(given)))
    scores = np.nan_to_num(given, nan=0.0)
    priority = scores / 100.0 * related if is_ranked else related.copy()
    is_measured = ~np.isnan(related)
    keys = (-scores, -np.nan_to_num(priority, nan=0.0), ~is_measured)
    return np.lexsort(keys), priority


def slug_words(url: str) -> str:
    """Return the words of a URL's path: ``/old/garden-trowels.html`` gives ``old garden trowels``.

    Numbers alone and page suffixes (``html``, ``php``, ``index``) are left out.

    Examples
    --------
    >>> slug_words("https://shop.example/discontinued/garden-trowels-2/index.html?x=1")
    'discontinued garden trowels'
    """
    path = unquote(urlsplit(url).path)
    words = [word.lower() for word in _SLUG_SPLIT.split(path) if word]
    return " ".join(w for w in words if not w.isdigit() and w not in _PAGE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class RedirectChoice:
    """The live page suggested for one dead URL.

    Attributes
    ----------
    page : int
        Index of the chosen live page; -1 when there is none.
    score : float
        TF-IDF cosine of the words that chose it and the page; 0 for a fallback.
    basis : str
        What chose it: ``"slug"``, ``"slug and anchors"`` or ``"fallback"``.
    """

    page: int
    score: float
    basis: str

    @property
    def is_matched(self) -> bool:
        """Whether words chose the page (else it is the fallback)."""
        return self.basis != "fallback"


def choose_redirects(
    dead_slugs: Sequence[str],
    live_texts: Sequence[str],
    *,
    dead_anchors: Sequence[str] | None = None,
    live_languages: Sequence[str | None] | None = None,
    fallbacks: Sequence[int] | None = None,
    min_score: float = 0.05,
) -> list[RedirectChoice]:
    """Pick the live page each dead URL should redirect to (301).

    One TF-IDF model is fitted on the live pages' texts and the dead URLs'
    words. The slug words speak first: a dead URL takes the live page of
    highest cosine to them if it reaches ``min_score``. Anchors are what other
    sites called the page, often the brand, a naked URL or "read more", so
    they count only when the slug matches nothing: then the slug and anchor
    words together choose, and when they match nothing either, the fallback.

    Parameters
    ----------
    dead_slugs : sequence of str
        The slug words of each dead URL (``slug_words``).
    live_texts : sequence of str
        Slug words, title and main text of each live page of the target.
    dead_anchors : sequence of str, optional
        The anchor words of the links to each dead URL.
    live_languages : sequence of str or None, optional
        Language of each live page.
    fallbacks : sequence of int, optional
        Live page index for each dead URL when no page matches (-1 for none).
    min_score : float, default 0.05
        Least cosine that counts as a match: below it the words share nothing
        that matters with any page.

    Returns
    -------
    list of RedirectChoice
        One per dead URL, in order.

    Raises
    ------
    ValueError
        If ``dead_anchors`` or ``fallbacks`` differ in length from ``dead_slugs``.

    Examples
    --------
    >>> choices = choose_redirects(
    ...     ["old garden trowels", "sale", "zzz"],
    ...     ["Compost bins for small gardens", "Garden trowels: steel and ash"],
    ...     dead_anchors=["the shop", "compost bins", ""],
    ...     fallbacks=[0, 0, 0],
    ... )
    >>> [(c.page, c.basis) for c in choices]
    [(1, 'slug'), (0, 'slug and anchors'), (0, 'fallback')]
    """
    n_dead, n_live = len(dead_slugs), len(live_texts)
    anchors = list(dead_anchors) if dead_anchors is not None else [""] * n_dead
    if fallbacks is None:
        fallbacks = [-1] * n_dead
    if len(fallbacks) != n_dead or len(anchors) != n_dead:
        raise ValueError(
            f"{n_dead} dead URLs but {len(anchors)} anchors and {len(fallbacks)} fallbacks"
        )
    if n_live == 0:
        return [RedirectChoice(-1, 0.0, "fallback") for _ in range(n_dead)]
    languages = list(live_languages) if live_languages is not None else [None] * n_live
    queries = [
        *dead_slugs,
        *(f"{slug} {words}" for slug, words in zip(dead_slugs, anchors, strict=True)),
    ]
    model = RelevanceModel.fit(
        [*live_texts, *queries], languages=[*languages, *([None] * len(queries))]
    )
    sources = np.repeat(np.arange(n_live, n_live + len(queries)), n_live)
    targets = np.tile(np.arange(n_live), len(queries))
    scores = model.similarities(sources, targets).reshape(len(queries), n_live)
    choices: list[RedirectChoice] = []
    for k, fallback in enumerate(fallbacks):
        for row, basis in ((scores[k], "slug"), (scores[n_dead + k], "slug and anchors")):
            best = int(np.argmax(row))
            if row[best] >= min_score:
                choices.append(RedirectChoice(best, float(row[best]), basis))
                break
        else:
            choices.append(RedirectChoice(int(fallback), 0.0, "fallback"))
    return choices


def derived_brand(domain: str) -> str:
    """Return the brand a registrable domain names: its first label.

    Examples
    --------
    >>> derived_brand("acmewidgets.co.uk")
    'acmewidgets'
    """
    return domain.strip().lower().split(".")[0]


def brand_tokens(brand: str) -> list[str]:
    """Split a brand into lowercase words, at spaces, punctuation, case and digit changes.

    Any script: a word breaks before an upper-case letter that follows a
    lower-case one (``SproutRoot``), before the last capital of a run that a
    lower-case letter follows (``HTTPServer``), and between letters and digits.

    Examples
    --------
    >>> brand_tokens("SproutRoot"), brand_tokens("acme-widgets"), brand_tokens("ÉcoJardin 3D")
    (['sprout', 'root'], ['acme', 'widgets'], ['éco', 'jardin', '3', 'd'])
    """
    tokens: list[str] = []
    for word in _WORD.findall(brand):
        start = 0
        for at in range(1, len(word)):
            before, here = word[at - 1], word[at]
            after = word[at + 1] if at + 1 < len(word) else ""
            if (
                (before.islower() and here.isupper())
                or (before.isupper() and here.isupper() and after.islower())
                or (before.isdigit() != here.isdigit())
            ):
                tokens.append(word[start:at])
                start = at
        tokens.append(word[start:])
    return [token.lower() for token in tokens]


def brand_pattern(brands: Sequence[str]) -> re.Pattern[str]:
    """Return one case-insensitive pattern matching any of the brands as whole words.

    A brand's words may be joined by nothing, one space, hyphen or underscore.

    Raises
    ------
    ValueError
        If no brand has a letter or digit.

    Examples
    --------
    >>> pattern = brand_pattern(["SproutRoot"])
    >>> [bool(pattern.search(t)) for t in ["sprout-root tools", "SPROUTROOT", "sproutroots"]]
    [True, True, False]
    """
    alternatives = sorted(
        {r"[\s_-]?".join(re.escape(t) for t in brand_tokens(b)) for b in brands} - {""},
        key=len,
        reverse=True,
    )
    if not alternatives:
        raise ValueError(f"no brand with a letter or digit in {list(brands)!r}")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BrandMention:
    """How a text mentions a brand: the count and the first mention in its context."""

    count: int
    matched: str
    snippet: str


def find_mentions(texts: Sequence[str | None], pattern: re.Pattern[str]) -> list[BrandMention]:
    """Return the brand mentions of each text (count 0 when none).

    The snippet is the first mention with ``SNIPPET_CHARS`` characters each side.

    Examples
    --------
    >>> pattern = brand_pattern(["SproutRoot"])
    >>> found = find_mentions(["We tried SproutRoot beds.", "nothing"], pattern)
    >>> [(m.count, m.matched) for m in found]
    [(1, 'SproutRoot'), (0, '')]
    """
    found: list[BrandMention] = []
    for text in texts:
        matches = list(pattern.finditer(text or ""))
        if not matches:
            found.append(BrandMention(0, "", ""))
            continue
        first = matches[0]
        body = text or ""
        start, end = max(0, first.start() - SNIPPET_CHARS), first.end() + SNIPPET_CHARS
        snippet = ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
        found.append(BrandMention(len(matches), first.group(0), snippet))
    return found


@dataclass(frozen=True, slots=True)
class GapDomains:
    """Referring domains of the competitors that do not link to the target.

    Attributes
    ----------
    domains : numpy.ndarray
        Index of each gap domain into the given source domains' names, best first.
    competitors : list of list of int
        For each, the competitors (indices into the given list) it links to, sorted.
    """

    domains: npt.NDArray[np.intp]
    competitors: list[list[int]]


def competitor_gap(
    source_domains: npt.ArrayLike,
    linked: npt.ArrayLike,
    n_sources: int,
    n_competitors: int,
    *,
    min_competitors: int = 2,
    authority: npt.ArrayLike | None = None,
) -> GapDomains:
    """Find the domains linking to at least ``min_competitors`` competitors but not the target.

    Parameters
    ----------
    source_domains : array_like of int
        Source domain (index into ``n_sources`` names) of each (source, linked) pair.
    linked : array_like of int
        What each pair links to: a competitor index in ``[0, n_competitors)``,
        or -1 for the target.
    n_sources, n_competitors : int
        How many source domains and competitors there are.
    min_competitors : int, default 2
        Fewest distinct competitors a domain must link to.
    authority : array_like of float, optional
        0-100 authority of each source domain, to break ties (NaN as 0).

    Returns
    -------
    GapDomains
        Most competitors first, then highest authority, then by index.

    Examples
    --------
    >>> gap = competitor_gap([0, 0, 1, 1, 1, 2], [0, 1, 0, 1, -1, 0], 3, 2)
    >>> gap.domains.tolist(), gap.competitors
    ([0], [[0, 1]])
    """
    if min_competitors < 1:
        raise ValueError(f"min_competitors must be at least 1, got {min_competitors}")
    sources = np.asarray(source_domains, dtype=np.intp)
    targets = np.asarray(linked, dtype=np.intp)
    if sources.shape != targets.shape:
        raise ValueError("source_domains and linked must have one length")
    links_target = np.zeros(n_sources, dtype=np.bool_)
    links_target[sources[targets < 0]] = True
    is_competitor = targets >= 0
    matrix = np.zeros((n_sources, max(n_competitors, 1)), dtype=np.bool_)
    matrix[sources[is_competitor], targets[is_competitor]] = True
    counts = matrix.sum(axis=1)
    keep = np.flatnonzero((counts >= min_competitors) & ~links_target)
    scores = (
        np.zeros(n_sources)
        if authority is None
        else np.nan_to_num(np.asarray(authority, dtype=np.float64), nan=0.0)
    )
    order = keep[np.lexsort((keep, -scores[keep], -counts[keep]))]
    return GapDomains(order, [np.flatnonzero(matrix[i]).tolist() for i in order])
