"""Use case: campaigns, tracking what became of a plan.

A campaign holds prospects taken from any recommendation (the tier-2 plan,
its internal-link asks, broken-link and reclamation opportunities) or from a
CSV file, each with the gain predicted when it was planned. People work
them by hand and record it (``update_prospect``); linkequity never sends
anything. ``verify_campaign`` fetches the prospects' pages with a
verify-mode crawl (``services.crawl``: robots.txt obeyed, politely) and marks
links live or lost (``analysis.campaigns``); ``campaign_impact`` sets the
realised change of the target's rank beside the predicted gain.

Predictions
    Every prospect gets the exact gain of its one link, alone, on the latest
    snapshot's graph (``graph.link_gains``, the plan's own formula, solved
    to ``IMPACT_TOL``), page and domain level, beside the target's page and
    domain rank it was predicted against, that snapshot and the time. A
    plan prospect also keeps ``predicted_page_gain_in_plan``, its gain after
    the plan's links before it (these add up to the plan's joint gain), and
    its position; an internal ask gains nothing at domain level (one site).
    A page the graph does not hold (never seen linking) gets no prediction;
    a CSV's own ``predicted_page_gain`` is kept.

Verification and impact live in ``services.campaign_verify`` and
``services.campaign_impact``; the risk watch (``analysis.campaign_risk``)
comes with ``campaign_status``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from linkequity.analysis.campaign_risk import CampaignLink, RiskCheck, campaign_risk
from linkequity.analysis.monitor import week_of
from linkequity.errors import InvalidUrl, UsageError, command_line
from linkequity.graph import link_gains, pagerank
from linkequity.model.campaigns import (
    STATUSES,
    ChangeBy,
    ProspectOrigin,
    ProspectStatus,
    transition_error,
)
from linkequity.model.links import AnchorClass
from linkequity.model.urls import normalize_url, registrable_domain, url_host
from linkequity.report.csv import write_csv
from linkequity.services.plan import NEW_PAGE, plan_target
from linkequity.services.project import open_existing
from linkequity.services.ranked_graph import load_ranked_graph
from linkequity.services.targets import parse_target, resolve_snapshot, select_target_rows

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy.typing as npt

    from linkequity.services.campaign_impact import CampaignImpact
    from linkequity.store import Store

__all__ = [
    "IMPACT_TOL",
    "SOURCES",
    "AddReport",
    "CampaignStatus",
    "add_prospects",
    "campaign_status",
    "campaign_summary",
    "create_campaign",
    "export_campaign",
    "find_campaign",
    "plain_values",
    "read_prospects_csv",
    "risk_watch",
    "target_campaigns",
    "update_prospect",
    "url_domain",
    "utc_now",
]

#: The recommendation lists prospects can be added from.
SOURCES = ("plan", "internal", "broken", "reclaim")
#: Tolerance of the PageRank solves of the impact.
IMPACT_TOL = 1e-13
#: What a plan row carries onto its prospect.
_PLAN_FIELDS = ("anchor_hint", "anchor_keywords", "predicted_page_gain_in_plan", "plan_position")
_CSV_COLUMNS = {
    "source_url": ("source_url", "source", "page", "prospect"),
    "target_url": ("target_url", "target", "link_to"),
    "anchor": ("anchor", "suggested_anchor"),
    "anchor_class": ("anchor_class",),
    "predicted_page_gain": ("predicted_page_gain", "page_gain"),
    "notes": ("notes", "note"),
}


def utc_now() -> datetime:
    """Return the time now, naive UTC, as the store keeps times."""
    return datetime.now(UTC).replace(tzinfo=None)


# --- create, add, update ---------------------------------------------------------------


def create_campaign(
    db: Path, name: str, target: list[str], *, notes: str | None = None
) -> dict[str, Any]:
    """Create the campaign NAME for a target (a domain, a host or URLs).

    Raises
    ------
    UsageError
        If the name is blank, a campaign of that name exists, or the store
        holds no page of the target.
    """
    name = name.strip()
    if not name:
        raise UsageError("a campaign needs a name", hint="Pass a name such as spring-guest-posts.")
    if not target:
        raise UsageError("no target given", hint="Pass --target example.com (or a host or URLs).")
    names, urls = parse_target(target)
    with open_existing(db) as store:
        select_target_rows(store.target_pages(names, urls), names, urls, db)
        campaign_id = store.create_campaign(name, target, created_at=utc_now(), notes=notes)
        if campaign_id is None:
            raise UsageError(
                f"a campaign called {name!r} exists in {db}",
                hint="Pick another name, or add to it: "
                + command_line("campaign", "add", name, "--from", "plan", "--db", db),
            )
        return find_campaign(store, name, db)


def find_campaign(store: Store, name: str, db: Path) -> dict[str, Any]:
    """Return the campaign called *name*; a missing one is a usage error naming the others."""
    found = store.campaign(name)
    if found is None:
        known = ", ".join(row["name"] for row in store.campaigns()) or "none yet"
        raise UsageError(
            f"no campaign called {name!r} in {db} (campaigns: {known})",
            hint="Create it: "
            + command_line("campaign", "new", name, "--target", "example.com", "--db", db),
        )
    return found


@dataclass(frozen=True, slots=True)
class AddReport:
    """What adding prospects did: added, already known, and each bad CSV line."""

    campaign: str
    origin: str
    added: int
    known: int
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return dataclasses.asdict(self)


def add_prospects(
    db: Path,
    name: str,
    *,
    source: str | None = None,
    csv_file: Path | None = None,
    top: int = 10,
    competitors: list[str] | None = None,
    trust_seeds: list[str] | None = None,
    damping: float = 0.85,
) -> AddReport:
    """Add prospects to a campaign from a recommendation list or a CSV file.

    Parameters
    ----------
    db : pathlib.Path
        The project.
    name : str
        The campaign.
    source : str, optional
        ``plan`` (the tier-2 plan's links, budget ``top``), ``internal`` (its
        internal-link asks), ``broken`` or ``reclaim`` (the opportunities).
    csv_file : pathlib.Path, optional
        Instead of ``source``: a CSV of ``source_url, target_url`` and
        optionally ``anchor, anchor_class, predicted_page_gain, notes``.
    top : int, default 10
        The plan's budget, or the opportunities kept.
    competitors, trust_seeds : list of str, optional
        Passed to the plan.
    damping : float, default 0.85
        PageRank damping of the predictions.

    Returns
    -------
    AddReport
        Prospects added, already in the campaign (the same source and target
        page: one row), and the CSV lines skipped, each ``file:line: what to do``.

    Raises
    ------
    UsageError
        If neither or both of ``source`` and ``csv_file`` are given, the
        source is unknown, or a CSV holds no usable line.
    """
    if (source is None) == (csv_file is None):
        raise UsageError(
            "give one of --from and --from-csv",
            hint="--from plan|internal|broken|reclaim, or --from-csv FILE",
        )
    if source is not None and source not in SOURCES:
        raise UsageError(f"unknown --from {source!r}", hint=f"Pick one of: {', '.join(SOURCES)}.")
    if top < 1:
        raise UsageError(f"--top must be at least 1, got {top}", hint="Pass --top 10, say.")
    with open_existing(db, read_only=True) as store:
        campaign = find_campaign(store, name, db)
    target: list[str] = campaign["target"]
    notes: list[str] = []
    skipped: list[str] = []
    if csv_file is not None:
        rows, skipped = read_prospects_csv(csv_file)
        prospects = _predicted(db, target, rows, ProspectOrigin.CSV, damping, notes)
        origin = str(ProspectOrigin.CSV)
    elif source in ("plan", "internal"):
        origin = str(source)
        rows = _from_plan(db, target, origin, top, competitors, trust_seeds, notes)
        prospects = _predicted(db, target, rows, ProspectOrigin(origin), damping, notes)
    else:
        origin = str(source)
        rows = _from_opportunities(db, target, origin, top)
        prospects = _predicted(db, target, rows, ProspectOrigin(origin), damping, notes)
    with open_existing(db) as store:
        added, known = store.add_prospects(campaign["id"], prospects, created_at=utc_now())
    return AddReport(campaign["name"], origin, added, known, skipped, notes)


def _concrete_anchor(anchor_class: str, hint: str) -> str | None:
    """Return the anchor text a plan hint names (a quoted brand or keyword, or a URL)."""
    if anchor_class in (AnchorClass.BRANDED, AnchorClass.EXACT) and hint.startswith("'"):
        return hint.strip("'\"")
    if anchor_class == AnchorClass.NAKED_URL:
        return hint
    return None


def _from_plan(
    db: Path,
    target: list[str],
    source: str,
    top: int,
    competitors: list[str] | None,
    trust_seeds: list[str] | None,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Rows of the plan's links (or its internal asks), with what the plan says of each."""
    plan = plan_target(db, target, budget=top, competitors=competitors, trust_seeds=trust_seeds)
    keywords = {mix["target"]: mix["keywords"] for mix in plan.anchor_mix}
    if source == "internal":
        return [
            {
                "source_url": ask["source"],
                "target_url": ask["target"],
                "anchor_keywords": keywords.get(ask["target"], []),
            }
            for ask in plan.internal_asks
        ]
    rows: list[dict[str, Any]] = []
    new_pages = 0
    for position, link in enumerate(plan.links, start=1):
        if link["source"] == NEW_PAGE:
            new_pages += 1
            continue
        rows.append(
            {
                "source_url": link["source"],
                "target_url": link["target"],
                "anchor_class": link["anchor_class"],
                "anchor_hint": link["anchor_hint"],
                "anchor": _concrete_anchor(link["anchor_class"], link["anchor_hint"]),
                "anchor_keywords": keywords.get(link["target"], []),
                "predicted_page_gain_in_plan": link["page_gain"],
                "plan_position": position,
            }
        )
    if new_pages:
        notes.append(
            f"{new_pages} planned links come from pages still to be written: no page to "
            "verify, so they are not prospects"
        )
    return rows


