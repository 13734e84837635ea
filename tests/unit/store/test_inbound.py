"""The links into pages from other sites: anchors grouped by anchor and domain, first seen."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.model.links import LinkSighting

if TYPE_CHECKING:
    from tests.unit.store.conftest import ImportSightings

    from linkequity.store import Store

TARGET = "https://t.example/post"
OTHER = "https://t.example/other"


def sighting(source: str, target: str, row: int, **fields: Any) -> LinkSighting:
    return LinkSighting(source_url=source, target_url=target, row=row, **fields)


def test_inbound_anchors_group_live_links_from_other_domains(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            sighting("https://a.example/1", TARGET, 0, anchor="Road Bikes"),
            sighting("https://a.example/2", TARGET, 1, anchor="road  bikes", is_ugc=True),
            sighting(
                "https://www.a.example/3",
                TARGET,
                2,
                anchor="road bikes",
                first_seen=datetime(2024, 3, 1),
            ),
            sighting("https://b.example/", TARGET, 3, anchor="", is_image=True, alt="logo"),
            sighting("https://c.example/", TARGET, 4, anchor="gone", lost_at=datetime(2024, 1, 1)),
            sighting("https://t.example/", TARGET, 5, anchor="internal menu"),
            sighting("https://d.example/", OTHER, 6, anchor="elsewhere"),
        ],
    )
    ids = store.url_ids([TARGET])
    rows = store.inbound_anchors(1, pa.array(ids.column("url_id").to_pylist())).to_pylist()
    for row in rows:
        del row["target_url_id"]
    assert rows == [
        {
            "anchor": "",
            "is_image": True,
            "alt": "logo",
            "source_domain": "b.example",
            "links": 1,
            "followed_links": 1,
        },
        {
            "anchor": "Road Bikes",
            "is_image": False,
            "alt": "",
            "source_domain": "a.example",
            "links": 3,
            "followed_links": 2,
        },
    ]
    dated = store.inbound_first_seen(1, pa.array(ids.column("url_id").to_pylist())).to_pylist()
    assert sorted(dated, key=lambda row: str(row["first_seen"])) == [
        {"first_seen": datetime(2024, 3, 1), "source_domain": "a.example"},
        {"first_seen": None, "source_domain": "a.example"},
        {"first_seen": None, "source_domain": "a.example"},
        {"first_seen": None, "source_domain": "b.example"},
    ]
