"""The gather-floor benchmark: masked rounds over the shipped rows, compared with each model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from linkequity.graph import LinkGraph

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


def test_a_masked_round_gathers_the_masked_ids(
    load_benchmark: Callable[[str], ModuleType],
) -> None:
    bench = load_benchmark("bench_gather_floor")
    # 0 -> 2, 1 -> 2, 5 -> 3: with ids masked to 2 bits, 5 reads the score of 1.
    graph = LinkGraph.from_arrays([0, 1, 5], [2, 2, 3], 6)
    rows = np.array([2, 3], dtype=np.int32)
    passed = np.array([1.0, 10.0, 0, 0, 0, 100.0])
    for mask, into_3 in ((3, 10.0), (0x7FFFFFFF, 100.0)):
        out = np.zeros(6)
        bench.masked_round(graph.in_indptr, graph.in_indices, rows, passed, out, mask)
        teleport = (1 - bench.DAMPING) / 6
        assert np.allclose(
            out[2:4], [teleport + bench.DAMPING * 11.0, teleport + bench.DAMPING * into_3]
        )
        assert not out[[0, 1, 4, 5]].any()


def test_a_run_times_every_mask_and_writes_its_figures(
    load_benchmark: Callable[[str], ModuleType], tmp_path: Path
) -> None:
    bench = load_benchmark("bench_gather_floor")

    rows = bench.main(
        ["--sizes", "2000", "--repeat", "2", "--bandwidth-mib", "8", "--out", str(tmp_path)]
    )

    (row,) = rows
    assert (row["graph"], row["n_nodes"]) == ("2000", 2_000)
    assert 0 < row["rows_gathered"] < 2_000  # the dangling nodes' rows are not gathered
    assert row["round_ms"].keys() == bench.MASKS.keys()
    for level, ms in row["round_ms"].items():
        assert ms > 0
        first, gather, line = row["ratio"][level].values()
        assert first > gather > line > 0  # each model allows more bytes than the one before
    saved = json.loads((tmp_path / "bench_gather_floor-2000.json").read_text())
    assert saved["rows"] == rows
