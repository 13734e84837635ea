"""The offline HTML report: one self-contained page from the plain values of the services.

:func:`render_report` takes the ``as_dict()`` values of an audit, a tier map,
a plan and a link diff (``services.report.ReportData.as_dict``) and returns
one page whose CSS and JavaScript are inlined from the files shipped in
``report/assets`` (no network: no CDN, system fonts only). Each part of the
page has its own renderer (:func:`render_overview`, :func:`render_tier_graph`,
...) taking only the values it shows and returning a ``<section>`` that is
safe to embed, so that the dashboard can show one part at a time.

Every anchor, title and URL comes from the web and is hostile. Templates
autoescape everything; a URL becomes a link only when it is http or https
(with ``rel="noopener noreferrer nofollow"``), else it is shown as text; the
one ``<script>`` holds only our own code, which reads ``data-*`` attributes
and writes text, never HTML. A Content-Security-Policy allows that script and
that stylesheet by their hashes, and nothing else.

Numbers are shown rounded, and each table cell and card carries the exact
value in ``data-value``: the same as in ``--json``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from linkequity.report.charts import Bar, Week, bar_chart, column_chart, format_value, weekly_chart
from linkequity.report.tier_graph import layout_tiers, render_tier_svg

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "ROW_LIMIT",
    "Column",
    "render_anchors",
    "render_notes",
    "render_opportunities",
    "render_overview",
    "render_plan",
    "render_profile",
    "render_report",
    "render_section",
    "render_table",
    "render_tier_graph",
    "render_tiers",
    "render_toxicity",
    "render_velocity",
    "report_script",
    "report_stylesheet",
    "safe_href",
]

#: Rows a table shows at most (the JSON output has them all).
ROW_LIMIT = 200
_MORE = "`linkequity report --json` or the command named above lists them all"
_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_NUMERIC = frozenset({"int", "float", "share", "score"})


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: the row key it shows, its header, and how its values read.

    ``kind`` is ``text``, ``url`` (a link when http or https), ``int``,
    ``float``, ``share`` (a fraction shown as a percentage), ``score``
    (0-100, shown whole), ``bool`` or ``list`` (joined by ``; ``). ``get``
    reads the value from the row instead of ``row[key]``.
    """

    key: str
    label: str
    kind: str = "text"
    get: Callable[[Mapping[str, Any]], object] | None = None

    @property
    def is_numeric(self) -> bool:
        """Whether the column holds numbers (aligned right)."""
        return self.kind in _NUMERIC


@dataclass(frozen=True, slots=True)
class _Cell:
    key: str
    text: str
    value: str | None
    href: str | None
    css: str


@dataclass(frozen=True, slots=True)
class _Card:
    metric: str
    label: str
    value: str
    text: str
    is_alert: bool = False


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("linkequity.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=False,
    )


def _render(template: str, **values: object) -> Markup:
    # Autoescaped templates: their output is markup already.
    return Markup(_environment().get_template(template).render(**values))  # noqa: S704


@cache
def report_stylesheet() -> str:
    """Return the report's CSS, shipped in the package (the dashboard serves the same)."""
    return resources.files("linkequity.report").joinpath("assets/report.css").read_text("utf-8")


@cache
def report_script() -> str:
    """Return the report's JavaScript (sortable tables, tier graph), shipped in the package."""
    return resources.files("linkequity.report").joinpath("assets/report.js").read_text("utf-8")


def safe_href(url: object) -> str | None:
    """Return *url* when it may be a link target (http or https, no space or control), else None.

    >>> safe_href("https://a.example/x"), safe_href("javascript:alert(1)"), safe_href(None)
    ('https://a.example/x', None, None)
    """
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        return url
    return None


