"""The Spark benchmark still runs, on two tiny sample webs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType

    from pyspark.sql import SparkSession


# Some twenty Spark jobs a run, over a minute of fixed costs on two cores: run
# with the proofs (scripts/prove); the equalities of tests/spark run in CI.
@pytest.mark.spark
@pytest.mark.prove
def test_the_spark_benchmark_runs_and_writes_its_figures(
    spark: SparkSession,
    load_benchmark: Callable[[str], ModuleType],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    del spark  # running: the benchmark uses it rather than start a JVM of its own
    bench = load_benchmark("bench_spark")

    figures = bench.main(
        ["--pages", "130", "--sites", "14", "--copies", "1,2", "--out", str(tmp_path)]
    )

    runs = figures["runs"]
    assert [run["copies"] for run in runs] == [1, 2]
    assert runs[1]["records"] > runs[0]["records"] > 0
    assert runs[0]["spark_scaling"] == 1.0
    assert all(run["sightings"] > 0 and run["spark_s"] > 0 for run in runs)
    assert json.loads((tmp_path / "bench_spark-130.json").read_text()) == figures
    assert "scaling" in capsys.readouterr().out
