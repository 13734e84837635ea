"""Small SVG charts drawn in Python: bars, columns (histograms) and weekly series.

Each chart is a ``<figure>`` holding a static SVG (it needs no JavaScript and
no library) with a ``<title>`` and a ``<desc>`` for screen readers, and the
same numbers as a table under ``<details>``. Every label is escaped: a label
may be an anchor or a domain from the web. Each bar is a ``rect`` of class
``bar`` whose ``data-value`` is the exact number it stands for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "PLOT_HEIGHT",
    "WIDTH",
    "Bar",
    "Week",
    "bar_chart",
    "column_chart",
    "format_value",
    "open_svg",
    "render_figure",
    "svg_number",
    "weekly_chart",
]

#: Width of every chart's drawing, in SVG user units.
WIDTH = 640
#: Height of the plot area of column and weekly charts.
PLOT_HEIGHT = 160
_BAR_HEIGHT = 18
_BAR_GAP = 6
_LABEL_WIDTH = 200
_VALUE_WIDTH = 70
_LABEL_CHARS = 30
_AXIS_HEIGHT = 34
_TOP = 12


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value and whether it is marked (over a threshold)."""

    label: str
    value: float
    is_marked: bool = False


@dataclass(frozen=True, slots=True)
class Week:
    """One week of a series: new items above the axis, lost ones below, and a spike flag."""

    label: str
    new: int
    lost: int
    is_spike: bool = False


def format_value(value: object) -> str:
    """Return a number as people read it: thousands separated, floats to 3 significant digits.

    >>> format_value(12345), format_value(0.000123456), format_value(2.5), format_value(None)
    ('12,345', '0.000123', '2.50', '-')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0 or abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    return str(value)


def svg_number(value: float) -> str:
    """Return a coordinate with at most two decimals, without trailing zeros.

    >>> svg_number(12.5), svg_number(3.0), svg_number(-0.001)
    ('12.5', '3', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def open_svg(chart_id: str, title: str, description: str, height: float) -> Markup:
    """Return the opening ``<svg>`` tag of a chart, with its ``<title>`` and ``<desc>``.

    The drawing is ``WIDTH`` wide and *height* high; the title and the
    description (the title when empty) are escaped and labelled for screen
    readers by ids derived from *chart_id*. The caller closes it with ``</svg>``.
    """
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {w} {h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(w=WIDTH, h=svg_number(height), id=chart_id, title=title, desc=description or title)


def render_figure(
    chart_id: str,
    title: str,
    svg: Markup,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> Markup:
    """Wrap a drawn chart in its ``<figure>``, with the same numbers as a table under ``<details>``.

    Parameters
    ----------
    chart_id : str
        The figure's ``id``.
    title : str
        Its caption (escaped).
    svg : markupsafe.Markup
        The drawing, from :func:`open_svg` to ``</svg>``.
    header : sequence of str
        The data table's column headers.
    rows : sequence of sequences
        The data table's rows; a cell that is no string is shown by :func:`format_value`.

    Returns
    -------
    markupsafe.Markup
    """
    head = Markup("").join(Markup("<th scope='col'>{}</th>").format(cell) for cell in header)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup("<td>{}</td>").format(cell if isinstance(cell, str) else format_value(cell))
                for cell in row
            )
        )
        for row in rows
    )
    return Markup(
        '<figure class="chart" id="{id}"><figcaption>{title}</figcaption>{svg}'
        '<details class="chart-data"><summary>Data</summary>'
        '<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</details></figure>"
    ).format(id=chart_id, title=title, svg=svg, head=head, body=body)


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = "",
    marker: float | None = None,
    marker_label: str = "",
) -> Markup:
    """Draw horizontal bars, one a row, with their values; optionally a vertical marker line.

    Parameters
    ----------
    bars : sequence of Bar
        The bars, top first; a marked bar gets the class ``marked``.
    chart_id : str
        The figure's id (ours, never from the web): it prefixes the SVG's ids.
    title, description : str
        What the chart shows, for its caption and for screen readers.
    unit : str
        Appended to each value shown (``" links"``, say).
    marker : float, optional
        A value drawn as a dashed line across the bars (a threshold).
    marker_label : str
        The marker's label.

    Returns
    -------
    markupsafe.Markup
        The figure: caption, SVG and data table.
    """
    top = max([bar.value for bar in bars] + [marker or 0.0, 0.0])
    plot = WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    height = _TOP * 2 + len(bars) * (_BAR_HEIGHT + _BAR_GAP)
    parts = [open_svg(chart_id, title, description, height)]
    for index, bar in enumerate(bars):
        y = _TOP + index * (_BAR_HEIGHT + _BAR_GAP)
        width = plot * bar.value / top if top > 0 else 0.0
        shown = format_value(bar.value) + unit
        parts.append(
            Markup(
                '<text class="label" x="{lx}" y="{ty}" text-anchor="end">{short}</text>'
                '<rect class="bar{marked}" x="{x}" y="{y}" width="{w}" height="{h}" '
                'data-value="{value}"><title>{label}: {shown}</title></rect>'
                '<text class="value" x="{vx}" y="{ty}">{shown}</text>'
            ).format(
                lx=_LABEL_WIDTH - 8,
                ty=svg_number(y + _BAR_HEIGHT * 0.72),
                short=_short(bar.label),
                marked=" marked" if bar.is_marked else "",
                x=_LABEL_WIDTH,
                y=svg_number(y),
                w=svg_number(width),
                h=_BAR_HEIGHT,
                value=repr(bar.value),
                label=bar.label,
                shown=shown,
                vx=svg_number(_LABEL_WIDTH + width + 6),
            )
        )
    if marker is not None and top > 0:
        x = _LABEL_WIDTH + plot * marker / top
        parts.append(
            Markup(
                '<line class="marker" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"/>'
                '<text class="marker-label" x="{x}" y="{ty}" text-anchor="middle">{label}</text>'
            ).format(
                x=svg_number(x),
                y1=_TOP - 4,
                y2=svg_number(height - 10),
                ty=svg_number(height - 1),
                label=marker_label,
            )
        )
    parts.append(Markup("</svg>"))
    rows = [(bar.label, bar.value) for bar in bars]
    return render_figure(chart_id, title, Markup("").join(parts), ("", "value"), rows)


