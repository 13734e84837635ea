"""`linkequity rank --db`: page and domain scores of a real project, checked against networkx.

The project is the sample exports imported by the import service. The oracle
reads the followed, live links with its own SQL and ranks them with networkx.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import duckdb
import networkx as nx
import numpy as np
import pytest
from rich.console import Console

from linkequity.cli import render
from linkequity.model.links import LinkSighting
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.imports import import_exports, sample_exports
from linkequity.services.ingest import ingest_archives
from linkequity.services.rank import rank_snapshot
from linkequity.store import Store, sightings_to_arrow

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

TARGET_DOMAIN = "example-garden.com"
#: networkx stops when the summed change is below n * tol.
NX_TOL = 1e-13
MATCH = 1e-9


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rank") / "sample.duckdb"
    import_exports(sample_exports(), db=db)
    return db


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project.duckdb"
    shutil.copyfile(sample_db, copy)
    return copy


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def followed_edges(db: Path) -> list[tuple[str, str, str, str]]:
    """(source url, target url, source domain, target domain) of each distinct followed link."""
    rows = query(
        db,
        """SELECT DISTINCT s.url, t.url, s.domain, t.domain
        FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
        WHERE l.lost_at IS NULL AND l.is_nofollow IS NOT TRUE
            AND l.is_sponsored IS NOT TRUE AND l.is_ugc IS NOT TRUE""",
    )
    return [(s, t, sd, td) for s, t, sd, td in rows]


def stored(db: Path, level: str) -> dict[str, dict[str, Any]]:
    sql = {
        "page": """SELECT u.url, m.* FROM page_metrics m JOIN urls u ON u.id = m.url_id""",
        "domain": "SELECT m.domain, m.* FROM domain_metrics m",
    }[level]
    with duckdb.connect(str(db), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def test_rank_matches_networkx_on_pages_and_domains(
    db: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("rank", "--db", db, "--json", "--top", "3")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)

    edges = followed_edges(db)
    pages = nx.DiGraph()
    pages.add_nodes_from(url for s, t, _, _ in edges for url in (s, t))
    pages.add_edges_from((s, t) for s, t, _, _ in edges if s != t)
    expected_pages = nx.pagerank(pages, alpha=0.85, tol=NX_TOL, max_iter=10_000)
    domain_of = {url: domain for s, t, sd, td in edges for url, domain in ((s, sd), (t, td))}
    domains = nx.DiGraph()
    domains.add_nodes_from(domain_of.values())
    domains.add_edges_from((sd, td) for _, _, sd, td in edges if sd != td)
    expected_domains = nx.pagerank(domains, alpha=0.85, tol=NX_TOL, max_iter=10_000)

    page_rows, domain_rows = stored(db, "page"), stored(db, "domain")
    assert report["pages"] == len(page_rows) == pages.number_of_nodes()
    assert report["domains"] == len(domain_rows) == domains.number_of_nodes()
    assert report["page_edges"] == pages.number_of_edges()
    assert report["domain_edges"] == domains.number_of_edges()
    assert report["iterations"] > 0
    for url, score in expected_pages.items():
        assert page_rows[url]["pagerank"] == pytest.approx(score, abs=MATCH), url
    for domain, score in expected_domains.items():
        assert domain_rows[domain]["pagerank"] == pytest.approx(score, abs=MATCH), domain

    referrers: dict[str, set[str]] = defaultdict(set)
    domain_referrers: dict[str, set[str]] = defaultdict(set)
    for s, t, sd, td in edges:
        if sd != td:
            referrers[t].add(s)
            domain_referrers[td].add(s)
    for url, row in page_rows.items():
        assert row["referring_pages"] == len(referrers[url])
        assert row["referring_domains"] == len({domain_of[s] for s in referrers[url]})
    for domain, row in domain_rows.items():
        assert row["referring_pages"] == len(domain_referrers[domain])
        assert row["referring_domains"] == len({domain_of[s] for s in domain_referrers[domain]})

    # Authority is 0-100 and rises with PageRank; the best page is at 100.
    by_rank = sorted(page_rows.values(), key=lambda row: row["pagerank"])
    authority = [row["authority"] for row in by_rank]
    assert authority == sorted(authority)
    assert authority[0] >= 0.0
    assert authority[-1] == pytest.approx(100.0)
    assert all(row["trust"] is None and row["spam_mass"] is None for row in page_rows.values())

    best = sorted(expected_pages, key=lambda url: (-expected_pages[url], url))[:3]
    assert [item["name"] for item in report["top_pages"]] == best
    assert report["top_pages"][0]["name"] == f"https://www.{TARGET_DOMAIN}/"


def test_a_second_run_replaces_the_scores(db: Path, cli: Callable[..., CliResult]) -> None:
    first = cli("rank", "--db", db, "--json")
    assert first.exit_code == 0, first.stderr
    before = stored(db, "page")
    second = cli("rank", "--db", db, "--json", "--damping", "0.5")
    assert second.exit_code == 0, second.stderr
    counts = query(
        db,
        """SELECT (SELECT count(*) FROM page_metrics), (SELECT count(DISTINCT url_id) FROM
        page_metrics), (SELECT count(*) FROM domain_metrics)""",
    )[0]
    assert counts == (len(before), len(before), json.loads(second.stdout)["domains"])
    after = stored(db, "page")
    assert after.keys() == before.keys()
    assert any(after[url]["pagerank"] != before[url]["pagerank"] for url in before)

    shown = cli("rank", "--db", db, "--show", "--json", "--top", "4")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["top_pages"] == json.loads(second.stdout)["top_pages"][:4]


def test_trust_seeds_give_trustrank_and_spam_mass(
    db: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    edges = followed_edges(db)
    trusted_page = min(s for s, _, sd, _ in edges if sd != TARGET_DOMAIN)
    seeds = tmp_path / "trusted.txt"
    seeds.write_text(
        f"# sites we trust\nwww.{TARGET_DOMAIN}\n{trusted_page}\nhttps://nowhere.example/\n",
        encoding="utf-8",
    )
    result = cli("rank", "--db", db, "--trust-seeds", seeds, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["unmatched_seeds"] == ["https://nowhere.example/"]

    pages = nx.DiGraph()
    pages.add_nodes_from(url for s, t, _, _ in edges for url in (s, t))
    pages.add_edges_from((s, t) for s, t, _, _ in edges if s != t)
    domain_of = {url: domain for s, t, sd, td in edges for url, domain in ((s, sd), (t, td))}
    seed_pages = {url for url in pages if domain_of[url] == TARGET_DOMAIN} | {trusted_page}
    assert report["trust_seed_pages"] == len(seed_pages) > 1
    jump = {url: 1.0 if url in seed_pages else 0.0 for url in pages}
    expected = nx.pagerank(
        pages, alpha=0.85, personalization=jump, dangling=jump, tol=NX_TOL, max_iter=10_000
    )
    rows = stored(db, "page")
    for url, trust in expected.items():
        assert rows[url]["trust"] == pytest.approx(trust, abs=MATCH), url
        assert rows[url]["spam_mass"] <= 1.0 + 1e-9
    # Spam mass with the paper's good fraction (0.85): the core is at most
    # partly spam-fed, and a page the core cannot reach is all spam-fed.
    reached = set(seed_pages).union(*(nx.descendants(pages, seed) for seed in seed_pages))
    assert all(rows[url]["spam_mass"] < 1.0 - 1e-6 for url in seed_pages)
    unreached = [url for url in pages if url not in reached]
    assert unreached
    assert all(rows[url]["spam_mass"] == pytest.approx(1.0, abs=1e-9) for url in unreached)
    domain_rows = stored(db, "domain")
    assert domain_rows[TARGET_DOMAIN]["trust"] > 0
    assert domain_rows[domain_of[trusted_page]]["trust"] > 0
    assert all(row["spam_mass"] is not None for row in domain_rows.values())


def test_proposed_trust_seeds_lead_the_inverse_pagerank_of_domains(
    db: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("rank", "--db", db, "--propose-seeds", "3", "--json")
    assert result.exit_code == 0, result.stderr
    proposed = json.loads(result.stdout)["proposed_seeds"]
    domains = nx.DiGraph()
    for _, _, sd, td in followed_edges(db):
        domains.add_nodes_from((sd, td))
        if sd != td:
            domains.add_edge(sd, td)
    inverse = nx.pagerank(domains.reverse(), alpha=0.85, tol=NX_TOL, max_iter=10_000)
    assert len(proposed) == len(set(proposed)) == 3
    others = max(score for domain, score in inverse.items() if domain not in proposed)
    assert min(inverse[domain] for domain in proposed) >= others - MATCH
    scores = [inverse[domain] for domain in proposed]
    assert all(later <= earlier + MATCH for earlier, later in itertools.pairwise(scores))
    shown = cli("rank", "--db", db, "--propose-seeds", "2", "--top", "1")
    assert "Trust seeds to review" in shown.stdout
    assert proposed[0] in shown.stdout


def test_the_summary_table_lists_the_best_pages(db: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("rank", "--db", db, "--top", "2")
    assert result.exit_code == 0, result.stderr
    assert "Ranked snapshot" in result.stdout
    assert f"https://www.{TARGET_DOMAIN}/" in result.stdout
    assert "Top domains" in result.stdout


def test_an_empty_project_says_there_is_nothing_to_rank(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    empty = tmp_path / "empty.duckdb"
    Store.open(empty).close()
    result = cli("rank", "--db", empty)
    assert result.exit_code == 2
    assert "holds no snapshot to rank" in result.stderr
    shown = cli("rank", "--db", empty, "--show")
    assert shown.exit_code == 2
    assert "has scores" in shown.stderr
    assert "linkequity rank --db" in shown.stderr


def test_a_project_of_nofollow_links_has_no_graph(tmp_path: Path) -> None:
    db = tmp_path / "nofollow.duckdb"
    with Store.open(db) as store, store.transaction():
        snapshot = store.begin_snapshot(kind="import")
        file_id, _ = store.register_file(
            sha256="x", path="x.csv", tool="ahrefs", export_format=None, kind="backlinks",
            snapshot_id=snapshot,
        )  # fmt: skip
        sighting = LinkSighting("https://a.example/", "https://b.example/", 0, is_nofollow=True)
        store.write_link_sightings(snapshot, file_id, sightings_to_arrow([sighting]))
    with pytest.raises(Exception, match="has no followed link to rank") as err:
        rank_snapshot(db)
    assert "nofollow" in getattr(err.value, "hint", "")


def test_links_to_urls_the_store_lacks_are_named_as_damage(
    db: Path, cli: Callable[..., CliResult]
) -> None:
    with duckdb.connect(str(db)) as conn:
        conn.execute(
            """INSERT INTO links (id, source_url_id, target_url_id, anchor_key, anchor,
                is_target_inferred, first_snapshot_id, last_snapshot_id)
            SELECT max(id) + 1, 1, max(id) + 1000, '', '', false, 1, 1 FROM links"""
        )
    result = cli("rank", "--db", db)
    assert result.exit_code == 2
    assert "refer to URLs that its urls table does not hold" in result.stderr


def foreign_duckdb(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE links (a INTEGER)")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no project at"),
        (b"not a database at all\n" * 4, "not a linkequity store"),
        (foreign_duckdb, "is a DuckDB database but not a linkequity store"),
    ],
)
def test_a_missing_or_foreign_file_is_refused(
    tmp_path: Path,
    cli: Callable[..., CliResult],
    content: bytes | Callable[[Path], None] | None,
    message: str,
) -> None:
    path = tmp_path / "project.duckdb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        content(path)
    result = cli("rank", "--db", path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_an_unknown_snapshot_and_unusable_seeds_are_refused(
    db: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("rank", "--db", db, "--snapshot", "999")
    assert result.exit_code == 2
    assert "has no snapshot 999" in result.stderr
    assert cli("rank", "--db", db, "--snapshot", "1", "--json").exit_code == 0
    assert cli("rank", "--db", db, "--show", "--snapshot", "999").exit_code == 2
    for content in (None, "# nothing trusted\n"):
        seeds = tmp_path / f"seeds-{content is None}.txt"
        if content is not None:
            seeds.write_text(content, encoding="utf-8")
        result = cli("rank", "--db", db, "--trust-seeds", seeds)
        assert result.exit_code == 2
        assert ("cannot read" if content is None else "lists no trusted") in result.stderr
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("nowhere.example\n", encoding="utf-8")
    result = cli("rank", "--db", db, "--trust-seeds", seeds)
    assert result.exit_code == 2
    assert "none of the 1 trust seeds" in result.stderr
    seeds.write_text("http://\n", encoding="utf-8")
    result = cli("rank", "--db", db, "--trust-seeds", seeds)
    assert result.exit_code == 2
    assert "line 1" in result.stderr


@pytest.mark.parametrize("highest", [40, 10**12])
def test_url_ids_map_to_dense_node_ids_dense_or_sparse(highest: int) -> None:
    from linkequity.services.rank import _node_numbering

    url_ids = np.array([3, 7, 9, highest], dtype=np.int64)
    node_of = _node_numbering(url_ids)
    assert node_of(np.array([highest, 3, 9, 7, 3], dtype=np.int64)).tolist() == [3, 0, 2, 1, 0]
    absent = np.array([0, 4, highest + 1, highest * 2, -5], dtype=np.int64)
    assert node_of(absent).tolist() == [-1] * 5


def test_progress_names_each_phase_on_a_terminal(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(render, "stderr", Console(file=buffer, force_terminal=True, width=100))
    told: list[str] = []
    with render.rank_progress(enabled=True) as tell:
        assert tell is not None

        def record(phase: str) -> None:
            told.append(phase)
            tell(phase)

        report = rank_snapshot(db, on_phase=record)
    assert told == ["load", "rank", "domains", "write"]
    assert list(report.timings_s) == told
    assert "writing the scores" in buffer.getvalue()
    with render.rank_progress(enabled=False) as silent:
        assert silent is None


def test_show_prints_the_stored_scores(db: Path, cli: Callable[..., CliResult]) -> None:
    assert cli("rank", "--db", db, "--json").exit_code == 0
    result = cli("rank", "--db", db, "--show", "--top", "1")
    assert result.exit_code == 0, result.stderr
    assert "Scores of snapshot" in result.stdout
    assert f"https://www.{TARGET_DOMAIN}/" in result.stdout
    seeds = cli("rank", "--db", db, "--show", "--trust-seeds", db)
    assert seeds.exit_code == 2
    assert "--show reads stored scores" in seeds.stderr


@pytest.mark.slow  # writing and ingesting the sample web's archive takes a few seconds
def test_an_ingested_crawl_ranks_as_networkx_does_without_its_nofollow_links(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    archive = tmp_path / "web.warc.gz"
    write_warc(generate_web(1, sites=14, pages=140), archive)
    db = tmp_path / "web.duckdb"
    ingest_archives([archive], db=db, workers=1)
    result = cli("rank", "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)

    unfollowed = query(
        db, "SELECT count(*) FROM links WHERE is_nofollow OR is_sponsored OR is_ugc"
    )[0][0]
    assert unfollowed > 0
    edges = followed_edges(db)
    pages = nx.DiGraph()
    pages.add_nodes_from(url for s, t, _, _ in edges for url in (s, t))
    pages.add_edges_from((s, t) for s, t, _, _ in edges if s != t)
    expected = nx.pagerank(pages, alpha=0.85, tol=NX_TOL, max_iter=10_000)
    rows = stored(db, "page")
    assert report["pages"] == len(rows) == len(expected)
    for url, score in expected.items():
        assert rows[url]["pagerank"] == pytest.approx(score, abs=MATCH), url
