"""Tier maps: who links to a target, who links to them, and how much authority each passes.

Given every link (any rel) as node-id arrays, the followed link graph over the
same nodes, a domain per node and a target set ``T`` of nodes:

Tiers
    Tier 1 is the pages outside the target's domains (the registrable domains
    of the pages of ``T``) with a link to a page of ``T``. Tier ``k + 1`` is
    the pages outside the target's domains and outside the lower tiers with a
    link to a tier-``k`` page. A page is in the lowest tier it reaches: a page
    that links to the target and to a tier-1 page is tier 1, and its link to
    the other tier-1 page is no tier edge. The tier edges are the links from
    each tier-``k`` page to the pages of tier ``k - 1`` (to ``T`` for tier 1);
    from tier 2 on, an edge is *internal* when both ends are on one domain
    (the tier-1 site's own pages: the editor can add such links to a guest
    post) and *external* otherwise. Tiers follow every link, nofollow,
    sponsored and ugc included; the edges keep their link's index so that the
    caller can join rel, placement and anchor back on.

Equity
    PageRank ``x`` of the followed graph (``graph.pagerank``). The equity a
    tier-1 page ``p`` passes to the target now is its followed-link flow into
    ``T``: ``d x_p w(p -> T) / W_p``, ``W_p`` its out-weight. Summed over the
    tier-1 pages it is the part of ``Σ_T x`` that arrives over followed links
    from outside the target's domains (the rest is teleport, dangling mass and
    the target's own links). The influence ``r_p`` (``graph.influence``) is how
    much of a unit of score injected at ``p`` ends in ``T``: what a new link
    to ``p`` is worth. The same at domain level, on the domain graph
    (``graph.domain_graph``) with the target's domains as the target set.

Paths
    The chains of followed links that carry most of ``Σ_T x``
    (``graph.explain_paths``, entering paths only: every page before the
    last is outside ``T``), page level and domain level. A page's place in a
    path is not its tier: a tier-1 page can also pass authority through
    another tier-1 page.

Pure: arrays in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linkequity.graph import (
    AuthorityPath,
    LinkGraph,
    domain_graph,
    explain_paths,
    influence,
    pagerank,
)

__all__ = ["TierCount", "TierEdges", "TierEquity", "TierMap", "tier_map"]

Ids = npt.NDArray[np.int64]
Vector = npt.NDArray[np.float64]

#: ``TierMap.tier_of_node`` of a page in no tier (on the target's domains, or too far away).
NO_TIER = -1


@dataclass(frozen=True, slots=True)
class TierEdges:
    """The links from each tier to the one below it, as parallel arrays.

    Attributes
    ----------
    links : numpy.ndarray
        int64 index of each edge's link in the arrays given to `tier_map`.
    sources, targets : numpy.ndarray
        int64 node ids of the link's ends.
    tiers : numpy.ndarray
        int8 tier of the source page (1 for a link into the target).
    is_internal : numpy.ndarray
        bool: source and target on one domain (never for tier 1).
    """

    links: Ids
    sources: Ids
    targets: Ids
    tiers: npt.NDArray[np.int8]
    is_internal: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.links.size)


@dataclass(frozen=True, slots=True)
class TierEquity:
    """What the tier-1 pages (or domains) pass to the target, best first, and the top paths.

    Attributes
    ----------
    nodes : numpy.ndarray
        int64 ids of the tier-1 pages (or their domains), by decreasing equity, ties by id.
    equity : numpy.ndarray
        float64 followed-link flow of each into the target now.
    influence : numpy.ndarray
        float64 share of a unit of score injected at each that ends in the target.
    target_rank : float
        PageRank of the target set, ``Σ_T x``.
    paths : list of AuthorityPath
        The top paths of each length, node ids from the first page to the target.
    """

    nodes: Ids
    equity: Vector
    influence: Vector
    target_rank: float
    paths: list[AuthorityPath]

    @property
    def shares(self) -> Vector:
        """Each equity as a share of the target's rank (0 when the target has none)."""
        if self.target_rank > 0:
            return self.equity / self.target_rank
        return np.zeros_like(self.equity)


@dataclass(frozen=True, slots=True)
class TierCount:
    """How many pages and links one tier has, split external / internal.

    ``external_pages`` and ``internal_pages`` count the pages with at least one
    such edge; a page with both counts in each.
    """

    tier: int
    pages: int
    external_pages: int
    internal_pages: int
    external_links: int
    internal_links: int


