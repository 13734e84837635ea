"""The tier-2 planner: which tier-1 pages deserve links of their own, from where, and the gain.

Checklist
    A tier-1 page (a page outside the target's domains that links to it) is
    a candidate when it passes the safety checklist. Each failure is a flag
    of `Reason`, several per page allowed:

    * ``NOT_INDEXABLE``, ``ROBOTS_BLOCKED``: its latest fetch said noindex
      (or an error status), or robots.txt disallows it (a fetch that did
      not record robots.txt is no failure). A page whose indexability is
      unknown (no fetch: a link only an export reported) is ``UNVERIFIED``:
      a caution, not a rejection, since a store built from imports knows no
      fetch at all; pass ``unverified_blocks=True`` to reject those too.
    * ``NOT_FOLLOWED``, ``NOT_IN_CONTENT``, ``HIDDEN``: judged on its best
      link to the target (the one with the fewest rejections). A link marked
      nofollow, sponsored or ugc passes no equity; one in a header, footer,
      navigation, sidebar or comment is a template or user link that search
      engines discount; a hidden link is a footprint. A link whose placement
      nobody stated (an export) is ``PLACEMENT_UNKNOWN``, a caution.
    * ``SPAM``: relative spam mass (``graph.spam_mass`` with trust seeds and
      the paper's good fraction) above ``max_spam_mass``. Without seeds it is
      not checked: toxicity scores come with the audit, and the plan says so.
    * ``COMPETITOR``: on a domain of the user's competitor list.
    * ``OVER_SUPPORTED``: it already has followed links from more than
      ``max_referring_domains`` other domains (neither its own nor the
      target's): another link adds little to a page that well supported,
      and stacking more on it is the footprint link networks leave.
    * ``NOT_RELEVANT``: relevance to the target below ``min_relevance``,
      when the caller measured it (``NaN`` means not checked).

Value
    Page level, the target's rank is ``Σ_T x`` (PageRank ``x`` of the
    followed graph); domain level, the rank of the target's domains on the
    domain graph. The value of one more followed link to a candidate ``p``
    from a new page of rank ``a`` is ``d a r_p`` (``graph.link_gains``), with
    ``r`` the influence on the target. From an existing page ``q`` it is the
    exact Sherman-Morrison gain of the link ``q -> p``.

Budget
    `plan_tier2` spends ``budget`` links greedily. From existing source
    pages, each step ranks every allowed pair ``(q, p)`` by the first-order
    gain ``d x_q (r_p - m_q^T r) / (W_q + 1)``, computes the exact gain of
    the best few with ``graph.link_gains``, adds the best link to the graph
    and re-solves before the next step, so each gain is that of the link
    given the ones before it and the gains add up to the change of the
    target's rank. A page takes at most ``per_page_cap`` links; the gain of
    the k-th link to a page shows the diminishing return. From a new page of
    rank ``a`` the gains do not diminish (a new page changes no existing
    page's out-links, so ``r`` stays): the best page takes the cap, then the
    next.

Pure: arrays in, values out.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from linkequity.graph import LinkGraph, domain_graph, influence, link_gains, pagerank, spam_mass

__all__ = [
    "BLOCKING",
    "PLACEMENT_CONTENT",
    "PLACEMENT_OTHER",
    "PLACEMENT_UNKNOWN",
    "CandidateLinks",
    "CandidatePages",
    "PlannedTier2Link",
    "Reason",
    "SourceOption",
    "Tier2Plan",
    "blocking_mask",
    "checklist",
    "plan_tier2",
    "reason_labels",
    "referring_domain_counts",
    "relative_spam_mass",
]

Ids = npt.NDArray[np.int64]
Vector = npt.NDArray[np.float64]
TriState = npt.NDArray[np.int8]

#: Placement codes of `CandidateLinks.placement`.
PLACEMENT_CONTENT = 1
PLACEMENT_OTHER = 0
PLACEMENT_UNKNOWN = -1


class Reason(enum.IntFlag):
    """Why a tier-1 page is rejected (or, for the two cautions, unverified)."""

    NOT_INDEXABLE = 1
    ROBOTS_BLOCKED = 2
    UNVERIFIED = 4
    NOT_FOLLOWED = 8
    NOT_IN_CONTENT = 16
    PLACEMENT_UNKNOWN = 32
    HIDDEN = 64
    SPAM = 128
    COMPETITOR = 256
    OVER_SUPPORTED = 512
    NOT_RELEVANT = 1024
    TOXIC = 2048


#: The reasons that reject a page; the others are cautions.
BLOCKING = ~(Reason.UNVERIFIED | Reason.PLACEMENT_UNKNOWN) & Reason(4095)

_LABELS = {
    Reason.NOT_INDEXABLE: "not indexable",
    Reason.ROBOTS_BLOCKED: "robots-blocked",
    Reason.UNVERIFIED: "unverified: never fetched",
    Reason.NOT_FOLLOWED: "link not followed",
    Reason.NOT_IN_CONTENT: "link not in main content",
    Reason.PLACEMENT_UNKNOWN: "unverified: link placement unknown",
    Reason.HIDDEN: "hidden link",
    Reason.SPAM: "spam by spam mass",
    Reason.COMPETITOR: "competitor",
    Reason.OVER_SUPPORTED: "over-supported",
    Reason.NOT_RELEVANT: "not relevant",
    Reason.TOXIC: "toxic domain",
}
# Plain ints: an IntFlag's `&` builds a new flag each time, 10x slower over many pages.
_LABEL_BITS = tuple((int(flag), label) for flag, label in _LABELS.items())


def reason_labels(mask: int) -> list[str]:
    """Name the reasons set in *mask*, in `Reason` order.

    Parameters
    ----------
    mask : int
        A `Reason` bit mask, as `checklist` returns per page.

    Returns
    -------
    list of str
        One label per reason set.

    Examples
    --------
    >>> reason_labels(Reason.NOT_FOLLOWED | Reason.SPAM)
    ['link not followed', 'spam by spam mass']
    """
    bits = int(mask)
    return [label for bit, label in _LABEL_BITS if bits & bit]


@dataclass(frozen=True, slots=True)
class CandidatePages:
    """What is known of each tier-1 page, as parallel arrays.

    Attributes
    ----------
    pages : numpy.ndarray
        int64 node ids.
    is_indexable, is_robots_allowed : numpy.ndarray
        int8 per page: 1 yes, 0 no, -1 unknown (never fetched).
    is_competitor : numpy.ndarray
        bool: on a competitor's domain.
    spam_mass : numpy.ndarray
        float64 relative spam mass, NaN when not measured.
    relevance : numpy.ndarray
        float64 relevance to the target, NaN when not measured.
    referring_domains : numpy.ndarray
        int64 other domains with a followed link to the page.
    is_toxic : numpy.ndarray, optional
        bool: on a domain the toxicity audit finds toxic (not checked when
        ``None``).
    """

    pages: Ids
    is_indexable: TriState
    is_robots_allowed: TriState
    is_competitor: npt.NDArray[np.bool_]
    spam_mass: Vector
    relevance: Vector
    referring_domains: Ids
    is_toxic: npt.NDArray[np.bool_] | None = None


@dataclass(frozen=True, slots=True)
class CandidateLinks:
    """The links from tier-1 pages to the target, as parallel arrays.

    Attributes
    ----------
    page_index : numpy.ndarray
        int64 position of the link's source in `CandidatePages.pages`.
    is_followed : numpy.ndarray
        bool: no nofollow, sponsored or ugc.
    placement : numpy.ndarray
        int8 ``PLACEMENT_CONTENT``, ``PLACEMENT_OTHER`` or ``PLACEMENT_UNKNOWN``.
    is_hidden : numpy.ndarray
        int8: 1 hidden, 0 visible, -1 unknown.
    """

    page_index: Ids
    is_followed: npt.NDArray[np.bool_]
    placement: TriState
    is_hidden: TriState


def checklist(
    pages: CandidatePages,
    links: CandidateLinks,
    *,
    max_spam_mass: float = 0.5,
    max_referring_domains: int = 20,
    min_relevance: float = 0.2,
) -> npt.NDArray[np.int64]:
    """Run the safety checklist on tier-1 pages: a `Reason` mask per page, 0 for a clean pass.

    Parameters
    ----------
    pages : CandidatePages
        The tier-1 pages and what is known of them.
    links : CandidateLinks
        Their links to the target; a page's link verdict is that of its best
        link (fewest rejections, then fewest cautions).
    max_spam_mass : float, default 0.5
        Relative spam mass above which a page is spam.
    max_referring_domains : int, default 20
        Most other referring domains before a page is over-supported.
    min_relevance : float, default 0.2
        Least relevance to the target (TF-IDF cosine: unrelated articles score
        about 0.05, pages of another theme of the sample web 0.16, pages of
        the same theme 0.70).

    Returns
    -------
    numpy.ndarray
        int64 `Reason` mask of each page; ``mask & BLOCKING`` is nonzero for a
        rejected page (see `blocking_mask` for ``unverified_blocks``).

    Raises
    ------
    ValueError
        If the arrays differ in length or a link points at no page.

    Examples
    --------
    >>> pages = CandidatePages(
    ...     np.array([7, 8]), np.array([1, 0], np.int8), np.array([1, 1], np.int8),
    ...     np.array([False, False]), np.full(2, np.nan), np.full(2, np.nan), np.array([1, 1]))
    >>> links = CandidateLinks(np.array([0, 1]), np.array([True, True]),
    ...     np.array([1, 0], np.int8), np.array([0, 0], np.int8))
    >>> [reason_labels(m) for m in checklist(pages, links)]
    [[], ['not indexable', 'link not in main content']]
    """
    n = pages.pages.size
    for name in ("is_indexable", "is_robots_allowed", "is_competitor", "spam_mass", "relevance"):
        if np.asarray(getattr(pages, name)).size != n:
            raise ValueError(f"pages.{name} has {np.asarray(getattr(pages, name)).size} entries")
    for name in ("referring_domains", "is_toxic"):
        values = getattr(pages, name)
        if values is not None and values.size != n:
            raise ValueError(f"pages.{name} has {values.size} entries")
    at = links.page_index
    if at.size and (int(at.min()) < 0 or int(at.max()) >= n):
        raise ValueError("a link's page_index is outside the pages")
    mask = np.zeros(n, dtype=np.int64)
    mask |= np.where(pages.is_indexable == 0, int(Reason.NOT_INDEXABLE), 0)
    mask |= np.where(pages.is_robots_allowed == 0, int(Reason.ROBOTS_BLOCKED), 0)
    mask |= np.where(pages.is_indexable < 0, int(Reason.UNVERIFIED), 0)
    mask |= np.where(pages.spam_mass > max_spam_mass, int(Reason.SPAM), 0)
    mask |= np.where(pages.is_competitor, int(Reason.COMPETITOR), 0)
    mask |= np.where(pages.referring_domains > max_referring_domains, int(Reason.OVER_SUPPORTED), 0)
    mask |= np.where(pages.relevance < min_relevance, int(Reason.NOT_RELEVANT), 0)
    if pages.is_toxic is not None:
        mask |= np.where(pages.is_toxic, int(Reason.TOXIC), 0)

    link_mask = np.zeros(at.size, dtype=np.int64)
    link_mask |= np.where(~links.is_followed, int(Reason.NOT_FOLLOWED), 0)
    link_mask |= np.where(links.placement == PLACEMENT_OTHER, int(Reason.NOT_IN_CONTENT), 0)
    link_mask |= np.where(links.placement == PLACEMENT_UNKNOWN, int(Reason.PLACEMENT_UNKNOWN), 0)
    link_mask |= np.where(links.is_hidden == 1, int(Reason.HIDDEN), 0)
    blocking = _popcount(link_mask & int(BLOCKING))
    cautions = _popcount(link_mask & ~int(BLOCKING))
    order = np.lexsort((cautions, blocking, at))
    first = np.unique(at[order], return_index=True)[1]
    best = order[first]
    mask[at[best]] |= link_mask[best]
    without_link = np.ones(n, dtype=np.bool_)
    without_link[at] = False
    mask[without_link] |= int(Reason.NOT_FOLLOWED)
    return mask


def blocking_mask(*, unverified_blocks: bool = False) -> int:
    """Return the `Reason` bits that reject a page.

    Parameters
    ----------
    unverified_blocks : bool, default False
        Whether a page never fetched is rejected.

    Returns
    -------
    int
        ``BLOCKING``, with ``UNVERIFIED`` when asked.

    Examples
    --------
    >>> bool(blocking_mask(unverified_blocks=True) & Reason.UNVERIFIED)
    True
    """
    return int(BLOCKING) | (int(Reason.UNVERIFIED) if unverified_blocks else 0)


def _popcount(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    bits = np.unpackbits(values.astype(">i8").view(np.uint8).reshape(-1, 8), axis=1)
    counts: npt.NDArray[np.int64] = bits.sum(axis=1).astype(np.int64)
    return counts


def referring_domain_counts(
    graph: LinkGraph, domain_of_node: npt.ArrayLike, pages: npt.ArrayLike, exclude: npt.ArrayLike
) -> Ids:
    """Count the domains with a followed link to each page, other than its own and *exclude*.

    Parameters
    ----------
    graph : LinkGraph
        The followed links.
    domain_of_node : array_like of int
        Domain id of each node.
    pages : array_like of int
        Node ids to count for.
    exclude : array_like of int
        Domain ids not counted (the target's).

    Returns
    -------
    numpy.ndarray
        int64 count per page.

    Raises
    ------
    IndexError
        If an id is outside the graph.

    Examples
    --------
    >>> g = LinkGraph.from_arrays([0, 1, 2, 3], [4, 4, 4, 4], 5)
    >>> referring_domain_counts(g, [0, 0, 1, 2, 3], [4], [2]).tolist()
    [2]
    """
    domains = np.asarray(domain_of_node, dtype=np.int64).ravel()
    page_ids = np.asarray(pages, dtype=np.int64).ravel()
    rows = graph.in_links[page_ids].tocoo()
    row = rows.row.astype(np.int64)
    source_domain = domains[rows.col.astype(np.int64)]
    keep = (source_domain != domains[page_ids][row]) & ~np.isin(source_domain, exclude)
    pairs = np.unique(np.stack([row[keep], source_domain[keep]]), axis=1)
    return np.bincount(pairs[0], minlength=page_ids.size).astype(np.int64)


def relative_spam_mass(graph: LinkGraph, seeds: npt.ArrayLike, *, damping: float = 0.85) -> Vector:
    """Relative spam mass of every node from trusted seeds, with the paper's good fraction 0.85.

    Parameters
    ----------
    graph : LinkGraph
        The followed links.
    seeds : array_like of int
        Node ids of trusted pages.
    damping : float, default 0.85
        PageRank damping.

    Returns
    -------
    numpy.ndarray
        float64 ``(x - x+) / x`` per node (``graph.spam_mass``).

    Raises
    ------
    ValueError
        If ``seeds`` is empty or outside the graph.

    Examples
    --------
    >>> g = LinkGraph.from_arrays([0, 1, 2, 3], [1, 0, 3, 2], 4)
    >>> bool(relative_spam_mass(g, [0])[2] > relative_spam_mass(g, [0])[1])
    True
    """
    return spam_mass(graph, seeds, damping=damping, good_fraction=0.85).relative


@dataclass(frozen=True, slots=True)
class PlannedTier2Link:
    """One new link of the plan.

    Attributes
    ----------
    source : int
        Node id of the page that would link, or -1 for a new page.
    target : int
        Node id of the tier-1 page linked to.
    nth : int
        This is the nth new link to ``target`` in the plan (diminishing returns).
    page_gain : float
        Exact change of ``Σ_T x`` given the links before it.
    relative_gain : float
        ``page_gain`` over ``Σ_T x`` before the plan.
    domain_gain : float
        Exact change of the target domains' rank on the domain graph (0 when
        the source's domain already links to the page's, or is the same).
    gain_alone : float
        Exact change of ``Σ_T x`` were this the only new link: ``page_gain``
        below it is the return the links before it took away.
    """

    source: int
    target: int
    nth: int
    page_gain: float
    relative_gain: float
    domain_gain: float
    gain_alone: float = float("nan")


@dataclass(frozen=True, slots=True)
class SourceOption:
    """An existing page that could link to a chosen tier-1 page, with its exact gains.

    ``is_own`` marks one of the user's own pages (their other guest posts),
    listed before the others.
    """

    source: int
    target: int
    page_gain: float
    domain_gain: float
    is_own: bool = False


@dataclass(frozen=True, slots=True)
class Tier2Plan:
    """A budget of new links to tier-1 pages, and what each candidate is worth.

    Attributes
    ----------
    links : list of PlannedTier2Link
        The links in the order chosen.
    candidates : numpy.ndarray
        int64 node ids of the candidates, by decreasing ``candidate_gains``.
    candidate_gains, candidate_domain_gains : numpy.ndarray
        float64 value of one more link to each from a new page of rank
        ``new_source_rank`` (domain: ``new_domain_rank``), ``d a r_p``.
    options : list of SourceOption
        For each chosen tier-1 page, the best existing sources on the graph
        before the plan: the user's own pages first, then the rest, each
        best first.
    internal_asks : list of SourceOption
        For each chosen tier-1 page, the pages of its own domain that do not
        link to it yet and whose link would raise the target, best first:
        links to ask the editor for (no domain gain: they stay on one domain).
    target_rank, target_domain_rank : float
        Ranks before the plan.
    new_source_rank, new_domain_rank : float
        Rank of the hypothetical new page and of its new domain.
    uses_new_pages : bool
        Whether the links come from new pages rather than existing ones.
    """

    links: list[PlannedTier2Link]
    candidates: Ids
    candidate_gains: Vector
    candidate_domain_gains: Vector
    options: list[SourceOption]
    internal_asks: list[SourceOption]
    target_rank: float
    target_domain_rank: float
    new_source_rank: float
    new_domain_rank: float
    uses_new_pages: bool

    @property
    def total_gain(self) -> float:
        """The change of ``Σ_T x`` after all the links: the sum of their gains."""
        return float(sum(link.page_gain for link in self.links))


def plan_tier2(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    domain_of_node: npt.ArrayLike,
    candidates: npt.ArrayLike,
    sources: npt.ArrayLike,
    *,
    budget: int,
    per_page_cap: int = 2,
    per_source_domain_cap: int | None = None,
    new_source_rank: float | None = None,
    use_new_pages: bool = False,
    internal_sources: npt.ArrayLike = (),
    own_sources: npt.ArrayLike = (),
    shortlist: int = 8,
    options_per_page: int = 5,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
) -> Tier2Plan:
    """Plan ``budget`` new followed links to tier-1 pages, greedily, re-solving after each.

    Parameters
    ----------
    graph : LinkGraph
        The followed links.
    targets : array_like of int
        Node ids of the target's pages.
    domain_of_node : array_like of int
        Domain id of each node.
    candidates : array_like of int
        Tier-1 pages that passed the checklist.
    sources : array_like of int
        Existing pages that may link (checked by the caller). A pair ``(q, p)``
        is allowed when ``q`` is no target page, is on another domain than
        ``p`` and does not link to ``p`` yet.
    budget : int
        Most new links.
    per_page_cap : int, default 2
        Most new links to one tier-1 page.
    per_source_domain_cap : int, optional
        Most new links from pages of one domain (no limit by default): a
        plan drawn from one site is a footprint (``analysis.footprint``).
    new_source_rank : float, optional
        Rank of a hypothetical new page; the median rank of the ranked pages
        (``teleport > 0``) by default. Its domain's rank is the median rank
        of the domains on the domain graph.
    use_new_pages : bool, default False
        Plan links from new pages of rank ``new_source_rank`` instead of from
        ``sources``. Without sources, or when no link from them gains, the
        plan takes new pages too (``Tier2Plan.uses_new_pages`` says so).
    internal_sources : array_like of int, optional
        Pages that may carry an internal link to a chosen tier-1 page of
        their own domain (checked by the caller); none by default.
    own_sources : array_like of int, optional
        The user's own pages that may link (their other guest posts, checked
        by the caller): sources of the plan too, and listed first among each
        chosen page's options.
    shortlist : int, default 8
        Pairs of best first-order gain whose exact gain each step computes.
    options_per_page : int, default 5
        Existing sources listed for each chosen tier-1 page.
    damping : float, default 0.85
        PageRank damping.
    teleport : array_like of float, optional
        Teleport vector of the PageRank, uniform by default.

    Returns
    -------
    Tier2Plan
        The links, the value of each candidate, the source options.

    Raises
    ------
    ValueError
        If ``budget`` or ``per_page_cap`` is negative, an id is outside the
        graph, or ``new_source_rank`` is not positive.
    NotConverged
        If a solve does not settle.

    Examples
    --------
    Pages 0 and 1 link to the target 4; page 2 may link to either:

    >>> g = LinkGraph.from_arrays([0, 1, 2, 3, 3], [4, 4, 3, 0, 2], 5)
    >>> plan = plan_tier2(g, [4], [0, 1, 2, 3, 4], [0, 1], [2], budget=2)
    >>> [(link.source, link.target, link.nth) for link in plan.links]
    [(2, 0, 1), (2, 1, 1)]
    """
    n = graph.n_nodes
    target_ids = np.unique(_ids(targets, n))
    domains = np.asarray(domain_of_node, dtype=np.int64).ravel()
    if domains.size != n:
        raise ValueError(f"{domains.size} domain ids for {n} nodes")
    candidate_ids = np.unique(_ids(candidates, n))
    own_ids = np.setdiff1d(_ids(own_sources, n), target_ids)
    source_ids = np.union1d(np.setdiff1d(_ids(sources, n), target_ids), own_ids)
    if budget < 0 or per_page_cap < 0:
        raise ValueError(f"budget and per_page_cap must be >= 0, got {budget}, {per_page_cap}")
    if per_source_domain_cap is not None and per_source_domain_cap < 1:
        raise ValueError(f"per_source_domain_cap must be >= 1, got {per_source_domain_cap}")
    v = _teleport(teleport, n)
    n_domains = int(domains.max()) + 1 if n else 0
    target_domains = np.unique(domains[target_ids])
    domains_graph = domain_graph(graph, domains, n_domains)
    domain_v = np.zeros(n_domains)
    domain_v[domains[v > 0]] = 1.0
    domain_v /= domain_v.sum()

    x = pagerank(graph, damping=damping, teleport=v)
    domain_x = pagerank(domains_graph, damping=damping, teleport=domain_v)
    if new_source_rank is None:
        new_source_rank = float(np.median(x[v > 0]))
    if not new_source_rank > 0:
        raise ValueError(f"new_source_rank must be positive, got {new_source_rank}")
    new_domain_rank = float(np.median(domain_x[domain_v > 0]))
    r = influence(graph, target_ids, damping=damping, teleport=v)
    domain_r = influence(domains_graph, target_domains, damping=damping, teleport=domain_v)
    value = damping * new_source_rank * r[candidate_ids]
    domain_value = damping * new_domain_rank * domain_r[domains[candidate_ids]]
    order = np.lexsort((candidate_ids, -value))
    target_rank = float(x[target_ids].sum())
    target_domain_rank = float(domain_x[target_domains].sum())

    links: list[PlannedTier2Link] = []
    if not use_new_pages and source_ids.size:
        links = _greedy(
            graph,
            domains_graph,
            target_ids,
            target_domains,
            domains,
            candidate_ids,
            source_ids,
            budget=budget,
            per_page_cap=per_page_cap,
            per_source_domain_cap=budget
            if per_source_domain_cap is None
            else per_source_domain_cap,
            shortlist=shortlist,
            damping=damping,
            teleport=v,
            domain_teleport=domain_v,
            x=x,
        )
    uses_new = not links
    if uses_new:
        links = _new_page_links(
            candidate_ids[order], value[order], domain_value[order], budget, per_page_cap
        )
    relative = [
        PlannedTier2Link(
            link.source,
            link.target,
            link.nth,
            link.page_gain,
            link.page_gain / target_rank if target_rank > 0 else float("inf"),
            link.domain_gain,
            link.page_gain
            if link.source < 0
            else float(
                link_gains(
                    graph,
                    target_ids,
                    [link.target],
                    source=link.source,
                    scores=x,
                    damping=damping,
                    teleport=v,
                ).gains[0]
            ),
        )
        for link in links
    ]
    chosen = np.unique(np.array([link.target for link in links], dtype=np.int64))
    options_of = functools.partial(
        _options,
        graph,
        domains_graph,
        target_ids,
        target_domains,
        domains,
        chosen,
        damping=damping,
        teleport=v,
        domain_teleport=domain_v,
        x=x,
        r=r,
    )
    own_options = [
        replace(option, is_own=True) for option in options_of(own_ids, per_page=own_ids.size)
    ]
    other_options = options_of(np.setdiff1d(source_ids, own_ids), per_page=options_per_page)
    place = {int(p): k for k, p in enumerate(chosen)}
    options = sorted(own_options + other_options, key=lambda o: (place[o.target], not o.is_own))
    internal = np.setdiff1d(np.asarray(internal_sources, dtype=np.int64), target_ids)
    internal_asks = options_of(_ids(internal, n), per_page=options_per_page, same_domain=True)
    return Tier2Plan(
        links=relative,
        candidates=candidate_ids[order],
        candidate_gains=value[order],
        candidate_domain_gains=domain_value[order],
        options=options,
        internal_asks=internal_asks,
        target_rank=target_rank,
        target_domain_rank=target_domain_rank,
        new_source_rank=float(new_source_rank),
        new_domain_rank=new_domain_rank,
        uses_new_pages=uses_new,
    )


def _new_page_links(
    candidates: Ids, value: Vector, domain_value: Vector, budget: int, cap: int
) -> list[PlannedTier2Link]:
    """Links from new pages, best gain first; a page's k-th gains as much as its first."""
    links = [
        PlannedTier2Link(-1, int(p), nth, float(gain), 0.0, float(domain_gain))
        for p, gain, domain_gain in zip(candidates, value, domain_value, strict=True)
        if gain > 0
        for nth in range(1, cap + 1)
    ]
    return sorted(links, key=lambda link: (-link.page_gain, link.nth))[:budget]


