"""The followed-link graph of a snapshot around a target, numbered for the graph layer.

It is the graph ``linkequity rank`` ranks: an edge per followed live link
(duplicates collapsed), nodes the store's URL ids in order, the teleport
spread over the pages at either end of a followed link (a URL with no
followed link gets no share), so the target's PageRank here is the one
``rank`` stores. The target's pages are nodes even when no followed link
reaches them. Domains are registrable domains, numbered in name order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from linkequity.graph import LinkGraph, domain_graph
from linkequity.services.targets import domain_ids, int64_column

if TYPE_CHECKING:
    import pyarrow as pa

    from linkequity.store import Store

__all__ = ["RankedGraph", "load_ranked_graph"]


@dataclass(frozen=True, slots=True)
class RankedGraph:
    """A snapshot's followed-link graph with the target's pages and every node's domain.

    Attributes
    ----------
    graph : LinkGraph
        One edge per followed live link, between node ids.
    url_ids : numpy.ndarray
        int64 store URL id of each node, sorted (node id = position).
    domain_names : list of str
        Registrable domains, sorted; a domain id is a position in it.
    domain_of_node : numpy.ndarray
        int64 domain id of each node.
    targets : numpy.ndarray
        int64 node ids of the target's pages.
    teleport : numpy.ndarray
        float64 teleport weights: 1 on the ends of followed links, 0 elsewhere
        (1 everywhere when the snapshot has no followed link).
    """

    graph: LinkGraph
    url_ids: npt.NDArray[np.int64]
    domain_names: list[str]
    domain_of_node: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int64]
    teleport: npt.NDArray[np.float64]

    @property
    def target_domains(self) -> npt.NDArray[np.int64]:
        """Sorted domain ids of the target's pages."""
        return np.unique(self.domain_of_node[self.targets])

    def nodes_of(self, url_ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Return the node ids of those of *url_ids* that are nodes, in order."""
        wanted = np.asarray(url_ids, dtype=np.int64).ravel()
        position = np.searchsorted(self.url_ids, wanted)
        inside = position < self.url_ids.size
        inside[inside] = self.url_ids[position[inside]] == wanted[inside]
        return position[inside].astype(np.int64)

    def domain_level(self) -> tuple[LinkGraph, npt.NDArray[np.float64]]:
        """Return the domain graph and its teleport (the domains of the pages with a share).

        As ``analysis.tiers`` ranks domains: an edge per linked pair of
        distinct domains.
        """
        n_domains = len(self.domain_names)
        teleport = np.zeros(n_domains)
        teleport[self.domain_of_node[self.teleport > 0]] = 1.0
        return domain_graph(self.graph, self.domain_of_node, n_domains), teleport


def load_ranked_graph(
    store: Store, snapshot_id: int, target_rows: pa.Table, *, nodes: pa.Table | None = None
) -> RankedGraph:
    """Load the followed-link graph of a snapshot with the target's pages among its nodes.

    Parameters
    ----------
    store : Store
        The open project.
    snapshot_id : int
        The snapshot.
    target_rows : pyarrow.Table
        ``(url_id, domain, ...)`` of the target's pages (``store.target_pages``).
    nodes : pyarrow.Table, optional
        ``(url_id, domain)`` of the URLs to number instead of the ends of the
        followed links: a superset of them, say the ends of every live link
        whatever its rel (``store.live_links``); the extra URLs get no
        teleport share.

    Returns
    -------
    RankedGraph
        The graph, its numbering and its teleport.
    """
    followed, followed_nodes = store.link_graph(snapshot_id)
    numbered = followed_nodes if nodes is None else nodes
    url_ids = np.union1d(
        int64_column(numbered.column("url_id")), int64_column(target_rows.column("url_id"))
    )
    domain_names, domain_of_node = domain_ids(url_ids, numbered, target_rows)
    n = int(url_ids.size)
    graph = LinkGraph.from_arrays(
        np.searchsorted(url_ids, int64_column(followed.column("source_url_id"))),
        np.searchsorted(url_ids, int64_column(followed.column("target_url_id"))),
        n,
    )
    teleport = np.zeros(n)
    if followed_nodes.num_rows:
        teleport[np.searchsorted(url_ids, int64_column(followed_nodes.column("url_id")))] = 1.0
    else:
        teleport[:] = 1.0
    return RankedGraph(
        graph,
        url_ids,
        domain_names,
        domain_of_node,
        np.searchsorted(url_ids, int64_column(target_rows.column("url_id"))),
        teleport,
    )
