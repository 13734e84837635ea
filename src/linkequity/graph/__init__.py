"""Graph algorithms over integer node ids: pure NumPy and SciPy, no I/O."""

from linkequity.graph.authority import (
    PageRankReport,
    SpamMass,
    anti_trustrank,
    hits,
    pagerank,
    pagerank_report,
    propose_trust_seeds,
    spam_mass,
    trustrank,
)
from linkequity.graph.centrality import harmonic_centrality, harmonic_work
from linkequity.graph.influence import (
    LinkGains,
    PlannedLink,
    influence,
    link_gains,
    plan_links,
    removal_loss,
    target_rank,
)
from linkequity.graph.link_graph import LinkGraph, assign_ids, rollup
from linkequity.graph.paths import AuthorityPath, explain_paths
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
    "AuthorityPath",
    "DomainAuthority",
    "LinkGains",
    "LinkGraph",
    "PageAuthority",
    "PageRankReport",
    "PlannedLink",
    "ReferringCounts",
    "SpamMass",
    "anti_trustrank",
    "assign_ids",
    "authority_scale",
    "domain_authority",
    "domain_graph",
    "domain_referring_counts",
    "explain_paths",
    "harmonic_centrality",
    "harmonic_work",
    "hits",
    "influence",
    "link_gains",
    "page_authority",
    "pagerank",
    "pagerank_report",
    "plan_links",
    "propose_trust_seeds",
    "referring_counts",
    "removal_loss",
    "rollup",
    "spam_mass",
    "target_rank",
    "trustrank",
]
