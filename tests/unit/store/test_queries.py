from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
from linkequity.store import referring_domains_to_arrow, target_pages_to_arrow

if TYPE_CHECKING:
    from tests.unit.store.conftest import ImportSightings

    from linkequity.store import Store

LINKS = [
    LinkSighting("https://www.alpha.com/a", "https://shop.test/", 1, "Shoes"),
    LinkSighting("https://blog.alpha.com/b", "https://shop.test/x", 2, "shoes"),
    LinkSighting("https://beta.org/", "https://shop.test/", 3, "SHOES"),
    LinkSighting("https://beta.org/", "https://shop.test/", 4, "click here"),
    LinkSighting("https://beta.org/", "https://other.test/", 5, "other"),
    LinkSighting("http://192.0.2.1/", "https://other.test/", 6, "ip"),
]


def test_referring_domains_are_counted_per_target_domain(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, LINKS)

    rows = store.referring_domains_by_target_domain().to_pylist()

    assert rows == [
        {"target_domain": "shop.test", "referring_domains": 2, "links": 4},
        {"target_domain": "other.test", "referring_domains": 2, "links": 2},
    ]
    stats = store.stats()
    assert (stats.referring_domains, stats.referring_pages) == (3, 4)


def test_anchor_distribution_folds_anchors_and_counts_domains(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_sightings(store, LINKS)

    rows = store.anchor_distribution("shop.test").to_pylist()

    assert rows == [
        {"anchor_key": "shoes", "anchor": "shoes", "links": 3, "referring_domains": 2},
        {"anchor_key": "click here", "anchor": "click here", "links": 1, "referring_domains": 1},
    ]
    assert store.anchor_distribution("unknown.test").num_rows == 0


def test_stats_as_dict_is_plain(store: Store, import_sightings: ImportSightings) -> None:
    import_sightings(store, LINKS[:1])

    counts = store.stats().as_dict()

    assert counts["links"] == 1
    assert counts["links_by_tool"] == {"ahrefs": 1}


def test_aggregate_reports_are_stored_once_per_file_row(store: Store) -> None:
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="import")
        domains_file, _ = store.register_file(
            sha256="d",
            path="d.csv",
            tool="semrush",
            export_format="semrush_referring_domains",
            kind="referring_domains",
            snapshot_id=snapshot_id,
        )
        pages_file, _ = store.register_file(
            sha256="p",
            path="p.csv",
            tool="gsc",
            export_format="gsc_top_linked_pages",
            kind="target_pages",
            snapshot_id=snapshot_id,
        )
        domains = referring_domains_to_arrow([ReferringDomainReport("alpha.com", 1, backlinks=3)])
        pages = target_pages_to_arrow([TargetPageReport("https://shop.test/", 1, linking_sites=4)])
        assert store.write_referring_domains(snapshot_id, domains_file, domains) == 1
        assert store.write_referring_domains(snapshot_id, domains_file, domains) == 0
        assert store.write_target_pages(snapshot_id, pages_file, pages) == 1
        assert store.write_target_pages(snapshot_id, pages_file, pages) == 0

    [(tool, domain, backlinks)] = store._conn.execute(
        "SELECT tool, domain, backlinks FROM referring_domain_reports"
    ).fetchall()
    assert (tool, domain, backlinks) == ("semrush", "alpha.com", 3)
    [(url, linking_sites)] = store._conn.execute(
        """SELECT u.url, r.linking_sites FROM target_page_reports r
        JOIN urls u ON u.id = r.target_url_id"""
    ).fetchall()
    assert (url, linking_sites) == ("https://shop.test/", 4)
