"""What the toxicity audit reads: footprints of referring domains from their latest fetches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from linkequity.model.pages import Footprints, PageRecord
from linkequity.store import pages_to_arrow

if TYPE_CHECKING:
    from linkequity.store import Store


def write(store: Store, pages: list[PageRecord]) -> int:
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="ingest")
        store.write_pages(snapshot_id, None, pages_to_arrow(pages))
        return snapshot_id


def page(url: str, template: str, footprints: Footprints, day: int) -> PageRecord:
    return PageRecord(
        url,
        200,
        final_url=url,
        content_type="text/html",
        fetched_at=datetime(2024, 5, day),
        template_hash=template,
        footprints=footprints,
    )


def test_footprints_are_every_tracking_id_and_template_of_the_latest_fetches(
    store: Store,
) -> None:
    first = write(
        store,
        [
            page("https://a.test/1", "old", Footprints(analytics_ids=("UA-1-1",)), 1),
            page("https://b.test/", "t2", Footprints(), 1),
        ],
    )
    latest = write(
        store,
        [
            page(
                "https://a.test/1",
                "t1",
                Footprints(
                    analytics_ids=("G-ABC1234567",),
                    tag_manager_ids=("GTM-XYZ12",),
                    adsense_publishers=("pub-123",),
                ),
                2,
            ),
            page("https://a.test/2", "t1", Footprints(analytics_ids=("G-ABC1234567",)), 2),
        ],
    )

    rows = store.domain_footprints(latest, ["a.test", "b.test"]).to_pylist()
    before = store.domain_footprints(first, ["a.test"]).to_pylist()

    assert [(r["domain"], r["kind"], r["value"], r["pages"]) for r in rows] == [
        ("a.test", "template", "t1", 2),
        ("a.test", "tracking", "G-ABC1234567", 2),
        ("a.test", "tracking", "GTM-XYZ12", 1),
        ("a.test", "tracking", "pub-123", 1),
        ("b.test", "template", "t2", 1),
    ]
    assert [(r["kind"], r["value"]) for r in before] == [
        ("template", "old"),
        ("tracking", "UA-1-1"),
    ]