def _from_opportunities(db: Path, target: list[str], part: str, top: int) -> list[dict[str, Any]]:
    # The opportunities service loads the text models: only when asked for.
    from linkequity.services.opportunities import find_opportunities

    report = find_opportunities(db, target, parts=(part,), top=top)
    landing = _landing_page(db, target)
    rows: list[dict[str, Any]] = []
    if part == "broken":
        for page in report.broken:
            dead = page["dead_links"][0] if page["dead_links"] else {}
            # The dead link's anchor names the dead page, not the target: no suggestion.
            rows.append(
                {
                    "source_url": page["url"],
                    "target_url": landing,
                    "notes": (
                        f"offer it in place of its dead link to {dead['url']} "
                        f"(anchor {dead['anchor']!r})"
                        if dead
                        else None
                    ),
                }
            )
        return rows
    for dead_url in report.reclaim:
        redirect = dead_url["redirect_to"] or landing
        for link in dead_url["links"]:
            rows.append(
                {
                    "source_url": link["source"],
                    "target_url": redirect,
                    "anchor": link["anchor"],
                    "notes": f"links to the dead {dead_url['url']}: ask for {redirect}",
                }
            )
    return rows


def _landing_page(db: Path, target: list[str]) -> str:
    """Return the page a broken-link prospect should link to: a target URL, else its home."""
    names, urls = parse_target(target)
    if urls:
        return urls[0]
    with open_existing(db, read_only=True) as store:
        rows = select_target_rows(store.target_pages(names, urls), names, urls, db).to_pylist()
    homes = sorted(
        (len(row["host"]), row["url"]) for row in rows if row["url"].split("/", 3)[3:] in ([""], [])
    )
    return homes[0][1] if homes else str(rows[0]["url"])


