"""The SQL of campaigns: prospects, their status history, and what verifications found.

The tables are small (people work prospects by hand), so rows travel as
Python values; text from the web (anchors, notes) is always a parameter.
A prospect is one per ``(campaign_id, source_url, target_url)``: adding the
same prospect again changes nothing. A status change updates the prospect
and appends a ``prospect_events`` row in the same transaction (the caller's).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linkequity.store.queries import fetch_arrow, fetch_int, fetch_row
from linkequity.store.verification import _target_key

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    import duckdb
    import pyarrow as pa

__all__ = [
    "PROSPECT_FIELDS",
    "add_note",
    "campaign_events",
    "campaign_row",
    "campaign_rows",
    "create_campaign",
    "crawl_page_links",
    "crawl_pages",
    "insert_prospects",
    "mark_links_lost",
    "prospect_rows",
    "record_prospect_checks",
    "set_status",
]

#: The columns a new prospect is given (the rest are set by the store).
PROSPECT_FIELDS = (
    "source_url",
    "target_url",
    "suggested_anchor",
    "anchor_class",
    "anchor_hint",
    "anchor_keywords",
    "origin",
    "predicted_page_gain",
    "predicted_domain_gain",
    "predicted_page_gain_in_plan",
    "plan_position",
    "predicted_snapshot_id",
    "predicted_at",
    "predicted_target_rank",
    "predicted_domain_rank",
    "notes",
)
_CHECK_FIELDS = (
    "snapshot_id",
    "prospect_id",
    "checked_at",
    "outcome",
    "detail",
    "status",
    "final_url",
    "is_robots_allowed",
    "is_indexable",
    "non_indexable_reason",
    "is_present",
    "anchor_now",
    "anchor_class_now",
    "is_same_class",
    "is_exact_anchor",
    "is_nofollow",
    "is_sponsored",
    "is_ugc",
    "placement",
    "is_hidden",
)
_STATUS_TIMES = ("contacted", "replied", "agreed", "live", "lost", "declined")


def create_campaign(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    target: Sequence[str],
    *,
    created_at: datetime,
    notes: str | None = None,
) -> int | None:
    """Create a campaign and return its id; ``None`` when one of that name exists."""
    if fetch_row(conn, "SELECT 1 FROM campaigns WHERE name = ?", [name]) is not None:
        return None
    campaign_id = fetch_int(conn, "SELECT coalesce(max(id), 0) + 1 FROM campaigns")
    conn.execute(
        "INSERT INTO campaigns VALUES (?, ?, ?, ?, ?)",
        [campaign_id, name, json.dumps(list(target)), created_at, notes],
    )
    return campaign_id


def campaign_row(conn: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    """Return ``id, name, target (list), created_at, notes`` of the campaign, or ``None``."""
    row = fetch_row(
        conn, "SELECT id, name, target, created_at, notes FROM campaigns WHERE name = ?", [name]
    )
    if row is None:
        return None
    return {
        "id": int(row[0]),
        "name": row[1],
        "target": json.loads(row[2]),
        "created_at": row[3],
        "notes": row[4],
    }


def campaign_rows(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return every campaign with its prospects counted by status, by name."""
    rows = conn.execute(
        """SELECT c.name, c.target, c.created_at, count(p.id),
            count(p.id) FILTER (WHERE p.status = 'live')
        FROM campaigns c LEFT JOIN prospects p ON p.campaign_id = c.id
        GROUP BY c.id, c.name, c.target, c.created_at
        ORDER BY c.name"""
    ).fetchall()
    return [
        {
            "name": name,
            "target": json.loads(target),
            "created_at": created,
            "prospects": int(n),
            "live": int(live),
        }
        for name, target, created, n, live in rows
    ]


