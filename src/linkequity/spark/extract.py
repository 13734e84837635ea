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

import glob
import re
import shutil
import threading
import time
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from linkequity.errors import UsageError
from linkequity.model.links import Tool, fold_anchor
from linkequity.model.records import DamagedRecord, FetchedPage, WatLinks
from linkequity.model.urls import registrable_domain, reversed_host, url_host
from linkequity.parsing.page import HTML_TYPES
from linkequity.parsing.placement import SITEWIDE_MIN_PAGES, SITEWIDE_SHARE
from linkequity.services.ingest import ARCHIVE_KIND, CHUNK_FETCHES, archive_paths, read_chunk
from linkequity.sources.digest import file_sha256
from linkequity.sources.warc import WarcReader
from linkequity.spark.session import DEFAULT_MASTER, spark_session
from linkequity.store import shift_rows
from linkequity.store.arrow import LINK_SIGHTING_SCHEMA, PAGE_SCHEMA, TIMESTAMP

# The store's own merge and loss rules, so that both engines follow one text of them.
from linkequity.store.writes import CRAWLED_FIELDS, LOSS_REASON_SQL, MERGED_FLAGS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from pyspark.sql import Column, DataFrame, SparkSession

    #: Told ``(phase, tasks done, tasks in all)`` while Spark works.
    StageProgress = Callable[[str, int, int], None]

__all__ = [
    "EXCHANGE_TABLES",
    "REPORT_TABLE",
    "ExtractReport",
    "extract_archives",
    "expand_inputs",
]

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
#: Fetches whose rows travel from a parsing task as one Arrow IPC blob.
BLOB_FETCHES = 16 * CHUNK_FETCHES
_GLOB = re.compile(r"[*?\[]")
#: The progress reporter of the running extraction (see ``_phase``).
_REPORTER: ContextVar[_StageReporter] = ContextVar("reporter")
#: The frames the running extraction persisted (see ``_cached``).
_KEPT: ContextVar[list[DataFrame]] = ContextVar("kept")
_AUTHORITY = re.compile(r"^[^:/?#]*://([^/?#]*)")


def _schema(*fields: pa.Field[Any]) -> pa.Schema:
    return pa.schema(fields)


