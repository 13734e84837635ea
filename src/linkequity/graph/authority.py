"""Authority scores by power iteration: PageRank, HITS, TrustRank and spam mass.

PageRank ``x`` solves ``x = (1 - d) v + d M x``, where ``M`` is the
column-stochastic transition of the graph (each node splits its score over its
out-edges in proportion to their weights) with the column of each dangling node
(no out-edges) replaced by the dangling distribution, the teleport vector ``v``
unless given. Each round is one pass over the in-links of every node that has
out-links (graph/_kernels.py); a dangling node's score feeds no link, so its
row is read in the first round and once at the end.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from linkequity.errors import NotConverged
from linkequity.graph import _kernels

if TYPE_CHECKING:
    from linkequity.graph.link_graph import LinkGraph

__all__ = [
    "PageRankReport",
    "SpamMass",
    "anti_trustrank",
    "hits",
    "pagerank",
    "pagerank_report",
    "propose_trust_seeds",
    "spam_mass",
    "trustrank",
]


def pagerank(
    graph: LinkGraph,
    *,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    start: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> npt.NDArray[np.float64]:
    """Compute the PageRank of every node, indexed by node id (sums to 1).

    Parameters
    ----------
    graph : LinkGraph
        The link graph; edge weights split a node's score among its out-edges.
    damping : float, default 0.85
        Probability ``d`` of following a link rather than teleporting, in ``[0, 1]``.
    teleport : array_like of float, optional
        Teleport (personalisation) vector ``v``, one non-negative value per node,
        normalised to sum 1. Uniform by default; put the mass on trusted seeds
        for TrustRank.
    dangling : array_like of float, optional
        Where the score of a node without out-edges goes, one non-negative value
        per node, normalised to sum 1. The teleport vector by default.
    start : array_like of float, optional
        First iterate (normalised to sum 1), say the scores of a previous run.
        The teleport vector by default.
    tol : float, default 1e-10
        Stop when the L1 norm of the change of one round is below ``tol``
        (after the first round, its part over dangling nodes is bounded from
        above, which may add a round: see `pagerank_report`).
    max_iter : int, default 200
        Most rounds to run.

    Returns
    -------
    numpy.ndarray
        float64 scores, indexed by node id, summing to 1 (empty for an empty graph).

    Raises
    ------
    NotConverged
        If the L1 change still exceeds ``tol`` after ``max_iter`` rounds; it
        carries the last iterate, the rounds run and the last change.
    ValueError
        If ``damping`` is outside ``[0, 1]``, or a vector has the wrong length,
        a negative or non-finite entry, or sums to 0.

    Notes
    -----
    With ``d < 1`` the error shrinks by a factor ``d`` per round at worst, so
    the default tolerance takes about ``log(1e-10) / log(0.85)``, some 140
    rounds on a graph that mixes slowly, and far fewer on most web graphs.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3)
    >>> pagerank(g).round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    return pagerank_report(
        graph,
        damping=damping,
        teleport=teleport,
        dangling=dangling,
        start=start,
        tol=tol,
        max_iter=max_iter,
    ).scores


@dataclass(frozen=True, slots=True)
class PageRankReport:
    """A converged PageRank and how it got there.

    Attributes
    ----------
    scores : numpy.ndarray
        float64 scores, indexed by node id, summing to 1.
    iterations : int
        Rounds run.
    residual : float
        L1 change of the last round (its part over dangling nodes bounded from
        above after the first round), below the tolerance asked for.
    """

    scores: npt.NDArray[np.float64]
    iterations: int
    residual: float


