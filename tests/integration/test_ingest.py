"""Ingesting web archives into a DuckDB project, on every shared WARC, WAT and ARC file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import duckdb
import pytest
from tests.conftest import SHARED_DATA

from linkequity.errors import InvalidUrl, SettingsError, UnreadableArchive
from linkequity.model.links import fold_anchor
from linkequity.model.records import FetchedPage
from linkequity.model.urls import normalize_url
from linkequity.parsing.http_body import decode_body
from linkequity.parsing.links import extract_page_links
from linkequity.parsing.placement import mark_sitewide
from linkequity.services import ingest
from linkequity.services.ingest import archive_paths, ingest_archives
from linkequity.sources.warc import WarcReader

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import CliResult

    from linkequity.model.records import DamagedRecord

WARC = SHARED_DATA / "warc"
ALL_FILES = sorted(path for path in WARC.rglob("*") if path.is_file()) if WARC.is_dir() else []
pytestmark = pytest.mark.skipif(not ALL_FILES, reason=f"shared WARC samples not at {WARC}")
WHIRLWIND = WARC / "whirlwind_cc" / "whirlwind.warc.gz"
CC_WAT = WARC / "cc_wat_records" / "CC-MAIN-sample2.warc.wat.gz"


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_every_shared_archive_is_ingested_and_its_damage_reported(tmp_path: Path) -> None:
    damage: list[DamagedRecord] = []

    report = ingest_archives(ALL_FILES, db=tmp_path / "p.duckdb", on_damage=damage.append)

    assert [item.path for item in report.files] == ALL_FILES
    assert not any(item.is_duplicate for item in report.files)
    by_name = {item.path.name: item for item in report.files}
    assert sum(item.damaged for item in report.files) == len(damage) > 0
    assert {Path(item.path).name for item in damage} == {
        "clipped.warc.gz",
        "bad.arc",
        "example-trunc.warc",
    }
    # The record after the damage in the truncated file is ingested too.
    assert by_name["example-trunc.warc"].pages == 1
    assert by_name["example-trunc.warc"].sightings_added == 1
    stored_pages = query(tmp_path / "p.duckdb", "SELECT count(*) FROM pages")[0][0]
    assert stored_pages == sum(item.pages + item.wat_pages for item in report.files)
    assert report.stats.sightings == sum(item.sightings_added for item in report.files)
    assert report.stats.files == len(ALL_FILES)


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("warcio/example.warc.gz", {"warcinfo": 2, "request": 2, "revisit": 1}),
        ("resiliparse/warcfile.warc.gz", {"warcinfo": 1, "request": 17, "metadata": 16}),
        ("whirlwind_cc/whirlwind.warc.wet.gz", {"warcinfo": 1, "conversion": 1}),
    ],
)
def test_records_that_are_not_responses_are_counted_not_stored(
    tmp_path: Path, name: str, skipped: dict[str, int]
) -> None:
    (item,) = ingest_archives([WARC / name], db=tmp_path / "p.duckdb").files

    assert dict(item.skipped) == skipped


def test_the_links_of_an_archived_page_are_the_ones_an_independent_parser_finds(
    tmp_path: Path,
) -> None:
    lxml_html = pytest.importorskip("lxml.html")
    (fetch,) = list(WarcReader(WHIRLWIND).items())
    assert isinstance(fetch, FetchedPage)
    root = lxml_html.fromstring(decode_body(fetch.body, fetch.headers).data)
    expected = set()
    for element in root.iter("a", "area"):
        href = (element.get("href") or "").strip()
        try:
            target = normalize_url(urljoin(fetch.url, href))
        except InvalidUrl:
            continue  # javascript:, mailto: and the like
        expected.add(target)

    ingest_archives([WHIRLWIND], db=tmp_path / "p.duckdb")

    stored = query(
        tmp_path / "p.duckdb",
        "SELECT DISTINCT t.url FROM links l JOIN urls t ON t.id = l.target_url_id",
    )
    # Links to the page itself (tabs such as "Pachina" link to the page's own
    # path) stay links; only empty and fragment-only hrefs are dropped, which
    # the independent parser keeps as the page's URL.
    assert {url for (url,) in stored} | {fetch.url} == expected
    assert len(expected) > 100


def test_html_links_keep_placement_and_wat_links_leave_it_unknown(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"

    ingest_archives([WHIRLWIND, CC_WAT], db=db)

    rows = query(
        db,
        """SELECT f.export_format, s.placement IS NULL, s.position IS NULL, count(*)
        FROM link_sightings s JOIN files f ON f.id = s.file_id
        GROUP BY ALL ORDER BY ALL""",
    )
    assert rows == [("warc", False, False, 193), ("warc", True, False, 670)]
    placements = query(db, "SELECT DISTINCT placement FROM links WHERE placement IS NOT NULL")
    assert {"content", "navigation"} <= {placement for (placement,) in placements}
    page = query(
        db,
        """SELECT p.status, p.title, p.language, p.is_indexable, p.fetched_at IS NOT NULL
        FROM pages p JOIN urls u ON u.id = p.url_id
        WHERE u.url = 'https://an.wikipedia.org/wiki/Escopete'""",
    )
    assert page == [(200, "Escopete - Biquipedia, a enciclopedia libre", "an", True, True)]


def test_an_archive_ingested_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    first = ingest_archives([CC_WAT], db=db)

    again = ingest_archives([CC_WAT], db=db)

    assert again.files[0].is_duplicate
    assert again.stats == first.stats


def test_a_file_that_is_no_archive_stops_the_run_before_anything_is_written(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.warc"
    notes.write_text("not an archive\n")
    db = tmp_path / "p.duckdb"
    ingest_archives([CC_WAT], db=db)

    with pytest.raises(UnreadableArchive, match="notes.warc"):
        ingest_archives([WHIRLWIND, notes], db=db)

    assert query(db, "SELECT count(*) FROM files") == [(1,)]


def test_an_interrupted_archive_is_left_out_and_the_ones_before_it_kept(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"

    def interrupt(damage: DamagedRecord) -> None:
        raise KeyboardInterrupt(damage.reason)

    with pytest.raises(KeyboardInterrupt):
        ingest_archives(
            [CC_WAT, WARC / "resiliparse" / "clipped.warc.gz"], db=db, on_damage=interrupt
        )

    files = query(db, "SELECT path FROM files")
    assert files == [(str(CC_WAT),)]
    assert query(db, "SELECT count(*) FROM link_sightings") == [(670,)]
    assert query(db, "SELECT count(*) FROM snapshots WHERE finished_at IS NOT NULL") == [(1,)]


def test_ingest_prints_a_report_and_warns_of_damage(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = cli("ingest", CC_WAT, WARC / "resiliparse" / "clipped.warc.gz", "--db", "p.duckdb")

    assert result.exit_code == 0
    assert "CC-MAIN-sample2.warc.wat.gz" in result.stdout
    assert "670" in result.stdout
    assert "clipped.warc.gz: offset 0: response record truncated" in result.stderr


def test_ingest_json_gives_per_file_counts(cli: Callable[..., CliResult]) -> None:
    result = cli("ingest", CC_WAT, "--db", "p.duckdb", "--json")

    assert result.exit_code == 0
    report = json.loads(result.stdout)
    (item,) = report["files"]
    assert (item["wat_pages"], item["sightings_added"], item["records"]) == (1, 670, 1)
    assert report["stats"]["links"] == 670


def test_ingest_refuses_a_file_that_is_no_archive_in_one_line(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")

    result = cli("ingest", notes, "--db", "p.duckdb")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "notes.txt is not a WARC or ARC file" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_processes_store_exactly_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archives = [WARC / "resiliparse" / "clueweb-quirk.warc.gz", WHIRLWIND, CC_WAT]
    alone = ingest_archives(archives, db=tmp_path / "alone.duckdb", workers=1)
    monkeypatch.setattr(ingest, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(ingest, "CHUNK_FETCHES", 4)  # many chunks, several in flight

    pooled = ingest_archives(archives, db=tmp_path / "pooled.duckdb", workers=2)

    assert pooled.stats == alone.stats
    sightings = """SELECT f.path, s.row, su.url, tu.url, s.anchor, s.placement, s.position
        FROM link_sightings s JOIN links l ON l.id = s.link_id JOIN files f ON f.id = s.file_id
        JOIN urls su ON su.id = l.source_url_id JOIN urls tu ON tu.id = l.target_url_id
        ORDER BY ALL"""
    assert query(tmp_path / "pooled.duckdb", sightings) == query(
        tmp_path / "alone.duckdb", sightings
    )
    pages = "SELECT u.url, p.title, p.word_count FROM pages p JOIN urls u ON u.id = p.url_id"
    assert sorted(query(tmp_path / "pooled.duckdb", pages)) == sorted(
        query(tmp_path / "alone.duckdb", pages)
    )


def test_a_negative_worker_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ingest.workers is -1"):
        ingest_archives([CC_WAT], db=tmp_path / "p.duckdb", workers=-1)


def test_links_on_most_pages_of_a_host_are_marked_sitewide_as_the_pure_rule_marks_them(
    tmp_path: Path,
) -> None:
    clueweb = WARC / "resiliparse" / "clueweb-quirk.warc.gz"  # 29 pages of one shop
    pages = [
        extract_page_links(decode_body(item.body, item.headers).data, item.url)
        for item in WarcReader(clueweb).items()
        if isinstance(item, FetchedPage)
    ]
    expected = {
        (page.url, link.url, fold_anchor(link.anchor_text), link.is_sitewide)
        for page in mark_sitewide(pages)
        for link in page.links
    }

    (report,) = ingest_archives([clueweb], db=tmp_path / "p.duckdb").files

    stored = query(
        tmp_path / "p.duckdb",
        """SELECT su.url, tu.url, l.anchor_key, l.is_sitewide FROM links l
        JOIN urls su ON su.id = l.source_url_id JOIN urls tu ON tu.id = l.target_url_id""",
    )
    assert set(stored) == expected
    assert 0 < report.sitewide_sightings < report.sightings_added


def test_a_host_with_too_few_pages_says_nothing_of_sitewide_links(tmp_path: Path) -> None:
    ingest_archives([WHIRLWIND], db=tmp_path / "p.duckdb")

    assert query(tmp_path / "p.duckdb", "SELECT DISTINCT is_sitewide FROM links") == [(None,)]


def test_a_folder_stands_for_the_archives_under_it(tmp_path: Path) -> None:
    assert archive_paths([WARC / "whirlwind_cc", CC_WAT]) == [
        WHIRLWIND,
        WARC / "whirlwind_cc" / "whirlwind.warc.wat.gz",
        CC_WAT,
    ]  # the WET file holds no links and is left out; a file named alone is always kept
    with pytest.raises(UnreadableArchive, match="is a folder with no .warc, .arc or .wat files"):
        archive_paths([tmp_path])
