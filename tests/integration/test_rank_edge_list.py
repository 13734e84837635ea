"""`linkequity graph rank EDGES`: the PageRank of any edge-list file, through the CLI."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

import numpy as np
import pytest
from tests.conftest import SHARED_DATA

from linkequity.graph import LinkGraph, hits, pagerank, pagerank_report

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

HOLLINS = SHARED_DATA / "graphs" / "hollins"
HOLLINS_EDGES = HOLLINS / "hollins_edges.dat"
needs_hollins = pytest.mark.skipif(not HOLLINS_EDGES.exists(), reason="shared hollins graph absent")


def read_tsv(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return the header, the node column (as int) and the score columns of ``graph rank``."""
    lines = text.splitlines()
    header = lines[0].split("\t")
    rows = np.array([line.split("\t") for line in lines[1:]], dtype=object)
    return header, rows[:, 0].astype(np.int64), rows[:, 1:].astype(np.float64)


def hollins_graph() -> tuple[LinkGraph, list[str]]:
    """The hollins.edu graph read independently: 1-based ids in the file, a header line."""
    edges = np.loadtxt(HOLLINS_EDGES, skiprows=1, dtype=np.int64, ndmin=2)
    urls = [
        line.split(maxsplit=1)[1].strip()
        for line in (HOLLINS / "hollins_nodes_urls.dat")
        .read_text(encoding="utf-8")
        .splitlines()[1:]
    ]
    return LinkGraph.from_arrays(edges[:, 0] - 1, edges[:, 1] - 1, len(urls)), urls


@needs_hollins
def test_hollins_ranks_the_site_root_first_as_pagerank_does(
    cli: Callable[..., CliResult],
) -> None:
    result = cli("graph", "rank", HOLLINS_EDGES, "--skip", "1", "--base", "1")
    assert result.exit_code == 0, result.stderr
    header, nodes, scores = read_tsv(result.stdout)
    graph, urls = hollins_graph()
    expected = pagerank(graph)
    assert header == ["node", "pagerank"]
    assert sorted(nodes.tolist()) == list(range(1, graph.n_nodes + 1))
    assert urls[nodes[0] - 1] == "http://www.hollins.edu/"
    assert nodes[0] - 1 == int(np.argmax(expected))
    np.testing.assert_allclose(scores[:, 0], expected[nodes - 1], rtol=0, atol=1e-15)
    assert np.all(np.diff(scores[:, 0]) <= 0)


@needs_hollins
def test_a_gzip_copy_ranks_the_same_and_json_tops_agree(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    packed = tmp_path / "hollins.bin"
    packed.write_bytes(gzip.compress(HOLLINS_EDGES.read_bytes()))
    plain = cli("graph", "rank", HOLLINS_EDGES, "--skip", "1", "--base", "1", "--top", "5")
    zipped = cli("graph", "rank", packed, "--skip", "1", "--base", "1", "--top", "5")
    assert zipped.exit_code == 0, zipped.stderr
    assert zipped.stdout == plain.stdout
    assert len(plain.stdout.splitlines()) == 6
    as_json = cli(
        "graph", "rank", packed, "--skip", "1", "--base", "1", "--top", "5", "--format", "json"
    )
    document = json.loads(as_json.stdout)
    assert document["nodes"] == 6012
    assert document["edges"] == 23875
    assert document["personalized"] is False
    assert document["iterations"] == pagerank_report(hollins_graph()[0]).iterations > 10
    _, nodes, scores = read_tsv(plain.stdout)
    assert [row["node"] for row in document["scores"]] == nodes.tolist()
    assert [row["pagerank"] for row in document["scores"]] == scores[:, 0].tolist()


@needs_hollins
def test_personalized_rank_teleports_to_the_seeds(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# trusted\n100 3\n200 1\n", encoding="utf-8")
    output = tmp_path / "scores.tsv"
    result = cli(
        "graph", "rank", HOLLINS_EDGES, "--skip", "1", "--base", "1",
        "--personalize", seeds, "--output", output, "--damping", "0.7",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    _, nodes, scores = read_tsv(output.read_text(encoding="utf-8"))
    graph, _ = hollins_graph()
    teleport = np.zeros(graph.n_nodes)
    teleport[[99, 199]] = [3.0, 1.0]
    expected = pagerank(graph, damping=0.7, teleport=teleport)
    np.testing.assert_allclose(scores[:, 0], expected[nodes - 1], rtol=0, atol=1e-15)
    assert not np.allclose(expected, pagerank(graph, damping=0.7))


@needs_hollins
def test_a_rank_that_does_not_settle_says_to_lower_the_damping(
    cli: Callable[..., CliResult],
) -> None:
    result = cli("graph", "rank", HOLLINS_EDGES, "--skip", "1", "--base", "1", "--damping", "0.999")
    assert result.exit_code == 2
    assert "PageRank changed by" in result.stderr
    assert "Lower --damping" in result.stderr


def test_labels_weights_and_hits(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    edges = tmp_path / "edges.tsv"
    edges.write_text("% a labelled graph\nhub\tx 2\nhub\ty 1\nx\ty 1\ny\thub 1\n", encoding="utf-8")
    result = cli("graph", "rank", edges, "--labels", "--hits", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    by_node = {row["node"]: row for row in document["scores"]}
    graph = LinkGraph.from_arrays([0, 0, 1, 2], [1, 2, 2, 0], 3, weights=[2, 1, 1, 1])
    scores = pagerank(graph)
    hubs, authorities = hits(graph)
    for node, name in enumerate(["hub", "x", "y"]):
        assert by_node[name]["pagerank"] == pytest.approx(scores[node], abs=1e-15)
        assert by_node[name]["hub"] == pytest.approx(hubs[node], abs=1e-15)
        assert by_node[name]["authority"] == pytest.approx(authorities[node], abs=1e-15)
    assert [row["node"] for row in document["scores"]] == [
        ["hub", "x", "y"][node] for node in np.argsort(-scores, kind="stable")
    ]


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("0 1\n1 two\n", (), "line 2: 'two' is not an integer id"),
        ("1 2\n0 1\n", ("--base", "1"), "line 2: id 0 is below the base 1"),
        ("# nothing\n", (), "holds no edge"),
        ("0 1\n", ("--damping", "1"), "damping must be between 0 and 1"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, cli: Callable[..., CliResult], text: str, args: tuple[str, ...], message: str
) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text(text, encoding="utf-8")
    result = cli("graph", "rank", edges, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_an_unwritable_output_is_one_line(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n", encoding="utf-8")
    result = cli("graph", "rank", edges, "--output", tmp_path / "absent" / "scores.tsv")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert "folder exists" in result.stderr


def test_an_unknown_seed_is_named(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n", encoding="utf-8")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("1\n9\n", encoding="utf-8")
    result = cli("graph", "rank", edges, "--personalize", seeds)
    assert result.exit_code == 2
    assert "1 ids are not nodes of the graph (first: 9)" in result.stderr
