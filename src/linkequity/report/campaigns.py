"""The campaigns part of the report and the dashboard: funnel, predicted beside realised, risk.

Each renderer takes the plain values of ``services.campaigns.campaign_summary``
(one campaign) and returns markup that is safe to embed: the funnel as a bar
chart (the counts ``campaign status --json`` prints), the predicted and the
realised gain of each live link and of the campaign as a chart and sortable
tables (``campaign impact --json``'s numbers), and the risk watch's warnings.
A realised gain is shown only when a crawl came after the prediction (the
summary's ``is_measured``); before that the page says "not measured yet".

Prospect URLs, anchors and notes come from the web or from people: they are
escaped like everything else (``report.html``'s templates and charts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from linkequity.report.charts import (
    WIDTH,
    Bar,
    bar_chart,
    format_value,
    open_svg,
    render_figure,
    svg_number,
)
from linkequity.report.html import Column, render_section, render_table

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "NOT_MEASURED",
    "GainRow",
    "gain_chart",
    "render_campaign",
    "render_campaign_funnel",
    "render_campaigns",
    "render_gain_chart",
    "render_gain_links",
    "render_gain_totals",
    "render_risk",
    "risk_alerts",
]

#: What a realised gain says before any crawl came after its prediction.
NOT_MEASURED = "not measured yet"
_LEVELS = ("page", "domain")
_LABEL_WIDTH = 150
_ROW_HEIGHT = 30
_BAR_HEIGHT = 12
_TOP = 12
_KEY_HEIGHT = 22


@dataclass(frozen=True, slots=True)
class GainRow:
    """One row of the gains chart: a label, the predicted gain and the realised one.

    ``realised`` is ``None`` when it is not measured yet (or not known).
    """

    label: str
    predicted: float | None
    realised: float | None


def _bar(
    row_label: str,
    kind: str,
    value: float | None,
    y: float,
    x_of: Callable[[float], float],
    zero: float,
) -> Markup:
    if value is None:
        missing = "none" if kind == "predicted" else NOT_MEASURED
        return Markup('<text class="value missing" x="{x}" y="{y}">{kind}: {text}</text>').format(
            x=svg_number(zero + 4), y=svg_number(y + _BAR_HEIGHT - 2), kind=kind, text=missing
        )
    end = x_of(value)
    left, right = min(zero, end), max(zero, end)
    return Markup(
        '<rect class="bar {kind}" x="{x}" y="{y}" width="{w}" height="{h}" data-value="{value}">'
        "<title>{label}, {kind}: {shown}</title></rect>"
        '<text class="value" x="{vx}" y="{ty}">{shown}</text>'
    ).format(
        kind=kind,
        x=svg_number(left),
        y=svg_number(y),
        w=svg_number(right - left),
        h=_BAR_HEIGHT,
        value=repr(value),
        label=row_label,
        shown=format_value(value),
        vx=svg_number(right + 4),
        ty=svg_number(y + _BAR_HEIGHT - 2),
    )


def gain_chart(rows: Sequence[GainRow], *, chart_id: str, title: str, description: str) -> Markup:
    """Draw each row's predicted and realised gain as two bars from a zero line (signed values).

    Parameters
    ----------
    rows : sequence of GainRow
        Top first. A realised value of ``None`` is written "not measured yet".
    chart_id, title, description : str
        As for ``report.charts.bar_chart``.

    Returns
    -------
    markupsafe.Markup
        The figure; predicted bars are ``rect.bar.predicted``, realised ones
        ``rect.bar.realised``, each with its exact value in ``data-value``.
    """
    values = [v for row in rows for v in (row.predicted, row.realised) if v is not None]
    low, high = min([*values, 0.0]), max([*values, 0.0])
    span = (high - low) or 1.0
    plot = WIDTH - _LABEL_WIDTH - 90

    def x_of(value: float) -> float:
        return _LABEL_WIDTH + plot * (value - low) / span

    zero = x_of(0.0)
    height = _TOP + len(rows) * _ROW_HEIGHT + _KEY_HEIGHT
    parts = [open_svg(chart_id, title, description, height)]
    parts.append(
        Markup('<line class="axis" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"/>').format(
            x=svg_number(zero), y1=_TOP - 4, y2=svg_number(_TOP + len(rows) * _ROW_HEIGHT)
        )
    )
    for index, row in enumerate(rows):
        y = _TOP + index * _ROW_HEIGHT
        parts.append(
            Markup('<text class="label" x="{x}" y="{y}" text-anchor="end">{label}</text>').format(
                x=_LABEL_WIDTH - 8, y=svg_number(y + _BAR_HEIGHT + 2), label=row.label
            )
        )
        parts.append(_bar(row.label, "predicted", row.predicted, y, x_of, zero))
        parts.append(_bar(row.label, "realised", row.realised, y + _BAR_HEIGHT + 2, x_of, zero))
    key_y = _TOP + len(rows) * _ROW_HEIGHT + 14
    parts.append(
        Markup(
            '<rect class="key predicted" x="{x}" y="{ry}" width="12" height="10"/>'
            '<text class="tick" x="{tx}" y="{ty}">predicted</text>'
            '<rect class="key realised" x="{x2}" y="{ry}" width="12" height="10"/>'
            '<text class="tick" x="{tx2}" y="{ty}">realised</text>'
        ).format(
            x=_LABEL_WIDTH,
            ry=key_y - 9,
            tx=_LABEL_WIDTH + 16,
            ty=key_y,
            x2=_LABEL_WIDTH + 100,
            tx2=_LABEL_WIDTH + 116,
        )
    )
    parts.append(Markup("</svg>"))
    table = [
        (row.label, row.predicted, NOT_MEASURED if row.realised is None else row.realised)
        for row in rows
    ]
    return render_figure(
        chart_id, title, Markup("").join(parts), ("", "predicted", "realised"), table
    )


def render_campaign_funnel(funnel: Mapping[str, int], *, chart_id: str) -> Markup:
    """Draw the funnel: prospects by status, in the funnel's order (``campaign status``)."""
    return bar_chart(
        [
            Bar(status, count, is_marked=status in ("declined", "lost"))
            for status, count in funnel.items()
        ],
        chart_id=chart_id,
        title="Prospects by status",
        description="How many of the campaign's prospects are new, contacted, replied, "
        "agreed, live, lost or declined.",
    )


