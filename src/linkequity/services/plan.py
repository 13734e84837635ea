"""Use case: the tier-2 plan of a target, with URLs, reasons and every gain explained.

Loads the snapshot as ``services.tiers`` does (every live link for the tiers,
the followed links ranked over the pages ``linkequity rank`` ranks), runs the
checklist of ``analysis.plan`` on the tier-1 pages with what the store knows
of them (latest fetch, link rel, placement and hidden flag, main text) and
what the user gives (competitor domains, trusted seeds), then plans the
budget from the store's pages or from a hypothetical new page.

Sources
    A page may carry a new link when it is outside the target's domains and
    the competitors', its latest fetch said it is indexable and not
    robots-blocked (a page never fetched is never a source: nobody knows what
    it is, nor its out-links), and, with trust seeds, its relative spam mass
    is at most the limit. The ``max_sources`` of highest PageRank are tried
    for new links; internal asks take any such page of the tier-1 page's own
    domain.

Anchors
    Each chosen tier-1 page's anchors from other sites are classified with
    its site's name as the brand and its title's keywords
    (``analysis.anchors``); each new link gets the class the page's profile
    lacks most against the recommended mix, first link first.

Relevance
    With page texts in the store, a tier-1 page's relevance is its best
    TF-IDF cosine (``analysis.relevance``) to a page of the target with
    words; a page without words, or a target without any, is not checked.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from linkequity.analysis import tier_map
from linkequity.analysis.anchors import (
    RECOMMENDED_MIX,
    AnchorRules,
    PageAnchorPlan,
    anchor_distribution,
    brand_from_titles,
    keywords_from_titles,
    plan_page_anchors,
)
from linkequity.analysis.footprint import (
    MAX_DOMAIN_SHARE,
    MIN_LINKS_FOR_MIX,
    FootprintCheck,
    PlannedSource,
    check_plan_footprint,
)
from linkequity.analysis.monitor import week_of, weekly_velocity
from linkequity.analysis.plan import (
    PLACEMENT_CONTENT,
    PLACEMENT_OTHER,
    PLACEMENT_UNKNOWN,
    CandidateLinks,
    CandidatePages,
    PlannedTier2Link,
    blocking_mask,
    checklist,
    plan_tier2,
    reason_labels,
    referring_domain_counts,
    relative_spam_mass,
)
from linkequity.analysis.relevance import RelevanceModel
from linkequity.errors import InvalidUrl, UsageError
from linkequity.graph import pagerank
from linkequity.model.links import AnchorClass
from linkequity.model.urls import normalize_url
from linkequity.report.csv import write_csv
from linkequity.services.project import open_existing
from linkequity.services.ranked_graph import RankedGraph, load_ranked_graph
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

    from linkequity.store import Store

__all__ = ["NEW_PAGE", "PlanReport", "plan_target", "write_plan_csv"]

#: The source shown for a link from a hypothetical new page.
NEW_PAGE = "(new page)"

_NOT_IN_CONTENT = ("footer", "navigation", "sidebar", "header", "comment")


@dataclass(frozen=True, slots=True)
class PlanReport:
    """The tier-2 plan of a target, names joined on; every row a plain dict.

    Attributes
    ----------
    links : list of dict
        The planned links in the order chosen: ``source, target, nth,
        page_gain, page_share, domain_gain, domain_share, gain_alone,
        influence, why, anchor_class, anchor_hint`` (``gain_alone``: the gain
        were it the only new link; ``anchor_class``: the recommended class of
        its anchor, ``anchor_hint`` what to write).
    options : list of dict
        Existing sources for each chosen tier-1 page, the user's own pages
        first, then best first: ``target, source, page_gain, domain_gain,
        is_own``.
    internal_asks : list of dict
        Pages of each chosen tier-1 page's own domain that do not link to it
        yet, whose link would raise the target, best first: ``target,
        source, page_gain`` (the editor's internal links).
    candidates : list of dict
        The tier-1 pages that passed, most valuable first: ``url, domain,
        page_gain, domain_gain, influence, cautions``.
    rejected : list of dict
        The tier-1 pages that failed: ``url, domain, reasons``.
    anchor_mix : list of dict
        For each chosen tier-1 page: ``target, new_links, keywords, brand, current``
        (referring domains per anchor class now), ``new`` (new links per
        class) and ``alerts`` (over-optimisation of its profile now).
    footprints : list of dict
        The plan checked for the patterns the audit flags
        (``analysis.footprint``): ``rule, is_risk, message, pages``.
    notes : list of str
        What was not checked, and how the numbers are made.
    """

    snapshot_id: int
    target: tuple[str, ...]
    target_rank: float
    target_domain_rank: float
    budget: int
    per_page_cap: int
    new_source_rank: float
    new_domain_rank: float
    uses_new_pages: bool
    total_gain: float
    links: list[dict[str, Any]]
    options: list[dict[str, Any]]
    internal_asks: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    anchor_mix: list[dict[str, Any]] = field(default_factory=list)
    footprints: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "target_rank": self.target_rank,
            "target_domain_rank": self.target_domain_rank,
            "budget": self.budget,
            "per_page_cap": self.per_page_cap,
            "new_source_rank": self.new_source_rank,
            "new_domain_rank": self.new_domain_rank,
            "uses_new_pages": self.uses_new_pages,
            "total_gain": self.total_gain,
            "total_share": self.total_gain / self.target_rank if self.target_rank else None,
            "links": self.links,
            "options": self.options,
            "internal_asks": self.internal_asks,
            "candidates": self.candidates,
            "rejected": self.rejected,
            "anchor_mix": self.anchor_mix,
            "footprints": self.footprints,
            "notes": self.notes,
        }


def plan_target(
    db: Path,
    target: list[str],
    *,
    budget: int,
    per_page_cap: int = 2,
    per_domain_cap: int | None = None,
    competitors: list[str] | None = None,
    trust_seeds: list[str] | None = None,
    own_pages: list[str] | None = None,
    new_source_authority: float | None = None,
    snapshot_id: int | None = None,
    max_spam_mass: float = 0.5,
    max_referring_domains: int = 20,
    min_relevance: float = 0.2,
    unverified_blocks: bool = False,
    max_sources: int = 300,
    damping: float = 0.85,
    toxicity: ToxicityReport | None = None,
) -> PlanReport:
    """Plan ``budget`` new links to the target's tier-1 pages, each with its exact gain.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    budget : int
        Most new links.
    per_page_cap : int, default 2
        Most new links to one tier-1 page.
    per_domain_cap : int, optional
        Most new links from one source domain; by default half the budget
        from a budget of ``MIN_LINKS_FOR_MIX`` on (below it, no limit), so
        that the plan is no network footprint (``analysis.footprint``).
    competitors : list of str, optional
        Competitors' registrable domains: their pages are neither candidates nor sources.
    trust_seeds : list of str, optional
        Trusted domains or URLs for spam mass; without them spam is not checked.
    own_pages : list of str, optional
        URLs of the user's own pages (their other guest posts): sources
        whatever their PageRank, and listed first among each chosen page's
        options, when they may link.
    new_source_authority : float, optional
        Plan links from new pages of this PageRank (on the store's scale)
        instead of from the store's pages.
    snapshot_id : int, optional
        The snapshot; the latest by default.
    max_spam_mass, max_referring_domains, min_relevance : float, int, float
        The checklist's limits (see ``analysis.plan.checklist``).
    unverified_blocks : bool, default False
        Reject pages the store holds no fetch of.
    max_sources : int, default 300
        Existing pages of highest PageRank tried as sources.
    damping : float, default 0.85
        PageRank damping.
    toxicity : ToxicityReport, optional
        The target's toxicity, when the caller scored it already (it is
        scored here otherwise, with the trust seeds).

    Returns
    -------
    PlanReport
        The links, source options, candidates and rejected pages, with notes.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the store holds no live link, the target is unknown, or an
        argument is out of range.
    InvalidUrl
        If a target cannot be read.
    NotConverged
        If a solve does not settle.

    Examples
    --------
    >>> report = plan_target(Path("project.duckdb"), ["example.com"], budget=5)  # doctest: +SKIP
    >>> report.links[0]["why"]  # doctest: +SKIP
    """
    if not target:
        raise UsageError("no target given", hint="Give a domain, a host or URLs to plan for.")
    if budget < 1 or per_page_cap < 1 or (per_domain_cap is not None and per_domain_cap < 1):
        raise UsageError(
            f"budget and caps must be at least 1, got budget {budget}, per-page cap "
            f"{per_page_cap} and per-domain cap {per_domain_cap}",
            hint="Pass --budget 5, say.",
        )
    if per_domain_cap is None:
        per_domain_cap = (
            budget if budget < MIN_LINKS_FOR_MIX else max(1, int(budget * MAX_DOMAIN_SHARE))
        )
    if new_source_authority is not None and not 0 < new_source_authority < 1:
        raise UsageError(
            f"new source authority must be a PageRank between 0 and 1, got {new_source_authority}",
            hint="Leave it out to use the median PageRank of the store's pages.",
        )
    names, urls = parse_target(target)
    own_urls = _own_urls(own_pages or [])
    competitor_set = {name.strip().lower() for name in competitors or [] if name.strip()}
    notes: list[str] = []
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        links, nodes = store.live_links(snapshot)
        if links.num_rows == 0:
            raise UsageError(
                f"snapshot {snapshot} of {db} holds no live link to plan from",
                hint="Import backlink exports, ingest archives or crawl into it first.",
            )
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        loaded = load_ranked_graph(store, snapshot, target_rows, nodes=nodes)
        n = loaded.graph.n_nodes
        link_src = np.searchsorted(loaded.url_ids, int64_column(links.column("source_url_id")))
        link_dst = np.searchsorted(loaded.url_ids, int64_column(links.column("target_url_id")))
        mapped = tier_map(
            loaded.graph,
            link_src,
            link_dst,
            loaded.domain_of_node,
            loaded.targets,
            depth=1,
            top_paths=1,
            damping=damping,
            teleport=loaded.teleport,
        )
        tier1 = np.flatnonzero(mapped.tier_of_node == 1).astype(np.int64)
        edges = mapped.edges
        link_rows = store.link_details(pa.array(int64_column(links.column("link_id"))[edges.links]))
        every = np.arange(n, dtype=np.int64)
        details = store.page_details(snapshot, pa.array(loaded.url_ids))
        relevance = _relevance(store, loaded, tier1, notes, "tier-1 pages")
        tier1_ids = pa.array(loaded.url_ids[tier1])
        anchor_rows = store.inbound_anchors(snapshot, tier1_ids)
        title_rows = store.page_titles(snapshot, tier1_ids)
        dated_rows = store.inbound_first_seen(snapshot, tier1_ids)
    domain_names = np.asarray(loaded.domain_names, dtype=object)
    page_domain = domain_names[loaded.domain_of_node]
    is_competitor = (
        np.isin(page_domain, list(competitor_set)) if competitor_set else np.zeros(n, np.bool_)
    )
    indexable = _tri(details.column("is_indexable"))
    robots = _tri(details.column("is_robots_allowed"))
    if trust_seeds:
        seeds = _seed_nodes(trust_seeds, details, page_domain)
        spam = relative_spam_mass(loaded.graph, seeds, damping=damping)
        notes.append(
            f"spam: relative spam mass from {seeds.size} trusted pages, above "
            f"{max_spam_mass} rejected"
        )
    else:
        spam = np.full(n, np.nan)
        notes.append("spam mass: not checked (give --trust-seeds); toxicity is, below")
    toxic = toxicity or score_toxicity(db, target, snapshot_id=snapshot, trust_seeds=trust_seeds)
    is_toxic = np.isin(page_domain, toxic.toxic_domains)
    notes.append(
        f"toxicity: {len(toxic.toxic_domains)} of {len(toxic.domains)} referring domains score "
        f"{toxic.threshold:g} or more (`linkequity toxic` lists why); their pages are neither "
        "candidates nor sources"
    )
    position = np.searchsorted(tier1, edges.sources)
    facts = CandidatePages(
        pages=tier1,
        is_indexable=indexable[tier1],
        is_robots_allowed=robots[tier1],
        is_competitor=is_competitor[tier1],
        spam_mass=spam[tier1],
        relevance=relevance,
        referring_domains=referring_domain_counts(
            loaded.graph, loaded.domain_of_node, tier1, mapped.target_domains
        ),
        is_toxic=is_toxic[tier1],
    )
    masks = checklist(
        facts,
        _link_facts(position, link_rows),
        max_spam_mass=max_spam_mass,
        max_referring_domains=max_referring_domains,
        min_relevance=min_relevance,
    )
    blocking = blocking_mask(unverified_blocks=unverified_blocks)
    passed = (masks & blocking) == 0
    notes += _rule_notes(unverified_blocks, max_referring_domains, per_page_cap, per_domain_cap)

    target_domains = np.isin(loaded.domain_of_node, mapped.target_domains)
    may_link = (
        ~target_domains
        & ~is_competitor
        & (indexable == 1)
        & (robots != 0)
        & ~(spam > max_spam_mass)
        & ~is_toxic
        & (loaded.teleport > 0)
    )
    ranks = _pagerank_of(loaded, damping)
    sources = _relevant_sources(
        db, loaded, every[may_link], ranks, max_sources, min_relevance, notes
    )
    own = _own_nodes(own_urls, details, may_link, notes)
    plan = plan_tier2(
        loaded.graph,
        loaded.targets,
        loaded.domain_of_node,
        tier1[passed],
        sources,
        budget=budget,
        per_page_cap=per_page_cap,
        per_source_domain_cap=per_domain_cap,
        new_source_rank=new_source_authority,
        use_new_pages=new_source_authority is not None,
        internal_sources=every[
            may_link & np.isin(loaded.domain_of_node, loaded.domain_of_node[tier1[passed]])
        ],
        own_sources=own,
        damping=damping,
        teleport=loaded.teleport,
    )
    if plan.uses_new_pages and new_source_authority is None:
        notes.append(
            "sources: no page of the store that may link would raise the target, "
            "so the links come from new pages of median PageRank"
        )
    elif len(plan.links) < budget and not plan.uses_new_pages:
        notes.append(
            f"sources: only {len(plan.links)} links from the store's pages raise the target "
            "within the per-page cap"
        )
    url_of = details.column("url").to_pylist()
    influence_of = dict(
        zip(mapped.pages.nodes.tolist(), mapped.pages.influence.tolist(), strict=True)
    )
    gain_of = dict(zip(plan.candidates.tolist(), plan.candidate_gains.tolist(), strict=True))
    anchor_plans = _anchor_plans(
        Counter(link.target for link in plan.links),
        anchor_rows,
        title_rows,
        loaded.url_ids,
        page_domain,
    )
    footprints = _footprints(
        plan.links, anchor_plans, anchor_rows, dated_rows, details, loaded.url_ids, page_domain
    )
    notes.append(
        "anchors: each link's class is the one its page's profile (referring domains from "
        "other sites, classed with the site's name and the page title's keywords) lacks most "
        "against the mix " + ", ".join(f"{c} {share:.0%}" for c, share in RECOMMENDED_MIX.items())
    )
    return PlanReport(
        snapshot_id=snapshot,
        target=tuple(target),
        target_rank=plan.target_rank,
        target_domain_rank=plan.target_domain_rank,
        budget=budget,
        per_page_cap=per_page_cap,
        new_source_rank=plan.new_source_rank,
        new_domain_rank=plan.new_domain_rank,
        uses_new_pages=plan.uses_new_pages,
        total_gain=plan.total_gain,
        links=[
            {
                "source": NEW_PAGE if link.source < 0 else url_of[link.source],
                "target": url_of[link.target],
                "nth": link.nth,
                "page_gain": link.page_gain,
                "page_share": link.relative_gain,
                "domain_gain": link.domain_gain,
                "domain_share": _share(link.domain_gain, plan.target_domain_rank),
                "gain_alone": link.gain_alone,
                "influence": influence_of[link.target],
                "why": _why(link.nth, influence_of[link.target], gain_of[link.target], link),
                **_anchor_fields(anchor_plans[link.target], link.nth, str(url_of[link.target])),
            }
            for link in plan.links
        ],
        options=[
            {
                "target": url_of[option.target],
                "source": url_of[option.source],
                "page_gain": option.page_gain,
                "domain_gain": option.domain_gain,
                "is_own": option.is_own,
            }
            for option in plan.options
        ],
        internal_asks=[
            {
                "target": url_of[ask.target],
                "source": url_of[ask.source],
                "page_gain": ask.page_gain,
            }
            for ask in plan.internal_asks
        ],
        candidates=[
            {
                "url": url_of[p],
                "domain": str(page_domain[p]),
                "page_gain": gain,
                "domain_gain": domain_gain,
                "influence": influence_of[p],
                "cautions": reason_labels(int(masks[np.searchsorted(tier1, p)])),
            }
            for p, gain, domain_gain in zip(
                plan.candidates.tolist(),
                plan.candidate_gains.tolist(),
                plan.candidate_domain_gains.tolist(),
                strict=True,
            )
        ],
        rejected=[
            {
                "url": url_of[int(p)],
                "domain": str(page_domain[int(p)]),
                "reasons": reason_labels(int(mask)),
            }
            for p, mask in zip(tier1[~passed], masks[~passed], strict=True)
        ],
        footprints=[
            {
                "rule": str(check.rule),
                "is_risk": check.is_risk,
                "message": check.message,
                "pages": list(check.pages),
            }
            for check in footprints
        ],
        anchor_mix=[
            {
                "target": url_of[p],
                "new_links": len(anchors.sequence),
                "keywords": list(anchors.keywords),
                "brand": anchors.brand,
                "current": {str(c): n for c, n in anchors.current.items() if n},
                "new": {str(c): n for c, n in Counter(anchors.sequence).items()},
                "alerts": [alert.message for alert in anchors.alerts],
            }
            for p, anchors in anchor_plans.items()
        ],
        notes=notes,
    )


def _own_urls(pages: list[str]) -> list[str]:
    """Normalise the user's own page URLs, naming the one that is no URL."""
    urls: list[str] = []
    for text in pages:
        try:
            urls.append(normalize_url(text))
        except InvalidUrl as err:
            raise InvalidUrl(
                f"own page {text!r}: {err}", hint="List whole URLs, one a line."
            ) from err
    return urls


def _own_nodes(
    urls: list[str], details: pa.Table, may_link: npt.NDArray[np.bool_], notes: list[str]
) -> npt.NDArray[np.int64]:
    """Return the nodes of the user's own pages that may link; say what became of the rest."""
    if not urls:
        return np.zeros(0, np.int64)
    node_of = {url: k for k, url in enumerate(details.column("url").to_pylist())}
    known = [node_of[url] for url in dict.fromkeys(urls) if url in node_of]
    own = np.array([k for k in known if may_link[k]], dtype=np.int64)
    unknown = len(set(urls)) - len(known)
    barred = len(known) - own.size
    notes.append(
        f"own pages: {own.size} of {len(set(urls))} may link and come first among the options"
        + (f"; {unknown} not linked to or from in the snapshot" if unknown else "")
        + (
            f"; {barred} may not link (not fetched, noindex, robots-blocked, spam or a "
            "competitor's)"
            if barred
            else ""
        )
    )
    return own


def _anchor_plans(
    new_links: Counter[int],
    rows: pa.Table,
    titles: pa.Table,
    url_ids: npt.NDArray[np.int64],
    page_domain: npt.NDArray[Any],
) -> dict[int, PageAnchorPlan]:
    """Plan the anchors of the new links to each chosen page, in the order pages were chosen."""
    title_of = dict(
        zip(titles.column("url_id").to_pylist(), titles.column("title").to_pylist(), strict=True)
    )
    row_target = int64_column(rows.column("target_url_id"))
    anchors = np.asarray(rows.column("anchor").to_pylist(), dtype=object)
    images = rows.column("is_image").to_numpy(zero_copy_only=False)
    alts = np.asarray(rows.column("alt").to_pylist(), dtype=object)
    domains = np.asarray(rows.column("source_domain").to_pylist(), dtype=object)
    counts = int64_column(rows.column("links"))
    plans: dict[int, PageAnchorPlan] = {}
    for node, k in new_links.items():
        url_id = int(url_ids[node])
        site = str(page_domain[node])
        title = title_of.get(url_id)
        titled = [title] if title else []
        keywords = keywords_from_titles(titled, AnchorRules.for_target([site]))
        rules = AnchorRules.for_target([site], keywords=keywords)
        mine = row_target == url_id
        profile = (
            anchor_distribution(
                anchors[mine].tolist(),
                images[mine],
                alts[mine].tolist(),
                domains[mine],
                rules,
                links=counts[mine],
            )
            if mine.any()
            else None
        )
        plans[node] = plan_page_anchors(
            profile, new_links=k, keywords=keywords, brand=brand_from_titles(titled, rules)
        )
    return plans


def _footprints(
    links: Sequence[PlannedTier2Link],
    anchor_plans: dict[int, PageAnchorPlan],
    anchor_rows: pa.Table,
    dated_rows: pa.Table,
    details: pa.Table,
    url_ids: npt.NDArray[np.int64],
    page_domain: npt.NDArray[Any],
) -> tuple[FootprintCheck, ...]:
    """Check the plan for footprints, with what the store knows of its pages and sources."""
    url_of = [str(url) for url in details.column("url").to_pylist()]
    templates = details.column("template_hash").to_pylist()
    marks = details.column("footprints").to_pylist()
    row_target = int64_column(anchor_rows.column("target_url_id"))
    links_in = int64_column(anchor_rows.column("links"))
    followed_in = int64_column(anchor_rows.column("followed_links"))
    followed: dict[str, int] = {}
    unfollowed: dict[str, int] = {}
    for node in anchor_plans:
        mine = row_target == url_ids[node]
        followed[url_of[node]] = int(followed_in[mine].sum())
        unfollowed[url_of[node]] = int(links_in[mine].sum() - followed_in[mine].sum())
    sources = [
        PlannedSource(NEW_PAGE, None)
        if link.source < 0
        else PlannedSource(
            url_of[link.source],
            str(page_domain[link.source]),
            templates[link.source],
            _owner_ids(marks[link.source]),
        )
        for link in links
    ]
    return check_plan_footprint(
        [url_of[link.target] for link in links],
        sources,
        followed_now=followed,
        unfollowed_now=unfollowed,
        anchor_alerts={
            url_of[node]: [alert.message for alert in anchors.alerts]
            for node, anchors in anchor_plans.items()
        },
        weekly_new_links=_weekly_new_links(dated_rows),
    )


def _owner_ids(footprints: str | None) -> tuple[str, ...]:
    """Return the analytics, tag manager and AdSense ids of a page's stored footprints JSON."""
    if not footprints:
        return ()
    ids: dict[str, list[str]] = json.loads(footprints)
    return tuple(sorted({owner for values in ids.values() for owner in values}))


def _weekly_new_links(dated_rows: pa.Table) -> npt.NDArray[np.int64]:
    """Count new links per week from the first dated one to this week (undated ones left out)."""
    first_seen = dated_rows.column("first_seen").to_numpy(zero_copy_only=False)
    first_seen = first_seen.astype("datetime64[us]")
    now = np.array([datetime.now(UTC).replace(tzinfo=None)], dtype="datetime64[us]")
    _, domains = np.unique(
        np.asarray(dated_rows.column("source_domain").to_pylist(), dtype=object),
        return_inverse=True,
    )
    dated = ~np.isnat(first_seen)
    if not dated.any():
        return np.zeros(0, np.int64)
    velocity = weekly_velocity(
        first_seen[dated],
        np.full(int(dated.sum()), np.datetime64("NaT"), dtype="datetime64[us]"),
        domains.reshape(-1)[dated].astype(np.int64),
        last_week=int(week_of(now)[0]),
    )
    return velocity.new_links


def _anchor_fields(anchors: PageAnchorPlan, nth: int, url: str) -> dict[str, str]:
    """Return the recommended anchor class of the ``nth`` link to a page, and what to write."""
    kind = anchors.sequence[nth - 1]
    keyword = anchors.keywords[0] if anchors.keywords else None
    hints = {
        AnchorClass.BRANDED: repr(anchors.brand) if anchors.brand else "the site's name",
        AnchorClass.NAKED_URL: url,
        AnchorClass.GENERIC: "generic words such as 'read more' or 'this guide'",
        AnchorClass.PARTIAL: (
            f"a phrase holding {keyword!r}" if keyword else "a phrase on the page's topic"
        ),
        AnchorClass.EXACT: repr(keyword) if keyword else "the page's main keyword",
    }
    return {"anchor_class": str(kind), "anchor_hint": hints[kind]}


def _pagerank_of(loaded: RankedGraph, damping: float) -> npt.NDArray[np.float64]:
    return pagerank(loaded.graph, damping=damping, teleport=loaded.teleport)


def _tri(column: pa.ChunkedArray[Any]) -> npt.NDArray[np.int8]:
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    return np.where(values == None, -1, np.where(values == True, 1, 0)).astype(np.int8)  # noqa: E711, E712


def _link_facts(position: npt.NDArray[np.int64], link_rows: pa.Table) -> CandidateLinks:
    def flag(name: str) -> npt.NDArray[np.bool_]:
        values = np.asarray(link_rows.column(name).to_numpy(zero_copy_only=False), dtype=object)
        return np.asarray(values == True, dtype=np.bool_)  # noqa: E712 - NULL counts as unset

    placement = np.asarray(
        link_rows.column("placement").to_numpy(zero_copy_only=False), dtype=object
    )
    code = np.full(placement.size, PLACEMENT_UNKNOWN, dtype=np.int8)
    code[placement == "content"] = PLACEMENT_CONTENT
    code[np.isin(placement, _NOT_IN_CONTENT)] = PLACEMENT_OTHER
    return CandidateLinks(
        page_index=position,
        is_followed=~(flag("is_nofollow") | flag("is_sponsored") | flag("is_ugc")),
        placement=code,
        is_hidden=_tri(link_rows.column("is_hidden")),
    )


def _seed_nodes(
    seeds: list[str], details: pa.Table, page_domain: npt.NDArray[Any]
) -> npt.NDArray[np.int64]:
    """Node ids of the seeds: a URL is that page, a bare name all pages of that domain or host."""
    urls = np.asarray(details.column("url").to_pylist(), dtype=object)
    names, wanted = parse_target(seeds)
    hosts = np.asarray([url.split("/")[2] if "://" in url else "" for url in urls], dtype=object)
    found = np.isin(urls, wanted) | np.isin(page_domain, names) | np.isin(hosts, names)
    if not found.any():
        raise UsageError(
            "no trust seed is a page, host or domain of the store",
            hint="List trusted domains or URLs, one a line, that the store holds.",
        )
    return np.flatnonzero(found).astype(np.int64)


def _relevant_sources(
    db: Path,
    loaded: RankedGraph,
    allowed: npt.NDArray[np.int64],
    ranks: npt.NDArray[np.float64],
    max_sources: int,
    min_relevance: float,
    notes: list[str],
) -> npt.NDArray[np.int64]:
    """Return the ``max_sources`` pages of highest PageRank that may link and are relevant.

    Relevance is that of the checklist (best TF-IDF cosine to a target page):
    a link from a page on another topic is what link schemes look like, and a
    page without words (a contact form) has no content for a link to sit in.
    When the store holds no words at all (exports only), nothing is checked.
    Twice ``max_sources`` pages are measured, highest PageRank first.
    """
    pool = allowed[np.argsort(-ranks[allowed], kind="stable")[: 2 * max_sources]]
    with open_existing(db, read_only=True) as store:
        relevance = _relevance(store, loaded, pool, notes, "source pages")
    if np.isnan(relevance).all():
        return pool[:max_sources]
    kept = pool[relevance >= min_relevance]
    if kept.size < pool.size:
        notes.append(
            f"sources: {pool.size - kept.size} of the {pool.size} pages of highest PageRank "
            f"that may link are off topic (relevance under {min_relevance} to the target) "
            "or have no words: left out"
        )
    return kept[:max_sources]


def _relevance(
    store: Store,
    loaded: RankedGraph,
    tier1: npt.NDArray[np.int64],
    notes: list[str],
    what: str,
) -> npt.NDArray[np.float64]:
    """Best TF-IDF cosine of each page to a target page; NaN without text."""
    relevance = np.full(tier1.size, np.nan)
    wanted = np.concatenate([tier1, loaded.targets])
    texts = store.page_texts(url_ids=[int(i) for i in loaded.url_ids[wanted]])
    if texts.num_rows == 0:
        notes.append(f"relevance of {what}: not checked (the store holds no page text)")
        return relevance
    with_text = np.searchsorted(loaded.url_ids, int64_column(texts.column("url_id")))
    titles = texts.column("title").to_pylist()
    bodies = texts.column("text").to_pylist()
    model = RelevanceModel.fit(
        [f"{title or ''} {body or ''}" for title, body in zip(titles, bodies, strict=True)],
        languages=texts.column("language").to_pylist(),
    )
    row_of = {int(node): row for row, node in enumerate(with_text.tolist())}
    target_rows = [row_of[int(t)] for t in loaded.targets if int(t) in row_of]
    page_rows = [(i, row_of[int(p)]) for i, p in enumerate(tier1.tolist()) if int(p) in row_of]
    if not target_rows or not page_rows:
        notes.append(f"relevance of {what}: not checked (no text for the target or for them)")
        return relevance
    at = np.asarray([i for i, _ in page_rows], dtype=np.int64)
    rows = np.asarray([row for _, row in page_rows], dtype=np.int64)
    pairs_source = np.repeat(rows, len(target_rows))
    pairs_target = np.tile(np.asarray(target_rows, dtype=np.int64), rows.size)
    pairs = model.score_pairs(pairs_source, pairs_target)
    shape = (rows.size, len(target_rows))
    # A pair without words on both sides is no evidence either way: not checked.
    scores = np.where(pairs.is_measured, pairs.scores, -np.inf).reshape(shape)
    best = scores.max(axis=1)
    relevance[at] = np.where(np.isfinite(best), best, np.nan)
    measured = int(np.count_nonzero(np.isfinite(best)))
    notes.append(
        f"relevance of {what}: best TF-IDF cosine to a target page, for {measured} of "
        f"{tier1.size} (the others have no stored words: not checked)"
    )
    return relevance


def _rule_notes(
    unverified_blocks: bool, max_referring_domains: int, cap: int, domain_cap: int
) -> list[str]:
    return [
        "unverified (never fetched, or link placement unknown): "
        + ("rejected" if unverified_blocks else "kept, with a caution; --strict rejects them"),
        f"over-supported: followed links from more than {max_referring_domains} other domains",
        "page gain: exact change of the target pages' summed PageRank if the link is added "
        "after the ones before it; domain gain: the same on the domain graph, 0 when the "
        "source's domain already links to the page's",
        f"per-page cap: {cap} new links; nth shows the diminishing return of the k-th",
        f"per-domain cap: {domain_cap} new links from pages of one domain",
    ]


def _share(gain: float, rank: float) -> float | None:
    return gain / rank if rank > 0 else None


def _why(nth: int, influence: float, value: float, link: Any) -> str:
    text = (
        f"influence {influence:.3g}: each unit of PageRank flowing into this tier-1 page "
        f"raises the target's by {influence:.3g}; a link from a median new page is worth "
        f"{value:.3g}"
    )
    if link.source >= 0:
        text += f", from this source {link.page_gain:.3g} (its rank and out-links decide)"
    if nth > 1:
        text += f"; link {nth} to this page, after the ones above"
    return text


def write_plan_csv(report: PlanReport, path: Path) -> int:
    """Write the plan as CSV, a row per link, option, internal ask and tier-1 page; count them.

    Cells a spreadsheet would run as formulas get a leading apostrophe
    (``report.csv``).

    Parameters
    ----------
    report : PlanReport
        The plan.
    path : pathlib.Path
        The file to write (replaced).

    Returns
    -------
    int
        Rows written, header excluded.

    Raises
    ------
    OSError
        If the file cannot be written.

    Examples
    --------
    >>> write_plan_csv(report, Path("plan.csv"))  # doctest: +SKIP
    """
    header = [
        "section",
        "source",
        "target",
        "nth",
        "page_gain",
        "page_share",
        "domain_gain",
        "reasons",
        "why",
        "anchor_class",
        "anchor_hint",
    ]
    rows: list[list[object]] = []
    for link in report.links:
        rows.append(
            [
                "planned",
                link["source"],
                link["target"],
                link["nth"],
                link["page_gain"],
                link["page_share"],
                link["domain_gain"],
                "",
                link["why"],
                link["anchor_class"],
                link["anchor_hint"],
            ]
        )
    for option in report.options:
        rows.append(
            [
                "own option" if option["is_own"] else "option",
                option["source"],
                option["target"],
                "",
                option["page_gain"],
                "",
                option["domain_gain"],
                "",
                "",
            ]
        )
    for ask in report.internal_asks:
        rows.append(
            ["internal", ask["source"], ask["target"], "", ask["page_gain"], "", 0.0, "", ""]
        )
    for page in report.candidates:
        rows.append(
            [
                "candidate",
                NEW_PAGE,
                page["url"],
                "",
                page["page_gain"],
                "",
                page["domain_gain"],
                "; ".join(page["cautions"]),
                "",
            ]
        )
    for page in report.rejected:
        rows.append(["rejected", "", page["url"], "", "", "", "", "; ".join(page["reasons"]), ""])
    return write_csv(path, header, rows)
