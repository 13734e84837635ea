"""The events of ``store.monitor`` on small hand-made imports, crawls and verifications.

The crawls are committed as the crawler commits them (``verify_crawl`` of the
verification tests, a crawl whose seeds are the pages given); every fetch and
sighting of them is dated ``CHECKED_AT``, the imports ``EARLIER``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from tests.unit.store.test_verification import (
    CHECKED_AT,
    EARLIER,
    SHOP,
    Visit,
    checks,
    html,
    import_links,
    imported,
    redirect,
    verify_crawl,
)

from linkequity.model.pages import PageRecord
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pyarrow as pa
    from tests.unit.store.conftest import ImportSightings

PAGE = "https://blog.test/post"
LATER = datetime(2026, 6, 1)


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    with Store.open(store_path) as opened:
        yield opened


def events_of(store: Store, target_ids: pa.Array[Any] | None = None) -> list[dict[str, Any]]:
    links, events = store.link_events(target_ids)
    urls = {row["link_id"]: (row["source_url"], row["anchor"]) for row in links.to_pylist()}
    return [{**row, "link": urls[row["link_id"]]} for row in events.to_pylist()]


def losses(store: Store) -> dict[tuple[str, str], tuple[str, str | None, str]]:
    """Return ``(reason, detail, origin)`` of each loss by ``(source, anchor)``."""
    return {
        row["link"]: (row["reason"], row["detail"], row["origin"])
        for row in events_of(store)
        if not row["is_live"]
    }


def import_dated(store: Store, import_sightings: ImportSightings, *sources: str) -> None:
    import_links(
        store, import_sightings, [imported(source, last_seen=EARLIER) for source in sources]
    )


def test_a_sighting_is_live_with_its_rel_and_an_export_loss_is_a_loss(
    store: Store, import_sightings: ImportSightings
) -> None:
    first = datetime(2025, 6, 1)
    import_links(
        store,
        import_sightings,
        [
            imported(PAGE, first_seen=first, last_seen=EARLIER),
            imported(
                "https://other.test/a",
                anchor="Old",
                is_nofollow=True,
                last_seen=EARLIER,
                lost_at=LATER,
                lost_reason="removed",
            ),
        ],
    )

    rows = events_of(store)

    shoes = [
        (r["observed_at"], r["is_live"], r["is_followed"]) for r in rows if r["link"][1] == "Shoes"
    ]
    assert shoes == [(first, True, True), (EARLIER, True, True)]
    old = [
        (r["observed_at"], r["is_live"], r["is_followed"], r["reason"])
        for r in rows
        if r["link"][1] == "Old"
    ]
    assert old == [(EARLIER, True, False, None), (LATER, False, None, "removed")]
    assert {row["origin"] for row in rows} == {"ahrefs"}


def test_a_later_fetch_without_the_link_loses_it_with_the_fetch_reason(
    store: Store, import_sightings: ImportSightings
) -> None:
    removed, gone, failing, silent = (
        f"https://{host}.test/p" for host in ("rm", "gone", "err", "dns")
    )
    blocked, noindex, kept, file = (
        f"https://{host}.test/p" for host in ("robots", "ni", "kept", "pdf")
    )
    import_dated(
        store, import_sightings, removed, gone, failing, silent, blocked, noindex, kept, file
    )
    verify_crawl(
        store,
        [
            Visit(html(removed), links=(("https://else.test/", "Else", ""),)),
            Visit(html(gone, status=404, is_indexable=False, non_indexable_reason="status")),
            Visit(html(failing, status=503, is_indexable=False, non_indexable_reason="status")),
            Visit(PageRecord(silent, None, is_indexable=False, fetched_at=CHECKED_AT)),
            Visit(
                PageRecord(
                    blocked,
                    None,
                    is_indexable=False,
                    non_indexable_reason="robots_txt",
                    indexability_detail="robots.txt: Disallow: /",
                    is_robots_allowed=False,
                    fetched_at=CHECKED_AT,
                )
            ),
            Visit(
                html(
                    noindex,
                    is_indexable=False,
                    non_indexable_reason="noindex",
                    indexability_detail="meta robots: noindex",
                ),
                links=((SHOP, "Shoes", ""),),
            ),
            Visit(html(kept), links=((SHOP, "Shoes", ""),)),
            Visit(
                html(
                    file,
                    content_type="application/pdf",
                    is_indexable=False,
                    non_indexable_reason="not_html",
                )
            ),
        ],
    )

    assert losses(store) == {
        (removed, "Shoes"): ("link_removed", None, "fetch"),
        (gone, "Shoes"): ("page_gone", "HTTP 404", "fetch"),
        (failing, "Shoes"): ("http_error", "HTTP 503", "fetch"),
        (silent, "Shoes"): ("no_response", None, "fetch"),
        (blocked, "Shoes"): ("blocked_by_robots", "robots.txt: Disallow: /", "fetch"),
        (noindex, "Shoes"): ("page_noindex", "meta robots: noindex", "fetch"),
    }
    by_link = {row["link"]: row for row in events_of(store) if not row["is_live"]}
    assert by_link[(gone, "Shoes")]["observed_at"] == CHECKED_AT


def test_a_redirect_is_away_to_another_site_and_redirected_within_it(
    store: Store, import_sightings: ImportSightings
) -> None:
    away, moved, nowhere = (
        "https://blog.test/away",
        "https://blog.test/moved",
        "https://blog.test/x",
    )
    import_dated(store, import_sightings, away, moved, nowhere)
    verify_crawl(
        store,
        [
            Visit(redirect(away, "https://buyer.test/")),
            Visit(redirect(moved, "https://www.blog.test/new")),
            Visit(PageRecord(nowhere, 302, is_indexable=False, fetched_at=CHECKED_AT)),
        ],
    )

    assert losses(store) == {
        (away, "Shoes"): ("redirected_away", "redirects to https://buyer.test/", "fetch"),
        (moved, "Shoes"): ("redirected", "redirects to https://www.blog.test/new", "fetch"),
        (nowhere, "Shoes"): ("http_error", "HTTP 302", "fetch"),
    }


def test_a_redirect_keeps_the_link_it_is(store: Store) -> None:
    # An archived 301 is read as one link, to its Location: seen by that very fetch.
    moved = "https://old.test/page"
    verify_crawl(store, [Visit(redirect(moved, SHOP), links=((SHOP, "", ""),))])

    rows = events_of(store)

    assert [(row["link"], row["is_live"]) for row in rows] == [((moved, ""), True)]


def test_a_fetch_before_the_link_was_first_seen_says_nothing_of_it(
    store: Store, import_sightings: ImportSightings
) -> None:
    verify_crawl(store, [Visit(html(PAGE))])
    import_links(store, import_sightings, [imported(PAGE, last_seen=LATER)])

    assert losses(store) == {}


def test_a_crawled_link_missing_from_the_next_crawl_is_removed(store: Store) -> None:
    verify_crawl(store, [Visit(html(PAGE), links=((SHOP, "Shoes", ""), (SHOP, "Boots", "")))])
    verify_crawl(store, [Visit(html(PAGE), links=((SHOP, "Boots", "nofollow"),))])

    rows = events_of(store)

    assert losses(store) == {(PAGE, "Shoes"): ("link_removed", None, "fetch")}
    boots = [
        (row["snapshot_id"], row["is_followed"]) for row in rows if row["link"] == (PAGE, "Boots")
    ]
    assert boots == [(1, True), (2, False)]
    assert {row["origin"] for row in rows if row["is_live"]} == {"crawl"}


def test_a_verification_speaks_for_its_snapshot_instead_of_the_fetch(
    store: Store, import_sightings: ImportSightings
) -> None:
    sponsored, gone = "https://ads.test/p", "https://gone.test/p"
    import_dated(store, import_sightings, sponsored, gone)
    snapshot_id = verify_crawl(
        store,
        [
            Visit(html(sponsored), links=((SHOP, "Shoes", "sponsored"),)),
            Visit(html(gone, status=410, is_indexable=False, non_indexable_reason="status")),
        ],
    )
    checks(store, snapshot_id)

    rows = [row for row in events_of(store) if row["origin"] != "ahrefs"]

    verdicts = {
        (row["link"][0], row["origin"], row["is_live"], row["is_followed"], row["reason"])
        for row in rows
    }
    assert verdicts == {
        (sponsored, "verify", True, False, None),  # now_nofollow: a rel change, not a loss
        (sponsored, "crawl", True, False, None),  # the crawl's own sighting of it
        (gone, "verify", False, None, "page_gone"),
    }


def test_internal_links_are_no_backlinks_and_a_target_narrows_the_scope(
    store: Store, import_sightings: ImportSightings
) -> None:
    import_links(
        store,
        import_sightings,
        [
            imported(PAGE, last_seen=EARLIER),
            imported(PAGE, "https://x.test/", "X", last_seen=EARLIER),
            imported("https://www.shop.test/about", last_seen=EARLIER),
        ],
    )
    shop_ids = store.target_pages(["shop.test"], []).column("url_id").combine_chunks()

    everything, _ = store.link_events(None)
    to_shop, _ = store.link_events(shop_ids)

    assert sorted(everything.column("source_url").to_pylist()) == [PAGE, PAGE]
    assert to_shop.column("target_url").to_pylist() == [SHOP]