def _data_value(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return None


def _text(value: object, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "share" and isinstance(value, int | float):
        return f"{value:.1%}"
    if kind == "score" and isinstance(value, int | float):
        return f"{value:.0f}"
    if kind == "list" and isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value) or "-"
    if isinstance(value, str):
        return value
    return format_value(value)


def _cell(row: Mapping[str, Any], column: Column) -> _Cell:
    value = column.get(row) if column.get is not None else row.get(column.key)
    text = _text(value, column.kind)
    if column.kind == "url":
        return _Cell(column.key, text, None, safe_href(value), "url")
    css = "num" if column.is_numeric else ""
    data = _data_value(value) if column.kind not in {"text", "list"} else None
    return _Cell(column.key, text, data, None, css)


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    name: str,
    caption: str,
    limit: int = ROW_LIMIT,
    more_hint: str = _MORE,
) -> Markup:
    """Render rows as a sortable table; each cell keeps its exact value in ``data-value``.

    Parameters
    ----------
    rows : sequence of mapping
        Plain rows, as the services' ``as_dict()`` give them.
    columns : sequence of Column
        What to show of each row.
    name : str
        The table's ``data-table`` (ours: ``plan.links``, say).
    caption : str
        What the table lists.
    limit : int
        Rows shown at most; the page says how many more there are.
    more_hint : str
        Where the rest is listed.

    Returns
    -------
    markupsafe.Markup
    """
    cells = [[_cell(row, column) for column in columns] for row in rows[:limit]]
    return _render(
        "table.html.j2",
        name=name,
        caption=caption,
        columns=columns,
        rows=cells,
        total=len(rows),
        more_hint=more_hint,
    )


def render_section(
    section_id: str,
    heading: str,
    *,
    intro: Iterable[str] = (),
    blocks: Iterable[Markup] = (),
    alerts: Iterable[str] = (),
    notes: Iterable[str] = (),
) -> Markup:
    """Render one part of the report as a ``<section>`` that is safe to embed.

    Parameters
    ----------
    section_id : str
        The section's ``id`` (ours, never from the web).
    heading : str
        Its heading.
    intro : iterable of str
        Paragraphs under the heading (escaped).
    blocks : iterable of markupsafe.Markup
        Charts and tables, already rendered.
    alerts, notes : iterable of str
        Warnings shown as alerts, and notes shown after the blocks (escaped).

    Returns
    -------
    markupsafe.Markup
    """
    return _render(
        "section.html.j2",
        id=section_id,
        heading=heading,
        intro=list(intro),
        blocks=list(blocks),
        alerts=list(alerts),
        notes=list(notes),
    )


def _card(
    metric: str, label: str, value: object, *, kind: str = "int", alert: bool = False
) -> _Card:
    return _Card(metric, label, _data_value(value) or "", _text(value, kind), alert)


def render_overview(
    audit: Mapping[str, Any], tiers: Mapping[str, Any], plan: Mapping[str, Any]
) -> Markup:
    """Render the overview cards: profile size, toxicity, target rank, the plan's gain."""
    totals = audit["totals"]
    toxicity = audit["toxicity"]
    found = audit["opportunities"]["found"]
    tier_pages = {int(row["tier"]): row["pages"] for row in tiers["tiers"]}
    cards = [
        _card("audit.totals.links", "live backlinks", totals["links"]),
        _card("audit.totals.referring_pages", "referring pages", totals["referring_pages"]),
        _card("audit.totals.referring_domains", "referring domains", totals["referring_domains"]),
        _card("audit.totals.followed_links", "followed links", totals["followed_links"]),
        _card(
            "audit.totals.followed_domains",
            "domains giving a followed link",
            totals["followed_domains"],
        ),
        _card(
            "audit.totals.linked_pages",
            f"of {audit['target_pages']:,} pages linked to",
            totals["linked_pages"],
        ),
        _card(
            "audit.toxicity.toxic_domains",
            f"toxic domains (score {toxicity['threshold']:g}+)",
            toxicity["toxic_domains"],
            alert=toxicity["toxic_domains"] > 0,
        ),
        _card(
            "audit.toxicity.toxic_links",
            "toxic links",
            toxicity["toxic_links"],
            alert=toxicity["toxic_links"] > 0,
        ),
        _card(
            "audit.lost.count",
            f"links lost since {str(audit['lost']['since'])[:10]}",
            audit["lost"]["count"],
        ),
        *(
            _card(f"tiers.tiers.{tier}.pages", f"tier-{tier} pages", pages)
            for tier, pages in sorted(tier_pages.items())
        ),
        _card(
            "tiers.target_rank",
            "target PageRank (sum of its pages)",
            tiers["target_rank"],
            kind="float",
        ),
        _card(
            "plan.total_gain",
            f"PageRank gain of {len(plan['links'])} planned links",
            plan["total_gain"],
            kind="float",
        ),
        _card(
            "plan.total_share",
            "planned gain, share of the target's rank",
            plan["total_share"],
            kind="share",
        ),
        *(
            _card(f"audit.opportunities.found.{part}", label, found.get(part, 0))
            for part, label in (
                ("broken", "broken links to replace"),
                ("reclaim", "links to reclaim"),
                ("mentions", "unlinked mentions"),
                ("gap", "competitor gap domains"),
            )
        ),
    ]
    return render_section(
        "overview",
        "Overview",
        intro=[
            f"Snapshot {audit['snapshot_id']}: the live links into {' '.join(audit['target'])} "
            "from other sites, the tiers around it, the tier-2 plan, toxicity and opportunities."
        ],
        blocks=[_render("cards.html.j2", cards=cards)],
    )


