"""The dashboard in Debian's chromium, served for real on 127.0.0.1.

The overview answers with the totals, then each section arrives from its own
address and is drawn, its charts and tier graph working, without a console error; the links
table's filters (a select submits on change, the search on its button) show
the count read straight from DuckDB; the CSV download arrives with the rows
the filter keeps and every formula cell neutralised.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.watch import assert_charts_drawn, save_screenshot, wait_for_parts, warm_up
from tests.integration.test_web import is_followed, profile
from tests.integration.test_web_security import HOSTILE_ANCHORS, VICTIM, hostile_db
from tests.integration.web_server import served

from linkequity.web.app import SECTIONS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page
    from tests.browser.watch import Watched

pytestmark = [pytest.mark.browser, pytest.mark.loopback, pytest.mark.slow]

#: Where the screenshot is left for a person to look at.
SHOWN = Path("/tmp/dashboard.png")  # noqa: S108 - a fixed place for a person to look
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["hostile_db"]  # the fixture, shared with the dashboard's security tests


@pytest.fixture(scope="module")
def dashboard(web_db: Path, manifest: dict[str, Any]) -> Iterator[str]:
    """The base URL of the sample web's dashboard, the money site's parts worked out."""
    with served(web_db) as base:
        warm_up(base, manifest["target"]["domain"])
        yield base


def shown_count(page: Page) -> int:
    text = page.locator("#count b").text_content() or ""
    return int(text.replace(",", ""))


def test_the_overview_loads_and_draws_its_charts(
    watched: Watched, web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    page = watched.page
    target = manifest["target"]["domain"]
    with served(web_db) as base:  # a dashboard of its own: nothing worked out yet
        response = page.goto(f"{base}/t/{target}/")
        assert response is not None
        first = response.text()  # the page as it answered, before any section
        assert first.count('<div class="card"') == 6  # the totals
        assert first.count('data-state="working"') == len(SECTIONS)
        assert wait_for_parts(page) == len(SECTIONS)
    assert target in (page.locator("h1").text_content() or "")
    assert page.locator("#summary").count() == 0  # the whole overview took the totals' place
    assert_charts_drawn(page)
    page.locator("svg.tier-graph g.node.tier-1 circle").first.click()  # the parts' script ran
    assert page.locator("svg.tier-graph.focus").count() == 1
    header = page.locator('table[data-table="tiers.pages"] thead th').nth(1)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"  # one handler: one sort per click
    save_screenshot(page, tmp_path / "dashboard.png", SHOWN)
    assert {re.sub(r"^(\w+://[^/]+).*", r"\1", url) for url in watched.requests} == {base}
    watched.assert_quiet()


def test_the_links_filters_show_the_count_of_a_direct_query(
    watched: Watched, dashboard: str, web_db: Path, manifest: dict[str, Any]
) -> None:
    page = watched.page
    target = manifest["target"]["domain"]
    rows = profile(web_db, target)
    page.goto(f"{dashboard}/t/{target}/links")
    assert shown_count(page) == len(rows)
    sponsored = [row for row in rows if row["sponsored"]]
    assert 0 < len(sponsored) < len(rows)
    with page.expect_navigation():
        page.select_option("select[name=rel]", "sponsored")  # submits on change
    assert "rel=sponsored" in page.url
    assert shown_count(page) == len(sponsored)
    assert page.locator("tr[data-link]").count() == min(len(sponsored), 50)
    followed = [row for row in rows if is_followed(row)]
    with page.expect_navigation():
        page.select_option("select[name=rel]", "followed")
    assert shown_count(page) == len(followed)
    wanted = [
        row
        for row in followed
        if "tomato"
        in " ".join(str(row[k] or "").lower() for k in ("anchor", "alt", "source", "target"))
    ]
    assert 0 < len(wanted) < len(followed)
    page.fill("input[name=q]", "Tomato")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert shown_count(page) == len(wanted)
    assert page.locator("tr[data-link]").count() == min(len(wanted), 50)
    watched.assert_quiet()


def download_csv(page: Page, folder: Path) -> list[dict[str, str]]:
    """Click the page's CSV link; return the rows of the file that arrives."""
    with page.expect_download() as started:
        page.click("text=download these as CSV")
    download = started.value
    path = folder / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".csv"
    with path.open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def test_the_csv_download_keeps_the_filter(
    watched: Watched, dashboard: str, web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    page = watched.page
    target = manifest["target"]["domain"]
    page.goto(f"{dashboard}/t/{target}/links?rel=followed&size=10")
    table = download_csv(page, tmp_path)
    assert len(table) == shown_count(page) > 10
    expected = {
        (row["source"], row["target"]) for row in profile(web_db, target) if is_followed(row)
    }
    assert {(row["source"], row["target"]) for row in table} == expected
    watched.assert_quiet()


def test_the_csv_download_neutralises_formulas(
    watched: Watched, hostile_db: Path, tmp_path: Path
) -> None:
    page = watched.page
    with served(hostile_db) as base:
        page.goto(f"{base}/t/{VICTIM}/links")
        table = download_csv(page, tmp_path)
    assert len(table) == len(HOSTILE_ANCHORS)
    anchors = {row["anchor"] for row in table}
    formulas = [anchor for anchor in HOSTILE_ANCHORS if anchor.startswith(_FORMULA_STARTS)]
    assert formulas
    assert {"'" + anchor for anchor in formulas} <= anchors
    assert not [cell for row in table for cell in row.values() if cell.startswith(_FORMULA_STARTS)]
    watched.assert_quiet()
