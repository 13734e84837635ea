"""The crawl frontier in a real DuckDB file: queue, claim fairly, settle, requeue, commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from linkequity.model.links import LinkSighting
from linkequity.model.pages import PageRecord
from linkequity.store import (
    FRONTIER_ADD_SCHEMA,
    FRONTIER_SETTLE_SCHEMA,
    LINK_SIGHTING_SCHEMA,
    Store,
    pages_to_arrow,
    sightings_to_arrow,
)

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 5, 1, 12, 0, 0)
STATES = {"queued", "in_flight", "done", "failed", "excluded"}


def found(*urls: str, depth: int = 0, via: str | None = None) -> pa.Table:
    """Rows to queue, the host taken from the URL."""
    return pa.Table.from_pydict(
        {
            "url": list(urls),
            "host": [url.split("/")[2] for url in urls],
            "depth": [depth] * len(urls),
            "via": [via] * len(urls),
            "redirect_chain": [None] * len(urls),
        },
        schema=FRONTIER_ADD_SCHEMA,
    )


def settled(*rows: tuple[Any, ...]) -> pa.Table:
    """``(seq, state, attempts, not_before, status, outcome)`` rows."""
    names = FRONTIER_SETTLE_SCHEMA.names
    return pa.Table.from_pylist(
        [dict(zip(names, row, strict=True)) for row in rows], schema=FRONTIER_SETTLE_SCHEMA
    )


def begin_crawl(store: Store) -> int:
    return store.begin_snapshot(kind="crawl", source="test")


def claim(
    store: Store,
    snapshot_id: int,
    *,
    limit: int = 100,
    per_host: int = 100,
    now: datetime = NOW,
    skip_hosts: list[str] | None = None,
) -> list[str]:
    table = store.claim_frontier(
        snapshot_id, limit=limit, per_host=per_host, now=now, skip_hosts=skip_hosts or []
    )
    return [str(url) for url in table.column("url").to_pylist()]


def settle(
    store: Store, snapshot_id: int, *outcomes: tuple[Any, ...], queue: pa.Table | None = None
) -> None:
    """Commit a batch that only settles claimed URLs (and queues *queue*)."""
    store.commit_crawl_batch(
        snapshot_id,
        file_of(store, snapshot_id),
        pages=pages_to_arrow([]),
        sightings=LINK_SIGHTING_SCHEMA.empty_table(),
        settled=settled(*outcomes),
        found=FRONTIER_ADD_SCHEMA.empty_table() if queue is None else queue,
    )


def file_of(store: Store, crawl: int) -> int:
    file_id, _ = store.register_file(
        sha256=f"crawl:{crawl}",
        path="crawl",
        tool="crawl",
        export_format=None,
        kind="crawl",
        snapshot_id=crawl,
    )
    return file_id


def rows(store: Store, snapshot_id: int) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in store.frontier_outcomes(snapshot_id).to_pylist()}


def seqs(store: Store, snapshot_id: int) -> dict[str, int]:
    return {url: row["seq"] for url, row in rows(store, snapshot_id).items()}


# -- queueing ------------------------------------------------------------------------


def test_urls_are_queued_in_the_order_found_numbered_from_one(store: Store) -> None:
    crawl = begin_crawl(store)

    added = store.add_to_frontier(crawl, found("https://a.example/", "https://b.example/"))
    added += store.add_to_frontier(crawl, found("https://a.example/x", depth=1))

    assert added == 3
    assert seqs(store, crawl) == {
        "https://a.example/": 1,
        "https://b.example/": 2,
        "https://a.example/x": 3,
    }
    assert {row["state"] for row in rows(store, crawl).values()} == {"queued"}


def test_a_url_repeated_in_one_table_is_queued_once_the_first_row_winning(store: Store) -> None:
    crawl = begin_crawl(store)
    table = pa.concat_tables(
        [
            found("https://a.example/x", depth=1, via="https://a.example/"),
            found("https://a.example/y", depth=1),
            found("https://a.example/x", depth=2, via="https://a.example/y"),
        ]
    )

    assert store.add_to_frontier(crawl, table) == 2
    kept = rows(store, crawl)["https://a.example/x"]
    assert (kept["seq"], kept["depth"], kept["via"]) == (1, 1, "https://a.example/")


def test_a_url_the_crawl_has_seen_is_not_queued_again_whatever_its_state(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found("https://a.example/", "https://a.example/done"))
    claim(store, crawl, limit=1)
    settle(store, crawl, (1, "done", 0, None, 200, None), queue=found("https://a.example/new"))

    again = found("https://a.example/", "https://a.example/done", "https://a.example/new")
    assert store.add_to_frontier(crawl, again) == 0
    assert len(rows(store, crawl)) == 3


def test_each_crawl_has_its_own_frontier(store: Store) -> None:
    first, second = begin_crawl(store), begin_crawl(store)

    assert store.add_to_frontier(first, found("https://a.example/")) == 1
    assert store.add_to_frontier(second, found("https://a.example/")) == 1
    assert seqs(store, second) == {"https://a.example/": 1}
    assert claim(store, first) == ["https://a.example/"]
    assert store.frontier_counts(second)["queued"] == 1


def test_an_empty_table_queues_nothing(store: Store) -> None:
    assert store.add_to_frontier(begin_crawl(store), FRONTIER_ADD_SCHEMA.empty_table()) == 0


# -- claiming ------------------------------------------------------------------------


def test_a_claim_takes_turns_across_hosts_at_most_per_host_each(store: Store) -> None:
    crawl = begin_crawl(store)
    many = [f"https://a.example/{n}" for n in range(6)]
    store.add_to_frontier(crawl, found(*many, "https://b.example/1", "https://c.example/1"))

    claimed = claim(store, crawl, per_host=2)

    assert claimed == [
        "https://a.example/0",
        "https://a.example/1",
        "https://b.example/1",
        "https://c.example/1",
    ]  # in the order found: the crawler queues them per host


def test_a_claim_limit_is_filled_one_turn_of_every_host_at_a_time(store: Store) -> None:
    crawl = begin_crawl(store)
    urls = [f"https://{host}.example/{n}" for host in "abc" for n in range(3)]
    store.add_to_frontier(crawl, found(*urls))

    claimed = claim(store, crawl, limit=4)

    assert sorted(claimed) == sorted(
        ["https://a.example/0", "https://b.example/0", "https://c.example/0", "https://a.example/1"]
    )


def test_claimed_urls_come_shallowest_first(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found("https://a.example/deep", depth=3))
    store.add_to_frontier(crawl, found("https://a.example/seed", depth=0))
    store.add_to_frontier(crawl, found("https://a.example/mid", depth=1))

    assert claim(store, crawl, per_host=1) == ["https://a.example/seed"]
    assert claim(store, crawl) == ["https://a.example/mid", "https://a.example/deep"]


def test_a_claim_returns_what_the_crawler_needs(store: Store) -> None:
    crawl = begin_crawl(store)
    table = found("https://a.example/x", depth=2, via="https://a.example/")
    table = table.set_column(
        4,
        "redirect_chain",
        pa.array([["https://a.example/old", "https://a.example/older"]], pa.list_(pa.string())),
    )
    store.add_to_frontier(crawl, table)

    claimed = store.claim_frontier(crawl, limit=10, per_host=10, now=NOW, skip_hosts=[])

    assert claimed.to_pylist() == [
        {
            "seq": 1,
            "url": "https://a.example/x",
            "host": "a.example",
            "depth": 2,
            "attempts": 0,
            "via": "https://a.example/",
            "redirect_chain": ["https://a.example/old", "https://a.example/older"],
        }
    ]


def test_claimed_urls_are_in_flight_and_not_claimed_again(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found(*(f"https://a.example/{n}" for n in range(3))))

    first = claim(store, crawl, limit=2)
    second = claim(store, crawl)

    assert len(first) == 2
    assert second == [url for url in seqs(store, crawl) if url not in first]
    assert claim(store, crawl) == []
    assert store.frontier_counts(crawl)["in_flight"] == 3


def test_a_claim_leaves_out_the_hosts_it_is_told_to_skip(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found("https://a.example/", "https://b.example/"))

    assert claim(store, crawl, skip_hosts=["a.example"]) == ["https://b.example/"]
    assert claim(store, crawl, skip_hosts=["a.example", "b.example"]) == []
    assert claim(store, crawl) == ["https://a.example/"]


def test_a_retry_is_not_claimed_before_it_is_due(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found("https://a.example/", "https://a.example/other"))
    claim(store, crawl, limit=1)
    due = NOW + timedelta(seconds=30)
    settle(store, crawl, (1, "queued", 1, due, 503, "HTTP 503"))

    assert store.earliest_retry(crawl) == due
    assert claim(store, crawl, now=NOW + timedelta(seconds=29)) == ["https://a.example/other"]
    assert claim(store, crawl, now=NOW + timedelta(seconds=29)) == []
    retried = store.claim_frontier(crawl, limit=10, per_host=10, now=due, skip_hosts=[])
    assert retried.column("url").to_pylist() == ["https://a.example/"]
    assert retried.column("attempts").to_pylist() == [1]


def test_earliest_retry_is_none_without_a_retry_waiting(store: Store) -> None:
    crawl = begin_crawl(store)
    assert store.earliest_retry(crawl) is None

    store.add_to_frontier(crawl, found("https://a.example/"))
    assert store.earliest_retry(crawl) is None


def test_earliest_retry_is_the_soonest_of_the_queued_retries(store: Store) -> None:
    crawl = begin_crawl(store)
    store.add_to_frontier(crawl, found(*(f"https://a.example/{n}" for n in range(3))))
    claim(store, crawl)
    late, soon = NOW + timedelta(minutes=5), NOW + timedelta(minutes=1)
    settle(
        store,
        crawl,
        (1, "queued", 1, late, 500, "HTTP 500"),
        (2, "queued", 1, soon, 500, "HTTP 500"),
        (3, "failed", 2, NOW, 500, "gave up"),  # settled: no longer waiting
    )

    assert store.earliest_retry(crawl) == soon


# -- settling ------------------------------------------------------------------------


def test_settled_urls_keep_their_state_status_outcome_and_attempts(store: Store) -> None:
    crawl = begin_crawl(store)
    urls = [f"https://a.example/{n}" for n in range(4)]
    store.add_to_frontier(crawl, found(*urls))
    claim(store, crawl)
    due = NOW + timedelta(seconds=4)

    settle(
        store,
        crawl,
        (1, "done", 0, None, 200, None),
        (2, "failed", 2, None, None, "timed out (after 3 attempts)"),
        (3, "excluded", 0, None, None, "robots.txt: Disallow: / (line 2)"),
        (4, "queued", 1, due, 503, "HTTP 503"),
    )

    outcome = {
        url: (row["state"], row["attempts"], row["status"], row["outcome"])
        for url, row in rows(store, crawl).items()
    }
    assert outcome == {
        urls[0]: ("done", 0, 200, None),
        urls[1]: ("failed", 2, None, "timed out (after 3 attempts)"),
        urls[2]: ("excluded", 0, None, "robots.txt: Disallow: / (line 2)"),
        urls[3]: ("queued", 1, 503, "HTTP 503"),
    }
    assert store.frontier_counts(crawl) == {
        "queued": 1,
        "in_flight": 0,
        "done": 1,
        "failed": 1,
        "excluded": 1,
    }


def test_counts_name_every_state_even_when_empty(store: Store) -> None:
    counts = store.frontier_counts(begin_crawl(store))

    assert counts == dict.fromkeys(STATES, 0)


def test_requeue_puts_every_url_in_flight_back_in_the_queue(store: Store) -> None:
    crawl = begin_crawl(store)
    other = begin_crawl(store)
    store.add_to_frontier(crawl, found(*(f"https://a.example/{n}" for n in range(5))))
    store.add_to_frontier(other, found("https://a.example/0"))
    claim(store, crawl, limit=3)
    claim(store, other)
    settle(store, crawl, (1, "done", 0, None, 200, None))

    assert store.requeue_in_flight(crawl) == 2
    assert store.frontier_counts(crawl) == {
        "queued": 4,
        "in_flight": 0,
        "done": 1,
        "failed": 0,
        "excluded": 0,
    }
    assert store.frontier_counts(other)["in_flight"] == 1
    assert store.requeue_in_flight(crawl) == 0
    assert claim(store, crawl) == [f"https://a.example/{n}" for n in range(1, 5)]


# -- one commit, all or nothing ---------------------------------------------------------


def sighting(source: str, target: str, row: int) -> LinkSighting:
    return LinkSighting(source_url=source, target_url=target, row=row, anchor="a link")


def test_a_batch_stores_pages_links_settled_and_found_urls(store: Store) -> None:
    crawl = begin_crawl(store)
    file_id = file_of(store, crawl)
    store.add_to_frontier(crawl, found("https://a.example/"))
    claim(store, crawl)

    counts, queued = store.commit_crawl_batch(
        crawl,
        file_id,
        pages=pages_to_arrow([PageRecord("https://a.example/", 200)]),
        sightings=sightings_to_arrow(
            [
                sighting("https://a.example/", "https://a.example/x", 0),
                sighting("https://a.example/", "https://b.example/", 1),
            ]
        ),
        settled=settled((1, "done", 0, None, 200, None)),
        found=found("https://a.example/x", "https://b.example/", depth=1),
    )

    assert (counts.links_added, counts.sightings_added, queued) == (2, 2, 2)
    assert store.next_sighting_row(file_id) == 2
    assert store.frontier_counts(crawl)["queued"] == 2
    assert store._conn.execute("SELECT count(*) FROM pages").fetchone() == (1,)


def test_a_batch_that_fails_part_way_leaves_no_trace(store: Store) -> None:
    crawl = begin_crawl(store)
    file_id = file_of(store, crawl)
    store.add_to_frontier(crawl, found("https://a.example/"))
    claim(store, crawl)
    broken_sightings = pa.table({"source_url": ["https://a.example/"]})

    with pytest.raises(ValueError, match="expected columns"):
        store.commit_crawl_batch(
            crawl,
            file_id,
            pages=pages_to_arrow([PageRecord("https://a.example/", 200)]),
            sightings=broken_sightings,
            settled=settled((1, "done", 0, None, 200, None)),
            found=found("https://a.example/x", depth=1),
        )

    assert store._conn.execute("SELECT count(*) FROM pages").fetchone() == (0,)
    assert store.frontier_counts(crawl) == {
        "queued": 0,
        "in_flight": 1,
        "done": 0,
        "failed": 0,
        "excluded": 0,
    }


def test_a_committed_batch_survives_reopening_and_an_unfinished_crawl_is_found(
    store_path: Path,
) -> None:
    with Store.open(store_path) as store:
        finished = begin_crawl(store)
        store.finish_snapshot(finished)
        crawl = store.begin_snapshot(kind="crawl", source="test", settings={"plan": {"x": 1}})
        store.add_to_frontier(crawl, found("https://a.example/", "https://a.example/x"))
        claim(store, crawl)

    with Store.open(store_path) as store:
        unfinished = store.unfinished_crawl()
        assert unfinished is not None
        assert unfinished[0] == crawl
        assert '"x"' in unfinished[1]
        assert store.requeue_in_flight(crawl) == 2
        store.finish_snapshot(crawl)
        assert store.unfinished_crawl() is None
