"""The links into some pages from other sites: their anchors, rel and dates; and page titles.

What a page's link profile is made of: the links from other sites only (a
site's links to its own pages, menus and related posts, are no vote of
anyone else). Links are the live ones of a snapshot (known by it and not
lost), any rel, as ``store.tiers`` reads them; an anchor is grouped on its
folded form (``links.anchor_key``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow

if TYPE_CHECKING:
    import duckdb


def inbound_anchors(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return the anchors of the live links from other domains into the URLs, grouped.

    Columns: ``target_url_id, anchor, is_image, alt, source_domain, links,
    followed_links``: one row per target page, folded anchor, image flag, alt
    text and referring domain, ``anchor`` its commonest spelling there,
    ``links`` how many links the row stands for and ``followed_links`` how
    many of them are not nofollow, sponsored or ugc (unknown rel counts as
    followed, as the link graph takes it). Ordered for reproducible output.
    """
    conn.register("profile_pages", pa.table({"url_id": url_ids.cast(pa.int64())}))
    try:
        return fetch_arrow(
            conn,
            """WITH spelled AS (
                SELECT l.target_url_id, l.anchor_key, coalesce(l.is_image, false) AS is_image,
                    CASE WHEN l.is_image THEN coalesce(l.alt, '') ELSE '' END AS alt,
                    s.domain AS source_domain, l.anchor, count(*) AS links,
                    count(*) FILTER (WHERE NOT (coalesce(l.is_nofollow, false)
                        OR coalesce(l.is_sponsored, false) OR coalesce(l.is_ugc, false)))
                        AS followed_links
                FROM links l
                SEMI JOIN profile_pages p ON p.url_id = l.target_url_id
                JOIN urls s ON s.id = l.source_url_id
                JOIN urls t ON t.id = l.target_url_id
                WHERE l.first_snapshot_id <= ? AND l.lost_at IS NULL AND s.domain <> t.domain
                GROUP BY ALL)
            -- The commonest spelling of each folded anchor (ties: the first in order).
            SELECT target_url_id, arg_min(anchor, {'n': -links, 'a': anchor}) AS anchor,
                is_image, alt, source_domain, sum(links)::BIGINT AS links,
                sum(followed_links)::BIGINT AS followed_links
            FROM spelled GROUP BY target_url_id, anchor_key, is_image, alt, source_domain
            ORDER BY target_url_id, anchor_key, is_image, alt, source_domain""",
            [snapshot_id],
        )
    finally:
        conn.unregister("profile_pages")


def inbound_first_seen(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return ``(first_seen, source_domain)`` of each live link from another site into the URLs.

    ``first_seen`` is ``NULL`` where no source dated the link.
    """
    conn.register("dated_pages", pa.table({"url_id": url_ids.cast(pa.int64())}))
    try:
        return fetch_arrow(
            conn,
            """SELECT l.first_seen, s.domain AS source_domain
            FROM links l
            SEMI JOIN dated_pages p ON p.url_id = l.target_url_id
            JOIN urls s ON s.id = l.source_url_id
            JOIN urls t ON t.id = l.target_url_id
            WHERE l.first_snapshot_id <= ? AND l.lost_at IS NULL AND s.domain <> t.domain
            ORDER BY l.id""",
            [snapshot_id],
        )
    finally:
        conn.unregister("dated_pages")


def page_titles(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return ``(url_id, title)`` of the URLs whose latest fetch by the snapshot had a title."""
    conn.register("titled_pages", pa.table({"url_id": url_ids.cast(pa.int64())}))
    try:
        return fetch_arrow(
            conn,
            """SELECT p.url_id, p.title FROM pages p
            SEMI JOIN titled_pages w ON w.url_id = p.url_id
            WHERE p.snapshot_id <= ? AND p.title IS NOT NULL AND trim(p.title) <> ''
            QUALIFY row_number() OVER (
                PARTITION BY p.url_id
                ORDER BY p.snapshot_id DESC, p.fetched_at DESC NULLS LAST,
                    p.file_id DESC NULLS LAST) = 1
            ORDER BY p.url_id""",
            [snapshot_id],
        )
    finally:
        conn.unregister("titled_pages")
