from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from linkequity.errors import StoreError
from linkequity.model.links import LinkSighting
from linkequity.store import LinkWriteCounts, Store, sightings_to_arrow

if TYPE_CHECKING:
    from pathlib import Path

    from tests.unit.store.conftest import ImportSightings

SOURCE = "https://blog.example.com/post"
TARGET = "https://shop.test/"


def link_row(store: Store, anchor_key: str = "shoes") -> dict[str, object]:
    [row] = (
        store._conn.sql(
            """SELECT l.*, s.url AS source_url, t.url AS target_url FROM links l
        JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
        WHERE anchor_key = ?""",
            params=[anchor_key],
        )
        .to_arrow_table()
        .to_pylist()
    )
    return row


def test_first_import_adds_links_sightings_and_urls(
    store: Store, import_sightings: ImportSightings
) -> None:
    counts = import_sightings(
        store,
        [
            LinkSighting(SOURCE, TARGET, 1, anchor="Shoes"),
            LinkSighting(SOURCE, "https://shop.test/boots", 2, anchor="boots"),
            LinkSighting("https://other.org/", TARGET, 3, anchor="shoes"),
        ],
    )

    assert counts == LinkWriteCounts(
        links_added=3, links_merged=0, sightings_added=3, sightings_skipped=0
    )
    stats = store.stats()
    assert (stats.links, stats.sightings, stats.files, stats.snapshots) == (3, 3, 1, 1)
    assert (stats.referring_pages, stats.referring_domains) == (2, 2)
    assert (stats.target_pages, stats.target_domains) == (2, 1)


def test_urls_are_interned_with_host_reversed_host_and_domain(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [LinkSighting(SOURCE, TARGET, 1), LinkSighting(SOURCE, TARGET, 2, "x")])
    import_sightings(store, [LinkSighting(SOURCE, TARGET, 1)], tool="semrush")

    rows = store._conn.execute("SELECT url, host, reversed_host, domain FROM urls").fetchall()
    assert sorted(rows) == [
        (SOURCE, "blog.example.com", "com.example.blog", "example.com"),
        (TARGET, "shop.test", "test.shop", "shop.test"),
    ]


def test_importing_the_same_file_twice_adds_nothing(
    store: Store, import_sightings: ImportSightings
) -> None:
    sightings = [LinkSighting(SOURCE, TARGET, 1, anchor="shoes")]
    import_sightings(store, sightings, sha256="same")
    before = store.stats()

    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="import")
        file_id, is_new = store.register_file(
            sha256="same",
            path="renamed.csv",
            tool="ahrefs",
            export_format="ahrefs_backlinks",
            kind="backlinks",
            snapshot_id=snapshot_id,
        )
        counts = store.write_link_sightings(snapshot_id, file_id, sightings_to_arrow(sightings))

    assert not is_new
    assert counts == LinkWriteCounts(0, 0, 0, 1)
    after = store.stats()
    assert (after.links, after.sightings, after.files) == (before.links, before.sightings, 1)


def test_the_same_link_from_two_tools_is_one_link_with_two_sightings(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [LinkSighting(SOURCE, TARGET, 1, anchor="Red  Shoes")])
    counts = import_sightings(
        store, [LinkSighting(SOURCE, TARGET, 7, anchor="red shoes")], tool="semrush"
    )

    assert counts == LinkWriteCounts(0, 1, 1, 0)
    stats = store.stats()
    assert (stats.links, stats.sightings) == (1, 2)
    assert stats.links_by_tool == {"ahrefs": 1, "semrush": 1}
    row = link_row(store, "red shoes")
    assert row["anchor"] == "Red  Shoes"
    provenance = store._conn.execute(
        "SELECT tool, row, anchor FROM link_sightings ORDER BY file_id"
    ).fetchall()
    assert provenance == [("ahrefs", 1, "Red  Shoes"), ("semrush", 7, "red shoes")]


