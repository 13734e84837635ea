"""Proof: the dashboard under 50 visitors at once, on a store of a million links.

The store is bench_web's (``benchmarks/bench_store.py``: 1,000,000 generated
sightings written through the importer's Arrow path), the target its most
linked domain, as ``benchmarks/bench_web.py`` times it alone. ``linkequity
serve`` runs in a subprocess on 127.0.0.1. A warm-up pass asks each distinct
request once, one at a time (the dashboard works the target out once:
toxicity, audit, tiers, plan, and keeps it); then 50 visitors at once, each
with its own connection, issue 20 requests each of the dashboard's mix
(``tests/load_client.py``: overview, links table pages with sorts, filters,
search and paging, a referring domain, a tier-1 page, lazy sections, a CSV
download), the whole run bounded at 30 minutes. Every answer must be a 200
holding its page's marker: ``errors == 0`` is asserted, latencies are
recorded (``load.*``), never asserted.

``PROVE_LOAD_DB`` names a store built before to skip the build.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.load_client import (
    asks,
    discover,
    load_figures,
    request_mix,
    run_load,
    served_in_subprocess,
    warm_up,
)

if TYPE_CHECKING:
    from tests.prove.conftest import BoundFigures

pytestmark = [pytest.mark.prove, pytest.mark.loopback]

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
LINKS = 1_000_000
CLIENTS = 50
PER_CLIENT = 20
#: Seconds the measured run may take in all (a bound, not a figure).
BOUND_S = 1800.0
SEARCH = "review"


@pytest.fixture(scope="module")
def million_link_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    """Return bench_web's store of a million sightings, its most linked domain and the build's s."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_audit import most_linked_domain
        from bench_store import bench_duckdb, generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    given = os.environ.get("PROVE_LOAD_DB")
    if given:
        db = Path(given)
        return db, most_linked_domain(db), 0.0
    db = tmp_path_factory.mktemp("load") / f"load-{LINKS}.duckdb"
    started = time.perf_counter()
    table, _ = generate(LINKS)
    bench_duckdb(table, db, LINKS)
    build_s = time.perf_counter() - started
    return db, most_linked_domain(db), build_s


def test_fifty_visitors_at_once_on_a_million_links(
    million_link_store: tuple[Path, str, float],
    figures: BoundFigures,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, target, build_s = million_link_store
    figures.record("load.store_build_s", build_s, unit="s")
    with served_in_subprocess(db, tmp_path / "serve.log") as base:
        domain, page_url = discover(base, target)
        by_route = asks(target, domain, page_url, search=SEARCH)
        figures.record("load.warmup_s", warm_up(base, by_route), unit="s")
        plans = [request_mix(by_route, PER_CLIENT, seed) for seed in range(CLIENTS)]
        run = asyncio.run(run_load(base, plans, bound_s=BOUND_S, request_timeout_s=BOUND_S))
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    with capsys.disabled():
        print(f"\n{target}, {LINKS:,} sightings; after a warm-up pass\n{run.table()}")
    measured = load_figures(run)
    figures.record("load.clients", CLIENTS, unit="clients")
    figures.record("load.requests", measured["overall"]["requests"], unit="requests")
    figures.record("load.errors", measured["overall"]["errors"], unit="requests")
    figures.record("load.wall_s", measured["wall_s"], unit="s")
    figures.record("load.throughput_rps", measured["throughput_rps"], unit="requests/s")
    for name in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
        figures.record(f"load.{name}", measured["overall"][name], unit="ms")
    for route, row in measured["routes"].items():
        for name in ("p50_ms", "p95_ms", "max_ms"):
            figures.record(f"load.{route}.{name}", row[name], unit="ms")
        figures.record(f"load.{route}.errors", row["errors"], unit="requests")
    assert run.failures == [], (run.failures[:5], log[-3000:])
    assert measured["overall"]["requests"] == CLIENTS * PER_CLIENT
    assert measured["overall"]["errors"] == 0