_MIX_COLUMNS = (
    Column("links", "links", "int"),
    Column("link_share", "share of links", "share"),
    Column("referring_domains", "domains", "int"),
    Column("domain_share", "share of domains", "share"),
)


def _with_shares(
    rows: Iterable[Mapping[str, Any]], totals: Mapping[str, Any]
) -> list[dict[str, Any]]:
    links, domains = totals["links"], totals["referring_domains"]
    return [
        {
            **row,
            "link_share": row["links"] / links if links else None,
            "domain_share": row["referring_domains"] / domains if domains else None,
        }
        for row in rows
    ]


def render_profile(audit: Mapping[str, Any]) -> Markup:
    """Render the dofollow and placement mixes, referring domains' authority, the top pages."""
    totals = audit["totals"]
    rel_rows = _with_shares(audit["rel_mix"], totals)
    placement_rows = _with_shares(audit["placement_mix"], totals)
    authority = audit["authority"]
    buckets = authority["buckets"]
    charts = [
        bar_chart(
            [
                Bar(str(row["rel"]), row["links"], is_marked=row["rel"] != "followed")
                for row in rel_rows
            ],
            chart_id="chart-rel",
            title="Links by rel (the dofollow mix)",
            description="Live backlinks by their rel: followed, nofollow, sponsored, ugc, unknown.",
        ),
        bar_chart(
            [Bar(str(row["placement"]), row["links"]) for row in placement_rows],
            chart_id="chart-placement",
            title="Links by placement on their page",
            description="Where on the linking page each backlink sits.",
        ),
        column_chart(
            [
                Bar(
                    "not scored" if row["from"] is None else f"{row['from']}-{row['to']}",
                    row["referring_domains"],
                )
                for row in buckets
            ],
            chart_id="chart-authority",
            title="Referring domains by domain authority",
            description="A histogram of the referring domains' 0-100 authority, in buckets of 10.",
            x_label="domain authority",
            y_label="referring domains",
        ),
    ]
    tables = [
        render_table(
            rel_rows,
            (Column("rel", "rel"), *_MIX_COLUMNS),
            name="audit.rel_mix",
            caption="Links by rel",
        ),
        render_table(
            placement_rows,
            (Column("placement", "placement"), *_MIX_COLUMNS),
            name="audit.placement_mix",
            caption="Links by placement",
        ),
        render_table(
            [
                {
                    "bucket": "not scored" if row["from"] is None else f"{row['from']}-{row['to']}",
                    **row,
                }
                for row in buckets
            ],
            (
                Column("bucket", "authority"),
                Column("from", "from", "int"),
                Column("referring_domains", "referring domains", "int"),
            ),
            name="audit.authority.buckets",
            caption="Referring domains by domain authority",
        ),
        render_table(
            audit["top_pages"],
            (
                Column("url", "page", "url"),
                Column("links", "links", "int"),
                Column("referring_domains", "domains", "int"),
                Column("followed_domains", "followed domains", "int"),
            ),
            name="audit.top_pages",
            caption="Most linked pages",
        ),
    ]
    notes = [note for note in audit["notes"] if not note.startswith("anchors:")]
    if authority["ranked_snapshot_id"] is not None:
        notes.append(f"authority from the rank of snapshot {authority['ranked_snapshot_id']}")
    return render_section(
        "profile",
        "Backlink profile",
        blocks=[Markup('<div class="charts">{}</div>').format(Markup("").join(charts)), *tables],
        notes=notes,
    )


