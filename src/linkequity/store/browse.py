"""What the dashboard browses: a target's links, filtered, sorted and paged in DuckDB.

The links are those of the audit's profile (``store.audit``): live in the
snapshot (known by it and not lost) into the target's pages, from other
registrable domains. Filters, the search and the sort run in one query with
``LIMIT``/``OFFSET``, and the count of matches in a second, so that a page of a
million-link profile never leaves DuckDB but for the rows shown. Text typed by
the user travels as a parameter, never as SQL; the sort is one of a fixed set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow, fetch_int

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import duckdb

__all__ = ["LINK_SORTS", "RELS", "LinkFilter", "data_version", "page_links", "profile_links"]

#: DuckDB's write-ahead log beside a database file.
_WAL_SUFFIX = ".wal"


def data_version(path: Path) -> tuple[int, ...]:
    """Return what changes whenever the project file at *path* is written.

    The size and modification time (ns) of the file and of its write-ahead
    log (``-1, -1`` when there is none): a write lands in the log, then in the
    file at the checkpoint, and moves one of them; reading moves neither.
    Nothing is opened, so that asking costs two ``stat`` calls.
    """
    version: list[int] = []
    for file in (path, path.with_name(path.name + _WAL_SUFFIX)):
        try:
            found = file.stat()
        except FileNotFoundError:
            version += [-1, -1]
        else:
            version += [found.st_size, found.st_mtime_ns]
    return tuple(version)


#: The rel values a filter takes, each a test on the merged flags.
RELS: dict[str, str] = {
    "followed": "NOT (coalesce(l.is_nofollow, false) OR coalesce(l.is_sponsored, false) "
    "OR coalesce(l.is_ugc, false))",
    "nofollow": "coalesce(l.is_nofollow, false)",
    "sponsored": "coalesce(l.is_sponsored, false)",
    "ugc": "coalesce(l.is_ugc, false)",
    "unknown": "(l.is_nofollow IS NULL AND l.is_sponsored IS NULL AND l.is_ugc IS NULL)",
}
#: The sorts of the links table: a name to its keys (``NULL`` last; link id breaks ties).
LINK_SORTS: dict[str, tuple[str, ...]] = {
    "domain": ("s.domain", "s.url"),
    "source": ("s.url",),
    "target": ("t.url", "s.domain"),
    "anchor": ("l.anchor", "s.domain"),
    "first_seen": ("l.first_seen", "s.domain"),
    "last_seen": ("l.last_seen", "s.domain"),
}

_COLUMNS = """l.id AS link_id, s.url AS source, s.domain AS source_domain, t.url AS target,
    l.anchor, l.is_image, l.alt, l.is_nofollow, l.is_sponsored, l.is_ugc,
    coalesce(l.placement, 'unknown') AS placement, l.is_hidden, l.is_sitewide,
    l.first_seen, l.last_seen, coalesce(c.anchor_class, 'other') AS anchor_class,
    s.domain IN (SELECT domain FROM browse_toxic) AS is_toxic"""

_PROFILE_FROM = """FROM links l
    SEMI JOIN browse_pages p ON p.url_id = l.target_url_id
    JOIN urls s ON s.id = l.source_url_id
    JOIN urls t ON t.id = l.target_url_id
    LEFT JOIN browse_anchor_classes c
        ON c.anchor = l.anchor AND c.is_image = coalesce(l.is_image, false)
    WHERE l.first_snapshot_id <= $1 AND l.lost_at IS NULL
        AND s.domain NOT IN (SELECT DISTINCT u.domain FROM urls u
            SEMI JOIN browse_pages p ON p.url_id = u.id)"""


@dataclass(frozen=True, slots=True)
class LinkFilter:
    """Which of a target's links to show, in which order, and which page of them.

    Attributes
    ----------
    rel : str, optional
        One of ``RELS``.
    placement : str, optional
        A placement (``unknown`` for links no page reading placed).
    anchor_class : str, optional
        An anchor class, as the target's anchor classes give it.
    is_toxic : bool, optional
        Only links from toxic domains (``True``) or from the others (``False``).
    search : str
        Text the anchor, the alt text, the source or the target URL contains
        (any case); empty for all.
    source_domain, source_url : str, optional
        Only the links of one referring domain, or of one page.
    sort : str
        One of ``LINK_SORTS``.
    is_descending : bool
    limit, offset : int
        The page: at most ``limit`` rows after the first ``offset``.
    """

    rel: str | None = None
    placement: str | None = None
    anchor_class: str | None = None
    is_toxic: bool | None = None
    search: str = ""
    source_domain: str | None = None
    source_url: str | None = None
    sort: str = "domain"
    is_descending: bool = False
    limit: int = 50
    offset: int = 0


def profile_links(
    conn: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    url_ids: pa.Array[Any],
    wanted: LinkFilter,
    *,
    anchor_classes: pa.Table,
    toxic_domains: Sequence[str],
) -> tuple[int, pa.Table]:
    """Return how many of the target's links match *wanted*, and the page of them it asks for.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    snapshot_id : int
    url_ids : pyarrow.Array
        The target's pages.
    wanted : LinkFilter
    anchor_classes : pyarrow.Table
        ``(anchor, is_image, anchor_class)``: the class of each anchor of the
        profile (an anchor missing from it is ``other``).
    toxic_domains : sequence of str
        The referring domains the toxicity audit calls toxic.

    Returns
    -------
    count : int
    rows : pyarrow.Table
        ``link_id, source, source_domain, target, anchor, is_image, alt,
        is_nofollow, is_sponsored, is_ugc, placement, is_hidden, is_sitewide,
        first_seen, last_seen, anchor_class, is_toxic``.

    Raises
    ------
    ValueError
        If the rel or the sort is not one of ``RELS`` or ``LINK_SORTS``.
    """
    if wanted.rel is not None and wanted.rel not in RELS:
        raise ValueError(f"unknown rel {wanted.rel!r}")
    if wanted.sort not in LINK_SORTS:
        raise ValueError(f"unknown sort {wanted.sort!r}")
    tests: list[str] = []
    parameters: list[Any] = [snapshot_id]

    def add(test: str, value: object) -> None:
        parameters.append(value)
        tests.append(test.replace("?", f"${len(parameters)}"))

    if wanted.rel is not None:
        tests.append(RELS[wanted.rel])
    if wanted.placement is not None:
        add("coalesce(l.placement, 'unknown') = ?", wanted.placement)
    if wanted.anchor_class is not None:
        add("coalesce(c.anchor_class, 'other') = ?", wanted.anchor_class)
    if wanted.is_toxic is not None:
        add("(s.domain IN (SELECT domain FROM browse_toxic)) = ?", wanted.is_toxic)
    if wanted.search:
        add(
            "(strpos(lower(l.anchor), ?) > 0 OR strpos(lower(coalesce(l.alt, '')), ?) > 0"
            " OR strpos(lower(s.url), ?) > 0 OR strpos(lower(t.url), ?) > 0)",
            wanted.search.lower(),
        )
    if wanted.source_domain is not None:
        add("s.domain = ?", wanted.source_domain)
    if wanted.source_url is not None:
        add("s.url = ?", wanted.source_url)
    where = "".join(f"\n        AND {test}" for test in tests)
    direction = " DESC" if wanted.is_descending else ""
    order = ", ".join(f"{key}{direction} NULLS LAST" for key in LINK_SORTS[wanted.sort])
    conn.register("browse_pages", pa.table({"url_id": url_ids.cast(pa.int64())}))
    conn.register("browse_anchor_classes", anchor_classes)
    conn.register("browse_toxic", pa.table({"domain": pa.array(list(toxic_domains), pa.string())}))
    try:
        count = fetch_int(
            conn,
            f"SELECT count(*) {_PROFILE_FROM}{where}",  # noqa: S608 - fixed fragments
            parameters,
        )
        rows = fetch_arrow(
            conn,
            f"""SELECT {_COLUMNS} {_PROFILE_FROM}{where}
            ORDER BY {order}, l.id LIMIT {int(wanted.limit)} OFFSET {int(wanted.offset)}""",  # noqa: S608 - fixed fragments
            parameters,
        )
    finally:
        conn.unregister("browse_toxic")
        conn.unregister("browse_anchor_classes")
        conn.unregister("browse_pages")
    return count, rows


def page_links(
    conn: duckdb.DuckDBPyConnection, snapshot_id: int, url: str, *, is_inbound: bool, limit: int
) -> tuple[int, pa.Table]:
    """Return how many live links point to (or leave) the page *url*, and the first *limit*.

    Rows come from other domains first, then by URL: ``link_id, source,
    source_domain, target, target_domain, anchor, is_image, alt,
    is_nofollow, is_sponsored, is_ugc, placement, is_hidden``.
    """
    end = "target_url_id" if is_inbound else "source_url_id"
    other = "s" if is_inbound else "t"
    query = f"""FROM links l
        JOIN urls s ON s.id = l.source_url_id
        JOIN urls t ON t.id = l.target_url_id
        WHERE l.first_snapshot_id <= $1 AND l.lost_at IS NULL
            AND l.{end} = (SELECT id FROM urls WHERE url = $2)"""  # noqa: S608 - fixed fragments
    count = fetch_int(conn, f"SELECT count(*) {query}", [snapshot_id, url])
    rows = fetch_arrow(
        conn,
        f"""SELECT l.id AS link_id, s.url AS source, s.domain AS source_domain,
            t.url AS target, t.domain AS target_domain, l.anchor, l.is_image, l.alt,
            l.is_nofollow, l.is_sponsored, l.is_ugc,
            coalesce(l.placement, 'unknown') AS placement, l.is_hidden
        {query}
        ORDER BY s.domain = t.domain, {other}.url, l.id LIMIT $3""",  # noqa: S608 - fixed fragments
        [snapshot_id, url, limit],
    )
    return count, rows
