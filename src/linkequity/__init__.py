"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

from typing import TYPE_CHECKING, Any

from linkequity.model.links import Link, Placement
from linkequity.model.pages import PageSignals
from linkequity.model.urls import (
    Url,
    normalize_url,
    parse_url,
    public_suffix,
    registrable_domain,
    resolve_url,
    reversed_host,
)
from linkequity.parsing.links import extract_links
from linkequity.parsing.page import parse_page
from linkequity.parsing.robots import RobotsDecision, explain_robots, robots_allowed

if TYPE_CHECKING:
    from linkequity.graph import (
        AuthorityPath,
        DomainAuthority,
        LinkGains,
        LinkGraph,
        PageAuthority,
        PageRankReport,
        PlannedLink,
        ReferringCounts,
        SpamMass,
        anti_trustrank,
        authority_scale,
        domain_authority,
        domain_graph,
        domain_referring_counts,
        explain_paths,
        hits,
        influence,
        link_gains,
        page_authority,
        pagerank,
        pagerank_report,
        plan_links,
        propose_trust_seeds,
        referring_counts,
        removal_loss,
        spam_mass,
        target_rank,
        trustrank,
    )

__version__ = "0.1.0"

# The graph names load on first use: SciPy would add about 0.3 s to every CLI start.
_GRAPH_NAMES = frozenset({"LinkGraph", "PageRankReport", "hits", "pagerank", "pagerank_report"})
_TRUST_NAMES = frozenset(
    {
        "DomainAuthority",
        "PageAuthority",
        "PageRankReport",
        "ReferringCounts",
        "SpamMass",
        "anti_trustrank",
        "authority_scale",
        "domain_authority",
        "domain_graph",
        "domain_referring_counts",
        "page_authority",
        "propose_trust_seeds",
        "referring_counts",
        "spam_mass",
        "trustrank",
    }
)


_INFLUENCE_NAMES = frozenset(
    {
        "AuthorityPath",
        "LinkGains",
        "PlannedLink",
        "explain_paths",
        "influence",
        "link_gains",
        "plan_links",
        "removal_loss",
        "target_rank",
    }
)


def __getattr__(name: str) -> Any:
    if name in _GRAPH_NAMES or name in _TRUST_NAMES or name in _INFLUENCE_NAMES:
        from linkequity import graph

        return getattr(graph, name)
    raise AttributeError(f"module 'linkequity' has no attribute {name!r}")


__all__ = [
    "AuthorityPath",
    "DomainAuthority",
    "Link",
    "LinkGains",
    "LinkGraph",
    "PageAuthority",
    "PageRankReport",
    "PageSignals",
    "Placement",
    "PlannedLink",
    "ReferringCounts",
    "RobotsDecision",
    "SpamMass",
    "Url",
    "__version__",
    "anti_trustrank",
    "authority_scale",
    "domain_authority",
    "domain_graph",
    "domain_referring_counts",
    "explain_paths",
    "explain_robots",
    "extract_links",
    "hits",
    "influence",
    "link_gains",
    "normalize_url",
    "page_authority",
    "pagerank",
    "pagerank_report",
    "parse_page",
    "parse_url",
    "plan_links",
    "propose_trust_seeds",
    "public_suffix",
    "referring_counts",
    "registrable_domain",
    "removal_loss",
    "resolve_url",
    "reversed_host",
    "robots_allowed",
    "spam_mass",
    "target_rank",
    "trustrank",
]
