"""The audit's aggregate queries over a target's live links from other sites."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.model.links import LinkSighting
from linkequity.store import DOMAIN_METRICS_SCHEMA, PAGE_METRICS_SCHEMA

if TYPE_CHECKING:
    from tests.unit.store.conftest import ImportSightings

    from linkequity.store import Store

HOME = "https://t.example/"
POST = "https://www.t.example/post"


def sighting(source: str, target: str, row: int, **fields: Any) -> LinkSighting:
    return LinkSighting(source_url=source, target_url=target, row=row, **fields)


def profile(store: Store, import_sightings: ImportSightings) -> pa.Array[Any]:
    follow = {"is_nofollow": False, "is_sponsored": False, "is_ugc": False}
    import_sightings(
        store,
        [
            sighting("https://a.example/1", HOME, 0, **follow),
            sighting("https://a.example/2", HOME, 1, **{**follow, "is_nofollow": True}),
            sighting(
                "https://b.example/", POST, 2, **{**follow, "is_ugc": True, "is_nofollow": True}
            ),
            sighting("https://c.example/", POST, 3),  # rel unknown: counted as followed
            sighting("https://d.example/", POST, 4, **follow, lost_at=datetime(2024, 1, 1)),
            sighting("https://t.example/about", POST, 5, **follow),  # the target's own link
            sighting("https://e.example/", "https://elsewhere.example/", 6, **follow),
        ],
    )
    return pa.array(store.url_ids([HOME, POST]).column("url_id").to_pylist(), pa.int64())


def test_totals_count_live_links_from_other_sites(
    store: Store, import_sightings: ImportSightings
) -> None:
    ids = profile(store, import_sightings)
    assert store.audit_totals(1, ids) == {
        "links": 4,
        "referring_pages": 4,
        "referring_domains": 3,
        "linked_pages": 2,
        "followed_links": 2,
        "followed_domains": 2,
    }


def test_rel_mix_counts_each_rel_and_unknown_rel(
    store: Store, import_sightings: ImportSightings
) -> None:
    ids = profile(store, import_sightings)
    mix = {
        row["rel"]: (row["links"], row["referring_domains"])
        for row in store.audit_rel_mix(1, ids).to_pylist()
    }
    assert mix == {
        "followed": (2, 2),
        "nofollow": (2, 2),
        "sponsored": (0, 0),
        "ugc": (1, 1),
        "unknown": (1, 1),
    }


def test_placement_is_unknown_when_no_page_was_read_and_top_pages_rank_by_domains(
    store: Store, import_sightings: ImportSightings
) -> None:
    ids = profile(store, import_sightings)
    assert store.audit_placement_mix(1, ids).to_pylist() == [
        {"placement": "unknown", "links": 4, "referring_domains": 3}
    ]
    top = store.audit_top_pages(1, ids, limit=5).to_pylist()
    assert [(row["url"], row["referring_domains"], row["followed_domains"]) for row in top] == [
        (POST, 2, 1),
        (HOME, 1, 1),
    ]
    assert len(store.audit_top_pages(1, ids, limit=1)) == 1


def test_authority_buckets_come_from_the_latest_ranking(
    store: Store, import_sightings: ImportSightings
) -> None:
    ids = profile(store, import_sightings)
    ranked, buckets = store.audit_authority(1, ids, width=10)
    assert ranked is None
    assert buckets.to_pylist() == [{"bucket": None, "referring_domains": 3}]
    scores = pa.table(
        {
            "domain": ["a.example", "b.example"],
            "pagerank": [0.1, 0.2],
            "authority": [100.0, 37.5],
            "trust": [None, None],
            "spam_mass": [None, None],
            "referring_domains": [1, 1],
            "referring_pages": [1, 1],
        }
    )
    no_pages = PAGE_METRICS_SCHEMA.empty_table()
    store.replace_metrics(1, no_pages, scores.cast(DOMAIN_METRICS_SCHEMA))
    ranked, buckets = store.audit_authority(1, ids, width=10)
    assert ranked == 1
    assert buckets.to_pylist() == [
        {"bucket": 30, "referring_domains": 1},
        {"bucket": 90, "referring_domains": 1},  # 100 falls in the top bucket
        {"bucket": None, "referring_domains": 1},
    ]
