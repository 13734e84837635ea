"""The SQL of link monitoring: every event of each backlink, from exports, crawls and checks.

No table stores a link's history: ``links`` holds its merged state (a
re-crawl that fetches a page again without one of its links marks it lost
there, ``writes.mark_lost``, but keeps no earlier state). ``link_events``
derives the history at query time, one row per event, from three sources:

sighting
    Every sighting is the link seen *live* at its ``last_seen`` (the fetch
    time for a crawl or an archive; the export's date for an import; the
    snapshot's start when undated), with its rel as the sighting stated it.
    An export's ``first_seen``, when earlier, is one more live event. An
    export's ``lost_at`` is a *loss* at that date, its reason the export's
    ``lost_reason`` (``lost`` when it gave none) and its detail the tool's
    drop reason if any; ``origin`` is the tool.
fetch
    Every later fetch of a link's source page (a ``pages`` row dated at or
    after the link's first event) that does not show the link is a loss, the
    reason read from the fetch as ``store.verification`` reads it:
    ``blocked_by_robots``, ``no_response``, ``page_gone`` (404, 410),
    ``redirected_away`` (a redirect to another registrable domain),
    ``redirected`` (a redirect within the site: the link was not followed to
    the page it leads to), ``http_error`` (any other status, or a redirect
    without a location), ``link_removed`` (the page was read and the link is
    not on it). A fetch that shows the link on a ``noindex`` page is a
    ``page_noindex`` loss; a redirect shows one link, to where it leads (a
    redirect backlink when that is the target), which it does not lose. A
    page that was not HTML tells nothing. Fetches of a verification are left
    to its link checks.
check
    Every link check of ``linkequity verify`` that could tell: ``present``,
    ``present_nofollow`` and ``now_nofollow`` are live events (the last two
    not followed: a rel change, not a loss), the others losses with the
    check's outcome as reason and its detail.

Links in scope are the backlinks to the given target URLs, or to any URL:
links between pages of one registrable domain are internal, never backlinks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.model.verification import LinkOutcome
from linkequity.store.queries import fetch_arrow

if TYPE_CHECKING:
    import duckdb

__all__ = ["link_events", "snapshot_times"]

#: Check outcomes that saw the link on its page (the rel says whether it is followed).
LIVE_OUTCOMES = (LinkOutcome.PRESENT, LinkOutcome.PRESENT_NOFOLLOW, LinkOutcome.NOW_NOFOLLOW)
#: Check outcomes that cannot tell.
UNKNOWN_OUTCOMES = (LinkOutcome.UNREADABLE, LinkOutcome.UNCHECKED)


def _listed(values: tuple[LinkOutcome, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _is_followed(alias: str) -> str:
    """Return the SQL of whether a sighting's link is followed; ``NULL`` if it stated no flag."""
    flags = [f"{alias}.is_nofollow", f"{alias}.is_sponsored", f"{alias}.is_ugc"]
    return (
        f"CASE WHEN {' IS NULL AND '.join(flags)} IS NULL THEN NULL "
        f"ELSE NOT ({' OR '.join(f'coalesce({flag}, false)' for flag in flags)}) END"
    )


_SCOPE = """CREATE OR REPLACE TEMP TABLE monitor_scope AS
    SELECT l.id AS link_id, l.source_url_id, l.target_url_id, l.anchor,
        s.url AS source_url, s.domain AS source_domain, t.url AS target_url,
        t.domain AS target_domain,
        dense_rank() OVER (ORDER BY l.source_url_id, l.target_url_id) - 1 AS pair_key
    FROM links l
    JOIN urls s ON s.id = l.source_url_id
    JOIN urls t ON t.id = l.target_url_id
    WHERE s.domain <> t.domain
        AND ($is_all OR l.target_url_id IN (SELECT url_id FROM monitor_targets))"""

_SIGHTING_EVENTS = f"""CREATE OR REPLACE TEMP TABLE monitor_sighted AS
    WITH sightings AS (
        SELECT s.*, sn.started_at FROM link_sightings s
        SEMI JOIN monitor_scope USING (link_id)
        JOIN snapshots sn ON sn.id = s.snapshot_id
    )
    SELECT link_id, snapshot_id, coalesce(last_seen, first_seen, started_at) AS observed_at,
        true AS is_live, {_is_followed("sightings")} AS is_followed,
        NULL::VARCHAR AS reason, NULL::VARCHAR AS detail, tool AS origin
    FROM sightings
    UNION ALL
    SELECT link_id, snapshot_id, first_seen, true, {_is_followed("sightings")},
        NULL, NULL, tool
    FROM sightings WHERE first_seen < coalesce(last_seen, started_at)
    UNION ALL
    SELECT link_id, snapshot_id, lost_at, false, NULL, coalesce(lost_reason, 'lost'),
        json_extract_string(tool_metrics, '$.drop_reason'), tool
    FROM sightings WHERE lost_at IS NOT NULL"""  # noqa: S608

_FETCH_REASON = """CASE
    WHEN f.is_robots_allowed = false THEN 'blocked_by_robots'
    WHEN f.status IS NULL THEN 'no_response'
    WHEN f.status IN (404, 410) THEN 'page_gone'
    WHEN f.status BETWEEN 300 AND 399 AND seen.link_id IS NOT NULL THEN NULL
    WHEN f.status BETWEEN 300 AND 399 AND f.final_domain IS NULL THEN 'http_error'
    WHEN f.status BETWEEN 300 AND 399 AND f.final_domain <> f.page_domain THEN 'redirected_away'
    WHEN f.status BETWEEN 300 AND 399 THEN 'redirected'
    WHEN f.status NOT BETWEEN 200 AND 299 THEN 'http_error'
    WHEN f.is_indexable IS NULL OR f.non_indexable_reason = 'not_html' THEN NULL
    WHEN seen.link_id IS NULL THEN 'link_removed'
    WHEN f.non_indexable_reason = 'noindex' THEN 'page_noindex'
END"""

