"""Use case: the offline HTML report of a target, from the audit, tiers, plan, diff, campaigns.

:func:`build_report` calls each service once (``audit_target``, which brings
the toxicity summary, the lost links and the opportunities; ``map_tiers``;
``plan_target``; ``diff_links`` for the velocity; ``campaign_summary`` for
each of the target's campaigns) and keeps their plain values, so that the
page shows exactly what ``--json`` of each command says.
:func:`write_report` renders them with ``report.html`` and writes the page
atomically (a temporary file renamed over the destination).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkequity import __version__
from linkequity.errors import UsageError
from linkequity.report.html import render_report
from linkequity.services.audit import audit_target
from linkequity.services.campaigns import campaign_summary, target_campaigns
from linkequity.services.monitor import diff_links
from linkequity.services.plan import plan_target
from linkequity.services.project import open_existing
from linkequity.services.tiers import map_tiers
from linkequity.services.toxicity import score_toxicity

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ReportData", "build_report", "write_report"]


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows: the plain values of each service's report.

    Attributes
    ----------
    target : tuple of str
        The target as given.
    db : str
        The project file.
    generated_at : str
        When the data was read (ISO, UTC).
    audit, tiers, plan, diff : dict
        ``AuditReport.as_dict()``, ``TiersReport.as_dict()``,
        ``PlanReport.as_dict()`` and ``LinkDiffReport.as_dict()``.
    page_authority : dict
        ``ranked_snapshot_id`` (``None`` when the project was never ranked) and
        ``pages``: the 0-100 authority ``linkequity rank`` stored for each page
        of the tier map that it scored, by URL (the tier graph's node sizes).
    campaigns : list of dict
        ``campaign_summary`` of each campaign for the target, by name: the
        numbers of ``campaign status --json`` and ``campaign impact --json``.
    """

    target: tuple[str, ...]
    db: str
    generated_at: str
    audit: dict[str, Any]
    tiers: dict[str, Any]
    plan: dict[str, Any]
    diff: dict[str, Any]
    page_authority: dict[str, Any] = field(default_factory=dict)
    campaigns: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output and the renderer."""
        return {
            "target": list(self.target),
            "db": self.db,
            "generated_at": self.generated_at,
            "version": __version__,
            "audit": self.audit,
            "tiers": self.tiers,
            "plan": self.plan,
            "diff": self.diff,
            "page_authority": self.page_authority,
            "campaigns": self.campaigns,
        }


def build_report(
    db: Path,
    target: list[str],
    *,
    brands: Sequence[str] = (),
    keywords: Sequence[str] = (),
    competitors: Sequence[str] = (),
    trust_seeds: Sequence[str] = (),
    budget: int = 5,
    snapshot_id: int | None = None,
    top: int = 20,
    now: datetime | None = None,
) -> ReportData:
    """Gather the audit, tier map, plan, link velocity and campaigns of a target for the report.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    brands, keywords : sequence of str
        The target's brands and keywords (``linkequity audit``'s defaults otherwise).
    competitors : sequence of str
        Competitors' domains: the link gap, and never candidates in the plan.
    trust_seeds : sequence of str
        Trusted domains or URLs: the plan rejects spam by relative spam mass.
    budget : int, default 5
        New links the plan spends.
    snapshot_id : int, optional
        The snapshot; the latest by default (the velocity spans every snapshot).
    top : int, default 20
        Rows kept per part of the audit, and paths per length of the tier map.
    now : datetime, optional
        The present, naive UTC (tests fix it): the end of the lost-links window.

    Returns
    -------
    ReportData

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the target is unknown or an argument is out of range.
    InvalidUrl
        If a target cannot be read.
    NotConverged
        If a PageRank solve does not settle.
    """
    if budget < 1:
        raise UsageError(f"--budget must be at least 1, got {budget}", hint="Pass --budget 5, say.")
    at = now or datetime.now(UTC).replace(tzinfo=None)
    toxicity = score_toxicity(
        db,
        target,
        brands=brands,
        keywords=keywords,
        snapshot_id=snapshot_id,
        trust_seeds=list(trust_seeds) or None,
    )
    audit = audit_target(
        db,
        target,
        brands=brands,
        keywords=keywords,
        competitors=competitors,
        snapshot_id=snapshot_id,
        top=top,
        now=at,
        toxicity=toxicity,
    )
    tiers = map_tiers(db, target, snapshot_id=audit.snapshot_id, top=top)
    plan = plan_target(
        db,
        target,
        budget=budget,
        competitors=list(competitors) or None,
        trust_seeds=list(trust_seeds) or None,
        snapshot_id=audit.snapshot_id,
        toxicity=toxicity,
    )
    diff = diff_links(db, target, now=at)
    mapped = tiers.as_dict()
    return ReportData(
        target=tuple(target),
        db=str(db),
        generated_at=at.replace(microsecond=0).isoformat() + "Z",
        audit=audit.as_dict(),
        tiers=mapped,
        plan=plan.as_dict(),
        diff=diff.as_dict(),
        page_authority=_page_authority(db, audit.snapshot_id, mapped),
        campaigns=[campaign_summary(db, row["name"]) for row in target_campaigns(db, target)],
    )


def _page_authority(db: Path, snapshot_id: int, tiers: dict[str, Any]) -> dict[str, Any]:
    """Return the stored authority of the tier map's pages, by URL, and the ranked snapshot."""
    urls = sorted({str(edge["source"]) for edge in tiers["edges"]})
    with open_existing(db, read_only=True) as store:
        ids = store.url_ids(urls)
        ranked, scores = store.stored_page_authority(
            snapshot_id, ids.column("url_id").combine_chunks()
        )
    pairs = zip(ids.column("url").to_pylist(), scores.column("authority").to_pylist(), strict=True)
    return {
        "ranked_snapshot_id": ranked,
        "pages": {str(url): float(value) for url, value in sorted(pairs) if value is not None},
    }


def write_report(data: ReportData, path: Path) -> int:
    """Render the report and write it to *path* atomically; return its size in bytes.

    The page goes to a temporary file beside *path*, which is then renamed over
    it: a reader never sees half a report, and a failure leaves the old one.

    Raises
    ------
    OSError
        If the folder does not exist or is not writable.
    """
    page = render_report(data.as_dict()).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(page)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(page)
