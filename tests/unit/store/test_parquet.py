from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import pyarrow.parquet as pq
import pytest

from linkequity.errors import StoreError
from linkequity.model.links import LinkSighting, TargetPageReport
from linkequity.model.pages import PageRecord
from linkequity.store import Store, pages_to_arrow, target_pages_to_arrow

if TYPE_CHECKING:
    from pathlib import Path

    from tests.unit.store.conftest import ImportSightings

AHREFS = [
    LinkSighting(
        "https://a.example/1",
        "https://t.test/",
        1,
        "Shoes",
        is_nofollow=True,
        last_seen=datetime(2024, 1, 1),
        tool_metrics={"dr": 50.0},
    ),
    LinkSighting(
        "https://b.example/2",
        "https://t.test/p",
        2,
        "boots",
        first_seen=datetime(2020, 1, 1),
        placement="footer",
        is_hidden=False,
        position=3,
    ),
]
SEMRUSH = [
    LinkSighting(
        "https://a.example/1",
        "https://t.test/",
        1,
        "shoes",
        is_nofollow=False,
        last_seen=datetime(2023, 1, 1),
    ),
    LinkSighting("https://c.example/3", "https://t.test/", 2, "brand"),
]

LINK_COLUMNS = """
    SELECT s.url AS source, t.url AS target, l.* EXCLUDE (id, source_url_id, target_url_id)
    FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
    ORDER BY source, target, anchor_key"""


def link_rows(store: Store) -> list[tuple[object, ...]]:
    return store._conn.execute(LINK_COLUMNS).fetchall()


def filled(store: Store, import_sightings: ImportSightings) -> Store:
    import_sightings(store, AHREFS)
    import_sightings(store, SEMRUSH, tool="semrush")
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="import")
        file_id, _ = store.register_file(
            sha256="pages",
            path="p.csv",
            tool="gsc",
            export_format="gsc_top_linked_pages",
            kind="target_pages",
            snapshot_id=snapshot_id,
        )
        store.write_target_pages(
            snapshot_id, file_id, target_pages_to_arrow([TargetPageReport("https://t.test/", 1, 9)])
        )
    return store


def test_export_then_import_into_a_fresh_store_keeps_every_link(
    store: Store, import_sightings: ImportSightings, tmp_path: Path
) -> None:
    filled(store, import_sightings)
    written = store.export_parquet(tmp_path / "exchange")

    with Store.open(tmp_path / "copy.duckdb") as copy:
        counts = copy.import_parquet(tmp_path / "exchange")

        assert copy.stats() == store.stats()
        assert link_rows(copy) == link_rows(store)
    assert {path.stem for path in written} >= {
        "urls",
        "links",
        "link_sightings",
        "files",
        "snapshots",
    }
    assert (counts.links_added, counts.sightings_added, counts.files) == (3, 4, 3)
    assert counts.reports_added == 1


def test_sightings_exported_before_crawl_fields_import_with_them_unknown(
    store: Store, import_sightings: ImportSightings, tmp_path: Path
) -> None:
    filled(store, import_sightings)
    store.export_parquet(tmp_path / "exchange")
    sightings = tmp_path / "exchange" / "link_sightings.parquet"
    old = pq.read_table(sightings).drop_columns(["placement", "is_hidden", "position"])
    pq.write_table(old, sightings)

    with Store.open(tmp_path / "copy.duckdb") as copy:
        counts = copy.import_parquet(tmp_path / "exchange")
        placements = copy._conn.execute("SELECT DISTINCT placement FROM links").fetchall()

    assert counts.sightings_added == 4
    assert placements == [(None,)]


def test_exported_files_have_the_store_columns(
    store: Store, import_sightings: ImportSightings, tmp_path: Path
) -> None:
    filled(store, import_sightings)
    store.export_parquet(tmp_path)

    for table in ("urls", "links", "link_sightings", "files", "snapshots"):
        stored = store._conn.execute(f"DESCRIBE {table}").fetchall()
        with duckdb.connect() as conn:
            exported = conn.execute(
                "DESCRIBE SELECT * FROM read_parquet(?)", [str(tmp_path / f"{table}.parquet")]
            ).fetchall()
        assert [row[:2] for row in exported] == [row[:2] for row in stored], table


def test_importing_twice_or_into_a_store_that_has_some_links_duplicates_nothing(
    store: Store, import_sightings: ImportSightings, tmp_path: Path
) -> None:
    filled(store, import_sightings)
    store.export_parquet(tmp_path / "exchange")

    with Store.open(tmp_path / "other.duckdb") as other:
        import_sightings(other, SEMRUSH, tool="semrush")
        import_sightings(
            other, [LinkSighting("https://z.example/", "https://t.test/", 1, "z")], tool="moz"
        )
        first = other.import_parquet(tmp_path / "exchange")
        again = other.import_parquet(tmp_path / "exchange")

        stats = other.stats()
        rows = {row[:2] + (row[2],) for row in link_rows(other)}

    assert (first.files, first.sightings_added, first.sightings_skipped) == (2, 2, 2)
    assert (again.files, again.urls, again.sightings_added, again.links_added) == (0, 0, 0, 0)
    assert (stats.links, stats.sightings, stats.files) == (4, 5, 4)
    assert ("https://z.example/", "https://t.test/", "z") in rows


def test_a_directory_without_the_link_tables_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="holds no snapshots.parquet"):
        store.import_parquet(tmp_path)


def test_fetched_pages_travel_with_their_urls_and_import_once(
    store: Store, import_sightings: ImportSightings, tmp_path: Path
) -> None:
    filled(store, import_sightings)
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="ingest")
        store.write_pages(
            snapshot_id,
            None,
            pages_to_arrow(
                [
                    PageRecord("https://a.example/1", 200, title="One", word_count=90),
                    PageRecord(
                        "https://fresh.example/", 301, final_url="https://fresh.example/new"
                    ),
                ]
            ),
        )
    store.export_parquet(tmp_path / "exchange")
    pages = """SELECT u.url, f.url, p.status, p.title, p.word_count, p.file_id
        FROM pages p JOIN urls u ON u.id = p.url_id LEFT JOIN urls f ON f.id = p.final_url_id
        ORDER BY u.url"""

    with Store.open(tmp_path / "copy.duckdb") as copy:
        first = copy.import_parquet(tmp_path / "exchange")
        again = copy.import_parquet(tmp_path / "exchange")
        copied = copy._conn.execute(pages).fetchall()

    assert (first.pages_added, again.pages_added) == (2, 0)
    assert copied == store._conn.execute(pages).fetchall()
