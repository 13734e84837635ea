"""`linkequity report`: the page's numbers are those of `audit`, `tiers` and `plan --json`.

The numbers are read back from the HTML (cards, table cells and chart bars,
by their ``data-value``) and compared with the JSON the commands print for
the same target. A crawled page whose title and anchors carry scripts goes
through the whole pipeline and shows as text.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import typer
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from linkequity.cli.report_command import report_
from linkequity.crawl.fetch import FetchResult
from linkequity.crawl.warc_output import WarcResponseWriter
from linkequity.errors import UsageError
from linkequity.model.records import FetchedPage
from linkequity.report.html import ROW_LIMIT, render_report, report_script
from linkequity.services.ingest import ingest_archives
from linkequity.services.report import ReportData, build_report, write_report

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from selectolax.lexbor import LexborNode
    from tests.conftest import CliResult

#: The tables of the page and the rows of the JSON they show.
TABLES: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "audit.rel_mix": lambda j: j["audit"]["rel_mix"],
    "audit.placement_mix": lambda j: j["audit"]["placement_mix"],
    "audit.authority.buckets": lambda j: j["audit"]["authority"]["buckets"],
    "audit.top_pages": lambda j: j["audit"]["top_pages"],
    "audit.anchors.classes": lambda j: j["audit"]["anchors"]["classes"],
    "audit.anchors.top": lambda j: j["audit"]["anchors"]["top"],
    "audit.toxicity.domains": lambda j: j["audit"]["toxicity"]["domains"],
    "audit.toxicity.links": lambda j: j["audit"]["toxicity"]["links"],
    "opportunities.broken": lambda j: j["audit"]["opportunities"]["broken"],
    "opportunities.reclaim": lambda j: j["audit"]["opportunities"]["reclaim"],
    "opportunities.mentions": lambda j: j["audit"]["opportunities"]["mentions"],
    "opportunities.gap": lambda j: j["audit"]["opportunities"]["gap"],
    "audit.lost.links": lambda j: j["audit"]["lost"]["links"],
    "tiers.tiers": lambda j: j["tiers"]["tiers"],
    "tiers.pages": lambda j: j["tiers"]["pages"],
    "tiers.domains": lambda j: j["tiers"]["domains"],
    "tiers.paths": lambda j: j["tiers"]["paths"],
    "plan.links": lambda j: j["plan"]["links"],
    "plan.candidates": lambda j: j["plan"]["candidates"],
    "plan.options": lambda j: j["plan"]["options"],
    "plan.internal_asks": lambda j: j["plan"]["internal_asks"],
    "plan.rejected": lambda j: j["plan"]["rejected"],
}


def metric(doc: dict[str, Any], path: str) -> Any:
    """Follow ``audit.totals.links`` or ``tiers.tiers.2.pages`` (a tier's row) into the JSON."""
    value: Any = doc
    for part in path.split("."):
        if isinstance(value, list):
            value = next(row for row in value if str(row["tier"]) == part)
        else:
            value = value[part]
    return value


def same(cell: LexborNode, expected: Any) -> bool:
    """Whether a cell shows *expected*: its exact ``data-value``, else its text."""
    raw = cell.attributes.get("data-value")
    if raw is not None:
        if expected is None:
            return raw == ""
        if isinstance(expected, bool):
            return raw == ("true" if expected else "false")
        return bool(float(raw) == expected)
    if isinstance(expected, str):
        return cell.text() == expected
    return True  # a list or a dict: shown joined, not compared here


def compare(page: LexborHTMLParser, doc: dict[str, Any]) -> int:
    """Assert every card, cell and bar of the page equals the JSON; return the values compared."""
    compared = 0
    cards = page.css(".card[data-metric]")
    assert cards
    for card in cards:
        name = card.attributes["data-metric"] or ""
        expected = metric(doc, name)
        assert float(card.attributes["data-value"] or "nan") == pytest.approx(
            expected, rel=0, abs=0
        )
        compared += 1
    for name, rows_of in TABLES.items():
        table = page.css_first(f'table[data-table="{name}"]')
        assert table is not None, name
        rows = rows_of(doc)
        assert table.attributes["data-rows"] == str(len(rows)), name
        shown = table.css("tbody tr")
        assert len(shown) == min(len(rows), ROW_LIMIT), name
        for tr, row in zip(shown, rows, strict=False):
            for cell in tr.css("td"):
                key = cell.attributes["data-key"] or ""
                if key in row:
                    assert same(cell, row[key]), (name, key, cell.text(), row[key])
                    compared += 1
    bars = page.css("#chart-rel rect.bar")
    assert [float(b.attributes["data-value"] or "nan") for b in bars] == [
        row["links"] for row in doc["audit"]["rel_mix"]
    ]
    return compared


def as_json(value: object) -> Any:
    """Plain values the way `--json` prints them (dates as text)."""
    return json.loads(json.dumps(value, default=str))


def command_json(cli: Callable[..., CliResult], *args: str | Path) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def rivals(tmp_path_factory: pytest.TempPathFactory, manifest: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("rivals") / "rivals.txt"
    names = [name for name, site in manifest["domains"].items() if site["role"] == "competitor"]
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_sample_webs_report_says_what_the_commands_say(
    web_db: Path,
    manifest: dict[str, Any],
    rivals: Path,
    cli: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    money = manifest["target"]["domain"]
    brand = manifest["target"]["brand"]
    keywords = manifest["target"]["keywords"]
    data = build_report(
        web_db,
        [money],
        brands=[brand],
        keywords=keywords,
        competitors=rivals.read_text().split(),
        budget=5,
        top=20,
    )
    size = write_report(data, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert size == len(html.encode())
    flags = [arg for k in keywords for arg in ("--keyword", k)]
    audit = command_json(
        cli,
        "audit",
        money,
        "--db",
        web_db,
        "--brand",
        brand,
        *flags,
        "--competitors",
        rivals,
        "--top",
        "20",
    )
    tiers = command_json(cli, "tiers", money, "--db", web_db, "--top", "20")
    plan = command_json(
        cli, "plan", money, "--budget", "5", "--competitors", rivals, "--db", web_db
    )
    doc = {"audit": audit, "tiers": tiers, "plan": plan}
    page = LexborHTMLParser(html)
    assert compare(page, doc) > 500
    # the drawing: every tier-1 page drawn is one of the map's, sized by its equity
    equity = {row["url"]: row["equity"] for row in tiers["pages"]}
    nodes = page.css("svg.tier-graph g.node.tier-1")
    assert 0 < len(nodes) <= 30
    for node in nodes:
        assert float(node.attributes["data-equity"] or "nan") == equity[node.attributes["data-url"]]
    hidden = page.css_first("[data-hidden]")
    assert hidden is not None
    assert (
        int(hidden.attributes["data-hidden"] or "-1")
        == sum(row["pages"] for row in tiers["tiers"]) - len(page.css("svg.tier-graph g.node")) + 1
    )  # the target is a node, not a tier page


@pytest.mark.slow
def test_the_tier_graph_of_a_ranked_project_is_sized_by_stored_authority(
    web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    ranked = tmp_path / "ranked.duckdb"
    shutil.copyfile(web_db, ranked)
    assert cli("rank", "--db", ranked).exit_code == 0
    stored = command_json(cli, "rank", "--show", "--top", "10000", "--db", ranked)
    authority = {row["name"]: row["authority"] for row in stored["top_pages"]}
    data = build_report(ranked, [manifest["target"]["domain"]], budget=1)
    assert data.page_authority["ranked_snapshot_id"] == stored["snapshot_id"]
    page = LexborHTMLParser(render_report(data.as_dict()))
    nodes = page.css("svg.tier-graph g.node:not(.tier-0)")
    scored = [
        (float(node.attributes["data-authority"] or "nan"), node)
        for node in nodes
        if node.attributes["data-authority"]
    ]
    assert len(scored) > 10
    for value, node in scored:
        assert value == authority[node.attributes["data-url"] or ""]
    radii = [
        float(node.css_first("circle").attributes["r"] or "nan")
        for _, node in sorted(scored, key=lambda pair: pair[0])
    ]
    assert radii == sorted(radii)
    assert "authority (the rank of snapshot" in page.css_first("#tier-graph").text()


@pytest.mark.slow
def test_an_imported_projects_report_says_what_the_commands_say(
    imported_db: Path, cli: Callable[..., CliResult]
) -> None:
    target = "example-garden.com"
    data = build_report(imported_db, [target], budget=3, top=20)
    page = LexborHTMLParser(render_report(as_json(data.as_dict())))
    doc = {
        "audit": command_json(cli, "audit", target, "--db", imported_db, "--top", "20"),
        "tiers": command_json(cli, "tiers", target, "--db", imported_db, "--top", "20"),
        "plan": command_json(cli, "plan", target, "--budget", "3", "--db", imported_db),
    }
    assert compare(page, doc) > 200
    weeks = command_json(cli, "diff", target, "--db", imported_db)["velocity"]
    bars = page.css("#chart-velocity rect.bar.new")
    assert [int(b.attributes["data-value"] or "-1") for b in bars] == [
        w["new_links"] for w in weeks
    ]
    assert len(bars) > 10


def hostile_web(folder: Path) -> Path:
    """A WARC of three sites whose titles and anchors carry scripts and handlers."""
    when = datetime(2026, 1, 5, tzinfo=UTC)
    pages = {
        "http://www.money.example/": (
            "<title>&lt;script&gt;alert(1)&lt;/script&gt; Money</title>"
            '<p>Money home. <a href="/shop">shop</a></p>'
        ),
        "http://www.money.example/shop": "<title>Shop</title><p>Our shop of garden things.</p>",
        "http://evil.example/post": (
            "<title>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</title><main><p>A post "
            'about gardens. <a href="http://www.money.example/">&quot;&gt;&lt;img src=x '
            'onerror=alert(1)&gt;</a> and <a href="http://www.money.example/shop">'
            '&lt;script&gt;alert(1)&lt;/script&gt;</a> <a href="javascript:alert(1)">js</a>'
            "</p></main>"
        ),
        "http://tier2.example/": (
            '<title>Tier two</title><main><p>See <a href="http://evil.example/post">'
            "&lt;script&gt;alert(2)&lt;/script&gt;</a> about gardens.</p></main>"
        ),
    }
    warc = folder / "hostile.warc.gz"
    with WarcResponseWriter(warc) as writer:
        for url, body in pages.items():
            headers = (("Content-Type", "text/html; charset=utf-8"),)
            html = f"<!doctype html><html><head>{body.split('</title>')[0]}</title></head>"
            html += f"<body>{body.split('</title>', 1)[1]}</body></html>"
            writer.write(FetchResult(FetchedPage(url, when, 200, headers, html.encode(), 0)))
    return warc


@pytest.mark.slow
def test_hostile_anchors_and_titles_from_a_crawl_show_as_text(tmp_path: Path) -> None:
    db = tmp_path / "hostile.duckdb"
    ingest_archives([hostile_web(tmp_path)], db=db, workers=1)
    data = build_report(db, ["money.example"], budget=1, now=datetime(2026, 1, 20))
    html = render_report(as_json(data.as_dict()))
    page = LexborHTMLParser(html)
    scripts = page.css("script")
    assert [script.text() for script in scripts] == [report_script()]
    assert page.css("img, iframe, object, embed") == []
    for node in page.css("*"):
        assert not [a for a in node.attributes if a.lower().startswith("on")], node.tag
    for a in page.css("a[href]"):
        assert (a.attributes["href"] or "").startswith(("#", "http://", "https://"))
    cells = {cell.text() for cell in page.css("td")}
    assert '"><img src=x onerror=alert(1)>' in cells  # the anchor, as written
    assert "<script>alert(1)</script>" in cells
    assert "<script>alert(2)</script>" not in html
    assert "onerror=alert(1)>" not in html


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report_)
    return app


@pytest.mark.slow
def test_the_command_writes_the_page_and_says_where(imported_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    runner = CliRunner()
    shown = runner.invoke(
        cli_app(), ["example-garden.com", "--db", str(imported_db), "-o", str(out)]
    )
    assert shown.exit_code == 0, shown.output
    assert str(out) in shown.output.replace("\n", "")
    assert f"{out.stat().st_size:,} bytes" in shown.output.replace("\n", "")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    data = runner.invoke(
        cli_app(),
        ["example-garden.com", "--db", str(imported_db), "-o", str(out), "--budget", "2", "--json"],
    )
    assert data.exit_code == 0, data.output
    printed = json.loads(data.output)
    assert printed["size_bytes"] == out.stat().st_size
    assert len(printed["plan"]["links"]) <= 2
    unknown = runner.invoke(
        cli_app(), ["nowhere.example", "--db", str(imported_db), "-o", str(out)]
    )
    assert isinstance(unknown.exception, UsageError)
    folder = runner.invoke(
        cli_app(),
        ["example-garden.com", "--db", str(imported_db), "-o", str(tmp_path / "no" / "r.html")],
    )
    assert isinstance(folder.exception, UsageError)
    assert "cannot write" in str(folder.exception)
    # a rename that fails leaves what was there and no temporary file
    taken = tmp_path / "taken"
    (taken / "inside").mkdir(parents=True)
    parts = ("audit", "tiers", "plan", "diff")
    again = ReportData(("x",), "db", "now", *(printed[part] for part in parts))
    with pytest.raises(OSError, match="taken"):
        write_report(again, taken)
    assert (taken / "inside").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "taken"]