@dataclass(frozen=True, slots=True)
class TierMap:
    """The tiers around a target set, their edges, the equity of tier 1 and the top paths.

    Attributes
    ----------
    depth : int
        Deepest tier looked for.
    targets : numpy.ndarray
        int64 sorted node ids of the target set.
    target_domains : numpy.ndarray
        int64 sorted domain ids of the target's pages.
    tier_of_node : numpy.ndarray
        int8 tier of each node: 0 for a target page, ``NO_TIER`` (-1) for none.
    edges : TierEdges
        The tier edges, by tier, then source, then link index.
    pages : TierEquity
        Page level: the tier-1 pages.
    domains : TierEquity
        Domain level: the domains of the tier-1 pages, on the domain graph.
    """

    depth: int
    targets: Ids
    target_domains: Ids
    tier_of_node: npt.NDArray[np.int8]
    edges: TierEdges
    pages: TierEquity
    domains: TierEquity

    def tier_counts(self) -> list[TierCount]:
        """Count the pages and links of each tier from 1 to ``depth``, empty tiers included."""
        counts: list[TierCount] = []
        edges = self.edges
        for tier in range(1, self.depth + 1):
            in_tier = edges.tiers == tier
            external = in_tier & ~edges.is_internal
            internal = in_tier & edges.is_internal
            counts.append(
                TierCount(
                    tier=tier,
                    pages=int(np.count_nonzero(self.tier_of_node == tier)),
                    external_pages=int(np.unique(edges.sources[external]).size),
                    internal_pages=int(np.unique(edges.sources[internal]).size),
                    external_links=int(np.count_nonzero(external)),
                    internal_links=int(np.count_nonzero(internal)),
                )
            )
        return counts


def tier_map(
    graph: LinkGraph,
    link_sources: npt.ArrayLike,
    link_targets: npt.ArrayLike,
    domain_of_node: npt.ArrayLike,
    targets: npt.ArrayLike,
    *,
    depth: int = 3,
    top_paths: int = 10,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
) -> TierMap:
    """Draw the tiers around a target set and measure the equity that tier 1 passes to it.

    Parameters
    ----------
    graph : LinkGraph
        The followed links (no nofollow, sponsored or ugc) between the nodes.
    link_sources, link_targets : array_like of int
        Node ids of the ends of every link, followed or not, one entry per
        link (repeats allowed: one per anchor, say).
    domain_of_node : array_like of int
        Domain id of each node, indexed by node id.
    targets : array_like of int
        Node ids of the target set (a page, or all pages of a site).
    depth : int, default 3
        Deepest tier, and longest path in links.
    top_paths : int, default 10
        Paths kept for each length, at page and at domain level.
    damping : float, default 0.85
        PageRank damping ``d``, in ``[0, 1)``.
    teleport : array_like of float, optional
        Teleport vector of the PageRank, uniform by default; put zeros on
        nodes that are not ranked (say, pages with no followed link). The
        domain graph teleports uniformly to the domains of the nodes it
        reaches.

    Returns
    -------
    TierMap
        Tiers, tier edges, equity and influence of the tier-1 pages and domains,
        and the top paths.

    Raises
    ------
    ValueError
        If ``depth`` or ``top_paths`` is below 1, ``targets`` is empty, an id is
        outside the graph, or the arrays differ in length.
    NotConverged
        If PageRank or an influence solve does not settle.

    Examples
    --------
    Page 0 links to the target 3; page 1, on 0's domain, and page 2, on
    another, link to 0:

    >>> from linkequity.graph import LinkGraph
    >>> sources, targets = [0, 1, 2], [3, 0, 0]
    >>> g = LinkGraph.from_arrays(sources, targets, 4)
    >>> tiers = tier_map(g, sources, targets, [0, 0, 1, 2], [3], depth=2)
    >>> tiers.tier_of_node.tolist(), tiers.edges.is_internal.tolist()
    ([1, 2, 2, 0], [False, True, False])
    >>> round(float(tiers.pages.equity[0]), 4)
    0.2871
    """
    n = graph.n_nodes
    src = _ids(link_sources, n, "link_sources")
    dst = _ids(link_targets, n, "link_targets")
    if src.size != dst.size:
        raise ValueError(f"{src.size} link sources but {dst.size} link targets")
    domains = np.asarray(domain_of_node, dtype=np.int64).ravel()
    if domains.size != n:
        raise ValueError(f"{domains.size} domain ids for {n} nodes")
    if domains.size and int(domains.min()) < 0:
        raise ValueError("domain ids must be >= 0")
    target_ids = np.unique(_ids(targets, n, "targets"))
    if target_ids.size == 0:
        raise ValueError("targets is empty; give at least one node id")
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    if top_paths < 1:
        raise ValueError(f"top_paths must be >= 1, got {top_paths}")

    target_domains = np.unique(domains[target_ids])
    tier_of_node = _tiers(src, dst, domains, target_ids, target_domains, depth)
    edges = _tier_edges(src, dst, domains, tier_of_node)

    tier1 = np.flatnonzero(tier_of_node == 1).astype(np.int64)
    pages = _equity(
        graph, target_ids, tier1, depth=depth, top=top_paths, damping=damping, teleport=teleport
    )
    n_domains = int(domains.max()) + 1 if domains.size else 0
    domain_links = domain_graph(graph, domains, n_domains)
    has_mass = (
        np.ones(n, dtype=np.bool_)
        if teleport is None
        else np.asarray(teleport, dtype=np.float64).ravel() > 0
    )
    domain_teleport = np.zeros(n_domains)
    domain_teleport[domains[has_mass]] = 1.0
    by_domain = _equity(
        domain_links,
        target_domains,
        np.unique(domains[tier1]),
        depth=depth,
        top=top_paths,
        damping=damping,
        teleport=domain_teleport,
    )
    return TierMap(
        depth=depth,
        targets=target_ids,
        target_domains=target_domains,
        tier_of_node=tier_of_node,
        edges=edges,
        pages=pages,
        domains=by_domain,
    )