def insert_prospects(
    conn: duckdb.DuckDBPyConnection,
    campaign_id: int,
    prospects: Sequence[dict[str, Any]],
    *,
    created_at: datetime,
) -> tuple[int, int]:
    """Add the prospects not stored yet (by source and target URL); return (added, known).

    Each new prospect starts ``new`` with an event saying where it came from.
    """
    added = known = 0
    next_id = fetch_int(conn, "SELECT coalesce(max(id), 0) + 1 FROM prospects")
    for prospect in prospects:
        exists = fetch_row(
            conn,
            "SELECT 1 FROM prospects WHERE campaign_id = ? AND source_url = ? AND target_url = ?",
            [campaign_id, prospect["source_url"], prospect["target_url"]],
        )
        if exists is not None:
            known += 1
            continue
        values = [prospect.get(name) for name in PROSPECT_FIELDS]
        keywords = PROSPECT_FIELDS.index("anchor_keywords")
        values[keywords] = json.dumps(list(values[keywords] or []))
        conn.execute(
            f"""INSERT INTO prospects (id, campaign_id, {", ".join(PROSPECT_FIELDS)},
                status, status_at, created_at)
            VALUES (?, ?, {", ".join("?" for _ in PROSPECT_FIELDS)}, 'new', ?, ?)""",  # noqa: S608
            [next_id, campaign_id, *values, created_at, created_at],
        )
        conn.execute(
            "INSERT INTO prospect_events VALUES (?, ?, NULL, 'new', 'add', ?)",
            [next_id, created_at, f"added from {prospect['origin']}"],
        )
        next_id += 1
        added += 1
    return added, known


_PROSPECT_SELECT = """SELECT p.*, c.outcome AS check_outcome, c.detail AS check_detail,
    c.checked_at, c.snapshot_id AS check_snapshot_id, c.status AS http_status,
    c.is_indexable, c.non_indexable_reason, c.is_robots_allowed, c.is_present, c.anchor_now,
    c.anchor_class_now, c.is_same_class, c.is_exact_anchor, c.is_nofollow, c.is_sponsored,
    c.is_ugc, c.placement, c.is_hidden, c.final_url
FROM prospects p
LEFT JOIN (
    SELECT * FROM prospect_checks
    QUALIFY row_number() OVER (
        PARTITION BY prospect_id ORDER BY snapshot_id DESC, checked_at DESC) = 1
) c ON c.prospect_id = p.id"""


def prospect_rows(
    conn: duckdb.DuckDBPyConnection, campaign_id: int, *, prospect_id: int | None = None
) -> list[dict[str, Any]]:
    """Return the campaign's prospects with their latest check, by id.

    With *prospect_id*, that one prospect of any campaign (``campaign_id`` ignored).
    """
    if prospect_id is not None:
        where, parameters = "WHERE p.id = ?", [prospect_id]
    else:
        where, parameters = "WHERE p.campaign_id = ?", [campaign_id]
    table = fetch_arrow(conn, f"{_PROSPECT_SELECT} {where} ORDER BY p.id", parameters)
    rows = table.to_pylist()
    for row in rows:
        row["anchor_keywords"] = json.loads(row["anchor_keywords"] or "[]")
    return rows


def set_status(
    conn: duckdb.DuckDBPyConnection,
    prospect_id: int,
    status: str,
    *,
    at: datetime,
    changed_by: str,
    note: str | None = None,
    lost_reason: str | None = None,
) -> None:
    """Set the prospect's status (and that status's time), and append the event."""
    old = fetch_row(conn, "SELECT status FROM prospects WHERE id = ?", [prospect_id])
    time_column = f", {status}_at = $at" if status in _STATUS_TIMES else ""
    conn.execute(
        f"""UPDATE prospects SET status = $status, status_at = $at{time_column},
            lost_reason = CASE WHEN $status = 'lost' THEN $reason
                WHEN $status = 'live' THEN NULL ELSE lost_reason END
        WHERE id = $id""",  # noqa: S608
        {"status": status, "at": at, "reason": lost_reason, "id": prospect_id},
    )
    conn.execute(
        "INSERT INTO prospect_events VALUES (?, ?, ?, ?, ?, ?)",
        [prospect_id, at, None if old is None else old[0], status, changed_by, note],
    )
    if note:
        _append_note(conn, prospect_id, at, note)


def add_note(conn: duckdb.DuckDBPyConnection, prospect_id: int, at: datetime, note: str) -> None:
    """Append a note to the prospect, as an event that keeps its status."""
    conn.execute(
        """INSERT INTO prospect_events
        SELECT id, ?, status, status, 'hand', ? FROM prospects WHERE id = ?""",
        [at, note, prospect_id],
    )
    _append_note(conn, prospect_id, at, note)


def _append_note(
    conn: duckdb.DuckDBPyConnection, prospect_id: int, at: datetime, note: str
) -> None:
    conn.execute(
        """UPDATE prospects SET notes = concat_ws(chr(10), notes, ?) WHERE id = ?""",
        [f"{at:%Y-%m-%d}: {note}", prospect_id],
    )


