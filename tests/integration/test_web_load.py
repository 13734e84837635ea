"""The dashboard under concurrent visitors, at small size: the sample web's store.

``linkequity serve`` runs in a subprocess on 127.0.0.1; after a warm-up pass
(each distinct request once), 10 visitors at once each issue 20 requests of
the dashboard's mix (``tests/load_client.py``). Every answer must be a 200 that
holds the marker of its page; the latencies are printed, never asserted. The
proof at a million links is ``tests/prove/test_prove_load.py``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from tests.load_client import (
    Ask,
    asks,
    discover,
    request_mix,
    run_load,
    served_in_subprocess,
    warm_up,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

CLIENTS = 10
PER_CLIENT = 20


def test_ten_visitors_at_once_get_every_page_right(
    web_db: Path,
    manifest: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    target = str(manifest["target"]["domain"])
    with served_in_subprocess(web_db, tmp_path / "serve.log") as base:
        domain, page_url = discover(base, target)
        by_route = asks(target, domain, page_url, search=manifest["target"]["keywords"][0][:6])
        warm_up(base, by_route)
        plans = [request_mix(by_route, PER_CLIENT, seed) for seed in range(CLIENTS)]
        figures = asyncio.run(run_load(base, plans, bound_s=600.0))
        log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    with capsys.disabled():
        print("\n" + figures.table())
    assert figures.failures == [], log[-3000:]
    overall = figures.overall
    assert overall.requests == overall.as_dict()["requests"] == CLIENTS * PER_CLIENT
    assert overall.errors == 0
    assert set(figures.routes) == {"overview", "links", "domain", "tier1", "part", "csv"}


def test_a_wrong_page_counts_as_an_error(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    # The marker check is what makes errors == 0 mean something: a page without it fails.
    target = str(manifest["target"]["domain"])
    wrong = [
        Ask("links", f"/t/{target}/links", (), "a marker no page holds"),
        Ask("links", f"/t/{target}/links", (("sort", "no-such-sort"),), '<p id="count">'),
        Ask("links", f"/t/{target}/links", (), '<p id="count">'),
    ]
    with served_in_subprocess(web_db, tmp_path / "serve.log") as base:
        figures = asyncio.run(run_load(base, [wrong], bound_s=600.0))
    assert figures.overall.errors == 2
    assert len(figures.overall.latencies_s) == 1
    assert ": 200 " in figures.failures[0]  # answered, but not the page it should be
    assert ": 400 " in figures.failures[1]


def test_requests_left_at_the_bound_count_as_errors(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    target = str(manifest["target"]["domain"])
    many = [Ask("links", f"/t/{target}/links", (), '<p id="count">')] * 200
    with served_in_subprocess(web_db, tmp_path / "serve.log") as base:
        figures = asyncio.run(run_load(base, [many], bound_s=0.05))
    assert figures.overall.requests == 200
    assert figures.overall.errors > 0
    assert figures.failures[-1].endswith("not done within 0.05 s")
