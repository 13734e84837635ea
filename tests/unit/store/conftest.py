"""Fixtures of the store tests: a real DuckDB file in tmp_path, and a one-call import."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from linkequity.store import LinkWriteCounts, Store, sightings_to_arrow

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from linkequity.model.links import LinkSighting


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "project.duckdb"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    with Store.open(store_path) as opened:
        yield opened


def _import_sightings(
    store: Store,
    sightings: Sequence[LinkSighting],
    *,
    tool: str = "ahrefs",
    sha256: str | None = None,
) -> LinkWriteCounts:
    """Import *sightings* as one file of *tool*, the way the import service does."""
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="import", source=f"{tool} file")
        file_id, _ = store.register_file(
            sha256=sha256 or f"sha-{tool}",
            path=f"{tool}.csv",
            tool=tool,
            export_format=f"{tool}_backlinks",
            kind="backlinks",
            snapshot_id=snapshot_id,
        )
        counts = store.write_link_sightings(snapshot_id, file_id, sightings_to_arrow(sightings))
        store.finish_snapshot(snapshot_id)
    return counts


ImportSightings = Callable[..., LinkWriteCounts]


@pytest.fixture
def import_sightings() -> ImportSightings:
    """Return a function importing sightings as one file of one tool."""
    return _import_sightings