def render_anchors(audit: Mapping[str, Any]) -> Markup:
    """Render the anchor classes, the most used anchors and the over-optimisation alerts."""
    anchors = audit["anchors"]
    classes = anchors["classes"]
    chart = bar_chart(
        [Bar(str(row["class"]).replace("_", " "), row["links"]) for row in classes],
        chart_id="chart-anchors",
        title="Anchor classes",
        description="Live backlinks by the class of their anchor text.",
    )
    class_table = render_table(
        classes,
        (
            Column("class", "class"),
            Column("links", "links", "int"),
            Column("link_share", "share of links", "share"),
            Column("referring_domains", "domains", "int"),
            Column("domain_share", "share of domains", "share"),
        ),
        name="audit.anchors.classes",
        caption="Anchor classes",
    )
    top_table = render_table(
        anchors["top"],
        (
            Column("anchor", "anchor"),
            Column("class", "class"),
            Column("links", "links", "int"),
            Column("referring_domains", "domains", "int"),
            Column("domain_share", "share of domains", "share"),
        ),
        name="audit.anchors.top",
        caption="Most used anchors",
    )
    return render_section(
        "anchors",
        "Anchors",
        intro=[
            f"Brands: {', '.join(anchors['brands']) or 'none'}. "
            f"Keywords: {', '.join(anchors['keywords']) or 'none'}."
        ],
        blocks=[Markup('<div class="charts">{}</div>').format(chart), class_table, top_table],
        alerts=[f"Over-optimised: {alert['message']}" for alert in anchors["alerts"]],
        notes=[note for note in audit["notes"] if note.startswith("anchors:")],
    )


def render_velocity(diff: Mapping[str, Any], lost: Mapping[str, Any] | None = None) -> Markup:
    """Render the link velocity per week with spikes (``diff``), and the audit's lost links."""
    weeks = [
        Week(
            str(row["week"]),
            int(row["new_links"]),
            int(row["lost_links"]),
            bool(row["is_link_spike"] or row["is_domain_spike"]),
        )
        for row in diff["velocity"]
    ]
    blocks = [
        Markup('<div class="charts">{}</div>').format(
            weekly_chart(
                weeks,
                chart_id="chart-velocity",
                title="Link velocity: new and lost links per week",
                description="New backlinks per ISO week above the axis, lost ones below; "
                "spike weeks are marked with a triangle.",
                new_label="new links",
                lost_label="lost links",
            )
        ),
        render_table(
            diff["velocity"],
            (
                Column("week", "week"),
                Column("new_links", "new links", "int"),
                Column("lost_links", "lost links", "int"),
                Column("new_domains", "new domains", "int"),
                Column("lost_domains", "lost domains", "int"),
                Column("link_score", "link z-score", "float"),
                Column("is_link_spike", "link spike", "bool"),
                Column("is_domain_spike", "domain spike", "bool"),
            ),
            name="diff.velocity",
            caption="Velocity per week",
        ),
    ]
    if lost is not None:
        blocks.append(
            render_table(
                lost["links"],
                (
                    Column("source_url", "from", "url"),
                    Column("target_url", "to", "url"),
                    Column("anchor", "anchor"),
                    Column("lost_at", "lost at"),
                    Column("reason", "why"),
                ),
                name="audit.lost.links",
                caption=f"Links lost since {str(lost['since'])[:10]} ({lost['count']:,})",
            )
        )
    spikes = diff["spike_weeks"]
    return render_section(
        "velocity",
        "Link velocity",
        intro=[
            f"Spike weeks: {', '.join(spikes) if spikes else 'none'}; "
            f"{diff['links_in_spikes']:,} backlinks first seen in them. Rule: {diff['spike_rule']}."
        ],
        blocks=blocks,
    )


