"""The placement benchmark still runs, on three pages of each corpus."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


@pytest.mark.slow
def test_the_placement_benchmark_runs_and_writes_its_figures(
    load_benchmark: Callable[[str], ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("trafilatura")
    bench = load_benchmark("bench_placement")
    if not (bench.DATA / bench.AEB / "ground-truth.json").is_file():
        pytest.skip(f"no benchmark pages at {bench.DATA}")

    figures = bench.main(["--pages", "3", "--out", str(tmp_path)])

    assert figures is not None
    assert figures["pages"] == 3
    overall = figures["halves"]["all"]["overall"]
    assert overall["pages"] == 6
    assert overall["links"] > 0
    for name in ("linkequity", "trafilatura"):
        assert 0.0 <= overall[name]["f1"] <= 1.0
    halves = figures["halves"]
    assert halves["tuning"]["overall"]["pages"] + halves["held-out"]["overall"]["pages"] == 6
    assert json.loads((tmp_path / "bench_placement-3.json").read_text()) == figures
    assert "trafilatura P/R/F1" in capsys.readouterr().out


def test_the_placement_benchmark_skips_without_its_pages(
    load_benchmark: Callable[[str], ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_benchmark("bench_placement")

    figures = bench.main(["--data", str(tmp_path / "absent"), "--out", str(tmp_path)])

    assert figures is None
    assert "skipped" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