def read_prospects_csv(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Read prospects from a CSV file; return the good rows and one line per bad one.

    The header names the columns (``source_url``, ``target_url``; optional
    ``anchor``, ``anchor_class``, ``predicted_page_gain``, ``notes``; some
    aliases are read). A bad line is reported as ``file:line: what to do``
    and skipped.

    Raises
    ------
    UsageError
        If the file cannot be read, its header lacks a required column, or
        no line is usable.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}", hint="Check the path.") from err
    except UnicodeDecodeError as err:
        raise UsageError(
            f"{path}: not UTF-8 text (byte {err.start})", hint="Save the file as UTF-8 CSV."
        ) from err
    reader = csv.reader(text.splitlines())
    header = [cell.strip().lower().replace(" ", "_") for cell in next(reader, [])]
    where = {
        column: next((header.index(alias) for alias in aliases if alias in header), None)
        for column, aliases in _CSV_COLUMNS.items()
    }
    missing = [column for column in ("source_url", "target_url") if where[column] is None]
    if missing:
        raise UsageError(
            f"{path}:1: no {' or '.join(missing)} column (header: {', '.join(header) or 'empty'})",
            hint="Start the file with a header: source_url,target_url,anchor,notes",
        )
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    classes = {str(c) for c in AnchorClass}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            at = where[column]
            return cells[at].strip() if at is not None and at < len(cells) else ""

        row: dict[str, Any] = {}
        try:
            for column in ("source_url", "target_url"):
                value = cell(column)
                if not value:
                    raise UsageError(f"no {column}: give the page's whole URL")
                try:
                    row[column] = normalize_url(value)
                except InvalidUrl as err:
                    raise UsageError(
                        f"{column} {value!r} is no URL ({err}): give a whole http(s) URL"
                    ) from err
            if row["source_url"] == row["target_url"]:
                raise UsageError(
                    "source_url and target_url are the same page: a page cannot link itself"
                )
            kind = cell("anchor_class").lower()
            if kind and kind not in classes:
                raise UsageError(
                    f"anchor_class {kind!r} is unknown: use one of {', '.join(sorted(classes))}"
                )
            gain = cell("predicted_page_gain")
            if gain:
                try:
                    row["predicted_page_gain"] = float(gain)
                except ValueError as err:
                    raise UsageError(
                        f"predicted_page_gain {gain!r} is no number: write 0.0012, say"
                    ) from err
                if not math.isfinite(row["predicted_page_gain"]):
                    raise UsageError(f"predicted_page_gain {gain!r} is no finite number")
        except UsageError as err:
            skipped.append(f"{path}:{line}: {err}")
            continue
        row["anchor"] = cell("anchor") or None
        row["anchor_class"] = kind or None
        row["notes"] = cell("notes") or None
        rows.append(row)
    if not rows:
        raise UsageError(
            f"{path} holds no usable prospect"
            + (f"; first problem: {skipped[0]}" if skipped else ""),
            hint="One prospect a line: source_url,target_url (whole URLs).",
        )
    return rows, skipped