def _first_order(
    graph: LinkGraph, x: Vector, r: Vector, sources: Ids, candidates: Ids, damping: float, v: Vector
) -> Vector:
    """``d x_q (r_p - m_q^T r) / (W_q + 1)`` for every pair: ``(len(sources), len(candidates))``."""
    weight = graph.out_weight()[sources]
    through = np.asarray(graph.adjacency[sources] @ r, dtype=np.float64)
    mean_next = np.where(weight > 0, through / np.maximum(weight, 1e-300), v @ r)
    scale = damping * x[sources] / (np.where(weight > 0, weight, 0.0) + 1.0)
    gains: Vector = scale[:, None] * (r[candidates][None, :] - mean_next[:, None])
    return gains


def _allowed(
    graph: LinkGraph, domains: Ids, sources: Ids, candidates: Ids, *, same_domain: bool = False
) -> npt.NDArray[np.bool_]:
    """Pairs on two domains (one, for internal links) where the source does not link yet."""
    on_one = domains[sources][:, None] == domains[candidates][None, :]
    allowed = on_one if same_domain else ~on_one
    linked = graph.adjacency[sources][:, candidates].toarray() > 0
    return np.asarray(allowed & ~linked & (sources[:, None] != candidates[None, :]))


def _domain_gain(
    domains_graph: LinkGraph,
    target_domains: Ids,
    source_domain: int,
    target_domain: int,
    *,
    damping: float,
    teleport: Vector,
) -> float:
    if source_domain == target_domain or domains_graph.adjacency[source_domain, target_domain] > 0:
        return 0.0
    gains = link_gains(
        domains_graph,
        target_domains,
        [target_domain],
        source=source_domain,
        damping=damping,
        teleport=teleport,
    )
    return float(gains.gains[0])


