"""The Spark extraction against the local ingest: the same rows, every column.

Each case extracts a set of archives with Spark (local[2]) and ingests the same
files with ``ingest_archives``, then compares the tables with ids replaced by
what they stand for (URLs, file paths), sorted, every other column as is.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from tests.conftest import SHARED_DATA
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkequity.cli.app import app
from linkequity.errors import UnreadableArchive, UsageError
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.exchange import import_parquet
from linkequity.services.ingest import ingest_archives
from linkequity.spark.extract import (
    EXCHANGE_TABLES,
    REPORT_TABLE,
    ExtractReport,
    extract_archives,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from linkequity.model.records import DamagedRecord

pytestmark = pytest.mark.spark

WARC_DATA = SHARED_DATA / "warc"

#: Each table as rows that mean the same in any store: ids replaced by URLs and paths.
COMPARED = {
    "urls": "SELECT * EXCLUDE (id) FROM {p}urls",
    "files": "SELECT * EXCLUDE (id, imported_at) FROM {p}files",
    "links": """SELECT su.url AS source_url, tu.url AS target_url,
            k.* EXCLUDE (id, source_url_id, target_url_id)
        FROM {p}links k JOIN {p}urls su ON su.id = k.source_url_id
        JOIN {p}urls tu ON tu.id = k.target_url_id""",
    "link_sightings": """SELECT f.path, su.url AS source_url, tu.url AS target_url,
            k.anchor_key, s.* EXCLUDE (link_id, file_id)
        FROM {p}link_sightings s JOIN {p}files f ON f.id = s.file_id
        JOIN {p}links k ON k.id = s.link_id
        JOIN {p}urls su ON su.id = k.source_url_id JOIN {p}urls tu ON tu.id = k.target_url_id""",
    "pages": """SELECT f.path, u.url, fu.url AS final_url, cu.url AS canonical_url,
            p.* EXCLUDE (url_id, file_id, final_url_id, canonical_url_id)
        FROM {p}pages p JOIN {p}files f ON f.id = p.file_id JOIN {p}urls u ON u.id = p.url_id
        LEFT JOIN {p}urls fu ON fu.id = p.final_url_id
        LEFT JOIN {p}urls cu ON cu.id = p.canonical_url_id""",
    "page_texts": """SELECT f.path, u.url, t.* EXCLUDE (url_id, file_id)
        FROM {p}page_texts t JOIN {p}files f ON f.id = t.file_id
        JOIN {p}urls u ON u.id = t.url_id""",
}


class Extracted:
    """One Spark extraction beside the local ingest of the same files.

    With *through_cli*, the extraction runs as ``linkequity spark extract --json``.
    """

    def __init__(
        self,
        spark: SparkSession,
        files: list[Path],
        folder: Path,
        *,
        through_cli: bool = False,
        partitions: int | None = None,
    ) -> None:
        self.files = files
        self.out = folder / "out"
        self.db = folder / "local.duckdb"
        self.damage: list[DamagedRecord] = []
        self.progress: list[tuple[str, int, int]] = []
        self.local = ingest_archives(files, db=self.db, workers=1, on_damage=self.damage.append)
        inputs = [str(path) for path in files]
        if through_cli:
            args = [
                "spark",
                "extract",
                *inputs,
                "--out",
                str(self.out),
                "--master",
                "local[2]",
                "--json",
            ]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
            values = json.loads(result.output)
            self.report = ExtractReport(**{**values, "tables": tuple(values["tables"])})
        else:
            self.report = extract_archives(
                inputs,
                str(self.out),
                session=spark,
                partitions=partitions,
                on_progress=lambda *told: self.progress.append(told),
            )

    def rows(self, table: str, *, of_spark: bool) -> list[tuple[Any, ...]]:
        """The rows of *table* in Spark's output or the local store, ids resolved, sorted."""
        return parquet_rows(self.out, table) if of_spark else store_rows(self.db, table)


def parquet_rows(out: Path, table: str) -> list[tuple[Any, ...]]:
    with duckdb.connect() as conn:
        for name in EXCHANGE_TABLES:
            conn.read_parquet(str(out / f"{name}.parquet")).create_view(name)
        return sorted(conn.execute(COMPARED[table].format(p="")).fetchall(), key=_sort_key)


def store_rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{db}' AS store (READ_ONLY)")
        query = COMPARED[table].format(p="store.")
        return sorted(conn.execute(query).fetchall(), key=_sort_key)


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is not None, repr(value)) for value in row)


