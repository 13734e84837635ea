"""The classification SQL of backlink verification, on small hand-made crawls."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from linkequity.model.links import LinkSighting
from linkequity.model.pages import PageRecord
from linkequity.model.verification import LOST_OUTCOMES, LinkOutcome
from linkequity.store import (
    FRONTIER_ADD_SCHEMA,
    FRONTIER_SETTLE_SCHEMA,
    pages_to_arrow,
    sightings_to_arrow,
)

if TYPE_CHECKING:
    from tests.unit.store.conftest import ImportSightings

    from linkequity.store import Store

SHOP = "https://shop.test/"
CHECKED_AT = datetime(2026, 3, 1, 12, 0)
EARLIER = datetime(2025, 10, 1, 9, 0)


@dataclass(frozen=True)
class Visit:
    """One URL of a hand-made verification crawl: its frontier row, fetch and links."""

    page: PageRecord
    links: tuple[tuple[str, str, str], ...] = ()  # (target, anchor, rel)
    via: str | None = None
    state: str = "done"
    outcome: str | None = None


def html(url: str, **changes: Any) -> PageRecord:
    """A 2xx HTML page that is indexable unless *changes* say otherwise."""
    page = PageRecord(
        url,
        200,
        final_url=url,
        content_type="text/html",
        is_indexable=True,
        is_robots_allowed=True,
        fetched_at=CHECKED_AT,
    )
    return replace(page, **changes)


def redirect(url: str, location: str, status: int = 301) -> PageRecord:
    return PageRecord(
        url,
        status,
        final_url=location,
        is_indexable=False,
        non_indexable_reason="redirect",
        indexability_detail=f"redirects to {location}",
        fetched_at=CHECKED_AT,
    )


def imported(source: str, target: str = SHOP, anchor: str = "Shoes", **flags: Any) -> LinkSighting:
    values: dict[str, Any] = {"is_nofollow": False, "is_sponsored": False, "is_ugc": False}
    values.update(flags)
    return LinkSighting(source, target, 0, anchor, **values)


def import_links(
    store: Store, import_sightings: ImportSightings, sightings: list[LinkSighting]
) -> None:
    numbered = [replace(sighting, row=row) for row, sighting in enumerate(sightings)]
    import_sightings(store, numbered)


def verify_crawl(store: Store, visits: list[Visit]) -> int:
    """Store a verify-mode crawl of *visits* the way the crawler commits one; return its id."""
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="crawl", source="verification")
        file_id, _ = store.register_file(
            sha256=f"crawl:{snapshot_id}",
            path="crawl",
            tool="crawl",
            export_format=None,
            kind="crawl",
            snapshot_id=snapshot_id,
        )
        queued = pa.Table.from_pydict(
            {
                "url": [visit.page.url for visit in visits],
                "host": ["h" for _ in visits],
                "depth": [0 for _ in visits],
                "via": [visit.via for visit in visits],
                "redirect_chain": [None for _ in visits],
            },
            schema=FRONTIER_ADD_SCHEMA,
        )
        store.add_to_frontier(snapshot_id, queued)
        seqs = dict(
            store._conn.execute(
                "SELECT url, seq FROM crawl_frontier WHERE snapshot_id = ?", [snapshot_id]
            ).fetchall()
        )
        sightings = [
            LinkSighting(
                visit.page.url,
                target,
                0,
                anchor,
                is_nofollow="nofollow" in rel.split(),
                is_sponsored="sponsored" in rel.split(),
                is_ugc="ugc" in rel.split(),
                placement="content",
                is_hidden=False,
                position=position,
                last_seen=CHECKED_AT,
            )
            for visit in visits
            for position, (target, anchor, rel) in enumerate(visit.links)
        ]
        settled = pa.Table.from_pydict(
            {
                "seq": [seqs[visit.page.url] for visit in visits],
                "state": [visit.state for visit in visits],
                "attempts": [0 for _ in visits],
                "not_before": [None for _ in visits],
                "status": [visit.page.status for visit in visits],
                "outcome": [visit.outcome for visit in visits],
            },
            schema=FRONTIER_SETTLE_SCHEMA,
        )
        store.commit_crawl_batch(
            snapshot_id,
            file_id,
            pages=pages_to_arrow([visit.page for visit in visits]),
            sightings=sightings_to_arrow(
                [replace(sighting, row=row) for row, sighting in enumerate(sightings)]
            ),
            settled=settled,
            found=FRONTIER_ADD_SCHEMA.empty_table(),
        )
        store.finish_snapshot(snapshot_id)
    return snapshot_id


def checks(
    store: Store, snapshot_id: int, *, target_domain: str | None = None
) -> dict[tuple[str, str, str], dict[str, Any]]:
    store.record_link_checks(snapshot_id, checked_at=CHECKED_AT, target_domain=target_domain)
    rows = store.link_check_rows(snapshot_id).to_pylist()
    return {(row["source_url"], row["target_url"], row["anchor"]): row for row in rows}


def lost_fields(store: Store, source: str) -> list[tuple[Any, ...]]:
    """Return ``(anchor, lost_at, lost_reason)`` of the links from *source* to ``SHOP``."""
    return store._conn.execute(
        """SELECT l.anchor, l.lost_at, l.lost_reason FROM links l
        JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
        WHERE s.url = ? AND t.url = ? ORDER BY l.anchor""",
        [source, SHOP],
    ).fetchall()


def test_a_link_still_on_its_page_is_present_with_what_the_page_says_now(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(store, [Visit(html(page), links=((SHOP, "Shoes", ""),))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert row["outcome"] == "present"
    assert row["is_present"] is True
    assert row["lost_reason"] is None
    assert row["detail"] is None
    assert row["status"] == 200
    assert row["final_url"] == page
    assert row["redirects"] == 0
    assert row["is_indexable"] is True
    assert row["is_robots_allowed"] is True
    assert row["was_followed"] is True
    assert (row["anchor_now"], row["is_anchor_changed"]) == ("Shoes", False)
    assert (row["is_nofollow"], row["is_sponsored"], row["is_ugc"]) == (False, False, False)
    assert (row["placement"], row["is_hidden"], row["links_to_target"]) == ("content", False, 1)
    assert row["target_now"] == SHOP
    assert row["checked_at"] == CHECKED_AT


def test_only_imported_links_from_the_crawl_seeds_are_checked(
    store: Store, import_sightings: ImportSightings
) -> None:
    page, elsewhere = "https://blog.test/post", "https://blog.test/other"
    import_links(store, import_sightings, [imported(page), imported(elsewhere)])
    snapshot_id = verify_crawl(
        store, [Visit(html(page), links=((SHOP, "Shoes", ""), ("https://blog.test/", "Home", "")))]
    )

    assert list(checks(store, snapshot_id)) == [(page, SHOP, "Shoes")]


def test_a_changed_anchor_is_present_with_the_new_anchor(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page, anchor="Shoes")])
    snapshot_id = verify_crawl(store, [Visit(html(page), links=((SHOP, "Buy running shoes", ""),))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert row["outcome"] == "present"
    assert (row["anchor_now"], row["is_anchor_changed"]) == ("Buy running shoes", True)
    assert row["detail"] == "anchor changed"


def test_targets_are_compared_without_scheme_www_or_final_slash(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(
        store,
        import_sightings,
        [imported(page, "http://shop.test/", "Shop"), imported(page, "https://shop.test/a", "A")],
    )
    snapshot_id = verify_crawl(
        store,
        [
            Visit(
                html(page),
                links=(("https://www.shop.test/", "Shop", ""), ("https://shop.test/a/", "A", "")),
            )
        ],
    )

    rows = checks(store, snapshot_id)

    assert rows[(page, "http://shop.test/", "Shop")]["target_now"] == "https://www.shop.test/"
    assert rows[(page, "https://shop.test/a", "A")]["outcome"] == "present"


def test_the_same_anchor_wins_among_several_links_to_the_target(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page, anchor="Shoes")])
    snapshot_id = verify_crawl(
        store,
        [Visit(html(page), links=((SHOP, "click here", ""), (SHOP, "shoes", "nofollow")))],
    )

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["anchor_now"], row["links_to_target"]) == (
        "now_nofollow",
        "shoes",
        2,
    )
    assert row["is_anchor_changed"] is False


def test_a_page_without_the_link_has_lost_it(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(
        store, [Visit(html(page), links=(("https://other.test/", "Shoes", ""),))]
    )

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["lost_reason"], row["is_present"]) == (
        "link_removed",
        "link_removed",
        False,
    )
    assert row["anchor_now"] is None
    assert row["links_to_target"] is None
    assert lost_fields(store, page) == [("Shoes", CHECKED_AT, "link_removed")]


@pytest.mark.parametrize(
    ("exported", "rel_now", "outcome", "detail"),
    [
        ({}, "nofollow", "now_nofollow", "rel nofollow"),
        ({}, "sponsored ugc", "now_nofollow", "rel sponsored ugc"),
        ({"is_sponsored": True}, "sponsored", "present_nofollow", "rel sponsored"),
        (
            {"is_nofollow": None, "is_sponsored": None, "is_ugc": None},
            "ugc",
            "present_nofollow",
            "rel ugc",
        ),
        ({"is_nofollow": True}, "", "present", None),
    ],
)
def test_rel_now_is_judged_against_what_the_export_said(
    store: Store,
    import_sightings: ImportSightings,
    exported: dict[str, Any],
    rel_now: str,
    outcome: str,
    detail: str | None,
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page, **exported)])
    snapshot_id = verify_crawl(store, [Visit(html(page), links=((SHOP, "Shoes", rel_now),))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"]) == (outcome, detail)
    assert row["is_present"] is True
    assert row["lost_reason"] == (outcome if outcome == "now_nofollow" else None)


def test_a_link_on_a_noindex_page_is_lost(store: Store, import_sightings: ImportSightings) -> None:
    page = "https://blog.test/tag/shoes"
    import_links(store, import_sightings, [imported(page)])
    noindex = html(
        page,
        is_indexable=False,
        non_indexable_reason="noindex",
        indexability_detail="noindex in meta robots",
    )
    snapshot_id = verify_crawl(store, [Visit(noindex, links=((SHOP, "Shoes", ""),))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"], row["is_present"]) == (
        "page_noindex",
        "noindex in meta robots",
        True,
    )
    assert (row["is_indexable"], row["non_indexable_reason"]) == (False, "noindex")


def test_a_canonicalised_page_keeps_its_link_present(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post?ref=1"
    import_links(store, import_sightings, [imported(page)])
    canonicalised = html(page, is_indexable=False, non_indexable_reason="canonicalised")
    snapshot_id = verify_crawl(store, [Visit(canonicalised, links=((SHOP, "Shoes", ""),))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["is_indexable"]) == ("present", False)


@pytest.mark.parametrize(
    ("status", "outcome", "detail"),
    [
        (404, "page_gone", "HTTP 404"),
        (410, "page_gone", "HTTP 410"),
        (403, "http_error", "HTTP 403"),
        (500, "http_error", "HTTP 500: HTTP 500 (after 3 attempts)"),
    ],
)
def test_an_error_status_is_gone_only_for_404_and_410(
    store: Store, import_sightings: ImportSightings, status: int, outcome: str, detail: str
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    failed = PageRecord(
        page, status, is_indexable=False, non_indexable_reason="status", fetched_at=CHECKED_AT
    )
    gave_up = "HTTP 500 (after 3 attempts)" if status == 500 else None
    visit = Visit(failed, state="failed" if gave_up else "done", outcome=gave_up)
    snapshot_id = verify_crawl(store, [visit])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"], row["status"]) == (outcome, detail, status)
    assert (row["lost_reason"], row["is_present"]) == (outcome, False)


def test_no_response_says_why_and_is_not_gone(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://down.test/post"
    import_links(store, import_sightings, [imported(page)])
    failed = PageRecord(
        page,
        None,
        is_indexable=False,
        non_indexable_reason="status",
        indexability_detail="timed out (after 3 attempts)",
    )
    visit = Visit(failed, state="failed", outcome="timed out (after 3 attempts)")
    snapshot_id = verify_crawl(store, [visit])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"]) == ("no_response", "timed out (after 3 attempts)")
    assert (row["status"], row["is_present"]) == (None, None)


def test_a_page_robots_txt_forbids_is_blocked(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/private/post"
    import_links(store, import_sightings, [imported(page)])
    excluded = PageRecord(
        page,
        None,
        is_indexable=False,
        non_indexable_reason="robots_txt",
        indexability_detail="robots.txt: Disallow: /private/",
        is_robots_allowed=False,
    )
    visit = Visit(excluded, state="excluded", outcome="robots.txt: Disallow: /private/")
    snapshot_id = verify_crawl(store, [visit])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"]) == (
        "blocked_by_robots",
        "robots.txt: Disallow: /private/",
    )
    assert (row["is_robots_allowed"], row["is_present"]) == (False, None)


def test_a_redirect_within_the_site_is_judged_on_the_page_it_ends_on(
    store: Store, import_sightings: ImportSightings
) -> None:
    old, middle, new = "http://blog.test/old", "https://blog.test/old", "https://www.blog.test/new"
    import_links(store, import_sightings, [imported(old), imported(old, "https://x.test/", "X")])
    snapshot_id = verify_crawl(
        store,
        [
            Visit(redirect(old, middle)),
            Visit(redirect(middle, new, 308), via=old),
            Visit(html(new), links=((SHOP, "Shoes", ""),), via=middle),
        ],
    )

    rows = checks(store, snapshot_id)

    kept = rows[(old, SHOP, "Shoes")]
    assert (kept["outcome"], kept["final_url"], kept["redirects"]) == ("present", new, 2)
    removed = rows[(old, "https://x.test/", "X")]
    assert (removed["outcome"], removed["detail"]) == ("link_removed", f"not on {new}")


def test_a_redirect_to_another_site_sends_the_link_away(
    store: Store, import_sightings: ImportSightings
) -> None:
    page, away = "https://blog.test/post", "https://buyer.test/landing"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(
        store,
        [
            Visit(redirect(page, away)),
            Visit(html(away), links=((SHOP, "Shoes", ""),), via=page),
        ],
    )

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"]) == ("redirected_away", f"redirects to {away}")
    assert (row["final_url"], row["redirects"], row["is_present"]) == (away, 1, False)


def test_an_unfollowed_redirect_to_another_site_sends_the_link_away(
    store: Store, import_sightings: ImportSightings
) -> None:
    page, away = "https://blog.test/post", "https://buyer.test/landing"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(store, [Visit(redirect(page, away))])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["final_url"], row["redirects"]) == ("redirected_away", page, 0)


def test_a_page_that_redirects_to_the_target_is_the_link_itself(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/go/shop"
    import_links(store, import_sightings, [imported(page, anchor="")])
    snapshot_id = verify_crawl(
        store, [Visit(redirect(page, "https://www.shop.test/")), Visit(html(SHOP), via=page)]
    )

    row = checks(store, snapshot_id)[(page, SHOP, "")]

    assert (row["outcome"], row["detail"]) == ("present", "the page redirects to the target")
    assert row["is_anchor_changed"] is None


def test_a_redirect_loop_is_an_error_that_names_the_loop(
    store: Store, import_sightings: ImportSightings
) -> None:
    a, b = "https://blog.test/a", "https://blog.test/b"
    import_links(store, import_sightings, [imported(a)])
    loop = f"redirect loop: {a} -> {b} -> {a}"
    snapshot_id = verify_crawl(
        store, [Visit(redirect(a, b)), Visit(redirect(b, a), via=a, outcome=loop)]
    )

    row = checks(store, snapshot_id)[(a, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"]) == ("http_error", f"HTTP 301: {loop}")
    assert (row["final_url"], row["redirects"]) == (b, 1)


def test_an_unreadable_page_leaves_the_link_as_it_was(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/file.pdf"
    import_links(
        store,
        import_sightings,
        [imported(page, lost_at=EARLIER, lost_reason="removed", last_seen=datetime(2025, 9, 1))],
    )
    pdf = PageRecord(
        page,
        200,
        content_type="application/pdf",
        is_indexable=False,
        non_indexable_reason="not_html",
        indexability_detail="content type application/pdf",
    )
    snapshot_id = verify_crawl(store, [Visit(pdf)])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["detail"], row["is_present"]) == (
        "unreadable",
        "content type application/pdf",
        None,
    )
    assert lost_fields(store, page) == [("Shoes", EARLIER, "removed")]


def test_a_seed_the_crawl_did_not_fetch_is_unchecked(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(store, [Visit(html(page))])
    store._conn.execute("DELETE FROM pages WHERE snapshot_id = ?", [snapshot_id])

    row = checks(store, snapshot_id)[(page, SHOP, "Shoes")]

    assert (row["outcome"], row["lost_reason"], row["status"]) == ("unchecked", None, None)


def test_a_link_found_again_is_no_longer_lost_and_a_lost_one_keeps_its_first_date(
    store: Store, import_sightings: ImportSightings
) -> None:
    back, still = "https://blog.test/back", "https://blog.test/still"
    import_links(
        store,
        import_sightings,
        [
            imported(back, anchor="Old anchor", lost_at=EARLIER, last_seen=datetime(2025, 9, 1)),
            imported(still, lost_at=EARLIER, lost_reason="removed", last_seen=datetime(2025, 9, 1)),
        ],
    )
    snapshot_id = verify_crawl(
        store,
        [Visit(html(back), links=((SHOP, "New anchor", ""),)), Visit(html(still))],
    )

    rows = checks(store, snapshot_id)

    assert rows[(back, SHOP, "Old anchor")]["outcome"] == "present"
    assert lost_fields(store, back) == [("New anchor", None, None), ("Old anchor", None, None)]
    assert lost_fields(store, still) == [("Shoes", EARLIER, "link_removed")]


def test_checking_again_replaces_the_rows_of_the_snapshot(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    snapshot_id = verify_crawl(store, [Visit(html(page))])

    assert store.record_link_checks(snapshot_id, checked_at=CHECKED_AT) == 1
    assert store.record_link_checks(snapshot_id, checked_at=CHECKED_AT) == 1
    assert store.link_check_counts(snapshot_id) == {"link_removed": 1}


def test_a_target_domain_limits_the_links_checked_and_the_seeds(
    store: Store, import_sightings: ImportSightings
) -> None:
    page, other = "https://blog.test/post", "https://news.test/"
    import_links(
        store,
        import_sightings,
        [imported(page), imported(page, "https://rival.test/", "Rival"), imported(other)],
    )
    snapshot_id = verify_crawl(store, [Visit(html(page))])

    rows = checks(store, snapshot_id, target_domain="rival.test")

    assert list(rows) == [(page, "https://rival.test/", "Rival")]
    assert store.verification_seeds(target_domain="rival.test") == [page]
    assert store.verification_seeds() == [page, other]
    assert store.verification_seeds(target_domain="none.test") == []


def test_seeds_leave_out_pages_known_only_from_our_own_crawls(
    store: Store, import_sightings: ImportSightings
) -> None:
    page = "https://blog.test/post"
    import_links(store, import_sightings, [imported(page)])
    verify_crawl(store, [Visit(html(page), links=(("https://blog.test/next", "Next", ""),))])
    verify_crawl(store, [Visit(html("https://blog.test/next"), links=((SHOP, "Shoes", ""),))])

    assert store.verification_seeds() == [page]


def test_outcomes_say_whether_they_are_losses_and_what_they_mean() -> None:
    assert {outcome for outcome in LinkOutcome if outcome.is_lost} == LOST_OUTCOMES
    assert not LinkOutcome.PRESENT_NOFOLLOW.is_lost
    assert not LinkOutcome.UNREADABLE.is_known
    assert LinkOutcome.REDIRECTED_AWAY.is_known
    assert all(outcome.describe() for outcome in LinkOutcome)
