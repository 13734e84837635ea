"""The link graph as a sparse matrix over integer node ids, and its roll-ups.

A graph of ``n`` nodes is an ``n x n`` CSR matrix of float64 weights: entry
``[i, j]`` is the weight of the edge ``i -> j`` (1.0 for a plain link). Node ids
are the row and column numbers; names (URLs, hosts, domains) are joined on at
the edge. Every build here is vectorised: no Python loop runs per edge.

Pure: arrays in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["LinkGraph", "assign_ids", "rollup"]


@dataclass(frozen=True, slots=True)
class LinkGraph:
    """A directed graph of ``n_nodes`` nodes with positive edge weights.

    Attributes
    ----------
    adjacency : scipy.sparse.csr_array
        ``(n_nodes, n_nodes)`` float64 matrix; ``adjacency[i, j]`` is the weight
        of the edge ``i -> j``. No explicit zeros, no duplicate entries, sorted
        indices.
    """

    adjacency: sparse.csr_array[np.float64]

    @property
    def n_nodes(self) -> int:
        """Number of nodes, edges or not."""
        return int(self.adjacency.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of distinct edges."""
        return int(self.adjacency.nnz)

    @classmethod
    def from_arrays(
        cls,
        sources: npt.ArrayLike,
        targets: npt.ArrayLike,
        n_nodes: int,
        *,
        weights: npt.ArrayLike | None = None,
        is_followed: npt.ArrayLike | None = None,
        include_nofollow: bool = False,
    ) -> LinkGraph:
        """Build a graph from parallel arrays of edge endpoints.

        Parameters
        ----------
        sources, targets : array_like of int
            Node ids of each link's source and target, in ``[0, n_nodes)``.
        n_nodes : int
            Number of nodes; ids without an edge are isolated nodes.
        weights : array_like of float, optional
            Positive weight of each link (say, a link count). Without it each
            distinct edge weighs 1.0; with it the weights of duplicates add up.
            A link of weight 0 adds no edge.
        is_followed : array_like of bool, optional
            Whether each link passes equity (no nofollow, ugc or sponsored).
            Without it every link counts as followed.
        include_nofollow : bool, default False
            Keep the links that ``is_followed`` marks as not followed.

        Returns
        -------
        LinkGraph
            Duplicate ``(source, target)`` pairs collapsed into one edge and
            self-links dropped.

        Raises
        ------
        ValueError
            If the arrays differ in length, an id is outside ``[0, n_nodes)``
            or a weight is negative or not finite.

        Examples
        --------
        >>> g = LinkGraph.from_arrays([0, 0, 1, 2], [1, 1, 1, 0], 3)
        >>> g.n_edges, g.out_degree().tolist()
        (2, [1, 0, 1])
        """
        src = np.asarray(sources, dtype=np.int64).ravel()
        dst = np.asarray(targets, dtype=np.int64).ravel()
        if n_nodes < 0:
            raise ValueError(f"n_nodes must be >= 0, got {n_nodes}")
        if src.shape != dst.shape:
            raise ValueError(f"{src.size} sources but {dst.size} targets")
        _check_ids(src, n_nodes, "source")
        _check_ids(dst, n_nodes, "target")
        keep = src != dst
        if is_followed is not None and not include_nofollow:
            followed = np.asarray(is_followed, dtype=np.bool_).ravel()
            if followed.shape != src.shape:
                raise ValueError(f"{followed.size} is_followed flags for {src.size} links")
            keep &= followed
        if weights is None:
            values = np.ones(int(np.count_nonzero(keep)), dtype=np.float64)
        else:
            w = np.asarray(weights, dtype=np.float64).ravel()
            if w.shape != src.shape:
                raise ValueError(f"{w.size} weights for {src.size} links")
            if not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ValueError("weights must be finite and >= 0")
            values = w[keep]
        matrix = sparse.coo_array(
            (values, (src[keep], dst[keep])), shape=(n_nodes, n_nodes)
        ).tocsr()
        matrix.sum_duplicates()
        if weights is None:
            matrix.data[:] = 1.0
        matrix.eliminate_zeros()
        return cls(matrix)

    def transpose(self) -> LinkGraph:
        """Return the same graph with every edge reversed (``i -> j`` becomes ``j -> i``)."""
        reversed_matrix = sparse.csr_array(self.adjacency.T)
        reversed_matrix.sort_indices()
        return LinkGraph(reversed_matrix)

    def out_degree(self) -> npt.NDArray[np.int64]:
        """Count the distinct out-links of each node, indexed by node id."""
        return np.diff(self.adjacency.indptr).astype(np.int64)

    def in_degree(self) -> npt.NDArray[np.int64]:
        """Count the distinct in-links of each node, indexed by node id."""
        return np.bincount(self.adjacency.indices, minlength=self.n_nodes).astype(np.int64)

    def out_weight(self) -> npt.NDArray[np.float64]:
        """Sum the out-edge weights of each node, indexed by node id."""
        return np.asarray(self.adjacency.sum(axis=1), dtype=np.float64).ravel()