def _predicted(
    db: Path,
    target: list[str],
    rows: Sequence[dict[str, Any]],
    origin: ProspectOrigin,
    damping: float,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Return prospects of rows of source and target URLs, each with its exact gain alone.

    The gains are those of one link on the latest snapshot's graph, page and
    domain level (``graph.link_gains``, solved to ``IMPACT_TOL``), beside the
    target's rank they were predicted against; what a row says already (a
    CSV's gain, the plan's anchor and its gain in the plan's order) is kept.
    """
    names, urls = parse_target(target)
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, None, db)
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        _, nodes = store.live_links(snapshot)
        loaded = load_ranked_graph(store, snapshot, target_rows, nodes=nodes)
        wanted = sorted({r["source_url"] for r in rows} | {r["target_url"] for r in rows})
        known = store.url_ids(wanted).to_pylist()
    id_of = {row["url"]: int(row["url_id"]) for row in known}
    node_of = {
        url: int(node[0])
        for url, url_id in id_of.items()
        if (node := loaded.nodes_of([url_id])).size
    }
    ranks = pagerank(
        loaded.graph, damping=damping, teleport=loaded.teleport, tol=IMPACT_TOL, max_iter=2000
    )
    target_rank = float(ranks[loaded.targets].sum())
    dgraph, dteleport = loaded.domain_level()
    domain_rank = float(
        pagerank(dgraph, damping=damping, teleport=dteleport, tol=IMPACT_TOL, max_iter=2000)[
            loaded.target_domains
        ].sum()
    )
    at = utc_now()
    prospects: list[dict[str, Any]] = []
    unknown = 0
    for row in rows:
        source, to = node_of.get(row["source_url"]), node_of.get(row["target_url"])
        page_gain = domain_gain = None
        if source is not None and to is not None and loaded.teleport[source] > 0:
            page_gain = float(
                link_gains(
                    loaded.graph, loaded.targets, [to], source=source, damping=damping,
                    teleport=loaded.teleport, tol=IMPACT_TOL,
                ).gains[0]
            )  # fmt: skip
            from_domain = int(loaded.domain_of_node[source])
            to_domain = int(loaded.domain_of_node[to])
            domain_gain = (
                0.0
                if from_domain == to_domain
                else float(
                    link_gains(
                        dgraph, loaded.target_domains, [to_domain], source=from_domain,
                        damping=damping, teleport=dteleport, tol=IMPACT_TOL,
                    ).gains[0]
                )
            )  # fmt: skip
        else:
            unknown += 1
        prospects.append(
            {
                **{name: row[name] for name in _PLAN_FIELDS if name in row},
                "source_url": row["source_url"],
                "target_url": row["target_url"],
                "origin": str(origin),
                "suggested_anchor": row.get("anchor"),
                "anchor_class": row.get("anchor_class"),
                "notes": row.get("notes"),
                "predicted_page_gain": row.get("predicted_page_gain", page_gain),
                "predicted_domain_gain": domain_gain,
                "predicted_snapshot_id": snapshot,
                "predicted_at": at,
                "predicted_target_rank": target_rank,
                "predicted_domain_rank": domain_rank,
            }
        )
    if unknown:
        notes.append(
            f"{unknown} prospects have no predicted gain: their page is not in the graph "
            "(never seen linking), or the page they should link to is not"
        )
    return prospects


def update_prospect(
    db: Path, prospect_id: int, *, status: str | None = None, note: str | None = None
) -> dict[str, Any]:
    """Change a prospect's status by hand and/or add a note; return the prospect.

    Raises
    ------
    UsageError
        If the prospect does not exist, the status is unknown, nothing is
        asked, or the change is not allowed (``model.campaigns``).
    """
    if status is None and not (note and note.strip()):
        raise UsageError("nothing to update", hint="Pass --status S, --note TEXT, or both.")
    new: ProspectStatus | None = None
    if status is not None:
        try:
            new = ProspectStatus(status.strip().lower())
        except ValueError as err:
            raise UsageError(
                f"unknown status {status!r}",
                hint=f"Use one of: {', '.join(str(s) for s in STATUSES)}.",
            ) from err
    at = utc_now()
    with open_existing(db) as store:
        rows = store.prospects(0, prospect_id=prospect_id)
        if not rows:
            raise UsageError(
                f"no prospect {prospect_id} in {db}",
                hint="`linkequity campaign status NAME` lists the prospects with their ids.",
            )
        old = ProspectStatus(rows[0]["status"])
        with store.transaction():
            if new is not None and new != old:
                refused = transition_error(old, new, by=ChangeBy.HAND, note=note)
                if refused:
                    raise UsageError(
                        f"prospect {prospect_id}: {refused}",
                        hint="`linkequity campaign update --help` gives the allowed changes.",
                    )
                store.set_prospect_status(
                    prospect_id,
                    str(new),
                    at=at,
                    changed_by=str(ChangeBy.HAND),
                    note=note,
                    lost_reason=(note or "").strip() or None
                    if new is ProspectStatus.LOST
                    else None,
                )
                if new is ProspectStatus.LOST:
                    store.mark_links_lost(
                        rows[0]["source_url"], rows[0]["target_url"], at=at, reason="by hand"
                    )
            elif note and note.strip():
                store.add_prospect_note(prospect_id, at=at, note=note.strip())
        return plain_values(store.prospects(0, prospect_id=prospect_id)[0])


def plain_values(row: dict[str, Any]) -> dict[str, Any]:
    """Return the row with its times as ISO text, for JSON."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in row.items()
    }