_FETCH_DETAIL = """CASE reason
    WHEN 'page_gone' THEN 'HTTP ' || status::VARCHAR
    WHEN 'http_error' THEN 'HTTP ' || status::VARCHAR
    WHEN 'redirected_away' THEN 'redirects to ' || final_url
    WHEN 'redirected' THEN 'redirects to ' || final_url
    WHEN 'page_noindex' THEN indexability_detail
    WHEN 'blocked_by_robots' THEN indexability_detail
END"""

_FETCH_EVENTS = f"""
    WITH fetches AS (
        SELECT p.snapshot_id, p.file_id, p.url_id,
            coalesce(p.fetched_at, sn.started_at) AS observed_at,
            p.status, p.is_indexable, p.non_indexable_reason, p.is_robots_allowed,
            p.indexability_detail, u.domain AS page_domain, fu.url AS final_url,
            fu.domain AS final_domain
        FROM pages p
        JOIN snapshots sn ON sn.id = p.snapshot_id
        JOIN urls u ON u.id = p.url_id
        LEFT JOIN urls fu ON fu.id = p.final_url_id
        WHERE p.url_id IN (SELECT source_url_id FROM monitor_scope)
    ),
    known AS (
        SELECT link_id, min(observed_at) AS observed_at FROM monitor_sighted GROUP BY link_id
    ),
    seen AS (
        SELECT DISTINCT link_id, snapshot_id, file_id FROM link_sightings
        SEMI JOIN monitor_scope USING (link_id)
    ),
    judged AS (
        SELECT sc.link_id, f.*, {_FETCH_REASON} AS reason
        FROM fetches f
        JOIN monitor_scope sc ON sc.source_url_id = f.url_id
        JOIN known k ON k.link_id = sc.link_id AND k.observed_at <= f.observed_at
        LEFT JOIN seen ON seen.link_id = sc.link_id AND seen.snapshot_id = f.snapshot_id
            AND seen.file_id = coalesce(f.file_id, seen.file_id)
        ANTI JOIN link_checks c ON c.link_id = sc.link_id AND c.snapshot_id = f.snapshot_id
    )
    SELECT link_id, snapshot_id, observed_at, false AS is_live, NULL::BOOLEAN AS is_followed,
        reason, {_FETCH_DETAIL} AS detail, 'fetch' AS origin
    FROM judged WHERE reason IS NOT NULL"""  # noqa: S608

_CHECK_EVENTS = f"""
    SELECT c.link_id, c.snapshot_id, c.checked_at AS observed_at,
        c.outcome IN ({_listed(LIVE_OUTCOMES)}) AS is_live,
        CASE WHEN c.outcome IN ({_listed(LIVE_OUTCOMES)})
            THEN c.outcome = '{LinkOutcome.PRESENT}' END AS is_followed,
        CASE WHEN c.outcome NOT IN ({_listed(LIVE_OUTCOMES)}) THEN c.outcome END AS reason,
        c.detail, 'verify' AS origin
    FROM link_checks c SEMI JOIN monitor_scope USING (link_id)
    WHERE c.outcome NOT IN ({_listed(UNKNOWN_OUTCOMES)})"""  # noqa: S608


def link_events(
    conn: duckdb.DuckDBPyConnection, target_url_ids: pa.Array[Any] | None
) -> tuple[pa.Table, pa.Table]:
    """Return the backlinks to the target URLs (to any URL with ``None``) and all their events.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        An open store connection.
    target_url_ids : pyarrow.Array or None
        int64 ids of the target's URLs; ``None`` for every backlink of the store.

    Returns
    -------
    links : pyarrow.Table
        ``link_id, source_url_id, target_url_id, anchor, source_url, source_domain,
        target_url, target_domain``, and ``pair_key``, a number shared by the
        links of one ``(source page, target)`` pair; ordered by ``link_id``.
    events : pyarrow.Table
        ``link_id, snapshot_id, observed_at, is_live, is_followed, reason, detail, origin``
        (see the module docstring), ordered by ``link_id``, ``at``, live first.
    """
    ids = pa.array([], pa.int64()) if target_url_ids is None else target_url_ids
    conn.register("monitor_targets", pa.table({"url_id": ids.cast(pa.int64())}))
    try:
        conn.execute(_SCOPE, {"is_all": target_url_ids is None})
        conn.execute(_SIGHTING_EVENTS)
        links = fetch_arrow(conn, "SELECT * FROM monitor_scope ORDER BY link_id")
        events = fetch_arrow(
            conn,
            f"""SELECT * FROM monitor_sighted
            UNION ALL SELECT * FROM ({_FETCH_EVENTS})
            UNION ALL SELECT * FROM ({_CHECK_EVENTS})
            ORDER BY link_id, observed_at, is_live DESC, snapshot_id, origin""",  # noqa: S608
        )
    finally:
        conn.unregister("monitor_targets")
        conn.execute("DROP TABLE IF EXISTS monitor_sighted")
        conn.execute("DROP TABLE IF EXISTS monitor_scope")
    return links, events


def snapshot_times(conn: duckdb.DuckDBPyConnection) -> pa.Table:
    """Return ``(snapshot_id, kind, started_at, finished_at)`` of every snapshot, by id."""
    return fetch_arrow(
        conn,
        """SELECT id AS snapshot_id, kind, started_at, finished_at
        FROM snapshots ORDER BY id""",
    )
