"""The link graph of a snapshot as Arrow columns, and the scores written back per snapshot.

Which links a snapshot ranks: the links known by then (``first_snapshot_id``
at most the snapshot) that are followed (none of ``is_nofollow``,
``is_sponsored``, ``is_ugc`` set; ``NULL``, a flag an export did not state,
counts as unset) and not lost (``lost_at`` is ``NULL``). A link is not dropped
because a later snapshot did not see it again: snapshots are imports and crawls
of different sources, and only a verification says a link is gone. The loss
state is the store's current one, so ranking an earlier snapshot again leaves
out the links lost since.

Scores are replaced per snapshot: writing the metrics of a snapshot deletes
its earlier rows first, in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from linkequity.store.arrow import _schema, conform_table
from linkequity.store.queries import fetch_arrow, fetch_row

if TYPE_CHECKING:
    import duckdb

#: Scores of one page per row (``page_metrics`` without ``snapshot_id``).
PAGE_METRICS_SCHEMA = _schema(
    pa.field("url_id", pa.int64(), nullable=False),
    pa.field("pagerank", pa.float64()),
    pa.field("authority", pa.float64()),
    pa.field("trust", pa.float64()),
    pa.field("spam_mass", pa.float64()),
    pa.field("referring_domains", pa.int64()),
    pa.field("referring_pages", pa.int64()),
)
#: Scores of one registrable domain per row (``domain_metrics`` without ``snapshot_id``).
DOMAIN_METRICS_SCHEMA = _schema(
    pa.field("domain", pa.string(), nullable=False),
    pa.field("pagerank", pa.float64()),
    pa.field("authority", pa.float64()),
    pa.field("trust", pa.float64()),
    pa.field("spam_mass", pa.float64()),
    pa.field("referring_domains", pa.int64()),
    pa.field("referring_pages", pa.int64()),
)

_RANKED_LINKS = """
    SELECT source_url_id, target_url_id FROM links
    WHERE first_snapshot_id <= ? AND lost_at IS NULL
        AND NOT coalesce(is_nofollow, false)
        AND NOT coalesce(is_sponsored, false)
        AND NOT coalesce(is_ugc, false)"""


def latest_snapshot_id(conn: duckdb.DuckDBPyConnection) -> int | None:
    """Return the id of the most recent snapshot, or ``None`` in a store without one."""
    row = fetch_row(conn, "SELECT max(id) FROM snapshots")
    return None if row is None or row[0] is None else int(row[0])


def snapshot_exists(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> bool:
    """Tell whether the snapshot *snapshot_id* was recorded."""
    return fetch_row(conn, "SELECT 1 FROM snapshots WHERE id = ?", [snapshot_id]) is not None


def link_graph(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> tuple[pa.Table, pa.Table]:
    """Return the links the snapshot ranks and the URLs at their ends.

    Returns
    -------
    links : pyarrow.Table
        ``(source_url_id, target_url_id)``, one row per stored link: the same
        pair under two anchors comes twice (the graph collapses them).
    nodes : pyarrow.Table
        ``(url_id, domain)`` of every URL at either end of a ranked link,
        ordered by ``url_id``.
    """
    links = fetch_arrow(conn, _RANKED_LINKS, [snapshot_id])
    conn.register("ranked_links", links)
    try:
        nodes = fetch_arrow(
            conn,
            """WITH ends AS (
                SELECT source_url_id AS id FROM ranked_links
                UNION SELECT target_url_id FROM ranked_links)
            SELECT u.id AS url_id, u.domain
            FROM urls u SEMI JOIN ends ON ends.id = u.id
            ORDER BY u.id""",
        )
    finally:
        conn.unregister("ranked_links")
    return links, nodes


def url_ids(conn: duckdb.DuckDBPyConnection, urls: list[str]) -> pa.Table:
    """Return ``(url, url_id)`` of those of the normalised *urls* the store holds."""
    return fetch_arrow(
        conn, "SELECT url, id AS url_id FROM urls WHERE url IN (SELECT unnest(?))", [urls]
    )


def replace_metrics(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, pages: pa.Table, domains: pa.Table
) -> None:
    """Replace the page and domain scores of *snapshot_id* with *pages* and *domains*.

    Parameters
    ----------
    conn
        An open connection, inside the caller's transaction.
    snapshot_id
        The snapshot the scores belong to.
    pages, domains
        Tables of ``PAGE_METRICS_SCHEMA`` and ``DOMAIN_METRICS_SCHEMA``.
    """
    for table_name, table, schema, key in (
        ("page_metrics", pages, PAGE_METRICS_SCHEMA, "url_id"),
        ("domain_metrics", domains, DOMAIN_METRICS_SCHEMA, "domain"),
    ):
        staged = conform_table(table, schema)
        columns = ", ".join(schema.names)
        conn.execute(f"DELETE FROM {table_name} WHERE snapshot_id = ?", [snapshot_id])  # noqa: S608
        conn.register("staged_metrics", staged)
        try:
            conn.execute(
                f"""INSERT INTO {table_name} (snapshot_id, {columns})
                SELECT ?, {columns} FROM staged_metrics ORDER BY {key}""",  # noqa: S608
                [snapshot_id],
            )
        finally:
            conn.unregister("staged_metrics")


def ranked_snapshot_id(conn: duckdb.DuckDBPyConnection) -> int | None:
    """Return the latest snapshot with page scores, or ``None`` if nothing was ranked."""
    row = fetch_row(conn, "SELECT max(snapshot_id) FROM page_metrics")
    return None if row is None or row[0] is None else int(row[0])


def metrics_counts(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> tuple[int, int]:
    """Return how many pages and domains have scores in *snapshot_id*."""
    row = fetch_row(
        conn,
        """SELECT (SELECT count(*) FROM page_metrics WHERE snapshot_id = $1),
            (SELECT count(*) FROM domain_metrics WHERE snapshot_id = $1)""",
        [snapshot_id],
    )
    if row is None:
        raise AssertionError("aggregate query returned no row")
    return int(row[0]), int(row[1])


def top_pages(conn: duckdb.DuckDBPyConnection, snapshot_id: int, *, limit: int) -> pa.Table:
    """Return the *limit* pages of highest PageRank in *snapshot_id*, with their URL and scores."""
    return _top(conn, snapshot_id, limit, "page")


def top_domains(conn: duckdb.DuckDBPyConnection, snapshot_id: int, *, limit: int) -> pa.Table:
    """Return the *limit* domains of highest PageRank in *snapshot_id*, with their scores."""
    return _top(conn, snapshot_id, limit, "domain")


def _top(conn: duckdb.DuckDBPyConnection, snapshot_id: int, limit: int, level: str) -> pa.Table:
    query = {
        "page": """SELECT u.url AS name, m.pagerank, m.authority, m.trust, m.spam_mass,
                m.referring_domains, m.referring_pages
            FROM page_metrics m JOIN urls u ON u.id = m.url_id
            WHERE m.snapshot_id = ? ORDER BY m.pagerank DESC, u.url LIMIT ?""",
        "domain": """SELECT domain AS name, pagerank, authority, trust, spam_mass,
                referring_domains, referring_pages
            FROM domain_metrics
            WHERE snapshot_id = ? ORDER BY pagerank DESC, domain LIMIT ?""",
    }
    return fetch_arrow(conn, query[level], [snapshot_id, limit])
