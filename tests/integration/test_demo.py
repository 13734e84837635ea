"""`linkequity demo`, the README's first command: the main job on the generated sample web.

The demo crawls the sample web, imports an Ahrefs export of its money site,
ranks, audits, plans and writes the report. Run once on a small web through
its service (module fixture), its project is checked with the commands a user
would run next, and its report against their JSON; the default web runs
through the command line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.integration.conftest import domain_of

from linkequity.cli import render
from linkequity.samples.web import generate_web
from linkequity.samples.web.backlinks_export import LOST_PER_KIND, exported_links
from linkequity.services.demo import DEMO_SEED, PHASES, DemoReport, run_demo
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

    from linkequity.samples.web.backlinks_export import ExportedLink

pytestmark = [pytest.mark.loopback, pytest.mark.slow]


def test_demo_crawls_the_whole_sample_web(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    db = tmp_path / "demo.duckdb"
    result = cli("demo", "--db", str(db), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    urls = generate_web(1).manifest()["urls"]
    expected = Counter(url["expected"] for url in urls.values())
    pages = [
        url
        for url, truth in urls.items()
        if truth["expected"] != "disallowed"
        and not url.split("/", 3)[3].startswith(("robots.txt", "sitemap"))
    ]

    states = report["crawl"]["urls_by_state"]
    assert report["sites"] == 20
    assert states["excluded"] == expected["disallowed"]
    assert states["failed"] == 0
    assert states["queued"] == states["in_flight"] == 0
    # Every page the robots.txt allows is reached by links or redirects from the home
    # pages and fetched once (robots.txt files are fetched apart and not counted).
    assert report["crawl"]["progress"]["fetched"] == states["done"] == len(pages)
    assert report["crawl"]["stats"]["referring_domains"] == 20
    assert report["crawl"]["sitewide_sightings"] > 0

    # Then the export, the rank, the audit, the plan and the report, in that order.
    assert list(report["timings_s"]) == list(PHASES)
    assert report["total_s"] == pytest.approx(sum(report["timings_s"].values()), abs=0.01)
    (imported,) = report["import"]["files"]
    assert imported["links_merged"] > 0
    assert report["rank"]["snapshot_id"] == report["audit"]["snapshot_id"] == 2
    assert report["report"]["path"] == "report.html"
    assert (tmp_path / "report.html").stat().st_size == report["report"]["size_bytes"]
    for name in ("export", "trust_seeds", "competitors"):
        assert (tmp_path / report["files"][name]).is_file()
    findings = report["findings"]
    assert len(findings["moves"]) == report["plan"]["budget"] == 5
    assert findings["authority_domains"]
    assert findings["toxic_domains"]
    assert report["audit"]["lost"] == 2 * LOST_PER_KIND
    assert report["next"][0] == f"linkequity audit sproutseed.example --db {db}"


def test_demo_refuses_to_overwrite_a_project(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    db = tmp_path / "demo.duckdb"
    db.write_bytes(b"")
    result = cli("demo", "--db", str(db))
    assert result.exit_code == 2
    assert "exists" in result.stderr


#: The small sample web the demo runs on below (20 sites need at least 184 pages).
SMALL_PAGES = 200


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    """The whole demo run once on a small sample web, through its service."""
    folder = tmp_path_factory.mktemp("demo")
    return run_demo(
        db=folder / "demo.duckdb",
        report=folder / "report.html",
        tuning=load_settings(flags={}).settings.crawl,
        pages=SMALL_PAGES,
    )


def _exported(demo: DemoReport) -> list[ExportedLink]:
    """The export's rows again: its dates are within days of the demo's, its links the same."""
    rows = exported_links(generate_web(DEMO_SEED, pages=SMALL_PAGES), now=datetime.now())  # noqa: DTZ005
    assert len(rows) == demo.imported.files[0].rows_read
    return rows


def test_demo_project_holds_crawled_and_imported_links_ranked(
    small_demo: DemoReport, cli: Callable[..., CliResult]
) -> None:
    rows = _exported(small_demo)
    lost = [row for row in rows if row.lost_at is not None]
    (imported,) = small_demo.imported.files
    assert imported.format_name == "ahrefs_backlinks"
    assert imported.bad_rows == 0
    # Every live link of the export is one the crawl read: merged, not added.
    assert imported.links_merged == len(rows) - len(lost)
    assert imported.links_added == len(lost)
    tools = small_demo.imported.stats.links_by_tool
    assert tools["crawl"] == small_demo.crawl.stats.links
    assert tools["ahrefs"] == len(rows)

    stats = json.loads(cli("stats", "--db", small_demo.files.db, "--json").stdout)
    assert stats["links"] == small_demo.crawl.stats.links + len(lost)
    scores = json.loads(cli("rank", "--show", "--json", "--db", small_demo.files.db).stdout)
    assert scores["snapshot_id"] == small_demo.rank.snapshot_id == imported_snapshot(small_demo)
    assert scores["pages"] == small_demo.rank.pages > 0
    assert small_demo.rank.trust_seed_pages > 0
    assert all(item["trust"] is not None for item in scores["top_domains"])
    lost_shown = {
        (row["source_url"], row["target_url"]) for row in small_demo.data.audit["lost"]["links"]
    }
    assert lost_shown == {(row.source_url, row.target_url) for row in lost}


def imported_snapshot(demo: DemoReport) -> int:
    """The import's snapshot: the latest, after the crawl's."""
    return demo.crawl.snapshot_id + 1


def test_report_shows_the_numbers_of_audit_and_plan_json(
    small_demo: DemoReport, cli: Callable[..., CliResult]
) -> None:
    files = small_demo.files
    page = LexborHTMLParser(files.report.read_text(encoding="utf-8"))
    audit = json.loads(
        cli("audit", small_demo.target, "--db", files.db, "--json", "--top", "20").stdout
    )
    cards = {
        card.attributes["data-metric"]: float(card.attributes["data-value"] or "nan")
        for card in page.css(".card[data-metric]")
    }
    audit_cards = {name: value for name, value in cards.items() if name.startswith("audit.")}
    assert "audit.totals.links" in audit_cards
    assert "audit.lost.count" in audit_cards
    for name, value in audit_cards.items():
        expected: Any = {"audit": audit}
        for part in name.split("."):
            expected = expected[part]
        assert value == expected, name
    table = page.css_first('table[data-table="audit.toxicity.domains"]')
    assert table is not None
    shown = [{td.attributes["data-key"]: td for td in tr.css("td")} for tr in table.css("tbody tr")]
    assert len(shown) == len(audit["toxicity"]["domains"]) > 0
    for cells, row in zip(shown, audit["toxicity"]["domains"], strict=True):
        assert cells["domain"].text() == row["domain"]
        assert float(cells["score"].attributes["data-value"] or "nan") == row["score"]

    # The plan the report shows is the one the suggested `plan` command makes.
    plan = json.loads(
        cli(
            "plan", small_demo.target, "--budget", "5", "--trust-seeds", files.trust_seeds,
            "--competitors", files.competitors, "--db", files.db, "--json",
        ).stdout
    )  # fmt: skip
    assert cards["plan.total_gain"] == plan["total_gain"]
    links = page.css_first('table[data-table="plan.links"]')
    assert links is not None
    sources = [tr.css_first('td[data-key="source"]').text() for tr in links.css("tbody tr")]
    assert sources == [row["source"] for row in plan["links"]]


def test_printed_findings_name_real_pages_of_the_sample_web(
    small_demo: DemoReport, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = generate_web(DEMO_SEED, pages=SMALL_PAGES).manifest()
    # A URL on one line. (Setting the console's width would outlive the test: undoing it
    # sets the width then measured, and every later table would wrap at it.)
    monkeypatch.setenv("COLUMNS", "400")
    capsys.readouterr()
    render.demo_report(small_demo, db=small_demo.files.db)
    printed = capsys.readouterr().out

    urls = set(re.findall(r"http://[^\s│',]+", printed))
    assert urls
    assert urls <= set(manifest["urls"])
    findings = small_demo.findings()
    tier1 = set(manifest["tier1"])
    assert findings["authority_pages"]
    for row in findings["authority_pages"]:
        assert row["url"] in tier1
        assert row["url"] in printed
    assert findings["moves"]
    for row in findings["moves"]:
        assert row["target"] in tier1
        assert row["source"] in urls
        assert row["target"] in urls
    domains = manifest["domains"]
    assert findings["toxic_domains"]
    for row in findings["toxic_domains"]:
        assert domains[row["domain"]]["is_spam"], row["domain"]
        assert f"│ {row['domain']} " in printed
    # The plan never asks a spam site or a competitor for a link.
    for row in findings["moves"]:
        assert domains[domain_of(row["source"])]["role"] == "editorial"
    assert str(small_demo.files.report) in printed
    for command in small_demo.next_commands():
        assert command in printed


def test_demo_refuses_a_report_in_a_missing_folder(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("demo", "--db", tmp_path / "new.duckdb", "-o", tmp_path / "none" / "r.html")
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr
    assert not (tmp_path / "new.duckdb").exists()  # refused before anything is made
