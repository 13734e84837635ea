"""The SQL of backlink verification: what a verify-mode crawl found of each imported link.

An *imported* link is one that an export reported: it has a sighting whose
tool is not an observation of ours (``crawl``, ``warc``). A verification is a
verify-mode crawl whose seeds are the source pages of those links;
``record_link_checks`` then compares, entirely in SQL, each imported link
whose source page was a seed of that crawl with what the crawl saw:

1. the source page's redirect chain, followed through the crawl's ``pages``
   (``final_url_id`` of each 3xx, loops cut); a hop onto another registrable
   domain sends the link away, and a hop onto the link's target is the link
   itself (a redirect backlink);
2. the page the chain ended on: robots.txt, its status, whether it was read
   as HTML;
3. the links the crawl read from that page, matched to the imported link by
   target compared loosely (scheme, ``www.`` and a trailing slash ignored),
   the same anchor preferred, then the exact target, then a followed link,
   then the first on the page.

One ``link_checks`` row is written per link, and each link's ``lost_at`` and
``lost_reason`` are set for a loss (keeping an earlier ``lost_at``) or cleared
for a link found again; an outcome that cannot tell (``unreadable``,
``unchecked``) leaves them as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.model.verification import LOST_OUTCOMES, LinkOutcome
from linkequity.store.queries import fetch_arrow, fetch_int

if TYPE_CHECKING:
    from datetime import datetime

    import duckdb
    import pyarrow as pa

__all__ = [
    "OBSERVING_TOOLS",
    "link_check_counts",
    "link_check_rows",
    "record_link_checks",
    "verification_seeds",
]


#: Tools whose sightings are our own observations, not backlinks someone reported.
OBSERVING_TOOLS = ("crawl", "warc")
#: Redirects followed from a source page at most (the crawler stops at 10).
MAX_REDIRECTS = 20


def _target_key(column: str) -> str:
    """Return the SQL of the loose form targets are matched on (no scheme, ``www.``, final /)."""
    return f"regexp_replace(regexp_replace({column}, '^https?://(www\\.)?', ''), '/$', '')"


def _is_followed(alias: str) -> str:
    return (
        f"NOT (coalesce({alias}.is_nofollow, false) OR coalesce({alias}.is_sponsored, false)"
        f" OR coalesce({alias}.is_ugc, false))"
    )


def _quoted(values: frozenset[LinkOutcome] | tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def verification_seeds(
    conn: duckdb.DuckDBPyConnection, *, target_domain: str | None = None
) -> list[str]:
    """Return the distinct source pages of the imported links, host by host.

    With *target_domain*, only those of links to that registrable domain.
    """
    rows = conn.execute(
        f"""SELECT s.url
        FROM links l
        JOIN urls s ON s.id = l.source_url_id
        JOIN urls t ON t.id = l.target_url_id
        WHERE ($target_domain::VARCHAR IS NULL OR t.domain = $target_domain)
            AND l.id IN (
                SELECT link_id FROM link_sightings
                WHERE tool NOT IN ({_quoted(OBSERVING_TOOLS)}))
        GROUP BY s.id, s.url
        ORDER BY s.id""",  # noqa: S608
        {"target_domain": target_domain},
    ).fetchall()
    return [url for (url,) in rows]


def record_link_checks(
    conn: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    *,
    checked_at: datetime,
    target_domain: str | None = None,
) -> int:
    """Classify the imported links whose source pages the crawl *snapshot_id* verified.

    See the module docstring. Rows of an earlier run for the same snapshot are
    replaced. Returns the links checked.
    """
    parameters: dict[str, object] = {"snapshot_id": snapshot_id, "target_domain": target_domain}
    try:
        _stage_links(conn, parameters)
        _stage_pages(conn, snapshot_id)
        _stage_chains(conn)
        _stage_matches(conn, snapshot_id)
        conn.execute("DELETE FROM link_checks WHERE snapshot_id = ?", [snapshot_id])
        conn.execute(_INSERT_CHECKS, {"snapshot_id": snapshot_id, "checked_at": checked_at})
        conn.execute(
            f"""UPDATE links SET
                lost_at = CASE WHEN c.lost_reason IS NULL THEN NULL
                    ELSE coalesce(links.lost_at, c.checked_at) END,
                lost_reason = c.lost_reason
            FROM link_checks c
            WHERE c.snapshot_id = ? AND links.id = c.link_id
                AND c.outcome NOT IN ({_quoted(("unchecked", "unreadable"))})""",  # noqa: S608
            [snapshot_id],
        )
        return fetch_int(
            conn, "SELECT count(*) FROM link_checks WHERE snapshot_id = ?", [snapshot_id]
        )
    finally:
        for name in ("check_links", "check_pages", "check_hops", "check_sources", "check_matches"):
            conn.execute(f"DROP TABLE IF EXISTS {name}")


def _stage_links(conn: duckdb.DuckDBPyConnection, parameters: dict[str, object]) -> None:
    """Stage ``check_links``: the imported links from the crawl's seeds, as the exports said."""
    flags = ("is_nofollow", "is_sponsored", "is_ugc")
    latest = ", ".join(
        f"last({flag} ORDER BY last_seen NULLS FIRST, file_id, row) "
        f"FILTER (WHERE {flag} IS NOT NULL) AS {flag}"
        for flag in flags
    )
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE check_links AS
        WITH seeds AS (
            SELECT DISTINCT u.id AS source_url_id
            FROM crawl_frontier f JOIN urls u ON u.url = f.url
            WHERE f.snapshot_id = $snapshot_id AND f.via IS NULL
        ),
        imported AS (
            SELECT link_id, {latest}
            FROM link_sightings
            WHERE tool NOT IN ({_quoted(OBSERVING_TOOLS)})
            GROUP BY link_id
        )
        SELECT l.id AS link_id, l.source_url_id, l.target_url_id, l.anchor_key,
            s.domain AS source_domain, {_target_key("t.url")} AS target_key,
            CASE WHEN i.is_nofollow IS NULL AND i.is_sponsored IS NULL AND i.is_ugc IS NULL
                THEN NULL ELSE {_is_followed("i")} END AS was_followed
        FROM links l
        JOIN imported i ON i.link_id = l.id
        JOIN seeds USING (source_url_id)
        JOIN urls s ON s.id = l.source_url_id
        JOIN urls t ON t.id = l.target_url_id
        WHERE $target_domain::VARCHAR IS NULL OR t.domain = $target_domain""",  # noqa: S608
        parameters,
    )


def _stage_pages(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Stage ``check_pages``: the crawl's fetch of each URL, with its frontier outcome."""
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE check_pages AS
        SELECT p.url_id, u.domain, p.status, p.final_url_id, p.is_indexable,
            p.non_indexable_reason, p.indexability_detail, p.is_robots_allowed,
            f.outcome AS crawl_outcome
        FROM pages p
        JOIN urls u ON u.id = p.url_id
        LEFT JOIN crawl_frontier f ON f.snapshot_id = p.snapshot_id AND f.url = u.url
        WHERE p.snapshot_id = ?
        QUALIFY row_number() OVER (
            PARTITION BY p.url_id ORDER BY p.fetched_at DESC NULLS LAST) = 1""",
        [snapshot_id],
    )


def _stage_chains(conn: duckdb.DuckDBPyConnection) -> None:
    """Stage ``check_hops`` and ``check_sources``: each source page's redirects and end.

    ``check_hops`` holds every URL a source page redirected to, in order, and
    the ``Location`` of a last redirect that was not followed. ``check_sources``
    holds, per source page, the page the chain ended on (``end_url_id``), the
    redirects followed, and the first hop onto another registrable domain.
    """
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE check_hops AS
        WITH RECURSIVE chain(source_url_id, url_id, hops, path) AS (
            SELECT DISTINCT source_url_id, source_url_id, 0, [source_url_id] FROM check_links
            UNION ALL
            SELECT c.source_url_id, p.final_url_id, c.hops + 1,
                list_append(c.path, p.final_url_id)
            FROM chain c
            JOIN check_pages p ON p.url_id = c.url_id
            JOIN check_pages n ON n.url_id = p.final_url_id
            WHERE p.status BETWEEN 300 AND 399
                AND NOT list_contains(c.path, p.final_url_id)
                AND c.hops < {MAX_REDIRECTS}
        ),
        ends AS (
            SELECT source_url_id, arg_max(url_id, hops) AS url_id, max(hops) AS hops
            FROM chain GROUP BY source_url_id
        )
        SELECT source_url_id, url_id, hops, false AS is_unfollowed FROM chain
        UNION ALL
        SELECT e.source_url_id, p.final_url_id, e.hops + 1, true
        FROM ends e JOIN check_pages p ON p.url_id = e.url_id
        WHERE p.status BETWEEN 300 AND 399 AND p.final_url_id IS NOT NULL
            AND p.final_url_id <> e.url_id""",  # noqa: S608
    )
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE check_sources AS
        SELECT h.source_url_id,
            arg_max(h.url_id, h.hops) FILTER (WHERE NOT h.is_unfollowed) AS end_url_id,
            max(h.hops) FILTER (WHERE NOT h.is_unfollowed) AS redirects,
            arg_min(h.url_id, h.hops) FILTER (WHERE u.domain <> s.domain) AS away_url_id
        FROM check_hops h
        JOIN urls u ON u.id = h.url_id
        JOIN urls s ON s.id = h.source_url_id
        GROUP BY h.source_url_id"""
    )


def _stage_matches(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Stage ``check_matches``: per imported link, the link to its target on the end page."""
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE check_matches AS
        WITH found AS (
            SELECT l.source_url_id, l.target_url_id, l.anchor_key, s.anchor,
                {_target_key("t.url")} AS target_key, s.is_nofollow, s.is_sponsored, s.is_ugc,
                s.placement, s.is_hidden, s.position
            FROM link_sightings s
            JOIN links l ON l.id = s.link_id
            JOIN urls t ON t.id = l.target_url_id
            WHERE s.snapshot_id = ?
                AND coalesce(s.link_type, '') <> 'redirect'
                AND l.source_url_id IN (SELECT end_url_id FROM check_sources)
        )
        SELECT c.link_id, f.target_url_id AS target_now_url_id, f.anchor AS anchor_now,
            f.anchor_key AS anchor_key_now, f.is_nofollow, f.is_sponsored, f.is_ugc,
            f.placement, f.is_hidden, count(*) OVER (PARTITION BY c.link_id) AS links_to_target
        FROM check_links c
        JOIN check_sources src USING (source_url_id)
        JOIN found f ON f.source_url_id = src.end_url_id AND f.target_key = c.target_key
        QUALIFY row_number() OVER (
            PARTITION BY c.link_id
            ORDER BY f.anchor_key = c.anchor_key DESC, f.target_url_id = c.target_url_id DESC,
                {_is_followed("f")} DESC, f.position NULLS LAST, f.anchor) = 1""",  # noqa: S608
        [snapshot_id],
    )


_OUTCOME = """CASE
    WHEN NOT is_fetched THEN 'unchecked'
    WHEN is_redirect_to_target THEN 'present'
    WHEN away_url_id IS NOT NULL THEN 'redirected_away'
    WHEN is_robots_allowed = false THEN 'blocked_by_robots'
    WHEN status IS NULL THEN 'no_response'
    WHEN status IN (404, 410) THEN 'page_gone'
    WHEN status NOT BETWEEN 200 AND 299 THEN 'http_error'
    WHEN is_indexable IS NULL OR non_indexable_reason = 'not_html' THEN 'unreadable'
    WHEN NOT is_found THEN 'link_removed'
    WHEN non_indexable_reason = 'noindex' THEN 'page_noindex'
    WHEN NOT is_followed_now AND was_followed THEN 'now_nofollow'
    WHEN NOT is_followed_now THEN 'present_nofollow'
    ELSE 'present'
