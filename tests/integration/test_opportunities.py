"""`linkequity opportunities` on the sample web (checked by its manifest), imports, a small store.

The sample web has four dead URLs: one on the money site (a guest post links
to it: reclamation) and one on each editorial blog (cited by another blog:
broken link building). Its competitors come from the manifest. A small store
written through the ``Store`` API adds what the sample web lacks: a host
without an address (the real ``HttpFetcher`` message), unlinked brand
mentions, and hostile anchors for the CSV.
"""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import typer
from tests.integration.conftest import domain_of
from typer.testing import CliRunner

from linkequity.cli.opportunities_command import PART_NAMES, opportunities_
from linkequity.crawl.http_fetcher import HttpFetcher, LoopbackResolver
from linkequity.errors import HostNotFound, UsageError
from linkequity.model.links import LinkSighting
from linkequity.model.pages import IndexabilityReason, PageRecord
from linkequity.services.opportunities import (
    PARTS,
    OpportunitiesReport,
    find_opportunities,
    write_opportunities_csv,
)
from linkequity.services.rank import rank_snapshot
from linkequity.store import Store, pages_to_arrow, sightings_to_arrow

if TYPE_CHECKING:
    from pathlib import Path


def roles(manifest: dict[str, Any], role: str) -> list[str]:
    return [name for name, site in manifest["domains"].items() if site["role"] == role]


def dead_urls(manifest: dict[str, Any]) -> set[str]:
    return {url for url, entry in manifest["urls"].items() if entry["status"] == 404}


