"""The round benchmark: each setting undoes one choice of the kernels and ranks alike."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from linkequity.graph import LinkGraph, _kernels

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


def test_each_setting_undoes_its_choice_and_puts_it_back(
    load_benchmark: Callable[[str], ModuleType],
) -> None:
    bench = load_benchmark("bench_rounds")
    graph = LinkGraph.from_arrays(np.arange(5), (np.arange(5) + 1) % 5, 5)
    shipped = _kernels.SEGMENT_NODES, _kernels._PARALLEL_ROUNDS_FROM

    with bench.setting("one pass", graph):
        assert _kernels.SEGMENT_NODES == 5
        assert shipped[1] == _kernels._PARALLEL_ROUNDS_FROM
    with bench.setting("one thread", graph):
        assert shipped[0] == _kernels.SEGMENT_NODES
        assert _kernels._PARALLEL_ROUNDS_FROM == 6

    assert shipped == (_kernels.SEGMENT_NODES, _kernels._PARALLEL_ROUNDS_FROM)


def test_a_run_on_hollins_times_every_setting_and_writes_its_figures(
    load_benchmark: Callable[[str], ModuleType], tmp_path: Path
) -> None:
    bench = load_benchmark("bench_rounds")

    rows = bench.main(
        ["--sizes", "none", "--real", "hollins", "--rounds", "200", "--repeat", "3"]
        + ["--out", str(tmp_path)]
    )

    (row,) = rows
    assert (row["graph"], row["n_nodes"], row["n_edges"], row["segments"]) == (
        "hollins", 6_012, 23_875, 1,
    )  # fmt: skip
    for name in bench.SETTINGS:
        assert np.isfinite(row[name]["ms_per_round"])
        assert row[name]["l1_vs_shipped"] < bench.SAME_VECTOR_L1
    assert row["shipped"]["ratio_to_shipped"] == 1.0
    saved = json.loads((tmp_path / "bench_rounds-hollins.json").read_text())
    assert saved["rows"] == rows
