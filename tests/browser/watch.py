"""What the browser tests watch on a page: errors, dialogs, requests, injected elements.

And ``warm_up``, which has a dashboard work out a target before a page opens it.

Shared by the browser tests (``conftest`` builds a :class:`Watched` for each); not a test module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.integration.web_server import client

from linkequity.web.app import SECTIONS

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

#: Elements a hostile text could have added: images with ``src=x``, handler
#: attributes, links that are not http(s) nor on the page or site, and scripts
#: (the page's own is listed too, as ``script``, and the caller counts it).
_INJECTED_JS = """() => {
    const out = [];
    for (const el of document.querySelectorAll("img[src=x], script")) {
        out.push(el.tagName.toLowerCase());
    }
    for (const el of document.querySelectorAll("*")) {
        for (const name of el.getAttributeNames()) {
            if (name.toLowerCase().startsWith("on")) { out.push(`${el.tagName}[${name}]`); }
        }
    }
    for (const a of document.querySelectorAll("a[href]")) {
        const href = a.getAttribute("href");
        if (!/^(https?:\\/\\/|#|\\/|\\?)/.test(href)) { out.push(`a[href=${href}]`); }
    }
    return out;
}"""


@dataclass
class Watched:
    """A page, and what it did since it opened."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        """Assert that the page logged no error, threw nothing and opened no dialog."""
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"uncaught: {self.page_errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


def wait_for_parts(page: Page) -> int:
    """Wait until every section the page fetches on its own (``[data-part]``) has arrived.

    Returns how many there are; asserts that each arrived whole (none ``failed``).
    """
    page.wait_for_function(
        "() => document.querySelectorAll('[data-part][data-state=working]').length === 0"
    )
    states = page.eval_on_selector_all("[data-part]", "slots => slots.map(s => s.dataset.state)")
    assert states.count("done") == len(states), states
    return len(states)


def injected(page: Page) -> list[str]:
    """Return the suspicious elements of *page* (see ``_INJECTED_JS``), ``script`` included."""
    found: list[str] = page.evaluate(_INJECTED_JS)
    return found


def save_screenshot(page: Page, *paths: Path) -> None:
    """Save what the window shows as PNG at each path."""
    shot = page.screenshot()
    assert shot.startswith(PNG_MAGIC)
    for path in paths:
        path.write_bytes(shot)


def box_sizes(page: Page, selector: str) -> list[tuple[float, float]]:
    """Width and height, as drawn, of every element that *selector* finds."""
    sizes: list[list[float]] = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((el) => {
            const box = el.getBoundingClientRect();
            return [box.width, box.height];
        })""",
        selector,
    )
    return [(w, h) for w, h in sizes]


def assert_charts_drawn(page: Page) -> None:
    """Assert that the page's bar charts and tier graph are drawn at a visible size.

    Every chart has a box; every bar whose value is not zero has a width and a
    height; the tier graph is as large as a person needs to read it.
    """
    charts = box_sizes(page, "svg.chart-svg")
    assert len(charts) >= 5
    assert all(w > 0 and h > 0 for w, h in charts)
    values = page.eval_on_selector_all(
        "svg.chart-svg rect.bar", "bars => bars.map(b => Number(b.getAttribute('data-value')))"
    )
    bars = box_sizes(page, "svg.chart-svg rect.bar")
    drawn = [size for size, value in zip(bars, values, strict=True) if value > 0]
    assert len(drawn) >= 5
    assert all(w > 0 and h > 0 for w, h in drawn), drawn
    (graph,) = box_sizes(page, "svg.tier-graph")
    assert graph[0] > 500
    assert graph[1] > 300
    assert page.locator("svg.tier-graph g.node.tier-1").count() > 10


def warm_up(base: str, target: str) -> None:
    """Have the dashboard at *base* work out every part of *target* before a browser opens it.

    The costly parts (audit, toxicity, tiers, plan) take as long as the machine
    is busy; worked out here, outside any page's navigation, every page the
    test opens then answers from what the dashboard keeps.
    """
    with client(base) as http:
        assert http.get(f"/t/{target}/").status_code == 200  # starts the parts, in a line
        # In page order each request waits for one part; the overview's cards need them all.
        for part in sorted(SECTIONS, key=lambda part: part == "overview"):
            answer = http.get(f"/t/{target}/part/{part}")
            assert answer.status_code == 200, (part, answer.text[:500])
