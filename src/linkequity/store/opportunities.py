"""What the opportunity finder reads: dead link targets, brand texts, competitor links, authority.

Links are those live in the snapshot (``first_snapshot_id`` at most it, and
``lost_at`` ``NULL``), any rel, as ``store.tiers`` reads them. A page's fetch
is its latest up to the snapshot (highest snapshot, then latest
``fetched_at``, then highest file), as ``tiers.page_details`` takes it.
Authority comes from the latest snapshot up to this one that
``linkequity rank`` scored.

``Store`` asks these through its methods of the same names, with DuckDB's
errors translated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow, fetch_row

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

__all__ = [
    "brand_text_pages",
    "dead_link_rows",
    "domain_authority",
    "domain_link_pairs",
    "fetch_counts",
    "page_authority",
]

_LATEST_FETCH = """
    SELECT p.url_id, p.status, p.indexability_detail, p.is_indexable
    FROM pages p
    WHERE p.snapshot_id <= $1
    QUALIFY row_number() OVER (
        PARTITION BY p.url_id
        ORDER BY p.snapshot_id DESC, p.fetched_at DESC NULLS LAST, p.file_id DESC NULLS LAST) = 1"""

_LIVE_LINKS = "l.first_snapshot_id <= $1 AND l.lost_at IS NULL"


def fetch_counts(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> tuple[int, int, int]:
    """Return the fetches and page texts up to the snapshot, and the live link targets fetched."""
    row = fetch_row(
        conn,
        f"""WITH latest AS ({_LATEST_FETCH})
        SELECT (SELECT count(*) FROM pages WHERE snapshot_id <= $1),
            (SELECT count(DISTINCT l.target_url_id) FROM links l
                SEMI JOIN latest f ON f.url_id = l.target_url_id
                WHERE {_LIVE_LINKS}),
            (SELECT count(*) FROM page_texts WHERE snapshot_id <= $1)""",  # noqa: S608 - fixed fragments
        [snapshot_id],
    )
    if row is None:
        raise AssertionError("aggregate query returned no row")
    return int(row[0]), int(row[1]), int(row[2])


def dead_link_rows(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> pa.Table:
    """Return the live links whose target's latest fetch failed or answered 404 or 410.

    A failed fetch (no status) comes with its detail, for the caller to tell a
    DNS failure from a timeout; statuses other than 404 and 410 are left out.

    Returns
    -------
    pyarrow.Table
        One row per link, ordered by ``link_id``: ``link_id, source_url_id,
        source_url, source_domain, target_url_id, target_url, target_host,
        target_domain, anchor, is_nofollow, is_sponsored, is_ugc, placement,
        target_status, target_detail, source_status`` (the source page's latest
        status, ``NULL`` when the store holds no fetch of it) and
        ``source_is_indexable``.
    """
    return fetch_arrow(
        conn,
        f"""WITH latest AS ({_LATEST_FETCH}),
        failed AS (
            SELECT * FROM latest WHERE status IS NULL OR status IN (404, 410))
        SELECT l.id AS link_id, l.source_url_id, s.url AS source_url,
            s.domain AS source_domain, l.target_url_id, t.url AS target_url,
            t.host AS target_host, t.domain AS target_domain, l.anchor,
            l.is_nofollow, l.is_sponsored, l.is_ugc, l.placement,
            f.status AS target_status, f.indexability_detail AS target_detail,
            sf.status AS source_status, sf.is_indexable AS source_is_indexable
        FROM links l
        JOIN failed f ON f.url_id = l.target_url_id
        JOIN urls s ON s.id = l.source_url_id
        JOIN urls t ON t.id = l.target_url_id
        LEFT JOIN latest sf ON sf.url_id = l.source_url_id
        WHERE {_LIVE_LINKS}
        ORDER BY l.id""",  # noqa: S608 - fixed fragments
        [snapshot_id],
    )


def brand_text_pages(
    conn: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    needles: Sequence[str],
    target_domains: Sequence[str],
) -> pa.Table:
    """Return the pages whose latest text contains a needle and that do not link to the target.

    A page's text is its latest stored main text up to the snapshot; its title
    counts too. Pages on *target_domains* and pages with a live link (any rel)
    to a URL on one of them are left out.

    Parameters
    ----------
    store
        The open store.
    snapshot_id
        The snapshot.
    needles
        Lowercase strings, one of which the lowercased title or text must contain.
    target_domains
        The target's registrable domains.

    Returns
    -------
    pyarrow.Table
        ``url_id, url, domain, title, language, text``, ordered by ``url_id``.
    """
    return fetch_arrow(
        conn,
        f"""WITH texts AS (
            SELECT t.url_id, t.title, t.language, t.text FROM page_texts t
            WHERE t.snapshot_id <= $1
            QUALIFY row_number() OVER (
                PARTITION BY t.url_id
                ORDER BY t.snapshot_id DESC, t.fetched_at DESC NULLS LAST,
                    t.file_id DESC NULLS LAST) = 1),
        linking AS (
            SELECT DISTINCT l.source_url_id AS url_id FROM links l
            JOIN urls d ON d.id = l.target_url_id
            WHERE {_LIVE_LINKS} AND d.domain IN (SELECT unnest($3)))
        SELECT x.url_id, u.url, u.domain, x.title, x.language, x.text
        FROM texts x JOIN urls u ON u.id = x.url_id
        WHERE u.domain NOT IN (SELECT unnest($3))
            AND x.url_id NOT IN (SELECT url_id FROM linking)
            AND len([n FOR n IN $2
                IF contains(lower(coalesce(x.title, '') || ' ' || x.text), n)]) > 0
        ORDER BY x.url_id""",  # noqa: S608 - fixed fragments
        [snapshot_id, list(needles), list(target_domains)],
    )


def domain_link_pairs(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, linked_domains: Sequence[str]
) -> pa.Table:
    """Return which domains link to which of *linked_domains*, with how many links and pages.

    Live links of any rel; a domain's links to itself are left out.

    Returns
    -------
    pyarrow.Table
        ``source_domain, linked_domain, links, followed_links, pages``, ordered
        by source then linked domain.
    """
    return fetch_arrow(
        conn,
        f"""SELECT s.domain AS source_domain, t.domain AS linked_domain,
            count(*) AS links,
            count(*) FILTER (WHERE NOT (coalesce(l.is_nofollow, false)
                OR coalesce(l.is_sponsored, false) OR coalesce(l.is_ugc, false)))
                AS followed_links,
            count(DISTINCT l.source_url_id) AS pages
        FROM links l
        JOIN urls t ON t.id = l.target_url_id
        JOIN urls s ON s.id = l.source_url_id
        WHERE {_LIVE_LINKS} AND t.domain IN (SELECT unnest($2))
            AND s.domain <> t.domain
        GROUP BY ALL
        ORDER BY source_domain, linked_domain""",  # noqa: S608 - fixed fragments
        [snapshot_id, list(linked_domains)],
    )


def page_authority(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> tuple[int | None, pa.Table]:
    """Return the ranked snapshot used and ``(url_id, authority)`` of each URL id, in order.

    Authority is ``NULL`` for a URL the ranking did not score, and for all
    when no snapshot up to *snapshot_id* was ranked (the snapshot is then ``None``).
    """
    ranked = _ranked_snapshot(conn, snapshot_id)
    wanted = pa.table(
        {
            "position": pa.array(range(len(url_ids)), pa.int64()),
            "url_id": url_ids.cast(pa.int64()),
        }
    )
    conn.register("wanted_authority", wanted)
    try:
        table = fetch_arrow(
            conn,
            """SELECT w.url_id, m.authority FROM wanted_authority w
            LEFT JOIN page_metrics m ON m.url_id = w.url_id AND m.snapshot_id = ?
            ORDER BY w.position""",
            [-1 if ranked is None else ranked],
        )
    finally:
        conn.unregister("wanted_authority")
    return ranked, table


def domain_authority(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, domains: Sequence[str]
) -> tuple[int | None, pa.Table]:
    """Return the ranked snapshot used and ``(domain, authority)`` of each domain, in order."""
    ranked = _ranked_snapshot(conn, snapshot_id)
    wanted = pa.table(
        {
            "position": pa.array(range(len(domains)), pa.int64()),
            "domain": pa.array(list(domains), pa.string()),
        }
    )
    conn.register("wanted_domains", wanted)
    try:
        table = fetch_arrow(
            conn,
            """SELECT w.domain, m.authority FROM wanted_domains w
            LEFT JOIN domain_metrics m ON m.domain = w.domain AND m.snapshot_id = ?
            ORDER BY w.position""",
            [-1 if ranked is None else ranked],
        )
    finally:
        conn.unregister("wanted_domains")
    return ranked, table


def _ranked_snapshot(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> int | None:
    row = fetch_row(
        conn,
        "SELECT max(snapshot_id) FROM page_metrics WHERE snapshot_id <= ?",
        [snapshot_id],
    )
    return None if row is None or row[0] is None else int(row[0])