END"""

_DETAIL = """CASE outcome
    WHEN 'present' THEN CASE
        WHEN is_redirect_to_target THEN 'the page redirects to the target'
        WHEN is_anchor_changed THEN 'anchor changed' END
    WHEN 'redirected_away' THEN 'redirects to ' || away_url
    WHEN 'blocked_by_robots' THEN coalesce(crawl_outcome, indexability_detail)
    WHEN 'no_response' THEN coalesce(crawl_outcome, indexability_detail)
    WHEN 'page_gone' THEN 'HTTP ' || status::VARCHAR
    WHEN 'http_error' THEN 'HTTP ' || status::VARCHAR || coalesce(': ' || crawl_outcome, '')
    WHEN 'unreadable' THEN coalesce(crawl_outcome, indexability_detail, 'body not read')
    WHEN 'link_removed' THEN CASE WHEN redirects > 0 THEN 'not on ' || end_url END
    WHEN 'page_noindex' THEN indexability_detail
    WHEN 'now_nofollow' THEN 'rel ' || rel_now
    WHEN 'present_nofollow' THEN 'rel ' || rel_now
END"""

_INSERT_CHECKS = f"""INSERT INTO link_checks
WITH joined AS (
    SELECT c.link_id, c.was_followed, c.anchor_key, src.end_url_id, src.redirects,
        src.away_url_id, away.url AS away_url, e.url AS end_url,
        p.url_id IS NOT NULL AS is_fetched, p.status, p.is_indexable, p.non_indexable_reason,
        p.indexability_detail, p.is_robots_allowed, p.crawl_outcome,
        m.link_id IS NOT NULL AS is_found, m.target_now_url_id, m.anchor_now, m.anchor_key_now,
        m.is_nofollow, m.is_sponsored, m.is_ugc, m.placement, m.is_hidden, m.links_to_target,
        {_is_followed("m")} AS is_followed_now,
        concat_ws(' ', CASE WHEN m.is_nofollow THEN 'nofollow' END,
            CASE WHEN m.is_sponsored THEN 'sponsored' END,
            CASE WHEN m.is_ugc THEN 'ugc' END) AS rel_now,
        CASE WHEN m.link_id IS NULL OR c.anchor_key = '' THEN NULL
            ELSE m.anchor_key_now <> c.anchor_key END AS is_anchor_changed,
        EXISTS (
            SELECT 1 FROM check_hops h JOIN urls hu ON hu.id = h.url_id
            WHERE h.source_url_id = c.source_url_id AND h.hops > 0
                AND {_target_key("hu.url")} = c.target_key) AS is_redirect_to_target
    FROM check_links c
    JOIN check_sources src USING (source_url_id)
    JOIN urls e ON e.id = src.end_url_id
    LEFT JOIN urls away ON away.id = src.away_url_id
    LEFT JOIN check_pages p ON p.url_id = src.end_url_id
    LEFT JOIN check_matches m USING (link_id)
),
classified AS (SELECT *, {_OUTCOME} AS outcome FROM joined)
SELECT $snapshot_id::BIGINT, link_id, $checked_at::TIMESTAMP, outcome,
    CASE WHEN outcome IN ({_quoted(LOST_OUTCOMES)}) THEN outcome END,
    {_DETAIL}, status, end_url_id, redirects, is_robots_allowed, is_indexable,
    non_indexable_reason,
    CASE WHEN outcome IN ('present', 'present_nofollow', 'now_nofollow', 'page_noindex') THEN true
        WHEN outcome IN ('link_removed', 'page_gone', 'http_error', 'redirected_away') THEN false
        END,
    was_followed, anchor_now, is_anchor_changed, target_now_url_id,
    is_nofollow, is_sponsored, is_ugc, placement, is_hidden, links_to_target
