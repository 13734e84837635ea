from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from linkequity.model.pages import Footprints, PageRecord
from linkequity.store import pages_to_arrow

if TYPE_CHECKING:
    from linkequity.store import Store

ARTICLE = PageRecord(
    "https://blog.example/post",
    200,
    final_url="https://blog.example/post",
    content_type="text/html",
    title="A post",
    language="en",
    word_count=412,
    is_indexable=False,
    non_indexable_reason="canonicalised",
    indexability_detail="canonical names https://blog.example/",
    canonical_url="https://blog.example/",
    fetched_at=datetime(2024, 5, 1, 12, 0),
    robots="nofollow",
    internal_links=12,
    external_links=3,
    footprints=Footprints(analytics_ids=("UA-1-1",)),
)
REDIRECT = PageRecord(
    "http://blog.example/old", 301, final_url="https://blog.example/post", is_indexable=False
)
PAGE_ROWS = """
    SELECT u.url, p.status, f.url AS final_url, c.url AS canonical_url, p.file_id, p.title,
        p.word_count, p.non_indexable_reason, p.indexability_detail, p.fetched_at, p.robots,
        p.internal_links, p.external_links, p.footprints
    FROM pages p JOIN urls u ON u.id = p.url_id
    LEFT JOIN urls f ON f.id = p.final_url_id LEFT JOIN urls c ON c.id = p.canonical_url_id
    ORDER BY u.url"""


def write(store: Store, pages: list[PageRecord], *, file_id: int | None = None) -> int:
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="ingest")
        return store.write_pages(snapshot_id, file_id, pages_to_arrow(pages))


def test_pages_are_stored_with_their_urls_as_ids(store: Store) -> None:
    assert write(store, [ARTICLE, REDIRECT], file_id=7) == 2

    rows = store._conn.execute(PAGE_ROWS).fetchall()

    assert rows == [
        ("http://blog.example/old", 301, "https://blog.example/post", None, 7)
        + (None, None, None, None, None, None, None, None, None),
        (
            "https://blog.example/post",
            200,
            "https://blog.example/post",
            "https://blog.example/",
            7,
            "A post",
            412,
            "canonicalised",
            "canonical names https://blog.example/",
            datetime(2024, 5, 1, 12, 0),
            "nofollow",
            12,
            3,
            json.dumps({"analytics_ids": ["UA-1-1"]}),
        ),
    ]


def test_missing_urls_are_not_interned(store: Store) -> None:
    write(store, [PageRecord("https://only.example/", None)])

    assert store._conn.execute("SELECT url FROM urls").fetchall() == [("https://only.example/",)]


def test_every_fetch_is_kept(store: Store) -> None:
    write(store, [ARTICLE, ARTICLE])

    assert store._conn.execute("SELECT count(*), count(file_id) FROM pages").fetchall() == [(2, 0)]
