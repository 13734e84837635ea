from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pytest

from linkequity.errors import SchemaTooNew, StoreCorrupt, StoreError
from linkequity.store import SCHEMA_VERSION, Store
from linkequity.store.schema import MIGRATIONS, migrate

if TYPE_CHECKING:
    from pathlib import Path


def stored_version(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as conn:
        [(value,)] = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    return int(value)


def table_names(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {
            name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }


def test_a_new_store_has_every_table_at_the_current_version(store_path: Path) -> None:
    Store.open(store_path).close()

    assert stored_version(store_path) == SCHEMA_VERSION == MIGRATIONS[-1].version
    assert {
        "meta",
        "snapshots",
        "urls",
        "files",
        "links",
        "link_sightings",
        "pages",
        "page_metrics",
        "domain_metrics",
        "referring_domain_reports",
        "target_page_reports",
    } <= table_names(store_path)


def test_opening_an_older_store_migrates_it_and_keeps_its_rows(store_path: Path) -> None:
    with duckdb.connect(str(store_path)) as conn:
        assert migrate(conn, store_path, target=1) == 1
        conn.execute(
            "INSERT INTO snapshots VALUES (1, 'import', now()::TIMESTAMP, NULL, 'old', '{}')"
        )
    assert "pages" not in table_names(store_path)

    with Store.open(store_path) as store:
        assert store.stats().snapshots == 1

    assert stored_version(store_path) == SCHEMA_VERSION
    assert "pages" in table_names(store_path)


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_store_from_a_newer_linkequity_is_refused(store_path: Path) -> None:
    Store.open(store_path).close()
    with duckdb.connect(str(store_path)) as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)]
        )

    with pytest.raises(SchemaTooNew, match=str(store_path)):
        Store.open(store_path)
    with pytest.raises(SchemaTooNew):
        Store.open(store_path, read_only=True)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("backlinks.csv", "Referring page URL,Target URL\nhttps://a.example/,https://b.example/\n"),
        ("notes.txt", "not a database, but long enough to have a header\n"),
        ("empty.duckdb", ""),
    ],
)
def test_a_text_file_is_not_a_store(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(StoreCorrupt, match=name):
        Store.open(path)

    assert path.read_text() == text


def test_a_foreign_duckdb_database_is_not_a_store(store_path: Path) -> None:
    with duckdb.connect(str(store_path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")

    with pytest.raises(StoreCorrupt, match="not a linkequity store"):
        Store.open(store_path)


def test_read_only_needs_an_existing_current_store(store_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Store.open(store_path, read_only=True)
    assert not store_path.exists()

    with duckdb.connect(str(store_path)) as conn:
        migrate(conn, store_path, target=1)
    with pytest.raises(StoreError, match="open it once for writing"):
        Store.open(store_path, read_only=True)


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        Store.open(tmp_path / "no" / "such" / "project.duckdb")


@pytest.mark.parametrize("read_only", [False, True])
def test_a_store_draws_no_progress_bar_on_stdout(store_path: Path, read_only: bool) -> None:
    Store.open(store_path).close()
    with Store.open(store_path, read_only=read_only) as store:
        [(is_drawn,)] = store._conn.execute(  # noqa: SLF001 - the connection's own setting
            "SELECT current_setting('enable_progress_bar')"
        ).fetchall()
    assert is_drawn is False
