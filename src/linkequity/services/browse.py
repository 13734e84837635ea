"""Use case: browsing a target's links, referring domains and tier-1 pages (the dashboard).

A ``TargetView`` holds what is expensive to work out once per target: its
pages, the audit (``services.audit``), the toxic domains (``services.toxicity``)
and the class of each anchor of the profile, classed with the audit's brands
and keywords, so that the links table filters by anchor class in DuckDB. The
tier map and the plan are loaded on demand. A ``TargetSummary`` is the cheap
part (the profile's totals, one query) that a page shows at once. Everything
else is one query per page of the table (``store.browse``); ``data_version``
tells when the project was written, so that what is kept can be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from linkequity.analysis.anchors import AnchorRules, classify_anchor
from linkequity.errors import UsageError
from linkequity.graph.influence import link_gains
from linkequity.model.urls import normalize_url
from linkequity.report.csv import write_csv
from linkequity.services.audit import AuditReport, audit_target
from linkequity.services.project import open_existing
from linkequity.services.ranked_graph import load_ranked_graph
from linkequity.services.targets import (
    int64_column,
    parse_target,
    resolve_snapshot,
    select_target_rows,
)
from linkequity.services.toxicity import ToxicityReport, score_toxicity
from linkequity.store.browse import LINK_SORTS, RELS, LinkFilter, data_version

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.services.plan import PlanReport
    from linkequity.store import Store

__all__ = [
    "LINK_SORTS",
    "RELS",
    "LinkFilter",
    "LinkPage",
    "PageGains",
    "TargetSummary",
    "TargetView",
    "data_version",
    "domain_view",
    "link_page",
    "list_targets",
    "load_target",
    "page_gain",
    "page_gains",
    "page_links",
    "target_summary",
    "write_links_csv",
]

#: Most rows of a links CSV download.
MAX_CSV_ROWS = 1_000_000
#: Links shown per list on a referring domain's or a page's view.
LIST_ROWS = 100
_CSV_COLUMNS = (
    "source",
    "source_domain",
    "target",
    "anchor",
    "anchor_class",
    "rel",
    "placement",
    "is_hidden",
    "is_sitewide",
    "is_toxic",
    "first_seen",
    "last_seen",
)


@dataclass(frozen=True, slots=True)
class TargetView:
    """What the dashboard keeps of one target: its pages, audit, toxicity and anchor classes.

    Attributes
    ----------
    target : tuple of str
    snapshot_id : int
    url_ids : pyarrow.Array
        The target's pages (int64).
    audit : AuditReport
    toxicity : ToxicityReport
    anchor_classes : pyarrow.Table
        ``(anchor, is_image, anchor_class)`` of every anchor of the profile.
    """

    target: tuple[str, ...]
    snapshot_id: int
    url_ids: pa.Array[Any]
    audit: AuditReport
    toxicity: ToxicityReport
    anchor_classes: pa.Table

    @property
    def toxic_domains(self) -> list[str]:
        """The referring domains the toxicity audit calls toxic."""
        return self.toxicity.toxic_domains


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """The cheap part of a target: its snapshot, pages and the profile's totals.

    Attributes
    ----------
    target : tuple of str
    snapshot_id : int
    target_pages : int
        The target's pages in the project.
    totals : dict
        ``links, referring_pages, referring_domains, followed_links,
        followed_domains, linked_pages``: the audit's ``totals``.
    """

    target: tuple[str, ...]
    snapshot_id: int
    target_pages: int
    totals: dict[str, int]


@dataclass(frozen=True, slots=True)
class PageGains:
    """The exact gain of one more link to each page of a target's graph (`page_gains`).

    Attributes
    ----------
    url_ids : numpy.ndarray
        int64 store URL ids of the graph's pages, sorted.
    gains : numpy.ndarray
        float64 gain of the target's PageRank from one link to each of them.
    """

    url_ids: npt.NDArray[np.int64]
    gains: npt.NDArray[np.float64]

    def of(self, url_id: int) -> float | None:
        """Return the gain of a link to the page *url_id*, or None if it is no node."""
        at = int(np.searchsorted(self.url_ids, url_id))
        if at < self.url_ids.size and self.url_ids[at] == url_id:
            return float(self.gains[at])
        return None


@dataclass(frozen=True, slots=True)
class LinkPage:
    """One page of the links table: the count of matches and the rows shown."""

    count: int
    rows: list[dict[str, Any]]
    wanted: LinkFilter

    @property
    def has_next(self) -> bool:
        """Whether rows follow this page."""
        return self.wanted.offset + len(self.rows) < self.count


def list_targets(db: Path, *, limit: int = 50) -> list[dict[str, Any]]:
    """Return the domains with the most referring domains, most first.

    Rows: ``target_domain, referring_domains, links``.
    """
    with open_existing(db, read_only=True) as store:
        rows: list[dict[str, Any]] = store.referring_domains_by_target_domain().to_pylist()
    return rows[:limit]


def target_summary(db: Path, target: list[str], *, snapshot_id: int | None = None) -> TargetSummary:
    """Return the target's totals as ``linkequity audit`` counts them, from one query.

    Raises the errors of ``load_target``.
    """
    with open_existing(db, read_only=True) as store:
        snapshot, target_rows, url_ids = _target_of(store, target, snapshot_id, db)
        totals = store.audit_totals(snapshot, url_ids)
    return TargetSummary(tuple(target), snapshot, target_rows.num_rows, totals)


def _target_of(
    store: Store, target: list[str], snapshot_id: int | None, db: Path
) -> tuple[int, pa.Table, pa.Array[Any]]:
    """Return the snapshot, the target's page rows and their ids (int64)."""
    names, urls = parse_target(target)
    snapshot = resolve_snapshot(store, snapshot_id, db)
    target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
    return snapshot, target_rows, pa.array(int64_column(target_rows.column("url_id")))


