"""Authority scores by power iteration: PageRank and HITS.

PageRank ``x`` solves ``x = (1 - d) v + d M x``, where ``M`` is the
column-stochastic transition of the graph (each node splits its score over its
out-edges in proportion to their weights) with the column of each dangling node
(no out-edges) replaced by the dangling distribution, the teleport vector ``v``
unless given. Each round is one sparse matrix-vector product.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from linkequity.errors import NotConverged

if TYPE_CHECKING:
    from linkequity.graph.link_graph import LinkGraph

__all__ = ["hits", "pagerank"]


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
        Stop when the L1 norm of the change of one round is below ``tol``.
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
    n = graph.n_nodes
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must be in [0, 1], got {damping}")
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    v = np.full(n, 1.0 / n) if teleport is None else _distribution(teleport, n, "teleport")
    dangling_v = v if dangling is None else _distribution(dangling, n, "dangling")
    x = v.copy() if start is None else _distribution(start, n, "start")

    out_weight = graph.out_weight()
    is_dangling = out_weight == 0
    inverse_out = np.divide(1.0, out_weight, out=np.zeros(n), where=~is_dangling)
    # Row i of the transposed, row-normalised matrix lists the pages linking to i.
    transition = sparse.csr_array((sparse.diags_array(inverse_out) @ graph.adjacency).T)

    residual = np.inf
    for _ in range(max_iter):
        dangling_mass = float(x[is_dangling].sum())
        new_x: npt.NDArray[np.float64] = (
            damping * (transition @ x) + damping * dangling_mass * dangling_v
        )
        new_x += (1.0 - damping) * v
        new_x /= new_x.sum()
        residual = float(np.abs(new_x - x).sum())
        x = new_x
        if residual < tol:
            return x
    raise NotConverged(
        f"PageRank changed by {residual:.3g} (L1) in round {max_iter}, above tol={tol:g}",
        scores=x,
        iterations=max_iter,
        residual=residual,
    )


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
