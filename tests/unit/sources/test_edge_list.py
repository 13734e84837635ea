"""Edge-list files: plain or gzip, comments, 0- or 1-based ids, labels, weights, bad lines."""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.errors import UsageError
from linkequity.sources.edge_list import EdgeList, read_edge_list, read_node_weights

if TYPE_CHECKING:
    from pathlib import Path


def write(tmp_path: Path, text: str | bytes, name: str = "edges.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def pairs(edges: EdgeList) -> list[tuple[int, int]]:
    return list(zip(edges.sources.tolist(), edges.targets.tolist(), strict=True))


def test_snap_file_with_comments_reads_as_0_based_ids(tmp_path: Path) -> None:
    text = "# Directed graph\n# FromNodeId\tToNodeId\n0\t1\n1\t2\n% mid-file\n# another\n4\t0\n"
    edges = read_edge_list(write(tmp_path, text))
    assert pairs(edges) == [(0, 1), (1, 2), (4, 0)]
    assert edges.n_nodes == 5  # id 3 names no line: an isolated node
    assert edges.weights is None
    assert edges.node_names([4, 0]).to_pylist() == [4, 0]


def test_gzip_is_told_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    packed = write(tmp_path, gzip.compress(b"0 1\n1 0\n"), "edges.txt")
    plain = write(tmp_path, "0 1\n1 0\n", "edges.txt.gz")
    assert pairs(read_edge_list(packed)) == pairs(read_edge_list(plain)) == [(0, 1), (1, 0)]


def test_1_based_ids_number_nodes_from_1(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "1 2\n3 1\n"), base=1)
    assert pairs(edges) == [(0, 1), (2, 0)]
    assert edges.n_nodes == 3
    assert edges.node_names([0, 2]).to_pylist() == [1, 3]


def test_id_0_with_base_1_names_its_line_and_says_drop_base(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"edges.txt, line 3: id 0 is below the base 1") as err:
        read_edge_list(write(tmp_path, "# c\n1 2\n0 1\n"), base=1)
    assert "drop --base 1" in err.value.hint


def test_labels_are_numbered_in_sorted_order(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "b.example a.example\n# c\nc a.example\n"), labels=True)
    assert edges.labels is not None
    assert edges.labels.to_pylist() == ["a.example", "b.example", "c"]
    assert pairs(edges) == [(1, 0), (2, 0)]
    assert edges.node_names([2, 1]).to_pylist() == ["c", "b.example"]


def test_weights_are_the_third_column(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "0 1 2.5\n1 0 1e3\n"))
    assert edges.weights is not None
    assert edges.weights.tolist() == [2.5, 1000.0]


def test_blank_runs_tabs_crlf_and_blank_lines_are_all_separators(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "  0 \t 1  \r\n\r\n1\t\t2\r\n   \n2 0 \n"))
    assert pairs(edges) == [(0, 1), (1, 2), (2, 0)]


def test_matrix_market_header_sets_base_1_and_the_node_count(tmp_path: Path) -> None:
    text = "%%MatrixMarket matrix coordinate pattern general\n% comment\n5 5 2\n1 2\n3 1\n"
    edges = read_edge_list(write(tmp_path, text))
    assert edges.base == 1
    assert pairs(edges) == [(0, 1), (2, 0)]
    assert edges.n_nodes == 5