def _reasons(row: Mapping[str, Any]) -> list[str]:
    return [str(reason["text"]) for reason in row.get("reasons", ())]


def render_toxicity(audit: Mapping[str, Any]) -> Markup:
    """Render the worst referring domains by toxicity score and the toxic links."""
    toxicity = audit["toxicity"]
    threshold = float(toxicity["threshold"])
    chart = bar_chart(
        [
            Bar(str(row["domain"]), float(row["score"]), is_marked=bool(row["is_toxic"]))
            for row in toxicity["domains"]
        ],
        chart_id="chart-toxicity",
        title="Toxicity of the worst referring domains",
        description=f"Each referring domain's 0-100 toxicity score; toxic from {threshold:g} "
        "(the dashed line).",
        marker=threshold,
        marker_label=f"toxic from {threshold:g}",
    )
    domains = render_table(
        toxicity["domains"],
        (
            Column("domain", "domain"),
            Column("score", "score", "score"),
            Column("is_toxic", "toxic", "bool"),
            Column("links", "links", "int"),
            Column("toxic_links", "toxic links", "int"),
            Column("reasons", "why", "list", get=_reasons),
        ),
        name="audit.toxicity.domains",
        caption="Worst referring domains",
        more_hint="`linkequity toxic` lists them all",
    )
    links = render_table(
        toxicity["links"],
        (
            Column("source", "from", "url"),
            Column("target", "to", "url"),
            Column("anchor", "anchor"),
            Column("score", "score", "score"),
            Column("reasons", "why", "list", get=_reasons),
        ),
        name="audit.toxicity.links",
        caption="Toxic links",
        more_hint="`linkequity toxic` lists them all",
    )
    return render_section(
        "toxicity",
        "Toxic links",
        intro=[
            f"{toxicity['toxic_domains']:,} of {toxicity['domains_scored']:,} referring domains "
            "score "
            f"{threshold:g} or more ({toxicity['toxic_links']:,} links); "
            f"{toxicity['no_value_links']:,} links pass no value."
        ],
        blocks=[Markup('<div class="charts">{}</div>').format(chart), domains, links],
        notes=[f"not computed: {item}" for item in toxicity["unavailable"]],
    )


def render_tier_graph(
    tiers: Mapping[str, Any],
    *,
    authority: Mapping[str, Any] | None = None,
    max_nodes: Mapping[int, int] | None = None,
) -> Markup:
    """Render the interactive tier graph (target, tiers 1 to 3), capped, saying what is hidden.

    Parameters
    ----------
    tiers : mapping
        ``TiersReport.as_dict()``.
    authority : mapping, optional
        ``ReportData.page_authority``: the stored authority of the map's pages
        sizes the nodes when the project was ranked.
    max_nodes : mapping of int to int, optional
        Most pages drawn per tier (``tier_graph.MAX_NODES`` by default).
    """
    scores = (authority or {}).get("pages") or {}
    layout = layout_tiers(tiers, authority=scores, max_nodes=max_nodes)
    hidden = layout.hidden
    hidden_text = "All pages of the map are drawn."
    if any(hidden.values()):
        hidden_text = (
            "Drawn: "
            + "; ".join(
                f"tier {tier}: {layout.shown.get(tier, 0):,} of {layout.total[tier]:,} pages"
                for tier in sorted(layout.total)
            )
            + " (tier 1 by equity; the next tiers by followed links to the pages drawn)."
        )
    ranked = (authority or {}).get("ranked_snapshot_id")
    block = _render(
        "tier_graph.html.j2",
        svg=render_tier_svg(layout),
        sizes=(
            f"A page's size grows with its authority (the rank of snapshot {ranked}; "
            "a page it did not score is smallest)."
            if layout.is_sized_by_authority
            else "The project was never ranked (`linkequity rank`): a tier-1 page's size "
            "grows with the equity it passes to the target, a tier-2 or tier-3 page's with "
            "the followed links it gives to the pages drawn."
        ),
        hidden_total=sum(hidden.values()),
        hidden_text=hidden_text,
    )
    return render_section(
        "tier-graph",
        "Tier graph",
        intro=[
            f"Who links to {' '.join(tiers['target'])}, who links to them, and the equity they "
            "pass "
            f"on ({tiers['tier_rule']})."
        ],
        blocks=[block],
    )


