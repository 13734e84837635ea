"""Bulk writes: snapshots, files, URLs interned by anti-join, links merged from sightings.

Every function takes an open connection inside the caller's transaction and
moves whole Arrow tables through SQL; no Python loop runs per row. Python code
runs only per distinct new host (registrable domain) and per distinct anchor
(folding), which are orders of magnitude fewer.

Values always travel as parameters; the only text formatted into SQL is table
and column names, constants of this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from linkequity.model.links import fold_anchor
from linkequity.model.urls import registrable_domain, reversed_host, url_host
from linkequity.parsing.page import HTML_TYPES
from linkequity.store.arrow import (
    LINK_SIGHTING_SCHEMA,
    PAGE_SCHEMA,
    REFERRING_DOMAIN_SCHEMA,
    TARGET_PAGE_SCHEMA,
    conform_table,
)
from linkequity.store.queries import fetch_int, fetch_row

if TYPE_CHECKING:
    from collections.abc import Mapping

    import duckdb


@dataclass(frozen=True, slots=True)
class LinkWriteCounts:
    """What one ``write_link_sightings`` call changed.

    ``links_merged`` counts links that existed before the call and gained a
    sighting; ``sightings_skipped`` counts rows of the file already stored.
    """

    links_added: int = 0
    links_merged: int = 0
    sightings_added: int = 0
    sightings_skipped: int = 0

    def __add__(self, other: LinkWriteCounts) -> LinkWriteCounts:
        """Return the counts of two writes together."""
        return LinkWriteCounts(
            self.links_added + other.links_added,
            self.links_merged + other.links_merged,
            self.sightings_added + other.sightings_added,
            self.sightings_skipped + other.sightings_skipped,
        )


def utc_now() -> datetime:
    """Return the current time as naive UTC, as the store keeps timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def begin_snapshot(
    conn: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    source: str | None,
    settings: Mapping[str, Any] | None,
) -> int:
    """Insert a running snapshot and return its id."""
    snapshot_id = next_id(conn, "snapshots")
    conn.execute(
        "INSERT INTO snapshots VALUES (?, ?, ?, NULL, ?, ?)",
        [snapshot_id, kind, utc_now(), source, json.dumps(dict(settings or {}), sort_keys=True)],
    )
    return snapshot_id


