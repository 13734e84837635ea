"""What a crawl of the sample web should hold, from its manifest, and what a crawl's store holds.

Shared by the crawl tests (``test_crawl``, ``test_crawl_resume``); not a test module.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from linkequity.model.links import fold_anchor

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from linkequity.samples.web import Response, SampleWeb

LinkKey = tuple[str, str, str]
#: Longest a stalled request is held (a guard: tests release it long before).
STALL_S = 120.0


class RecordingWeb:
    """A sample web that records every URL it is asked for; ``serve_web`` serves it.

    A request for ``stall_url`` sets ``stalled`` and waits for ``release``
    before it is answered, which holds its client at a known point.
    """

    def __init__(self, web: SampleWeb) -> None:
        self.web = web
        self.requests: list[str] = []
        self.stall_url: str | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def respond(self, url: str) -> Response:
        with self._lock:
            self.requests.append(url)
        if url == self.stall_url:
            self.stalled.set()
            self.release.wait(timeout=STALL_S)
        return self.web.respond(url)

    def served_since(self, start: int) -> int:
        with self._lock:
            return len(self.requests) - start


@dataclass(frozen=True)
class Expected:
    """What a crawl from some seeds, following every link at any depth, should hold.

    ``urls`` maps every URL the crawl reaches to its manifest entry (status,
    expected, location); ``links`` counts the manifest's links of the pages it
    fetches with a 2xx, by (source, target, folded anchor); ``entries`` keeps
    one manifest record of each.
    """

    urls: dict[str, dict[str, Any]]
    links: Counter[LinkKey]
    entries: dict[LinkKey, dict[str, Any]]

    @property
    def fetched(self) -> dict[str, dict[str, Any]]:
        """URLs fetched: every one reached but those robots.txt disallows."""
        return {url: e for url, e in self.urls.items() if e["expected"] != "disallowed"}

    @property
    def disallowed(self) -> set[str]:
        return {url for url, entry in self.urls.items() if entry["expected"] == "disallowed"}

    @property
    def redirects(self) -> dict[str, str]:
        return {url: entry["location"] for url, entry in self.urls.items() if "location" in entry}


def expected_crawl(manifest: dict[str, Any], seeds: Iterable[str]) -> Expected:
    """Walk the manifest from *seeds* as a crawler obeying robots.txt would."""
    statuses = manifest["urls"]
    links_of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in manifest["links"]:
        links_of[link["source"]].append(link)
    reached: dict[str, dict[str, Any]] = {}
    links: Counter[LinkKey] = Counter()
    entries: dict[LinkKey, dict[str, Any]] = {}
    queue = deque(seeds)
    while queue:
        url = queue.popleft()
        if url in reached:
            continue
        entry = reached[url] = statuses.get(url, {"status": 404, "expected": "404"})
        if entry["expected"] == "disallowed":
            continue
        if "location" in entry:
            queue.append(entry["location"])
        elif entry["status"] == 200:
            for link in links_of[url]:
                key = (url, link["target"], fold_anchor(link["anchor"]))
                links[key] += 1
                entries.setdefault(key, link)
                queue.append(link["target"])
    return Expected(reached, links, entries)


@dataclass(frozen=True)
class Stored:
    """What a crawl's snapshot holds in the store."""

    pages: list[dict[str, Any]]
    links: dict[LinkKey, dict[str, Any]]
    sightings: Counter[LinkKey]
    frontier: list[dict[str, Any]]
    snapshots: list[dict[str, Any]]

    def pages_by_url(self) -> dict[str, dict[str, Any]]:
        return {page["url"]: page for page in self.pages}


def _dicts(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_store(db: Path) -> Stored:
    """Read the pages, links, sightings and frontier of the crawl in *db*."""
    with duckdb.connect(str(db), read_only=True) as conn:
        pages = _dicts(
            conn,
            """SELECT u.url, p.status, f.url AS final_url, p.is_indexable,
                p.non_indexable_reason, p.is_robots_allowed, p.crawl_depth
            FROM pages p JOIN urls u ON u.id = p.url_id
            LEFT JOIN urls f ON f.id = p.final_url_id""",
        )
        links = _dicts(
            conn,
            """SELECT s.url AS source, t.url AS target, l.anchor_key, l.link_type, l.placement,
                l.is_sitewide, l.is_nofollow, l.is_sponsored, l.is_ugc
            FROM links l JOIN urls s ON s.id = l.source_url_id
            JOIN urls t ON t.id = l.target_url_id""",
        )
        sightings = _dicts(
            conn,
            """SELECT s.url AS source, t.url AS target, l.anchor_key
            FROM link_sightings g JOIN links l ON l.id = g.link_id
            JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id""",
        )
        frontier = _dicts(
            conn,
            """SELECT snapshot_id, seq, url, depth, state, attempts, status, outcome
            FROM crawl_frontier ORDER BY snapshot_id, seq""",
        )
        snapshots = _dicts(conn, "SELECT id, kind, finished_at FROM snapshots ORDER BY id")
    return Stored(
        pages=pages,
        links={(row["source"], row["target"], row["anchor_key"]): row for row in links},
        sightings=Counter((row["source"], row["target"], row["anchor_key"]) for row in sightings),
        frontier=frontier,
        snapshots=snapshots,
    )
