"""Named read queries over the link tables; each function answers one question."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import duckdb


@dataclass(frozen=True, slots=True)
class StoreStats:
    """How much the store holds.

    ``referring_pages`` counts distinct source URLs, ``referring_domains`` and
    ``target_domains`` distinct registrable domains (an IP address counts as its
    own domain). ``links_by_tool`` counts the links each tool reported.
    """

    links: int
    referring_pages: int
    referring_domains: int
    target_pages: int
    target_domains: int
    sightings: int
    files: int
    snapshots: int
    links_by_tool: Mapping[str, int] = field(default_factory=dict)
    sightings_by_tool: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as plain values, for JSON output."""
        counts = asdict(self)
        counts["links_by_tool"] = dict(self.links_by_tool)
        counts["sightings_by_tool"] = dict(self.sightings_by_tool)
        return counts


def store_stats(conn: duckdb.DuckDBPyConnection) -> StoreStats:
    """Count links, pages, domains, sightings, files and snapshots, and links per tool."""
    row = fetch_row(
        conn,
        """SELECT
            (SELECT count(*) FROM links),
            (SELECT count(DISTINCT source_url_id) FROM links),
            (SELECT count(DISTINCT u.domain) FROM links l JOIN urls u ON u.id = l.source_url_id),
            (SELECT count(DISTINCT target_url_id) FROM links),
            (SELECT count(DISTINCT u.domain) FROM links l JOIN urls u ON u.id = l.target_url_id),
            (SELECT count(*) FROM link_sightings),
            (SELECT count(*) FROM files),
            (SELECT count(*) FROM snapshots)""",
    )
    if row is None:
        raise AssertionError("aggregate query returned no row")
    links, referring_pages, referring_domains, target_pages, target_domains = row[:5]
    sightings, files, snapshots = row[5:]
    by_tool = conn.execute(
        """SELECT tool, count(DISTINCT link_id), count(*)
        FROM link_sightings GROUP BY tool ORDER BY tool"""
    ).fetchall()
    return StoreStats(
        links=int(links),
        referring_pages=int(referring_pages),
        referring_domains=int(referring_domains),
        target_pages=int(target_pages),
        target_domains=int(target_domains),
        sightings=int(sightings),
        files=int(files),
        snapshots=int(snapshots),
        links_by_tool={tool: int(links) for tool, links, _ in by_tool},
        sightings_by_tool={tool: int(sightings) for tool, _, sightings in by_tool},
    )


def referring_domains_by_target_domain(conn: duckdb.DuckDBPyConnection) -> pa.Table:
    """Return ``(target_domain, referring_domains, links)``, most referring domains first."""
    return fetch_arrow(
        conn,
        """SELECT t.domain AS target_domain,
            count(DISTINCT s.domain) AS referring_domains,
            count(*) AS links
        FROM links l
        JOIN urls s ON s.id = l.source_url_id
        JOIN urls t ON t.id = l.target_url_id
        GROUP BY t.domain
        ORDER BY referring_domains DESC, links DESC, target_domain""",
    )


def anchor_distribution(conn: duckdb.DuckDBPyConnection, target_domain: str) -> pa.Table:
    """Return ``(anchor_key, anchor, links, referring_domains)`` of links into *target_domain*.

    ``anchor`` is the most common spelling of the folded ``anchor_key`` (ties go
    to the greatest string, so the result is stable); rows come most links first.
    """
    return fetch_arrow(
        conn,
        """WITH matched AS (
            SELECT l.anchor_key, l.anchor, s.domain
            FROM links l
            JOIN urls t ON t.id = l.target_url_id
            JOIN urls s ON s.id = l.source_url_id
            WHERE t.domain = ?
        ),
        spellings AS (SELECT anchor_key, anchor, count(*) AS links FROM matched GROUP BY ALL),
        examples AS (
            SELECT anchor_key, arg_max(anchor, (links, anchor)) AS anchor
            FROM spellings GROUP BY anchor_key
        )
        SELECT m.anchor_key, e.anchor, count(*) AS links,
            count(DISTINCT m.domain) AS referring_domains
        FROM matched m JOIN examples e USING (anchor_key)
        GROUP BY m.anchor_key, e.anchor
        ORDER BY links DESC, referring_domains DESC, m.anchor_key""",
        [target_domain],
    )


def imported_file_id(conn: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """Return the id of the export file with this digest, or ``None`` if never imported."""
    row = fetch_row(conn, "SELECT id FROM files WHERE sha256 = ?", [sha256])
    return None if row is None else int(row[0])


def fetch_arrow(
    conn: duckdb.DuckDBPyConnection, query: str, parameters: Sequence[Any] = ()
) -> pa.Table:
    """Run *query* and return its result as an Arrow table."""
    relation = conn.sql(query, params=list(parameters))
    # duckdb 1.4+ names it to_arrow_table; in 1.1 arrow() returns the table itself.
    if hasattr(relation, "to_arrow_table"):
        table: pa.Table = relation.to_arrow_table()
        return table
    result: pa.Table | pa.RecordBatchReader = relation.arrow()
    if isinstance(result, pa.RecordBatchReader):
        return result.read_all()
    return result


def fetch_row(
    conn: duckdb.DuckDBPyConnection, query: str, parameters: Sequence[Any] = ()
) -> tuple[Any, ...] | None:
    """Run *query* and return its first row, or ``None``; the result is always drained."""
    # duckdb 2 refuses further work on a connection with an unfinished result.
    rows = conn.execute(query, list(parameters)).fetchall()
    return rows[0] if rows else None


def fetch_int(conn: duckdb.DuckDBPyConnection, query: str, parameters: Sequence[Any] = ()) -> int:
    """Run a query of one integer, such as a count, and return it."""
    row = fetch_row(conn, query, parameters)
    if row is None:
        raise AssertionError(f"no row from {query}")
    return int(row[0])
