"""Proof: a crawl and an ingest killed with SIGKILL at 20 points each lose and duplicate nothing.

``linkequity crawl`` of the 2,000-page sample web and ``linkequity ingest`` of
eight WARC files run as child processes with their default settings (page
readers in worker processes), are killed at 20 seeded points each, and resumed
(``crawl --resume``; ``ingest`` of the same files again) until a run ends by
itself (``crash_harness.killed_rounds``: a run that ends before its kill point
closes its round, and the next point opens a new one). Every round is compared
with an uninterrupted run of the same command, and the store's consistency
checks (``store.consistency``) must all hold.
"""

from __future__ import annotations

import random
import time
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
    from tests.prove.conftest import BoundFigures

    from linkequity.samples.web import SampleWeb

pytestmark = [pytest.mark.prove, pytest.mark.loopback]

#: Kill points of the crawl, and of the ingest.
KILLS = 20
#: Pages of the crawled web.
PAGES = 2000
#: Seeds of the kill points.
CRAWL_SEED, INGEST_SEED = 2026, 1203
#: A crawl run is killed once the server has answered this share of the requests an
#: uninterrupted crawl makes, drawn between the two.
KILL_AFTER = (0.02, 0.8)
#: WARC files of the ingest, and the pages of each one's web.
ARCHIVES = 8
ARCHIVE_PAGES = 300


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(1, pages=PAGES)


@pytest.fixture(scope="module")
def server(web: SampleWeb) -> Iterator[tuple[RecordingWeb, str]]:
    with serving(web) as served:
        yield served


def record_rounds(
    figures: BoundFigures, area: str, rounds: list[Round], reference: Path
) -> tuple[int, int]:
    """Record what the rounds lost, duplicated and broke; return (differences, violations)."""
    expected = read_store(reference)
    lost = duplicated = extra = links = sightings = violations = 0
    for item in rounds:
        found = difference(expected, read_store(item.db))
        lost += found.pages_lost
        duplicated += found.pages_duplicated
        extra += found.pages_extra + found.status_changed
        links += found.links_lost + found.links_extra
        sightings += found.sightings_lost + found.sightings_duplicated
        violations += sum(result.violations for result in consistency(item.db).results)
    figures.record(f"{area}.kills", sum(item.kills for item in rounds), unit="SIGKILLs")
    figures.record(f"{area}.rounds", len(rounds), unit="resumed to the end")
    figures.record(f"{area}.pages", len(expected.pages), unit="pages per run")
    figures.record(f"{area}.pages_lost", lost, unit="pages")
    figures.record(f"{area}.pages_duplicated", duplicated, unit="pages")
    figures.record(f"{area}.pages_extra_or_changed", extra, unit="pages")
    figures.record(f"{area}.links_differing", links, unit="links")
    figures.record(f"{area}.sightings_differing", sightings, unit="sightings")
    figures.record(f"{area}.consistency_violations", violations, unit="rows")
    return lost + duplicated + extra + links + sightings, violations


def test_a_crawl_killed_at_20_points_loses_and_duplicates_no_page(
    web: SampleWeb,
    server: tuple[RecordingWeb, str],
    tmp_path: Path,
    figures: BoundFigures,
) -> None:
    recording, resolve_to = server
    args = [
        "crawl",
        *(site.base for site in web.sites),
        *("--mode", "web", "--max-depth", "50", "--allow-private"),
        *("--resolve-to", resolve_to, "--delay", "0"),
        *("--db", "DB", "--json"),
    ]
    before = recording.served_since(0)
    whole_s = uninterrupted(args, tmp_path / "whole.duckdb")
    requests = recording.served_since(before)
    points = random.Random(CRAWL_SEED)  # noqa: S311 - kill points, not secrets
    before = recording.served_since(0)
    began = time.monotonic()

    rounds = killed_rounds(
        kills=KILLS,
        points=lambda: requests * points.uniform(*KILL_AFTER),
        first=args,
        again=["crawl", "--resume", "--db", "DB", "--json"],
        workdir=tmp_path,
        wait=lambda child, point: wait_for_requests(child, recording, int(point)),
        db_name="killed",
    )

    differences, violations = record_rounds(
        figures, "crawl.sigkill", rounds, tmp_path / "whole.duckdb"
    )
    figures.record("crawl.sigkill.uninterrupted_s", whole_s, unit="s")
    figures.record("crawl.sigkill.killed_and_resumed_s", time.monotonic() - began, unit="s")
    figures.record("crawl.sigkill.requests_uninterrupted", requests, unit="requests")
    figures.record(
        "crawl.sigkill.requests_killed_and_resumed",
        recording.served_since(before),
        unit="requests",
    )
    figures.record(
        "crawl.sigkill.in_flight_at_kills",
        sum(sum(item.in_flight_after_kill) for item in rounds),
        unit="URLs requeued",
    )
    assert sum(item.kills for item in rounds) == KILLS
    assert differences == 0
    assert violations == 0
    assert all(item.report["urls_by_state"]["in_flight"] == 0 for item in rounds)


def test_an_ingest_killed_at_20_points_loses_and_duplicates_no_page(
    tmp_path: Path, figures: BoundFigures
) -> None:
    archives = [tmp_path / f"web-{seed}.warc.gz" for seed in range(1, ARCHIVES + 1)]
    for seed, path in enumerate(archives, start=1):
        write_warc(generate_web(seed, pages=ARCHIVE_PAGES), path)
    args = ["ingest", *map(str, archives), "--db", "DB", "--json"]
    whole_s = uninterrupted(args, tmp_path / "whole.duckdb")
    nothing_new_s = uninterrupted(args, tmp_path / "whole.duckdb")
    points = random.Random(INGEST_SEED)  # noqa: S311 - kill points, not secrets
    began = time.monotonic()

    rounds = killed_rounds(
        kills=KILLS,
        points=lambda: points.uniform(nothing_new_s * 0.8, whole_s),
        first=args,
        again=args,
        workdir=tmp_path,
        wait=wait_for_seconds,
        db_name="killed",
    )

    differences, violations = record_rounds(
        figures, "ingest.sigkill", rounds, tmp_path / "whole.duckdb"
    )
    figures.record("ingest.sigkill.files", ARCHIVES, unit="WARC files")
    figures.record("ingest.sigkill.uninterrupted_s", whole_s, unit="s")
    figures.record("ingest.sigkill.killed_and_resumed_s", time.monotonic() - began, unit="s")
    figures.record(
        "ingest.sigkill.kills_mid_file",
        sum(1 for item in rounds for done in item.files_after_kill if done < ARCHIVES),
        unit="kills with files left",
    )
    assert sum(item.kills for item in rounds) == KILLS
    assert differences == 0
    assert violations == 0
    assert all(len(item.report["files"]) == ARCHIVES for item in rounds)
