"""The audit benchmark still runs at a few thousand links, and both engines answer alike."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def bench(
    load_benchmark: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    # bench_audit imports bench_store's generator and loaders by name.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return load_benchmark("bench_audit")


def smoke(bench: ModuleType, workdir: Path, *extra: str) -> dict[str, object]:
    figures: dict[str, object] = bench.main(
        [
            "--links",
            "3000",
            "--batch",
            "1000",
            "--repeat",
            "1",
            "--workdir",
            str(workdir),
            "--out",
            str(workdir),
            *extra,
        ]
    )
    return figures


@pytest.mark.slow
def test_the_audit_benchmark_runs_and_both_engines_agree(
    bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = smoke(bench, tmp_path)

    parts = figures["parts"]
    assert isinstance(parts, dict)
    assert list(parts) == list(bench.PARTS)
    assert all(part["agree"] for part in parts.values())
    assert figures["engines_agree"] is True
    profile = figures["profile"]
    assert isinstance(profile, dict)
    assert profile["links"] > 500
    assert profile["referring_domains"] > 1
    assert figures["target_pages"] == 20
    assert figures["audit_target"] is not None
    assert json.loads((tmp_path / "bench_audit-3000.json").read_text()) == figures
    out = capsys.readouterr().out
    assert "engines agree on every part" in out
    assert "audit_target on DuckDB" in out


@pytest.mark.slow
def test_reuse_keeps_the_databases_and_their_answers(bench: ModuleType, tmp_path: Path) -> None:
    first = smoke(bench, tmp_path, "--whole-repeat", "-1")
    built = tmp_path / "bench_audit-3000.duckdb"
    written = built.stat().st_mtime_ns

    again = smoke(bench, tmp_path, "--reuse", "--whole-repeat", "-1")

    assert built.stat().st_mtime_ns == written
    build = again["build"]
    assert isinstance(build, dict)
    assert build["reused"] is True
    assert again["profile"] == first["profile"]
    assert again["engines_agree"] is True
    assert again["audit_target"] is None


@pytest.mark.slow
def test_a_twin_that_differs_in_one_link_is_caught(bench: ModuleType, tmp_path: Path) -> None:
    smoke(bench, tmp_path, "--whole-repeat", "-1")
    duck_path = tmp_path / "bench_audit-3000.duckdb"
    lite_path = tmp_path / "bench_audit-3000.sqlite"
    domain = bench.most_linked_domain(duck_path)
    snapshot = bench._latest_snapshot(duck_path)
    conn = sqlite3.connect(lite_path)
    with conn:
        conn.execute(
            """UPDATE links SET is_nofollow = 1, is_sponsored = 0, is_ugc = 0
            WHERE id = (SELECT min(l.id) FROM links l JOIN urls t ON t.id = l.target_url_id
                WHERE t.domain = ? AND l.is_nofollow = 0 AND l.is_sponsored = 0
                    AND l.is_ugc = 0)""",
            [domain],
        )
    conn.close()

    duck = bench.duckdb_parts(duck_path, domain, 0)
    lite = bench.sqlite_parts(lite_path, domain, snapshot, 0)

    disagree = {part for part in bench.PARTS if duck[part][0] != lite[part][0]}
    assert {"totals", "rel_mix", "anchor_groups"} <= disagree
    assert {"target_pages", "placement_mix"}.isdisjoint(disagree)
