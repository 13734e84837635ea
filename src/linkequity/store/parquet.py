"""Parquet exchange: link, report and page tables, one ``<table>.parquet`` file each.

A directory written by ``export_tables`` (or by a Spark job writing the same
columns) can be queried by DuckDB directly, and read into any store by
``import_tables``. Import remaps every id: URLs through their URL strings,
files through their sha256, snapshots through ``(kind, started_at, source)``,
links through ``(source URL, target URL, anchor_key)``. Sightings of a file and
row already stored are skipped, and fetched pages already stored (same snapshot,
file, URL and fetch time), and so are their page texts, so importing a
directory twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkequity.errors import StoreError
from linkequity.store import writes
from linkequity.store.queries import fetch_int

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

#: Tables every exchange directory holds, in the order they are written and read.
LINK_TABLES = ("snapshots", "files", "urls", "links", "link_sightings")
#: Columns of ``link_sightings`` added in schema version 3, with their types.
CRAWL_FIELDS = {"placement": "VARCHAR", "is_hidden": "BOOLEAN", "position": "INTEGER"}
#: Tables written always and read when found (exports of older versions lack some).
REPORT_TABLES = ("referring_domain_reports", "target_page_reports", "pages", "page_texts")


@dataclass(frozen=True, slots=True)
class ParquetImportCounts:
    """What one ``import_parquet`` call added."""

    snapshots: int
    files: int
    urls: int
    links_added: int
    links_merged: int
    sightings_added: int
    sightings_skipped: int
    reports_added: int
    pages_added: int
    texts_added: int = 0


def export_tables(conn: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Write each link and report table to ``directory/<table>.parquet``, ordered by key."""
    directory.mkdir(parents=True, exist_ok=True)
    order = {
        "link_sightings": "file_id, row",
        "referring_domain_reports": "file_id, row",
        "target_page_reports": "file_id, row",
        "pages": "snapshot_id, file_id, url_id, fetched_at",
        "page_texts": "snapshot_id, file_id, url_id, fetched_at",
    }
    written = []
    for table in (*LINK_TABLES, *REPORT_TABLES):
        path = directory / f"{table}.parquet"
        conn.table(table).order(order.get(table, "id")).write_parquet(str(path), compression="zstd")
        written.append(path)
    return written


def import_tables(conn: duckdb.DuckDBPyConnection, directory: Path) -> ParquetImportCounts:
    """Add the tables of *directory* to the store, remapping ids; nothing is duplicated.

    Raises
    ------
    StoreError
        If a required table's file is missing.
    """
    for table in LINK_TABLES:
        if not (directory / f"{table}.parquet").is_file():
            raise StoreError(f"{directory} holds no {table}.parquet; export it with the store")
    for table in (*LINK_TABLES, *REPORT_TABLES):
        path = directory / f"{table}.parquet"
        if path.is_file():
            conn.read_parquet(str(path)).create_view(f"incoming_{table}", replace=True)
    try:
        snapshots = _map_snapshots(conn)
        files = _map_files(conn)
        urls = writes.intern_urls(conn, "incoming_urls", ("url",))
        conn.execute(
            """CREATE OR REPLACE TEMP TABLE url_map AS
            SELECT i.id AS old_id, u.id AS new_id
            FROM incoming_urls i JOIN urls u USING (url)"""
        )
        total, links_added, links_merged, added = _import_sightings(conn)
        _carry_losses(conn)
        reports = _import_reports(conn, directory)
        pages = _import_pages(conn) if (directory / "pages.parquet").is_file() else 0
        texts = _import_page_texts(conn) if (directory / "page_texts.parquet").is_file() else 0
    finally:
        writes.drop_staging(conn)
        for table in (*LINK_TABLES, *REPORT_TABLES):
            conn.execute(f"DROP VIEW IF EXISTS incoming_{table}")
        for name in ("snapshot_map", "file_map", "url_map"):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
    return ParquetImportCounts(
        snapshots,
        files,
        urls,
        links_added,
        links_merged,
        added,
        total - added,
        reports,
        pages,
        texts,
    )


