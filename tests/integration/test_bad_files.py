"""Bad files: every command that reads a file answers a bad one with one line and exit 2.

For each file a command reads (its arguments and options, and the project
file ``--db``), five bad files: a missing path, a directory, an empty file,
random binary bytes with NULs, and a file of another format (a PNG where text
is expected, a CSV where a WARC or a DuckDB project is). The real ``main()``
must answer with exit status 2 and one line on stderr that names the file and
says what to do (``error: ... — hint``), never a traceback; and the project
must hold what it held before, byte for byte when the bad file was ``--db``.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pytest

from linkequity.services.imports import import_exports, sample_exports

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

#: The sample exports' target.
TARGET = "example-garden.com"
#: The five bad files.
KINDS = ("missing", "directory", "empty", "binary", "wrong")
#: The start of a PNG file: what a user picks by mistake for a CSV.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(64)
#: A CSV export: what a user picks by mistake for a WARC or a project.
CSV = b"Referring page URL,Target URL,Anchor\nhttps://a.example/,https://example-garden.com/,hi\n"
#: The tables whose rows must survive a failed command.
TABLES = ("snapshots", "urls", "links", "link_sightings", "files", "pages")


@dataclass(frozen=True)
class Reader:
    """A command reading one file: its arguments (``FILE``, ``DB``... are filled in).

    ``wrong`` is what a file of the wrong format holds for it, ``valid`` the
    kinds that are no error for it, and ``setup`` a command run first.
    """

    name: str
    args: tuple[str, ...]
    wrong: bytes = PNG
    valid: frozenset[str] = frozenset()
    setup: tuple[str, ...] = ()


EMPTY = frozenset({"empty"})


def list_reader(name: str, *args: str) -> Reader:
    """A command reading a list file (``cli.options.read_list``)."""
    return Reader(name, (*args, "--db", "DB"))


PLAN = ("plan", TARGET, "--budget", "3")
REPORT = ("report", TARGET, "-o", "r.html")
READERS = (
    Reader("import", ("import", "FILE", "--db", "DB")),
    Reader("ingest", ("ingest", "FILE", "--db", "DB"), wrong=CSV),
    Reader("crawl --seeds-file", ("crawl", "--seeds-file", "FILE", "--db", "DB")),
    Reader("rank --trust-seeds", ("rank", "--trust-seeds", "FILE", "--db", "DB")),
    list_reader("plan --competitors", *PLAN, "--competitors", "FILE"),
    list_reader("plan --trust-seeds", *PLAN, "--trust-seeds", "FILE"),
    list_reader("plan --own", *PLAN, "--own", "FILE"),
    list_reader("audit --competitors", "audit", TARGET, "--competitors", "FILE"),
    Reader("toxic --trust-seeds", ("toxic", TARGET, "--trust-seeds", "FILE", "--db", "DB")),
    Reader(
        "disavow --domains",
        ("disavow", TARGET, "--domains", "FILE", "--db", "DB"),
    ),
    Reader(
        "disavow --check",
        ("disavow", TARGET, "--check", "FILE", "--db", "DB"),
    ),
    list_reader("opportunities --competitors", "opportunities", TARGET, "--competitors", "FILE"),
    list_reader("report --competitors", *REPORT, "--competitors", "FILE"),
    list_reader("report --trust-seeds", *REPORT, "--trust-seeds", "FILE"),
    Reader(
        "campaign add --from-csv",
        ("campaign", "add", "spring", "--from-csv", "FILE", "--db", "DB"),
        setup=("campaign", "new", "spring", "--target", TARGET, "--db", "DB"),
    ),
    Reader("graph rank", ("graph", "rank", "FILE")),
    Reader("graph rank --personalize", ("graph", "rank", "EDGES", "--personalize", "FILE")),
    Reader("links", ("links", "FILE", "--base-url", "https://example.com/")),
    # An empty robots.txt is a valid one: it allows everything (RFC 9309).
    Reader("robots --file", ("robots", "https://example.com/", "--file", "FILE"), valid=EMPTY),
    Reader("stats --db", ("stats", "--db", "FILE"), wrong=CSV),
    Reader("check --db", ("check", "--db", "FILE"), wrong=CSV),
    # A missing project is made by a command that writes one.
    Reader(
        "import --db",
        ("import", "SAMPLE", "--db", "FILE"),
        wrong=CSV,
        valid=frozenset({"missing"}),
    ),
    Reader("audit --db", ("audit", TARGET, "--db", "FILE"), wrong=CSV),
    # Folders of Parquet tables, and the archives Spark reads: refused before Spark starts.
    Reader("parquet import", ("parquet", "import", "FILE", "--db", "DB"), wrong=CSV),
    Reader("import-parquet", ("import-parquet", "FILE", "--db", "DB"), wrong=CSV),
    Reader("spark rank", ("spark", "rank", "FILE", "--out", "OUT"), wrong=CSV),
    Reader("spark extract", ("spark", "extract", "FILE", "--out", "OUT"), wrong=CSV),
)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding the sample exports; each test works on a copy."""
    db = tmp_path_factory.mktemp("stored") / "project.duckdb"
    import_exports(sample_exports(), db=db)
    return db


