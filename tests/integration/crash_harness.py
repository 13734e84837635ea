"""kill -9 at chosen points: crawls and ingests run as child processes, killed, resumed.

Shared by the fast crash test (``test_crash_safety``) and the proof suite
(``tests/prove/test_prove_crash``); not a test module.

A *round* starts a command on a fresh project and SIGKILLs it at the next kill
point; the command is then resumed (``crawl --resume``, or ``ingest`` of the
same files again) and killed at the next point, and so on. A run that ends
before its kill point closes the round, which is then compared with an
uninterrupted run; the next kill point opens a new round. So every kill point
is spent on a run that was still working, however fast the machine.

Crawl kill points count the requests the sample web served to that run (the
store is locked while the crawl runs, so its pages cannot be counted from
outside); ingest kill points are seconds after the run started, drawn over the
time an uninterrupted ingest takes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
from tests.integration.sample_crawl import RecordingWeb, read_store

from linkequity.samples.web import serve_web
from linkequity.store.consistency import ConsistencyReport, check_consistency

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from tests.integration.sample_crawl import Stored

    from linkequity.samples.web import SampleWeb

#: Real seconds a run may take before the harness gives up on it (a guard, never reached).
HUNG_S = 300.0


def start(args: Sequence[str], cwd: Path) -> subprocess.Popen[str]:
    """Start ``python -m linkequity ARGS`` in *cwd*, free of the developer's LINKEQUITY_*."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LINKEQUITY_")}
    env["LINKEQUITY_UI_PROGRESS"] = "false"
    return subprocess.Popen(
        [sys.executable, "-m", "linkequity", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def serving(web: SampleWeb) -> Iterator[tuple[RecordingWeb, str]]:
    """Serve *web* on 127.0.0.1, recording requests; yield the recorder and ``--resolve-to``."""
    recording = RecordingWeb(web)
    with serve_web(recording, workers=64) as base:  # type: ignore[arg-type]
        yield recording, base.removeprefix("http://")


def uninterrupted(args: Sequence[str], db: Path) -> float:
    """Run *args* (``DB`` standing for *db*) to the end, in *db*'s folder; return its seconds."""
    began = time.monotonic()
    finish(start([str(db) if arg == "DB" else arg for arg in args], db.parent))
    return time.monotonic() - began


def finish(child: subprocess.Popen[str]) -> dict[str, Any]:
    """Wait for *child* to end well; return its JSON output."""
    out, err = child.communicate(timeout=HUNG_S)
    assert child.returncode == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def kill(child: subprocess.Popen[str]) -> tuple[bool, str]:
    """SIGKILL *child* unless it has ended; return whether it was killed, and its output."""
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    out, err = child.communicate(timeout=HUNG_S)
    if child.returncode == -signal.SIGKILL:
        return True, out
    assert child.returncode == 0, err
    return False, out


def wait_for_requests(child: subprocess.Popen[str], web: RecordingWeb, requests: int) -> None:
    """Return once the server has answered *requests* more requests, or *child* has ended."""
    before = web.served_since(0)
    deadline = time.monotonic() + HUNG_S
    while child.poll() is None and web.served_since(before) < requests:
        assert time.monotonic() < deadline, "the crawl neither ended nor fetched"
        time.sleep(0.002)


def wait_for_seconds(child: subprocess.Popen[str], seconds: float) -> None:
    """Return after *seconds*, or as soon as *child* has ended."""
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return


@dataclass
class Round:
    """One project killed and resumed until a run ended on its own."""

    db: Path
    kills: int = 0
    settled_after_kill: list[int] = field(default_factory=list)
    in_flight_after_kill: list[int] = field(default_factory=list)
    files_after_kill: list[int] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def killed_rounds(
    *,
    kills: int,
    points: Callable[[], float],
    first: Sequence[str],
    again: Sequence[str],
    workdir: Path,
    wait: Callable[[subprocess.Popen[str], float], None],
    db_name: str,
) -> list[Round]:
    """Spend *kills* kill points on rounds of ``first`` then ``again`` runs (module docstring).

    ``DB`` in *first* and *again* stands for the round's project file; *points*
    draws the next kill point, *wait* waits for it in a run.
    """
    rounds: list[Round] = []
    spent = 0
    while spent < kills:
        db = workdir / f"{db_name}-{len(rounds)}.duckdb"
        current = Round(db)
        rounds.append(current)
        args = first
        while True:
            child = start([str(db) if arg == "DB" else arg for arg in args], workdir)
            if spent == kills:
                current.report = finish(child)
                break
            wait(child, points())
            is_killed, out = kill(child)
            if not is_killed:  # it ended before its kill point: the round is over
                current.report = json.loads(out)
                break
            spent += 1
            current.kills += 1
            after = store_progress(db)
            current.settled_after_kill.append(after["settled"])
            current.in_flight_after_kill.append(after["in_flight"])
            current.files_after_kill.append(after["files"])
            args = again
    return rounds


def store_progress(db: Path) -> dict[str, int]:
    """Frontier URLs settled and in flight, and archives stored, in the project at *db*."""
    progress = {"settled": 0, "in_flight": 0, "files": 0}
    if not db.exists():
        return progress
    with duckdb.connect(str(db), read_only=True) as conn:
        tables = {
            name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if "crawl_frontier" in tables:
            row = conn.execute(
                """SELECT count(*) FILTER (WHERE state IN ('done', 'failed', 'excluded')),
                    count(*) FILTER (WHERE state = 'in_flight') FROM crawl_frontier"""
            ).fetchone()
            assert row is not None
            progress.update(settled=int(row[0]), in_flight=int(row[1]))
        if "files" in tables:
            row = conn.execute("SELECT count(*) FROM files WHERE kind = 'archive'").fetchone()
            assert row is not None
            progress["files"] = int(row[0])
    return progress


def consistency(db: Path) -> ConsistencyReport:
    """The consistency checks of the project at *db*."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return check_consistency(conn)


@dataclass(frozen=True)
class Difference:
    """How a killed-and-resumed project differs from an uninterrupted one."""

    pages_lost: int
    pages_duplicated: int
    pages_extra: int
    status_changed: int
    links_lost: int
    links_extra: int
    sightings_lost: int
    sightings_duplicated: int

    @property
    def is_none(self) -> bool:
        return not any(vars(self).values())


def difference(reference: Stored, stored: Stored) -> Difference:
    """Compare pages (by URL, counted), links and link sightings of two projects."""
    want = Counter(page["url"] for page in reference.pages)
    got = Counter(page["url"] for page in stored.pages)
    statuses = {page["url"]: page["status"] for page in reference.pages}
    return Difference(
        pages_lost=sum((want - got).values()),
        pages_duplicated=sum(count - 1 for url, count in got.items() if count > want[url] >= 1),
        pages_extra=sum(count for url, count in got.items() if url not in want),
        status_changed=sum(
            1
            for page in stored.pages
            if statuses.get(page["url"], page["status"]) != page["status"]
        ),
        links_lost=len(set(reference.links) - set(stored.links)),
        links_extra=len(set(stored.links) - set(reference.links)),
        sightings_lost=sum((reference.sightings - stored.sightings).values()),
        sightings_duplicated=sum((stored.sightings - reference.sightings).values()),
    )


__all__ = [
    "HUNG_S",
    "Difference",
    "Round",
    "consistency",
    "difference",
    "finish",
    "kill",
    "killed_rounds",
    "read_store",
    "serving",
    "start",
    "store_progress",
    "uninterrupted",
    "wait_for_requests",
    "wait_for_seconds",
]