def column_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    x_label: str = "",
    y_label: str = "",
) -> Markup:
    """Draw vertical columns side by side (a histogram), labelled under the axis.

    Parameters
    ----------
    bars : sequence of Bar
        The columns, left to right; a column's height is its value over the largest.
    chart_id, title, description : str
        As for :func:`bar_chart`.
    x_label, y_label : str
        What the axis and the heights count.

    Returns
    -------
    markupsafe.Markup
    """
    top = max([bar.value for bar in bars] + [0.0])
    height = _TOP + PLOT_HEIGHT + _AXIS_HEIGHT
    slot = (WIDTH - 40) / max(len(bars), 1)
    width = max(slot * 0.7, 1.0)
    base = _TOP + PLOT_HEIGHT
    parts = [open_svg(chart_id, title, description, height)]
    parts.append(
        Markup('<line class="axis" x1="30" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x2=WIDTH - 10, y=base
        )
    )
    for index, bar in enumerate(bars):
        h = PLOT_HEIGHT * bar.value / top if top > 0 else 0.0
        x = 30 + index * slot + (slot - width) / 2
        parts.append(
            Markup(
                '<rect class="bar{marked}" x="{x}" y="{y}" width="{w}" height="{h}" '
                'data-value="{value}"><title>{label}: {shown}</title></rect>'
                '<text class="value" x="{cx}" y="{vy}" text-anchor="middle">{shown}</text>'
                '<text class="tick" x="{cx}" y="{ly}" text-anchor="middle">{short}</text>'
            ).format(
                marked=" marked" if bar.is_marked else "",
                x=svg_number(x),
                y=svg_number(base - h),
                w=svg_number(width),
                h=svg_number(h),
                value=repr(bar.value),
                label=bar.label,
                shown=format_value(bar.value),
                cx=svg_number(x + width / 2),
                vy=svg_number(base - h - 3),
                ly=base + 14,
                short=_short(bar.label),
            )
        )
    parts.append(
        Markup(
            '<text class="axis-label" x="{x}" y="{y}" text-anchor="middle">{label}</text>'
        ).format(x=WIDTH // 2, y=height - 3, label=x_label)
    )
    parts.append(Markup("</svg>"))
    rows = [(bar.label, bar.value) for bar in bars]
    return render_figure(
        chart_id, title, Markup("").join(parts), (x_label, y_label or "value"), rows
    )


def weekly_chart(
    weeks: Sequence[Week],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    new_label: str = "new",
    lost_label: str = "lost",
) -> Markup:
    """Draw a weekly series: new items up from the axis, lost ones down, spike weeks marked.

    Parameters
    ----------
    weeks : sequence of Week
        The weeks, oldest first.
    chart_id, title, description : str
        As for :func:`bar_chart`.
    new_label, lost_label : str
        What the two series count, for the tooltips and the table.

    Returns
    -------
    markupsafe.Markup
        The figure; the new columns are ``rect.bar.new``, the lost ones
        ``rect.bar.lost`` and each spike week a ``path.spike`` above its column.
    """
    top = max([week.new for week in weeks] + [week.lost for week in weeks] + [0])
    half = PLOT_HEIGHT / 2
    axis = _TOP + 14 + half
    height = axis + half + _AXIS_HEIGHT
    slot = (WIDTH - 40) / max(len(weeks), 1)
    width = max(slot * 0.7, 1.0)
    every = max(1, math.ceil(len(weeks) / 8))
    parts = [open_svg(chart_id, title, description, height)]
    parts.append(
        Markup('<line class="axis" x1="30" x2="{x2}" y1="{y}" y2="{y}"/>').format(
            x2=WIDTH - 10, y=svg_number(axis)
        )
    )
    for index, week in enumerate(weeks):
        x = 30 + index * slot + (slot - width) / 2
        up = half * week.new / top if top else 0.0
        down = half * week.lost / top if top else 0.0
        parts.append(
            Markup(
                '<rect class="bar new" x="{x}" y="{y}" width="{w}" height="{h}" '
                'data-value="{value}"><title>{label}: {value} {name}</title></rect>'
            ).format(
                x=svg_number(x),
                y=svg_number(axis - up),
                w=svg_number(width),
                h=svg_number(up),
                value=week.new,
                label=week.label,
                name=new_label,
            )
        )
        parts.append(
            Markup(
                '<rect class="bar lost" x="{x}" y="{y}" width="{w}" height="{h}" '
                'data-value="{value}"><title>{label}: {value} {name}</title></rect>'
            ).format(
                x=svg_number(x),
                y=svg_number(axis),
                w=svg_number(width),
                h=svg_number(down),
                value=week.lost,
                label=week.label,
                name=lost_label,
            )
        )
        cx = x + width / 2
        if week.is_spike:
            tip = axis - up - 4
            parts.append(
                Markup(
                    '<path class="spike" d="M{l} {t0} L{r} {t0} L{cx} {tip} Z">'
                    "<title>{label}: spike</title></path>"
                ).format(
                    l=svg_number(cx - 5),
                    r=svg_number(cx + 5),
                    t0=svg_number(tip - 8),
                    cx=svg_number(cx),
                    tip=svg_number(tip),
                    label=week.label,
                )
            )
        if index % every == 0:
            parts.append(
                Markup(
                    '<text class="tick" x="{x}" y="{y}" text-anchor="middle">{label}</text>'
                ).format(x=svg_number(cx), y=svg_number(height - 8), label=week.label)
            )
    parts.append(Markup("</svg>"))
    rows = [(w.label, w.new, w.lost, "spike" if w.is_spike else "") for w in weeks]
    header = ("week", new_label, lost_label, "")
    return render_figure(chart_id, title, Markup("").join(parts), header, rows)