def load_target(
    db: Path,
    target: list[str],
    *,
    snapshot_id: int | None = None,
    toxicity: ToxicityReport | None = None,
    audit: AuditReport | None = None,
) -> TargetView:
    """Audit a target and class its anchors: the expensive part of browsing it.

    Parameters
    ----------
    db : pathlib.Path
    target : list of str
    snapshot_id : int, optional
        The latest snapshot by default.
    toxicity : ToxicityReport, optional
        The target's toxicity at that snapshot, when the caller scored it
        already (scored here otherwise).
    audit : AuditReport, optional
        The target's audit at that snapshot with that toxicity (``audit_target``
        with its defaults), when the caller has it (audited here otherwise).

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the target is unknown.
    InvalidUrl
        If a target cannot be read.
    """
    with open_existing(db, read_only=True) as store:
        snapshot, target_rows, url_ids = _target_of(store, target, snapshot_id, db)
        anchor_rows = store.inbound_anchors(snapshot, url_ids)
    # The toxicity as the audit and the proposed disavow file score it: the same toxic
    # domains everywhere, scored once.
    if toxicity is None or toxicity.snapshot_id != snapshot:
        toxicity = score_toxicity(db, target, snapshot_id=snapshot)
    if audit is None or audit.snapshot_id != snapshot:
        audit = audit_target(db, target, snapshot_id=snapshot, toxicity=toxicity)
    domains = sorted({str(domain) for domain in target_rows.column("domain").to_pylist()})
    rules = AnchorRules.for_target(
        domains, brands=audit.anchors["brands"], keywords=audit.anchors["keywords"]
    )
    return TargetView(
        target=tuple(target),
        snapshot_id=snapshot,
        url_ids=url_ids,
        audit=audit,
        toxicity=toxicity,
        anchor_classes=_anchor_classes(anchor_rows, rules),
    )