def finish_snapshot(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Mark the snapshot finished now."""
    conn.execute("UPDATE snapshots SET finished_at = ? WHERE id = ?", [utc_now(), snapshot_id])


def register_file(
    conn: duckdb.DuckDBPyConnection,
    *,
    sha256: str,
    path: str,
    tool: str,
    export_format: str | None,
    kind: str,
    snapshot_id: int,
) -> tuple[int, bool]:
    """Return the id of the file with this *sha256*, and whether it was new."""
    row = fetch_row(conn, "SELECT id FROM files WHERE sha256 = ?", [sha256])
    if row is not None:
        return int(row[0]), False
    file_id = next_id(conn, "files")
    conn.execute(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [file_id, sha256, path, str(tool), export_format, str(kind), snapshot_id, utc_now()],
    )
    return file_id, True


def write_link_sightings(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, file_id: int, table: pa.Table
) -> LinkWriteCounts:
    """Store the sightings of *table* (``LINK_SIGHTING_SCHEMA``) and merge them into links.

    Rows whose ``(file_id, row)`` is already stored are skipped. A sighting of
    a link already stored adds provenance and merges into the link's
    attributes, with the result a merge of all its sightings would give; any
    other sighting adds a link.
    """
    table = conform_table(table, LINK_SIGHTING_SCHEMA)
    tool = _file_tool(conn, file_id)
    staged = table.append_column("anchor_key", _folded_anchors(table.column("anchor")))
    conn.register("staged_sightings", staged)
    try:
        skipped = _stage_unstored_rows(conn, "staged_sightings", file_id, len(staged))
        intern_urls(conn, "fresh_rows", ("source_url", "target_url"))
        conn.execute(
            """CREATE OR REPLACE TEMP TABLE resolved AS
            SELECT f.*, su.id AS source_url_id, tu.id AS target_url_id,
                ?::BIGINT AS snapshot_id, ?::BIGINT AS file_id, ?::VARCHAR AS tool
            FROM fresh_rows f
            JOIN urls su ON su.url = f.source_url
            JOIN urls tu ON tu.url = f.target_url""",
            [snapshot_id, file_id, tool],
        )
        links_added, links_merged, added = store_resolved_sightings(conn)
        conn.execute(
            "UPDATE files SET rows_stored = rows_stored + ? WHERE id = ?", [added, file_id]
        )
    finally:
        drop_staging(conn)
        conn.unregister("staged_sightings")
    return LinkWriteCounts(links_added, links_merged, added, skipped)


def store_resolved_sightings(conn: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """Store the temp table ``resolved`` as sightings and merge them into links.

    ``resolved`` holds sighting columns with ``source_url_id``,
    ``target_url_id``, ``anchor_key``, ``snapshot_id``, ``file_id`` and ``tool``;
    none of its ``(file_id, row)`` may be stored already.

    Returns
    -------
    tuple of int
        Links added, links merged, sightings added.
    """
    first_new_id = next_id(conn, "links")
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE batch_links AS
        WITH keys AS (
            SELECT source_url_id, target_url_id, anchor_key, count(*) AS sightings
            FROM resolved GROUP BY ALL
        ),
        matched AS (
            SELECT k.*, l.id AS stored_id, l.last_seen AS stored_last_seen,
                l.lost_at IS NULL AS is_stored_live, {_STORED_COLUMNS}
            FROM keys k LEFT JOIN links l USING (source_url_id, target_url_id, anchor_key)
        )
        SELECT * EXCLUDE (stored_id), stored_id AS link_id, false AS is_new
        FROM matched WHERE stored_id IS NOT NULL
        UNION ALL BY NAME
        SELECT * EXCLUDE (stored_id), ? - 1 + row_number() OVER () AS link_id, true AS is_new
        FROM matched WHERE stored_id IS NULL""",  # noqa: S608
        [first_new_id],
    )
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE keyed AS
        SELECT r.*, b.link_id, b.is_new, b.sightings
        FROM resolved r JOIN batch_links b USING (source_url_id, target_url_id, anchor_key)"""
    )
    merged = fetch_int(conn, "SELECT count(*) FROM batch_links WHERE NOT is_new")
    is_batch_last = merged > 0 and _is_stored_after_all(conn)
    conn.execute(
        f"""INSERT INTO link_sightings
        SELECT r.link_id, r.snapshot_id, r.file_id, r.row, r.tool, {_SIGHTING_COLUMNS}
        FROM keyed r"""  # noqa: S608
    )
    added = fetch_int(conn, "SELECT count(*) FROM keyed")
    links_added = _insert_new_links(conn)
    if merged:
        _merge_existing_links(conn, is_batch_last=is_batch_last)
    return links_added, merged, added


def write_referring_domains(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, file_id: int, table: pa.Table
) -> int:
    """Store rows of a referring-domains export; return how many were new."""
    table = conform_table(table, REFERRING_DOMAIN_SCHEMA)
    tool = _file_tool(conn, file_id)
    conn.register("staged_reports", table)
    try:
        before = fetch_int(conn, "SELECT count(*) FROM referring_domain_reports")
        conn.execute(
            """INSERT INTO referring_domain_reports
            SELECT ?, ?, s.row, ?, s.domain, s.backlinks, s.linking_pages, s.target_pages,
                s.authority, s.ip_address, s.country, s.first_seen, s.last_seen, s.tool_metrics
            FROM staged_reports s
            ANTI JOIN (SELECT row FROM referring_domain_reports WHERE file_id = ?) USING (row)""",
            [snapshot_id, file_id, tool, file_id],
        )
        added = fetch_int(conn, "SELECT count(*) FROM referring_domain_reports") - before
        conn.execute(
            "UPDATE files SET rows_stored = rows_stored + ? WHERE id = ?", [added, file_id]
        )
    finally:
        conn.unregister("staged_reports")
    return added


def write_target_pages(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, file_id: int, table: pa.Table
) -> int:
    """Store rows of a top-linked-pages export; return how many were new."""
    table = conform_table(table, TARGET_PAGE_SCHEMA)
    tool = _file_tool(conn, file_id)
    conn.register("staged_reports", table)
    try:
        intern_urls(conn, "staged_reports", ("target_url",))
        before = fetch_int(conn, "SELECT count(*) FROM target_page_reports")
        conn.execute(
            """INSERT INTO target_page_reports
            SELECT ?, ?, s.row, ?, u.id, s.incoming_links, s.linking_sites, s.tool_metrics
            FROM staged_reports s JOIN urls u ON u.url = s.target_url
            ANTI JOIN (SELECT row FROM target_page_reports WHERE file_id = ?) USING (row)""",
            [snapshot_id, file_id, tool, file_id],
        )
        added = fetch_int(conn, "SELECT count(*) FROM target_page_reports") - before
        conn.execute(
            "UPDATE files SET rows_stored = rows_stored + ? WHERE id = ?", [added, file_id]
        )
    finally:
        conn.unregister("staged_reports")
    return added


#: Columns of ``pages`` copied from ``PAGE_SCHEMA`` as they are; the URLs become ids,
#: and the main text goes to ``page_texts``.
_PAGE_COLUMNS = tuple(
    name
    for name in PAGE_SCHEMA.names
    if name not in {"url", "final_url", "canonical_url", "main_text"}
)


def write_pages(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, file_id: int | None, table: pa.Table
) -> int:
    """Store one row of ``pages`` per row of *table* (``PAGE_SCHEMA``); return how many.

    *file_id* is the archive the fetches were read from, or the file of a crawl.
    Every fetch is kept: a URL fetched twice in one snapshot has two rows. A
    ``main_text`` that is neither ``NULL`` nor empty is kept in ``page_texts``
    beside the page's title and language.
    """
    table = conform_table(table, PAGE_SCHEMA)
    conn.register("staged_pages", table)
    try:
        intern_urls(conn, "staged_pages", ("url", "final_url", "canonical_url"))
        conn.execute(
            f"""INSERT INTO pages (snapshot_id, file_id, url_id, final_url_id, canonical_url_id,
                {", ".join(_PAGE_COLUMNS)})
            SELECT ?, ?, u.id, f.id, c.id, {", ".join(f"s.{name}" for name in _PAGE_COLUMNS)}
            FROM staged_pages s
            JOIN urls u ON u.url = s.url
            LEFT JOIN urls f ON f.url = s.final_url
            LEFT JOIN urls c ON c.url = s.canonical_url""",  # noqa: S608
            [snapshot_id, file_id],
        )
        conn.execute(
            """INSERT INTO page_texts
            SELECT ?, ?, u.id, s.fetched_at, s.title, s.language, s.main_text
            FROM staged_pages s JOIN urls u ON u.url = s.url
            WHERE s.main_text <> ''""",
            [snapshot_id, file_id],
        )
    finally:
        conn.unregister("staged_pages")
    return len(table)


def intern_urls(conn: duckdb.DuckDBPyConnection, relation: str, columns: tuple[str, ...]) -> int:
    """Add to ``urls`` every URL in *columns* of *relation* not stored yet; return how many.

    ``NULL`` in a column is no URL and is passed over.

    New URLs are found by anti-join in SQL. Host, reversed host and registrable
    domain are computed in Python once per distinct new authority, never per URL;
    ids follow reversed host, so the URLs of one host get neighbouring ids.
    """
    union = " UNION ".join(
        f"SELECT {column} AS url FROM {relation} WHERE {column} IS NOT NULL"  # noqa: S608
        for column in columns
    )
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_urls AS
        SELECT url, regexp_extract(url, '^[^:/?#]*://([^/?#]*)', 1) AS authority
        FROM ({union}) ANTI JOIN urls USING (url)"""  # noqa: S608
    )
    try:
        examples = conn.execute(
            "SELECT authority, any_value(url) FROM new_urls GROUP BY authority"
        ).fetchall()
        if not examples:
            return 0
        hosts = [url_host(url) for _, url in examples]
        new_hosts = pa.table(
            {
                "authority": [authority for authority, _ in examples],
                "host": hosts,
                "reversed_host": [reversed_host(host) for host in hosts],
                "domain": [registrable_domain(host) or host for host in hosts],
            }
        )
        conn.register("new_hosts", new_hosts)
        try:
            conn.execute(
                """INSERT INTO urls
                SELECT ? - 1 + row_number() OVER (ORDER BY h.reversed_host, n.url),
                    n.url, h.host, h.reversed_host, h.domain
                FROM new_urls n JOIN new_hosts h USING (authority)""",
                [next_id(conn, "urls")],
            )
        finally:
            conn.unregister("new_hosts")
        return fetch_int(conn, "SELECT count(*) FROM new_urls")
    finally:
        conn.execute("DROP TABLE IF EXISTS new_urls")


