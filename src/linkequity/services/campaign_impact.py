"""Use case: the realised change of a campaign's target beside the gains predicted.

On the store's latest graph (the graph ``rank`` ranks, loaded as the plan
loads it), with PageRank solved to ``IMPACT_TOL``: ``with`` is the target's
rank now; ``without`` the same with the campaign's live links taken out;
``realised = with - baseline`` (the rank the gains were predicted
against); ``from_campaign = with - without``; ``other = without - baseline``,
what the rest of the graph did. Per link, ``realised`` is ``with`` less the
rank without that one link. Predicted gains of single links do not add up
(each was computed alone), so the campaign's prediction is also computed
jointly: the live links added together to the graph of the snapshot they
were predicted on. Where nothing else changed, realised equals that joint
prediction, and a single link's own prediction when one link is live.
Page level is the PageRank of the target's pages; domain level the domain
PageRank of its registrable domains.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from linkequity.analysis.campaigns import ranked_authority, with_edges, without_edges
from linkequity.graph import pagerank
from linkequity.model.campaigns import ProspectStatus
from linkequity.services.campaigns import IMPACT_TOL, find_campaign, risk_watch
from linkequity.services.project import open_existing
from linkequity.services.ranked_graph import RankedGraph, load_ranked_graph
from linkequity.services.targets import parse_target, resolve_snapshot, select_target_rows

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy.typing as npt

    from linkequity.analysis.campaign_risk import RiskCheck

__all__ = ["CampaignImpact", "campaign_impact"]


@dataclass(frozen=True, slots=True)
class CampaignImpact:
    """Realised against predicted gains, per link and for the campaign (module docstring).

    ``page`` and ``domain`` hold, for that level: ``baseline`` (the target's
    rank predicted against), ``with``, ``without``, ``realised``,
    ``from_campaign``, ``other``, ``predicted_sum`` (of the single links'
    predictions), ``predicted_in_plan_sum`` (their gains in the plan's
    order, which add up to the plan's joint gain when every planned link is
    live), ``predicted_joint`` and ``baseline_now`` (the rank of the
    prediction's snapshot recomputed today: it differs from ``baseline`` by
    links lost since); ``authority_before``, ``authority_with`` and
    ``authority_without``, the 0-100 authority of the target's best page or
    domain on those graphs.
    """

    campaign: str
    target: tuple[str, ...]
    snapshot_id: int
    predicted_snapshot_id: int | None
    live_links: int
    page: dict[str, float | None]
    domain: dict[str, float | None]
    links: list[dict[str, Any]]
    notes: list[str]
    risk: tuple[RiskCheck, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {
            "campaign": self.campaign,
            "target": list(self.target),
            "snapshot_id": self.snapshot_id,
            "predicted_snapshot_id": self.predicted_snapshot_id,
            "live_links": self.live_links,
            "page": dict(self.page),
            "domain": dict(self.domain),
            "links": self.links,
            "notes": self.notes,
            "risk": [check.as_dict() for check in self.risk],
        }


def _page_rank(loaded: RankedGraph, damping: float) -> tuple[float, float]:
    """Return the target pages' summed PageRank and the best one's 0-100 authority."""
    ranks = pagerank(
        loaded.graph, damping=damping, teleport=loaded.teleport, tol=IMPACT_TOL, max_iter=2000
    )
    authority = ranked_authority(loaded.graph, ranks, loaded.teleport, damping=damping)
    return float(ranks[loaded.targets].sum()), float(authority[loaded.targets].max())


def _domain_rank(loaded: RankedGraph, damping: float) -> tuple[float, float]:
    """Return the target domains' summed domain PageRank and the best one's authority."""
    graph, teleport = loaded.domain_level()
    ranks = pagerank(graph, damping=damping, teleport=teleport, tol=IMPACT_TOL, max_iter=2000)
    authority = ranked_authority(graph, ranks, teleport, damping=damping)
    targets = loaded.target_domains
    return float(ranks[targets].sum()), float(authority[targets].max())


def _edges(
    loaded: RankedGraph, pairs: Sequence[tuple[int, int]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[int]]:
    """Node ids of the (source, target) URL-id pairs that are edges-to-be of the graph."""
    sources: list[int] = []
    targets: list[int] = []
    kept: list[int] = []
    for at, (source, target) in enumerate(pairs):
        s, t = loaded.nodes_of([source]), loaded.nodes_of([target])
        if s.size and t.size:
            sources.append(int(s[0]))
            targets.append(int(t[0]))
            kept.append(at)
    return np.asarray(sources, np.int64), np.asarray(targets, np.int64), kept


def _changed(
    loaded: RankedGraph,
    sources: npt.NDArray[np.int64],
    targets: npt.NDArray[np.int64],
    *,
    is_added: bool,
) -> RankedGraph:
    edit = with_edges if is_added else without_edges
    graph, teleport = edit(loaded.graph, loaded.teleport, sources, targets)
    return dataclasses.replace(loaded, graph=graph, teleport=teleport)


def _has_edge(loaded: RankedGraph, source: int, target: int) -> bool:
    start, stop = loaded.graph.in_indptr[target], loaded.graph.in_indptr[target + 1]
    return bool(np.any(loaded.graph.in_indices[start:stop] == source))


def campaign_impact(db: Path, name: str, *, damping: float = 0.85) -> CampaignImpact:
    """Set the realised change of the target's rank beside the predicted gains.

    See the module docstring for what is compared. Only live prospects whose
    link is a followed link of the store's graph count.

    Raises
    ------
    UsageError
        If the campaign is unknown or the store holds no live link.
    NotConverged
        If a PageRank solve does not settle.
    """
    notes: list[str] = []
    with open_existing(db, read_only=True) as store:
        campaign = find_campaign(store, name, db)
        prospects = store.prospects(campaign["id"])
        snapshot = resolve_snapshot(store, None, db)
        names, urls = parse_target(campaign["target"])
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        _, nodes = store.live_links(snapshot)
        now = load_ranked_graph(store, snapshot, target_rows, nodes=nodes)
        live = [p for p in prospects if p["status"] == ProspectStatus.LIVE]
        id_of = {
            row["url"]: int(row["url_id"])
            for row in store.url_ids(
                sorted({p["source_url"] for p in live} | {p["target_url"] for p in live})
            ).to_pylist()
        }
        predicted = [p["predicted_snapshot_id"] for p in live if p["predicted_snapshot_id"]]
        first_snapshot = min(predicted) if predicted else None
        risk = risk_watch(store, snapshot, prospects)
        before = None
        if first_snapshot is not None and store.snapshot_exists(first_snapshot):
            _, old_nodes = store.live_links(first_snapshot)
            before = load_ranked_graph(store, first_snapshot, target_rows, nodes=old_nodes)
    pairs = [(id_of.get(p["source_url"], -1), id_of.get(p["target_url"], -1)) for p in live]
    sources, targets, kept = _edges(now, pairs)
    is_edge = [_has_edge(now, int(s), int(t)) for s, t in zip(sources, targets, strict=True)]
    in_graph = [at for at, flag in zip(kept, is_edge, strict=True) if flag]
    sources = np.asarray([s for s, flag in zip(sources, is_edge, strict=True) if flag], np.int64)
    targets = np.asarray([t for t, flag in zip(targets, is_edge, strict=True) if flag], np.int64)
    if len(in_graph) < len(live):
        notes.append(
            f"{len(live) - len(in_graph)} live prospects are no followed link of the store's "
            "graph (nofollow, or not crawled into it): they count for nothing"
        )
    baseline_row = next((p for p in live if p["predicted_snapshot_id"] == first_snapshot), None)
    levels = {"page": _page_rank, "domain": _domain_rank}
    totals: dict[str, dict[str, float | None]] = {}
    per_link: list[dict[str, Any]] = [
        {
            "prospect_id": p["id"],
            "source_url": p["source_url"],
            "target_url": p["target_url"],
            "origin": p["origin"],
            "predicted_page_gain": p["predicted_page_gain"],
            "predicted_page_gain_in_plan": p["predicted_page_gain_in_plan"],
            "predicted_domain_gain": p["predicted_domain_gain"],
            "is_counted": at in in_graph,
        }
        for at, p in enumerate(live)
    ]
    for level, rank in levels.items():
        with_rank, with_authority = rank(now, damping)
        without_rank, without_authority = rank(
            _changed(now, sources, targets, is_added=False), damping
        )
        stored = None
        if baseline_row is not None:
            stored = baseline_row[
                "predicted_target_rank" if level == "page" else "predicted_domain_rank"
            ]
        joint = baseline_now = before_authority = None
        if before is not None:
            old_sources, old_targets, old_kept = _edges(before, [pairs[at] for at in in_graph])
            baseline_now, before_authority = rank(before, damping)
            joint = rank(_changed(before, old_sources, old_targets, is_added=True), damping)[0]
            joint -= baseline_now
            if len(old_kept) < len(in_graph):
                notes.append(
                    f"{level}: {len(in_graph) - len(old_kept)} live links have an end the "
                    "prediction's graph did not hold: left out of the joint prediction"
                )
        key = f"predicted_{level}_gain"
        totals[level] = {
            "baseline": stored,
            "baseline_now": baseline_now,
            "with": with_rank,
            "without": without_rank,
            "realised": None if stored is None else with_rank - stored,
            "from_campaign": with_rank - without_rank,
            "other": None if stored is None else without_rank - stored,
            "predicted_sum": _sum(live[at][key] for at in in_graph),
            "predicted_in_plan_sum": (
                _sum(live[at]["predicted_page_gain_in_plan"] for at in in_graph)
                if level == "page"
                else None
            ),
            "predicted_joint": joint,
            "authority_before": before_authority,
            "authority_with": with_authority,
            "authority_without": without_authority,
        }
        for at, source, target in zip(in_graph, sources.tolist(), targets.tolist(), strict=True):
            alone, _ = rank(
                _changed(now, np.asarray([source]), np.asarray([target]), is_added=False), damping
            )
            per_link[at][f"realised_{level}_gain"] = with_rank - alone
    notes.append(
        "realised = the target's rank now - the rank it was predicted against; from the "
        "campaign = now - now without the campaign's live links; other = the rest. Predicted "
        "gains of single links do not add up: predicted_joint adds the live links together "
        "to the prediction's graph"
    )
    notes.append(
        "authority: 0-100, as `rank` stores it, of the target's best page (page level) and "
        "domain (domain level) on the prediction's graph, now, and now without the links"
    )
    return CampaignImpact(
        campaign=campaign["name"],
        target=tuple(campaign["target"]),
        snapshot_id=snapshot,
        predicted_snapshot_id=first_snapshot,
        live_links=len(in_graph),
        page=totals["page"],
        domain=totals["domain"],
        links=per_link,
        notes=notes,
        risk=risk,
    )


def _sum(values: Any) -> float | None:
    numbers = [float(v) for v in values if v is not None]
    return sum(numbers) if numbers else None