def pagerank_report(
    graph: LinkGraph,
    *,
    damping: float = 0.85,
    teleport: npt.ArrayLike | None = None,
    dangling: npt.ArrayLike | None = None,
    start: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> PageRankReport:
    """Compute PageRank as `pagerank` does, and say how many rounds it took.

    Takes the parameters of `pagerank` and raises what it raises.

    Returns
    -------
    PageRankReport
        The scores, the rounds run and the last round's L1 change.

    Notes
    -----
    Each round reads in-links once, on every core (graph/_kernels.py):
    ``x_new = (1 - d) v + d (w * m + Σ_in x_j / out_j)``, with ``m`` the score
    held by dangling nodes and ``w`` the dangling distribution. No round needs
    a dangling node's own score, only ``m``, which follows from what the
    other nodes pass to dangling nodes; so only the first round and a last
    pass read the dangling nodes' in-links (on the UK 1996 host graph 91 %
    of the links: a crawl's frontier links nowhere). In between, the L1
    change over dangling nodes is bounded by ``d (|Δm| w(D) + Σ_j |Δx_j /
    out_j| l_j)``, ``l_j`` the links from ``j`` to dangling nodes, which may
    add a round to the textbook iteration's count, never remove one: the
    scores are the textbook iterate of the rounds reported. Above
    ``_kernels.SEGMENT_NODES`` nodes the sum over in-links is taken one
    cache-sized segment of sources at a time. The rounds need no
    renormalisation, since every column of the transition sums to 1; the
    scores are normalised once at the end.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> report = pagerank_report(LinkGraph.from_arrays([0, 1], [1, 0], 3))
    >>> report.scores.round(4).tolist(), report.iterations > 0
    ([0.4651, 0.4651, 0.0698], True)
    """
    n = graph.n_nodes
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must be in [0, 1], got {damping}")
    if n == 0:
        return PageRankReport(np.zeros(0, dtype=np.float64), 0, 0.0)
    uniform = np.full(n, 1.0 / n)
    v = _NO_VECTOR if teleport is None else _distribution(teleport, n, "teleport")
    dangling_v = v if dangling is None else _distribution(dangling, n, "dangling")
    x = (
        (uniform if v.size == 0 else v.copy())
        if start is None
        else _distribution(start, n, "start")
    )

    out_weight = graph.out_weight()
    inverse_out = np.divide(1.0, out_weight, out=np.zeros(n), where=out_weight > 0)
    in_share = (
        _NO_VECTOR if graph.in_weights is None else graph.in_weights * inverse_out[graph.in_indices]
    )
    scores, rounds, residual = _kernels.pagerank_rounds(
        graph.in_indptr,
        graph.in_indices,
        in_share,
        inverse_out,
        v,
        dangling_v,
        float(damping),
        x,
        float(tol),
        int(max_iter),
    )
    scores /= scores.sum()
    if not residual < tol:
        raise NotConverged(
            f"PageRank changed by {residual:.3g} (L1) in round {rounds}, above tol={tol:g}",
            scores=scores,
            iterations=rounds,
            residual=residual,
        )
    return PageRankReport(scores, int(rounds), float(residual))


def hits(
    graph: LinkGraph,
    *,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Compute the HITS hub and authority scores of every node, indexed by node id.

    A good hub links to good authorities, a good authority is linked from good
    hubs: ``a = A^T h`` and ``h = A a``, with ``A`` the weighted adjacency
    matrix, iterated from uniform hubs and normalised to sum 1 each round.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    tol : float, default 1e-10
        Stop when the L1 change of the hub vector in one round is below ``tol``.
    max_iter : int, default 1000
        Most rounds to run.

    Returns
    -------
    hubs, authorities : numpy.ndarray
        float64 scores, indexed by node id, each summing to 1; all zero for a
        graph without edges.

    Raises
    ------
    NotConverged
        If the L1 change of the hubs still exceeds ``tol`` after ``max_iter``
        rounds; ``scores`` holds the last hub vector.

    Notes
    -----
    The hubs converge to the principal eigenvector of ``A A^T`` at the rate
    of its second eigenvalue over its first. When those two are equal (two
    disconnected communities of the same strength) the answer depends on the
    start, as for every power method.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1], [2, 2], 3)
    >>> hubs, authorities = hits(g)
    >>> hubs.round(6).tolist(), authorities.round(6).tolist()
    ([0.5, 0.5, 0.0], [0.0, 0.0, 1.0])
    """
    n = graph.n_nodes
    adjacency = graph.adjacency
    if n == 0 or adjacency.nnz == 0:
        return np.zeros(n, dtype=np.float64), np.zeros(n, dtype=np.float64)
    reverse = sparse.csr_array(adjacency.T)
    h = np.full(n, 1.0 / n)
    residual = np.inf
    for _ in range(max_iter):
        new_h = np.asarray(adjacency @ (reverse @ h), dtype=np.float64)
        new_h /= new_h.sum()
        residual = float(np.abs(new_h - h).sum())
        h = new_h
        if residual < tol:
            a = np.asarray(reverse @ h, dtype=np.float64)
            return h, a / a.sum()
    raise NotConverged(
        f"HITS hubs changed by {residual:.3g} (L1) in round {max_iter}, above tol={tol:g}",
        scores=h,
        iterations=max_iter,
        residual=residual,
    )


_NO_VECTOR = np.zeros(0, dtype=np.float64)


def _distribution(values: npt.ArrayLike, n: int, name: str) -> npt.NDArray[np.float64]:
    vector = np.asarray(values, dtype=np.float64).ravel()
    if vector.size != n:
        raise ValueError(f"{name} has {vector.size} entries for {n} nodes")
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError(f"{name} entries must be finite and >= 0")
    total = float(vector.sum())
    if total <= 0:
        raise ValueError(f"{name} sums to 0; give at least one positive entry")
    return vector / total


@dataclass(frozen=True, slots=True)
class SpamMass:
    """Spam mass of every node, indexed by node id (Gyöngyi et al. 2006).

    Attributes
    ----------
    absolute : numpy.ndarray
        ``x - x+``: the PageRank a node owes to teleports outside the good core.
    relative : numpy.ndarray
        ``(x - x+) / x``: the share of a node's PageRank that does not come from
        the good core; 0 where ``x`` is 0.
    pagerank : numpy.ndarray
        ``x``, the PageRank with uniform teleport.
    core_rank : numpy.ndarray
        ``x+``, the core-based PageRank (the good core's share of ``x``).
    """

    absolute: npt.NDArray[np.float64]
    relative: npt.NDArray[np.float64]
    pagerank: npt.NDArray[np.float64]
    core_rank: npt.NDArray[np.float64]


def trustrank(
    graph: LinkGraph,
    seeds: npt.ArrayLike,
    *,
    seed_weights: npt.ArrayLike | None = None,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> npt.NDArray[np.float64]:
    """Compute the TrustRank of every node: PageRank teleporting to trusted seeds.

    Trust starts at pages a person has checked and flows along links: a page
    that good pages link to inherits some of their trust, and trust thins out
    with every hop (Gyöngyi, Garcia-Molina and Pedersen, "Combating Web Spam
    with TrustRank", VLDB 2004). Here it is :func:`pagerank` with the teleport
    vector, and the dangling distribution, both equal to the seed vector, so
    the scores sum to 1 and a node no seed reaches scores 0. The paper lets
    the trust of a node without out-links leak away instead; sending it back
    to the seeds scales every score by the same factor, so the ranking is the
    paper's.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    seeds : array_like of int
        Node ids of the trusted seeds, in ``[0, n_nodes)``. Without
        ``seed_weights`` a seed listed twice counts once.
    seed_weights : array_like of float, optional
        Non-negative trust of each seed, parallel to ``seeds``; the weights of a
        seed listed twice add up. Equal trust by default.
    damping : float, default 0.85
        Probability of following a link rather than jumping back to a seed.
    tol : float, default 1e-10
        L1 tolerance of the power iteration.
    max_iter : int, default 200
        Most rounds to run.

    Returns
    -------
    numpy.ndarray
        float64 trust scores, indexed by node id, summing to 1.

    Raises
    ------
    ValueError
        If ``seeds`` is empty, not integer, or holds an id outside
        ``[0, n_nodes)``, or if ``seed_weights`` has the wrong length, a
        negative or non-finite entry, or sums to 0.
    NotConverged
        If the power iteration does not reach ``tol`` in ``max_iter`` rounds.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 2, 3], 4)
    >>> trustrank(g, [0]).round(4).tolist()
    [0.3138, 0.2667, 0.2267, 0.1927]
    """
    seed_vector = _seed_vector(seeds, seed_weights, graph.n_nodes, "seeds")
    return pagerank(
        graph,
        damping=damping,
        teleport=seed_vector,
        dangling=seed_vector,
        tol=tol,
        max_iter=max_iter,
    )


def anti_trustrank(
    graph: LinkGraph,
    spam_seeds: npt.ArrayLike,
    *,
    seed_weights: npt.ArrayLike | None = None,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> npt.NDArray[np.float64]:
    """Compute the anti-trust rank of every node: distrust flowing back from known spam.

    A page that links to spam is likely spam itself, so distrust flows against
    the links: it is TrustRank on the transposed graph, teleporting to the
    known spam seeds (Krishnan and Raj, "Web Spam Detection with Anti-Trust
    Rank", AIRWeb 2006). A high score marks a node whose links lead to spam in
    few hops.

    Parameters
    ----------
    graph : LinkGraph
        The link graph (not transposed; this function reverses it).
    spam_seeds : array_like of int
        Node ids of known spam, in ``[0, n_nodes)``. Without ``seed_weights`` a
        seed listed twice counts once.
    seed_weights : array_like of float, optional
        Non-negative distrust of each seed, parallel to ``spam_seeds``.
    damping : float, default 0.85
        Probability of following a link backwards rather than jumping back to
        a spam seed.
    tol : float, default 1e-10
        L1 tolerance of the power iteration.
    max_iter : int, default 200
        Most rounds to run.

    Returns
    -------
    numpy.ndarray
        float64 distrust scores, indexed by node id, summing to 1; 0 for a node
        with no path of links to a spam seed.

    Raises
    ------
    ValueError
        If ``spam_seeds`` is empty, not integer, or holds an id outside
        ``[0, n_nodes)``, or if ``seed_weights`` is malformed.
    NotConverged
        If the power iteration does not reach ``tol`` in ``max_iter`` rounds.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 2, 3], 4)
    >>> anti_trustrank(g, [3]).round(4).tolist()
    [0.1927, 0.2267, 0.2667, 0.3138]
    """
    seed_vector = _seed_vector(spam_seeds, seed_weights, graph.n_nodes, "spam_seeds")
    return pagerank(
        graph.transpose(),
        damping=damping,
        teleport=seed_vector,
        dangling=seed_vector,
        tol=tol,
        max_iter=max_iter,
    )


def propose_trust_seeds(
    graph: LinkGraph,
    k: int,
    *,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> npt.NDArray[np.int64]:
    """Propose ``k`` trust seeds for a person to review: the best nodes by inverse PageRank.

    Inverse PageRank is PageRank on the transposed graph, with uniform
    teleport: it favours nodes whose out-links reach many nodes in few hops,
    so that trust put on them spreads widely (Gyöngyi et al. 2004, section
    4.1). The proposal is only a review list: a person must check each seed
    before passing it to :func:`trustrank`, since a spam page among the seeds
    hands trust to its farm.

    Parameters
    ----------
    graph : LinkGraph
        The link graph (not transposed; this function reverses it).
    k : int
        Number of seeds to propose; all nodes when ``k`` exceeds ``n_nodes``.
    damping : float, default 0.85
        Damping of the inverse PageRank.
    tol : float, default 1e-10
        L1 tolerance of the power iteration.
    max_iter : int, default 200
        Most rounds to run.

    Returns
    -------
    numpy.ndarray
        int64 node ids, best first; ties go to the smaller id.

    Raises
    ------
    ValueError
        If ``k`` is negative.
    NotConverged
        If the inverse PageRank does not reach ``tol`` in ``max_iter`` rounds.

    Examples
    --------
    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 0, 0, 1], [1, 2, 3, 2], 4)
    >>> propose_trust_seeds(g, 2).tolist()
    [0, 1]
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    inverse = pagerank(graph.transpose(), damping=damping, tol=tol, max_iter=max_iter)
    order = np.argsort(-inverse, kind="stable")
    return order[: min(k, order.size)].astype(np.int64)


