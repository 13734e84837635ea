"""The store benchmark still runs, at a few thousand links."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


@pytest.mark.slow
def test_the_store_benchmark_runs_and_writes_its_figures(
    load_benchmark: Callable[[str], ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_benchmark("bench_store")

    figures = bench.main(
        ["--links", "3000", "--batch", "1000", "--workdir", str(tmp_path), "--out", str(tmp_path)]
    )

    assert figures["duckdb"]["links"] == figures["sqlite"]["links"] > 2000
    assert json.loads((tmp_path / "bench_store-3000.json").read_text()) == figures
    assert "bytes per link" in capsys.readouterr().out
