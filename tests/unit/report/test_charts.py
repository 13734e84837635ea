"""SVG charts: valid SVG, one bar per value, heights in proportion, labels escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from linkequity.report.charts import (
    PLOT_HEIGHT,
    Bar,
    Week,
    bar_chart,
    column_chart,
    format_value,
    open_svg,
    render_figure,
    weekly_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def svg_of(figure: str) -> ET.Element:
    """Parse the chart's SVG as XML: it fails on anything not well formed."""
    match = re.search(r"<svg.*</svg>", figure, re.DOTALL)
    assert match is not None
    return ET.fromstring(match.group(0))  # noqa: S314 - our own output, no entities


def bars_of(svg: ET.Element, kind: str = "bar") -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if kind in (rect.get("class") or "").split()]


def test_bar_chart_draws_one_bar_per_value_in_proportion() -> None:
    figure = bar_chart(
        [Bar("followed", 224), Bar("sponsored", 2, is_marked=True), Bar("ugc", 0)],
        chart_id="rel",
        title="Links by rel",
    )
    svg = svg_of(figure)
    rects = bars_of(svg)
    assert [rect.get("data-value") for rect in rects] == ["224", "2", "0"]
    widths = [float(rect.get("width") or "nan") for rect in rects]
    assert widths[2] == 0
    assert widths[1] / widths[0] == pytest.approx(2 / 224, rel=1e-2)
    assert "marked" in (rects[1].get("class") or "")
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Links by rel"
    assert "<table" in figure  # the data, for readers without the picture


def test_bar_chart_marker_sits_at_its_value() -> None:
    figure = bar_chart(
        [Bar("a.example", 100.0), Bar("b.example", 50.0)],
        chart_id="tox",
        title="Toxicity",
        marker=69.0,
        marker_label="toxic from 69",
    )
    svg = svg_of(figure)
    line = svg.find(f"{SVG}line")
    assert line is not None
    first = bars_of(svg)[0]
    start = float(first.get("x") or "nan")
    full = float(first.get("width") or "nan")
    assert float(line.get("x1") or "nan") - start == pytest.approx(full * 0.69, abs=0.01)


def test_column_chart_heights_are_value_over_the_largest() -> None:
    values = [3, 12, 0, 6]
    svg = svg_of(
        column_chart(
            [Bar(f"{10 * i}-{10 * i + 10}", v) for i, v in enumerate(values)],
            chart_id="auth",
            title="Authority",
        )
    )
    rects = bars_of(svg)
    assert len(rects) == len(values)
    heights = [float(rect.get("height") or "nan") for rect in rects]
    assert heights == pytest.approx([PLOT_HEIGHT * v / 12 for v in values], abs=0.01)
    bottoms = {
        round(float(r.get("y") or "nan") + h, 2) for r, h in zip(rects, heights, strict=True)
    }
    assert len(bottoms) == 1  # every column stands on the axis


def test_charts_of_nothing_are_empty_but_valid() -> None:
    svg = svg_of(column_chart([Bar("0-10", 0)], chart_id="z", title="Zero"))
    assert [float(r.get("height") or "nan") for r in bars_of(svg)] == [0.0]
    assert bars_of(svg_of(weekly_chart([], chart_id="w", title="No weeks"))) == []


def test_weekly_chart_draws_new_up_lost_down_and_marks_spikes() -> None:
    weeks = [Week("2026-W01", 4, 0), Week("2026-W02", 20, 2, is_spike=True), Week("2026-W03", 0, 5)]
    svg = svg_of(weekly_chart(weeks, chart_id="velocity", title="Velocity"))
    new, lost = bars_of(svg, "new"), bars_of(svg, "lost")
    assert [r.get("data-value") for r in new] == ["4", "20", "0"]
    assert [r.get("data-value") for r in lost] == ["0", "2", "5"]
    axis = float(new[0].get("y") or "nan") + float(new[0].get("height") or "nan")
    assert all(float(r.get("y") or "nan") == pytest.approx(axis) for r in lost)  # lost hang below
    new_heights = [float(r.get("height") or "nan") for r in new]
    assert new_heights[0] / new_heights[1] == pytest.approx(4 / 20, rel=1e-2)
    spikes = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "spike"]
    assert len(spikes) == 1


def test_labels_from_the_web_are_escaped_everywhere() -> None:
    figures = [
        bar_chart([Bar(HOSTILE, 1)], chart_id="a", title=HOSTILE, description=HOSTILE),
        column_chart([Bar(HOSTILE, 1)], chart_id="b", title="t", x_label=HOSTILE),
        weekly_chart([Week(HOSTILE, 1, 1, is_spike=True)], chart_id="c", title="t"),
    ]
    for figure in figures:
        svg = svg_of(figure)  # still well formed
        assert "<script" not in figure
        assert "<img" not in figure
        assert "&lt;script&gt;" in figure
        assert not [e for e in svg.iter() if any(k.startswith("on") for k in e.attrib)]


def test_a_chart_drawn_elsewhere_gets_the_same_frame_and_data_table() -> None:
    svg = open_svg("own", HOSTILE, "", 40) + Markup('<rect class="bar" data-value="3"/></svg>')
    figure = render_figure("own", HOSTILE, svg, ("label", HOSTILE), [(HOSTILE, 1234.5)])
    drawn = svg_of(figure)
    assert [rect.get("data-value") for rect in bars_of(drawn)] == ["3"]
    title = drawn.find(f"{SVG}title")
    desc = drawn.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == desc.text == HOSTILE  # no description: the title stands in
    assert '<figure class="chart" id="own">' in figure
    assert "<td>1,234</td>" in figure
    assert "<script" not in figure
    assert "<img" not in figure


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567, "1,234,567"),
        (0.00123456, "0.00123"),
        (12.345, "12.35"),
        (150.4, "150"),
        (0.0, "0"),
        (None, "-"),
        (True, "yes"),
        ("x", "x"),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text