def _anchor_classes(rows: pa.Table, rules: AnchorRules) -> pa.Table:
    """Class each distinct ``(anchor, is_image)`` of the profile once."""
    pairs = sorted(
        {
            (str(anchor), bool(is_image))
            for anchor, is_image in zip(
                rows.column("anchor").to_pylist(), rows.column("is_image").to_pylist(), strict=True
            )
        }
    )
    return pa.table(
        {
            "anchor": pa.array([anchor for anchor, _ in pairs], pa.string()),
            "is_image": pa.array([is_image for _, is_image in pairs], pa.bool_()),
            "anchor_class": pa.array(
                [
                    str(classify_anchor(anchor, rules, is_image=is_image).anchor_class)
                    for anchor, is_image in pairs
                ],
                pa.string(),
            ),
        }
    )


def link_page(db: Path, view: TargetView, wanted: LinkFilter) -> LinkPage:
    """Return the count of the target's links that match *wanted*, and the page it asks for.

    Raises
    ------
    UsageError
        If the rel or the sort is unknown, or the page is out of range.
    """
    if wanted.rel is not None and wanted.rel not in RELS:
        raise UsageError(f"unknown rel {wanted.rel!r}", hint="Use one of: " + ", ".join(RELS))
    if wanted.sort not in LINK_SORTS:
        raise UsageError(
            f"unknown sort {wanted.sort!r}", hint="Use one of: " + ", ".join(LINK_SORTS)
        )
    if wanted.limit < 1 or wanted.offset < 0:
        raise UsageError(
            f"bad page: limit {wanted.limit}, offset {wanted.offset}",
            hint="Give a positive page size and a page of 1 or more.",
        )
    with open_existing(db, read_only=True) as store:
        count, rows = store.browse_links(
            view.snapshot_id,
            view.url_ids,
            wanted,
            anchor_classes=view.anchor_classes,
            toxic_domains=view.toxic_domains,
        )
    return LinkPage(count, [_with_rel(row) for row in rows.to_pylist()], wanted)


def write_links_csv(db: Path, view: TargetView, wanted: LinkFilter, path: Path) -> int:
    """Write every link that matches *wanted* (any page) as CSV, formula-safe; count them."""
    page = link_page(db, view, replace(wanted, limit=MAX_CSV_ROWS, offset=0))
    return write_csv(
        path, _CSV_COLUMNS, ([row[name] for name in _CSV_COLUMNS] for row in page.rows)
    )


def domain_view(db: Path, view: TargetView, domain: str) -> dict[str, Any]:
    """Return one referring domain: its toxicity row, authority and first links to the target.

    Keys: ``domain, toxicity`` (the ``ToxicityReport`` row, ``None`` if it
    was not scored), ``authority`` (``None`` if unranked), ``links``
    (a ``LinkPage``).
    """
    domain = domain.strip().lower()
    row = next((row for row in view.toxicity.domains if row["domain"] == domain), None)
    with open_existing(db, read_only=True) as store:
        _, authority = store.stored_domain_authority(view.snapshot_id, [domain])
    links = link_page(db, view, LinkFilter(source_domain=domain, limit=LIST_ROWS))
    return {
        "domain": domain,
        "toxicity": row,
        "authority": authority.column("authority")[0].as_py(),
        "links": links,
    }


def page_links(db: Path, view: TargetView, url: str) -> dict[str, Any]:
    """Return one page's links: to the target, and every live link in and out of it.

    Keys: ``url, to_target`` (a ``LinkPage``), ``inbound_count, inbound,
    outbound_count, outbound`` (rows with ``rel``).

    Raises
    ------
    InvalidUrl
        If *url* cannot be read.
    """
    url = normalize_url(url)
    to_target = link_page(db, view, LinkFilter(source_url=url, limit=LIST_ROWS))
    with open_existing(db, read_only=True) as store:
        inbound_count, inbound = store.browse_page_links(
            view.snapshot_id, url, is_inbound=True, limit=LIST_ROWS
        )
        outbound_count, outbound = store.browse_page_links(
            view.snapshot_id, url, is_inbound=False, limit=LIST_ROWS
        )
    return {
        "url": url,
        "to_target": to_target,
        "inbound_count": inbound_count,
        "inbound": [_with_rel(row) for row in inbound.to_pylist()],
        "outbound_count": outbound_count,
        "outbound": [_with_rel(row) for row in outbound.to_pylist()],
    }