def _latest(column: str) -> str:
    return (
        f"last({column} ORDER BY last_seen NULLS FIRST, file_id, row) "
        f"FILTER (WHERE {column} IS NOT NULL)"
    )


#: Link attributes a link takes from its latest sighting stating them (the Spark
#: extract merges links by the same list).
MERGED_FLAGS = (
    "is_nofollow",
    "is_sponsored",
    "is_ugc",
    "is_image",
    "alt",
    "link_type",
    "is_sitewide",
)
#: Read from a page's HTML only; merged like the flags, each from the latest sighting stating it.
CRAWLED_FIELDS = ("placement", "is_hidden", "position")
_SIGHTING_COLUMNS = ", ".join(
    f"r.{name}"
    for name in LINK_SIGHTING_SCHEMA.names
    if name not in {"source_url", "target_url", "row"}
)


def _merged_select(sightings: str, extra: str = "") -> str:
    """Select the merged attributes of each link from the relation *sightings* of its sightings.

    *extra* adds aggregate columns to the selection.
    """
    return f"""
    SELECT link_id,
        {", ".join(f"{_latest(name)} AS {name}" for name in MERGED_FLAGS)},
        last(is_target_inferred ORDER BY last_seen NULLS FIRST, file_id, row)
            AS is_target_inferred,
        {_latest("left_context")} AS left_context,
        {_latest("right_context")} AS right_context,
        {", ".join(f"{_latest(name)} AS {name}" for name in CRAWLED_FIELDS)},
        min(first_seen) AS first_seen,
        max(last_seen) AS last_seen,
        {_latest("lost_at")} AS stated_lost_at,
        {_latest("lost_reason")} AS stated_lost_reason,
        min(snapshot_id) AS first_snapshot_id,
        max(snapshot_id) AS last_snapshot_id,
        first(anchor ORDER BY file_id, row) AS anchor{extra}
    FROM {sightings}"""  # noqa: S608


