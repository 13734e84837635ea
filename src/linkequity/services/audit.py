"""Use case: the whole backlink profile of a target in one place.

The profile is the live links of a snapshot into the target's pages from other
registrable domains (``store.audit``): its size, the rel and placement mixes,
the pages most linked to and the authority of the referring domains, each one
aggregate query; the anchors classed for the target (``analysis.anchors``);
the toxic links and domains (``services.toxicity``); the links lost lately
(``services.monitor``); and the opportunities (``services.opportunities``).
Each part that cannot be measured says why instead of guessing: a project
never ranked has no authority, a project of exports only has no placement.

Keywords are the user's, else taken from the titles of the target's most
linked pages; brands are the user's plus the target's domain labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from linkequity.analysis.anchors import (
    AnchorRules,
    anchor_distribution,
    keywords_from_titles,
    over_optimisation,
)
from linkequity.errors import UsageError
from linkequity.services.monitor import diff_links
from linkequity.services.opportunities import find_opportunities
from linkequity.services.project import open_existing
from linkequity.services.targets import (
    int64_column,
    parse_target,
    resolve_snapshot,
    select_target_rows,
)
from linkequity.services.toxicity import ToxicityReport, score_toxicity

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

__all__ = ["AuditReport", "audit_target"]

#: Width of the authority buckets of referring domains, in points of 0-100.
AUTHORITY_BUCKET = 10
#: Titles of the most linked target pages that keywords are taken from.
_TITLED_PAGES = 20


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The backlink profile of a target; every part a plain value for JSON and the report.

    Attributes
    ----------
    snapshot_id : int
    target : tuple of str
    target_pages : int
        The target's pages the store knows.
    totals : dict
        ``links, referring_pages, referring_domains, linked_pages,
        followed_links, followed_domains``.
    rel_mix, placement_mix : list of dict
        ``rel`` (or ``placement``), ``links``, ``referring_domains``.
    anchors : dict
        The anchor classes (``AnchorDistribution.as_dict``) with ``alerts``,
        ``brands`` and ``keywords``.
    top_pages : list of dict
        ``url, links, referring_domains, followed_domains``.
    authority : dict
        ``ranked_snapshot_id`` and ``buckets`` (``from, to,
        referring_domains``; ``from`` ``None`` for unscored domains).
    toxicity : dict
        ``threshold``, counts (``domains_scored, toxic_domains, toxic_links,
        no_value_links``), the worst ``domains`` and toxic ``links`` first
        (rows of ``ToxicityReport``), and the signals ``unavailable``.
    lost : dict
        The links lost in the last ``lost_days`` days: ``since``, ``count``
        and ``links`` (the diff's lost rows).
    opportunities : dict
        ``found`` per kind and the top of each (``OpportunitiesReport.as_dict``).
    notes : list of str
    """

    snapshot_id: int
    target: tuple[str, ...]
    target_pages: int
    totals: dict[str, int]
    rel_mix: list[dict[str, Any]]
    placement_mix: list[dict[str, Any]]
    anchors: dict[str, Any]
    top_pages: list[dict[str, Any]]
    authority: dict[str, Any]
    toxicity: dict[str, Any]
    lost: dict[str, Any]
    opportunities: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "target_pages": self.target_pages,
            "totals": self.totals,
            "rel_mix": self.rel_mix,
            "placement_mix": self.placement_mix,
            "anchors": self.anchors,
            "top_pages": self.top_pages,
            "authority": self.authority,
            "toxicity": self.toxicity,
            "lost": self.lost,
            "opportunities": self.opportunities,
            "notes": self.notes,
        }