def _map_snapshots(conn: duckdb.DuckDBPyConnection) -> int:
    """Create ``snapshot_map`` and insert the incoming snapshots not stored yet."""
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE snapshot_map AS
        SELECT i.id AS old_id, s.id AS new_id
        FROM incoming_snapshots i
        JOIN snapshots s ON s.kind = i.kind AND s.started_at = i.started_at
            AND s.source IS NOT DISTINCT FROM i.source"""
    )
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE new_snapshots AS
        SELECT ? - 1 + row_number() OVER (ORDER BY i.id) AS new_id, i.*
        FROM incoming_snapshots i ANTI JOIN snapshot_map m ON m.old_id = i.id""",
        [writes.next_id(conn, "snapshots")],
    )
    conn.execute(
        """INSERT INTO snapshots
        SELECT new_id, kind, started_at, finished_at, source, settings FROM new_snapshots"""
    )
    conn.execute("INSERT INTO snapshot_map SELECT id, new_id FROM new_snapshots")
    added = fetch_int(conn, "SELECT count(*) FROM new_snapshots")
    conn.execute("DROP TABLE new_snapshots")
    return added


def _map_files(conn: duckdb.DuckDBPyConnection) -> int:
    """Create ``file_map`` and insert the incoming files whose sha256 is not stored yet."""
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE file_map AS
        SELECT i.id AS old_id, f.id AS new_id
        FROM incoming_files i JOIN files f USING (sha256)"""
    )
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE new_files AS
        SELECT ? - 1 + row_number() OVER (ORDER BY i.id) AS new_id, i.*
        FROM incoming_files i ANTI JOIN file_map m ON m.old_id = i.id""",
        [writes.next_id(conn, "files")],
    )
    conn.execute(
        """INSERT INTO files
        SELECT f.new_id, f.sha256, f.path, f.tool, f.export_format, f.kind, s.new_id,
            f.imported_at, f.rows_stored
        FROM new_files f JOIN snapshot_map s ON s.old_id = f.snapshot_id"""
    )
    conn.execute("INSERT INTO file_map SELECT id, new_id FROM new_files")
    added = fetch_int(conn, "SELECT count(*) FROM new_files")
    conn.execute("DROP TABLE new_files")
    return added


