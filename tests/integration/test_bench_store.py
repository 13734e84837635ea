"""The store benchmark still runs, at a few thousand links."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_store.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_store", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_store_benchmark_runs_and_writes_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_benchmark()

    figures = bench.main(
        ["--links", "3000", "--batch", "1000", "--workdir", str(tmp_path), "--out", str(tmp_path)]
    )

    assert figures["duckdb"]["links"] == figures["sqlite"]["links"] > 2000
    assert json.loads((tmp_path / "bench_store-3000.json").read_text()) == figures
    assert "bytes per link" in capsys.readouterr().out