def _realised_column(
    key: str, label: str, is_measured: Callable[[Mapping[str, Any]], bool]
) -> Column:
    """Return a column of realised gains; "not measured yet" where *is_measured* is false."""
    return Column(
        key, label, "float", get=lambda row: row[key] if is_measured(row) else NOT_MEASURED
    )


def _link_measured(link: Mapping[str, Any]) -> bool:
    return bool(link["is_measured"])


def _live(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [link for link in summary["links"] if link["status"] == "live"]


def render_gain_chart(summary: Mapping[str, Any], *, key: str) -> Markup:
    """Draw each live link's predicted and realised page gain, and the campaign's, side by side.

    ``key`` is ours, never from the web: the chart is ``chart-campaign-KEY-gains``.
    """
    is_measured = bool(summary["is_measured"])
    page = summary["page"]
    rows = [
        GainRow(
            f"#{link['prospect_id']}",
            link["predicted_page_gain"],
            link["realised_page_gain"] if link["is_measured"] else None,
        )
        for link in _live(summary)
    ]
    joint = page["predicted_joint"]
    rows.append(
        GainRow(
            "campaign",
            joint if joint is not None else page["predicted_sum"],
            page["realised"] if is_measured else None,
        )
    )
    return gain_chart(
        rows,
        chart_id=f"chart-campaign-{key}-gains",
        title="Predicted and realised PageRank gain of the target",
        description="For each live link (by prospect id) and for the campaign: the gain "
        "predicted when it was planned beside the change measured since.",
    )


def render_gain_totals(summary: Mapping[str, Any], *, key: str) -> Markup:
    """Render the campaign's predicted and realised change of the target's rank, by level.

    The table is ``campaigns.KEY.totals``; realised and other changes say
    "not measured yet" until a crawl came after the prediction.
    """
    is_measured = bool(summary["is_measured"])
    return render_table(
        [{"level": level, **summary[level]} for level in _LEVELS],
        (
            Column("level", "level"),
            Column("predicted_sum", "predicted (sum of singles)", "float"),
            Column("predicted_joint", "predicted (joint)", "float"),
            _realised_column("realised", "realised", lambda _: is_measured),
            Column("from_campaign", "from the campaign", "float"),
            _realised_column("other", "other changes", lambda _: is_measured),
            Column("authority_before", "authority when predicted", "float"),
            Column("authority_with", "authority now", "float"),
            Column("authority_without", "authority without the links", "float"),
        ),
        name=f"campaigns.{key}.totals",
        caption="The target's rank: predicted and realised, page and domain level",
    )


def render_gain_links(summary: Mapping[str, Any], *, key: str) -> Markup:
    """Render every prospect's predicted gain beside the realised one (``campaigns.KEY.links``)."""
    return render_table(
        summary["links"],
        (
            Column("prospect_id", "id", "int"),
            Column("status", "status"),
            Column("source_url", "page to get a link on", "url"),
            Column("target_url", "links to", "url"),
            Column("predicted_page_gain", "predicted gain", "float"),
            _realised_column("realised_page_gain", "realised gain", _link_measured),
            Column("predicted_domain_gain", "predicted (domain)", "float"),
            _realised_column("realised_domain_gain", "realised (domain)", _link_measured),
        ),
        name=f"campaigns.{key}.links",
        caption="Each prospect's predicted gain, and the realised one of each live link",
        more_hint="`linkequity campaign status NAME --json` lists them all",
    )


def risk_alerts(risk: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the risk watch's warnings and excesses, one line each (``warn`` and ``over``)."""
    return [
        f"{check['rule'].replace('_', ' ')} ({check['level']}): {check['message']}"
        for check in risk
        if check["level"] in ("warn", "over")
    ]


def _quiet_risk(risk: Sequence[Mapping[str, Any]]) -> str:
    untested = sum(check["level"] == "untested" for check in risk)
    text = f"no warning from its {len(risk)} rules"
    if untested:
        text += f" ({untested} not judged yet: too few links)"
    return text


def _intro(summary: Mapping[str, Any]) -> str:
    funnel = ", ".join(f"{status} {count}" for status, count in summary["funnel"].items())
    text = (
        f"Campaign {summary['name']} for {' '.join(summary['target'])}: "
        f"{len(summary['links'])} prospects ({funnel}); {summary['live_links']} live links "
        f"counted in snapshot {summary['snapshot_id']}."
    )
    if not summary["is_measured"]:
        text += (
            " No crawl since the prediction: realised gains are not measured yet "
            "(`linkequity campaign verify`, or a crawl, measures them)."
        )
    return text


def render_risk(risk: Sequence[Mapping[str, Any]]) -> Markup:
    """Render the risk watch's warnings as alerts, or one line saying there is none."""
    alerts = risk_alerts(risk)
    if not alerts:
        return Markup('<p class="note">Risk watch: {}.</p>').format(_quiet_risk(risk))
    return Markup('<ul class="alerts">{}</ul>').format(
        Markup("").join(Markup("<li>Risk: {}</li>").format(line) for line in alerts)
    )


def render_campaign(summary: Mapping[str, Any], *, key: str) -> Markup:
    """Render one campaign: its funnel, gains and risk warnings, under its name."""
    return Markup(
        '<div class="campaign" data-campaign="{key}"><h3>{name}</h3><p>{intro}</p>'
        '<div class="charts">{funnel}{gains}</div>{totals}{links}{alerts}{notes}</div>'
    ).format(
        key=key,
        name=summary["name"],
        intro=_intro(summary),
        funnel=render_campaign_funnel(summary["funnel"], chart_id=f"chart-campaign-{key}-funnel"),
        gains=render_gain_chart(summary, key=key),
        totals=render_gain_totals(summary, key=key),
        links=render_gain_links(summary, key=key),
        alerts=render_risk(summary["risk"]),
        notes=Markup("").join(
            Markup('<p class="note">Note: {}</p>').format(note) for note in summary["notes"]
        ),
    )


def render_campaigns(campaigns: Sequence[Mapping[str, Any]]) -> Markup:
    """Render the report's Campaigns section: each campaign of the target, or one line."""
    if not campaigns:
        return render_section(
            "campaigns",
            "Campaigns",
            intro=[
                "No campaign for this target (`linkequity campaign new NAME --target ...` "
                "starts one)."
            ],
        )
    return render_section(
        "campaigns",
        "Campaigns",
        intro=[
            f"{len(campaigns)} campaigns: the funnel by status, the gain predicted for each "
            "live link beside the realised one, and the risk watch. The numbers are those of "
            "`linkequity campaign status --json` and `campaign impact --json`."
        ],
        blocks=[
            render_campaign(summary, key=str(index)) for index, summary in enumerate(campaigns)
        ],
    )
