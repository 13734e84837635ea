"""What the toxicity audit reads: a target's backlinks, their source pages and referring domains.

Links are those live in the snapshot (``first_snapshot_id`` at most it, and
``lost_at`` ``NULL``), any rel, as ``store.tiers`` reads them. A page's fetch
is its latest up to the snapshot (highest snapshot, then latest
``fetched_at``, then highest file), as ``tiers.page_details`` takes it.
Stored scores come from the latest snapshot up to this one that
``linkequity rank`` scored.

The ``Store`` answers them through its methods (``toxic_backlink_rows``,
``domain_footprints``, ``referring_domain_edges``, ``stored_trust``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

__all__ = [
    "backlink_rows",
    "domain_footprints",
    "referring_domain_edges",
    "stored_scores",
]

_LATEST_FETCH = """
    SELECT p.*
    FROM pages p
    WHERE p.snapshot_id <= $1
    QUALIFY row_number() OVER (
        PARTITION BY p.url_id
        ORDER BY p.snapshot_id DESC, p.fetched_at DESC NULLS LAST, p.file_id DESC NULLS LAST) = 1"""


def backlink_rows(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, target_url_ids: pa.Array[Any]
) -> pa.Table:
    """Return every live link to the target pages from another registrable domain.

    Parameters
    ----------
    conn
        An open store connection.
    snapshot_id
        The snapshot whose live links count.
    target_url_ids
        int64 URL ids of the target's pages; links from their domains are internal and left out.

    Returns
    -------
    pyarrow.Table
        One row per link, ordered by ``link_id``: ``link_id, source_url_id,
        target_url_id, source_url, target_url, source_domain, anchor,
        is_nofollow, is_sponsored, is_ugc, is_image, alt, placement,
        is_hidden, is_sitewide, first_seen, lost_at``, then what the source
        page's latest fetch said (all ``NULL`` when it was never fetched, and
        ``is_fetched`` false): ``status, is_indexable, non_indexable_reason,
        indexability_detail, is_robots_allowed, word_count, external_links,
        language, template_hash``.
    """
    wanted = pa.table({"url_id": target_url_ids.cast(pa.int64())})
    conn.register("toxic_targets", wanted)
    try:
        return fetch_arrow(
            conn,
            f"""WITH target AS (
                SELECT u.id, u.domain FROM urls u SEMI JOIN toxic_targets t ON t.url_id = u.id),
            links_in AS (
                SELECT l.*, su.url AS source_url, su.domain AS source_domain,
                    tu.url AS target_url
                FROM links l
                JOIN target t ON t.id = l.target_url_id
                JOIN urls su ON su.id = l.source_url_id
                JOIN urls tu ON tu.id = l.target_url_id
                WHERE l.first_snapshot_id <= $1 AND l.lost_at IS NULL
                    AND su.domain NOT IN (SELECT domain FROM target)),
            latest AS ({_LATEST_FETCH})
            SELECT l.id AS link_id, l.source_url_id, l.target_url_id, l.source_url,
                l.target_url, l.source_domain, l.anchor, l.is_nofollow, l.is_sponsored,
                l.is_ugc, l.is_image, l.alt, l.placement, l.is_hidden, l.is_sitewide,
                l.first_seen, l.lost_at,
                f.url_id IS NOT NULL AS is_fetched, f.status, f.is_indexable,
                f.non_indexable_reason, f.indexability_detail, f.is_robots_allowed,
                f.word_count, f.external_links, f.language, f.template_hash
            FROM links_in l
            LEFT JOIN latest f ON f.url_id = l.source_url_id
            ORDER BY l.id""",  # noqa: S608 - fixed fragments
            [snapshot_id],
        )
    finally:
        conn.unregister("toxic_targets")


def domain_footprints(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, domains: Sequence[str]
) -> pa.Table:
    """Return the template hashes and tracking ids seen on the fetched pages of each domain.

    Each page counts by its latest fetch. Tracking ids are the Analytics,
    Tag Manager and AdSense ids of the ``footprints`` column.

    Returns
    -------
    pyarrow.Table
        ``(domain, kind, value, pages)``: ``kind`` is ``template`` or
        ``tracking``; ``pages`` counts the domain's pages showing it.
    """
    return fetch_arrow(
        conn,
        f"""WITH latest AS ({_LATEST_FETCH}),
        fetched AS (
            SELECT u.domain, f.url_id, f.template_hash, f.footprints
            FROM latest f JOIN urls u ON u.id = f.url_id
            WHERE u.domain IN (SELECT unnest($2))),
        ids AS (
            SELECT domain, url_id, unnest(coalesce(
                json_extract_string(footprints, '$.analytics_ids[*]'), [])) AS value
            FROM fetched
            UNION ALL SELECT domain, url_id, unnest(coalesce(
                json_extract_string(footprints, '$.tag_manager_ids[*]'), [])) FROM fetched
            UNION ALL SELECT domain, url_id, unnest(coalesce(
                json_extract_string(footprints, '$.adsense_publishers[*]'), [])) FROM fetched)
        SELECT domain, 'template' AS kind, template_hash AS value,
            count(DISTINCT url_id) AS pages
        FROM fetched WHERE template_hash IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT domain, 'tracking', value, count(DISTINCT url_id)
        FROM ids WHERE value IS NOT NULL GROUP BY ALL
        ORDER BY 1, 2, 3""",  # noqa: S608 - fixed fragments
        [snapshot_id, list(domains)],
    )


def referring_domain_edges(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, domains: Sequence[str]
) -> pa.Table:
    """Return the followed live links between two different domains of *domains*.

    Returns
    -------
    pyarrow.Table
        ``(source_domain, target_domain, links)``, one row per ordered pair.
    """
    return fetch_arrow(
        conn,
        """WITH wanted AS (SELECT unnest($2) AS domain)
        SELECT su.domain AS source_domain, tu.domain AS target_domain, count(*) AS links
        FROM links l
        JOIN urls su ON su.id = l.source_url_id
        JOIN urls tu ON tu.id = l.target_url_id
        WHERE l.first_snapshot_id <= $1 AND l.lost_at IS NULL
            AND NOT coalesce(l.is_nofollow, false)
            AND NOT coalesce(l.is_sponsored, false)
            AND NOT coalesce(l.is_ugc, false)
            AND su.domain <> tu.domain
            AND su.domain IN (SELECT domain FROM wanted)
            AND tu.domain IN (SELECT domain FROM wanted)
        GROUP BY ALL ORDER BY 1, 2""",
        [snapshot_id, list(domains)],
    )


def stored_scores(
    conn: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    url_ids: pa.Array[Any],
    domains: Sequence[str],
) -> tuple[pa.Table, pa.Table]:
    """Return the stored trust and spam mass of pages and domains, from the latest ranking.

    The ranking is that of the latest snapshot up to *snapshot_id* with
    scores; trust and spam mass are ``NULL`` where it had no trust seeds.

    Returns
    -------
    pages : pyarrow.Table
        ``(url_id, trust, spam_mass)`` of the pages of *url_ids* that have scores.
    domains : pyarrow.Table
        ``(domain, trust, spam_mass, n_domains)`` of the *domains* that have
        scores; ``n_domains`` counts the domains ranked with them.
    """
    wanted = pa.table({"url_id": url_ids.cast(pa.int64())})
    conn.register("toxic_sources", wanted)
    try:
        ranked = """(SELECT max(snapshot_id) FROM page_metrics WHERE snapshot_id <= $1)"""
        pages = fetch_arrow(
            conn,
            f"""SELECT m.url_id, m.trust, m.spam_mass FROM page_metrics m
            SEMI JOIN toxic_sources w ON w.url_id = m.url_id
            WHERE m.snapshot_id = {ranked} ORDER BY m.url_id""",  # noqa: S608
            [snapshot_id],
        )
        domain_rows = fetch_arrow(
            conn,
            f"""SELECT m.domain, m.trust, m.spam_mass,
                (SELECT count(*) FROM domain_metrics d
                    WHERE d.snapshot_id = {ranked}) AS n_domains
            FROM domain_metrics m
            WHERE m.snapshot_id = {ranked} AND m.domain IN (SELECT unnest($2))
            ORDER BY m.domain""",  # noqa: S608
            [snapshot_id, list(domains)],
        )
    finally:
        conn.unregister("toxic_sources")
    return pages, domain_rows