def url_domain(url: str) -> str:
    """Return the registrable domain of a URL's host (the host when it has none)."""
    host = url_host(url)
    return registrable_domain(host) or host


# --- status, export, summary ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignStatus:
    """A campaign's funnel, its prospects, their history and the risk watch."""

    campaign: dict[str, Any]
    funnel: dict[str, int]
    prospects: list[dict[str, Any]]
    events: list[dict[str, Any]]
    risk: tuple[RiskCheck, ...]
    impact: CampaignImpact | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {
            "campaign": plain_values(self.campaign),
            "funnel": dict(self.funnel),
            "prospects": [plain_values(row) for row in self.prospects],
            "events": [plain_values(row) for row in self.events],
            "risk": [check.as_dict() for check in self.risk],
            "impact": None if self.impact is None else self.impact.as_dict(),
        }


def campaign_status(db: Path, name: str, *, with_impact: bool = False) -> CampaignStatus:
    """Return the campaign's funnel by status, prospects, history and risk watch.

    With ``with_impact``, the realised gains as well (``campaign_impact``).
    """
    with open_existing(db, read_only=True) as store:
        campaign = find_campaign(store, name, db)
        prospects = store.prospects(campaign["id"])
        events = store.campaign_events(campaign["id"])
        snapshot = resolve_snapshot(store, None, db)
        risk = risk_watch(store, snapshot, prospects)
    funnel = Counter(row["status"] for row in prospects)
    return CampaignStatus(
        campaign=campaign,
        funnel={str(status): funnel.get(str(status), 0) for status in STATUSES},
        prospects=prospects,
        events=events,
        risk=risk,
        impact=_impact(db, name) if with_impact else None,
    )


