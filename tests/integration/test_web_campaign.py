"""The dashboard's campaign pages say what `campaign status` and `campaign impact --json` say.

A dashboard served for real on 127.0.0.1 over the project of
``campaign_project`` (a campaign measured after a crawl, one not yet): the
listing counts, the funnel's bars, the gains (a lazy part computed once per
version of the store) and the prospects table are read back from the HTML
and compared with the commands' JSON; the prospects' CSV is formula-safe;
a prospect's note carrying markup shows as text; a campaign whose name holds
a slash (and other characters a URL reserves) is reached by every link the
pages emit.
"""

from __future__ import annotations

import csv
import io
import shutil
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.integration.campaign_project import HOSTILE_NOTE, campaign_db, campaign_json
from tests.integration.test_report_campaigns import cell, shown, values
from tests.integration.test_web_parts import Served, serve

from linkequity.report.campaigns import NOT_MEASURED

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: A campaign name with a slash, a space, a fragment mark and a percent sign.
SLASHED = "q3/outreach #2 100%"

__all__ = ["campaign_db"]

pytestmark = [pytest.mark.loopback, pytest.mark.slow]


@pytest.fixture(scope="module")
def web(campaign_db: Path) -> Iterator[Served]:
    """The campaigns project's dashboard."""
    with serve(campaign_db) as served:
        yield served


