"""Influence on a target set, and the exact what-if gains of new links and removals.

Notation (DESIGN.md, "The graph maths"): PageRank ``x`` solves
``x = (1 - d) v + d M x`` with ``M`` column-stochastic, the column ``m_q`` of
a dangling node ``q`` being the dangling distribution ``δ`` (the teleport
vector ``v`` unless given). ``G = (I - d M)^-1``, so ``x = (1 - d) G v``
(exactly what ``pagerank`` returns: the columns of ``M`` sum to 1, so the
solution already sums to 1 and its renormalisation changes nothing).

Influence
    ``r = G^T e_T`` solves ``r = e_T + d M^T r``: ``r_p`` is how much of a unit
    of score injected at ``p`` ends up in the target set ``T``. One solve on
    the reversed chain ``M^T = P + 1_dangling δ^T`` (``P`` the row-normalised
    adjacency), by Gauss-Seidel sweeps (compiled, one core) with a geometric
    extrapolation that is kept only when it helps; the stopping rule (no
    entry moved by ``tol``) bounds the error by ``tol d / (1 - d)`` per
    entry. A sweep reads only the links between pages with out-links: the
    entries of dangling pages are all ``e_T + d δ^T r`` (``chain.solve_reversed``).
    Several right-hand sides share each sweep's set-up.
    ``Σ_T x = (1 - d) v^T r``.

What-if gain of one new link ``q -> p`` of weight ``w``
    With ``W`` the out-weight of ``q`` (its out-degree when unweighted), the
    new column of ``q`` is ``(W m_q + w e_p) / (W + w)`` (``e_p`` if ``q`` was
    dangling), a rank-one change ``u e_q^T`` with ``u = c (e_p - m_q)``,
    ``c = w / (W + w)``. Sherman-Morrison gives
    ``Δx = d x_q G u / (1 - d (G u)_q)``, so
    ``Δx_T = d x_q c (r_p - m_q^T r) / (1 - d c (s_p - m_q^T s))``
    with ``s = G^T e_q``, the influence of every page on ``{q}``: row ``q`` of
    ``G`` gives ``(G e_p)_q = s_p`` for every candidate ``p`` at once, and
    ``(G m_q)_q = m_q^T s``. ``x_q = (1 - d) v^T s`` as well, so the exact
    gains of every candidate cost one block solve of two right-hand sides
    (``e_T`` and ``e_q``) on the reversed chain and no PageRank at all; the
    rest is a sparse dot and a gather per candidate. (``G M = (G - I) / d``
    also gives ``m_q^T s = (s_q - 1) / d``; the sparse dot does not rely on
    the solve being exact.)

A new page of a given authority as the source
    A page outside the graph, with no in-links, whose rank ``a`` is given on
    the scale of the existing graph (scores summing to 1 over its pages) and
    whose only out-link goes to ``p``. It adds ``d a e_p`` to the right-hand
    side: ``x' = x + d a G e_p``, so ``Δx_T = d a r_p``, with no feedback and
    no denominator. It is what a full recomputation gives when the page is
    added as node ``n`` with teleport ``[(1 - α) v, α]`` and dangling
    distribution ``[δ, 0]`` (it draws its rank from the teleport alone), and
    the new scores of the old nodes are divided by ``1 - α``, the common
    factor by which the new page's own share shrinks them; then
    ``a = (1 - d) α / (1 - α)``.

A link that already exists
    A ``LinkGraph`` collapses duplicate links, so a second plain link
    ``q -> p`` changes nothing: its gain is 0. With ``is_weighted=True`` the
    weights of duplicates add up, as ``LinkGraph.from_arrays`` adds them, and
    the formula above is exact for the heavier edge. A self-link gains 0.

Removals
    For a set of removed links, ``x' - x = d G' (M' - M) x`` (subtract the
    two fixed-point equations), so ``Δx_T = d r'^T (M' - M) x`` with ``r'``
    the influence on ``T`` in the graph without the links: one solve on the
    changed graph, whatever the number of changed sources, and no
    cancellation between two nearly equal PageRanks. A Woodbury update would
    need one solve per changed source (the rows of ``G`` at those sources),
    so it is not worth it.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from linkequity.graph.authority import pagerank
from linkequity.graph.chain import (
    ReversedChain,
    checked_vector,
    csr_rows,
    indicator,
    node_ids,
    reversed_chain,
    solve_reversed,
    teleport_vector,
)
from linkequity.graph.link_graph import LinkGraph

if TYPE_CHECKING:
    from linkequity.graph.chain import Ids, Vector

__all__ = [
    "LinkGains",
    "PlannedLink",
    "influence",
    "link_gains",
    "plan_links",
    "removal_loss",
    "target_rank",
]


@dataclass(frozen=True, slots=True)
class LinkGains:
    """The exact change of a target set's rank for each candidate new link.

    Attributes
    ----------
    candidates : numpy.ndarray
        int64 node id ``p`` of each candidate link ``q -> p``.
    gains : numpy.ndarray
        float64 change of ``Σ_T x`` if that one link is added.
    relative_gains : numpy.ndarray
        ``gains / target_rank`` (infinite for a gain to targets of rank 0).
    denominators : numpy.ndarray
        Sherman-Morrison denominator ``1 - d (G u)_q`` of each candidate (1 for
        a new source page, or for ``exact=False``); near 1 unless ``p`` leads
        back to ``q``.
    target_rank : float
        ``Σ_T x`` before any link is added.
    source_rank : float
        PageRank ``x_q`` of the source (the given rank of a new page).
    """

    candidates: Ids
    gains: Vector
    relative_gains: Vector
    denominators: Vector
    target_rank: float
    source_rank: float


@dataclass(frozen=True, slots=True)
class PlannedLink:
    """One link chosen by ``plan_links``, with the gain predicted and the gain measured.

    Attributes
    ----------
    source, target : int
        The new link ``source -> target``.
    predicted_gain : float
        Change of ``Σ_T x`` predicted by Sherman-Morrison before adding it.
    realised_gain : float
        Change of ``Σ_T x`` between PageRank before and after adding it.
    target_rank : float
        ``Σ_T x`` after adding it.
    """

    source: int
    target: int
    predicted_gain: float
    realised_gain: float
    target_rank: float


def influence(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    *,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> Vector:
    """Compute the influence of every node on a target set: ``r = G^T e_T``.

    ``r_p`` is how much of a unit of score injected at ``p`` ends up in the
    targets, all pages at once with one solve on the reversed graph; it is
    at least 1 on a target and at most ``1 / (1 - damping)``.

    Parameters
    ----------
    graph : LinkGraph
        The link graph; edge weights split a node's score among its out-edges.
    targets : array_like of int
        Node ids of the target set ``T`` (a page, or all pages of a site).
    damping : float, default 0.85
        Probability ``d`` of following a link, in ``[0, 1)``.
    teleport : array_like of float, optional
        Teleport vector, as for ``pagerank``; only the default dangling
        distribution depends on it here.
    dangling : array_like of float, optional
        Where the score of a node without out-edges goes; the teleport vector
        by default.
    tol : float, default 1e-10
        Stop when no entry changes by ``tol`` or more in one round; the error
        is then below ``tol * d / (1 - d)`` per entry.
    max_iter : int, default 1000
        Most rounds to run.

    Returns
    -------
    numpy.ndarray
        float64 influence of each node, indexed by node id.

    Raises
    ------
    NotConverged
        If an entry still changes by ``tol`` or more after ``max_iter``
        rounds; it carries the last iterate.
    ValueError
        If ``damping`` is outside ``[0, 1)``, ``targets`` is empty or holds an
        id outside the graph, or a vector is not a distribution over the nodes.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    >>> influence(g, [2], damping=0.5).round(4).tolist()
    [0.3529, 0.7059, 1.4118]
    """
    chain = reversed_chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    rhs = indicator(node_ids(targets, chain.n_nodes, "targets", allow_empty=False), chain.n_nodes)
    solved: Vector = solve_reversed(chain, rhs[None, :], damping, tol, max_iter)[0]
    return solved


def target_rank(
    influence_scores: npt.ArrayLike,
    *,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
) -> float:
    """Compute ``Σ_T x``, the PageRank of the target set, from its influence scores.

    Parameters
    ----------
    influence_scores : array_like of float
        ``influence(graph, targets, ...)`` with the same damping and dangling
        distribution as the PageRank in question.
    damping : float, default 0.85
        Damping ``d`` of that PageRank.
    teleport : array_like of float, optional
        Its teleport vector, uniform by default.

    Returns
    -------
    float
        ``(1 - d) v^T r``, which equals the sum of ``pagerank(graph)`` over the targets.

    Raises
    ------
    ValueError
        If ``teleport`` is not a distribution over the nodes.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3)
    >>> round(target_rank(influence(g, [0, 1])), 6)
    0.666667
    """
    r = np.asarray(influence_scores, dtype=np.float64).ravel()
    v = teleport_vector(teleport, r.size)
    return float((1.0 - damping) * (v @ r))


def link_gains(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    candidates: npt.ArrayLike,
    *,
    source: int | None = None,
    new_source_rank: float | None = None,
    weight: float = 1.0,
    is_weighted: bool | None = None,
    exact: bool = True,
    scores: npt.ArrayLike | None = None,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> LinkGains:
    """Compute the exact change of ``Σ_T x`` for one new link ``q -> p``, every candidate at once.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    targets : array_like of int
        Node ids of the target set ``T``.
    candidates : array_like of int
        Node ids ``p`` to link to, say the tier-1 pages that link to ``T``.
    source : int, optional
        Node id ``q`` of an existing page that would link.
    new_source_rank : float, optional
        Instead of ``source``: the rank ``a`` of a new page outside the graph,
        on the scale of the current scores, whose only out-link would be
        ``p``; its gain is ``d a r_p`` (see the module notes).
    weight : float, default 1.0
        Weight ``w`` of the new link; with ``q``'s out-weight ``W`` the link
        takes the share ``w / (W + w)`` of ``q``'s score.
    is_weighted : bool, optional
        Whether a new link onto an existing edge adds ``weight`` to it. If
        not, links collapse, as in ``LinkGraph.from_arrays`` without weights,
        so such a candidate gains 0. By default, whether ``graph`` is weighted.
    exact : bool, default True
        Divide by the Sherman-Morrison denominators. ``False`` keeps the first
        order ``d x_q (r^T u)``, exact when ``p`` does not lead back to ``q``.
    scores : array_like of float, optional
        PageRank of ``graph`` with the same parameters, if already computed:
        its value at ``q`` is used instead of ``(1 - d) v^T G^T e_q``.
    damping : float, default 0.85
        Damping ``d``, in ``[0, 1)``.
    teleport, dangling : array_like of float, optional
        As for ``pagerank``.
    tol : float, default 1e-10
        Tolerance of the solve, as for ``influence``.
    max_iter : int, default 1000
        Most rounds of the solve.

    Returns
    -------
    LinkGains
        Gains, relative gains and denominators, indexed like ``candidates``.

    Raises
    ------
    NotConverged
        If the solve does not reach ``tol`` in ``max_iter`` rounds.
    ValueError
        If neither or both of ``source`` and ``new_source_rank`` are given, an
        id is outside the graph, ``weight`` or ``new_source_rank`` is not
        positive, or ``damping`` is outside ``[0, 1)``.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2, 3, 3], [1, 0, 3, 0, 2], 4)
    >>> result = link_gains(g, [0], [1, 3], source=2)
    >>> result.gains.round(5).tolist(), result.denominators.round(3).tolist()
    ([0.01844, 0.0], [1.283, 1.0])
    """
    chain = reversed_chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    n = chain.n_nodes
    target_ids = node_ids(targets, n, "targets", allow_empty=False)
    candidate_ids = node_ids(candidates, n, "candidates", allow_empty=True)
    if not weight > 0 or not np.isfinite(weight):
        raise ValueError(f"weight must be positive and finite, got {weight}")
    both_or_neither = "give exactly one of source (an existing page) and new_source_rank"
    if source is None:
        if new_source_rank is None:
            raise ValueError(both_or_neither)
        if not new_source_rank > 0 or not np.isfinite(new_source_rank):
            raise ValueError(f"new_source_rank must be positive, got {new_source_rank}")
        r = solve_reversed(chain, indicator(target_ids, n)[None, :], damping, tol, max_iter)[0]
        rank_of_t = float((1.0 - damping) * (chain.teleport @ r))
        gains = damping * new_source_rank * r[candidate_ids]
        ones = np.ones(candidate_ids.size)
        return LinkGains(
            candidate_ids,
            gains,
            _relative(gains, rank_of_t),
            ones,
            rank_of_t,
            float(new_source_rank),
        )
    if new_source_rank is not None:
        raise ValueError(both_or_neither)
    q = node_ids([source], n, "source", allow_empty=False)
    x = None if scores is None else checked_vector(scores, n, "scores")
    gains, denominators, rank_of_t, source_ranks = _pair_gains(
        graph,
        chain,
        target_ids,
        q,
        candidate_ids,
        weight=weight,
        is_weighted=graph.is_weighted if is_weighted is None else is_weighted,
        exact=exact,
        scores=x,
        damping=damping,
        tol=tol,
        max_iter=max_iter,
    )
    return LinkGains(
        candidate_ids,
        gains[0],
        _relative(gains[0], rank_of_t),
        denominators[0],
        rank_of_t,
        float(source_ranks[0]),
    )


def plan_links(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    candidates: npt.ArrayLike,
    sources: npt.ArrayLike,
    k: int,
    *,
    weight: float = 1.0,
    is_weighted: bool | None = None,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> list[PlannedLink]:
    """Choose up to ``k`` new links ``q -> p`` greedily, re-solving after each.

    Each step computes the exact gain of every pair of a source and a
    candidate (one block solve for the targets and all sources), adds the
    best link to the graph and measures its realised gain with PageRank
    before the next step. It stops early when no pair gains.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    targets : array_like of int
        Node ids of the target set ``T``.
    candidates : array_like of int
        Node ids ``p`` that may be linked to.
    sources : array_like of int
        Node ids ``q`` that may link (pages where a link can be placed).
    k : int
        Most links to choose.
    weight : float, default 1.0
        Weight of each new link.
    is_weighted : bool, optional
        Whether a link onto an existing edge adds its weight (see ``link_gains``);
        by default, whether ``graph`` is weighted.
    damping : float, default 0.85
        Damping ``d``, in ``[0, 1)``.
    teleport, dangling : array_like of float, optional
        As for ``pagerank``.
    tol : float, default 1e-10
        Tolerance of the solves and of PageRank.
    max_iter : int, default 1000
        Most rounds of each solve.

    Returns
    -------
    list of PlannedLink
        The links in the order chosen, each with its predicted and realised gain.

    Raises
    ------
    NotConverged
        If a solve does not reach ``tol`` in ``max_iter`` rounds.
    ValueError
        If ``k`` is negative, an id is outside the graph, or a parameter is
        invalid as for ``link_gains``.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2, 3, 3], [1, 0, 3, 0, 2], 4)
    >>> [(step.source, step.target) for step in plan_links(g, [0], [1, 3], [2], 2)]
    [(2, 1)]
    """
    n = graph.n_nodes
    target_ids = node_ids(targets, n, "targets", allow_empty=False)
    candidate_ids = node_ids(candidates, n, "candidates", allow_empty=True)
    source_ids = np.unique(node_ids(sources, n, "sources", allow_empty=True))
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if not weight > 0 or not np.isfinite(weight):
        raise ValueError(f"weight must be positive and finite, got {weight}")
    plan: list[PlannedLink] = []
    if candidate_ids.size == 0 or source_ids.size == 0:
        return plan
    adds_weight = graph.is_weighted if is_weighted is None else is_weighted
    x = pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol)
    rank_before = float(x[target_ids].sum())
    for _ in range(k):
        chain = reversed_chain(graph, damping=damping, teleport=teleport, dangling=dangling)
        gains, _, _, _ = _pair_gains(
            graph,
            chain,
            target_ids,
            source_ids,
            candidate_ids,
            weight=weight,
            is_weighted=adds_weight,
            exact=True,
            scores=x,
            damping=damping,
            tol=tol,
            max_iter=max_iter,
        )
        best = int(np.argmax(gains))
        row, column = divmod(best, candidate_ids.size)
        if not gains[row, column] > 0:
            break
        q, p = int(source_ids[row]), int(candidate_ids[column])
        graph = _with_link(graph, q, p, weight=weight)
        x = pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol, start=x)
        rank_after = float(x[target_ids].sum())
        plan.append(
            PlannedLink(q, p, float(gains[row, column]), rank_after - rank_before, rank_after)
        )
        rank_before = rank_after
    return plan


def removal_loss(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    *,
    edges: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
    sources: npt.ArrayLike | None = None,
    scores: npt.ArrayLike | None = None,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> float:
    """Compute the exact loss of ``Σ_T x`` if some links are removed (disavowed).

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    targets : array_like of int
        Node ids of the target set ``T``.
    edges : (array_like of int, array_like of int), optional
        The links ``(sources, targets)`` to remove; each must be in the graph.
    sources : array_like of int, optional
        Instead of ``edges``: pages whose links into ``T`` are all removed,
        say every page of a referring domain.
    scores : array_like of float, optional
        PageRank of ``graph`` with the same parameters, if already computed.
    damping : float, default 0.85
        Damping ``d``, in ``[0, 1)``.
    teleport, dangling : array_like of float, optional
        As for ``pagerank``.
    tol : float, default 1e-10
        Tolerance of the solves.
    max_iter : int, default 1000
        Most rounds of each solve.

    Returns
    -------
    float
        ``Σ_T x - Σ_T x'``: positive when the targets lose rank.

    Raises
    ------
    NotConverged
        If a solve does not reach ``tol`` in ``max_iter`` rounds.
    ValueError
        If neither or both of ``edges`` and ``sources`` are given, an id is
        outside the graph, or a given edge is not in the graph.

    Notes
    -----
    One solve for ``r'``, the influence on ``T`` in the graph without the
    links, gives ``Σ_T x' - Σ_T x = d r'^T (M' - M) x`` exactly (module
    notes), plus one PageRank unless ``scores`` is given.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2, 3, 3], [1, 0, 3, 0, 2], 4)
    >>> round(removal_loss(g, [0], sources=[3]), 5)
    0.16634
    """
    n = graph.n_nodes
    target_ids = node_ids(targets, n, "targets", allow_empty=False)
    if (edges is None) == (sources is None):
        raise ValueError("give exactly one of edges and sources")
    coo = graph.adjacency.tocoo()
    rows = coo.row.astype(np.int64)
    cols = coo.col.astype(np.int64)
    if edges is not None:
        src = node_ids(edges[0], n, "edge sources", allow_empty=True)
        dst = node_ids(edges[1], n, "edge targets", allow_empty=True)
        if src.shape != dst.shape:
            raise ValueError(f"{src.size} edge sources but {dst.size} edge targets")
        keys = rows * n + cols
        # The adjacency is canonical CSR, so its keys ascend; binary search
        # is then thousands of times faster than np.isin on millions of edges.
        order = None if np.all(keys[1:] > keys[:-1]) else np.argsort(keys, kind="stable")
        sorted_keys = keys if order is None else keys[order]
        removed_keys = src * n + dst
        position = np.searchsorted(sorted_keys, removed_keys)
        found = position < sorted_keys.size
        found[found] = sorted_keys[position[found]] == removed_keys[found]
        if not found.all():
            first = int(np.flatnonzero(~found)[0])
            raise ValueError(
                f"{int((~found).sum())} edges to remove are not in the graph, "
                f"first {int(src[first])} -> {int(dst[first])}"
            )
        is_removed = np.zeros(keys.size, dtype=np.bool_)
        is_removed[position if order is None else order[position]] = True
    else:
        source_ids = node_ids(
            sources if sources is not None else [], n, "sources", allow_empty=True
        )
        is_removed = np.isin(rows, source_ids) & np.isin(cols, target_ids)
    if not is_removed.any():
        return 0.0
    x = (
        pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol)
        if scores is None
        else checked_vector(scores, n, "scores")
    )
    kept = LinkGraph.from_arrays(
        rows[~is_removed], cols[~is_removed], n, weights=coo.data[~is_removed]
    )
    before = reversed_chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    after = reversed_chain(kept, damping=damping, teleport=teleport, dangling=dangling)
    changed = np.unique(rows[is_removed])
    # (M' - M) x is non-zero only through the columns of the changed sources.
    x_changed = x[changed]
    delta_mx = np.asarray(
        (after.forward[changed] - before.forward[changed]).T @ x_changed, dtype=np.float64
    )
    delta_mx += after.dangling * float(x_changed[after.is_dangling[changed]].sum())
    r_after = solve_reversed(after, indicator(target_ids, n)[None, :], damping, tol, max_iter)[0]
    return float(-damping * (r_after @ delta_mx))


def _pair_gains(
    graph: LinkGraph,
    chain: ReversedChain,
    target_ids: Ids,
    source_ids: Ids,
    candidate_ids: Ids,
    *,
    weight: float,
    is_weighted: bool,
    exact: bool,
    scores: Vector | None,
    damping: float,
    tol: float,
    max_iter: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, Vector]:
    """Gains and denominators of every (source, candidate) pair, shape ``(sources, candidates)``."""
    n = chain.n_nodes
    rhs = np.zeros((1 + source_ids.size, n))
    rhs[0, target_ids] = 1.0
    rhs[1 + np.arange(source_ids.size), source_ids] = 1.0
    solved = solve_reversed(chain, rhs, damping, tol, max_iter)
    r, s = solved[0], solved[1:]
    rank_of_t = float((1.0 - damping) * (r @ chain.teleport))
    source_ranks = (1.0 - damping) * (s @ chain.teleport) if scores is None else scores[source_ids]
    share = weight / (chain.out_weight[source_ids] + weight)
    column_dots = chain.column_dot(source_ids, solved)
    r_through_q = column_dots[:, 0]
    s_through_q = column_dots[np.arange(source_ids.size), 1 + np.arange(source_ids.size)]
    numerators = (damping * (source_ranks * share))[:, None] * (
        r[candidate_ids][None, :] - r_through_q[:, None]
    )
    if exact:
        g_u = share[:, None] * (s[:, candidate_ids] - s_through_q[:, None])
        denominators = 1.0 - damping * g_u
    else:
        denominators = np.ones_like(numerators)
    gains = numerators / denominators
    is_unchanged = source_ids[:, None] == candidate_ids[None, :]
    if not is_weighted:
        row, linked, _ = csr_rows(chain.forward, source_ids)
        pairs = np.arange(source_ids.size, dtype=np.int64)[:, None] * n + candidate_ids[None, :]
        is_unchanged |= np.isin(pairs, row * n + linked)
    gains[is_unchanged] = 0.0
    return gains, denominators, rank_of_t, np.asarray(source_ranks, dtype=np.float64)


def _with_link(graph: LinkGraph, source: int, target: int, *, weight: float) -> LinkGraph:
    """Add ``source -> target``: a new edge, or more weight on one (a gain > 0 says which)."""
    coo = graph.adjacency.tocoo()
    return LinkGraph.from_arrays(
        np.append(coo.row.astype(np.int64), source),
        np.append(coo.col.astype(np.int64), target),
        graph.n_nodes,
        weights=np.append(np.asarray(coo.data, dtype=np.float64), weight),
    )


def _relative(gains: Vector, rank_of_t: float) -> Vector:
    """``gains / rank_of_t``, or infinite where a gain lifts targets of rank 0."""
    if rank_of_t > 0:
        return gains / rank_of_t
    return np.where(gains > 0, np.inf, 0.0)
