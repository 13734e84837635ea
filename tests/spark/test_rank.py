"""The Spark ranks against graph/: the same graph, the same rounds, the same scores.

The sample web (written as WARC, ingested by the local engine, exported as the
exchange Parquet tables) is ranked by ``spark.rank`` and, from the same
Parquet rows, by graph/ the way ``linkequity rank`` builds its graph; the
scores must agree within 1e-9 (max abs diff), dangling nodes included. Spark
runs about one job a round, a second or more on a busy machine: the default
cases run at a loose tolerance on both sides (the rounds, hence the scores,
are the same whatever the tolerance; the tests check the round counts too),
and the ``slow`` cases at linkequity's 1e-10, against ``linkequity rank``'s
stored scores and on the hollins.edu crawl.
"""

from __future__ import annotations

import csv
import shutil
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.conftest import SHARED_DATA
from typer.testing import CliRunner

from linkequity.cli.app import app
from linkequity.errors import NotConverged, UsageError
from linkequity.graph import (
    LinkGraph,
    assign_ids,
    page_authority,
    pagerank,
    rollup,
    spam_mass,
    trustrank,
)
from linkequity.graph.centrality import harmonic_centrality
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.exchange import export_parquet
from linkequity.services.ingest import ingest_archives
from linkequity.services.rank import rank_snapshot
from linkequity.spark.cc_ranks import CC_HEADER, CC_RANKS_FILE
from linkequity.spark.extract import extract_archives
from linkequity.spark.pagerank import canonical_edges, spark_pagerank
from linkequity.spark.rank import GOOD_FRACTION, rank_links

if TYPE_CHECKING:
    from pathlib import Path

    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

#: Largest difference allowed between a Spark score and graph/'s.
EXACT = 1e-9
#: The loose tolerance of the default cases (a few rounds of Spark jobs).
LOOSE_TOL = 0.05
DAMPING = 0.85


class LocalLevel:
    """One level ranked by graph/ from the exchange tables, keyed by name."""

    def __init__(
        self, names: list[str], graph: LinkGraph, seeds: npt.NDArray[np.int64], tol: float
    ) -> None:
        self.names = names
        self.graph = graph
        x = pagerank(graph, damping=DAMPING, tol=tol)
        self.pagerank = x
        self.authority = page_authority(graph, pagerank_scores=x).authority
        self.trust = trustrank(graph, seeds, damping=DAMPING, tol=tol)
        self.spam_mass = spam_mass(
            graph,
            seeds,
            damping=DAMPING,
            good_fraction=GOOD_FRACTION,
            pagerank_scores=x,
            tol=tol,
        ).relative

    def column(self, name: str) -> dict[str, float]:
        values = getattr(self, name)
        return dict(zip(self.names, values.tolist(), strict=True))


