"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

import importlib
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
from linkequity.report.disavow import DisavowEntry, lint_disavow, write_disavow

if TYPE_CHECKING:
    from linkequity.analysis.anchors import AnchorRules, classify_anchor
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
    from linkequity.report.html import render_report
    from linkequity.services.audit import AuditReport, audit_target
    from linkequity.services.campaign_impact import CampaignImpact, campaign_impact
    from linkequity.services.campaign_verify import CampaignVerification, verify_campaign
    from linkequity.services.campaigns import (
        CampaignStatus,
        add_prospects,
        campaign_status,
        campaign_summary,
        create_campaign,
        export_campaign,
        target_campaigns,
        update_prospect,
    )
    from linkequity.services.monitor import LinkDiffReport, diff_links
    from linkequity.services.opportunities import OpportunitiesReport, find_opportunities
    from linkequity.services.plan import PlanReport, plan_target
    from linkequity.services.report import ReportData, build_report, write_report
    from linkequity.services.tiers import TiersReport, map_tiers
    from linkequity.services.toxicity import ToxicityReport, score_toxicity

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


# The analyses and use cases load on first use too: they bring in NumPy, the graph
# layer and DuckDB.
_LAZY_NAMES = {
    "AnchorRules": "linkequity.analysis.anchors",
    "classify_anchor": "linkequity.analysis.anchors",
    "AuditReport": "linkequity.services.audit",
    "audit_target": "linkequity.services.audit",
    "CampaignImpact": "linkequity.services.campaign_impact",
    "campaign_impact": "linkequity.services.campaign_impact",
    "CampaignVerification": "linkequity.services.campaign_verify",
    "verify_campaign": "linkequity.services.campaign_verify",
    "CampaignStatus": "linkequity.services.campaigns",
    "add_prospects": "linkequity.services.campaigns",
    "campaign_status": "linkequity.services.campaigns",
    "campaign_summary": "linkequity.services.campaigns",
    "create_campaign": "linkequity.services.campaigns",
    "export_campaign": "linkequity.services.campaigns",
    "target_campaigns": "linkequity.services.campaigns",
    "update_prospect": "linkequity.services.campaigns",
    "LinkDiffReport": "linkequity.services.monitor",
    "diff_links": "linkequity.services.monitor",
    "OpportunitiesReport": "linkequity.services.opportunities",
    "find_opportunities": "linkequity.services.opportunities",
    "PlanReport": "linkequity.services.plan",
    "ReportData": "linkequity.services.report",
    "build_report": "linkequity.services.report",
    "write_report": "linkequity.services.report",
    "render_report": "linkequity.report.html",
    "plan_target": "linkequity.services.plan",
    "TiersReport": "linkequity.services.tiers",
    "map_tiers": "linkequity.services.tiers",
    "ToxicityReport": "linkequity.services.toxicity",
    "score_toxicity": "linkequity.services.toxicity",
}


def __getattr__(name: str) -> Any:
    if name in _GRAPH_NAMES or name in _TRUST_NAMES or name in _INFLUENCE_NAMES:
        from linkequity import graph

        return getattr(graph, name)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'linkequity' has no attribute {name!r}")


__all__ = [
    "AnchorRules",
    "AuditReport",
    "AuthorityPath",
    "CampaignImpact",
    "CampaignStatus",
    "CampaignVerification",
    "DisavowEntry",
    "DomainAuthority",
    "Link",
    "LinkDiffReport",
    "LinkGains",
    "LinkGraph",
    "OpportunitiesReport",
    "PageAuthority",
    "PageRankReport",
    "PageSignals",
    "Placement",
    "PlanReport",
    "PlannedLink",
    "ReferringCounts",
    "ReportData",
    "RobotsDecision",
    "SpamMass",
    "TiersReport",
    "ToxicityReport",
    "Url",
    "__version__",
    "add_prospects",
    "anti_trustrank",
    "audit_target",
    "authority_scale",
    "build_report",
    "campaign_impact",
    "campaign_status",
    "campaign_summary",
    "classify_anchor",
    "create_campaign",
    "diff_links",
    "domain_authority",
    "domain_graph",
    "domain_referring_counts",
    "explain_paths",
    "explain_robots",
    "export_campaign",
    "extract_links",
    "find_opportunities",
    "hits",
    "influence",
    "link_gains",
    "lint_disavow",
    "map_tiers",
    "normalize_url",
    "page_authority",
    "pagerank",
    "pagerank_report",
    "parse_page",
    "parse_url",
    "plan_links",
    "plan_target",
    "propose_trust_seeds",
    "public_suffix",
    "referring_counts",
    "registrable_domain",
    "removal_loss",
    "render_report",
    "resolve_url",
    "reversed_host",
    "robots_allowed",
    "score_toxicity",
    "spam_mass",
    "target_campaigns",
    "target_rank",
    "trustrank",
    "update_prospect",
    "verify_campaign",
    "write_disavow",
    "write_report",
]