@pytest.fixture(scope="module")
def shared(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Extracted:
    """Every file of shared/data/warc, the damaged ones included, in one run of four tasks."""
    files = sorted(path for path in WARC_DATA.rglob("*") if path.is_file())
    assert len(files) > 20
    return Extracted(spark, files, tmp_path_factory.mktemp("spark-shared"), partitions=4)


@pytest.fixture(scope="module")
def sample(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Extracted:
    """The sample web written as WARC (as the integration tests write it), and a copy of it.

    Extracted through the CLI, one task per file (the default).
    """
    folder = tmp_path_factory.mktemp("spark-sample")
    web = folder / "web.warc.gz"
    write_warc(generate_web(1, sites=14, pages=280), web)
    copy = folder / "copy.warc.gz"
    shutil.copyfile(web, copy)
    return Extracted(spark, [web, copy], folder, through_cli=True)


def _write_fetches(path: Path, fetches: list[tuple[str, str, str, bytes]]) -> None:
    """Write ``(url, date, status line, HTML body)`` fetches as a gzip WARC of responses."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, date, status, body in fetches:
            http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),  # without it warcio buffers the body in a temp file left open
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)


@pytest.fixture(scope="module")
def refetched(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Extracted:
    """Pages fetched again in a later file: one without a link it had, one gone (404)."""
    folder = tmp_path_factory.mktemp("spark-refetched")
    kept = b'<a href="https://b.example/kept">kept</a>'
    dropped = b'<a href="https://c.example/dropped">dropped</a>'
    first, second = folder / "1.warc.gz", folder / "2.warc.gz"
    _write_fetches(
        first,
        [
            ("https://a.example/", "2024-05-01T00:00:00Z", "200 OK", b"<p>" + kept + dropped),
            ("https://a.example/old", "2024-05-01T00:00:01Z", "200 OK", b"<p>" + kept),
        ],
    )
    _write_fetches(
        second,
        [
            ("https://a.example/", "2024-06-01T00:00:00Z", "200 OK", b"<p>" + kept),
            ("https://a.example/old", "2024-06-01T00:00:01Z", "404 Not Found", b"gone"),
        ],
    )
    return Extracted(spark, [first, second], folder)


def test_links_gone_from_a_later_fetch_are_lost_as_ingest_loses_them(refetched: Extracted) -> None:
    lost = [row for row in refetched.rows("links", of_spark=True) if row[-4] is not None]
    reasons = sorted((row[1], row[-3]) for row in lost)
    assert reasons == [
        ("https://b.example/kept", "page_gone"),
        ("https://c.example/dropped", "link_removed"),
    ]
    assert refetched.report.lost_links == 2
    assert refetched.rows("links", of_spark=True) == refetched.rows("links", of_spark=False)


@pytest.mark.parametrize("table", sorted(COMPARED))
@pytest.mark.parametrize("case", ["shared", "sample"])
def test_spark_rows_equal_local_ingest(
    case: str, table: str, request: pytest.FixtureRequest
) -> None:
    extracted: Extracted = request.getfixturevalue(case)
    local = extracted.rows(table, of_spark=False)
    assert local, f"the local ingest stored no {table}: the comparison would prove nothing"
    assert extracted.rows(table, of_spark=True) == local


def test_sample_links_are_sitewide_and_shared_data_has_damage(
    sample: Extracted, shared: Extracted
) -> None:
    # The rules compared above must be exercised by the data, not vacuous.
    assert sample.report.sitewide_sightings == sum(
        item.sitewide_sightings for item in sample.local.files
    )
    assert sample.report.sitewide_sightings > 1000
    assert shared.report.damaged == len(shared.damage) > 0


def test_damaged_records_are_reported_and_the_rest_kept(shared: Extracted) -> None:
    with duckdb.connect() as conn:
        reported = conn.execute(
            'SELECT path, "offset", reason FROM read_parquet(?) ORDER BY ALL',
            [str(shared.out / f"{REPORT_TABLE}.parquet")],
        ).fetchall()
    assert reported == sorted((item.path, item.offset, item.reason) for item in shared.damage)
    clipped = [item for item in shared.local.files if item.path.name == "clipped.warc.gz"]
    assert clipped[0].damaged == 1
    assert shared.report.sightings == sum(item.sightings_added for item in shared.local.files)


def test_a_repeated_file_is_read_once(sample: Extracted) -> None:
    assert (sample.report.files, sample.report.duplicates) == (2, 1)
    assert [item.is_duplicate for item in sample.local.files] == [False, True]


def test_parquet_import_loads_the_output_into_a_project(sample: Extracted, tmp_path: Path) -> None:
    db = tmp_path / "imported.duckdb"
    stats = import_parquet(db, sample.out)
    assert (stats.links, stats.sightings) == (sample.report.links, sample.report.sightings)
    for table in ("links", "pages", "page_texts"):
        assert store_rows(db, table) == sample.rows(table, of_spark=False)


def test_cli_wrote_one_file_per_table(sample: Extracted) -> None:
    # `sample` ran through the CLI: its JSON report names every table, each one file.
    assert sample.report.tables == tuple(
        str(sample.out / f"{name}.parquet") for name in (*EXCHANGE_TABLES, REPORT_TABLE)
    )
    assert all(Path(path).is_file() for path in sample.report.tables)
    assert not (sample.out / "_parts").exists()


def test_cli_names_a_missing_file_before_spark_runs(tmp_path: Path) -> None:
    args = ["spark", "extract", str(tmp_path / "nope.warc.gz"), "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, UsageError)
    assert "nope.warc.gz does not exist" in str(result.exception)


def test_a_file_that_is_no_archive_fails_before_spark_runs(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an archive\n")
    with pytest.raises(UnreadableArchive, match="notes.txt"):
        extract_archives([str(text)], str(tmp_path / "out"), master="local[1]")


def test_progress_names_the_phases_and_counts_tasks(shared: Extracted) -> None:
    phases = {phase for phase, _, _ in shared.progress}
    assert phases, "a run of many seconds was never reported"
    known = {"parsing archives, numbering URLs", "summing up the files", "merging links"}
    assert phases <= known | {f"writing {name}" for name in (*EXCHANGE_TABLES, REPORT_TABLE)}
    assert all(0 <= done <= total for _, done, total in shared.progress)
