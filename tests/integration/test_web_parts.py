"""The overview answers with the totals at once; each costly section comes from its own address.

A dashboard served for real on 127.0.0.1: the overview page holds the
profile's totals (one query) and a slot per section; each section, fetched
from ``/t/{target}/part/{name}``, shows the numbers the CLI's JSON gives for
the same target (the report tests' comparison, cell by cell); each costly part
is computed once, however many requests ask for it at the same time, and kept
until the project is written.
"""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from selectolax.lexbor import LexborHTMLParser
from tests.integration.test_report import command_json, compare
from tests.integration.web_server import REQUEST_S

from linkequity.services import browse
from linkequity.services.imports import import_exports
from linkequity.services.plan import plan_target
from linkequity.web.app import COSTLY_PARTS, PLAN_BUDGET, SECTIONS
from linkequity.web.security import new_token
from linkequity.web.server import dashboard_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.conftest import CliResult

    from linkequity.web.cache import PartCache

pytestmark = pytest.mark.loopback

GARDEN = "example-garden.com"
_CARD = re.compile(r'data-metric="([\w.]+)" data-value="([^"]*)"')


class Served:
    """A dashboard on 127.0.0.1 and the cache it keeps its parts in."""

    def __init__(self, base: str, cache: PartCache) -> None:
        self.base = base
        self.cache = cache

    def get(self, path: str) -> httpx.Response:
        with httpx.Client(base_url=self.base, timeout=REQUEST_S) as http:
            return http.get(path)

    def sections(self, target: str) -> dict[str, str]:
        """Fetch every section of *target* at the same time, as the page does."""
        with ThreadPoolExecutor(max_workers=len(SECTIONS)) as pool:
            answers = dict(
                zip(
                    SECTIONS,
                    pool.map(lambda part: self.get(f"/t/{target}/part/{part}"), SECTIONS),
                    strict=True,
                )
            )
        for part, answer in answers.items():
            assert answer.status_code == 200, (part, answer.text[:1000])
        return {part: answer.text for part, answer in answers.items()}


@contextmanager
def serve(db: Path) -> Iterator[Served]:
    """Run the dashboard of *db*; yield it with its cache."""
    dashboard = dashboard_server(db, host="127.0.0.1", port=0, token=None)
    app = dashboard.server.config.app
    assert isinstance(app, FastAPI)
    with dashboard.running_in_thread() as base:
        yield Served(base, app.state.cache)


@pytest.fixture
def web(web_db: Path) -> Iterator[Served]:
    """The sample web's dashboard, fresh for each test (its cache empty)."""
    with serve(web_db) as served:
        yield served


def cards(html: str) -> dict[str, str]:
    return dict(_CARD.findall(html))


def test_the_overview_answers_with_the_totals_and_a_slot_per_section(
    web: Served, web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult]
) -> None:
    target = manifest["target"]["domain"]
    page = web.get(f"/t/{target}/")
    assert page.status_code == 200
    totals = command_json(cli, "audit", target, "--db", web_db)["totals"]
    assert cards(page.text) == {f"audit.totals.{name}": str(n) for name, n in totals.items()}
    slots = re.findall(r'data-part="([^"]+)" data-state="working"', page.text)
    assert slots == [f"/t/{target}/part/{part}" for part in SECTIONS]
    for costly in ('id="profile"', 'id="tier-graph"', 'id="plan"', "<svg"):
        assert costly not in page.text  # they come later, each from its own address
    assert 'data-metric="plan.total_gain"' in web.get(f"/t/{target}/part/overview").text


@pytest.mark.slow
def test_each_section_says_what_the_commands_say(
    web: Served, web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult]
) -> None:
    target = manifest["target"]["domain"]
    assert web.get(f"/t/{target}/").status_code == 200
    sections = web.sections(target)
    for part, html in sections.items():
        assert "<section" in html or "<table" in html, part
    page = LexborHTMLParser("\n".join(sections.values()))
    doc = {
        "audit": command_json(cli, "audit", target, "--db", web_db, "--top", "10"),
        "tiers": command_json(cli, "tiers", target, "--db", web_db, "--top", "10"),
        "plan": command_json(cli, "plan", target, "--budget", str(PLAN_BUDGET), "--db", web_db),
    }
    assert compare(page, doc) > 300
    weeks = command_json(cli, "diff", target, "--db", web_db)["velocity"]
    bars = page.css("#chart-velocity rect.bar.new")
    assert [int(bar.attributes["data-value"] or "-1") for bar in bars] == [
        week["new_links"] for week in weeks
    ]
    tier1 = LexborHTMLParser(sections["tier1"]).css("#tier1 tbody tr td.url a")
    assert [a.text() for a in tier1] == [row["url"] for row in doc["tiers"]["pages"]][:10]
    worst = LexborHTMLParser(sections["domains"]).css("#toxic-domains tbody tr td:first-child")
    assert [td.text() for td in worst] == [
        row["domain"] for row in doc["audit"]["toxicity"]["domains"]
    ][:20]


