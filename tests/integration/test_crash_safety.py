"""kill -9, quickly: a crawl and an ingest killed at a few points hold what one run would.

The short form of the proof suite's crash proofs (``tests/prove/test_prove_crash``,
20 kill points each): ``linkequity crawl`` of a small sample web and
``linkequity ingest`` of three WARC files run as child processes, are killed
with SIGKILL at seeded points, resumed to the end, and compared with an
uninterrupted run of the same command: the same pages (none lost, none twice),
links and sightings, and every consistency check of the store holds.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from tests.integration.crash_harness import (
    consistency,
    difference,
    killed_rounds,
    read_store,
    serving,
    uninterrupted,
    wait_for_requests,
    wait_for_seconds,
)

from linkequity.samples.web import generate_web, write_warc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.crash_harness import Round
    from tests.integration.sample_crawl import RecordingWeb

    from linkequity.samples.web import SampleWeb

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

#: Pages of the crawled web: some 450 requests.
PAGES = 400
#: Kills of the crawl and of the ingest.
KILLS = 3
#: A crawl run is killed once the server has answered this share of the requests an
#: uninterrupted crawl makes, drawn at random between the two.
KILL_AFTER = (0.05, 1.0)
#: Seed of the kill points.
KILL_SEED = 7
#: WARC files ingested, and pages of each one's web.
ARCHIVES = 3
ARCHIVE_PAGES = 300


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(2, pages=PAGES)


@pytest.fixture(scope="module")
def server(web: SampleWeb) -> Iterator[tuple[RecordingWeb, str]]:
    with serving(web) as served:
        yield served


def crawl_args(web: SampleWeb, resolve_to: str) -> list[str]:
    """A web crawl of every site of *web* into ``DB`` (see ``killed_rounds``)."""
    return [
        "crawl",
        *(site.base for site in web.sites),
        *("--mode", "web", "--max-depth", "50", "--allow-private"),
        *("--resolve-to", resolve_to, "--delay", "0", "--workers", "1"),
        *("--db", "DB", "--json"),
    ]


def assert_like_uninterrupted(rounds: list[Round], reference: Path) -> None:
    expected = read_store(reference)
    assert sum(item.kills for item in rounds) == KILLS
    for item in rounds:
        print(item.kills, item.settled_after_kill, item.in_flight_after_kill, item.files_after_kill)  # noqa: T201
        assert difference(expected, read_store(item.db)).is_none, item
        report = consistency(item.db)
        assert report.is_consistent, report.broken


def test_a_crawl_killed_three_times_holds_what_one_run_holds(
    web: SampleWeb, server: tuple[RecordingWeb, str], tmp_path: Path
) -> None:
    recording, resolve_to = server
    args = crawl_args(web, resolve_to)
    before = recording.served_since(0)
    uninterrupted(args, tmp_path / "whole.duckdb")
    requests = recording.served_since(before)
    points = random.Random(KILL_SEED)  # noqa: S311 - kill points, not secrets

    rounds = killed_rounds(
        kills=KILLS,
        points=lambda: requests * points.uniform(*KILL_AFTER),
        first=args,
        again=["crawl", "--resume", "--db", "DB", "--json"],
        workdir=tmp_path,
        wait=lambda child, point: wait_for_requests(child, recording, int(point)),
        db_name="killed",
    )

    assert_like_uninterrupted(rounds, tmp_path / "whole.duckdb")
    assert all(item.report["urls_by_state"]["in_flight"] == 0 for item in rounds)
    assert all(item.report["is_resumed"] for item in rounds if item.kills)


def test_an_ingest_killed_three_times_holds_what_one_run_holds(tmp_path: Path) -> None:
    archives = [tmp_path / f"web-{seed}.warc.gz" for seed in range(1, ARCHIVES + 1)]
    for seed, path in enumerate(archives, start=1):
        write_warc(generate_web(seed, pages=ARCHIVE_PAGES), path)
    args = ["ingest", *map(str, archives), "--workers", "1", "--db", "DB", "--json"]
    whole_s = uninterrupted(args, tmp_path / "whole.duckdb")
    nothing_new_s = uninterrupted(args, tmp_path / "whole.duckdb")
    points = random.Random(KILL_SEED)  # noqa: S311 - kill points, not secrets

    rounds = killed_rounds(
        kills=KILLS,
        points=lambda: points.uniform(nothing_new_s * 0.8, whole_s),
        first=args,
        again=args,
        workdir=tmp_path,
        wait=wait_for_seconds,
        db_name="killed",
    )

    assert_like_uninterrupted(rounds, tmp_path / "whole.duckdb")
    final = rounds[-1].report
    assert len(final["files"]) == ARCHIVES