def page_gains(db: Path, view: TargetView, plan: PlanReport) -> PageGains:
    """Return the gain of one more link to every page of the target's graph, one solve for all.

    The gain is exact: ``d a r_p``, the change of the target's PageRank from
    one link to page ``p`` from a new page of the plan's new-source rank
    ``a`` (the median PageRank of the ranked pages), ``r`` the influence of
    every page on the target. The dashboard keeps it per version of the
    store, so that a tier-1 page's gain is a lookup, not a load of the graph
    and a solve per request.
    """
    names, urls = parse_target(list(view.target))
    with open_existing(db, read_only=True) as store:
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        loaded = load_ranked_graph(store, view.snapshot_id, target_rows)
    found = link_gains(
        loaded.graph,
        loaded.targets,
        np.arange(loaded.graph.n_nodes),
        new_source_rank=plan.new_source_rank,
        teleport=loaded.teleport,
    )
    return PageGains(loaded.url_ids, found.gains)


def page_gain(
    db: Path, view: TargetView, url: str, plan: PlanReport, gains: PageGains | None = None
) -> dict[str, Any]:
    """Return the what-if of one more link to a page, as ``linkequity plan`` values it.

    The gain is the page's in `page_gains`, worked out here unless *gains*
    are given. The plan's verdict on the page comes along: its cautions when
    it is a candidate, its reasons when rejected, and the existing sources it
    lists when it chose the page.

    Keys: ``url, gain, share, new_source_rank, target_rank, status``
    (``candidate``, ``rejected`` or ``not tier 1``), ``reasons``,
    ``options`` (``source, page_gain, domain_gain, is_own``) and ``planned``
    (the plan's links to it). ``gain`` is ``None`` when the page has no
    node in the followed-link graph.
    """
    url = normalize_url(url)
    if gains is None:
        gains = page_gains(db, view, plan)
    with open_existing(db, read_only=True) as store:
        found = int64_column(store.url_ids([url]).column("url_id"))
    gain = gains.of(int(found[0])) if found.size else None
    candidate = next((row for row in plan.candidates if row["url"] == url), None)
    rejected = next((row for row in plan.rejected if row["url"] == url), None)
    status, reasons = (
        ("candidate", candidate["cautions"])
        if candidate
        else ("rejected", rejected["reasons"])
        if rejected
        else ("not tier 1", [])
    )
    return {
        "url": url,
        "gain": gain,
        "share": None if gain is None or not plan.target_rank else gain / plan.target_rank,
        "new_source_rank": plan.new_source_rank,
        "target_rank": plan.target_rank,
        "status": status,
        "reasons": reasons,
        "options": [row for row in plan.options if row["target"] == url],
        "planned": [row for row in plan.links if row["target"] == url],
    }


def _with_rel(row: dict[str, Any]) -> dict[str, Any]:
    """Add ``rel``: the link's rel values, ``followed`` when none, ``unknown`` when unstated."""
    flags = [name for name in ("nofollow", "sponsored", "ugc") if row.get(f"is_{name}")]
    stated = any(row.get(f"is_{name}") is not None for name in ("nofollow", "sponsored", "ugc"))
    row["rel"] = " ".join(flags) if flags else "followed" if stated else "unknown"
    return row


def median_rank_note(plan: PlanReport) -> str:
    """Say what the new source of a what-if gain is."""
    return (
        f"a new page of PageRank {plan.new_source_rank:.3g} (the median of the ranked pages) "
        f"linking only to the page; the target's PageRank is {plan.target_rank:.3g}"
    )