def risk_watch(
    store: Store, snapshot: int, prospects: list[dict[str, Any]]
) -> tuple[RiskCheck, ...]:
    """Check the campaign's live and agreed links against the rules of ``analysis.campaign_risk``.

    Live links as verification found them (anchor class, rel), agreed ones
    with their suggested anchors; the sources' templates and owner ids from
    their latest fetch; the weekly history of new links into the prospects'
    target pages before this week.
    """
    live = [p for p in prospects if p["status"] == ProspectStatus.LIVE]
    agreed = [p for p in prospects if p["status"] == ProspectStatus.AGREED]
    sources = sorted({p["source_url"] for p in [*live, *agreed]})
    targets = sorted({p["target_url"] for p in prospects})
    ids = store.url_ids([*sources, *targets]).to_pylist()
    id_of = {row["url"]: int(row["url_id"]) for row in ids}
    source_ids = [id_of[url] for url in sources if url in id_of]
    details = store.page_details(snapshot, pa.array(source_ids, pa.int64())).to_pylist()
    marks = {row["url"]: row for row in details}
    target_ids = [id_of[url] for url in targets if url in id_of]
    dated = store.inbound_first_seen(snapshot, pa.array(target_ids, pa.int64()))

    def link(p: dict[str, Any], *, is_live: bool) -> CampaignLink:
        page = marks.get(p["source_url"], {})
        owners = json.loads(page.get("footprints") or "{}")
        return CampaignLink(
            url=p["source_url"],
            source_domain=url_domain(p["source_url"]),
            anchor=(p["anchor_now"] if is_live else p["suggested_anchor"]) or "",
            anchor_class=p["anchor_class_now"] if is_live else p["anchor_class"],
            is_followed=not (p["is_nofollow"] or p["is_sponsored"] or p["is_ugc"])
            if is_live
            else True,
            template_hash=page.get("template_hash"),
            owner_ids=tuple(sorted({o for values in owners.values() for o in values})),
        )

    this_week = int(week_of(np.array([utc_now()], dtype="datetime64[us]"))[0])
    live_weeks = [int(week_of(np.array([p["live_at"]], dtype="datetime64[us]"))[0]) for p in live]
    return campaign_risk(
        [link(p, is_live=True) for p in live],
        [link(p, is_live=False) for p in agreed],
        live_this_week=sum(week == this_week for week in live_weeks),
        weekly_history=_weekly_history(dated, this_week),
    )


def _weekly_history(dated: pa.Table, this_week: int) -> npt.NDArray[np.int64]:
    """Count new links into the pages per week, from the first dated one to last week."""
    first_seen = dated.column("first_seen").to_numpy(zero_copy_only=False).astype("datetime64[us]")
    weeks = week_of(first_seen[~np.isnat(first_seen)])
    weeks = weeks[weeks < this_week]
    if weeks.size == 0:
        return np.zeros(0, np.int64)
    return np.bincount(weeks - weeks.min(), minlength=int(this_week - weeks.min())).astype(np.int64)


_EXPORT_COLUMNS = (
    "id",
    "status",
    "origin",
    "source_url",
    "target_url",
    "suggested_anchor",
    "anchor_class",
    "anchor_hint",
    "predicted_page_gain",
    "predicted_page_gain_in_plan",
    "predicted_domain_gain",
    "predicted_snapshot_id",
    "created_at",
    "contacted_at",
    "replied_at",
    "agreed_at",
    "live_at",
    "lost_at",
    "declined_at",
    "lost_reason",
    "check_outcome",
    "checked_at",
    "anchor_now",
    "anchor_class_now",
    "is_same_class",
    "is_exact_anchor",
    "is_nofollow",
    "is_sponsored",
    "is_ugc",
    "placement",
    "is_indexable",
    "notes",
)


