"""Graph algorithms over integer node ids: pure NumPy and SciPy, no I/O."""

from linkequity.graph.authority import hits, pagerank
from linkequity.graph.link_graph import LinkGraph, rollup

__all__ = ["LinkGraph", "hits", "pagerank", "rollup"]