def test_a_second_visit_finds_every_part_kept(web: Served, manifest: dict[str, Any]) -> None:
    target = manifest["target"]["domain"]
    first = web.sections(target)  # before the overview: the requests ask for the parts
    assert all(web.cache.computations[f"section:{part}"] == 1 for part in SECTIONS)
    assert web.get(f"/t/{target}/").status_code == 200  # schedules what is missing: the view
    assert web.get(f"/t/{target}/links").status_code == 200  # the links table's view
    built = dict(web.cache.computations)
    assert {part: built[part] for part in COSTLY_PARTS} == dict.fromkeys(COSTLY_PARTS, 1)
    assert web.get(f"/t/{target}/").status_code == 200
    assert web.sections(target) == first
    assert web.get(f"/t/{target}/links").status_code == 200
    assert dict(web.cache.computations) == built


def test_tier1_pages_share_one_solve_per_version_of_the_store(
    web: Served, web_db: Path, manifest: dict[str, Any]
) -> None:
    target = manifest["target"]["domain"]
    plan = plan_target(web_db, [target], budget=PLAN_BUDGET)
    view = browse.load_target(web_db, [target])
    kept = browse.page_gains(web_db, view, plan)
    assert plan.candidates
    for candidate in plan.candidates[:3]:
        page = web.get(f"/t/{target}/page?url={quote(candidate['url'], safe='')}")
        assert page.status_code == 200
        assert 'id="gain"' in page.text
        # A gain looked up in the kept solve is the one a solve of its own gives.
        alone = browse.page_gain(web_db, view, candidate["url"], plan)["gain"]
        looked_up = browse.page_gain(web_db, view, candidate["url"], plan, kept)["gain"]
        assert looked_up == alone == pytest.approx(candidate["page_gain"], rel=1e-9)
    assert web.cache.computations["page-gains"] == 1
    assert browse.page_gain(web_db, view, "https://nowhere.example/", plan, kept)["gain"] is None


def test_a_write_to_the_project_drops_what_was_kept(
    imported_db: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    db = tmp_path / "project.duckdb"
    shutil.copy(imported_db, db)
    new_link = tmp_path / "majestic.csv"
    new_link.write_text(
        "Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date\n"
        f"https://www.{GARDEN}/,https://fresh-linker.example/post,garden tools,"
        "2026-02-20,2026-02-20\n",
        encoding="utf-8",
    )
    with serve(db) as served:
        before = cards(served.get(f"/t/{GARDEN}/part/overview").text)
        assert served.get(f"/t/{GARDEN}/part/overview").status_code == 200
        assert served.cache.computations["audit"] == 1
        import_exports([new_link], db=db)
        after = cards(served.get(f"/t/{GARDEN}/part/overview").text)
        assert served.cache.computations["audit"] == 2
        assert served.cache.computations["section:overview"] == 2
    audit = command_json(cli, "audit", GARDEN, "--db", db)
    assert after["audit.totals.referring_domains"] == str(audit["totals"]["referring_domains"])
    assert int(after["audit.totals.referring_domains"]) == (
        int(before["audit.totals.referring_domains"]) + 1
    )


def test_an_unknown_section_or_target_answers_a_short_error(web: Served) -> None:
    unknown = web.get("/t/nowhere.example/part/profile")
    assert unknown.status_code == 404
    assert "nowhere.example" in unknown.text
    assert "<html" not in unknown.text  # a fragment for the page's slot, not a page
    bogus = web.get("/t/nowhere.example/part/bogus")
    assert bogus.status_code == 404
    assert "overview" in bogus.text  # the hint lists the sections


def test_a_section_needs_the_token_as_the_page_does(web_db: Path) -> None:
    token = new_token()
    dashboard = dashboard_server(web_db, host="127.0.0.1", port=0, token=token)
    with dashboard.running_in_thread() as base, httpx.Client(base_url=base) as http:
        assert http.get("/t/nowhere.example/part/profile").status_code == 401
        signed_in = http.get("/", params={"token": token})
        assert signed_in.status_code == 303
        assert http.get("/t/nowhere.example/part/profile").status_code == 404  # let in