def _greedy(
    graph: LinkGraph,
    domains_graph: LinkGraph,
    target_ids: Ids,
    target_domains: Ids,
    domains: Ids,
    candidates: Ids,
    sources: Ids,
    *,
    budget: int,
    per_page_cap: int,
    per_source_domain_cap: int,
    shortlist: int,
    damping: float,
    teleport: Vector,
    domain_teleport: Vector,
    x: Vector,
) -> list[PlannedTier2Link]:
    links: list[PlannedTier2Link] = []
    if candidates.size == 0:
        return links
    allowed = _allowed(graph, domains, sources, candidates)
    taken = np.zeros(candidates.size, dtype=np.int64)
    source_domains, source_domain = np.unique(domains[sources], return_inverse=True)
    given = np.zeros(source_domains.size, dtype=np.int64)
    for _ in range(budget):
        open_rows = given[source_domain] < per_source_domain_cap
        open_pairs = allowed & (taken < per_page_cap)[None, :] & open_rows[:, None]
        if not open_pairs.any():
            break
        r = influence(graph, target_ids, damping=damping, teleport=teleport)
        first = np.where(
            open_pairs, _first_order(graph, x, r, sources, candidates, damping, teleport), -np.inf
        )
        flat = np.argsort(-first, axis=None, kind="stable")[: min(shortlist, int(open_pairs.sum()))]
        best_gain, best = 0.0, -1
        for pair in flat:
            row, column = divmod(int(pair), candidates.size)
            exact = link_gains(
                graph,
                target_ids,
                [int(candidates[column])],
                source=int(sources[row]),
                scores=x,
                damping=damping,
                teleport=teleport,
            )
            gain = float(exact.gains[0])
            if gain > best_gain:
                best_gain, best = gain, int(pair)
        if best < 0:
            break
        row, column = divmod(best, candidates.size)
        q, p = int(sources[row]), int(candidates[column])
        domain_gain = _domain_gain(
            domains_graph,
            target_domains,
            int(domains[q]),
            int(domains[p]),
            damping=damping,
            teleport=domain_teleport,
        )
        taken[column] += 1
        given[source_domain[row]] += 1
        allowed[row, column] = False
        links.append(PlannedTier2Link(q, p, int(taken[column]), best_gain, 0.0, domain_gain))
        graph = _with_edge(graph, q, p)
        if domain_gain > 0:
            domains_graph = _with_edge(domains_graph, int(domains[q]), int(domains[p]))
        x = pagerank(graph, damping=damping, teleport=teleport, start=x)
    return links


