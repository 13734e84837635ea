"""A campaign's dashboard page in Debian's chromium: the funnel, then the gains and prospects.

The page answers with the funnel drawn; the gains part arrives from its own
address with its chart drawn and the prospects table, sortable by the
report's script; the prospect's note that carries markup adds no element;
nothing is logged as an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.watch import box_sizes, injected, save_screenshot, wait_for_parts
from tests.integration.campaign_project import HOSTILE_NOTE, campaign_db
from tests.integration.web_server import served

if TYPE_CHECKING:
    from tests.browser.watch import Watched

pytestmark = [pytest.mark.browser, pytest.mark.loopback, pytest.mark.slow]

__all__ = ["campaign_db"]

#: Where the screenshot is left for a person to look at.
SHOWN = Path("/tmp/campaign.png")  # noqa: S108 - a fixed place for a person to look


def test_a_campaign_page_draws_its_charts_and_lists_its_prospects(
    watched: Watched, campaign_db: Path, manifest: dict[str, Any]
) -> None:
    page = watched.page
    money = manifest["target"]["domain"]
    with served(campaign_db) as base:
        page.goto(f"{base}/t/{money}/campaigns")
        page.locator('#campaigns a[href$="/campaign/spring"]').click()
        page.wait_for_url(f"{base}/t/{money}/campaign/spring")
        assert wait_for_parts(page) == 1
        save_screenshot(page, SHOWN)

    charts = box_sizes(page, "svg.chart-svg")
    assert len(charts) == 2  # the funnel and the gains
    assert all(width > 100 and height > 50 for width, height in charts)
    bars = box_sizes(page, "#chart-campaign-page-gains rect.bar[data-value]")
    assert len(bars) == 4  # the live link and the campaign, predicted and realised
    assert all(width > 0 and height > 0 for width, height in bars)
    funnel = page.eval_on_selector_all(
        "#chart-campaign-funnel rect.bar", "bars => bars.map(b => b.getBoundingClientRect().width)"
    )
    assert sum(width > 0 for width in funnel) == 2  # contacted 1, live 1

    rows = page.locator("#prospects-table tbody tr")
    assert rows.count() == 2
    assert HOSTILE_NOTE in (rows.nth(1).locator('td[data-key="notes"]').text_content() or "")
    page.locator("#prospects-table thead th").first.click()  # the report's sort, in the part
    page.locator("#prospects-table thead th").first.click()
    ids = page.eval_on_selector_all(
        "#prospects-table tbody tr", "rows => rows.map(r => r.dataset.prospect)"
    )
    assert ids == sorted(ids, reverse=True)
    assert injected(page) == ["script"]  # the page's own, and nothing from the note
    watched.assert_quiet()
