"""A crawl's frontier in the store: every URL it will fetch, is fetching, or settled.

One row per URL per crawl (``crawl_frontier``, keyed by ``snapshot_id`` and
``seq``, the order of discovery). A URL is ``queued``, then ``in_flight`` once
the crawler claims it, then settled: ``done`` (a response was stored),
``failed`` (no response after its retries, or an answer that ends it),
``excluded`` (robots.txt forbids it) or back to ``queued`` for a retry,
``not_before`` a later time.

Because the results of a fetch and the settling of its URL are written in one
transaction (``Store.commit_crawl_batch``), a crawl killed at any moment
leaves every URL either settled with its results or still claimed without
them; ``requeue_in_flight`` puts the latter back in the queue on resume, so no
page is lost and none is stored twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from linkequity.store.arrow import FRONTIER_ADD_SCHEMA, FRONTIER_SETTLE_SCHEMA, conform_table
from linkequity.store.queries import fetch_arrow, fetch_int

if TYPE_CHECKING:
    from datetime import datetime

    import duckdb

#: States of a frontier row.
QUEUED, IN_FLIGHT, DONE, FAILED, EXCLUDED = "queued", "in_flight", "done", "failed", "excluded"
_CLAIMED_COLUMNS = "seq, url, host, depth, attempts, via, redirect_chain"


def add_to_frontier(conn: duckdb.DuckDBPyConnection, snapshot_id: int, table: pa.Table) -> int:
    """Queue the URLs of *table* (``FRONTIER_ADD_SCHEMA``) that the crawl has not seen.

    The first row of a URL repeated in *table* wins. Returns the rows added.
    """
    table = conform_table(table, FRONTIER_ADD_SCHEMA)
    if not len(table):
        return 0
    conn.register("frontier_found", table.append_column("found", pa.array(range(len(table)))))
    try:
        base = fetch_int(
            conn,
            "SELECT coalesce(max(seq), 0) FROM crawl_frontier WHERE snapshot_id = ?",
            [snapshot_id],
        )
        conn.execute(
            """INSERT INTO crawl_frontier
            SELECT ?, ? + row_number() OVER (ORDER BY found), url, host, depth, via,
                redirect_chain, 'queued', 0, NULL, NULL, NULL, NULL
            FROM (
                SELECT * FROM frontier_found
                QUALIFY row_number() OVER (PARTITION BY url ORDER BY found) = 1) n
            WHERE NOT EXISTS (
                SELECT 1 FROM crawl_frontier f WHERE f.snapshot_id = ? AND f.url = n.url)""",
            [snapshot_id, base, snapshot_id],
        )
        return fetch_int(
            conn,
            "SELECT count(*) FROM crawl_frontier WHERE snapshot_id = ? AND seq > ?",
            [snapshot_id, base],
        )
    finally:
        conn.unregister("frontier_found")


def claim_frontier(
    conn: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    *,
    limit: int,
    per_host: int,
    now: datetime,
    skip_hosts: list[str],
) -> pa.Table:
    """Mark up to *limit* queued URLs due by *now* in flight and return them.

    Fair across hosts: at most *per_host* of each host, shallowest and
    earliest found first, hosts in *skip_hosts* left out (the crawler holds
    enough of theirs). Columns: ``seq, url, host, depth, attempts, via,
    redirect_chain``, in the order they should be fetched.
    """
    claimed = fetch_arrow(
        conn,
        f"""UPDATE crawl_frontier SET state = 'in_flight'
        WHERE snapshot_id = ? AND seq IN (
            SELECT seq FROM (
                SELECT seq, depth,
                    row_number() OVER (PARTITION BY host ORDER BY depth, seq) AS turn
                FROM crawl_frontier
                WHERE snapshot_id = ? AND state = 'queued'
                    AND (not_before IS NULL OR not_before <= ?)
                    AND NOT list_contains(?, host))
            WHERE turn <= ? ORDER BY turn, depth, seq LIMIT ?)
        RETURNING {_CLAIMED_COLUMNS}""",  # noqa: S608 - a constant column list
        [snapshot_id, snapshot_id, now, skip_hosts, per_host, limit],
    )
    return claimed.sort_by([("depth", "ascending"), ("seq", "ascending")])


def settle_frontier(conn: duckdb.DuckDBPyConnection, snapshot_id: int, table: pa.Table) -> None:
    """Record how the claimed URLs of *table* (``FRONTIER_SETTLE_SCHEMA``) ended, by ``seq``."""
    table = conform_table(table, FRONTIER_SETTLE_SCHEMA)
    if not len(table):
        return
    conn.register("frontier_settled", table)
    try:
        conn.execute(
            """UPDATE crawl_frontier f SET state = s.state, attempts = s.attempts,
                not_before = s.not_before, status = s.status, outcome = s.outcome,
                settled_at = now()::TIMESTAMP
            FROM frontier_settled s WHERE f.snapshot_id = ? AND f.seq = s.seq""",
            [snapshot_id],
        )
    finally:
        conn.unregister("frontier_settled")


def requeue_in_flight(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> int:
    """Put the URLs a stopped crawl held in flight back in the queue; return how many."""
    count = fetch_int(
        conn,
        "SELECT count(*) FROM crawl_frontier WHERE snapshot_id = ? AND state = 'in_flight'",
        [snapshot_id],
    )
    conn.execute(
        "UPDATE crawl_frontier SET state = 'queued' WHERE snapshot_id = ? AND state = 'in_flight'",
        [snapshot_id],
    )
    return count


def frontier_counts(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> dict[str, int]:
    """Return the crawl's URLs by state (every state present, zero or not)."""
    rows = conn.execute(
        "SELECT state, count(*) FROM crawl_frontier WHERE snapshot_id = ? GROUP BY state",
        [snapshot_id],
    ).fetchall()
    counts = dict.fromkeys((QUEUED, IN_FLIGHT, DONE, FAILED, EXCLUDED), 0)
    counts.update({str(state): int(count) for state, count in rows})
    return counts


def earliest_retry(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> datetime | None:
    """Return when the earliest queued URL waiting for a retry is due, if one is."""
    rows = conn.execute(
        "SELECT min(not_before) FROM crawl_frontier WHERE snapshot_id = ? AND state = 'queued'",
        [snapshot_id],
    ).fetchall()
    value: datetime | None = rows[0][0] if rows else None
    return value


def frontier_outcomes(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> pa.Table:
    """Return every URL of the crawl with its state, depth, attempts, status and outcome."""
    return fetch_arrow(
        conn,
        """SELECT seq, url, host, depth, via, redirect_chain, state, attempts, status, outcome
        FROM crawl_frontier WHERE snapshot_id = ? ORDER BY seq""",
        [snapshot_id],
    )


def unfinished_crawl(conn: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    """Return the id and settings (JSON) of the latest crawl that has not finished, if any."""
    rows = conn.execute(
        """SELECT id, settings FROM snapshots WHERE kind = 'crawl' AND finished_at IS NULL
        ORDER BY id DESC LIMIT 1"""
    ).fetchall()
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def failed_urls(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, *, limit: int
) -> list[tuple[str, str]]:
    """Return the first *limit* URLs the crawl gave up on, in discovery order, and why."""
    rows = conn.execute(
        """SELECT url, coalesce(outcome, '') FROM crawl_frontier
        WHERE snapshot_id = ? AND state = 'failed' ORDER BY seq LIMIT ?""",
        [snapshot_id, limit],
    ).fetchall()
    return [(str(url), str(outcome)) for url, outcome in rows]