def campaign_events(conn: duckdb.DuckDBPyConnection, campaign_id: int) -> list[dict[str, Any]]:
    """Return every status change and note of the campaign's prospects, oldest first."""
    return fetch_arrow(
        conn,
        """SELECT e.prospect_id, e.changed_at, e.old_status, e.new_status, e.changed_by, e.note
        FROM prospect_events e JOIN prospects p ON p.id = e.prospect_id
        WHERE p.campaign_id = ?
        ORDER BY e.changed_at, e.prospect_id""",
        [campaign_id],
    ).to_pylist()


def record_prospect_checks(
    conn: duckdb.DuckDBPyConnection, checks: Sequence[dict[str, Any]]
) -> int:
    """Store what a verification found of each prospect (rows of ``prospect_checks``)."""
    for check in checks:
        conn.execute(
            f"INSERT INTO prospect_checks ({', '.join(_CHECK_FIELDS)}) "  # noqa: S608
            f"VALUES ({', '.join('?' for _ in _CHECK_FIELDS)})",
            [check.get(name) for name in _CHECK_FIELDS],
        )
    return len(checks)


def crawl_pages(conn: duckdb.DuckDBPyConnection, snapshot_id: int) -> list[dict[str, Any]]:
    """Return the latest fetch of each URL the crawl *snapshot_id* fetched, with its outcome.

    ``url, domain, status, final_url, is_indexable, non_indexable_reason,
    indexability_detail, is_robots_allowed, crawl_outcome``.
    """
    return fetch_arrow(
        conn,
        """SELECT u.url, u.domain, p.status, fu.url AS final_url, p.is_indexable,
            p.non_indexable_reason, p.indexability_detail, p.is_robots_allowed,
            f.outcome AS crawl_outcome
        FROM pages p
        JOIN urls u ON u.id = p.url_id
        LEFT JOIN urls fu ON fu.id = p.final_url_id
        LEFT JOIN crawl_frontier f ON f.snapshot_id = p.snapshot_id AND f.url = u.url
        WHERE p.snapshot_id = ?
        QUALIFY row_number() OVER (
            PARTITION BY p.url_id ORDER BY p.fetched_at DESC NULLS LAST) = 1""",
        [snapshot_id],
    ).to_pylist()


def crawl_page_links(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, source_urls: Sequence[str]
) -> pa.Table:
    """Return the links the crawl *snapshot_id* read on the pages, in page order.

    ``source_url, target_url, target_key`` (the target without scheme,
    ``www.`` or final slash), ``anchor, is_image, alt, is_nofollow,
    is_sponsored, is_ugc, placement, is_hidden, position``.
    """
    return fetch_arrow(
        conn,
        f"""SELECT su.url AS source_url, tu.url AS target_url,
            {_target_key("tu.url")} AS target_key, s.anchor, s.is_image, s.alt,
            s.is_nofollow, s.is_sponsored, s.is_ugc, s.placement, s.is_hidden, s.position
        FROM link_sightings s
        JOIN links l ON l.id = s.link_id
        JOIN urls su ON su.id = l.source_url_id
        JOIN urls tu ON tu.id = l.target_url_id
        WHERE s.snapshot_id = ? AND su.url IN (SELECT unnest(?))
            AND coalesce(s.link_type, '') <> 'redirect'
        ORDER BY su.url, s.position NULLS LAST, s.anchor""",  # noqa: S608
        [snapshot_id, list(source_urls)],
    )


def mark_links_lost(
    conn: duckdb.DuckDBPyConnection, source_url: str, target_url: str, *, at: datetime, reason: str
) -> int:
    """Mark the live links from the page to the target (loosely matched) lost; count them.

    What ``verify`` does for imported links, for a campaign's own link: the
    graph ``rank`` and ``campaign impact`` read leaves it out from then on.
    """
    rows = conn.execute(
        f"""UPDATE links SET lost_at = ?, lost_reason = ?
        WHERE lost_at IS NULL
            AND source_url_id IN (SELECT id FROM urls WHERE url = ?)
            AND target_url_id IN (
                SELECT id FROM urls WHERE {_target_key("url")} = {_target_key("?")})
        RETURNING id""",  # noqa: S608
        [at, reason, source_url, target_url],
    ).fetchall()
    return len(rows)
