"""The chains of links that carry a target set's rank, and the share each carries.

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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from linkequity.graph.authority import pagerank
from linkequity.graph.chain import checked_vector, csr_rows, node_ids, reversed_chain

if TYPE_CHECKING:
    from linkequity.graph.chain import Ids, Vector
    from linkequity.graph.link_graph import LinkGraph

__all__ = ["AuthorityPath", "explain_paths"]


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
    target_ids = np.unique(node_ids(targets, n, "targets", allow_empty=False))
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    if top is not None and top < 1:
        raise ValueError(f"top must be >= 1 or None, got {top}")
    chain = reversed_chain(graph, damping=damping, teleport=teleport, dangling=dangling)
    x = (
        pagerank(graph, damping=damping, teleport=teleport, dangling=dangling, tol=tol)
        if scores is None
        else checked_vector(scores, n, "scores")
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
        parent, first, fraction = csr_rows(reverse, nodes[:, 0])
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
