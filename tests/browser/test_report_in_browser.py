"""The offline report in Debian's chromium: it opens from file:// with no request leaving it.

The report of the sample web is written once; each test opens it in a new
page and checks what a reader sees: the script ran under the page's CSP, the
charts and the tier graph are drawn, the tier graph answers a hover and a
click, and a table sorts by the column clicked.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from tests.browser.watch import assert_charts_drawn, save_screenshot

from linkequity.services.report import build_report, write_report

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from tests.browser.watch import Watched

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Where the screenshot is left for a person to look at.
SHOWN = Path("/tmp/report.png")  # noqa: S108 - a fixed place for a person to look


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, web_db: Path, manifest: dict[str, Any]) -> str:
    """The file:// address of the sample web's report."""
    target = manifest["target"]
    data = build_report(
        web_db,
        [target["domain"]],
        brands=[target["brand"]],
        keywords=target["keywords"],
        budget=5,
        top=20,
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(data, path)
    return path.as_uri()


def test_the_report_opens_offline_with_its_charts_drawn(
    watched: Watched, report: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(report)
    page.wait_for_load_state("load")
    assert page.title().startswith("Backlink report")
    assert {urlsplit(url).scheme for url in watched.requests} <= {"file", "data"}
    assert report in watched.requests
    # report.js removes the class first thing: it ran, allowed by the page's CSP hash
    assert page.evaluate("document.documentElement.classList.contains('no-js')") is False
    assert_charts_drawn(page)
    save_screenshot(page, tmp_path / "report.png", SHOWN)
    watched.assert_quiet()


def hot_nodes(page: Page) -> set[str]:
    found: list[str] = page.eval_on_selector_all(
        "svg.tier-graph g.node.hot", "nodes => nodes.map(n => n.getAttribute('data-node'))"
    )
    return set(found)


def linked_nodes(page: Page, start: str) -> set[str]:
    """The nodes on a path through *start*, from the edges' endpoints (the walk the page does)."""
    edges: list[list[str]] = page.eval_on_selector_all(
        "svg.tier-graph path.edge",
        "edges => edges.map(e => [e.getAttribute('data-source'), e.getAttribute('data-target')])",
    )
    found = {start}
    for forward in (True, False):
        stack, seen = [start], {start}
        while stack:
            here = stack.pop()
            for source, target in edges:
                near, far = (source, target) if forward else (target, source)
                if near == here and far not in seen:
                    seen.add(far)
                    stack.append(far)
        found |= seen
    return found


def test_the_tier_graph_shows_details_on_hover_and_highlights_on_click(
    watched: Watched, report: str
) -> None:
    page = watched.page
    page.goto(report)
    details = page.locator(".graph-details")
    node = page.locator("svg.tier-graph g.node.tier-2").first
    node.scroll_into_view_if_needed()
    title = node.locator("title").text_content() or ""
    assert title
    assert details.text_content() != title
    node.locator("circle").hover()
    assert details.text_content() == title
    assert hot_nodes(page) == set()
    node.locator("circle").click()
    picked = node.get_attribute("data-node") or ""
    assert "picked" in (node.get_attribute("class") or "")
    assert "focus" in (page.locator("svg.tier-graph").get_attribute("class") or "")
    expected = linked_nodes(page, picked)
    target = page.locator("svg.tier-graph g.node.tier-0").get_attribute("data-node")
    assert target in expected  # a tier-2 page leads to the target through tier 1
    assert hot_nodes(page) == expected
    assert page.locator("svg.tier-graph path.edge.hot").count() >= 2
    node.locator("circle").click()
    assert hot_nodes(page) == set()
    assert "focus" not in (page.locator("svg.tier-graph").get_attribute("class") or "")
    watched.assert_quiet()


def column(page: Page, table: str, key: str) -> list[str]:
    """Each row's cell of *key*, its ``data-value`` or else its text, in the order shown."""
    cells: list[str] = page.eval_on_selector_all(
        f'table[data-table="{table}"] tbody td[data-key="{key}"]',
        "cells => cells.map(c => c.hasAttribute('data-value') ? c.getAttribute('data-value')"
        " : c.textContent)",
    )
    return cells


def numbers(cells: list[str]) -> list[float]:
    return [float(cell) if cell else math.nan for cell in cells]


def test_a_table_sorts_by_the_column_clicked(watched: Watched, report: str) -> None:
    page = watched.page
    page.goto(report)
    table = "audit.top_pages"
    rows = page.locator(f'table[data-table="{table}"] tbody tr')
    before = sorted(rows.all_text_contents())
    links = numbers(column(page, table, "links"))
    assert len(set(links)) > 3, "the column has distinct values to order"
    assert links != sorted(links)
    header = page.locator(f'table[data-table="{table}"] th[data-key="links"]')
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert numbers(column(page, table, "links")) == sorted(links)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert numbers(column(page, table, "links")) == sorted(links, reverse=True)
    urls = column(page, table, "url")
    by_url = page.locator(f'table[data-table="{table}"] th[data-key="url"]')
    by_url.press("Enter")  # the keyboard sorts too
    assert column(page, table, "url") == sorted(urls, key=str.lower)
    assert header.get_attribute("aria-sort") is None
    assert sorted(rows.all_text_contents()) == before
    watched.assert_quiet()