def _options(
    graph: LinkGraph,
    domains_graph: LinkGraph,
    target_ids: Ids,
    target_domains: Ids,
    domains: Ids,
    chosen: Ids,
    sources: Ids,
    *,
    per_page: int,
    damping: float,
    teleport: Vector,
    domain_teleport: Vector,
    x: Vector,
    r: Vector,
    same_domain: bool = False,
) -> list[SourceOption]:
    """List the best existing sources of each chosen page, exact gains before the plan."""
    options: list[SourceOption] = []
    if chosen.size == 0 or sources.size == 0 or per_page == 0:
        return options
    allowed = _allowed(graph, domains, sources, chosen, same_domain=same_domain)
    first = np.where(
        allowed, _first_order(graph, x, r, sources, chosen, damping, teleport), -np.inf
    )
    for column, p in enumerate(chosen):
        rows = np.argsort(-first[:, column], kind="stable")[:per_page]
        rows = rows[np.isfinite(first[rows, column])]
        found: list[SourceOption] = []
        for row in rows:
            q = int(sources[row])
            gain = link_gains(
                graph, target_ids, [int(p)], source=q, scores=x, damping=damping, teleport=teleport
            )
            domain_gain = _domain_gain(
                domains_graph,
                target_domains,
                int(domains[q]),
                int(domains[p]),
                damping=damping,
                teleport=domain_teleport,
            )
            if not (same_domain and gain.gains[0] <= 0):
                found.append(SourceOption(q, int(p), float(gain.gains[0]), domain_gain))
        options.extend(sorted(found, key=lambda option: -option.page_gain))
    return options


def _with_edge(graph: LinkGraph, source: int, target: int) -> LinkGraph:
    """Return the graph with the edge ``source -> target`` added (weight 1, or 1 more)."""
    coo = graph.adjacency.tocoo()
    return LinkGraph.from_arrays(
        np.append(coo.row.astype(np.int64), source),
        np.append(coo.col.astype(np.int64), target),
        graph.n_nodes,
        weights=(
            np.append(np.asarray(coo.data, dtype=np.float64), 1.0) if graph.is_weighted else None
        ),
    )


def _ids(values: npt.ArrayLike, n: int) -> Ids:
    ids = np.asarray(values, dtype=np.int64).ravel()
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        raise ValueError(f"node ids must be in [0, {n})")
    return ids


def _teleport(values: npt.ArrayLike | None, n: int) -> Vector:
    if values is None:
        return np.full(n, 1.0 / n) if n else np.zeros(0)
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size != n or not v.sum() > 0:
        raise ValueError("teleport must have one non-negative entry per node and a positive sum")
    normalised: Vector = v / v.sum()
    return normalised
