"""The Spark ranks benchmark still runs, on two tiny sample webs at a loose tolerance."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType

    from pyspark.sql import SparkSession


@pytest.mark.spark
@pytest.mark.slow
def test_the_spark_rank_benchmark_runs_and_writes_its_figures(
    spark: SparkSession,
    load_benchmark: Callable[[str], ModuleType],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    del spark  # running: the benchmark uses it rather than start a JVM of its own
    bench = load_benchmark("bench_spark_rank")

    figures = bench.main(
        ["--pages", "130", "--copies", "1,2", "--tol", "0.05", "--out", str(tmp_path)]
    )

    runs = figures["runs"]
    assert [run["copies"] for run in runs] == [1, 2]
    assert runs[1]["edges"] > runs[0]["edges"] > 0
    assert runs[0]["spark_scaling"] == 1.0
    assert all(run["spark_rounds"] == run["rounds"] for run in runs)
    assert all(run["spark_max_abs_diff"] <= 1e-9 for run in runs)
    assert json.loads((tmp_path / "bench_spark_rank-130.json").read_text()) == figures
    assert "scaling" in capsys.readouterr().out