def spam_mass(
    graph: LinkGraph,
    good_seeds: npt.ArrayLike,
    *,
    damping: float = 0.85,
    good_fraction: float | None = None,
    pagerank_scores: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> SpamMass:
    """Estimate the spam mass of every node from a core of known good nodes.

    The spam mass of a node is the part of its PageRank that comes from spam
    (Gyöngyi, Berkhin, Garcia-Molina and Pedersen, "Link Spam Detection Based
    on Mass Estimation", VLDB 2006). The paper works with linear PageRank,
    ``p(v) = (1 - d) (I - d T)^-1 v``, where ``T`` moves a node's score along its
    out-links and a node without out-links passes nothing on; ``p`` is linear
    in the jump vector ``v``, and ``p(v)`` sums the contributions of the walks
    that start at each node. With ``p`` under the uniform jump vector
    ``v = (1/n) 1`` and ``p+`` under the core's jump vector ``v+``:

    * relative mass ``m = (p - p+) / p = 1 - p+ / p``,
    * absolute mass ``x - x+ = m x``, with ``x`` the PageRank that
      :func:`pagerank` returns (it sums to 1 and is ``p`` rescaled) and
      ``x+ = (1 - m) x`` the core's share of it.

    As in the paper, ``v+`` is not normalised: ``v+ = (1/n) 1_C`` on the core
    ``C`` (total mass ``|C| / n``) by default, so that ``p+`` is exactly the
    part of ``p`` that the core's jumps produce, and the relative mass is in
    ``[0, 1]``. A core is usually a small sample of the good nodes, which
    makes ``p+`` small and every relative mass close to 1; the paper's
    experiments therefore scale ``v+`` to ``gamma / |C|`` on the core, with
    ``gamma`` an estimate of the fraction of all nodes that are good (they
    took 0.85). Pass ``good_fraction=gamma`` for that; the relative mass of
    nodes close to the core may then be negative.

    Both linear PageRanks come from power iterations that send the score of a
    node without out-links back to the jump vector (the default of
    :func:`pagerank`): that run returns ``p(w)`` up to the factor
    ``(1 - d + d D) / (1 - d)``, with ``D`` the score the run leaves on nodes
    without out-links. So ``x = pagerank(graph)``,
    ``t = trustrank(graph, core)`` and

    ``x+ = |v+| (1 - d + d D_x) / (1 - d + d D_t) t``.

    Sending that score to the uniform distribution instead would spread the
    jumps of spam nodes that reach a dead end over every node, and give even
    the core a spam mass.

    Parameters
    ----------
    graph : LinkGraph
        The link graph.
    good_seeds : array_like of int
        Node ids of the good core, in ``[0, n_nodes)``; repeats count once.
    damping : float, default 0.85
        PageRank damping ``d`` of both runs, in ``[0, 1)``.
    good_fraction : float, optional
        Total jump mass ``gamma`` of the core, in ``(0, 1]``. By default
        ``|C| / n``, the paper's definition of ``v+``.
    pagerank_scores : array_like of float, optional
        ``x`` if already computed: ``pagerank(graph, damping=damping)``, with
        uniform teleport, its dangling distribution left to the default.
    tol : float, default 1e-10
        L1 tolerance of each power iteration.
    max_iter : int, default 200
        Most rounds of each power iteration.

    Returns
    -------
    SpamMass
        Absolute and relative mass, ``x`` and ``x+``, each indexed by node id.

    Raises
    ------
    ValueError
        If ``good_seeds`` is empty, not integer, or holds an id outside
        ``[0, n_nodes)``; if ``damping`` is outside ``[0, 1)`` or
        ``good_fraction`` outside ``(0, 1]``; or if ``pagerank_scores`` has the
        wrong length.
    NotConverged
        If a power iteration does not reach ``tol`` in ``max_iter`` rounds.

    Examples
    --------
    Nodes 0 and 1 (the core) link to each other; node 3 is linked only by
    node 2, which no good node reaches:

    >>> from linkequity.graph import LinkGraph
    >>> g = LinkGraph.from_arrays([0, 1, 2], [1, 0, 3], 4)
    >>> spam_mass(g, [0, 1]).relative.round(4).tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    n = graph.n_nodes
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"damping must be in [0, 1) for spam mass, got {damping}")
    core = _seed_vector(good_seeds, None, n, "good_seeds")
    if good_fraction is None:
        jump_mass = int(np.count_nonzero(core)) / n
    elif 0.0 < good_fraction <= 1.0:
        jump_mass = float(good_fraction)
    else:
        raise ValueError(f"good_fraction must be in (0, 1], got {good_fraction}")
    if pagerank_scores is None:
        x = pagerank(graph, damping=damping, tol=tol, max_iter=max_iter)
    else:
        x = np.asarray(pagerank_scores, dtype=np.float64).ravel()
        if x.size != n:
            raise ValueError(f"pagerank_scores has {x.size} entries for {n} nodes")
    trust = pagerank(
        graph, damping=damping, teleport=core, dangling=core, tol=tol, max_iter=max_iter
    )
    is_dangling = graph.out_weight() == 0
    scale_x = 1.0 - damping + damping * float(x[is_dangling].sum())
    scale_trust = 1.0 - damping + damping * float(trust[is_dangling].sum())
    core_rank = (jump_mass * scale_x / scale_trust) * trust
    if good_fraction is None:
        # x+ <= x exactly here; clip the rounding of the two iterations.
        core_rank = np.minimum(core_rank, x)
    absolute = x - core_rank
    relative = np.divide(absolute, x, out=np.zeros(n), where=x > 0)
    return SpamMass(absolute=absolute, relative=relative, pagerank=x, core_rank=core_rank)


def _seed_vector(
    seeds: npt.ArrayLike, weights: npt.ArrayLike | None, n: int, name: str
) -> npt.NDArray[np.float64]:
    """Turn seed ids (and optional weights) into a distribution over the nodes."""
    ids = np.asarray(seeds).ravel()
    if ids.size == 0:
        raise ValueError(f"{name} is empty; give at least one node id")
    if ids.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integer node ids, got {ids.dtype} values")
    ids = ids.astype(np.int64)
    if int(ids.min()) < 0 or int(ids.max()) >= n:
        bad = ids[(ids < 0) | (ids >= n)]
        raise ValueError(
            f"{bad.size} {name} ids outside [0, {n}), first {int(bad[0])}; "
            "seeds are node ids of this graph"
        )
    if weights is None:
        flags = np.zeros(n, dtype=np.float64)
        flags[ids] = 1.0
        return flags / float(flags.sum())
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != ids.shape:
        raise ValueError(f"{w.size} seed_weights for {ids.size} {name}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("seed_weights must be finite and >= 0")
    vector = np.bincount(ids, weights=w, minlength=n).astype(np.float64)
    total = float(vector.sum())
    if total <= 0:
        raise ValueError("seed_weights sum to 0; give at least one positive weight")
    return vector / total
