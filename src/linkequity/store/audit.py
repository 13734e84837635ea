"""What the audit reads: a target's backlink profile, aggregated in DuckDB.

The profile is the live links of a snapshot (known by it and not lost, any
rel, as ``store.tiers`` reads them) into the target's pages from other
registrable domains: a site's links to itself are no vote of anyone else.
Every question is one aggregate query over those links, so that the audit of
ten million links answers each in well under a second (see
benchmarks/bench_audit.py); the target's pages are given as a list of URL ids.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow, fetch_row

if TYPE_CHECKING:
    from collections.abc import Iterator

    import duckdb

__all__ = [
    "authority_buckets",
    "placement_mix",
    "profile_totals",
    "rel_mix",
    "top_linked_pages",
]

#: The profile's links: ``$1`` the snapshot; ``audit_pages(url_id)`` the target's pages.
_PROFILE = """
    SELECT l.source_url_id, l.target_url_id, s.domain AS source_domain,
        l.is_nofollow, l.is_sponsored, l.is_ugc, l.placement
    FROM links l
    SEMI JOIN audit_pages p ON p.url_id = l.target_url_id
    JOIN urls s ON s.id = l.source_url_id
    WHERE l.first_snapshot_id <= $1 AND l.lost_at IS NULL
        AND s.domain NOT IN (
            SELECT DISTINCT u.domain FROM urls u SEMI JOIN audit_pages p ON p.url_id = u.id)"""

_FOLLOWED = (
    "NOT (coalesce(is_nofollow, false) OR coalesce(is_sponsored, false) OR coalesce(is_ugc, false))"
)
_UNKNOWN_REL = "(is_nofollow IS NULL AND is_sponsored IS NULL AND is_ugc IS NULL)"


@contextmanager
def _profile_pages(conn: duckdb.DuckDBPyConnection, url_ids: pa.Array[Any]) -> Iterator[None]:
    conn.register("audit_pages", pa.table({"url_id": url_ids.cast(pa.int64())}))
    try:
        yield
    finally:
        conn.unregister("audit_pages")


def profile_totals(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return one row: ``links, referring_pages, referring_domains, linked_pages``.

    Followed links and the domains with at least one (``followed_links``,
    ``followed_domains``) come too: a followed link is one no source calls
    nofollow, sponsored or ugc.
    """
    with _profile_pages(conn, url_ids):
        return fetch_arrow(
            conn,
            f"""WITH profile AS ({_PROFILE})
            SELECT count(*) AS links, count(DISTINCT source_url_id) AS referring_pages,
                count(DISTINCT source_domain) AS referring_domains,
                count(DISTINCT target_url_id) AS linked_pages,
                count(*) FILTER (WHERE {_FOLLOWED}) AS followed_links,
                count(DISTINCT source_domain) FILTER (WHERE {_FOLLOWED}) AS followed_domains
            FROM profile""",  # noqa: S608 - fixed fragments
            [snapshot_id],
        )


def rel_mix(conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
    """Return ``(rel, links, referring_domains)`` for followed, nofollow, sponsored, ugc, unknown.

    A link with several rel values counts under each; ``unknown`` is a link
    whose every source was silent on rel (a GSC export), which the graph
    counts as followed, and which ``followed`` includes.
    """
    parts = {
        "followed": _FOLLOWED,
        "nofollow": "is_nofollow",
        "sponsored": "is_sponsored",
        "ugc": "is_ugc",
        "unknown": _UNKNOWN_REL,
    }
    columns = ",\n".join(
        f"count(*) FILTER (WHERE {test}) AS {name}_links, "
        f"count(DISTINCT source_domain) FILTER (WHERE {test}) AS {name}_domains"
        for name, test in parts.items()
    )
    with _profile_pages(conn, url_ids):
        wide = fetch_arrow(
            conn,
            f"WITH profile AS ({_PROFILE}) SELECT {columns} FROM profile",  # noqa: S608 - fixed fragments
            [snapshot_id],
        ).to_pylist()[0]
    return pa.table(
        {
            "rel": list(parts),
            "links": pa.array([wide[f"{name}_links"] for name in parts], pa.int64()),
            "referring_domains": pa.array([wide[f"{name}_domains"] for name in parts], pa.int64()),
        }
    )


def placement_mix(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any]
) -> pa.Table:
    """Return ``(placement, links, referring_domains)``, ``unknown`` where no page was read."""
    with _profile_pages(conn, url_ids):
        return fetch_arrow(
            conn,
            f"""WITH profile AS ({_PROFILE})
            SELECT coalesce(placement, 'unknown') AS placement, count(*) AS links,
                count(DISTINCT source_domain) AS referring_domains
            FROM profile GROUP BY 1 ORDER BY links DESC, placement""",  # noqa: S608 - fixed fragments
            [snapshot_id],
        )


def top_linked_pages(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any], *, limit: int
) -> pa.Table:
    """Return the target's pages with the most referring domains, then links.

    Columns: ``url, links, referring_domains, followed_domains``.
    """
    with _profile_pages(conn, url_ids):
        return fetch_arrow(
            conn,
            f"""WITH profile AS ({_PROFILE})
            SELECT u.url, count(*) AS links,
                count(DISTINCT source_domain) AS referring_domains,
                count(DISTINCT source_domain) FILTER (WHERE {_FOLLOWED}) AS followed_domains
            FROM profile JOIN urls u ON u.id = profile.target_url_id
            GROUP BY u.url ORDER BY referring_domains DESC, links DESC, u.url LIMIT $2""",  # noqa: S608 - fixed fragments
            [snapshot_id, limit],
        )


def authority_buckets(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url_ids: pa.Array[Any], *, width: int
) -> tuple[int | None, pa.Table]:
    """Return the referring domains by domain authority, in buckets of *width* points.

    The scores are those of the latest snapshot up to *snapshot_id* that
    ``linkequity rank`` scored. Returns that snapshot (``None`` when none was
    scored) and ``(bucket, referring_domains)``: ``bucket`` the lower bound of
    the bucket, ``NULL`` for the domains the ranking did not score.
    """
    ranked = fetch_row(
        conn, "SELECT max(snapshot_id) FROM domain_metrics WHERE snapshot_id <= ?", [snapshot_id]
    )
    ranked_id = None if ranked is None or ranked[0] is None else int(ranked[0])
    with _profile_pages(conn, url_ids):
        table = fetch_arrow(
            conn,
            f"""WITH profile AS ({_PROFILE}),
            referring AS (SELECT DISTINCT source_domain FROM profile)
            SELECT CASE WHEN m.authority IS NOT NULL  -- least() would skip a NULL
                    THEN CAST(least(floor(m.authority / $2), (100 // $2) - 1) * $2 AS INTEGER)
                    END AS bucket,
                count(*) AS referring_domains
            FROM referring r LEFT JOIN domain_metrics m
                ON m.domain = r.source_domain AND m.snapshot_id = $3
            GROUP BY 1 ORDER BY 1 NULLS LAST""",  # noqa: S608 - fixed fragments
            [snapshot_id, width, ranked_id],
        )
    return ranked_id, table
