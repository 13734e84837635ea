"""The report's Campaigns section says what `campaign status` and `campaign impact --json` say.

The project (``campaign_project``) holds a campaign whose live link was
measured by a crawl after its prediction, and one whose live link was not:
every count, gain and warning of the section is read back from the HTML (bars
and cells by their ``data-value``) and compared with the commands' JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.integration.campaign_project import campaign_db, campaign_json

from linkequity.report.campaigns import NOT_MEASURED
from linkequity.services.report import build_report, write_report

if TYPE_CHECKING:
    from pathlib import Path

    from selectolax.lexbor import LexborNode

__all__ = ["campaign_db"]

pytestmark = pytest.mark.loopback


def values(nodes: list[LexborNode]) -> list[float]:
    return [float(node.attributes["data-value"] or "nan") for node in nodes]


def cell(row: LexborNode, key: str) -> LexborNode:
    found = row.css_first(f'td[data-key="{key}"]')
    assert found is not None, key
    return found


def shown(node: LexborNode, expected: Any, *, is_measured: bool = True) -> bool:
    """Whether a cell shows *expected* exactly (``data-value``), or "not measured yet"."""
    if not is_measured:
        return node.text() == NOT_MEASURED and "data-value" not in node.attributes
    raw = node.attributes.get("data-value")
    if expected is None:
        return raw == ""
    return raw is not None and float(raw) == expected


def compare_campaign(page: LexborHTMLParser, key: str, status: Any, impact: Any) -> int:
    """Assert the campaign's part of the page equals the JSON; return the values compared."""
    part = page.css_first(f'[data-campaign="{key}"]')
    assert part is not None
    assert part.css_first("h3").text() == status["campaign"]["name"]
    compared = 0
    funnel = part.css(f"#chart-campaign-{key}-funnel rect.bar")
    assert values(funnel) == list(status["funnel"].values())
    compared += len(funnel)
    predicted_on = [p["predicted_snapshot_id"] for p in status["prospects"]]
    is_measured = impact["snapshot_id"] > min(predicted_on)

    totals = part.css(f'table[data-table="campaigns.{key}.totals"] tbody tr')
    assert [cell(row, "level").text() for row in totals] == ["page", "domain"]
    for row, level in zip(totals, ("page", "domain"), strict=True):
        for name, value in impact[level].items():
            if name in ("baseline", "baseline_now", "with", "without", "predicted_in_plan_sum"):
                continue
            measured = is_measured or name not in ("realised", "other")
            assert shown(cell(row, name), value, is_measured=measured), (key, level, name)
            compared += 1

    realised = {link["prospect_id"]: link for link in impact["links"]}
    links = part.css(f'table[data-table="campaigns.{key}.links"] tbody tr')
    assert len(links) == len(status["prospects"])
    for row, prospect in zip(links, status["prospects"], strict=True):
        assert shown(cell(row, "prospect_id"), prospect["id"])
        assert cell(row, "status").text() == prospect["status"]
        assert shown(cell(row, "predicted_page_gain"), prospect["predicted_page_gain"])
        assert shown(cell(row, "predicted_domain_gain"), prospect["predicted_domain_gain"])
        measured = impact["snapshot_id"] > prospect["predicted_snapshot_id"]
        for level in ("page", "domain"):
            gain = realised.get(prospect["id"], {}).get(f"realised_{level}_gain")
            assert shown(cell(row, f"realised_{level}_gain"), gain, is_measured=measured)
        compared += 6

    live = [p for p in status["prospects"] if p["status"] == "live"]
    chart = f"#chart-campaign-{key}-gains"
    page_totals = impact["page"]
    assert values(part.css(f"{chart} rect.bar.predicted[data-value]")) == [
        *(p["predicted_page_gain"] for p in live),
        page_totals["predicted_joint"],
    ]
    bars = values(part.css(f"{chart} rect.bar.realised[data-value]"))
    if is_measured:
        assert bars == [
            *(realised[p["id"]]["realised_page_gain"] for p in live),
            page_totals["realised"],
        ]
    else:
        assert bars == []
        assert NOT_MEASURED in part.css_first(chart).text()
    compared += len(live) + 1 + len(bars)

    warnings = [check for check in status["risk"] if check["level"] in ("warn", "over")]
    alerts = [li.text() for li in part.css("ul.alerts li")]
    assert len(alerts) == len(warnings)
    for alert, check in zip(alerts, warnings, strict=True):
        assert check["message"] in alert
    return compared


@pytest.mark.slow
def test_the_campaigns_section_says_what_the_campaign_commands_say(
    campaign_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    money = manifest["target"]["domain"]
    data = build_report(campaign_db, [money], budget=1, top=5)
    write_report(data, tmp_path / "report.html")
    page = LexborHTMLParser((tmp_path / "report.html").read_text(encoding="utf-8"))

    assert [a.attributes["href"] for a in page.css("nav.toc a")][-2:] == ["#campaigns", "#about"]
    assert [summary["name"] for summary in data.campaigns] == ["autumn", "spring"]
    compared = 0
    for key, name in enumerate(("autumn", "spring")):
        status = campaign_json(campaign_db, "status", name)
        impact = campaign_json(campaign_db, "impact", name)
        compared += compare_campaign(page, str(key), status, impact)
    assert compared > 60
    spring = page.css_first('[data-campaign="1"]')
    assert "not measured yet" not in spring.text()  # a crawl came after its prediction
    autumn = page.css_first('[data-campaign="0"]')
    assert "No crawl since the prediction" in autumn.text()