_TIER1_COLUMNS = (
    Column("url", "tier-1 page", "url"),
    Column("domain", "domain"),
    Column("equity", "equity", "float"),
    Column("share", "share of the target's rank", "share"),
    Column("influence", "influence", "float"),
    Column("links", "links", "int"),
    Column("followed_links", "followed", "int"),
    Column("rels", "rel", "list"),
    Column("placements", "placement", "list"),
    Column("indexability", "indexability"),
)


def _path_text(row: Mapping[str, Any]) -> str:
    return " → ".join(str(node) for node in row["nodes"])


def render_tiers(tiers: Mapping[str, Any]) -> Markup:
    """Render the tier counts, the tier-1 pages and domains by equity, and the top paths."""
    blocks = [
        render_table(
            tiers["tiers"],
            (
                Column("tier", "tier", "int"),
                Column("pages", "pages", "int"),
                Column("external_pages", "external pages", "int"),
                Column("internal_pages", "internal pages", "int"),
                Column("external_links", "external links", "int"),
                Column("internal_links", "internal links", "int"),
            ),
            name="tiers.tiers",
            caption="Pages and links per tier",
        ),
        render_table(
            tiers["pages"], _TIER1_COLUMNS, name="tiers.pages", caption="Tier-1 pages by equity"
        ),
        render_table(
            tiers["domains"],
            (
                Column("domain", "tier-1 domain"),
                Column("equity", "equity", "float"),
                Column("share", "share", "share"),
                Column("influence", "influence", "float"),
                Column("pages", "pages", "int"),
            ),
            name="tiers.domains",
            caption="Tier-1 domains by equity (domain graph)",
        ),
        render_table(
            tiers["paths"],
            (
                Column("path", "path", get=_path_text),
                Column("share", "share of the target's rank", "share"),
            ),
            name="tiers.paths",
            caption="Paths carrying most of the target's rank (pages)",
        ),
        render_table(
            tiers["domain_paths"],
            (Column("path", "path", get=_path_text), Column("share", "share", "share")),
            name="tiers.domain_paths",
            caption="Paths carrying most of the target's rank (domains)",
        ),
    ]
    return render_section(
        "tiers",
        "Tiers and equity",
        intro=[
            f"Target PageRank {format_value(tiers['target_rank'])} (its pages' sum), "
            f"{format_value(tiers['target_domain_rank'])} on the domain graph; "
            f"damping {tiers['damping']:g}."
        ],
        blocks=blocks,
    )


def _anchor_counts(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in counts.items()) or "-"