def test_the_listing_counts_each_campaigns_prospects(
    web: Served, campaign_db: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    page = LexborHTMLParser(web.get(f"/t/{money}/campaigns").text)
    rows = page.css("#campaigns tbody tr")
    assert [row.attributes["data-campaign"] for row in rows] == ["autumn", "spring"]
    for row in rows:
        name = row.attributes["data-campaign"] or ""
        status = campaign_json(campaign_db, "status", name)
        counts = [td.text() for td in row.css("td.num")]
        assert counts == [str(len(status["prospects"])), str(status["funnel"]["live"])]
        link = row.css_first("a")
        assert link.attributes["href"] == f"/t/{money}/campaign/{name}"
    # The target's overview links to each campaign's page.
    overview = LexborHTMLParser(web.get(f"/t/{money}/").text)
    assert [a.attributes["href"] for a in overview.css("a.campaign")] == [
        f"/t/{money}/campaign/autumn",
        f"/t/{money}/campaign/spring",
    ]
    other = LexborHTMLParser(web.get("/t/nowhere.example/campaigns").text)
    assert "No campaign for nowhere.example" in other.css_first("#campaigns").text()


def test_a_campaigns_page_shows_the_funnel_the_gains_and_the_prospects(
    web: Served, campaign_db: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    status = campaign_json(campaign_db, "status", "spring")
    impact = campaign_json(campaign_db, "impact", "spring")
    answer = web.get(f"/t/{money}/campaign/spring")
    assert answer.status_code == 200
    page = LexborHTMLParser(answer.text)
    assert values(page.css("#chart-campaign-funnel rect.bar")) == list(status["funnel"].values())
    assert f'data-part="/t/{money}/campaign/spring/part/gains"' in answer.text
    assert "prospects-table" not in answer.text  # the gains and prospects come from the part
    # The nav of every page of the target (its overview's too) leads to its campaigns.
    assert page.css_first(f'header.bar a[href="/t/{money}/campaigns"]') is not None
    assert page.css_first(f'a[href="/t/{money}/campaign/spring/prospects.csv"]') is not None

    before = web.cache.computations["campaign-summary:spring"]
    part = web.get(f"/t/{money}/campaign/spring/part/gains")
    assert part.status_code == 200
    again = web.get(f"/t/{money}/campaign/spring/part/gains")
    assert again.text == part.text
    assert web.cache.computations["campaign-summary:spring"] == before + 1  # kept, not redone
    gains = LexborHTMLParser(part.text)

    totals = gains.css('table[data-table="campaigns.page.totals"] tbody tr')
    for row, level in zip(totals, ("page", "domain"), strict=True):
        for name in ("predicted_sum", "predicted_joint", "realised", "from_campaign", "other"):
            assert shown(cell(row, name), impact[level][name]), (level, name)
    [live] = [p for p in status["prospects"] if p["status"] == "live"]
    [link] = impact["links"]
    assert values(gains.css("#chart-campaign-page-gains rect.bar.realised[data-value]")) == [
        link["realised_page_gain"],
        impact["page"]["realised"],
    ]
    rows = gains.css("#prospects-table tbody tr")
    assert [int(row.attributes["data-prospect"] or "0") for row in rows] == [
        p["id"] for p in status["prospects"]
    ]
    for row, prospect in zip(rows, status["prospects"], strict=True):
        assert cell(row, "status").text() == prospect["status"]
        assert shown(cell(row, "predicted_page_gain"), prospect["predicted_page_gain"])
        realised = link["realised_page_gain"] if prospect["id"] == live["id"] else None
        assert shown(cell(row, "realised_page_gain"), realised)
        assert cell(row, "source_url").css_first("a").attributes["href"] == prospect["source_url"]
        assert cell(row, "anchor_now").text().startswith(prospect["anchor_now"] or "-")
    dates = cell(rows[0], "dates").text()
    assert dates.startswith(f"created {live['created_at'][:10]}")
    assert f"live {live['live_at'][:10]}" in dates
    # A note is text: no element comes of it.
    assert HOSTILE_NOTE in cell(rows[1], "notes").text()
    assert gains.css("script, img, iframe") == []
    assert "<script>alert" not in part.text


def test_before_a_crawl_the_realised_gains_are_not_measured_yet(
    web: Served, campaign_db: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    [prospect] = campaign_json(campaign_db, "status", "autumn")["prospects"]
    gains = LexborHTMLParser(web.get(f"/t/{money}/campaign/autumn/part/gains").text)
    [row] = gains.css("#prospects-table tbody tr")
    assert shown(cell(row, "realised_page_gain"), None, is_measured=False)
    assert shown(cell(row, "predicted_page_gain"), prospect["predicted_page_gain"])
    [page_level, _] = gains.css('table[data-table="campaigns.page.totals"] tbody tr')
    assert cell(page_level, "realised").text() == NOT_MEASURED
    assert gains.css("#chart-campaign-page-gains rect.bar.realised") == []
    assert "no crawl since the prediction" in gains.css_first("#gains p").text()


def test_the_prospects_csv_is_the_export_and_formula_safe(
    web: Served, campaign_db: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    answer = web.get(f"/t/{money}/campaign/autumn/prospects.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    [prospect] = campaign_json(campaign_db, "status", "autumn")["prospects"]
    assert (int(row["id"]), row["status"]) == (prospect["id"], "live")
    assert float(row["predicted_page_gain"]) == prospect["predicted_page_gain"]
    assert row["suggested_anchor"] == "'=SUM(1+1)"  # neutralised for spreadsheets
    spring = list(
        csv.DictReader(io.StringIO(web.get(f"/t/{money}/campaign/spring/prospects.csv").text))
    )
    assert len(spring) == 2


def test_an_unknown_campaign_or_another_targets_is_not_found(
    web: Served, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    for path in (
        f"/t/{money}/campaign/winter",
        f"/t/{money}/campaign/winter/part/gains",
        f"/t/{money}/campaign/winter/prospects.csv",
        "/t/nowhere.example/campaign/spring",
        f"/t/{money}/campaign/spring/part/nothing",
    ):
        answer = web.get(path)
        assert answer.status_code == 404, path
        assert "is not a" in answer.text, path


@pytest.fixture(scope="module")
def slashed_web(
    campaign_db: Path, manifest: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The campaigns project with one more campaign, ``SLASHED``, of one prospect, served."""
    db = tmp_path_factory.mktemp("slashed") / "slashed.duckdb"
    shutil.copyfile(campaign_db, db)
    campaign_json(db, "new", SLASHED, "--target", manifest["target"]["domain"])
    [prospect] = campaign_json(db, "status", "autumn")["prospects"]
    prospects = db.parent / "slashed.csv"
    prospects.write_text(
        f"source_url,target_url\n{prospect['source_url']},{prospect['target_url']}\n",
        encoding="utf-8",
    )
    campaign_json(db, "add", SLASHED, "--from-csv", str(prospects))
    with serve(db) as served:
        yield served


def test_a_name_with_a_slash_is_reached_by_every_link_the_pages_emit(
    slashed_web: Served, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    page_path = f"/t/{money}/campaign/{quote(SLASHED, safe='')}"
    listing = LexborHTMLParser(slashed_web.get(f"/t/{money}/campaigns").text)
    hrefs = [a.attributes["href"] for a in listing.css("#campaigns tbody a")]
    assert page_path in hrefs
    overview = LexborHTMLParser(slashed_web.get(f"/t/{money}/").text)
    assert page_path in [a.attributes["href"] for a in overview.css("a.campaign")]

    answer = slashed_web.get(page_path)
    assert answer.status_code == 200, answer.text
    page = LexborHTMLParser(answer.text)
    assert SLASHED in page.css_first("h1").text()
    [slot] = page.css("div.lazy[data-part]")
    part_path = slot.attributes["data-part"] or ""
    assert part_path == f"{page_path}/part/gains"
    [csv_link] = [
        a for a in page.css("a") if (a.attributes["href"] or "").endswith("/prospects.csv")
    ]
    assert csv_link.attributes["href"] == f"{page_path}/prospects.csv"

    part = slashed_web.get(part_path)
    assert part.status_code == 200, part.text
    assert len(LexborHTMLParser(part.text).css("#prospects-table tbody tr")) == 1
    exported = slashed_web.get(csv_link.attributes["href"] or "")
    assert exported.status_code == 200, exported.text
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == 1
    # A slash left as it is separates the name from a view: these are not found.
    for path in (
        f"/t/{money}/campaign/{quote(SLASHED)}",
        f"/t/{money}/campaign/{quote(SLASHED)}/prospects.csv",
        f"/t/{money}/campaign/q3",
    ):
        answer = slashed_web.get(path)
        assert answer.status_code == 404, path
        assert "is not a" in answer.text, path
