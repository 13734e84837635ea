"""``data_version``: what the dashboard keys its kept parts by moves with a write, not a read."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from linkequity.store.browse import data_version

if TYPE_CHECKING:
    from pathlib import Path


def test_a_write_moves_the_version_and_a_read_does_not(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    assert data_version(path) == (-1, -1, -1, -1)
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE links (id INTEGER)")
    created = data_version(path)
    with duckdb.connect(str(path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM links").fetchone() == (0,)
    assert data_version(path) == created
    with duckdb.connect(str(path)) as conn:
        conn.execute("INSERT INTO links SELECT range FROM range(100000)")
    assert data_version(path) != created
