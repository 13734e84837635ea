"""What a tier map reads: every live link of a snapshot, the target's pages, and the details.

Tiers follow every link, whatever its rel: the links known by the snapshot
(``first_snapshot_id`` at most it) and not lost (``lost_at`` is ``NULL``), as
``store.metrics`` ranks them but with nofollow, sponsored and ugc kept. The
details of the few links and pages a map shows are read afterwards, by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

_LIVE_LINKS = """
    SELECT id AS link_id, source_url_id, target_url_id FROM links
    WHERE first_snapshot_id <= ? AND lost_at IS NULL"""


def live_links(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> tuple[pa.Table, pa.Table]:
    """Return every live link of the snapshot, any rel, and the URLs at their ends.

    Returns
    -------
    links : pyarrow.Table
        ``(link_id, source_url_id, target_url_id)``, one row per stored link.
    nodes : pyarrow.Table
        ``(url_id, domain)`` of every URL at either end of one, ordered by ``url_id``.
    """
    links = fetch_arrow(conn, _LIVE_LINKS, [snapshot_id])
    conn.register("tier_links", links)
    try:
        nodes = fetch_arrow(
            conn,
            """WITH ends AS (
                SELECT source_url_id AS id FROM tier_links
                UNION SELECT target_url_id FROM tier_links)
            SELECT u.id AS url_id, u.domain
            FROM urls u SEMI JOIN ends ON ends.id = u.id
            ORDER BY u.id""",
        )
    finally:
        conn.unregister("tier_links")
    return links, nodes


def target_pages(
    conn: duckdb.DuckDBPyConnection, names: Sequence[str], urls: Sequence[str]
) -> pa.Table:
    """Return ``(url_id, url, host, domain)`` of the URLs on the *names* or among the *urls*.

    *names* are domains or hosts.

    A URL matches a name by its registrable domain or by its host; *urls* are
    normalised URLs matched whole. Rows come ordered by ``url_id``.
    """
    return fetch_arrow(
        conn,
        """SELECT id AS url_id, url, host, domain FROM urls
        WHERE domain IN (SELECT unnest($1)) OR host IN (SELECT unnest($1))
            OR url IN (SELECT unnest($2))
        ORDER BY id""",
        [list(names), list(urls)],
    )


def link_details(conn: duckdb.DuckDBPyConnection, link_ids: pa.Array[Any]) -> pa.Table:
    """Return what each link of *link_ids* (int64) says, one row per id in the given order.

    Columns: ``link_id, anchor, is_nofollow, is_sponsored, is_ugc, placement,
    is_hidden`` (``NULL`` where no source stated it: placement and hidden come
    from reading the page, rel flags from the page or the export).
    """
    wanted = pa.table(
        {
            "position": pa.array(range(len(link_ids)), pa.int64()),
            "link_id": link_ids.cast(pa.int64()),
        }
    )
    conn.register("wanted_links", wanted)
    try:
        return fetch_arrow(
            conn,
            """SELECT w.link_id, l.anchor, l.is_nofollow, l.is_sponsored, l.is_ugc,
                l.placement, l.is_hidden
            FROM wanted_links w LEFT JOIN links l ON l.id = w.link_id
            ORDER BY w.position""",
        )
    finally:
        conn.unregister("wanted_links")


def page_details(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return each URL of *url_ids* with what its latest fetch by the snapshot said, in order.

    Columns: ``url_id, url, domain, is_recorded`` (whether the store holds a
    page row for it: false for a page only seen in exports), ``status``,
    ``is_indexable``, ``non_indexable_reason``, ``is_robots_allowed``,
    ``template_hash`` and ``footprints`` (JSON of its owner ids), the last six
    ``NULL`` when it has none. The latest fetch is that of the
    highest snapshot up to *snapshot_id*, then the latest ``fetched_at``.
    """
    wanted = pa.table(
        {
            "position": pa.array(range(len(url_ids)), pa.int64()),
            "url_id": url_ids.cast(pa.int64()),
        }
    )
    conn.register("wanted_pages", wanted)
    try:
        return fetch_arrow(
            conn,
            """WITH latest AS (
                SELECT p.url_id, p.status, p.is_indexable, p.non_indexable_reason,
                    p.is_robots_allowed, p.template_hash, p.footprints
                FROM pages p SEMI JOIN wanted_pages w ON w.url_id = p.url_id
                WHERE p.snapshot_id <= ?
                QUALIFY row_number() OVER (
                    PARTITION BY p.url_id
                    ORDER BY p.snapshot_id DESC, p.fetched_at DESC NULLS LAST,
                        p.file_id DESC NULLS LAST) = 1)
            SELECT w.url_id, u.url, u.domain, l.url_id IS NOT NULL AS is_recorded,
                l.status, l.is_indexable, l.non_indexable_reason, l.is_robots_allowed,
                l.template_hash, l.footprints
            FROM wanted_pages w JOIN urls u ON u.id = w.url_id
            LEFT JOIN latest l ON l.url_id = w.url_id
            ORDER BY w.position""",
            [snapshot_id],
        )
    finally:
        conn.unregister("wanted_pages")