def _lost_at(lost_at: str, last_seen: str) -> str:
    # A link seen after it was reported lost is live again.
    return f"CASE WHEN {lost_at} < {last_seen} THEN NULL ELSE {lost_at} END"


def _lost_reason(lost_at: str, last_seen: str, lost_reason: str) -> str:
    return f"CASE WHEN ({_lost_at(lost_at, last_seen)}) IS NULL THEN NULL ELSE {lost_reason} END"


_FLAG_LIST = ", ".join(MERGED_FLAGS)
_CRAWLED_LIST = ", ".join(CRAWLED_FIELDS)
_STATED = (*MERGED_FLAGS, "left_context", "right_context", *CRAWLED_FIELDS)
_STORED_COLUMNS = ", ".join(
    f"l.{name} AS stored_{name}" for name in (*_STATED, "is_target_inferred")
)
_BATCH_ORDER_BOUNDS = (
    ", min(last_seen) AS earliest_seen, count(last_seen) = count(*) AS is_all_dated, "
    + ", ".join(
        f"max(last_seen) FILTER (WHERE {name} IS NOT NULL) AS {name}_seen" for name in _STATED
    )
)


def _is_newer(last_seen: str) -> str:
    """Whether a new sighting seen at *last_seen* outranks every stored one of its link.

    Only for a batch after every stored ``(file_id, row)``, so that a tie goes to it.
    """
    return f"(b.stored_last_seen IS NULL OR coalesce({last_seen} >= b.stored_last_seen, false))"