def _tiers(
    src: Ids, dst: Ids, domains: Ids, target_ids: Ids, target_domains: Ids, depth: int
) -> npt.NDArray[np.int8]:
    """Tier of every node, level by level: one pass over the links per tier."""
    tier_of_node = np.full(domains.size, NO_TIER, dtype=np.int8)
    tier_of_node[target_ids] = 0
    is_outside = ~np.isin(domains, target_domains)
    for tier in range(1, depth + 1):
        reaches = (tier_of_node[dst] == tier - 1) & (tier_of_node[src] == NO_TIER) & is_outside[src]
        found = np.unique(src[reaches])
        if found.size == 0:
            break
        tier_of_node[found] = tier
    return tier_of_node


def _tier_edges(src: Ids, dst: Ids, domains: Ids, tier_of_node: npt.NDArray[np.int8]) -> TierEdges:
    source_tier = tier_of_node[src]
    is_edge = (source_tier >= 1) & (tier_of_node[dst] == source_tier - 1)
    links = np.flatnonzero(is_edge).astype(np.int64)
    order = np.lexsort((links, src[links], source_tier[links]))
    links = links[order]
    tiers = source_tier[links]
    return TierEdges(
        links=links,
        sources=src[links],
        targets=dst[links],
        tiers=tiers,
        is_internal=(tiers > 1) & (domains[src[links]] == domains[dst[links]]),
    )


def _equity(
    graph: LinkGraph,
    targets: Ids,
    sources: Ids,
    *,
    depth: int,
    top: int,
    damping: float,
    teleport: npt.ArrayLike | None,
) -> TierEquity:
    """Flow of each source into the targets, its influence on them, and the top paths."""
    x = pagerank(graph, damping=damping, teleport=teleport)
    r = influence(graph, targets, damping=damping, teleport=teleport)
    is_target = np.zeros(graph.n_nodes)
    is_target[targets] = 1.0
    adjacency = graph.adjacency
    into_targets = np.asarray(adjacency @ is_target, dtype=np.float64)[sources]
    out_weight = graph.out_weight()[sources]
    flow = np.divide(
        damping * x[sources] * into_targets,
        out_weight,
        out=np.zeros(sources.size),
        where=out_weight > 0,
    )
    order = np.lexsort((sources, -flow))
    paths = explain_paths(
        graph,
        targets,
        depth=depth,
        top=top,
        is_entering_only=True,
        scores=x,
        damping=damping,
        teleport=teleport,
    )
    return TierEquity(
        nodes=sources[order],
        equity=flow[order],
        influence=r[sources][order],
        target_rank=float(x[targets].sum()),
        paths=paths,
    )


def _ids(values: npt.ArrayLike, n: int, name: str) -> Ids:
    ids = np.asarray(values, dtype=np.int64).ravel()
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        bad = ids[(ids < 0) | (ids >= n)]
        raise ValueError(f"{bad.size} {name} ids outside [0, {n}), first {int(bad[0])}")
    return ids