def test_a_flag_comes_from_the_most_recent_sighting_that_states_it(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE, TARGET, 1, "shoes", is_nofollow=True, last_seen=datetime(2024, 5, 1)
            )
        ],
    )
    # Imported later but seen earlier: loses on nofollow, states ugc alone.
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                is_nofollow=False,
                is_ugc=True,
                last_seen=datetime(2023, 1, 1),
                first_seen=datetime(2022, 1, 1),
            )
        ],
        tool="majestic",
    )
    # Says nothing of rel: changes no flag.
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", last_seen=datetime(2025, 1, 1))],
        tool="gsc",
    )

    row = link_row(store)
    assert (row["is_nofollow"], row["is_ugc"], row["is_sponsored"]) == (True, True, None)
    assert row["first_seen"] == datetime(2022, 1, 1)
    assert row["last_seen"] == datetime(2025, 1, 1)
    assert (row["first_snapshot_id"], row["last_snapshot_id"]) == (1, 3)


def test_equally_recent_sightings_are_ordered_by_insertion(
    store: Store, import_sightings: ImportSightings
) -> None:
    seen = datetime(2024, 1, 1)
    import_sightings(
        store, [LinkSighting(SOURCE, TARGET, 1, "shoes", is_nofollow=True, last_seen=seen)]
    )
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", is_nofollow=False, last_seen=seen)],
        tool="moz",
    )

    assert link_row(store)["is_nofollow"] is False


def test_an_undated_sighting_counts_as_oldest(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE, TARGET, 1, "shoes", is_sponsored=True, last_seen=datetime(2024, 1, 1)
            )
        ],
    )
    import_sightings(
        store, [LinkSighting(SOURCE, TARGET, 1, "shoes", is_sponsored=False)], tool="moz"
    )

    assert link_row(store)["is_sponsored"] is True


def test_a_lost_link_seen_again_later_is_live(
    store: Store, import_sightings: ImportSightings
) -> None:
    lost = LinkSighting(
        SOURCE,
        TARGET,
        1,
        "shoes",
        last_seen=datetime(2024, 1, 1),
        lost_at=datetime(2024, 2, 1),
        lost_reason="removed",
    )
    import_sightings(store, [lost])
    assert (link_row(store)["lost_at"], link_row(store)["lost_reason"]) == (
        datetime(2024, 2, 1),
        "removed",
    )

    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", last_seen=datetime(2024, 6, 1))],
        tool="moz",
    )

    assert (link_row(store)["lost_at"], link_row(store)["lost_reason"]) == (None, None)


def test_sightings_of_one_link_within_one_file_merge(
    store: Store, import_sightings: ImportSightings
) -> None:
    counts = import_sightings(
        store,
        [
            LinkSighting(
                SOURCE, TARGET, 1, "Shoes", is_image=False, last_seen=datetime(2024, 1, 1)
            ),
            LinkSighting(SOURCE, TARGET, 2, "shoes", is_image=True, last_seen=datetime(2023, 1, 1)),
        ],
    )

    assert counts == LinkWriteCounts(1, 0, 2, 0)
    row = link_row(store)
    assert (row["anchor"], row["is_image"]) == ("Shoes", False)


def test_a_failed_import_leaves_nothing(store: Store, import_sightings: ImportSightings) -> None:
    def import_then_crash() -> None:
        with store.transaction():
            import_sightings(store, [LinkSighting(SOURCE, TARGET, 1, "shoes")])
            raise RuntimeError("parser crashed")

    with pytest.raises(RuntimeError):
        import_then_crash()

    stats = store.stats()
    assert (stats.links, stats.sightings, stats.files, stats.snapshots) == (0, 0, 0, 0)


def test_writing_for_an_unregistered_file_is_a_bug(store: Store) -> None:
    with pytest.raises(ValueError, match="register_file"):
        store.write_link_sightings(1, 99, sightings_to_arrow([LinkSighting(SOURCE, TARGET, 1)]))


def test_a_read_only_store_refuses_writes(store_path: Path) -> None:
    Store.open(store_path).close()

    with (
        Store.open(store_path, read_only=True) as store,
        pytest.raises(StoreError, match="read-only"),
    ):
        store.begin_snapshot(kind="import")
