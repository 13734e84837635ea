"""The campaign section: signed gains from zero, not measured yet, one line when none, text."""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from linkequity.report.campaigns import (
    NOT_MEASURED,
    GainRow,
    gain_chart,
    render_campaigns,
    render_risk,
)
from linkequity.report.charts import WIDTH

HOSTILE = "<script>alert(1)</script>"


def totals(**values: float | None) -> dict[str, float | None]:
    keys = (
        "baseline", "baseline_now", "with", "without", "realised", "from_campaign", "other",
        "predicted_sum", "predicted_in_plan_sum", "predicted_joint", "authority_before",
        "authority_with", "authority_without",
    )  # fmt: skip
    return {key: values.get(key, 0.5) for key in keys}


def summary(*, is_measured: bool, name: str = "spring") -> dict[str, Any]:
    link = {
        "prospect_id": 7,
        "source_url": "javascript:alert(1)",
        "target_url": "https://money.example/",
        "status": "live",
        "predicted_page_gain": 0.002,
        "predicted_domain_gain": 0.01,
        "realised_page_gain": -0.001,
        "realised_domain_gain": 0.009,
        "is_measured": is_measured,
    }
    return {
        "name": name,
        "target": ["money.example"],
        "funnel": {"new": 3, "contacted": 1, "live": 1, "lost": 0, "declined": 2},
        "links": [link],
        "page": totals(realised=-0.0005, predicted_joint=0.002),
        "domain": totals(),
        "risk": [
            {"rule": "exact_share", "level": "warn", "message": f"exact {HOSTILE}"},
            {"rule": "velocity", "level": "ok", "message": "fine"},
        ],
        "notes": ["a note"],
        "snapshot_id": 2,
        "predicted_snapshot_id": 1,
        "live_links": 1,
        "is_measured": is_measured,
    }


def test_signed_gains_are_drawn_from_the_zero_line_inside_the_chart() -> None:
    svg = LexborHTMLParser(
        str(
            gain_chart(
                [GainRow("#1", 0.004, -0.002), GainRow("campaign", 0.004, None)],
                chart_id="c",
                title="t",
                description="d",
            )
        )
    )
    bars = svg.css("rect.bar")
    assert [float(b.attributes["data-value"] or "nan") for b in bars] == [0.004, -0.002, 0.004]
    for bar in bars:
        x, width = float(bar.attributes["x"] or "nan"), float(bar.attributes["width"] or "nan")
        assert width >= 0
        assert 0 <= x <= x + width <= WIDTH
    zero = float(svg.css_first("line.axis").attributes["x1"] or "nan")
    predicted, realised, _ = bars
    assert float(predicted.attributes["x"] or "nan") == zero  # a gain starts at zero
    lost = float(realised.attributes["x"] or "nan") + float(realised.attributes["width"] or "0")
    assert abs(lost - zero) < 0.01  # a loss ends there
    assert NOT_MEASURED in svg.css_first("text.missing").text()
    assert NOT_MEASURED in svg.css_first("details").text()


def test_realised_gains_before_a_crawl_say_not_measured_yet() -> None:
    page = LexborHTMLParser(str(render_campaigns([summary(is_measured=False)])))
    realised = page.css_first('td[data-key="realised_page_gain"]')
    assert realised.text() == NOT_MEASURED
    assert "data-value" not in realised.attributes
    page_row = page.css_first('table[data-table="campaigns.0.totals"] tbody tr')
    assert page_row.css_first('td[data-key="realised"]').text() == NOT_MEASURED
    assert page_row.css_first('td[data-key="from_campaign"]').attributes["data-value"] == "0.5"
    assert page.css("#chart-campaign-0-gains rect.bar.realised") == []
    assert "No crawl since the prediction" in page.css_first(".campaign > p").text()

    measured = LexborHTMLParser(str(render_campaigns([summary(is_measured=True)])))
    cell = measured.css_first('td[data-key="realised_page_gain"]')
    assert cell.attributes["data-value"] == "-0.001"
    bars = measured.css("#chart-campaign-0-gains rect.bar.realised")
    assert [b.attributes["data-value"] for b in bars] == ["-0.001", "-0.0005"]


def test_no_campaign_is_one_line() -> None:
    section = LexborHTMLParser(str(render_campaigns([]))).css_first("section#campaigns")
    [line] = section.css("p")
    assert line.text().startswith("No campaign for this target")
    assert section.css("table, svg") == []


def test_risk_warnings_are_listed_and_a_quiet_watch_says_so() -> None:
    loud = LexborHTMLParser(str(render_risk(summary(is_measured=True)["risk"])))
    assert [li.text() for li in loud.css("ul.alerts li")] == [
        f"Risk: exact share (warn): exact {HOSTILE}"
    ]
    quiet = render_risk([{"rule": "velocity", "level": "untested", "message": "few"}])
    assert "no warning from its 1 rules (1 not judged yet" in str(quiet)


def test_text_from_the_web_and_from_people_stays_text() -> None:
    html = str(render_campaigns([summary(is_measured=True, name=HOSTILE)]))
    page = LexborHTMLParser(html)
    assert page.css("script") == []
    assert page.css_first(".campaign h3").text() == HOSTILE
    assert 'href="javascript' not in html  # a URL that is no http(s) is not a link