def _import_sightings(conn: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """Stage incoming sightings with store ids as ``resolved`` and store the unstored ones.

    Sightings exported before schema version 3 have no crawl fields; they read as unknown.
    """
    present = set(conn.table("incoming_link_sightings").columns)
    missing = "".join(
        f", NULL::{kind} AS {name}" for name, kind in CRAWL_FIELDS.items() if name not in present
    )
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE resolved AS
        SELECT s.* EXCLUDE (link_id, snapshot_id, file_id){missing},
            su.new_id AS source_url_id, tu.new_id AS target_url_id, l.anchor_key,
            sm.new_id AS snapshot_id, fm.new_id AS file_id
        FROM incoming_link_sightings s
        JOIN incoming_links l ON l.id = s.link_id
        JOIN url_map su ON su.old_id = l.source_url_id
        JOIN url_map tu ON tu.old_id = l.target_url_id
        JOIN snapshot_map sm ON sm.old_id = s.snapshot_id
        JOIN file_map fm ON fm.old_id = s.file_id"""  # noqa: S608
    )
    total = fetch_int(conn, "SELECT count(*) FROM resolved")
    conn.execute(
        """DELETE FROM resolved USING link_sightings s
        WHERE s.file_id = resolved.file_id AND s.row = resolved.row"""
    )
    links_added, links_merged, added = writes.store_resolved_sightings(conn)
    return total, links_added, links_merged, added


def _carry_losses(conn: duckdb.DuckDBPyConnection) -> None:
    """Give stored links the losses of their incoming copies that no sighting carries.

    A crawl or archive that no longer shows a link sets ``links.lost_at``
    (``writes.mark_lost``) and no sighting says so; rebuilt from sightings
    alone, such a link would come back live. An incoming loss applies to a
    live stored link not seen since it.
    """
    conn.execute(
        """UPDATE links SET lost_at = i.lost_at, lost_reason = i.lost_reason
        FROM incoming_links i
        JOIN url_map su ON su.old_id = i.source_url_id
        JOIN url_map tu ON tu.old_id = i.target_url_id
        WHERE links.source_url_id = su.new_id AND links.target_url_id = tu.new_id
            AND links.anchor_key = i.anchor_key
            AND i.lost_at IS NOT NULL AND links.lost_at IS NULL
            AND (links.last_seen IS NULL OR links.last_seen <= i.lost_at)"""
    )


def _import_reports(conn: duckdb.DuckDBPyConnection, directory: Path) -> int:
    added = 0
    if (directory / "referring_domain_reports.parquet").is_file():
        before = fetch_int(conn, "SELECT count(*) FROM referring_domain_reports")
        conn.execute(
            """INSERT INTO referring_domain_reports
            SELECT sm.new_id, fm.new_id, r.* EXCLUDE (snapshot_id, file_id)
            FROM incoming_referring_domain_reports r
            JOIN snapshot_map sm ON sm.old_id = r.snapshot_id
            JOIN file_map fm ON fm.old_id = r.file_id
            ANTI JOIN referring_domain_reports s ON s.file_id = fm.new_id AND s.row = r.row"""
        )
        added += fetch_int(conn, "SELECT count(*) FROM referring_domain_reports") - before
    if (directory / "target_page_reports.parquet").is_file():
        before = fetch_int(conn, "SELECT count(*) FROM target_page_reports")
        conn.execute(
            """INSERT INTO target_page_reports
            SELECT sm.new_id, fm.new_id, r.row, r.tool, um.new_id,
                r.incoming_links, r.linking_sites, r.tool_metrics
            FROM incoming_target_page_reports r
            JOIN snapshot_map sm ON sm.old_id = r.snapshot_id
            JOIN file_map fm ON fm.old_id = r.file_id
            JOIN url_map um ON um.old_id = r.target_url_id
            ANTI JOIN target_page_reports s ON s.file_id = fm.new_id AND s.row = r.row"""
        )
        added += fetch_int(conn, "SELECT count(*) FROM target_page_reports") - before
    return added


def _import_pages(conn: duckdb.DuckDBPyConnection) -> int:
    """Add the incoming fetched pages not stored yet, by snapshot, file, URL and fetch time."""
    # Every URL a page row names is in urls.parquet, so url_map has it.
    before = fetch_int(conn, "SELECT count(*) FROM pages")
    columns = [name for name in conn.table("pages").columns if not name.endswith("_id")]
    conn.execute(
        f"""INSERT INTO pages (snapshot_id, file_id, url_id, final_url_id, canonical_url_id,
            {", ".join(columns)})
        SELECT sm.new_id, fm.new_id, um.new_id, fu.new_id, cu.new_id,
            {", ".join(f"p.{name}" for name in columns)}
        FROM incoming_pages p
        JOIN snapshot_map sm ON sm.old_id = p.snapshot_id
        LEFT JOIN file_map fm ON fm.old_id = p.file_id
        JOIN url_map um ON um.old_id = p.url_id
        LEFT JOIN url_map fu ON fu.old_id = p.final_url_id
        LEFT JOIN url_map cu ON cu.old_id = p.canonical_url_id
        ANTI JOIN pages s ON s.snapshot_id = sm.new_id
            AND s.file_id IS NOT DISTINCT FROM fm.new_id
            AND s.url_id = um.new_id
            AND s.fetched_at IS NOT DISTINCT FROM p.fetched_at"""  # noqa: S608
    )
    return fetch_int(conn, "SELECT count(*) FROM pages") - before


def _import_page_texts(conn: duckdb.DuckDBPyConnection) -> int:
    """Add the incoming page texts not stored yet, by snapshot, file, URL and fetch time."""
    before = fetch_int(conn, "SELECT count(*) FROM page_texts")
    conn.execute(
        """INSERT INTO page_texts
        SELECT sm.new_id, fm.new_id, um.new_id, t.fetched_at, t.title, t.language, t.text
        FROM incoming_page_texts t
        JOIN snapshot_map sm ON sm.old_id = t.snapshot_id
        LEFT JOIN file_map fm ON fm.old_id = t.file_id
        JOIN url_map um ON um.old_id = t.url_id
        ANTI JOIN page_texts s ON s.snapshot_id = sm.new_id
            AND s.file_id IS NOT DISTINCT FROM fm.new_id
            AND s.url_id = um.new_id
            AND s.fetched_at IS NOT DISTINCT FROM t.fetched_at"""
    )
    return fetch_int(conn, "SELECT count(*) FROM page_texts") - before