_LOST_AT = _lost_at("m.stated_lost_at", "m.last_seen")
_LOST_REASON = _lost_reason("m.stated_lost_at", "m.last_seen", "m.stated_lost_reason")


def _insert_new_links(conn: duckdb.DuckDBPyConnection) -> int:
    """Insert the links first seen in this batch.

    Most have a single sighting, whose values are the link's: they skip the
    ordered aggregates, which dominate the cost of a bulk import otherwise.
    """
    conn.execute(
        f"""INSERT INTO links
        SELECT link_id, source_url_id, target_url_id, anchor_key, anchor, {_FLAG_LIST},
            is_target_inferred, left_context, right_context, {_CRAWLED_LIST},
            first_seen, last_seen, {_lost_at("lost_at", "last_seen")},
            {_lost_reason("lost_at", "last_seen", "lost_reason")}, snapshot_id, snapshot_id
        FROM keyed WHERE is_new AND sightings = 1"""  # noqa: S608
    )
    if fetch_int(conn, "SELECT count(*) FROM batch_links WHERE is_new AND sightings > 1"):
        conn.execute(
            f"""INSERT INTO links
            SELECT b.link_id, b.source_url_id, b.target_url_id, b.anchor_key, m.anchor,
                {", ".join(f"m.{name}" for name in MERGED_FLAGS)},
                m.is_target_inferred, m.left_context, m.right_context,
                {", ".join(f"m.{name}" for name in CRAWLED_FIELDS)},
                m.first_seen, m.last_seen, {_LOST_AT}, {_LOST_REASON},
                m.first_snapshot_id, m.last_snapshot_id
            FROM ({_merged_select("keyed")} WHERE is_new AND sightings > 1 GROUP BY link_id) m
            JOIN batch_links b USING (link_id)"""  # noqa: S608
        )
    return fetch_int(conn, "SELECT count(*) FROM batch_links WHERE is_new")