def export_campaign(db: Path, name: str, path: Path, *, as_json: bool = False) -> int:
    """Write the campaign's prospects as CSV (formula-safe, ``report.csv``) or JSON; count them.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    status = campaign_status(db, name)
    if as_json:
        path.write_text(
            json.dumps(status.as_dict(), indent=2, ensure_ascii=False, default=str),
            encoding="utf-8",
        )
        return len(status.prospects)
    rows = [[row.get(column) for column in _EXPORT_COLUMNS] for row in status.prospects]
    return write_csv(path, _EXPORT_COLUMNS, rows)


def campaign_summary(db: Path, name: str) -> dict[str, Any]:
    """Return plain values for a report's campaign section: funnel, gains side by side, risk.

    ``{"name", "target", "funnel", "links": [{prospect_id, source_url,
    target_url, status, predicted_page_gain, realised_page_gain, ...,
    is_measured}], "page", "domain", "risk", "notes", "snapshot_id",
    "predicted_snapshot_id", "live_links", "is_measured"}``: the numbers
    ``campaign status --json`` and ``campaign impact --json`` print, times as
    ISO text. A gain is *measured* when the store holds a crawl newer than
    the snapshot it was predicted on (the campaign: than its first
    prediction); before that, a realised gain says nothing yet.
    """
    status = campaign_status(db, name, with_impact=True)
    impact = status.impact or _impact(db, name)
    realised = {link["prospect_id"]: link for link in impact.links}
    predicted_on = [
        row["predicted_snapshot_id"] for row in status.prospects if row["predicted_snapshot_id"]
    ]
    return {
        "name": status.campaign["name"],
        "target": list(status.campaign["target"]),
        "funnel": status.funnel,
        "links": [
            {
                "prospect_id": row["id"],
                "source_url": row["source_url"],
                "target_url": row["target_url"],
                "status": row["status"],
                "predicted_page_gain": row["predicted_page_gain"],
                "predicted_domain_gain": row["predicted_domain_gain"],
                "realised_page_gain": realised.get(row["id"], {}).get("realised_page_gain"),
                "realised_domain_gain": realised.get(row["id"], {}).get("realised_domain_gain"),
                "is_measured": bool(
                    row["predicted_snapshot_id"]
                    and impact.snapshot_id > row["predicted_snapshot_id"]
                ),
                **plain_values({key: row[key] for key in _EXPORT_COLUMNS[1:]}),
            }
            for row in status.prospects
        ],
        "page": impact.page,
        "domain": impact.domain,
        "risk": [check.as_dict() for check in status.risk],
        "notes": impact.notes,
        "snapshot_id": impact.snapshot_id,
        "predicted_snapshot_id": impact.predicted_snapshot_id,
        "live_links": impact.live_links,
        "is_measured": bool(predicted_on and impact.snapshot_id > min(predicted_on)),
    }


def target_campaigns(db: Path, target: Sequence[str]) -> list[dict[str, Any]]:
    """Return the campaigns for *target* (a domain, a host or URLs), by name, with their counts.

    A campaign is for the target when one of its own target's registrable
    domains is one of the target's: ``{"name", "target", "created_at"
    (ISO), "prospects", "live"}``.
    """
    wanted = _target_domains(target)
    with open_existing(db, read_only=True) as store:
        rows = store.campaigns()
    return [plain_values(row) for row in rows if _target_domains(row["target"]) & wanted]


def _target_domains(target: Sequence[str]) -> set[str]:
    """Registrable domains of a target's entries (domains, hosts or URLs); bad ones are left out."""
    found: set[str] = set()
    for entry in target:
        text = entry.strip().lower()
        try:
            found.add(url_domain(text if "://" in text else f"http://{text}/"))
        except InvalidUrl:
            continue
    return found


def _impact(db: Path, name: str) -> CampaignImpact:
    # campaign_impact imports this module's helpers: imported when asked for.
    from linkequity.services.campaign_impact import campaign_impact

    return campaign_impact(db, name)
