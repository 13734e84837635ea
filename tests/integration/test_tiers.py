"""`linkequity tiers`: the tier map of the sample web's money site, checked against its manifest.

The store is the sample web as a polite crawler fetches it (its WARC, robots.txt
obeyed, ingested). The expected tiers come from the manifest's links, the
expected equity from the store's followed links ranked by networkx.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import duckdb
import networkx as nx
import pyarrow.compute as pc
import pytest
from tests.integration.conftest import domain_of

from linkequity.model.pages import PageRecord
from linkequity.services.rank import rank_snapshot
from linkequity.services.tiers import map_tiers
from linkequity.store import Store, pages_to_arrow

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

D = 0.85
#: networkx stops when the summed change is below n * tol.
NX_TOL = 1e-13


def expected_tiers(manifest: dict[str, Any]) -> tuple[set[str], set[tuple[str, str, bool]]]:
    """Tier-1 pages and tier-2 edges (source, tier-1 page, is_internal) from the manifest.

    Only pages the crawl fetched hold links: robots.txt keeps the disallowed ones out.
    Redirects count as links, as the store keeps them.
    """
    money = manifest["target"]["domain"]
    statuses = manifest["urls"]
    links = [
        (link["source"], link["target"])
        for link in manifest["links"]
        if statuses[link["source"]]["expected"] != "disallowed"
    ]
    # A redirect is stored as a link from the old URL to its location.
    links += [(url, entry["location"]) for url, entry in statuses.items() if "location" in entry]
    tier1 = {s for s, t in links if domain_of(s) != money and domain_of(t) == money}
    tier2 = {
        (s, t, domain_of(s) == domain_of(t))
        for s, t in links
        if t in tier1 and s not in tier1 and domain_of(s) != money
    }
    return tier1, tier2


@pytest.fixture(scope="module")
def report_dict(web_db: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    report = map_tiers(web_db, [manifest["target"]["domain"]], depth=3, top=5)
    return report.as_dict()


@pytest.mark.slow
class TestTiersOfTheSampleWeb:
    def test_tier_one_is_every_page_that_links_to_the_money_site(
        self, report_dict: dict[str, Any], manifest: dict[str, Any]
    ) -> None:
        tier1, _ = expected_tiers(manifest)
        assert len(tier1) >= 5
        assert {row["url"] for row in report_dict["pages"]} == tier1
        tier1_edges = {e["source"] for e in report_dict["edges"] if e["tier"] == 1}
        assert tier1_edges == tier1
        # guest posts and press are there; the manifest's own list agrees where crawled
        assert set(manifest["guest_posts"]) <= tier1
        assert tier1 <= set(manifest["tier1"])

    def test_tier_two_splits_internal_from_external_links(
        self, report_dict: dict[str, Any], manifest: dict[str, Any]
    ) -> None:
        _, tier2 = expected_tiers(manifest)
        got = {
            (e["source"], e["target"], e["is_internal"])
            for e in report_dict["edges"]
            if e["tier"] == 2
        }
        assert got == tier2
        assert any(internal for *_, internal in got)
        assert any(not internal for *_, internal in got)
        external_sources = {s for s, _, internal in got if not internal}
        tier1 = {row["url"] for row in report_dict["pages"]}
        crawled = {s for s, *_ in tier2} | tier1
        assert external_sources == (set(manifest["tier2"]) - tier1) & crawled
        counts = {row["tier"]: row for row in report_dict["tiers"]}
        assert counts[2]["internal_pages"] == len({s for s, _, internal in got if internal})
        assert counts[2]["external_pages"] == len(external_sources)
        assert counts[1]["pages"] == len(tier1)

    def test_edges_keep_rel_placement_and_the_source_pages_indexability(
        self, report_dict: dict[str, Any], manifest: dict[str, Any]
    ) -> None:
        unfollowed = {"nofollow", "sponsored", "ugc"}
        followed: defaultdict[tuple[str, str], set[bool]] = defaultdict(set)
        placement: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        for link in manifest["links"]:
            key = (link["source"], link["target"])
            followed[key].add(not set(link["rel"]) & unfollowed)
            placement[key].add(link["placement"])
        urls = manifest["urls"]
        edges = [e for e in report_dict["edges"] if "location" not in urls[e["source"]]]
        redirects = [e for e in report_dict["edges"] if "location" in urls[e["source"]]]
        assert {e["source_status"] for e in redirects} <= {301, 302}
        agree = 0
        for edge in edges:
            key = (edge["source"], edge["target"])
            assert edge["is_followed"] in followed[key]
            agree += edge["placement"] in placement[key]
            expected = manifest["urls"][edge["source"]]["expected"]
            assert edge["source_indexability"] == (
                "not indexable: noindex" if expected == "noindex" else "indexable"
            )
            assert edge["source_status"] == 200
        assert agree >= 0.95 * len(edges)
        assert {e["rel"] for e in edges} > {"followed"}

    def test_equity_sums_to_the_followed_part_of_the_targets_pagerank(
        self, web_db: Path, report_dict: dict[str, Any], manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        with duckdb.connect(str(web_db), read_only=True) as conn:
            rows = conn.execute(
                """SELECT DISTINCT s.url, t.url FROM links l
                JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
                WHERE l.lost_at IS NULL AND l.is_nofollow IS NOT TRUE
                    AND l.is_sponsored IS NOT TRUE AND l.is_ugc IS NOT TRUE"""
            ).fetchall()
        graph = nx.DiGraph()
        graph.add_edges_from((s, t) for s, t in rows if s != t)
        graph.add_nodes_from(u for pair in rows for u in pair)
        x = nx.pagerank(graph, alpha=D, tol=NX_TOL, max_iter=1000)
        n = graph.number_of_nodes()
        targets = {u for u in graph if domain_of(u) == money}
        rank_t = sum(x[u] for u in targets)
        dangling = sum(x[u] for u in graph if graph.out_degree(u) == 0)
        flows: defaultdict[str, float] = defaultdict(float)
        for u in graph:
            if graph.out_degree(u):
                into = sum(1 for t in graph.successors(u) if t in targets)
                flows[domain_of(u) == money] += D * x[u] * into / graph.out_degree(u)
        teleport = (1 - D) * len(targets) / n + D * dangling * len(targets) / n
        followed_part = rank_t - teleport - flows[True]

        equity = sum(row["equity"] for row in report_dict["pages"])
        assert report_dict["target_rank"] == pytest.approx(rank_t, rel=1e-6)
        assert equity == pytest.approx(flows[False], rel=1e-6)
        assert equity == pytest.approx(followed_part, rel=1e-6)
        assert equity > 0
        shares = [row["share"] for row in report_dict["pages"]]
        assert shares == sorted(shares, reverse=True)

    def test_paths_run_from_pages_to_the_target_with_their_shares(
        self, report_dict: dict[str, Any], manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        paths = report_dict["paths"]
        assert paths
        # A tier-1 page's share is the sum of its one-link paths' (one per target page).
        share_of_page = {row["url"]: row["share"] for row in report_dict["pages"]}
        one_link: defaultdict[str, float] = defaultdict(float)
        for path in paths:
            if len(path["nodes"]) == 2:
                one_link[path["nodes"][0]] += path["share"]
        assert one_link
        for page, share in one_link.items():
            assert share <= share_of_page[page] * (1 + 1e-9)
        best = report_dict["pages"][0]
        assert best["share"] >= max(one_link.values())
        for path in paths:
            assert domain_of(path["nodes"][-1]) == money
            assert 0 < path["share"] <= 1
        assert report_dict["domain_paths"][0]["nodes"][-1] == money
        assert report_dict["domains"][0]["domain"] != money


@pytest.mark.slow
def test_cli_maps_tiers_as_json_and_as_tables(
    web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult]
) -> None:
    money = manifest["target"]["domain"]
    result = cli("tiers", money, "--db", web_db, "--depth", "2", "--top", "3", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["depth"] == 2
    assert [row["tier"] for row in data["tiers"]] == [1, 2]
    assert data["target_domains"] == [money]
    assert {len(p["nodes"]) for p in data["paths"]} <= {2, 3}

    shown = cli("tiers", money, "--db", web_db, "--top", "3")
    assert shown.exit_code == 0, shown.stderr
    assert "Top tier-1 pages" in shown.stdout
    assert data["pages"][0]["url"] in shown.stdout


def test_imported_links_have_unknown_indexability(
    imported_db: Path, cli: Callable[..., CliResult]
) -> None:
    db = imported_db
    result = cli("tiers", "example-garden.com", "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pages"]
    assert {row["indexability"] for row in data["pages"]} == {"unknown"}
    assert {row["is_indexable"] for row in data["pages"]} == {None}
    assert {e["source_indexability"] for e in data["edges"]} == {"unknown"}
    shown = cli("tiers", "example-garden.com", "--db", db)
    assert "unknown" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nowhere.example",), "is not a domain, host or URL"),
        (("example-garden.com", "--depth", "0"), "depth must be from 1 to"),
        (("example-garden.com", "--depth", "9"), "depth must be from 1 to"),
        (("https://example-garden.com/not-linked-anywhere/",), "is not a domain, host or URL"),
        (("example-garden.com", "--snapshot", "99"), "has no snapshot 99"),
        (("http://[bad",), "target 'http://[bad'"),
        (("example-garden.com/blog/",), "has a path but no scheme"),
    ],
)
def test_bad_targets_and_depths_are_one_line_errors(
    imported_db: Path, cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = cli("tiers", *args, "--db", imported_db)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert " \N{EM DASH} " in result.stderr  # the hint


def test_an_empty_store_is_a_one_line_error(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    db = tmp_path / "empty.duckdb"
    Store.open(db).close()
    result = cli("tiers", "example.com", "--db", db)
    assert result.exit_code == 2
    assert "empty" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.slow
def test_a_host_or_some_urls_as_the_target(web_db: Path, manifest: dict[str, Any]) -> None:
    money = manifest["target"]["domain"]
    host = manifest["target"]["host"]
    by_domain = map_tiers(web_db, [money], depth=1)
    by_host = map_tiers(web_db, [host], depth=1)
    assert by_host.target_pages == by_domain.target_pages  # every page sits on one host
    assert by_host.pages.column("url").to_pylist() == by_domain.pages.column("url").to_pylist()

    home = f"http://{host}/"
    page = next(
        link["target"]
        for link in manifest["links"]
        if domain_of(link["target"]) == money and link["target"] != home
    )
    urls = map_tiers(web_db, [home, page], depth=2)
    linking = {
        link["source"]
        for link in manifest["links"]
        if link["target"] in {home, page}
        and domain_of(link["source"]) != money
        and manifest["urls"][link["source"]]["expected"] != "disallowed"
    }
    assert urls.target_pages == 2
    assert set(urls.pages.column("url").to_pylist()) == linking
    assert set(urls.edges.filter(pc.equal(urls.edges["tier"], 1))["target"].to_pylist()) <= {
        home,
        page,
    }
    assert 0 < urls.target_rank < by_domain.target_rank


@pytest.mark.slow
def test_the_targets_rank_is_the_one_linkequity_rank_stores(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "ranked.duckdb"
    shutil.copyfile(web_db, db)
    rank_snapshot(db)
    money = manifest["target"]["domain"]
    with duckdb.connect(str(db), read_only=True) as conn:
        row = conn.execute(
            """SELECT sum(m.pagerank) FROM page_metrics m JOIN urls u ON u.id = m.url_id
            WHERE u.domain = ?""",
            [money],
        ).fetchone()
        stored_domain = conn.execute(
            "SELECT pagerank FROM domain_metrics WHERE domain = ?", [money]
        ).fetchone()
    assert row is not None
    assert stored_domain is not None
    report = map_tiers(db, [money], depth=1)
    assert report.target_rank == pytest.approx(row[0], rel=1e-6)
    assert report.target_domain_rank == pytest.approx(stored_domain[0], rel=1e-6)


def test_indexability_is_the_latest_fetch_by_the_snapshot(
    imported_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "fetched.duckdb"
    shutil.copyfile(imported_db, db)
    before = map_tiers(db, ["example-garden.com"], depth=1)
    page = before.pages.column("url")[0].as_py()
    with Store.open(db) as store:
        imported = store.latest_snapshot_id()
        assert imported is not None
        fetches = []
        for indexable, reason in ((False, "noindex"), (True, None)):
            with store.transaction():
                snapshot = store.begin_snapshot(kind="ingest")
                record = PageRecord(page, 200, is_indexable=indexable, non_indexable_reason=reason)
                store.write_pages(snapshot, None, pages_to_arrow([record]))
            fetches.append(snapshot)

    def indexability(snapshot: int) -> str:
        report = map_tiers(db, ["example-garden.com"], depth=1, snapshot_id=snapshot)
        rows = {row["url"]: row for row in report.pages.to_pylist()}
        return str(rows[page]["indexability"])

    assert indexability(imported) == "unknown"
    assert indexability(fetches[0]) == "not indexable: noindex"
    assert indexability(fetches[1]) == "indexable"