#: What a parsing task yields: one row per blob of Arrow rows of one kind.
_BLOB_DDL = "file_id BIGINT, kind STRING, ipc BINARY"
_URL_SCHEMA = _schema(
    pa.field("url", pa.string(), nullable=False),
    pa.field("host", pa.string(), nullable=False),
    pa.field("reversed_host", pa.string(), nullable=False),
    pa.field("domain", pa.string(), nullable=False),
)
_FILE_SCHEMA = _schema(
    pa.field("file_id", pa.int64(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),
    pa.field("path", pa.string(), nullable=False),
    pa.field("export_format", pa.string(), nullable=False),
    pa.field("records", pa.int64(), nullable=False),
    pa.field("fetches", pa.int64(), nullable=False),
    pa.field("damaged", pa.int64(), nullable=False),
    pa.field("unreadable_bodies", pa.int64(), nullable=False),
)
_DAMAGE_SCHEMA = _schema(
    pa.field("path", pa.string(), nullable=False),
    pa.field("offset", pa.int64(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
)
_FILE_ID = pa.field("file_id", pa.int64(), nullable=False)
_KIND_SCHEMAS: dict[str, pa.Schema] = {
    "sightings": LINK_SIGHTING_SCHEMA.append(_FILE_ID).append(
        pa.field("anchor_key", pa.string(), nullable=False)
    ),
    "pages": PAGE_SCHEMA.append(_FILE_ID),
    "urls": _URL_SCHEMA,
    "files": _FILE_SCHEMA,
    "damaged": _DAMAGE_SCHEMA,
}
#: Columns of the store's ``pages`` table, in its order.
_PAGE_COLUMNS = (
    "snapshot_id",
    "url_id",
    "status",
    "final_url_id",
    "content_type",
    "title",
    "language",
    "word_count",
    "is_indexable",
    "non_indexable_reason",
    "canonical_url_id",
    "is_robots_allowed",
    "crawl_depth",
    "content_hash",
    "template_hash",
    "file_id",
    "fetched_at",
    "robots",
    "internal_links",
    "external_links",
    "footprints",
    "indexability_detail",
)
_SPARK_TYPES = {
    pa.string(): "STRING",
    pa.int64(): "BIGINT",
    pa.int32(): "INT",
    pa.bool_(): "BOOLEAN",
    TIMESTAMP: "TIMESTAMP_NTZ",
}


@dataclass(frozen=True, slots=True)
class ExtractReport:
    """What one extraction run read and wrote.

    ``files`` counts the archives read; ``duplicates`` those left out because
    an earlier one had the same bytes; ``damaged`` the damaged records or
    unreadable stretches skipped (listed in ``damaged_records``);
    ``sitewide_sightings`` the sightings marked sitewide; ``lost_links`` the
    links a later fetch of their page shows gone.
    """

    out: str
    files: int
    duplicates: int
    records: int
    fetches: int
    damaged: int
    unreadable_bodies: int
    urls: int
    links: int
    sightings: int
    pages: int
    sitewide_sightings: int
    lost_links: int
    seconds: float
    tables: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        values = asdict(self)
        values["tables"] = list(self.tables)
        return values


def expand_inputs(inputs: Sequence[str]) -> list[Path]:
    """Return the archive files that *inputs* name: files, folders or glob patterns.

    Folders contribute the archives under them and patterns the paths they
    match, each sorted (``services.ingest.archive_paths``).

    Raises
    ------
    UsageError
        If a pattern matches nothing, or a path does not exist.
    UnreadableArchive
        If a folder holds no archive.
    """
    paths: list[Path] = []
    for given in inputs:
        if _GLOB.search(given):
            matches = sorted(glob.glob(given, recursive=True))  # noqa: PTH207
            if not matches:
                raise UsageError(
                    f"{given} matches no file", hint="Check the pattern, or quote it for the shell."
                )
            paths.extend(Path(match) for match in matches)
        elif "://" in given:
            raise UsageError(
                f"{given}: archives are read as local paths",
                hint="Mount the bucket on every executor (see docs/spark.md) and pass the path.",
            )
        else:
            path = Path(given)
            if not path.exists():
                raise UsageError(f"{given} does not exist", hint="Check the path.")
            paths.append(path)
    return archive_paths(paths)


def extract_archives(
    inputs: Sequence[str],
    out: str,
    *,
    master: str = DEFAULT_MASTER,
    partitions: int | None = None,
    driver_memory: str = "2g",
    config: dict[str, str] | None = None,
    session: SparkSession | None = None,
    on_progress: StageProgress | None = None,
) -> ExtractReport:
    """Read WARC, WAT and ARC files with Spark and write the exchange tables to *out*.

    Parameters
    ----------
    inputs
        Archive files, folders of them, or glob patterns; read by the executors
        as local paths, so on a cluster they must be on a file system every
        executor mounts.
    out
        Output folder: local, or any URL Spark writes (``s3a://``, ``hdfs://``).
        Tables already in it are replaced.
    master
        Spark master URL (ignored when *session* is given).
    partitions
        Parsing tasks; by default one per file (at most as many as files).
    driver_memory
        ``spark.driver.memory`` when this call starts Spark.
    config
        Further Spark settings.
    session
        A running SparkSession to use instead of building one.
    on_progress
        Told ``(phase, tasks done, tasks in all)`` about twice a second: what
        the run does (``"writing links"``) and the tasks of its running stages.

    Returns
    -------
    ExtractReport

    Raises
    ------
    UsageError
        For inputs that do not exist or a bad partition count, before Spark starts.
    UnreadableArchive
        For a file that is not an archive, before Spark starts.
    MissingExtra
        If pyspark is not installed.
    """
    started = time.perf_counter()
    paths = expand_inputs(inputs)
    for path in paths:
        WarcReader(path)  # sniffs the file: a wrong one fails before Spark starts
    if partitions is not None and partitions < 1:
        raise UsageError(
            f"--partitions must be at least 1, not {partitions}",
            hint="Give a positive number, or leave it out for one task per file.",
        )
    tasks = min(partitions or len(paths), len(paths))
    spark = session or spark_session(
        master, app_name="linkequity extract", driver_memory=driver_memory, config=config
    )
    with _StageReporter(spark, on_progress):
        report = _run(spark, paths, out, tasks)
    return ExtractReport(**report, seconds=time.perf_counter() - started)


def _run(spark: SparkSession, paths: list[Path], out: str, tasks: int) -> dict[str, Any]:
    now = datetime.now(UTC).replace(tzinfo=None)
    # Tasks open the absolute path; the tables name each file as it was given, as ingest does.
    listing = [
        (number, str(path), str(path.resolve())) for number, path in enumerate(paths, start=1)
    ]
    inputs = spark.sparkContext.parallelize(listing, tasks).toDF(
        "file_id BIGINT, path STRING, absolute STRING"
    )
    kept: list[DataFrame] = []
    token = _KEPT.set(kept)
    try:
        blobs = _cached(inputs.mapInArrow(_parse_archives, _BLOB_DDL))
        _phase("parsing archives, numbering URLs")
        tables = _tables(spark, blobs, now, ", ".join(str(path) for path in paths))
        _phase("summing up the files")
        read = tables["files_read"].collect()
        written = _write_tables(tables, out)
    finally:
        _KEPT.reset(token)
        for frame in kept:
            frame.unpersist()
    counts = _written_counts(spark, written)
    return {
        "out": out,
        "files": len(read),
        "duplicates": len(read) - counts["files"],
        "records": sum(int(row["records"]) for row in read),
        "fetches": sum(int(row["fetches"]) for row in read),
        "damaged": counts[REPORT_TABLE],
        "unreadable_bodies": sum(int(row["unreadable_bodies"]) for row in read),
        "urls": counts["urls"],
        "links": counts["links"],
        "sightings": counts["link_sightings"],
        "pages": counts["pages"],
        "sitewide_sightings": counts["sitewide"],
        "lost_links": counts["lost"],
        "tables": tuple(written.values()),
    }


def _written_counts(spark: SparkSession, written: dict[str, str]) -> dict[str, int]:
    """Rows of each table written, sitewide sightings and lost links, read back from *written*."""
    from pyspark.sql import functions as F  # noqa: N812

    if all(Path(path).is_file() for path in written.values()):
        counts = {name: pq.ParquetFile(path).metadata.num_rows for name, path in written.items()}
        sitewide = pq.read_table(written["link_sightings"], columns=["is_sitewide"])
        lost = pq.read_table(written["links"], columns=["lost_at"])
        counts["sitewide"] = int(pc.sum(sitewide.column(0)).as_py() or 0)
        counts["lost"] = lost.num_rows - lost.column(0).null_count
        return counts
    frames = {name: spark.read.parquet(path) for name, path in written.items()}
    counts = {name: frame.count() for name, frame in frames.items()}
    counts["sitewide"] = frames["link_sightings"].filter(F.col("is_sitewide")).count()
    counts["lost"] = frames["links"].filter(F.col("lost_at").isNotNull()).count()
    return counts


# --- the per-file task: the same parsing code as the local ingest -----------------------


def _parse_archives(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Parse each archive named in *batches*; yield its rows as blobs (runs on executors)."""
    for batch in batches:
        file_ids = cast("list[int]", batch.column("file_id").to_pylist())
        paths = cast("list[str]", batch.column("path").to_pylist())
        absolutes = cast("list[str]", batch.column("absolute").to_pylist())
        for file_id, path, absolute in zip(file_ids, paths, absolutes, strict=True):
            for kind, table in _archive_tables(file_id, path, Path(absolute)):
                yield _blob(file_id, kind, table)


def _archive_tables(file_id: int, name: str, path: Path) -> Iterator[tuple[str, pa.Table]]:
    """Yield ``(kind, table)`` pairs of the archive at *path*, given as *name*.

    The sightings are numbered as ingest numbers them, from 0 in file order.
    """
    reader = WarcReader(path)
    hosts: dict[str, tuple[str, str, str]] = {}
    damaged: list[DamagedRecord] = []
    run: list[FetchedPage | WatLinks] = []
    next_row = unreadable = 0
    for item in reader.items():
        if isinstance(item, DamagedRecord):
            damaged.append(item)
            continue
        run.append(item)
        if len(run) == BLOB_FETCHES:
            parsed = _parse_run(run, file_id, next_row, hosts)
            next_row += parsed.sightings.num_rows
            unreadable += parsed.unreadable_bodies
            yield from parsed.tables()
            run = []
    if run:
        parsed = _parse_run(run, file_id, next_row, hosts)
        unreadable += parsed.unreadable_bodies
        yield from parsed.tables()
    summary = reader.summary
    files = {
        "file_id": [file_id],
        "sha256": [file_sha256(path)],
        "path": [name],
        "export_format": [reader.archive_format],
        "records": [summary.records],
        "fetches": [summary.pages + summary.wat_pages],
        "damaged": [summary.damaged],
        "unreadable_bodies": [unreadable],
    }
    yield "files", pa.table(files, schema=_FILE_SCHEMA)
    if damaged:
        reports = {
            "path": [name] * len(damaged),
            "offset": [item.offset for item in damaged],
            "reason": [item.reason for item in damaged],
        }
        yield "damaged", pa.table(reports, schema=_DAMAGE_SCHEMA)


@dataclass(frozen=True, slots=True)
class _ParsedRun:
    """Pages, sightings and the URLs they name, of consecutive fetches of one file."""

    pages: pa.Table
    sightings: pa.Table
    urls: pa.Table
    unreadable_bodies: int

    def tables(self) -> Iterator[tuple[str, pa.Table]]:
        yield "pages", self.pages
        yield "sightings", self.sightings
        yield "urls", self.urls


def _parse_run(
    run: list[FetchedPage | WatLinks],
    file_id: int,
    first_row: int,
    hosts: dict[str, tuple[str, str, str]],
) -> _ParsedRun:
    pages: list[pa.Table] = []
    sightings: list[pa.Table] = []
    unreadable = 0
    row = first_row
    for start in range(0, len(run), CHUNK_FETCHES):
        chunk = read_chunk(run[start : start + CHUNK_FETCHES])
        pages.append(chunk.pages)
        sightings.append(shift_rows(chunk.sightings, row))
        row += chunk.sightings.num_rows
        unreadable += chunk.unreadable_bodies
    page_table = pa.concat_tables(pages)
    sighting_table = pa.concat_tables(sightings)
    anchors = sighting_table.column("anchor").to_pylist()
    sighting_table = sighting_table.append_column(
        _FILE_ID, pa.array([file_id] * len(anchors), pa.int64())
    ).append_column("anchor_key", pa.array([fold_anchor(str(a)) for a in anchors], pa.string()))
    page_table = page_table.append_column(
        _FILE_ID, pa.array([file_id] * page_table.num_rows, pa.int64())
    )
    named: set[str] = set()
    for table, columns in (
        (sighting_table, ("source_url", "target_url")),
        (page_table, ("url", "final_url", "canonical_url")),
    ):
        for column in columns:
            named.update(url for url in table.column(column).to_pylist() if url is not None)
    return _ParsedRun(page_table, sighting_table, _url_rows(sorted(named), hosts), unreadable)


def _url_rows(urls: list[str], hosts: dict[str, tuple[str, str, str]]) -> pa.Table:
    """Host, reversed host and domain of each URL, computed once per authority as the store does."""
    columns: dict[str, list[str]] = {"url": [], "host": [], "reversed_host": [], "domain": []}
    for url in urls:
        match = _AUTHORITY.match(url)
        authority = match.group(1) if match else ""
        known = hosts.get(authority)
        if known is None:
            host = url_host(url)
            known = hosts[authority] = (host, reversed_host(host), registrable_domain(host) or host)
        columns["url"].append(url)
        for name, value in zip(("host", "reversed_host", "domain"), known, strict=True):
            columns[name].append(value)
    return pa.table(columns, schema=_URL_SCHEMA)


def _blob(file_id: int, kind: str, table: pa.Table) -> pa.RecordBatch:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return pa.record_batch(
        [
            pa.array([file_id], pa.int64()),
            pa.array([kind], pa.string()),
            pa.array([sink.getvalue().to_pybytes()], pa.binary()),
        ],
        names=["file_id", "kind", "ipc"],
    )


def _unblob(kind: str) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    schema = _KIND_SCHEMAS[kind]

    def unblob(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for blob in batch.column("ipc").to_pylist():
                table = (
                    pa.ipc.open_stream(pa.py_buffer(cast("bytes", blob))).read_all().cast(schema)
                )
                yield from table.to_batches()

    return unblob


def _spark_ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{item.name}` {_SPARK_TYPES[item.type]}" for item in schema)


def _rows_of(blobs: DataFrame, kind: str) -> DataFrame:
    from pyspark.sql import functions as F  # noqa: N812

    # One parsing task per file, but no need for one decoding task per file.
    cores = blobs.sparkSession.sparkContext.defaultParallelism
    return (
        blobs.filter(F.col("kind") == kind)
        .select("ipc")
        .coalesce(cores)
        .mapInArrow(_unblob(kind), _spark_ddl(_KIND_SCHEMAS[kind]))
    )


# --- the store's rules over the parsed rows, in Spark SQL ----------------------------------


def _tables(
    spark: SparkSession, blobs: DataFrame, now: datetime, source: str
) -> dict[str, DataFrame]:
    """Every exchange table (and the damage report) from the parsed blobs."""
    from pyspark.sql import functions as F  # noqa: N812

    files_read = _cached(_rows_of(blobs, "files"))
    kept = files_read.groupBy("sha256").agg(F.min("file_id").alias("file_id"))
    files = (
        files_read.join(kept, ["sha256", "file_id"], "left_semi")
        .join(
            _rows_of(blobs, "sightings").groupBy("file_id").agg(F.count("*").alias("rows_stored")),
            "file_id",
            "left",
        )
        .select(
            F.col("file_id").alias("id"),
            "sha256",
            "path",
            F.lit(str(Tool.WARC)).alias("tool"),
            "export_format",
            F.lit(ARCHIVE_KIND).alias("kind"),
            F.lit(1).cast("bigint").alias("snapshot_id"),
            F.lit(now).cast("timestamp_ntz").alias("imported_at"),
            F.coalesce("rows_stored", F.lit(0)).cast("bigint").alias("rows_stored"),
        )
    )
    kept_ids = files.select(F.col("id").alias("file_id"))
    sightings = _rows_of(blobs, "sightings").join(kept_ids, "file_id", "left_semi")
    pages = _rows_of(blobs, "pages").join(kept_ids, "file_id", "left_semi")
    urls = _cached(
        _dense_ids(
            _rows_of(blobs, "urls").dropDuplicates(["url"]), ["reversed_host", "url"]
        ).select("id", "url", "host", "reversed_host", "domain")
    )
    url_ids = urls.select("id", "url")
    sightings = sightings.join(
        url_ids.withColumnsRenamed({"id": "source_url_id", "url": "source_url"}),
        "source_url",
    ).join(url_ids.withColumnsRenamed({"id": "target_url_id", "url": "target_url"}), "target_url")
    pages = (
        pages.join(url_ids.withColumnsRenamed({"id": "url_id"}), "url")
        .join(
            url_ids.withColumnsRenamed({"id": "final_url_id", "url": "final_url"}),
            "final_url",
            "left",
        )
        .join(
            url_ids.withColumnsRenamed({"id": "canonical_url_id", "url": "canonical_url"}),
            "canonical_url",
            "left",
        )
        .withColumn("snapshot_id", F.lit(1).cast("bigint"))
    )
    pages = _cached(pages)
    sightings = _cached(_mark_sitewide(sightings, pages, urls))
    _phase("merging links")
    links, sightings = _merge_links(sightings)
    links = _cached(_mark_lost(_cached(links), pages, urls, now))
    sightings = _cached(sightings)
    snapshots = spark.createDataFrame(
        [(1, "ingest", now, now, source, None)],
        "id BIGINT, kind STRING, started_at TIMESTAMP_NTZ, finished_at TIMESTAMP_NTZ, "
        "source STRING, settings STRING",
    )
    return {
        "snapshots": snapshots,
        "files": files,
        "files_read": files_read,
        "urls": urls,
        "links": links,
        "link_sightings": sightings,
        "pages": pages.select(*_PAGE_COLUMNS),
        "page_texts": pages.filter(F.col("main_text") != "").select(
            "snapshot_id",
            "file_id",
            "url_id",
            "fetched_at",
            "title",
            "language",
            F.col("main_text").alias("text"),
        ),
        REPORT_TABLE: _rows_of(blobs, "damaged"),
    }


def _mark_sitewide(sightings: DataFrame, pages: DataFrame, urls: DataFrame) -> DataFrame:
    """State ``is_sitewide`` per file and host, as ``store.writes.mark_sitewide`` does."""
    from pyspark.sql import functions as F  # noqa: N812

    hosts = urls.select(F.col("id").alias("url_id"), "host")
    site_pages = (
        pages.filter(
            F.col("status").between(200, 299)
            & (F.col("content_type").isNull() | F.col("content_type").isin(*sorted(HTML_TYPES)))
        )
        .join(hosts, "url_id")
        .groupBy("file_id", "host")
        .agg(F.countDistinct("url_id").alias("site_pages"))
        .filter(F.col("site_pages") >= SITEWIDE_MIN_PAGES)
    )
    seen = sightings.join(hosts.withColumnRenamed("url_id", "source_url_id"), "source_url_id")
    recurring = seen.groupBy("file_id", "host", "target_url_id", "anchor_key").agg(
        F.countDistinct("source_url_id").alias("recurring_pages")
    )
    marked = seen.join(site_pages, ["file_id", "host"], "left").join(
        recurring, ["file_id", "host", "target_url_id", "anchor_key"], "left"
    )
    return marked.withColumn(
        "is_sitewide",
        F.when(
            F.col("site_pages").isNotNull(),
            F.col("recurring_pages") >= F.lit(SITEWIDE_SHARE) * F.col("site_pages"),
        ).otherwise(F.col("is_sitewide")),
    ).drop("host", "site_pages", "recurring_pages")


_LINK_KEY = ("source_url_id", "target_url_id", "anchor_key")


def _merge_links(sightings: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Links merged from their sightings, and the sightings with their link ids.

    Each attribute comes from the latest sighting stating it, by ``last_seen``
    (undated sightings oldest) then ``(file_id, row)``; the anchor from the
    first sighting; ``first_seen`` and ``last_seen`` are the minimum and maximum.
    """
    from pyspark.sql import functions as F  # noqa: N812

    order = F.struct(
        F.col("last_seen").isNotNull(),
        F.coalesce(F.col("last_seen"), F.lit(datetime(1, 1, 1)).cast("timestamp_ntz")),
        F.col("file_id"),
        F.col("row"),
    )

    def latest(name: str) -> Column:
        return F.max_by(F.col(name), F.when(F.col(name).isNotNull(), order)).alias(name)

    merged = sightings.groupBy(*_LINK_KEY).agg(
        F.min_by("anchor", F.struct("file_id", "row")).alias("anchor"),
        *(latest(name) for name in MERGED_FLAGS),
        F.max_by("is_target_inferred", order).alias("is_target_inferred"),
        latest("left_context"),
        latest("right_context"),
        *(latest(name) for name in CRAWLED_FIELDS),
        F.min("first_seen").alias("first_seen"),
        F.max("last_seen").alias("last_seen"),
        latest("lost_at").alias("stated_lost_at"),
        latest("lost_reason").alias("stated_lost_reason"),
    )
    is_live_again = F.col("stated_lost_at") < F.col("last_seen")
    lost_at = F.when(is_live_again, F.lit(None)).otherwise(F.col("stated_lost_at"))
    links = _dense_ids(merged, list(_LINK_KEY)).select(
        "id",
        *_LINK_KEY,
        "anchor",
        *MERGED_FLAGS,
        "is_target_inferred",
        "left_context",
        "right_context",
        *CRAWLED_FIELDS,
        "first_seen",
        "last_seen",
        lost_at.alias("lost_at"),
        F.when(lost_at.isNull(), F.lit(None))
        .otherwise(F.col("stated_lost_reason"))
        .alias("lost_reason"),
        F.lit(1).cast("bigint").alias("first_snapshot_id"),
        F.lit(1).cast("bigint").alias("last_snapshot_id"),
    )
    keyed = sightings.join(
        links.select(F.col("id").alias("link_id"), *_LINK_KEY), list(_LINK_KEY)
    ).select(
        "link_id",
        F.lit(1).cast("bigint").alias("snapshot_id"),
        "file_id",
        "row",
        F.lit(str(Tool.WARC)).alias("tool"),
        *(
            name
            for name in LINK_SIGHTING_SCHEMA.names
            if name not in {"source_url", "target_url", "row"}
        ),
    )
    return links, keyed


def _mark_lost(links: DataFrame, pages: DataFrame, urls: DataFrame, now: datetime) -> DataFrame:
    """Lose the links that the latest fetch of their source page no longer shows.

    The rule of ``store.writes.mark_lost``, applied once over the whole run:
    the local ingest applies it after each file, so a page fetched in several
    files without a link loses it at the first such fetch there, at the latest
    fetch here.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    started = F.lit(now).cast("timestamp_ntz")
    domains = urls.select("id", "domain")
    latest = (
        pages.withColumn("observed_at", F.coalesce("fetched_at", started))
        .join(domains.withColumnsRenamed({"id": "url_id", "domain": "page_domain"}), "url_id")
        .join(
            domains.withColumnsRenamed({"id": "final_url_id", "domain": "final_domain"}),
            "final_url_id",
            "left",
        )
        .withColumn(
            "rank",
            F.row_number().over(Window.partitionBy("url_id").orderBy(F.desc("observed_at"))),
        )
        .filter(F.col("rank") == 1)
        .select(
            F.col("url_id").alias("source_url_id"),
            F.col("observed_at"),
            F.expr(LOSS_REASON_SQL).alias("reason"),
        )
        .filter(F.col("reason").isNotNull())
    )
    checked = links.join(latest, "source_url_id", "left")
    is_lost = (
        F.col("reason").isNotNull()
        & F.col("lost_at").isNull()
        & (F.coalesce("last_seen", "first_seen", started) < F.col("observed_at"))
    )
    columns = [
        F.when(is_lost, F.col("observed_at")).otherwise(F.col("lost_at")).alias("lost_at")
        if name == "lost_at"
        else F.when(is_lost, F.col("reason")).otherwise(F.col("lost_reason")).alias("lost_reason")
        if name == "lost_reason"
        else F.col(name)
        for name in links.columns
    ]
    return checked.select(*columns)


def _cached(frame: DataFrame) -> DataFrame:
    """*frame*, kept (memory, then disk) once computed, until the run ends.

    Each table is read more than once; the run unpersists what it kept, and
    nothing else of the session's.
    """
    from pyspark import StorageLevel

    kept = frame.persist(StorageLevel.MEMORY_AND_DISK)
    _KEPT.get().append(kept)
    return kept


def _dense_ids(frame: DataFrame, order: list[str]) -> DataFrame:
    """*frame* with an ``id`` column numbering its rows 1, 2, ... by *order* (unique keys).

    Distributed: the sort's range partitions are numbered within, then offset
    by the sizes of the partitions before them (no single-partition window).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    numbered = (
        frame.orderBy(*order)
        .withColumn("_part", F.spark_partition_id())
        .withColumn("_local", F.row_number().over(Window.partitionBy("_part").orderBy(*order)))
    )
    numbered = _cached(numbered)
    sizes = sorted(
        (int(row["_part"]), int(row["count"]))
        for row in numbered.groupBy("_part").count().collect()
    )
    offsets, total = [], 0
    for part, size in sizes:
        offsets.append((part, total))
        total += size
    spark = frame.sparkSession
    starts = spark.createDataFrame(offsets or [(0, 0)], "_part INT, _offset BIGINT")
    return (
        numbered.join(F.broadcast(starts), "_part")
        .withColumn("id", (F.col("_offset") + F.col("_local")).cast("bigint"))
        .drop("_part", "_local", "_offset")
    )


# --- writing ------------------------------------------------------------------------------


def _write_tables(tables: dict[str, DataFrame], out: str) -> dict[str, str]:
    """Write each table to ``out/<table>.parquet``; merge the parts into one file when local."""
    is_local = "://" not in out or out.startswith("file:")
    local = Path(out.removeprefix("file://")) if is_local else None
    written: dict[str, str] = {}
    for name in (*EXCHANGE_TABLES, REPORT_TABLE):
        _phase(f"writing {name}")
        frame = tables[name]
        if local is None:
            target = f"{out.rstrip('/')}/{name}.parquet"
            frame.write.mode("overwrite").option("compression", "zstd").parquet(target)
            written[name] = target
            continue
        parts = local / "_parts" / name
        frame.write.mode("overwrite").option("compression", "zstd").parquet(str(parts))
        written[name] = str(_merge_parts(parts, local / f"{name}.parquet"))
    if local is not None:
        shutil.rmtree(local / "_parts", ignore_errors=True)
    return written


def _merge_parts(parts: Path, target: Path) -> Path:
    """Concatenate the part files of a Spark write, in order, into one Parquet file."""
    files = sorted(parts.glob("part-*.parquet"))
    if target.is_dir():
        shutil.rmtree(target)
    schema = pq.read_schema(files[0])
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for part in files:
            source = pq.ParquetFile(part)
            for group in range(source.num_row_groups):
                writer.write_table(source.read_row_group(group).cast(schema))
    shutil.rmtree(parts)
    return target


class _StageReporter:
    """Tells *on_progress* the run's phase and its running tasks about twice a second.

    Spark's own stage names (``collect``, ``$anonfun$...``) say nothing to a
    user, so the run names its phases (``_phase``) and this reports the tasks
    done and in all over the stages running in that phase.
    """

    def __init__(self, spark: SparkSession, on_progress: StageProgress | None) -> None:
        self._tracker = spark.sparkContext.statusTracker()
        self._on_progress = on_progress
        self.phase: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Self:
        self._token = _REPORTER.set(self)
        if self._on_progress is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        _REPORTER.reset(self._token)
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _poll(self) -> None:
        assert self._on_progress is not None  # noqa: S101 (started only with a callback)
        while not self._stop.wait(0.5):
            done = total = 0
            for stage_id in self._tracker.getActiveStageIds():
                info = self._tracker.getStageInfo(stage_id)
                if info is not None:
                    done += info.numCompletedTasks
                    total += info.numTasks
            if self.phase is not None:
                self._on_progress(self.phase, done, total)


def _phase(name: str) -> None:
    """Name what the run does next, for the progress line."""
    reporter = _REPORTER.get(None)
    if reporter is not None:
        reporter.phase = name
