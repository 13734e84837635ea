"""Influence on a target set, exact what-if gains of new links, removals and paths.

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
    entry. Several right-hand sides share each sweep's set-up.
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

Paths
    The flow on the edge ``i -> j`` is ``d x_i M_ji``. The flow of the path
    ``p_k -> ... -> p_1 -> t`` (``t`` in ``T``) is the flow into its first
    edge times the fraction ``d M`` carried onward at each later step,
    ``x_{p_k} d M_{p_{k-1} p_k} ... d M_{t p_1}``, and its share is that flow
    over ``Σ_T x``. The shares of the paths of length 1 sum to the part of
    ``Σ_T x`` that arrives over followed links (the rest is teleport and
    dangling mass); the extensions of a path through ``p_k`` split its share in
    proportion to the in-link flows of ``p_k``, so they sum to its share times
    the followed-link fraction of ``x_{p_k}``, and none exceeds it. Paths
    follow links only (a dangling page's spread is not a link), and may pass
    through ``T`` or revisit a page unless only entering paths are asked for.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from scipy import sparse

from linkequity.errors import NotConverged
from linkequity.graph.authority import pagerank
from linkequity.graph.link_graph import LinkGraph

__all__ = [
    "AuthorityPath",
    "LinkGains",
    "PlannedLink",
    "explain_paths",
    "influence",
    "link_gains",
    "plan_links",
    "removal_loss",
    "target_rank",
]

Vector = npt.NDArray[np.float64]
Ids = npt.NDArray[np.int64]


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


@dataclass(frozen=True, slots=True)
class AuthorityPath:
    """A chain of links ending in the target set, and the share of its rank it carries.

    Attributes
    ----------
    nodes : tuple of int
        Node ids from the first page to the target: ``(tier-k, ..., tier-1, target)``.
    share : float
        Flow along the path over ``Σ_T x`` (see the module notes).
    """

    nodes: tuple[int, ...]
    share: float


@dataclass(frozen=True, slots=True)
class _Chain:
    """The reversed Markov chain ``M^T = P + 1_dangling δ^T`` of a graph."""

    forward: sparse.csr_array[np.float64]
    is_dangling: npt.NDArray[np.bool_]
    out_weight: Vector
    dangling: Vector
    teleport: Vector

    @property
    def n_nodes(self) -> int:
        return int(self.is_dangling.size)

    def column_dot(self, sources: Ids, rows: Vector) -> Vector:
        """``m_q^T y`` for each ``q`` in ``sources`` and each row ``y``: ``(len(sources), k)``."""
        dots = np.asarray(self.forward[sources] @ rows.T, dtype=np.float64)
        dangling_rows = self.is_dangling[sources]
        if dangling_rows.any():
            dots[dangling_rows] = rows @ self.dangling
        return dots


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
    chain = _chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    rhs = _indicator(_node_ids(targets, chain.n_nodes, "targets", allow_empty=False), chain.n_nodes)
    solved: Vector = _solve_reversed(chain, rhs[None, :], damping, tol, max_iter)[0]
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
    v = _teleport(teleport, r.size)
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
    chain = _chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    n = chain.n_nodes
    target_ids = _node_ids(targets, n, "targets", allow_empty=False)
    candidate_ids = _node_ids(candidates, n, "candidates", allow_empty=True)
    if not weight > 0 or not np.isfinite(weight):
        raise ValueError(f"weight must be positive and finite, got {weight}")
    both_or_neither = "give exactly one of source (an existing page) and new_source_rank"
    if source is None:
        if new_source_rank is None:
            raise ValueError(both_or_neither)
        if not new_source_rank > 0 or not np.isfinite(new_source_rank):
            raise ValueError(f"new_source_rank must be positive, got {new_source_rank}")
        r = _solve_reversed(chain, _indicator(target_ids, n)[None, :], damping, tol, max_iter)[0]
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
    q = _node_ids([source], n, "source", allow_empty=False)
    x = None if scores is None else _vector(scores, n, "scores")
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
    target_ids = _node_ids(targets, n, "targets", allow_empty=False)
    candidate_ids = _node_ids(candidates, n, "candidates", allow_empty=True)
    source_ids = np.unique(_node_ids(sources, n, "sources", allow_empty=True))
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
        chain = _chain(graph, damping=damping, teleport=teleport, dangling=dangling)
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
    target_ids = _node_ids(targets, n, "targets", allow_empty=False)
    if (edges is None) == (sources is None):
        raise ValueError("give exactly one of edges and sources")
    coo = graph.adjacency.tocoo()
    rows = coo.row.astype(np.int64)
    cols = coo.col.astype(np.int64)
    if edges is not None:
        src = _node_ids(edges[0], n, "edge sources", allow_empty=True)
        dst = _node_ids(edges[1], n, "edge targets", allow_empty=True)
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
        source_ids = _node_ids(
            sources if sources is not None else [], n, "sources", allow_empty=True
        )
        is_removed = np.isin(rows, source_ids) & np.isin(cols, target_ids)
    if not is_removed.any():
        return 0.0
    x = (
        pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol)
        if scores is None
        else _vector(scores, n, "scores")
    )
    kept = LinkGraph.from_arrays(
        rows[~is_removed], cols[~is_removed], n, weights=coo.data[~is_removed]
    )
    before = _chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    after = _chain(kept, damping=damping, teleport=teleport, dangling=dangling)
    changed = np.unique(rows[is_removed])
    # (M' - M) x is non-zero only through the columns of the changed sources.
    x_changed = x[changed]
    delta_mx = np.asarray(
        (after.forward[changed] - before.forward[changed]).T @ x_changed, dtype=np.float64
    )
    delta_mx += after.dangling * float(x_changed[after.is_dangling[changed]].sum())
    r_after = _solve_reversed(after, _indicator(target_ids, n)[None, :], damping, tol, max_iter)[0]
    return float(-damping * (r_after @ delta_mx))


def explain_paths(
    graph: LinkGraph,
    targets: npt.ArrayLike,
    *,
    depth: int = 3,
    top: int | None = 20,
    is_entering_only: bool = False,
    scores: npt.ArrayLike | None = None,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    tol: float = 1e-10,
) -> list[AuthorityPath]:
    """Find the chains of links that carry most of a target set's rank, and their shares.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    targets : array_like of int
        Node ids of the target set ``T``.
    depth : int, default 3
        Longest path, in links: 3 gives tier-3 -> tier-2 -> tier-1 -> target.
    top : int or None, default 20
        Paths to return for each length from 1 to ``depth``. ``None`` returns
        every path with a positive share, which grows exponentially with
        ``depth``: for small graphs and checks.
    is_entering_only : bool, default False
        Keep only paths whose pages before the last are outside ``T``: the
        authority that enters the set. By default links inside ``T`` count too.
    scores : array_like of float, optional
        PageRank of ``graph`` with the same parameters, if already computed.
    damping : float, default 0.85
        Damping ``d``, in ``[0, 1)``.
    teleport, dangling : array_like of float, optional
        As for ``pagerank``.
    tol : float, default 1e-10
        Tolerance of PageRank when ``scores`` is not given.

    Returns
    -------
    list of AuthorityPath
        The top paths of length 1, then of length 2, and so on, each length by
        decreasing share.

    Raises
    ------
    ValueError
        If ``depth`` or ``top`` is below 1, or an id is outside the graph.

    Notes
    -----
    The search is exact: an extension never carries more than its path, so
    paths below a threshold are not extended, and the threshold is lowered
    until every length has ``top`` paths above it or no path was cut (or
    it reaches a share of 1e-12, below which paths are left out). Each
    length has at most ``1 / threshold`` paths above the threshold.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3)
    >>> [(p.nodes, round(p.share, 4)) for p in explain_paths(g, [2], depth=2)]
    [((1, 2), 0.85), ((0, 1, 2), 0.7225)]
    """
    n = graph.n_nodes
    target_ids = np.unique(_node_ids(targets, n, "targets", allow_empty=False))
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    if top is not None and top < 1:
        raise ValueError(f"top must be >= 1 or None, got {top}")
    chain = _chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    x = (
        pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol)
        if scores is None
        else _vector(scores, n, "scores")
    )
    if not float(x[target_ids].sum()) > 0:
        return []  # no rank to explain: a teleport vector that never reaches the targets
    reverse = sparse.csr_array(chain.forward.T)
    reverse.sort_indices()
    is_allowed = np.ones(n, dtype=np.bool_)
    if is_entering_only:
        is_allowed[target_ids] = False
    threshold = 0.0 if top is None else 1.0 / (4.0 * top)
    while True:
        levels, is_complete = _paths_above(
            reverse, x, target_ids, is_allowed, damping, depth, threshold
        )
        if (
            top is None
            or threshold < _SMALLEST_SHARE
            or all(
                complete or shares.size >= top
                for (_, shares), complete in zip(levels, is_complete, strict=True)
            )
        ):
            break
        threshold /= 16.0
    found: list[AuthorityPath] = []
    for nodes, shares in levels:
        order = np.argsort(-shares, kind="stable")
        if top is not None:
            order = order[:top]
        found.extend(
            AuthorityPath(tuple(int(node) for node in nodes[i]), float(shares[i])) for i in order
        )
    return found


# Paths carrying less than this share of the targets' rank are not worth a search.
_SMALLEST_SHARE = 1e-12


def _paths_above(
    reverse: sparse.csr_array[np.float64],
    x: Vector,
    target_ids: Ids,
    is_allowed: npt.NDArray[np.bool_],
    damping: float,
    depth: int,
    threshold: float,
) -> tuple[list[tuple[Ids, Vector]], list[bool]]:
    """Every path of each length whose share is at least ``threshold``; whether none was cut.

    A path's share is ``x[first] * carry``, ``carry`` being the product of
    ``d M`` along its links over ``Σ_T x``.
    """
    nodes = target_ids[:, None]
    carry = np.full(target_ids.size, 1.0 / float(x[target_ids].sum()))
    levels: list[tuple[Ids, Vector]] = []
    is_complete: list[bool] = []
    complete = True
    for _ in range(depth):
        parent, first, fraction = _csr_rows(reverse, nodes[:, 0])
        keep = is_allowed[first]
        parent, first = parent[keep], first[keep]
        new_carry = carry[parent] * (damping * fraction[keep])
        shares = x[first] * new_carry
        above = (shares >= threshold) & (shares > 0)
        complete = complete and bool(np.all(above | (shares == 0)))
        nodes = np.column_stack([first[above], nodes[parent[above]]])
        carry = new_carry[above]
        levels.append((nodes, shares[above]))
        is_complete.append(complete)
    return levels, is_complete


def _csr_rows(matrix: sparse.csr_array[np.float64], heads: Ids) -> tuple[Ids, Ids, Vector]:
    """Each entry of the rows ``heads``: (index into ``heads``, column, value)."""
    indptr = matrix.indptr.astype(np.int64)
    starts = indptr[heads]
    counts = indptr[heads + 1] - starts
    parent = np.repeat(np.arange(heads.size, dtype=np.int64), counts)
    offsets = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    positions = np.repeat(starts, counts) + offsets
    return (
        parent,
        matrix.indices[positions].astype(np.int64),
        np.asarray(matrix.data[positions], dtype=np.float64),
    )


def _pair_gains(
    graph: LinkGraph,
    chain: _Chain,
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
    solved = _solve_reversed(chain, rhs, damping, tol, max_iter)
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
        row, linked, _ = _csr_rows(chain.forward, source_ids)
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


def _chain(
    graph: LinkGraph,
    *,
    damping: float,
    teleport: npt.ArrayLike | None,
    dangling: npt.ArrayLike | None,
) -> _Chain:
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"damping must be in [0, 1), got {damping}")
    n = graph.n_nodes
    forward = graph.adjacency.astype(np.float64)  # a copy: its data is scaled below
    out_weight = np.asarray(forward.sum(axis=1), dtype=np.float64).ravel()
    is_dangling = out_weight == 0
    inverse = np.divide(1.0, out_weight, out=np.zeros(n), where=~is_dangling)
    forward.data *= np.repeat(inverse, np.diff(forward.indptr))
    v = _teleport(teleport, n)
    dangling_v = v if dangling is None else _vector(dangling, n, "dangling", normalise=True)
    return _Chain(forward, is_dangling, out_weight, dangling_v, v)


def _solve_reversed(
    chain: _Chain, rhs: npt.NDArray[np.float64], damping: float, tol: float, max_iter: int
) -> npt.NDArray[np.float64]:
    """Solve ``R = B + d M^T R`` by extrapolated Gauss-Seidel sweeps, one row per right side.

    The error of a sweep decays geometrically, and slowest along the
    functions that ``M^T`` keeps (constant on each closed set of pages), so
    every ``_EXTRAPOLATE_EVERY`` sweeps each entry is extrapolated to the
    limit of its own geometric series (ratio of its last two changes, clipped
    to ``[0, d]``). A sweep from the guess measures its residual; the guess is
    kept only if that sweep moves less than a plain sweep would have. The
    stopping rule is the plain one for either: no entry moved by ``tol``.
    On the UK 1996 host graph this takes 26 sweeps instead of 106.
    """
    # One row per right-hand side: each sweep reads one contiguous vector.
    b = np.ascontiguousarray(rhs, dtype=np.float64)
    solution = b.copy()
    forward = chain.forward
    indptr = forward.indptr.astype(np.int64, copy=False)
    indices = forward.indices.astype(np.int32, copy=False)

    def sweep(values: npt.NDArray[np.float64]) -> float:
        return float(
            _gauss_seidel_sweep(
                indptr, indices, forward.data, chain.is_dangling, chain.dangling, b, values, damping
            )
        )

    change = np.inf
    last_step: npt.NDArray[np.float64] | None = None
    sweeps = since_restart = 0
    while sweeps < max_iter:
        before = solution.copy()
        change = sweep(solution)
        sweeps += 1
        since_restart += 1
        if change < tol:
            return solution
        step = solution - before
        if (
            last_step is not None
            and since_restart >= 3
            and sweeps % _EXTRAPOLATE_EVERY == 0
            and sweeps < max_iter
        ):
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(last_step != 0, step / last_step, 0.0)
            ratio = np.clip(np.nan_to_num(ratio, nan=0.0, posinf=0.0, neginf=0.0), 0.0, damping)
            guess: npt.NDArray[np.float64] = solution + step * (ratio / (1.0 - ratio))
            guess_change = sweep(guess)
            sweeps += 1
            if guess_change < tol:
                return guess
            if guess_change < damping * change:
                solution, last_step, since_restart = guess, None, 0
                continue
        last_step = step
    raise NotConverged(
        f"influence changed by {change:.3g} (max entry) in round {max_iter}, above tol={tol:g}",
        scores=solution.T,
        iterations=max_iter,
        residual=change,
    )


_EXTRAPOLATE_EVERY = 5


_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(function: _F) -> _F:
    return cast("_F", numba.njit(cache=True, nogil=True)(function))


@_jit
def _gauss_seidel_sweep(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float64],
    is_dangling: npt.NDArray[np.bool_],
    dangling: npt.NDArray[np.float64],
    rhs: npt.NDArray[np.float64],
    solution: npt.NDArray[np.float64],
    damping: float,
) -> float:
    """Set ``R_i = B_i + d (m_i^T R)`` in place, node by node; return the largest move.

    ``rhs`` and ``solution`` hold one right-hand side per row. Each new entry
    is ``B_i`` plus ``d`` times a convex combination of entries of this sweep
    and the last, so the max-norm error shrinks by ``d`` per sweep at worst,
    as for Jacobi, and after a sweep that moved no entry by ``tol`` it is
    below ``tol * d / (1 - d)``. Dangling nodes use ``δ^T R`` as of the start
    of the sweep.
    """
    k, n = solution.shape
    change = 0.0
    for c in range(k):
        column = solution[c]
        through_dangling = 0.0
        for i in range(n):
            through_dangling += dangling[i] * column[i]
        for i in range(n):
            if is_dangling[i]:
                total = through_dangling
            else:
                total = 0.0
                for e in range(indptr[i], indptr[i + 1]):
                    total += data[e] * column[indices[e]]
            new = rhs[c, i] + damping * total
            moved = abs(new - column[i])
            if moved > change:
                change = moved
            column[i] = new
    return change


def _relative(gains: Vector, rank_of_t: float) -> Vector:
    """``gains / rank_of_t``, or infinite where a gain lifts targets of rank 0."""
    if rank_of_t > 0:
        return gains / rank_of_t
    return np.where(gains > 0, np.inf, 0.0)


def _indicator(ids: Ids, n: int) -> Vector:
    vector = np.zeros(n)
    vector[ids] = 1.0
    return vector


def _node_ids(values: npt.ArrayLike, n: int, name: str, *, allow_empty: bool) -> Ids:
    ids = np.asarray(values, dtype=np.int64).ravel()
    if ids.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty; give at least one node id")
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        bad = ids[(ids < 0) | (ids >= n)]
        raise ValueError(f"{bad.size} {name} ids outside [0, {n}), first {int(bad[0])}")
    return ids


def _teleport(values: npt.ArrayLike | None, n: int) -> Vector:
    if values is None:
        return np.full(n, 1.0 / n) if n else np.zeros(0)
    return _vector(values, n, "teleport", normalise=True)


def _vector(values: npt.ArrayLike, n: int, name: str, *, normalise: bool = False) -> Vector:
    vector = np.asarray(values, dtype=np.float64).ravel()
    if vector.size != n:
        raise ValueError(f"{name} has {vector.size} entries for {n} nodes")
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError(f"{name} entries must be finite and >= 0")
    if not normalise:
        return vector
    total = float(vector.sum())
    if total <= 0:
        raise ValueError(f"{name} sums to 0; give at least one positive entry")
    return vector / total