def audit_target(
    db: Path,
    target: list[str],
    *,
    brands: Sequence[str] = (),
    keywords: Sequence[str] = (),
    competitors: Sequence[str] = (),
    snapshot_id: int | None = None,
    lost_days: int = 90,
    top: int = 10,
    now: datetime | None = None,
    toxicity: ToxicityReport | None = None,
) -> AuditReport:
    """Audit the backlink profile of a target.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    brands, keywords : sequence of str
        The target's brand names and keywords for the anchor classes (the
        keywords are taken from its most linked pages' titles when none are given).
    competitors : sequence of str
        Competitors' domains, for the link gap.
    snapshot_id : int, optional
        The snapshot; the latest by default.
    lost_days : int, default 90
        How far back lost links are listed.
    top : int, default 10
        Rows listed per part.
    now : datetime, optional
        The end of the lost-links window (now by default; tests fix it).
    toxicity : ToxicityReport, optional
        The target's toxicity, when the caller scored it already (it is
        scored here otherwise, with the same brands and keywords).

    Returns
    -------
    AuditReport

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the target is unknown or an argument is out of range.
    InvalidUrl
        If a target cannot be read.
    """
    if not target:
        raise UsageError("no target given", hint="Give a domain, a host or URLs to audit.")
    if lost_days < 1 or top < 1:
        raise UsageError(
            f"--lost-days and --top must be at least 1, got {lost_days} and {top}",
            hint="Pass --lost-days 90 --top 10, say.",
        )
    names, urls = parse_target(target)
    notes: list[str] = []
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        ids = pa.array(int64_column(target_rows.column("url_id")))
        totals = store.audit_totals(snapshot, ids)
        rel_mix = store.audit_rel_mix(snapshot, ids).to_pylist()
        placement_mix = store.audit_placement_mix(snapshot, ids).to_pylist()
        top_pages = store.audit_top_pages(snapshot, ids, limit=top).to_pylist()
        ranked_id, buckets = store.audit_authority(snapshot, ids, width=AUTHORITY_BUCKET)
        anchor_rows = store.inbound_anchors(snapshot, ids)
        titled = store.page_titles(
            snapshot, pa.array(_most_linked(anchor_rows, _TITLED_PAGES), pa.int64())
        )
    domains = sorted({str(domain) for domain in target_rows.column("domain").to_pylist()})
    anchors = _anchors(anchor_rows, titled, domains, brands, keywords, top, notes)
    if ranked_id is None:
        notes.append("authority: the project was never ranked; run `linkequity rank` first")
    if not any(row["placement"] != "unknown" for row in placement_mix):
        notes.append("placement: unknown, no linking page was read (exports only)")
    end = now or datetime.now(UTC).replace(tzinfo=None)
    since = end - timedelta(days=lost_days)
    diff = diff_links(db, target, since=since, until=end)
    if toxicity is None:
        toxicity = score_toxicity(
            db, target, brands=tuple(brands), keywords=tuple(keywords), snapshot_id=snapshot
        )
    opportunities = find_opportunities(
        db, target, competitors=competitors, brands=brands, snapshot_id=snapshot, top=top
    )
    return AuditReport(
        snapshot_id=snapshot,
        target=tuple(target),
        target_pages=target_rows.num_rows,
        totals=totals,
        rel_mix=rel_mix,
        placement_mix=placement_mix,
        anchors=anchors,
        top_pages=top_pages,
        authority={
            "ranked_snapshot_id": ranked_id,
            "buckets": [
                {
                    "from": row["bucket"],
                    "to": None if row["bucket"] is None else row["bucket"] + AUTHORITY_BUCKET,
                    "referring_domains": row["referring_domains"],
                }
                for row in buckets.to_pylist()
            ],
        },
        toxicity={
            "threshold": toxicity.threshold,
            "domains_scored": len(toxicity.domains),
            "toxic_domains": len(toxicity.toxic_domains),
            "toxic_links": sum(1 for row in toxicity.links if row["is_toxic"]),
            "no_value_links": sum(1 for row in toxicity.links if not row["passes_value"]),
            "domains": toxicity.domains[:top],
            "links": [row for row in toxicity.links if row["is_toxic"]][:top],
            "unavailable": toxicity.unavailable,
        },
        lost={
            "since": since.isoformat(),
            "count": diff.lost.num_rows,
            "links": diff.lost.slice(0, top).to_pylist(),
        },
        opportunities=opportunities.as_dict(),
        notes=notes,
    )


def _most_linked(rows: pa.Table, limit: int) -> list[int]:
    """Return the target pages with the most links from other sites, most first."""
    pages = int64_column(rows.column("target_url_id"))
    if pages.size == 0:
        return []
    ids, inverse = np.unique(pages, return_inverse=True)
    links = np.bincount(inverse, weights=int64_column(rows.column("links")))
    order = np.lexsort((ids, -links))[:limit]
    return [int(i) for i in ids[order]]


def _anchors(
    rows: pa.Table,
    titled: pa.Table,
    domains: list[str],
    brands: Sequence[str],
    keywords: Sequence[str],
    top: int,
    notes: list[str],
) -> dict[str, Any]:
    """Class the profile's anchors for the target; keywords from titles when none are given."""
    rules = AnchorRules.for_target(domains, brands=brands)
    if not keywords:
        keywords = keywords_from_titles([str(t) for t in titled.column("title").to_pylist()], rules)
        notes.append(
            f"anchors: keywords from the titles of the {titled.num_rows} most linked pages "
            "(give --keyword for yours)"
            if keywords
            else "anchors: no keyword given and no title stored: exact and partial match unknown"
        )
    rules = AnchorRules.for_target(domains, brands=brands, keywords=keywords)
    profile = anchor_distribution(
        [str(anchor) for anchor in rows.column("anchor").to_pylist()],
        rows.column("is_image").to_numpy(zero_copy_only=False),
        [str(alt) for alt in rows.column("alt").to_pylist()],
        _codes(rows.column("source_domain")),
        rules,
        links=int64_column(rows.column("links")),
        top=top,
    )
    return {
        **profile.as_dict(),
        "alerts": [
            {"rule": a.rule, "value": a.value, "limit": a.limit, "message": a.message}
            for a in over_optimisation(profile)
        ],
        "brands": list(rules.brands),
        "keywords": list(rules.keywords),
    }


def _codes(column: pa.ChunkedArray[Any]) -> npt.NDArray[np.int64]:
    """Return a code per distinct value: sorting a million names took 1.5 s at 10M links."""
    return int64_column(column.combine_chunks().dictionary_encode().indices)
