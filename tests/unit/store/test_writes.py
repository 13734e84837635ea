from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from linkequity.errors import StoreError
from linkequity.model.links import LinkSighting, fold_anchor
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


def test_a_later_write_of_the_same_file_with_earlier_rows_loses_ties(
    store: Store, import_sightings: ImportSightings
) -> None:
    seen = datetime(2024, 1, 1)
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 5, "shoes", is_nofollow=True, last_seen=seen)],
        sha256="one file",
    )
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", is_nofollow=False, last_seen=seen)],
        sha256="one file",
    )

    assert link_row(store)["is_nofollow"] is True


def test_a_new_loss_date_keeps_the_reason_stated_before_the_link_was_seen_again(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                last_seen=datetime(2024, 1, 1),
                lost_at=datetime(2024, 2, 1),
                lost_reason="removed",
            )
        ],
    )
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", last_seen=datetime(2024, 3, 1))],
        tool="moz",
    )
    assert (link_row(store)["lost_at"], link_row(store)["lost_reason"]) == (None, None)

    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                last_seen=datetime(2024, 3, 1),
                lost_at=datetime(2024, 4, 1),
            )
        ],
        tool="gsc",
    )

    assert (link_row(store)["lost_at"], link_row(store)["lost_reason"]) == (
        datetime(2024, 4, 1),
        "removed",
    )


def test_an_older_sighting_outranks_a_flag_stated_only_before_it(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                is_nofollow=True,
                is_target_inferred=False,
                last_seen=datetime(2024, 1, 1),
            )
        ],
    )
    import_sightings(
        store,
        [LinkSighting(SOURCE, TARGET, 1, "shoes", last_seen=datetime(2024, 3, 1))],
        tool="gsc",
    )
    # Seen in February: newer than the only nofollow statement, older than the link.
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                is_nofollow=False,
                is_image=True,
                is_target_inferred=True,
                last_seen=datetime(2024, 2, 1),
            )
        ],
        tool="moz",
    )

    row = link_row(store)
    assert (row["is_nofollow"], row["is_image"], row["is_target_inferred"]) == (False, True, False)
    assert row["last_seen"] == datetime(2024, 3, 1)


def test_an_older_sighting_leaves_what_the_latest_one_said(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                is_nofollow=True,
                is_target_inferred=False,
                last_seen=datetime(2024, 3, 1),
            )
        ],
    )
    import_sightings(
        store,
        [
            LinkSighting(
                SOURCE,
                TARGET,
                1,
                "shoes",
                is_nofollow=True,
                is_ugc=True,
                is_target_inferred=True,
                first_seen=datetime(2023, 1, 1),
                last_seen=datetime(2024, 1, 1),
            )
        ],
        tool="moz",
    )

    row = link_row(store)
    assert (row["is_nofollow"], row["is_ugc"], row["is_target_inferred"]) == (True, True, False)
    assert (row["first_seen"], row["last_seen"]) == (datetime(2023, 1, 1), datetime(2024, 3, 1))


STATED_BY_LATEST = ("is_nofollow", "is_sponsored", "is_ugc", "is_image", "alt", "left_context")


def reference_merge(
    writes: list[tuple[int, list[LinkSighting]]],
) -> dict[tuple[str, str, str], dict[str, object]]:
    """Merge links from all sightings at once, by the documented rules (the test oracle).

    *writes* are ``(file_id, sightings)`` in the order they were written.
    """
    ordered: dict[tuple[str, str, str], list[tuple[tuple[object, ...], LinkSighting]]] = {}
    anchors: dict[tuple[str, str, str], str] = {}
    for file_id, sightings in writes:
        for sighting in sorted(sightings, key=lambda sighting: sighting.row):
            key = (sighting.source_url, sighting.target_url, fold_anchor(sighting.anchor))
            seen = sighting.last_seen
            order = (seen is not None, seen or datetime.min, file_id, sighting.row)
            ordered.setdefault(key, []).append((order, sighting))
            anchors.setdefault(key, sighting.anchor)
    merged = {}
    for key, entries in ordered.items():
        history = [sighting for _, sighting in sorted(entries, key=lambda entry: entry[0])]
        link: dict[str, object] = {"anchor": anchors[key]}
        for name in (*STATED_BY_LATEST, "placement", "position"):
            stated = [getattr(s, name) for s in history if getattr(s, name) is not None]
            link[name] = stated[-1] if stated else None
        link["is_target_inferred"] = history[-1].is_target_inferred
        first = [s.first_seen for s in history if s.first_seen is not None]
        last = [s.last_seen for s in history if s.last_seen is not None]
        link["first_seen"] = min(first) if first else None
        link["last_seen"] = max(last) if last else None
        lost_at = [s.lost_at for s in history if s.lost_at is not None]
        reasons = [s.lost_reason for s in history if s.lost_reason is not None]
        is_live = not lost_at or (last and lost_at[-1] < max(last))
        link["lost_at"] = None if is_live else lost_at[-1]
        link["lost_reason"] = None if is_live or not reasons else reasons[-1]
        merged[key] = link
    return merged


def random_files(seed: int) -> list[list[LinkSighting]]:
    """A few files of sightings of a handful of links, with ties, undated rows and losses."""
    rng = random.Random(seed)  # noqa: S311
    days = [None, *(datetime(2024, 1, day) for day in (1, 2, 3, 4))]
    files = []
    for _ in range(rng.randint(2, 6)):
        sightings = []
        for row in range(rng.randint(1, 12)):
            source = f"https://site{rng.randint(1, 2)}.example/"
            anchor = rng.choice(["Shoes", "shoes", "boots", "BOOTS"])
            first_seen = rng.choice(days)
            sightings.append(
                LinkSighting(
                    source,
                    TARGET,
                    rng.randint(0, 3) * 20 + row,
                    anchor,
                    is_nofollow=rng.choice([None, True, False]),
                    is_sponsored=rng.choice([None, True, False]),
                    is_ugc=rng.choice([None, True]),
                    is_image=rng.choice([None, True, False]),
                    alt=rng.choice([None, "a", "b"]),
                    left_context=rng.choice([None, "before", "earlier"]),
                    placement=rng.choice([None, "content", "footer"]),
                    position=rng.choice([None, 0, 7]),
                    is_target_inferred=rng.random() < 0.3,
                    first_seen=first_seen,
                    last_seen=rng.choice(days) if first_seen is None else first_seen,
                    lost_at=rng.choice([None, None, *days[1:]]),
                    lost_reason=rng.choice([None, "removed", "redirected"]),
                )
            )
        unique_rows = {sighting.row: sighting for sighting in sightings}
        files.append(list(unique_rows.values()))
    return files


@pytest.mark.parametrize("seed", range(30))
def test_links_merged_batch_by_batch_match_a_merge_of_all_sightings(
    store: Store, import_sightings: ImportSightings, seed: int
) -> None:
    writes = []
    for number, sightings in enumerate(random_files(seed), start=1):
        # The first file in two writes, as the import service batches a file.
        half = len(sightings) // 2
        parts = [sightings[:half], sightings[half:]] if number == 1 else [sightings]
        for part in filter(None, parts):
            import_sightings(store, part, sha256=f"file-{number}")
            writes.append((number, part))

    stored = store._conn.sql(
        """SELECT s.url AS source_url, t.url AS target_url, l.* FROM links l
        JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id"""
    ).to_arrow_table()
    expected = reference_merge(writes)
    got = {
        (row["source_url"], row["target_url"], row["anchor_key"]): {
            name: row[name] for name in next(iter(expected.values()))
        }
        for row in stored.to_pylist()
    }
    assert got == expected
