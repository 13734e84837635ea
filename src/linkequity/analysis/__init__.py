"""Analyses over the link graph and its links: pure, arrays in and values out, no I/O."""

from linkequity.analysis.tiers import TierCount, TierEdges, TierEquity, TierMap, tier_map

__all__ = ["TierCount", "TierEdges", "TierEquity", "TierMap", "tier_map"]