def bad_file(folder: Path, kind: str, wrong: bytes) -> Path:
    path = folder / f"bad-{kind}.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        noise = random.Random(10).randbytes(4096)  # noqa: S311 - test data
        path.write_bytes(b"\x00\x01" + noise + b"\x00")
    elif kind == "wrong":
        path.write_bytes(wrong)
    return path


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]  # noqa: S608
            for table in TABLES
        }


def cases() -> list[object]:
    return [
        pytest.param(reader, kind, id=f"{reader.name}-{kind}")
        for reader in READERS
        for kind in KINDS
        if kind not in reader.valid
    ]


@pytest.mark.parametrize(("reader", "kind"), cases())
def test_a_bad_file_gets_one_line_naming_it_and_exit_2(
    cli: Callable[..., CliResult], stored: Path, tmp_path: Path, reader: Reader, kind: str
) -> None:
    db = tmp_path / "project.duckdb"
    shutil.copy(stored, db)
    if reader.setup:
        assert cli(*[str(db) if arg == "DB" else arg for arg in reader.setup]).exit_code == 0
    before = counts(db)
    path = bad_file(tmp_path, kind, reader.wrong)
    content = path.read_bytes() if path.is_file() else None
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n2 0\n")
    fill = {
        "FILE": str(path),
        "DB": str(db),
        "EDGES": str(edges),
        "SAMPLE": str(sample_exports()[0]),
        "OUT": str(tmp_path / "out"),
    }
    args = [fill.get(arg, arg) for arg in reader.args]

    result = cli(*args)

    lines = result.stderr.splitlines()
    assert result.exit_code == 2, (result.exit_code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert path.name in lines[0], lines[0]
    assert " \N{EM DASH} " in lines[0], lines[0]  # and the hint: what to do
    assert counts(db) == before
    if content is not None:
        assert path.read_bytes() == content  # a bad --db is never written over
    elif kind == "missing":
        assert not path.exists()


# -- files a command writes --------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """A command writing a file (or a folder) at ``OUT``."""

    name: str
    args: tuple[str, ...]
    kinds: tuple[str, ...] = ("directory", "no folder")


WRITERS = (
    Writer("plan --csv", (*PLAN, "--csv", "OUT", "--db", "DB")),
    Writer("toxic --csv", ("toxic", TARGET, "--csv", "OUT", "--db", "DB")),
    Writer("opportunities --csv", ("opportunities", TARGET, "--csv", "OUT", "--db", "DB")),
    Writer("diff --csv", ("diff", TARGET, "--csv", "OUT", "--db", "DB")),
    Writer("disavow -o", ("disavow", TARGET, "--domains", "LIST", "-o", "OUT", "--db", "DB")),
    Writer("report -o", ("report", TARGET, "-o", "OUT", "--db", "DB")),
    Writer("graph rank --output", ("graph", "rank", "EDGES", "--output", "OUT")),
    Writer(
        "campaign export -o",
        ("campaign", "export", "spring", "-o", "OUT", "--db", "DB"),
    ),
    # A folder is made where it is missing: only a file in its place is an error.
    Writer(
        "parquet export",
        ("parquet", "export", "OUT", "--db", "DB"),
        kinds=("file",),
    ),
)


def writer_cases() -> list[object]:
    return [
        pytest.param(writer, kind, id=f"{writer.name}-{kind}")
        for writer in WRITERS
        for kind in writer.kinds
    ]


@pytest.mark.parametrize(("writer", "kind"), writer_cases())
def test_an_output_path_that_cannot_be_written_gets_one_line_and_exit_2(
    cli: Callable[..., CliResult], stored: Path, tmp_path: Path, writer: Writer, kind: str
) -> None:
    db = tmp_path / "project.duckdb"
    shutil.copy(stored, db)
    assert cli("campaign", "new", "spring", "--target", TARGET, "--db", db).exit_code == 0
    before = counts(db)
    out = tmp_path / ("out" if kind != "no folder" else "no-such-folder/out.csv")
    if kind == "directory":
        out.mkdir()
    elif kind == "file":
        out.write_bytes(b"kept")
    listed = tmp_path / "list.txt"
    listed.write_text("spam.example\n")
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n2 0\n")
    fill = {"OUT": str(out), "DB": str(db), "LIST": str(listed), "EDGES": str(edges)}

    result = cli(*[fill.get(arg, arg) for arg in writer.args])

    lines = result.stderr.splitlines()
    assert result.exit_code == 2, (result.exit_code, result.stderr[-2000:])
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert out.name in lines[0] or out.parent.name in lines[0], lines[0]
    assert " \N{EM DASH} " in lines[0], lines[0]
    assert counts(db) == before
    if kind == "file":
        assert out.read_bytes() == b"kept"