def render_plan(plan: Mapping[str, Any]) -> Markup:
    """Render the tier-2 plan: links and gains, anchors, footprints, candidates, rejections."""
    blocks = [
        render_table(
            plan["links"],
            (
                Column("source", "new link from", "url"),
                Column("target", "to tier-1 page", "url"),
                Column("nth", "nth", "int"),
                Column("page_gain", "page gain", "float"),
                Column("page_share", "page share", "share"),
                Column("domain_gain", "domain gain", "float"),
                Column("anchor_class", "anchor class"),
                Column("anchor_hint", "anchor"),
                Column("why", "why"),
            ),
            name="plan.links",
            caption="Planned links, in the order chosen",
        ),
        render_table(
            plan["anchor_mix"],
            (
                Column("target", "tier-1 page", "url"),
                Column("new_links", "new links", "int"),
                Column(
                    "current",
                    "anchors now (domains)",
                    get=lambda row: _anchor_counts(row["current"]),
                ),
                Column("new", "new anchors", get=lambda row: _anchor_counts(row["new"])),
                Column(
                    "alerts",
                    "alerts",
                    "list",
                    get=lambda row: [a["message"] for a in row["alerts"]],
                ),
            ),
            name="plan.anchor_mix",
            caption="Anchor mix of each chosen page",
        ),
        render_table(
            plan["footprints"],
            (Column("rule", "check"), Column("is_risk", "risk", "bool"), Column("message", "what")),
            name="plan.footprints",
            caption="Footprint checks of the plan",
        ),
        render_table(
            plan["candidates"],
            (
                Column("url", "candidate tier-1 page", "url"),
                Column("domain", "domain"),
                Column("page_gain", "gain of one link", "float"),
                Column("domain_gain", "domain gain", "float"),
                Column("influence", "influence", "float"),
                Column("cautions", "cautions", "list"),
            ),
            name="plan.candidates",
            caption="Candidates that passed the checklist",
        ),
        render_table(
            plan["options"],
            (
                Column("target", "tier-1 page", "url"),
                Column("source", "other source", "url"),
                Column("page_gain", "page gain", "float"),
                Column("domain_gain", "domain gain", "float"),
                Column("is_own", "yours", "bool"),
            ),
            name="plan.options",
            caption="Other sources for the chosen pages",
        ),
        render_table(
            plan["internal_asks"],
            (
                Column("target", "tier-1 page", "url"),
                Column("source", "ask its editor for a link from", "url"),
                Column("page_gain", "page gain", "float"),
            ),
            name="plan.internal_asks",
            caption="Internal links to ask for",
        ),
        render_table(
            plan["rejected"],
            (
                Column("url", "rejected page", "url"),
                Column("domain", "domain"),
                Column("reasons", "why", "list"),
            ),
            name="plan.rejected",
            caption="Rejected tier-1 pages",
        ),
    ]
    share = plan["total_share"]
    return render_section(
        "plan",
        "Tier-2 plan",
        intro=[
            f"{len(plan['links'])} of a budget of {plan['budget']} links, at most "
            f"{plan['per_page_cap']} per tier-1 page: the target's PageRank rises by "
            f"{format_value(plan['total_gain'])}"
            + (f" ({share:.1%})." if share is not None else ".")
        ],
        blocks=blocks,
        alerts=[f"Footprint: {row['message']}" for row in plan["footprints"] if row["is_risk"]],
        notes=plan["notes"],
    )


def render_opportunities(opportunities: Mapping[str, Any]) -> Markup:
    """Render the broken links to replace, links to reclaim, mentions and the competitor gap."""
    found = opportunities["found"]
    hint = "`linkequity opportunities` lists them all"
    blocks = [
        render_table(
            opportunities["broken"],
            (
                Column("url", "page linking to a dead resource", "url"),
                Column("domain", "domain"),
                Column("authority", "authority", "float"),
                Column("relevance", "relevance", "float"),
                Column("priority", "priority", "float"),
                Column("why", "why"),
            ),
            name="opportunities.broken",
            caption=f"Broken link building ({found.get('broken', 0):,} found)",
            more_hint=hint,
        ),
        render_table(
            opportunities["reclaim"],
            (
                Column("url", "dead page of the target", "url"),
                Column("reason", "status"),
                Column("referring_domains", "referring domains", "int"),
                Column("redirect_to", "301 it to", "url"),
                Column("redirect_why", "why"),
            ),
            name="opportunities.reclaim",
            caption=f"Links to reclaim ({found.get('reclaim', 0):,} found)",
            more_hint=hint,
        ),
        render_table(
            opportunities["mentions"],
            (
                Column("url", "page naming the brand", "url"),
                Column("title", "title"),
                Column("authority", "authority", "float"),
                Column("matched", "brand", "list"),
                Column("snippet", "snippet"),
            ),
            name="opportunities.mentions",
            caption=f"Unlinked mentions ({found.get('mentions', 0):,} found)",
            more_hint=hint,
        ),
        render_table(
            opportunities["gap"],
            (
                Column("domain", "domain"),
                Column("competitors", "competitors linked", "int"),
                Column("competitors_linked", "which", "list"),
                Column("authority", "authority", "float"),
                Column("links", "links", "int"),
            ),
            name="opportunities.gap",
            caption=f"Competitor gap ({found.get('gap', 0):,} found)",
            more_hint=hint,
        ),
    ]
    return render_section(
        "opportunities", "Opportunities", blocks=blocks, notes=opportunities["notes"]
    )


