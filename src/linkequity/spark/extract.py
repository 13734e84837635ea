"""Spark job: WARC, WAT and ARC files to the store's Parquet exchange tables.

Every record goes through the code the local ingest runs
(``services.ingest.read_fetches``: ``parsing.fetched`` per response or WAT
record), one Spark task per archive file; ids, link merging, the sitewide rule
and lost links are then computed with Spark SQL over the parsed rows, following
the store's rules (``store.writes``).

Output layout (the contract the ranks job and ``linkequity parquet import`` read)
---------------------------------------------------------------------------------
``OUT/<table>.parquet`` for each table below: a single Parquet file when OUT is
on the local file system (the parts Spark writes are merged at the end), a
folder of Spark part files otherwise (``s3a://``, ``hdfs://``). Spark reads
either with ``spark.read.parquet(f"{out}/links.parquet")``; DuckDB reads the
file, or ``read_parquet('OUT/links.parquet/*.parquet')``. Columns and types are
those of the store's tables of the same name (``store.schema``); ids are dense
``BIGINT`` s from 1, and join across the tables of one OUT only.

``snapshots``
    One row: ``id`` (1), ``kind`` (``"ingest"``), ``started_at``,
    ``finished_at``, ``source`` (the paths, comma-separated), ``settings`` (NULL).
``files``
    One row per archive read: ``id``, ``sha256``, ``path``, ``tool`` (``"warc"``),
    ``export_format`` (``"warc"`` or ``"arc"``), ``kind`` (``"archive"``),
    ``snapshot_id``, ``imported_at``, ``rows_stored`` (its sightings). A file
    whose bytes repeat an earlier one's is left out, as ingest does.
``urls``
    ``id``, ``url`` (normalised), ``host``, ``reversed_host``, ``domain``
    (registrable domain, or the host). Ids follow ``(reversed_host, url)``.
``links``
    One row per distinct ``(source_url_id, target_url_id, anchor_key)``:
    ``id``, ``source_url_id``, ``target_url_id``, ``anchor_key``, ``anchor``,
    ``is_nofollow``, ``is_sponsored``, ``is_ugc``, ``is_image``, ``alt``,
    ``link_type``, ``is_sitewide``, ``is_target_inferred``, ``left_context``,
    ``right_context``, ``placement``, ``is_hidden``, ``position``,
    ``first_seen``, ``last_seen``, ``lost_at``, ``lost_reason``,
    ``first_snapshot_id``, ``last_snapshot_id``. A link passes equity when
    none of ``is_nofollow``, ``is_sponsored``, ``is_ugc`` is true (NULL is
    not true).
``link_sightings``
    One row per link per fetch: ``link_id``, ``snapshot_id``, ``file_id``,
    ``row`` (numbered per file, in file order), ``tool``, ``anchor``, the flags,
    ``source_title``, ``source_status``, ``source_language``, dates,
    ``tool_metrics``, ``placement``, ``is_hidden``, ``position``.
``pages``
    One row per fetch: ``snapshot_id``, ``file_id``, ``url_id``,
    ``final_url_id``, ``canonical_url_id`` and the page signals of the store's
    ``pages`` table.
``page_texts``
    The main text of each HTML fetch whose main text is not empty.
``damaged_records``
    Not a store table: ``path``, ``offset``, ``reason`` of each damaged record
    or unreadable stretch, which was skipped (the rest of its file is kept).

Timestamps are UTC without a zone (``TIMESTAMP_NTZ``), as in the store.
"""

from __future__ import annotations

__all__ = ["EXCHANGE_TABLES", "REPORT_TABLE"]

#: Tables written to OUT, in the order the store's ``parquet import`` reads them.
EXCHANGE_TABLES = (
    "snapshots",
    "files",
    "urls",
    "links",
    "link_sightings",
    "pages",
    "page_texts",
)
#: The damaged-records report beside them.
REPORT_TABLE = "damaged_records"
