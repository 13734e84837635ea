"""Hostile titles and anchors from a crawled page, in a real browser: text, never code.

A WARC whose titles and anchors carry ``<script>``, ``onerror=`` and a
``javascript:`` link (the report tests' own) goes through the whole pipeline,
ingest, store, services, into the report and the dashboard's pages. In
chromium, with a handler on dialogs, each page is opened and its tier graph
hovered and clicked: no dialog opens, no element was injected, and the
hostile text is there to read.

No page's navigation waits on the dashboard's work: the fixture has it work
out the target over HTTP first (a first visit computes the audit, the plan and
maybe the graph kernels, as long as the machine is busy: that is what once
failed here under load), and the overview's sections, which arrive after the
page, are waited for by their state before the tier graph is poked.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from tests.browser.watch import injected, wait_for_parts, warm_up
from tests.integration.test_report import hostile_web
from tests.integration.web_server import served

from linkequity.report.html import report_script
from linkequity.services.ingest import ingest_archives
from linkequity.services.report import build_report, write_report

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page
    from tests.browser.watch import Watched

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TARGET = "money.example"
#: What the crawled pages carry, as a person should read it.
SHOWN_AS_TEXT = ('"><img src=x onerror=alert(1)>', "<script>alert(1)</script>")


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of the hostile WARC, ingested as a crawl would be."""
    folder = tmp_path_factory.mktemp("hostile-crawl")
    db = folder / "hostile.duckdb"
    ingest_archives([hostile_web(folder)], db=db, workers=1)
    return db


@pytest.fixture(scope="module")
def dashboard(hostile_crawl: Path) -> Iterator[str]:
    """The hostile project's dashboard, every part of the target worked out before a page opens."""
    with served(hostile_crawl) as base:
        warm_up(base, TARGET)
        yield base


def poke_tier_graph(page: Page) -> int:
    """Hover and click every node of the tier graph (its script writes their titles); count them."""
    nodes = page.locator("svg.tier-graph g.node circle")
    for n in range(nodes.count()):
        nodes.nth(n).hover()
        nodes.nth(n).click()
    return nodes.count()


def assert_text_only(watched: Watched, *, own_scripts: list[str]) -> None:
    page = watched.page
    assert injected(page) == ["script"] * len(own_scripts)
    assert page.eval_on_selector_all("script", "all => all.map(s => s.textContent)") == own_scripts
    watched.assert_quiet()


def test_the_report_shows_hostile_text_and_runs_none_of_it(
    watched: Watched, hostile_crawl: Path, tmp_path: Path
) -> None:
    data = build_report(hostile_crawl, [TARGET], budget=1, now=datetime(2026, 1, 20))
    path = tmp_path / "report.html"
    write_report(data, path)
    page = watched.page
    page.goto(path.as_uri())
    assert poke_tier_graph(page) >= 3
    for header in page.locator("table.sortable thead th:first-child").all():
        if header.is_visible():
            header.click()  # the sort moves rows, writing no markup
    assert_text_only(watched, own_scripts=[report_script()])
    for text in SHOWN_AS_TEXT:
        cell = page.locator("td").filter(has_text=text).first
        assert cell.is_visible()
        assert cell.text_content() == text


@pytest.mark.loopback
@pytest.mark.parametrize(
    ("path", "hostile"),
    [
        (f"/t/{TARGET}/", ()),
        (f"/t/{TARGET}/links", SHOWN_AS_TEXT),
        (f"/t/{TARGET}/domain/evil.example", SHOWN_AS_TEXT),
        (f"/t/{TARGET}/page?url=http://evil.example/post", SHOWN_AS_TEXT),
    ],
)
def test_the_dashboard_shows_hostile_text_and_runs_none_of_it(
    watched: Watched, dashboard: str, path: str, hostile: tuple[str, ...]
) -> None:
    page = watched.page
    response = page.goto(dashboard + path)
    assert response is not None
    assert response.status == 200
    wait_for_parts(page)  # the overview's sections arrive after the page
    poke_tier_graph(page)
    own = page.locator("script").last.text_content() or ""
    assert report_script() in own  # the page's own script, at the end, allowed by its nonce
    assert_text_only(watched, own_scripts=[own])
    for text in hostile:
        cell = page.locator("td").filter(has_text=text).first
        assert cell.is_visible()
        assert text in (cell.text_content() or "")
