"""The PageRank benchmark: its generated graphs, its readers, a small run of every contestant."""

from __future__ import annotations

import argparse
import gzip
import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


@pytest.fixture
def bench(load_benchmark: Callable[[str], ModuleType]) -> ModuleType:
    return load_benchmark("bench_graph")


def test_sizes_read_as_nodes_with_ten_edges_each(bench: ModuleType) -> None:
    assert bench.parse_size("100k") == (100_000, 1_000_000)
    assert bench.parse_size("1M") == (1_000_000, 10_000_000)
    assert bench.parse_size("2500") == (2_500, 25_000)
    with pytest.raises(argparse.ArgumentTypeError, match="say 100k"):
        bench.parse_size("lots")


def test_generated_graphs_are_simple_and_have_the_asked_size(bench: ModuleType) -> None:
    n, m = 10_000, 100_000

    src, dst = bench.power_law_edges(n, m, seed=3)

    assert src.size == dst.size == m
    assert min(src.min(), dst.min()) >= 0
    assert max(src.max(), dst.max()) < n
    assert not np.any(src == dst)
    assert np.unique(src * n + dst).size == m
    again = bench.power_law_edges(n, m, seed=3)
    other = bench.power_law_edges(n, m, seed=4)
    assert np.array_equal(again[0], src)
    assert np.array_equal(again[1], dst)
    assert not np.array_equal(other[1], dst)


def test_generated_graphs_have_dangling_nodes_and_a_web_like_in_degree_tail(
    bench: ModuleType,
) -> None:
    n, m = 50_000, 500_000

    src, dst = bench.power_law_edges(n, m, seed=1)

    dangling = np.count_nonzero(np.bincount(src, minlength=n) == 0)
    assert bench.DANGLING_SHARE * n <= dangling < 2 * bench.DANGLING_SHARE * n
    # Maximum-likelihood exponent of the in-degree tail (Clauset et al. 2009, discrete approx.)
    in_degree = np.bincount(dst, minlength=n)
    k_min = 20
    tail = in_degree[in_degree >= k_min]
    exponent = 1 + tail.size / np.log(tail / (k_min - 0.5)).sum()
    assert abs(exponent - bench.IN_EXPONENT) < 0.25
    # Sources are skewed too, but less: the largest out-degree is well below the largest in-degree.
    assert np.bincount(src).max() < in_degree.max()


def test_the_uk1996_reader_numbers_hosts_in_sorted_order(bench: ModuleType, tmp_path: Path) -> None:
    if not bench.UK1996_HOSTS.is_file():
        pytest.skip(f"no host graph at {bench.UK1996_HOSTS}")
    pairs = set()
    names = set()
    with gzip.open(bench.UK1996_HOSTS, "rt", encoding="utf-8") as lines:
        for line in lines:
            _, source, target = line.split("\t")[0].split("|")
            names.update((source, target))
            if source != target:
                pairs.add((source, target))
    name_of = sorted(names)

    graph = bench.uk1996_graph(cache=tmp_path)

    src, dst = graph.load()
    assert graph.n_nodes == len(name_of)
    assert graph.n_edges == len(pairs)
    assert graph.n_dangling == len(names - {source for source, _ in pairs})
    assert {
        (name_of[s], name_of[d]) for s, d in zip(src.tolist(), dst.tolist(), strict=True)
    } == pairs
    assert bench.uk1996_graph(cache=tmp_path) == graph


@pytest.mark.slow
def test_every_contestant_ranks_the_same_vector_and_the_tables_print(
    bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for module in ("igraph", "networkit", "sknetwork", "networkx"):
        pytest.importorskip(module)

    figures = bench.main(
        ["--sizes", "3k", "--real", "none", "--bandwidth-mib", "64", "--out", str(tmp_path)]
    )

    (table,) = figures["graphs"]
    rows = table["rows"]
    assert set(rows) == {"linkequity", *bench.PEERS}
    assert all(row["rank_s"] > 0 and row["build_s"] > 0 for row in rows.values())
    # Same damping, same dangling rule, same tolerance: the same vector, but for
    # sknetwork, whose operator treats dangling nodes its own way.
    for name in ("igraph", "networkit", "networkit-1t", "networkx"):
        assert rows[name]["l1_vs_ours"] < 1e-8, name
    assert rows["sknetwork"]["l1_vs_ours"] > 1e-6
    assert rows["networkit"]["iterations"] == rows["linkequity"]["iterations"]
    assert table["goals"]["bandwidth"]["ms"] > 0
    assert json.loads((tmp_path / "bench_graph-3k.json").read_text()) == figures
    out = capsys.readouterr().out
    assert "ours vs igraph: total time" in out
    assert "goal within 2x the bandwidth bound" in out
    assert not list(tmp_path.glob("scores-*"))


def test_a_contestant_that_cannot_fit_is_skipped_with_its_reason(
    bench: ModuleType, tmp_path: Path
) -> None:
    def graph(n_edges: int) -> object:
        return bench.GraphFiles(
            f"{n_edges}", n_edges // 10, n_edges, 0, tmp_path / "s", tmp_path / "d", "test"
        )

    args = argparse.Namespace(networkx_max_edges=2_000_000)
    huge, small = graph(10**11), graph(10_000)

    assert "GiB available" in bench.skip_reason("igraph", huge, [], args)
    assert "--networkx-max-edges" in bench.skip_reason("networkx", graph(3_000_000), [], args)
    assert bench.skip_reason("networkx", small, [], args) is None
    ran = {"build_s": 1.0, "rank_s": 2.0, "peak_rss_bytes": 300, "rss_before_build_bytes": 100}
    estimate = bench.estimate_from("networkx", graph(100_000), [(small, {"networkx": ran})])
    assert estimate["from"] == small.name
    assert estimate["build_s"] == pytest.approx(10.0)
    assert estimate["rank_s"] == pytest.approx(20.0)
    assert estimate["peak_rss_bytes"] == pytest.approx(100 + 200 * 10)
    assert bench.estimate_from("igraph", huge, [(small, {"networkx": ran})]) is None
