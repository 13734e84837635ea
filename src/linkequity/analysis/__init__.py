"""Analyses over the link graph and its links: pure, arrays in and values out, no I/O."""

from linkequity.analysis.anchors import (
    AnchorAlert,
    AnchorDistribution,
    AnchorRules,
    anchor_distribution,
    classify_anchor,
    keywords_from_titles,
    over_optimisation,
    recommend_mix,
)
from linkequity.analysis.tiers import TierCount, TierEdges, TierEquity, TierMap, tier_map

__all__ = [
    "AnchorAlert",
    "AnchorDistribution",
    "AnchorRules",
    "TierCount",
    "TierEdges",
    "TierEquity",
    "TierMap",
    "anchor_distribution",
    "classify_anchor",
    "keywords_from_titles",
    "over_optimisation",
    "recommend_mix",
    "tier_map",
]