def rollup(
    graph: LinkGraph,
    group_of_node: npt.ArrayLike,
    n_groups: int,
    *,
    is_weighted: bool = False,
) -> LinkGraph:
    """Roll a graph up to the graph between groups of nodes: pages to hosts, hosts to domains.

    Parameters
    ----------
    graph : LinkGraph
        The finer graph (say, pages).
    group_of_node : array_like of int
        Group id of each node of ``graph``, indexed by node id, in
        ``[0, n_groups)``.
    n_groups : int
        Number of groups; a group without edges is an isolated node.
    is_weighted : bool, default False
        Weigh each group edge by the summed weight of the edges it stands for
        (a link count for an unweighted page graph). By default each
        ``(source group, target group)`` pair is one edge of weight 1.0.

    Returns
    -------
    LinkGraph
        One edge per pair of distinct groups joined by at least one edge;
        links inside a group are dropped.

    Raises
    ------
    ValueError
        If ``group_of_node`` does not give one group in ``[0, n_groups)`` per node.

    Examples
    --------
    >>> pages = LinkGraph.from_arrays([0, 1, 2, 0], [2, 2, 0, 1], 3)
    >>> hosts = rollup(pages, [0, 0, 1], 2)
    >>> hosts.adjacency.toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    groups = np.asarray(group_of_node, dtype=np.int64).ravel()
    if groups.size != graph.n_nodes:
        raise ValueError(f"{groups.size} group ids for {graph.n_nodes} nodes")
    if n_groups < 0:
        raise ValueError(f"n_groups must be >= 0, got {n_groups}")
    _check_ids(groups, n_groups, "group")
    edges = graph.adjacency.tocoo()
    return LinkGraph.from_arrays(
        groups[edges.row],
        groups[edges.col],
        n_groups,
        weights=edges.data if is_weighted else None,
    )


def assign_ids(keys: Sequence[str]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Give each distinct key an id, in sorted order: node ids for URLs, group ids for hosts.

    Parameters
    ----------
    keys : sequence of str
        One key per item, repeats allowed (say, the host of each page).

    Returns
    -------
    ids : numpy.ndarray
        int64 id of each item's key, indexed like ``keys``.
    names : list of str
        The key of each id, sorted.

    Examples
    --------
    >>> ids, names = assign_ids(["b.example", "a.example", "b.example"])
    >>> ids.tolist(), names
    ([1, 0, 1], ['a.example', 'b.example'])
    """
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), []
    names, ids = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    return ids.astype(np.int64).ravel(), [str(name) for name in names]


def _check_ids(ids: npt.NDArray[np.int64], limit: int, what: str) -> None:
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= limit):
        bad = ids[(ids < 0) | (ids >= limit)]
        raise ValueError(f"{bad.size} {what} ids outside [0, {limit}), first {int(bad[0])}")