def local_level(exchange: Path, level: str, seed_domains: list[str], *, tol: float) -> LocalLevel:
    """Rank *level* with graph/ as ``services.rank.rank_snapshot`` builds the graph."""
    links = pq.read_table(exchange / "links.parquet")
    is_ranked = pc.and_(
        pc.is_null(links["lost_at"]),
        pc.invert(
            pc.or_(
                pc.or_(
                    pc.fill_null(links["is_nofollow"], False),
                    pc.fill_null(links["is_sponsored"], False),
                ),
                pc.fill_null(links["is_ugc"], False),
            )
        ),
    )
    links = links.filter(is_ranked)
    sources = links["source_url_id"].to_numpy()
    targets = links["target_url_id"].to_numpy()
    url_ids = np.unique(np.concatenate([sources, targets]))
    urls = pq.read_table(exchange / "urls.parquet").to_pydict()
    row_of = {url_id: row for row, url_id in enumerate(urls["id"])}
    rows = [row_of[int(url_id)] for url_id in url_ids]
    pages = LinkGraph.from_arrays(
        np.searchsorted(url_ids, sources), np.searchsorted(url_ids, targets), url_ids.size
    )
    domain_of_page = [urls["domain"][row] for row in rows]
    is_seed_page = np.isin(np.asarray(domain_of_page, dtype=object), seed_domains)
    if level == "page":
        names = [urls["url"][row] for row in rows]
        return LocalLevel(names, pages, np.flatnonzero(is_seed_page), tol)
    keys = [urls[level][row] for row in rows]
    group_of_page, names = assign_ids(keys)
    graph = rollup(pages, group_of_page, len(names))
    return LocalLevel(names, graph, np.unique(group_of_page[is_seed_page]), tol)


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The smallest sample web, ingested from its WARC: the project and its Parquet export."""
    folder = tmp_path_factory.mktemp("spark-rank")
    write_warc(generate_web(1, sites=14, pages=130), folder / "web.warc.gz")
    db = folder / "web.duckdb"
    ingest_archives([folder / "web.warc.gz"], db=db, workers=1)
    export_parquet(db, folder / "exchange")
    return db, folder / "exchange"


@pytest.fixture(scope="module")
def seed_domains(sample_project: tuple[Path, Path]) -> list[str]:
    """Two domains of the sample web, as a person would list trusted sites."""
    domains = pq.read_table(sample_project[1] / "urls.parquet")["domain"].to_pylist()
    return sorted(set(domains))[:2]


@pytest.fixture(scope="module")
def seeds_file(tmp_path_factory: pytest.TempPathFactory, seed_domains: list[str]) -> Path:
    path = tmp_path_factory.mktemp("seeds") / "seeds.txt"
    path.write_text("# trusted\n" + "\n".join(seed_domains) + "\n", encoding="utf-8")
    return path


def spark_ranks(out: Path, level: str) -> dict[str, dict[str, Any]]:
    """Read a level's ranks written by Spark, keyed by name."""
    name = {"page": "url", "host": "host", "domain": "domain"}[level]
    table = pq.read_table(out / f"{level}_ranks.parquet").to_pylist()
    return {row[name]: row for row in table}


def max_diff(spark: dict[str, dict[str, Any]], local: dict[str, float], column: str) -> float:
    assert set(spark) == set(local)
    return max(abs(spark[name][column] - value) for name, value in local.items())


@pytest.mark.parametrize("level", ["page", "domain"])
def test_spark_ranks_equal_graph_ranks(
    spark: SparkSession,
    sample_project: tuple[Path, Path],
    seed_domains: list[str],
    seeds_file: Path,
    tmp_path: Path,
    level: str,
) -> None:
    _, exchange = sample_project
    report = rank_links(
        str(exchange),
        str(tmp_path),
        level=level,
        trust_seeds=seeds_file,
        tol=LOOSE_TOL,
        session=spark,
    )
    local = local_level(exchange, level, seed_domains, tol=LOOSE_TOL)
    ranks = spark_ranks(tmp_path, level)
    assert report.nodes == local.graph.n_nodes
    assert report.edges == local.graph.n_edges
    assert np.any(local.graph.out_degree() == 0), "the case must hold dangling nodes"
    for column in ("pagerank", "authority", "trust", "spam_mass"):
        assert max_diff(ranks, local.column(column), column) <= EXACT, column
    assert report.trust_seeds > 0
    assert report.unmatched_seeds == ()


def test_host_ranks_and_cc_rank_file(
    spark: SparkSession,
    sample_project: tuple[Path, Path],
    seed_domains: list[str],
    tmp_path: Path,
) -> None:
    _, exchange = sample_project
    report = rank_links(
        str(exchange), str(tmp_path), level="host", cc_ranks=True, tol=LOOSE_TOL, session=spark
    )
    local = local_level(exchange, "host", seed_domains, tol=LOOSE_TOL)
    ranks = spark_ranks(tmp_path, "host")
    assert max_diff(ranks, local.column("pagerank"), "pagerank") <= EXACT
    assert all(row["trust"] is None for row in ranks.values())
    assert report.harmonic is True

    lines = (tmp_path / CC_RANKS_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0] == CC_HEADER
    rows = list(csv.reader(lines[1:], delimiter="\t"))
    assert len(rows) == local.graph.n_nodes
    harmonic = dict(zip(local.names, harmonic_centrality(local.graph).tolist(), strict=True))
    by_host = {".".join(reversed(row[4].split("."))): row for row in rows}
    assert set(by_host) == set(local.names)
    for host, row in by_host.items():
        assert float(row[1]) == pytest.approx(harmonic[host], abs=1e-12)
        assert abs(float(row[3]) - local.column("pagerank")[host]) <= EXACT
    # Lines follow the harmonic positions 1..n; both orders are by value, ties by host_rev.
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    keys = [(-float(row[1]), row[4]) for row in rows]
    assert keys == sorted(keys)
    by_pr = sorted(rows, key=lambda row: int(row[2]))
    assert [int(row[2]) for row in by_pr] == list(range(1, len(rows) + 1))
    pr_keys = [(-float(row[3]), row[4]) for row in by_pr]
    assert pr_keys == sorted(pr_keys)


