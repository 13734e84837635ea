"""Graph algorithms over integer node ids: pure NumPy and SciPy, no I/O."""

from linkequity.graph.authority import hits, pagerank
from linkequity.graph.link_graph import LinkGraph, assign_ids, rollup

__all__ = ["LinkGraph", "assign_ids", "hits", "pagerank", "rollup"]