def render_notes(data: Mapping[str, Any]) -> Markup:
    """Render how the report was made: its project, time and snapshot."""
    return render_section(
        "about",
        "About this report",
        intro=[
            f"Made by linkequity from {data['db']} at {data['generated_at']}, "
            f"snapshot {data['audit']['snapshot_id']}. Every number here is the same as in "
            "`linkequity audit`, `tiers`, `plan` and `diff` (and `report --json`); tables show "
            f"at most {ROW_LIMIT} rows."
        ],
        notes=[f"tiers: {data['tiers']['tier_rule']}"],
    )


_SECTIONS = (
    ("overview", "Overview"),
    ("profile", "Profile"),
    ("anchors", "Anchors"),
    ("velocity", "Velocity"),
    ("toxicity", "Toxic links"),
    ("tier-graph", "Tier graph"),
    ("tiers", "Tiers"),
    ("plan", "Plan"),
    ("opportunities", "Opportunities"),
    ("campaigns", "Campaigns"),
    ("about", "About"),
)


def _hash(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def render_report(data: Mapping[str, Any]) -> str:
    """Render the whole report as one self-contained HTML page.

    Parameters
    ----------
    data : mapping
        ``services.report.ReportData.as_dict()``: ``target, db, generated_at,
        version``, the plain values of ``audit``, ``tiers``, ``plan`` and
        ``diff``, and (optional) ``page_authority`` and ``campaigns`` (the
        target's ``campaign_summary`` values; without the key, no section).

    Returns
    -------
    str
        The page: CSS and JavaScript inlined, allowed by hash in its
        Content-Security-Policy; nothing loaded from the network.
    """
    audit, tiers, plan, diff = data["audit"], data["tiers"], data["plan"], data["diff"]
    sections = [
        render_overview(audit, tiers, plan),
        render_profile(audit),
        render_anchors(audit),
        render_velocity(diff, audit["lost"]),
        render_toxicity(audit),
        render_tier_graph(tiers, authority=data.get("page_authority")),
        render_tiers(tiers),
        render_plan(plan),
        render_opportunities(audit["opportunities"]),
    ]
    toc: tuple[tuple[str, str], ...] = _SECTIONS
    if "campaigns" in data:
        # report.campaigns builds on this module's tables and sections.
        from linkequity.report.campaigns import render_campaigns

        sections.append(render_campaigns(data["campaigns"]))
    else:
        toc = tuple(entry for entry in _SECTIONS if entry[0] != "campaigns")
    sections.append(render_notes(data))
    css, js = report_stylesheet(), report_script()
    csp = (
        f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    target = " ".join(data["target"])
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            title=f"Backlink report: {target}",
            subtitle=(
                f"Snapshot {audit['snapshot_id']} of {data['db']}, made {data['generated_at']}"
            ),
            version=data.get("version", ""),
            csp=csp,
            # Our own files from the package, not data; allowed by hash in the CSP.
            css=Markup(css),  # noqa: S704
            js=Markup(js),  # noqa: S704
            toc=toc,
            sections=sections,
        )
    )