def test_cc_rank_file_states_harmonic_absent_above_the_limit(
    spark: SparkSession, sample_project: tuple[Path, Path], tmp_path: Path
) -> None:
    _, exchange = sample_project
    report = rank_links(
        str(exchange),
        str(tmp_path),
        level="host",
        cc_ranks=True,
        tol=LOOSE_TOL,
        harmonic_max_work=1,
        session=spark,
    )
    assert report.harmonic is False
    lines = (tmp_path / CC_RANKS_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# harmonic centrality absent")
    assert lines[1] == CC_HEADER
    rows = list(csv.reader(lines[2:], delimiter="\t"))
    assert all(row[0] == "" and row[1] == "" for row in rows)
    assert [int(row[2]) for row in rows] == list(range(1, len(rows) + 1))
    scores = [float(row[3]) for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_rounds_match_graph_rounds_with_dangling_nodes(spark: SparkSession) -> None:
    # Node 3 dangles, node 4 is isolated, the 0 -> 0 self-link and a duplicate are no edges.
    sources, targets = [0, 0, 0, 1, 2, 2, 0], [1, 2, 1, 2, 0, 3, 0]
    graph = LinkGraph.from_arrays(sources, targets, 5)
    edges = canonical_edges(
        spark.createDataFrame(list(zip(sources, targets, strict=True)), "src long, dst long")
    )
    nodes = spark.range(5)
    for teleport in (None, [0, 0, 1, 0, 3]):
        with pytest.raises(NotConverged) as local:
            pagerank(graph, teleport=teleport, dangling=teleport, max_iter=3)
        frame = (
            None
            if teleport is None
            else spark.createDataFrame(
                list(enumerate(map(float, teleport))), "id long, weight double"
            )
        )
        with pytest.raises(NotConverged) as spark_run:
            spark_pagerank(edges, nodes, teleport=frame, max_iter=3)
        assert spark_run.value.iterations == local.value.iterations == 3
        assert np.abs(spark_run.value.scores - local.value.scores).max() <= EXACT


def test_cli_writes_ranks_and_reports_bad_input(
    spark: SparkSession, sample_project: tuple[Path, Path], tmp_path: Path
) -> None:
    del spark  # the command gets the running session
    _, exchange = sample_project
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "spark",
            "rank",
            str(exchange),
            "--out",
            str(out),
            "--level",
            "domain",
            "--tol",
            "0.01",
            "--master",
            "local[2]",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    assert (out / "domain_ranks.parquet").is_dir()

    bad = runner.invoke(app, ["spark", "rank", str(exchange), "--out", str(out), "--level", "site"])
    assert isinstance(bad.exception, UsageError)
    assert "--level must be page, host or domain" in str(bad.exception)
    missing = runner.invoke(app, ["spark", "rank", str(tmp_path / "nowhere"), "--out", str(out)])
    assert isinstance(missing.exception, UsageError)
    assert "holds no links.parquet" in str(missing.exception)


def test_seeds_matching_nothing_are_refused(
    spark: SparkSession, sample_project: tuple[Path, Path], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("nowhere.invalid-example\n", encoding="utf-8")
    with pytest.raises(UsageError, match="none of the 1 trust seeds"):
        rank_links(
            str(sample_project[1]), str(tmp_path), trust_seeds=seeds, tol=LOOSE_TOL, session=spark
        )


# About 50 s a level (some 140 Spark rounds for each of PageRank, TrustRank and
# anti-trust at 1e-10): the domain level, also checked against graph/ at a loose
# tolerance above, runs with the proofs (scripts/prove).
@pytest.mark.slow
@pytest.mark.parametrize("level", ["page", pytest.param("domain", marks=pytest.mark.prove)])
def test_spark_ranks_equal_linkequity_rank_at_its_tolerance(
    spark: SparkSession,
    sample_project: tuple[Path, Path],
    seeds_file: Path,
    tmp_path: Path,
    level: str,
) -> None:
    db, exchange = sample_project
    copy = tmp_path / "ranked.duckdb"
    shutil.copy(db, copy)
    rank_snapshot(copy, trust_seeds=seeds_file)
    with duckdb.connect(str(copy), read_only=True) as conn:
        pages = conn.execute(
            """SELECT u.url, m.pagerank, m.authority, m.trust, m.spam_mass
            FROM page_metrics m JOIN urls u ON u.id = m.url_id"""
        ).fetchall()
        domains = conn.execute(
            "SELECT domain, pagerank, authority, trust, spam_mass FROM domain_metrics"
        ).fetchall()
    stored = {"page": pages, "domain": domains}[level]
    rank_links(str(exchange), str(tmp_path), level=level, trust_seeds=seeds_file, session=spark)
    ranks = spark_ranks(tmp_path, level)
    for index, column in enumerate(("pagerank", "authority", "trust", "spam_mass"), start=1):
        local = {row[0]: row[index] for row in stored}
        assert max_diff(ranks, local, column) <= EXACT, column


@pytest.mark.slow
def test_ranks_of_extracted_shared_warcs_equal_linkequity_rank(
    spark: SparkSession, tmp_path: Path
) -> None:
    """Real archives, extracted by Spark and ingested locally, then ranked by each engine."""
    warc = SHARED_DATA / "warc"
    files = [
        warc / "whirlwind_cc" / "whirlwind.warc.gz",
        warc / "cc_wat_records" / "CC-MAIN-sample2.warc.wat.gz",
        warc / "resiliparse" / "warcfile.warc.gz",
    ]
    if not all(path.exists() for path in files):
        pytest.skip(f"{warc} is absent (shared/data not laid out here)")
    extract_archives([str(path) for path in files], str(tmp_path / "links"), session=spark)
    db = tmp_path / "local.duckdb"
    ingest_archives(files, db=db, workers=1)
    rank_snapshot(db)
    with duckdb.connect(str(db), read_only=True) as conn:
        stored = {
            "page": conn.execute(
                """SELECT u.url, m.pagerank, m.authority
                FROM page_metrics m JOIN urls u ON u.id = m.url_id"""
            ).fetchall(),
            "domain": conn.execute(
                "SELECT domain, pagerank, authority FROM domain_metrics"
            ).fetchall(),
        }
    for level, rows in stored.items():
        rank_links(str(tmp_path / "links"), str(tmp_path / "ranks"), level=level, session=spark)
        ranks = spark_ranks(tmp_path / "ranks", level)
        assert len(ranks) == len(rows) > 10
        for index, column in enumerate(("pagerank", "authority"), start=1):
            local = {row[0]: row[index] for row in rows}
            assert max_diff(ranks, local, column) <= EXACT, (level, column)


# A minute of Spark rounds; the sample web's cases above hold the same rule.
@pytest.mark.prove
def test_spark_pagerank_of_hollins_equals_graph_pagerank(spark: SparkSession) -> None:
    hollins = SHARED_DATA / "graphs" / "hollins" / "hollins_edges.dat"
    if not hollins.exists():
        pytest.skip(f"{hollins} is absent (shared/data not laid out here)")
    pairs = np.loadtxt(hollins, skiprows=1, dtype=np.int64, ndmin=2) - 1
    graph = LinkGraph.from_arrays(pairs[:, 0], pairs[:, 1], 6012)
    expected = pagerank(graph)
    edges = canonical_edges(spark.createDataFrame(pairs.tolist(), "src long, dst long"))
    ranked = spark_pagerank(edges, spark.range(6012))
    got = np.zeros(6012)
    for row in ranked.scores.collect():
        got[row["id"]] = row["pagerank"]
    assert np.abs(got - expected).max() <= EXACT
    assert int(np.argmax(got)) == 1  # the site root, node 2 of the file
