"""The link graph over integer node ids, stored by in-links, and its roll-ups.

A graph of ``n`` nodes keeps, for each node, the sorted ids of the nodes that
link to it (CSR of the transposed adjacency: ``in_indptr``, ``in_indices``)
and, when weighted, each in-link's weight. That is the layout a PageRank round
reads, and all it reads, so an unweighted graph costs 4 bytes per edge and 8
per node. The adjacency matrix (row ``i`` lists the out-links of ``i``) is
built from it on first use and kept.

Every build here is vectorised or compiled (graph/_kernels.py): no Python loop
runs per edge. Names (URLs, hosts, domains) are joined on at the edge.

Pure: arrays in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from linkequity.graph import _kernels

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["LinkGraph", "assign_ids", "rollup"]

_NO_VALUES = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class LinkGraph:
    """A directed graph of ``n_nodes`` nodes with positive edge weights.

    Build one with `from_arrays`; the fields are the
    storage, canonical by construction: no self-links, no repeated edge, no
    zero weight, sources sorted within each node's in-links.

    Attributes
    ----------
    n_nodes : int
        Number of nodes, edges or not.
    in_indptr : numpy.ndarray
        int64, ``n_nodes + 1`` entries: the in-links of node ``j`` are
        positions ``in_indptr[j]`` to ``in_indptr[j + 1]`` of ``in_indices``.
    in_indices : numpy.ndarray
        int32 source node id of each in-link, increasing within a node.
    in_weights : numpy.ndarray or None
        float64 weight of each in-link, or None when every edge weighs 1.0.
    """

    n_nodes: int
    in_indptr: npt.NDArray[np.int64]
    in_indices: npt.NDArray[np.int32]
    in_weights: npt.NDArray[np.float64] | None = None
    _cache: dict[str, sparse.csr_array[np.float64]] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def n_edges(self) -> int:
        """Number of distinct edges."""
        return int(self.in_indices.size)

    @property
    def is_weighted(self) -> bool:
        """Whether edges carry weights other than 1.0."""
        return self.in_weights is not None

    @property
    def adjacency(self) -> sparse.csr_array[np.float64]:
        """The float64 CSR matrix whose entry ``[i, j]`` is the weight of the edge ``i -> j``.

        Built on first use (a counting sort of the in-links) and kept; sorted
        indices, no explicit zeros, no duplicates.
        """
        if "adjacency" not in self._cache:
            indptr, indices, origin = _kernels.transpose_pattern(
                self.in_indptr, self.in_indices, self.n_nodes
            )
            data = np.ones(indices.size) if self.in_weights is None else self.in_weights[origin]
            self._cache["adjacency"] = _csr(data, indices, indptr, self.n_nodes)
        return self._cache["adjacency"]

    @property
    def in_links(self) -> sparse.csr_array[np.float64]:
        """The transposed adjacency as a float64 CSR matrix: entry ``[j, i]`` weighs ``i -> j``."""
        if "in_links" not in self._cache:
            data = np.ones(self.n_edges) if self.in_weights is None else self.in_weights
            self._cache["in_links"] = _csr(data, self.in_indices, self.in_indptr, self.n_nodes)
        return self._cache["in_links"]

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
            Node ids of each link's source and target, in ``[0, n_nodes)``,
            in any order.
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
        if n_nodes > np.iinfo(np.int32).max:
            raise ValueError(f"n_nodes must be below 2**31, got {n_nodes}")
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
        values = _NO_VALUES
        if weights is not None:
            values = np.asarray(weights, dtype=np.float64).ravel()
            if values.shape != src.shape:
                raise ValueError(f"{values.size} weights for {src.size} links")
            if not np.all(np.isfinite(values)) or np.any(values < 0):
                raise ValueError("weights must be finite and >= 0")
            keep &= values > 0
        indptr, indices, data = _kernels.build_csr(dst, src, values, keep, n_nodes)
        return cls(n_nodes, indptr, indices, None if weights is None else data)

    def transpose(self) -> LinkGraph:
        """Return the same graph with every edge reversed (``i -> j`` becomes ``j -> i``)."""
        adjacency = self.adjacency
        return LinkGraph(
            self.n_nodes,
            adjacency.indptr.astype(np.int64, copy=False),
            adjacency.indices.astype(np.int32, copy=False),
            None if self.in_weights is None else adjacency.data,
        )

    def out_degree(self) -> npt.NDArray[np.int64]:
        """Count the distinct out-links of each node, indexed by node id."""
        counts: npt.NDArray[np.float64] = _kernels.source_totals(
            self.in_indices, _NO_VALUES, self.n_nodes
        )
        return counts.astype(np.int64)

    def in_degree(self) -> npt.NDArray[np.int64]:
        """Count the distinct in-links of each node, indexed by node id."""
        return np.diff(self.in_indptr).astype(np.int64)

    def out_weight(self) -> npt.NDArray[np.float64]:
        """Sum the out-edge weights of each node, indexed by node id."""
        weights = _NO_VALUES if self.in_weights is None else self.in_weights
        totals: npt.NDArray[np.float64] = _kernels.source_totals(
            self.in_indices, weights, self.n_nodes
        )
        return totals


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
    targets = np.repeat(np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.in_indptr))
    weights = graph.in_weights if graph.in_weights is not None else np.ones(graph.n_edges)
    return LinkGraph.from_arrays(
        groups[graph.in_indices],
        groups[targets],
        n_groups,
        weights=weights if is_weighted else None,
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


def _csr(
    data: npt.NDArray[np.float64],
    indices: npt.NDArray[np.int32],
    indptr: npt.NDArray[np.int64],
    n_nodes: int,
) -> sparse.csr_array[np.float64]:
    matrix = sparse.csr_array((data, indices, indptr), shape=(n_nodes, n_nodes))
    matrix.has_sorted_indices = True
    return matrix
