"""The store against other processes: a second writer, and a writer killed mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from linkequity.errors import StoreLocked
from linkequity.store import Store

if TYPE_CHECKING:
    from pathlib import Path

TIMEOUT_S = 20

HOLDER = """
import sys
from pathlib import Path
from linkequity.store import Store

with Store.open(Path(sys.argv[1])):
    print("ready", flush=True)
    sys.stdin.read()
"""

BATCH_ROWS = 200
WRITER = f"""
import sys
from pathlib import Path
from linkequity.model.links import LinkSighting
from linkequity.store import Store, sightings_to_arrow

with Store.open(Path(sys.argv[1])) as store:
    for batch in range(10_000):
        sightings = [
            LinkSighting(
                f"https://site{{batch}}.example/page{{row}}", "https://target.test/", row,
                anchor=f"anchor {{row % 7}}",
            )
            for row in range({BATCH_ROWS})
        ]
        with store.transaction():
            snapshot_id = store.begin_snapshot(kind="import", source=f"batch {{batch}}")
            file_id, _ = store.register_file(
                sha256=f"batch-{{batch}}", path="x.csv", tool="ahrefs",
                export_format="ahrefs_backlinks", kind="backlinks", snapshot_id=snapshot_id,
            )
            store.write_link_sightings(snapshot_id, file_id, sightings_to_arrow(sightings))
            store.finish_snapshot(snapshot_id)
        print(batch, flush=True)
"""


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "project.duckdb"


def start(script: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, f"child exited with {process.wait(TIMEOUT_S)}"
    return line.strip()


def test_a_second_writer_is_told_which_process_holds_the_store(store_path: Path) -> None:
    Store.open(store_path).close()
    holder = start(HOLDER, store_path)
    try:
        assert read_line(holder) == "ready"

        with pytest.raises(
            StoreLocked, match=f"store {store_path} is in use by process {holder.pid}"
        ):
            Store.open(store_path)
        with pytest.raises(StoreLocked, match=str(holder.pid)):
            Store.open(store_path, read_only=True)
    finally:
        holder.communicate("", timeout=TIMEOUT_S)

    with Store.open(store_path) as store:
        assert store.stats().links == 0


@pytest.mark.slow
def test_a_writer_killed_mid_write_loses_no_committed_batch(store_path: Path) -> None:
    writer = start(WRITER, store_path)
    try:
        committed = [int(read_line(writer)) for _ in range(4)]
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=TIMEOUT_S)
    assert writer.returncode == -signal.SIGKILL

    with Store.open(store_path) as store:
        per_file = dict(
            store._conn.execute(
                """SELECT f.sha256, count(s.row) FROM files f
                LEFT JOIN link_sightings s ON s.file_id = f.id GROUP BY f.sha256"""
            ).fetchall()
        )
        stats = store.stats()
    # Killed after a commit and before its print, a writer has one batch more than it said.
    assert {f"batch-{batch}" for batch in committed} <= per_file.keys()
    assert len(per_file) in (len(committed), len(committed) + 1)
    assert set(per_file.values()) == {BATCH_ROWS}
    assert stats.links == stats.sightings == BATCH_ROWS * len(per_file)
    assert stats.snapshots == stats.files == len(per_file)