FROM classified"""  # noqa: S608


def link_check_counts(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> dict[str, int]:
    """Return the links the verification *snapshot_id* checked, by outcome."""
    rows = conn.execute(
        "SELECT outcome, count(*) FROM link_checks WHERE snapshot_id = ? GROUP BY outcome",
        [snapshot_id],
    ).fetchall()
    return {str(outcome): int(count) for outcome, count in rows}


def link_check_rows(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> pa.Table:
    """Return every link check of *snapshot_id* with its URLs and anchors, source by source."""
    return fetch_arrow(
        conn,
        """SELECT c.link_id, su.url AS source_url, tu.url AS target_url, l.anchor,
            c.outcome, c.lost_reason, c.detail, c.status, fu.url AS final_url, c.redirects,
            c.is_robots_allowed, c.is_indexable, c.non_indexable_reason, c.is_present,
            c.was_followed, c.anchor_now, c.is_anchor_changed, nu.url AS target_now,
            c.is_nofollow, c.is_sponsored, c.is_ugc, c.placement, c.is_hidden,
            c.links_to_target, c.checked_at
        FROM link_checks c
        JOIN links l ON l.id = c.link_id
        JOIN urls su ON su.id = l.source_url_id
        JOIN urls tu ON tu.id = l.target_url_id
        LEFT JOIN urls fu ON fu.id = c.final_url_id
        LEFT JOIN urls nu ON nu.id = c.target_now_url_id
        WHERE c.snapshot_id = ?
        ORDER BY l.source_url_id, l.target_url_id, l.anchor_key, c.link_id""",
        [snapshot_id],
    )