def test_skip_passes_over_a_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, "start end\n1 2\n")
    with pytest.raises(UsageError, match=r"line 1: 'start' is not an integer id") as err:
        read_edge_list(path)
    assert "--skip" in err.value.hint
    assert "--labels" in err.value.hint
    assert pairs(read_edge_list(path, skip=1, base=1)) == [(0, 1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 1\n1 2 3\n", r"line 2: 3 fields where 2 fields as on the lines before"),
        ("0 1\n1\n", r"line 2: 1 field"),
        ("0 1 2 3\n", r"line 1: 4 fields where 2 or 3 fields were expected"),
        ("0 1\n# ok\n\n2 x\n", r"line 4: 'x' is not an integer id"),
        ("0 1 1\n1 0 -2\n", r"line 2: weight '-2' is not a finite number >= 0"),
        ("0 1 nan\n", r"line 1: weight 'nan'"),
        ("0 1 0.5\n1 2 heavy\n", r"line 2: weight 'heavy'"),
        ("0 1\n-1 2\n", r"line 2: id -1 is below the base 0"),
        ("0 1\n1 2 # note\n", r"line 2: 4 fields"),
        ("0 1\n1 99999999999999999999\n", r"line 2: id '99999999999999999999' does not fit"),
        ("%%MatrixMarket matrix coordinate\n3 3\n1 2\n", r"line 2: a Matrix Market file needs"),
    ],
)
def test_a_bad_line_is_named_by_file_and_number(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as err:
        read_edge_list(write(tmp_path, text))
    assert str(tmp_path / "edges.txt") in str(err.value)
    assert err.value.hint


@pytest.mark.parametrize(
    "text",
    [
        "a\tb 2\nb\tc 1\n",
        "a b\t2\nb c\t1\n",
        "a b 2\r\nb c 1\r\n",
        "a b 2\n# c d 1\n%e\nb c 1\n",
        " a  b 2 \nb c 1\n",
    ],
)
def test_labels_are_split_on_every_blank(tmp_path: Path, text: str) -> None:
    edges = read_edge_list(write(tmp_path, text), labels=True)
    assert edges.labels is not None
    assert edges.labels.to_pylist() == ["a", "b", "c"]
    assert pairs(edges) == [(0, 1), (1, 2)]
    assert edges.weights is not None
    assert edges.weights.tolist() == [2.0, 1.0]


def test_a_bad_label_line_is_named_too(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"line 2: 3 fields where 2"):
        read_edge_list(write(tmp_path, "a b\nc d e\n"), labels=True)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n  \n"])
def test_a_file_without_edges_reads_as_an_empty_graph(tmp_path: Path, text: str) -> None:
    edges = read_edge_list(write(tmp_path, text))
    assert edges.n_lines == 0
    assert edges.n_nodes == 0


@pytest.mark.parametrize(("keyword", "value"), [("base", 2), ("skip", -1)])
def test_a_base_other_than_0_or_1_and_a_negative_skip_are_refused(
    tmp_path: Path, keyword: str, value: int
) -> None:
    with pytest.raises(UsageError, match=f"{keyword} must be"):
        read_edge_list(write(tmp_path, "0 1\n"), **{keyword: value})


def test_missing_and_damaged_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        read_edge_list(tmp_path / "absent.txt")
    with pytest.raises(UsageError, match="gzip file but cannot be unpacked"):
        read_edge_list(write(tmp_path, gzip.compress(b"0 1\n" * 100)[:15]))


def test_sparse_huge_ids_are_refused_with_the_labels_hint(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ids run up to") as err:
        read_edge_list(write(tmp_path, "0 4000000000\n"))
    assert "--labels" in err.value.hint
    edges = read_edge_list(write(tmp_path, "0 4000000000\n"), labels=True)
    assert edges.n_nodes == 2


def test_node_weights_follow_the_edge_lists_numbering(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "1 2\n2 3\n"), base=1)
    seeds = read_node_weights(write(tmp_path, "# seeds\n3 2\n1 0.5\n3 1\n", "seeds.txt"), edges)
    assert seeds.tolist() == [0.5, 0.0, 3.0]
    plain = read_node_weights(write(tmp_path, "2\n", "plain.txt"), edges)
    assert plain.tolist() == [0.0, 1.0, 0.0]


def test_node_weights_by_label_and_unknown_ids(tmp_path: Path) -> None:
    edges = read_edge_list(write(tmp_path, "a b\nb c\n"), labels=True)
    assert read_node_weights(write(tmp_path, "c\n", "seeds.txt"), edges).tolist() == [0, 0, 1]
    with pytest.raises(UsageError, match=r"2 ids are not nodes of the graph \(first: x, y\)"):
        read_node_weights(write(tmp_path, "x\nb\ny\n", "bad.txt"), edges)
    numbered = read_edge_list(write(tmp_path, "0 1\n", "n.txt"))
    with pytest.raises(UsageError, match=r"1 ids are not nodes of the graph \(first: 7\)"):
        read_node_weights(write(tmp_path, "7\n", "seven.txt"), numbered)
    with pytest.raises(UsageError, match="lists no node"):
        read_node_weights(write(tmp_path, "# none\n", "none.txt"), numbered)
    with pytest.raises(UsageError, match=r"line 2: weight '-1'"):
        read_node_weights(write(tmp_path, "0 1\n1 -1\n", "negative.txt"), numbered)
    with pytest.raises(UsageError, match="every weight is 0"):
        read_node_weights(write(tmp_path, "0 0\n", "zero.txt"), numbered)


@settings(max_examples=40, deadline=None)
@given(
    edges=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.floats(0, 1e6, allow_subnormal=False)),
        min_size=1,
        max_size=40,
    ),
    separator=st.sampled_from(["\t", " ", "  ", " \t"]),
    is_weighted=st.booleans(),
    is_gzipped=st.booleans(),
    base=st.sampled_from([0, 1]),
)
def test_any_formatting_reads_back_the_edges_written(
    tmp_path_factory: pytest.TempPathFactory,
    edges: list[tuple[int, int, float]],
    separator: str,
    is_weighted: bool,
    is_gzipped: bool,
    base: int,
) -> None:
    lines = [
        separator.join([str(s + base), str(t + base)] + ([repr(w)] if is_weighted else []))
        for s, t, w in edges
    ]
    text = ("# written by a test\n" + "\n".join(lines) + "\n").encode()
    path = tmp_path_factory.mktemp("edges") / "e"
    path.write_bytes(gzip.compress(text) if is_gzipped else text)
    read = read_edge_list(path, base=base)
    assert pairs(read) == [(s, t) for s, t, _ in edges]
    assert read.n_nodes == max(max(s, t) for s, t, _ in edges) + 1
    if is_weighted:
        assert read.weights is not None
        np.testing.assert_array_equal(read.weights, [w for _, _, w in edges])
    else:
        assert read.weights is None
