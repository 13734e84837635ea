"""Graph algorithms over integer node ids: pure NumPy and SciPy, no I/O."""

from linkequity.graph.authority import (
    SpamMass,
    anti_trustrank,
    hits,
    pagerank,
    propose_trust_seeds,
    spam_mass,
    trustrank,
)
from linkequity.graph.link_graph import LinkGraph, assign_ids, rollup
from linkequity.graph.scores import (
    DomainAuthority,
    PageAuthority,
    ReferringCounts,
    authority_scale,
    domain_authority,
    domain_graph,
    domain_referring_counts,
    page_authority,
    referring_counts,
)

__all__ = [
    "DomainAuthority",
    "LinkGraph",
    "PageAuthority",
    "ReferringCounts",
    "SpamMass",
    "anti_trustrank",
    "assign_ids",
    "authority_scale",
    "domain_authority",
    "domain_graph",
    "domain_referring_counts",
    "hits",
    "page_authority",
    "pagerank",
    "propose_trust_seeds",
    "referring_counts",
    "rollup",
    "spam_mass",
    "trustrank",
]