def _is_stored_after_all(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether every row of ``keyed`` comes after every stored sighting by ``(file_id, row)``.

    True for every write but a re-import into an older file: new files get
    the highest id, and a file's rows arrive in order.
    """
    first = fetch_row(conn, "SELECT file_id, row FROM keyed ORDER BY file_id, row LIMIT 1")
    last_file_id = fetch_row(conn, "SELECT max(file_id) FROM link_sightings")
    if first is None or last_file_id is None or last_file_id[0] is None:
        return True
    last_row = fetch_int(
        conn, "SELECT max(row) FROM link_sightings WHERE file_id = ?", [last_file_id[0]]
    )
    return (int(first[0]), int(first[1])) > (int(last_file_id[0]), last_row)


def _merge_existing_links(conn: duckdb.DuckDBPyConnection, *, is_batch_last: bool) -> None:
    """Merge the sightings of ``keyed`` into the links they belong to that were stored.

    With ``is_batch_last`` (the new sightings come after every stored one by
    ``(file_id, row)``), each attribute of a link is decided from the batch
    and the stored link alone: the new value when the sighting stating it is
    at least as recent as the link's ``last_seen``, or when the link never
    stated it; the stored value when the batch is silent or agrees. That is
    one ``UPDATE``. Only links where an older new sighting contradicts a
    stored value, or states a loss the stored fields cannot place, are merged
    again from all their sightings.
    """
    stated = ", ".join(
        f"""CASE WHEN m.{name} IS NOT NULL AND ({_is_newer(f"m.{name}_seen")}
            OR b.stored_{name} IS NULL) THEN m.{name} ELSE b.stored_{name} END AS {name}"""
        for name in _STATED
    )
    # A value stated by an older new sighting and unlike the stored one may or
    # may not be outranked by the sightings merged before: only all of them tell.
    is_undecided = " OR ".join(
        f"""(m.{name} IS NOT NULL AND NOT {_is_newer(f"m.{name}_seen")}
            AND b.stored_{name} IS NOT NULL AND m.{name} <> b.stored_{name})"""
        for name in _STATED
    )
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE merge_plan AS
        WITH batch AS (
            SELECT link_id, {_FLAG_LIST}, is_target_inferred, left_context, right_context,
                {_CRAWLED_LIST}, first_seen, last_seen, lost_at AS stated_lost_at,
                lost_reason AS stated_lost_reason, snapshot_id AS first_snapshot_id,
                snapshot_id AS last_snapshot_id, anchor,
                last_seen AS earliest_seen, last_seen IS NOT NULL AS is_all_dated,
                {", ".join(f"last_seen AS {name}_seen" for name in _STATED)}
            FROM keyed WHERE NOT is_new AND sightings = 1
            UNION ALL BY NAME
            {_merged_select("keyed", _BATCH_ORDER_BOUNDS)}
            WHERE NOT is_new AND sightings > 1 GROUP BY link_id
        )
        SELECT m.link_id, {stated},
            CASE WHEN {_is_newer("m.last_seen")} THEN m.is_target_inferred
                ELSE b.stored_is_target_inferred END AS is_target_inferred,
            m.first_seen, m.last_seen, m.stated_lost_at, m.stated_lost_reason,
            m.first_snapshot_id, m.last_snapshot_id,
            ? AND NOT ({is_undecided}
                OR ((m.stated_lost_at IS NOT NULL OR m.stated_lost_reason IS NOT NULL)
                    AND NOT (b.stored_last_seen IS NULL
                        OR (m.is_all_dated AND m.earliest_seen >= b.stored_last_seen)))
                OR (b.is_stored_live AND m.stated_lost_at IS NOT NULL
                    AND m.stated_lost_reason IS NULL)) AS is_incremental
        FROM batch m JOIN batch_links b USING (link_id)""",  # noqa: S608
        [is_batch_last],
    )
    assigned = ", ".join(f"{name} = m.{name}" for name in _STATED)
    stated_lost_at = "coalesce(m.stated_lost_at, links.lost_at)"
    stated_lost_reason = "coalesce(m.stated_lost_reason, links.lost_reason)"
    last_seen = "greatest(links.last_seen, m.last_seen)"
    conn.execute(
        f"""UPDATE links SET {assigned},
            is_target_inferred = m.is_target_inferred,
            first_seen = least(links.first_seen, m.first_seen),
            last_seen = {last_seen},
            lost_at = {_lost_at(stated_lost_at, last_seen)},
            lost_reason = {_lost_reason(stated_lost_at, last_seen, stated_lost_reason)},
            first_snapshot_id = least(links.first_snapshot_id, m.first_snapshot_id),
            last_snapshot_id = greatest(links.last_snapshot_id, m.last_snapshot_id)
        FROM merge_plan m
        WHERE links.id = m.link_id AND m.is_incremental"""  # noqa: S608
    )
    if fetch_int(conn, "SELECT count(*) FROM merge_plan WHERE NOT is_incremental"):
        _remerge(conn, "SELECT link_id FROM merge_plan WHERE NOT is_incremental")


_REMERGED = ", ".join(
    f"{name} = m.{name}"
    for name in (
        *MERGED_FLAGS,
        "is_target_inferred",
        "left_context",
        "right_context",
        *CRAWLED_FIELDS,
        "first_seen",
        "last_seen",
        "first_snapshot_id",
        "last_snapshot_id",
    )
)