def live_links(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return [(link["source"], link["target"]) for link in manifest["links"]]


@pytest.fixture(scope="module")
def report(web_db: Path, manifest: dict[str, Any]) -> OpportunitiesReport:
    return find_opportunities(
        web_db,
        [manifest["target"]["domain"]],
        competitors=roles(manifest, "competitor"),
        top=1000,
    )


@pytest.fixture(scope="module")
def ranked_db(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample-web project, ranked."""
    db = tmp_path_factory.mktemp("ranked") / "web.duckdb"
    shutil.copy(web_db, db)
    rank_snapshot(db)
    return db


@pytest.mark.slow
class TestSampleWeb:
    def test_every_prospect_links_to_a_url_the_manifest_says_is_404(
        self, report: OpportunitiesReport, manifest: dict[str, Any]
    ) -> None:
        dead = dead_urls(manifest)
        links = set(live_links(manifest))
        money = manifest["target"]["domain"]
        assert report.broken
        for page in report.broken:
            assert domain_of(page["url"]) != money
            for link in page["dead_links"]:
                assert link["url"] in dead
                assert link["reason"] == "404 not found"
                assert (page["url"], link["url"]) in links
                assert domain_of(link["url"]) not in (money, page["domain"])

    def test_every_link_to_another_sites_dead_url_from_a_relevant_page_is_found(
        self, report: OpportunitiesReport, manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        expected = {
            (source, target)
            for source, target in live_links(manifest)
            if target in dead_urls(manifest) and domain_of(target) != money
        }
        found = {(p["url"], link["url"]) for p in report.broken for link in p["dead_links"]}
        # The editorial blogs share the money site's theme: all pass relevance 0.2.
        assert found == expected
        assert len(found) == 3
        assert all(p["relevance"] >= 0.2 for p in report.broken)

    def test_prospects_are_ranked_by_relevance_when_not_ranked(
        self, report: OpportunitiesReport
    ) -> None:
        assert report.authority_snapshot_id is None
        relevance = [p["relevance"] for p in report.broken]
        assert relevance == sorted(relevance, reverse=True)
        assert any("no snapshot up to this one is ranked" in note for note in report.notes)

    def test_pages_of_another_theme_are_left_out_by_relevance(
        self, web_db: Path, manifest: dict[str, Any]
    ) -> None:
        strict = find_opportunities(
            web_db, [manifest["target"]["domain"]], parts=["broken"], min_relevance=0.99
        )
        assert strict.broken == []
        assert any("3 below 0.99 left out" in note for note in strict.notes)

    def test_reclamation_finds_the_links_to_the_targets_dead_urls(
        self, report: OpportunitiesReport, manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        expected = {
            (source, target)
            for source, target in live_links(manifest)
            if target in dead_urls(manifest)
            and domain_of(target) == money
            and domain_of(source) != money
        }
        found = {(link["source"], dead["url"]) for dead in report.reclaim for link in dead["links"]}
        assert found == expected
        assert len(found) == 1

    def test_the_301_goes_to_the_live_page_of_the_dead_urls_words(
        self, report: OpportunitiesReport, manifest: dict[str, Any]
    ) -> None:
        (dead,) = report.reclaim
        # /discontinued/<slug of the last keyword>/ -> the keyword's own page.
        slug = urlsplit(dead["url"]).path.rstrip("/").rsplit("/", 1)[1]
        assert dead["redirect_to"] == f"http://{manifest['target']['host']}/{slug}/"
        assert manifest["urls"][dead["redirect_to"]]["expected"] == "200"
        assert dead["redirect_score"] > 0.05
        assert "garden trowels" in dead["redirect_why"]

    @pytest.mark.parametrize(
        "target", ["sproutroot.example", "pro-bed-8.example", "gardening-directory-11.example"]
    )
    @pytest.mark.parametrize("n", [1, 2])
    def test_gap_domains_are_those_linking_to_n_competitors_and_not_the_target(
        self, web_db: Path, manifest: dict[str, Any], target: str, n: int
    ) -> None:
        competitors = set(roles(manifest, "competitor"))
        linked: dict[str, set[str]] = {}
        for source, to in live_links(manifest):
            if domain_of(source) != domain_of(to):
                linked.setdefault(domain_of(source), set()).add(domain_of(to))
        expected = {
            domain
            for domain, targets in linked.items()
            if domain not in competitors | {target}
            and len(targets & competitors) >= n
            and target not in targets
        }
        gap = find_opportunities(
            web_db, [target], competitors=sorted(competitors), min_competitors=n, parts=["gap"]
        )
        assert {row["domain"] for row in gap.gap} == expected
        for row in gap.gap:
            assert set(row["competitors"]) == linked[row["domain"]] & competitors
            assert row["competitors_linked"] >= n
        counts = [row["competitors_linked"] for row in gap.gap]
        assert counts == sorted(counts, reverse=True)

    def test_the_money_site_has_no_gap_nor_unlinked_mention(
        self, report: OpportunitiesReport, manifest: dict[str, Any]
    ) -> None:
        # Every domain linking to both competitors links to the money site too,
        # and every page naming SproutRoot links to it.
        assert report.gap == []
        assert report.mentions == []
        assert report.brands == ("sproutroot",)

    def test_mentions_of_a_brand_are_pages_that_name_it_without_linking(
        self, web_db: Path, manifest: dict[str, Any]
    ) -> None:
        # "Tidy Perennial" is a network site's name and two everyday words.
        domain = "tidy-perennial-7.example"
        found = find_opportunities(
            web_db, [domain], brands=["Tidy Perennial"], parts=["mentions"], top=1000
        )
        assert found.mentions
        linking = {source for source, target in live_links(manifest) if domain_of(target) == domain}
        for row in found.mentions:
            assert row["domain"] != domain
            assert row["url"] not in linking
            assert row["matched"].lower() == "tidy perennial"
            assert row["matched"] in row["snippet"]

    def test_ranked_prospects_and_gap_carry_authority(
        self, ranked_db: Path, manifest: dict[str, Any]
    ) -> None:
        ranked = find_opportunities(
            ranked_db, ["pro-bed-8.example"], competitors=roles(manifest, "competitor"), top=1000
        )
        assert ranked.authority_snapshot_id == ranked.snapshot_id
        assert all(p["authority"] is not None for p in ranked.broken)
        priorities = [p["priority"] for p in ranked.broken]
        assert priorities == sorted(priorities, reverse=True)
        for page in ranked.broken:
            assert page["priority"] == pytest.approx(page["authority"] / 100 * page["relevance"])
        assert all(row["authority"] is not None for row in ranked.gap)


@pytest.mark.slow
def test_imported_exports_say_what_cannot_be_known(imported_db: Path) -> None:
    found = find_opportunities(
        imported_db, ["example-garden.com"], competitors=["rival-one.example", "rival-two.example"]
    )
    assert (found.broken, found.reclaim, found.mentions, found.gap) == ([], [], [], [])
    notes = " | ".join(found.notes)
    assert "broken link building: the store holds no fetched page (imports only)" in notes
    assert "reclamation: the store holds no fetched page" in notes
    assert "brand mentions: the store holds no page text" in notes
    assert "no live link to rival-one.example, rival-two.example" in notes


@pytest.mark.slow
def test_imported_links_to_the_targets_pages_found_dead_by_a_later_crawl(
    imported_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "imported.duckdb"
    shutil.copy(imported_db, db)
    site = "https://www.example-garden.com"
    with Store.open(db) as store, store.transaction():
        snapshot = store.begin_snapshot(kind="crawl")
        store.write_pages(
            snapshot,
            None,
            pages_to_arrow(
                [
                    page(f"{site}/", "Example Garden: seeds, tools and raised beds.",
                         title="Example Garden"),
                    page(f"{site}/tools/hand-trowels/", "Hand trowels in steel and ash.",
                         title="Trowels"),
                    page(f"{site}/tools/trowels/", None, status=404),
                    page(f"{site}/sale/", None, status=410),
                ]
            ),
        )  # fmt: skip
        store.finish_snapshot(snapshot)
    found = find_opportunities(db, ["example-garden.com"], parts=["reclaim"])
    by_url = {dead["url"]: dead for dead in found.reclaim}
    assert set(by_url) == {f"{site}/tools/trowels/", f"{site}/sale/"}
    # Every live imported link to them, as the store counts them.
    assert (len(by_url[f"{site}/sale/"]["links"]), by_url[f"{site}/sale/"]["reason"]) == (
        16,
        "410 gone",
    )
    assert len(by_url[f"{site}/tools/trowels/"]["links"]) == 10
    assert by_url[f"{site}/tools/trowels/"]["redirect_to"] == f"{site}/tools/hand-trowels/"
    assert found.reclaim[0]["url"] == f"{site}/sale/"  # 11 referring domains before 6
    # Up to the import's snapshot nothing was fetched: nothing is known dead.
    before = find_opportunities(db, ["example-garden.com"], parts=["reclaim"], snapshot_id=1)
    assert before.reclaim == []
    assert "no fetched page" in before.notes[-1]


def test_a_competitor_may_not_be_the_target(imported_db: Path) -> None:
    with pytest.raises(UsageError, match="competitor example-garden.com is a domain of the target"):
        find_opportunities(
            imported_db,
            ["example-garden.com"],
            competitors=["https://www.example-garden.com/shop/"],
            min_competitors=1,
        )


# -- a small store written through the Store API ------------------------------------------------

SHOP = "https://shop.acmewidgets.com"
GONE = "http://gone-supplier.example/catalogue/"
HOSTILE_ANCHOR = '=HYPERLINK("http://evil.example","x")'


def host_not_found_detail() -> str:
    """What the real fetcher says of a host without an address (the crawler stores it)."""

    async def fetch() -> str:
        resolver = LoopbackResolver(9, hosts=["shop.acmewidgets.com"])
        async with HttpFetcher(resolver=resolver, allow_private=True) as fetcher:
            try:
                await fetcher.fetch(GONE)
            except HostNotFound as err:
                return str(err)
        raise AssertionError("the fetch should fail")

    return asyncio.run(fetch())


def page(url: str, text: str | None, status: int | None = 200, **fields: Any) -> PageRecord:
    return PageRecord(
        url,
        status,
        content_type="text/html" if text else None,
        main_text=text,
        is_indexable=status == 200,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        **fields,
    )


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("small") / "small.duckdb"
    detail = host_not_found_detail()
    pages = [
        page(f"{SHOP}/", "Acme Widgets: steel widgets, brass widgets and widget tools.",
             title="Acme Widgets"),
        page(f"{SHOP}/gear/steel-widgets/", "Steel widgets in three sizes, galvanised.",
             title="Steel widgets"),
        page(f"{SHOP}/gear/widget-tools/", "Tools for fitting widgets: spanners and jigs.",
             title="Widget tools"),
        page(f"{SHOP}/old/steel-widgets-2019/", None, status=404),
        page(f"{SHOP}/p/9876/", None, status=410),
        page(GONE, None, status=None, indexability_detail=detail,
             non_indexable_reason=str(IndexabilityReason.STATUS)),
        page("https://fan.example/review/", "We fitted Acme Widgets steel widgets last spring.",
             title="Widget review"),
        page("https://linked.example/post/", "AcmeWidgets sells widgets; see their shop.",
             title="Widget shops"),
        page("https://hostile.example/x", f"{HOSTILE_ANCHOR} acmewidgets rocks",
             title="=SUM(1)"),
        page("https://guide.example/widgets/", "A guide to widgets: steel widgets and tools.",
             title="Widget guide"),
    ]  # fmt: skip
    sightings = [
        LinkSighting("https://linked.example/post/", f"{SHOP}/", 0, anchor="their shop"),
        LinkSighting("https://guide.example/widgets/", GONE, 1, anchor=HOSTILE_ANCHOR),
        LinkSighting(
            "https://guide.example/widgets/", f"{SHOP}/old/steel-widgets-2019/", 2,
            anchor="steel widgets",
        ),
        LinkSighting("https://guide.example/widgets/", "https://rival.example/", 3, anchor="r"),
        LinkSighting("https://rival-fan.example/p/", "https://rival.example/", 4, anchor="r"),
        LinkSighting("https://notext.example/links/", GONE, 5, anchor="supplier"),
        LinkSighting("https://fan2.example/post/", f"{SHOP}/p/9876/", 6, anchor="click here"),
        LinkSighting(
            "https://lost.example/p/", GONE, 7, anchor="gone", lost_at=datetime(2025, 1, 1)
        ),
    ]  # fmt: skip
    with Store.open(db) as store, store.transaction():
        snapshot = store.begin_snapshot(kind="crawl")
        file_id, _ = store.register_file(
            sha256="small", path="crawl", tool="crawl", export_format=None, kind="crawl",
            snapshot_id=snapshot,
        )  # fmt: skip
        store.write_pages(snapshot, file_id, pages_to_arrow(pages))
        store.write_link_sightings(snapshot, file_id, sightings_to_arrow(sightings))
        store.finish_snapshot(snapshot)
    return db


def test_a_host_without_an_address_is_a_dead_url(small_db: Path) -> None:
    found = find_opportunities(small_db, ["acmewidgets.com"], parts=["broken"])
    prospect, unread = found.broken
    assert prospect["url"] == "https://guide.example/widgets/"
    assert prospect["dead_links"] == [
        {"url": GONE, "reason": "DNS failure", "anchor": HOSTILE_ANCHOR}
    ]
    assert prospect["relevance"] > 0.2
    # lost.example's link to it is lost: not a prospect.
    # A page the store never fetched has no words: kept, after, not measured.
    assert unread["url"] == "https://notext.example/links/"
    assert (unread["status"], unread["relevance"], unread["priority"]) == (None, None, None)
    assert "relevance not measured" in unread["why"]


@pytest.mark.slow
def test_relevance_scored_in_blocks_is_the_same(
    web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = find_opportunities(web_db, ["pro-bed-8.example"], parts=["broken"])
    monkeypatch.setattr("linkequity.services.opportunities._PAIRS_PER_BLOCK", 5)
    blocks = find_opportunities(web_db, ["pro-bed-8.example"], parts=["broken"])
    assert len(blocks.broken) == 4
    assert blocks.broken == whole.broken


def test_reclamation_suggests_the_page_of_the_dead_urls_words(small_db: Path) -> None:
    found = find_opportunities(small_db, ["acmewidgets.com"], parts=["reclaim"])
    by_url = {dead["url"]: dead for dead in found.reclaim}
    dead = by_url[f"{SHOP}/old/steel-widgets-2019/"]
    assert (dead["redirect_to"], dead["redirect_basis"]) == (f"{SHOP}/gear/steel-widgets/", "slug")
    assert [link["source"] for link in dead["links"]] == ["https://guide.example/widgets/"]
    # Neither "p" nor "click here" is a word of a live page: the home page of its host.
    unmatched = by_url[f"{SHOP}/p/9876/"]
    assert (unmatched["reason"], unmatched["redirect_basis"]) == ("410 gone", "fallback")
    assert unmatched["redirect_to"] == f"{SHOP}/"


def test_a_target_without_a_live_page_gets_no_redirect(small_db: Path) -> None:
    found = find_opportunities(small_db, ["gone-supplier.example"], parts=["reclaim"])
    (dead,) = found.reclaim
    assert dead["reason"] == "DNS failure"
    assert {link["source"] for link in dead["links"]} == {
        "https://guide.example/widgets/",
        "https://notext.example/links/",
    }
    assert dead["redirect_to"] is None
    assert "no live, indexable page" in dead["redirect_why"]


def test_unlinked_mentions_by_the_derived_brand_and_by_a_given_one(small_db: Path) -> None:
    derived = find_opportunities(small_db, ["acmewidgets.com"], parts=["mentions"])
    # "acmewidgets" is one word: it matches AcmeWidgets and acmewidgets, not Acme Widgets;
    # linked.example names it but links to the shop.
    assert [row["url"] for row in derived.mentions] == ["https://hostile.example/x"]
    given = find_opportunities(
        small_db, ["acmewidgets.com"], brands=["AcmeWidgets"], parts=["mentions"]
    )
    assert {row["url"] for row in given.mentions} == {
        "https://fan.example/review/",
        "https://hostile.example/x",
    }


def test_the_csv_neutralises_formulas_from_the_web(small_db: Path, tmp_path: Path) -> None:
    found = find_opportunities(small_db, ["acmewidgets.com"])
    out = tmp_path / "opportunities.csv"
    rows = write_opportunities_csv(found, out)
    with out.open(encoding="utf-8", newline="") as file:
        table = list(csv.DictReader(file))
    assert len(table) == rows
    assert {row["section"] for row in table} == {"broken", "reclaim", "mention"}
    for row in table:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))
    assert any(row["anchor"] == "'" + HOSTILE_ANCHOR for row in table)


class TestArguments:
    def test_fewer_competitors_than_the_least_is_an_error(self, small_db: Path) -> None:
        with pytest.raises(UsageError, match="1 competitors given, fewer than") as caught:
            find_opportunities(small_db, ["acmewidgets.com"], competitors=["rival.example"])
        assert "--min-competitors 1" in caught.value.hint

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"top": 0}, "top must be at least 1"),
            ({"min_competitors": 0}, "min competitors must be at least 1"),
            ({"min_relevance": 1.5}, "min relevance must be from 0 to 1"),
            ({"parts": ["links"]}, "unknown part 'links'"),
            ({"brands": ["--"]}, "no brand to look for"),
        ],
    )
    def test_bad_arguments_are_usage_errors(
        self, small_db: Path, options: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(UsageError, match=message):
            find_opportunities(small_db, ["acmewidgets.com"], **options)

    def test_an_unknown_target_is_named(self, small_db: Path) -> None:
        with pytest.raises(UsageError, match="nowhere.example is not a domain"):
            find_opportunities(small_db, ["nowhere.example"])

    def test_the_gap_with_one_competitor_needs_n_of_one(self, small_db: Path) -> None:
        found = find_opportunities(
            small_db, ["acmewidgets.com"], competitors=["rival.example"], min_competitors=1,
            parts=["gap"],
        )  # fmt: skip
        # guide.example links to the rival and to the shop: no gap.
        assert found.gap == [
            {
                "domain": "rival-fan.example",
                "competitors": ["rival.example"],
                "competitors_linked": 1,
                "authority": None,
                "links": 1,
                "followed_links": 1,
                "pages": 1,
            }
        ]


def test_the_commands_parts_are_the_services() -> None:
    assert PART_NAMES == PARTS


def command_app() -> typer.Typer:
    app = typer.Typer()
    app.command("opportunities")(opportunities_)
    return app


def test_the_command_prints_tables_json_and_csv(small_db: Path, tmp_path: Path) -> None:
    competitors = tmp_path / "competitors.txt"
    competitors.write_text("# rivals\nrival.example\n", encoding="utf-8")
    runner = CliRunner()
    args = ["acmewidgets.com", "--db", str(small_db), "--competitors", str(competitors)]
    args += ["--min-competitors", "1", "--brand", "AcmeWidgets", "--brand", "[bold]x[/]"]
    shown = runner.invoke(command_app(), args, env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for title in (
        "Broken link building",
        "Reclamation",
        "Unlinked mentions of AcmeWidgets, [bold]x[/]",
        "Competitor gap",
    ):
        assert title in shown.output
    assert "gear/steel-widgets/" in shown.output
    out = tmp_path / "out.csv"
    as_json = runner.invoke(command_app(), [*args, "--json", "--csv", str(out)])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["found"] == {"broken": 2, "reclaim": 2, "mentions": 2, "gap": 1}
    assert out.read_text(encoding="utf-8").startswith("section,")
    only = runner.invoke(command_app(), [*args, "--only", "gap", "--json"])
    assert json.loads(only.output)["parts"] == ["gap"]


def test_the_command_fails_with_a_one_line_error(small_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        command_app(), ["acmewidgets.com", "--db", str(small_db), "--competitors", "nope.txt"]
    )
    assert isinstance(missing.exception, UsageError)
    assert "cannot read nope.txt" in str(missing.exception)
    bad_csv = runner.invoke(
        command_app(),
        ["acmewidgets.com", "--db", str(small_db), "--csv", str(tmp_path / "no" / "x.csv")],
    )
    assert isinstance(bad_csv.exception, UsageError)
    assert "cannot write" in str(bad_csv.exception)
