"""The dashboard benchmark still runs at a few thousand links, and its pages count right."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from linkequity.web.app import COSTLY_PARTS, SECTIONS

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

pytestmark = [pytest.mark.slow, pytest.mark.loopback]


def test_the_web_benchmark_times_the_links_table(
    load_benchmark: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # bench_web imports bench_store's generator and loaders, and bench_audit's timer, by name.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("PATH", str(tmp_path))  # no datasette: the dashboard alone is timed
    bench = load_benchmark("bench_web")
    args = ["--links", "3000", "--batch", "1000", "--repeat", "1"]
    figures = bench.main([*args, "--workdir", str(tmp_path), "--out", str(tmp_path)])
    dashboard = figures["dashboard"]
    domain = figures["target_domain"]
    with duckdb.connect(str(tmp_path / "bench_web-3000.duckdb"), read_only=True) as conn:
        row = conn.execute(
            """SELECT count(*) FROM links l JOIN urls t ON t.id = l.target_url_id
            JOIN urls s ON s.id = l.source_url_id WHERE t.domain = ? AND s.domain <> ?""",
            [domain, domain],
        ).fetchone()
    assert row is not None
    assert dashboard["first"]["count"] == row[0] > 0
    assert dashboard["deep"]["count"] == row[0]
    assert 0 <= dashboard["search"]["count"] < row[0]
    assert dashboard["tier1_page"]["timing"].best_s > 0
    for visit in ("overview_cold", "overview_warm"):
        assert set(dashboard[visit]["sections_s"]) == set(SECTIONS)
        assert dashboard[visit]["all_s"] >= dashboard[visit]["page_s"] > 0
    # the warm visit found every part the cold one worked out
    assert {dashboard["computations"][part] for part in COSTLY_PARTS} == {1}
    assert "not installed" in figures["datasette"]
    assert (tmp_path / "bench_web-3000.json").is_file()
    printed = capsys.readouterr().out
    assert "links table of" in printed
    assert "overview, warm visit: the page in" in printed