def _remerge(
    conn: duckdb.DuckDBPyConnection, link_ids: str, parameters: list[Any] | None = None
) -> None:
    """Merge the links whose ids the query *link_ids* selects again from all their sightings."""
    # Materialised, so that the join builds on these few rows, not on links.
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE remerged AS {_merged_select("link_sightings")}
        WHERE link_id IN ({link_ids})
        GROUP BY link_id""",  # noqa: S608
        parameters or [],
    )
    conn.execute(
        f"""UPDATE links SET {_REMERGED},
            lost_at = {_LOST_AT}, lost_reason = {_LOST_REASON}
        FROM remerged m WHERE links.id = m.link_id"""  # noqa: S608
    )


def mark_sitewide(
    conn: duckdb.DuckDBPyConnection, file_id: int, *, min_share: float, min_pages: int
) -> int:
    """State ``is_sitewide`` on the sightings of *file_id*, and merge their links again.

    The HTML pages of one host in the file (``pages`` rows with a 2xx status
    and an HTML or unknown content type: robots.txt, sitemaps and other files
    are not pages of the site's template) are the site. When it has at least
    *min_pages* pages, each sighting of the host's pages is sitewide when its
    ``(target, folded anchor)`` appears on at least *min_share* of them, and
    not sitewide otherwise; with fewer pages the file says nothing (``NULL``).
    Returns the sightings marked sitewide.
    """
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE sitewide AS
        WITH site_pages AS (
            SELECT u.host, count(DISTINCT p.url_id) AS pages
            FROM pages p JOIN urls u ON u.id = p.url_id
            WHERE p.file_id = ? AND p.status BETWEEN 200 AND 299
                AND (p.content_type IS NULL OR list_contains(?, p.content_type))
            GROUP BY u.host
        ),
        seen AS (
            SELECT s.link_id, s.row, l.source_url_id, l.target_url_id, l.anchor_key, u.host
            FROM link_sightings s JOIN links l ON l.id = s.link_id
            JOIN urls u ON u.id = l.source_url_id
            WHERE s.file_id = ?
        ),
        recurring AS (
            SELECT host, target_url_id, anchor_key, count(DISTINCT source_url_id) AS pages
            FROM seen GROUP BY ALL
        )
        SELECT s.link_id, s.row, r.pages >= ? * p.pages AS is_sitewide
        FROM seen s JOIN site_pages p USING (host)
        JOIN recurring r USING (host, target_url_id, anchor_key)
        WHERE p.pages >= ?""",
        [file_id, sorted(HTML_TYPES), file_id, min_share, min_pages],
    )
    try:
        conn.execute(
            """UPDATE link_sightings SET is_sitewide = w.is_sitewide
            FROM sitewide w
            WHERE link_sightings.file_id = ? AND link_sightings.row = w.row""",
            [file_id],
        )
        _remerge(conn, "SELECT DISTINCT link_id FROM sitewide")
        return fetch_int(conn, "SELECT count(*) FROM sitewide WHERE is_sitewide")
    finally:
        conn.execute("DROP TABLE IF EXISTS sitewide")
        conn.execute("DROP TABLE IF EXISTS remerged")


#: Why the latest fetch of a page loses the links it no longer shows, as
#: ``store.monitor`` names it; ``NULL`` where the fetch cannot tell (robots,
#: no response, a server error, a page that is not HTML) or keeps the links
#: (``noindex`` stops their value, not their existence).
LOSS_REASON_SQL = """CASE
    WHEN is_robots_allowed = false OR status IS NULL THEN NULL
    WHEN status IN (404, 410) THEN 'page_gone'
    WHEN status BETWEEN 300 AND 399 AND final_domain IS NULL THEN NULL
    WHEN status BETWEEN 300 AND 399 AND final_domain <> page_domain THEN 'redirected_away'
    WHEN status BETWEEN 300 AND 399 THEN 'redirected'
    WHEN status NOT BETWEEN 200 AND 299 THEN NULL
    WHEN is_indexable IS NULL OR non_indexable_reason = 'not_html' THEN NULL
    ELSE 'link_removed'
END"""


