"""The WARC ingestion benchmark still runs, on three pages."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType


@pytest.mark.slow
def test_the_ingest_benchmark_runs_and_writes_its_figures(
    load_benchmark: Callable[[str], ModuleType],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("lxml")
    bench = load_benchmark("bench_ingest")
    if not (bench.AEB / "ground-truth.json").is_file():
        pytest.skip(f"no benchmark pages at {bench.AEB}")

    figures = bench.main(["--pages", "3", "--copies", "2", "--repeat", "1", "--out", str(tmp_path)])

    assert figures is not None
    assert figures["responses"] == 6
    contenders = figures["contenders"]
    assert contenders["fastwarc (read only)"]["found"] == 12  # a request before each response
    assert contenders["warcio (read only)"]["found"] == 12
    assert contenders["linkequity"]["found"] > 0
    assert contenders["warcio+lxml"]["found"] > 0
    assert json.loads((tmp_path / "bench_ingest-6.json").read_text()) == figures
    assert "ours/it" in capsys.readouterr().out


def test_the_ingest_benchmark_skips_without_its_pages(
    load_benchmark: Callable[[str], ModuleType],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load_benchmark("bench_ingest")

    figures = bench.main(["--data", str(tmp_path / "absent"), "--out", str(tmp_path)])

    assert figures is None
    assert "skipped" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
