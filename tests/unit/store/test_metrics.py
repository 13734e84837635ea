"""The link graph a snapshot ranks, and page and domain scores replaced per snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from linkequity.model.links import LinkSighting
from linkequity.store import DOMAIN_METRICS_SCHEMA, PAGE_METRICS_SCHEMA

if TYPE_CHECKING:
    from tests.unit.store.conftest import ImportSightings

    from linkequity.store import Store

A = "https://a.example/"
B = "https://b.example/page"
C = "https://www.c.example/"
D = "https://d.example/"


def sighting(source: str, target: str, row: int, **flags: Any) -> LinkSighting:
    return LinkSighting(source_url=source, target_url=target, row=row, **flags)


def urls_by_id(store: Store) -> dict[int, str]:
    table = store.url_ids([A, B, C, D, "https://absent.example/"])
    return dict(
        zip(table.column("url_id").to_pylist(), table.column("url").to_pylist(), strict=True)
    )


def named_links(store: Store, snapshot_id: int) -> set[tuple[str, str]]:
    links, _ = store.link_graph(snapshot_id)
    url_of = urls_by_id(store)
    return {
        (url_of[s], url_of[t])
        for s, t in zip(
            links.column("source_url_id").to_pylist(),
            links.column("target_url_id").to_pylist(),
            strict=True,
        )
    }


def test_the_graph_holds_followed_live_links_and_their_ends(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(
        store,
        [
            sighting(A, B, 0),  # flags unknown: followed
            sighting(B, C, 1, is_nofollow=False, is_sponsored=False, is_ugc=False),
            sighting(A, C, 2, is_nofollow=True),
            sighting(B, D, 3, is_sponsored=True),
            sighting(C, D, 4, is_ugc=True),
            sighting(D, A, 5, lost_at=datetime(2024, 5, 1)),
        ],
    )
    snapshot = store.latest_snapshot_id()
    assert snapshot is not None
    assert named_links(store, snapshot) == {(A, B), (B, C)}
    _, nodes = store.link_graph(snapshot)
    assert nodes.column("url_id").to_pylist() == sorted(nodes.column("url_id").to_pylist())
    url_of = urls_by_id(store)
    assert len(url_of) == 4
    urls = [url_of[url_id] for url_id in nodes.column("url_id").to_pylist()]
    assert dict(zip(urls, nodes.column("domain").to_pylist(), strict=True)) == {
        A: "a.example",
        B: "b.example",
        C: "c.example",
    }


def test_a_snapshot_ranks_the_links_known_by_then(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [sighting(A, B, 0)], sha256="first")
    first = store.latest_snapshot_id()
    import_sightings(store, [sighting(B, C, 0)], sha256="second")
    second = store.latest_snapshot_id()
    assert first is not None
    assert second is not None
    assert second > first
    assert named_links(store, first) == {(A, B)}
    # A link not seen again by a later import is still there.
    assert named_links(store, second) == {(A, B), (B, C)}
    assert store.snapshot_exists(first)
    assert not store.snapshot_exists(second + 1)


def test_an_empty_store_has_no_snapshot_and_no_scores(store: Store) -> None:
    assert store.latest_snapshot_id() is None
    assert store.ranked_snapshot_id() is None
    links, nodes = store.link_graph(1)
    assert links.num_rows == nodes.num_rows == 0


def page_rows(url_ids: list[int], pagerank: list[float]) -> pa.Table:
    n = len(url_ids)
    return pa.table(
        {
            "url_id": url_ids,
            "pagerank": pagerank,
            "authority": [100.0 * p for p in pagerank],
            "trust": [None] * n,
            "spam_mass": [None] * n,
            "referring_domains": [1] * n,
            "referring_pages": [2] * n,
        },
        schema=PAGE_METRICS_SCHEMA,
    )


def domain_rows(domains: list[str], pagerank: list[float]) -> pa.Table:
    n = len(domains)
    return pa.table(
        {
            "domain": domains,
            "pagerank": pagerank,
            "authority": [50.0] * n,
            "trust": [0.5] * n,
            "spam_mass": [0.25] * n,
            "referring_domains": [3] * n,
            "referring_pages": [4] * n,
        },
        schema=DOMAIN_METRICS_SCHEMA,
    )


def test_scores_of_a_snapshot_are_replaced_not_added(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [sighting(A, B, 0), sighting(B, C, 1)])
    snapshot = store.latest_snapshot_id()
    assert snapshot is not None
    _, nodes = store.link_graph(snapshot)
    ids = nodes.column("url_id").to_pylist()
    store.replace_metrics(snapshot, page_rows(ids, [0.2, 0.3, 0.5]), domain_rows(["x"], [1.0]))
    store.replace_metrics(
        snapshot,
        page_rows(ids[:2], [0.6, 0.4]),
        domain_rows(["a.example", "b.example"], [0.3, 0.7]),
    )
    assert store.metrics_counts(snapshot) == (2, 2)
    assert store.ranked_snapshot_id() == snapshot
    top = store.top_pages(snapshot, limit=1).to_pylist()
    url_of = urls_by_id(store)
    assert top == [
        {
            "name": url_of[ids[0]],
            "pagerank": 0.6,
            "authority": pytest.approx(60.0),
            "trust": None,
            "spam_mass": None,
            "referring_domains": 1,
            "referring_pages": 2,
        }
    ]
    domains = store.top_domains(snapshot, limit=5).to_pylist()
    assert [row["name"] for row in domains] == ["b.example", "a.example"]
    assert domains[0]["spam_mass"] == 0.25


def test_scores_of_other_snapshots_are_kept(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [sighting(A, B, 0)], sha256="first")
    first = store.latest_snapshot_id()
    import_sightings(store, [sighting(B, C, 0)], sha256="second")
    second = store.latest_snapshot_id()
    assert first is not None
    assert second is not None
    store.replace_metrics(first, page_rows([0], [1.0]), domain_rows(["a"], [1.0]))
    store.replace_metrics(second, page_rows([0, 1], [0.5, 0.5]), domain_rows(["a"], [1.0]))
    store.replace_metrics(second, page_rows([1], [1.0]), domain_rows(["a"], [1.0]))
    assert store.metrics_counts(first) == (1, 1)
    assert store.metrics_counts(second) == (1, 1)


def test_a_failed_write_leaves_the_earlier_scores(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, [sighting(A, B, 0)])
    snapshot = store.latest_snapshot_id()
    assert snapshot is not None
    store.replace_metrics(snapshot, page_rows([0, 1], [0.5, 0.5]), domain_rows(["a"], [1.0]))
    bad_domains = pa.table({"domain": ["a"]})
    with pytest.raises(ValueError, match="expected columns"):
        store.replace_metrics(snapshot, page_rows([0], [1.0]), bad_domains)
    assert store.metrics_counts(snapshot) == (2, 1)