def mark_lost(conn: duckdb.DuckDBPyConnection, file_id: int) -> int:
    """Lose the links that the latest fetch of their source page no longer shows.

    The pages are those *file_id* fetched or holds links of; for each, its
    latest fetch in any file decides. A fetch that read the page (2xx HTML)
    without a link that was last seen before it loses the link
    (``link_removed``); a 404 or 410 loses every earlier link of the page
    (``page_gone``), a redirect every one but the redirect itself
    (``redirected``, or ``redirected_away`` to another registrable domain).
    ``lost_at`` is the fetch's time. Fetches that cannot tell lose nothing, and
    a link seen again after its loss is live again (the merge clears
    ``lost_at`` when a later sighting arrives). Returns the links lost.
    """
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE lost AS
        WITH touched AS (
            SELECT url_id FROM pages WHERE file_id = $1
            UNION
            SELECT l.source_url_id FROM link_sightings s JOIN links l ON l.id = s.link_id
            WHERE s.file_id = $1
        ),
        latest AS (
            SELECT p.url_id, coalesce(p.fetched_at, sn.started_at) AS observed_at, p.status,
                p.is_indexable, p.non_indexable_reason, p.is_robots_allowed,
                u.domain AS page_domain, fu.domain AS final_domain
            FROM pages p
            SEMI JOIN touched USING (url_id)
            JOIN snapshots sn ON sn.id = p.snapshot_id
            JOIN urls u ON u.id = p.url_id
            LEFT JOIN urls fu ON fu.id = p.final_url_id
            QUALIFY row_number() OVER (PARTITION BY p.url_id ORDER BY observed_at DESC) = 1
        ),
        losses AS (SELECT url_id, observed_at, {LOSS_REASON_SQL} AS reason FROM latest)
        SELECT l.id AS link_id, f.observed_at, f.reason
        FROM links l
        JOIN losses f ON f.url_id = l.source_url_id
        JOIN snapshots sn ON sn.id = l.last_snapshot_id
        WHERE f.reason IS NOT NULL AND l.lost_at IS NULL
            AND coalesce(l.last_seen, l.first_seen, sn.started_at) < f.observed_at""",  # noqa: S608
        [file_id],
    )
    try:
        conn.execute(
            """UPDATE links SET lost_at = f.observed_at, lost_reason = f.reason
            FROM lost f WHERE links.id = f.link_id"""
        )
        return fetch_int(conn, "SELECT count(*) FROM lost")
    finally:
        conn.execute("DROP TABLE IF EXISTS lost")


def _stage_unstored_rows(
    conn: duckdb.DuckDBPyConnection, relation: str, file_id: int, total: int
) -> int:
    """Stage ``fresh_rows``: the rows of *relation* whose ``(file_id, row)`` is not stored.

    Usually none is, and a view over the Arrow table avoids copying it.
    """
    if not fetch_int(conn, "SELECT count(*) FROM link_sightings WHERE file_id = ?", [file_id]):
        conn.execute(f"CREATE OR REPLACE TEMP VIEW fresh_rows AS SELECT * FROM {relation}")  # noqa: S608
        return 0
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE fresh_rows AS
        SELECT * FROM {relation}
        ANTI JOIN (SELECT row FROM link_sightings WHERE file_id = ?) USING (row)""",  # noqa: S608
        [file_id],
    )
    return total - fetch_int(conn, "SELECT count(*) FROM fresh_rows")


def _folded_anchors(anchors: pa.ChunkedArray[Any]) -> pa.Array[Any]:
    """Fold each distinct anchor once in Python, and spread the keys back by index."""
    encoded = anchors.combine_chunks().dictionary_encode()
    keys = pa.array(
        [fold_anchor(str(anchor)) for anchor in encoded.dictionary.to_pylist()], type=pa.string()
    )
    folded: pa.Array[Any] = pc.take(keys, encoded.indices)
    return folded


def drop_staging(conn: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables and views a write staged, whichever exist."""
    kinds = dict(
        conn.execute(
            """SELECT table_name, table_type FROM information_schema.tables
            WHERE table_catalog = 'temp'
                AND table_name IN (
                    'fresh_rows', 'resolved', 'batch_links', 'keyed', 'merge_plan', 'remerged')"""
        ).fetchall()
    )
    for name, kind in kinds.items():
        conn.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {name}")


def _file_tool(conn: duckdb.DuckDBPyConnection, file_id: int) -> str:
    row = fetch_row(conn, "SELECT tool FROM files WHERE id = ?", [file_id])
    if row is None:
        raise ValueError(f"no file with id {file_id}; call register_file first")
    return str(row[0])


def next_id(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    """Return the next free id of *table*; safe in the writer's transaction under the file lock."""
    return fetch_int(conn, f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
