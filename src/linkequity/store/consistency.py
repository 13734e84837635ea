"""Is the store consistent? Named SQL checks of what every write must leave true.

Each check is a query whose rows are violations: none means the rule holds.
They hold after any number of crashes, because every unit of work (an imported
file, a crawl batch with the settling of its URLs) is one transaction; the
proof suite runs them after killing crawls and ingests with SIGKILL, and a
command may run them on a user's project.

The rules, by table:

* ``urls``: one row per id and one per URL.
* ``links``: one row per id and per ``(source_url_id, target_url_id,
  anchor_key)``; both ends are URLs of the store; the snapshots named exist;
  every link was sighted at least once.
* ``link_sightings``: one row per ``(file_id, row)``; its link and file exist.
* ``pages``: its URLs (fetched, final, canonical) and snapshot exist; a crawl
  stores a URL once per snapshot.
* ``crawl_frontier``: one row per ``seq`` and per URL of a crawl; states are
  ``queued``, ``in_flight``, ``done``, ``failed`` or ``excluded``; a finished
  crawl holds no URL in flight (none claimed forever); a URL is settled if and
  only if its page is stored (none lost, none stored without its settling).
* ``files``, ``page_texts``, ``link_checks``, ``page_metrics``: what they name
  exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkequity.store.queries import fetch_int

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "CONSISTENCY_CHECKS",
    "CheckResult",
    "ConsistencyCheck",
    "ConsistencyReport",
    "check_consistency",
]

#: Violating rows a result shows at most.
SHOWN_VIOLATIONS = 3


@dataclass(frozen=True, slots=True)
class ConsistencyCheck:
    """One rule: its name, what it asserts, and the query of the rows that break it."""

    name: str
    rule: str
    violations_sql: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """How one rule fared: rows that break it, and the first few of them as text."""

    name: str
    rule: str
    violations: int
    examples: tuple[str, ...] = ()

    @property
    def is_holding(self) -> bool:
        """Whether no row breaks the rule."""
        return self.violations == 0


@dataclass(frozen=True, slots=True)
class ConsistencyReport:
    """Every rule checked on one store."""

    results: tuple[CheckResult, ...]

    @property
    def is_consistent(self) -> bool:
        """Whether every rule holds."""
        return all(result.is_holding for result in self.results)

    @property
    def broken(self) -> tuple[CheckResult, ...]:
        """The rules some row breaks."""
        return tuple(result for result in self.results if not result.is_holding)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {
            "is_consistent": self.is_consistent,
            "checks": [
                {
                    "name": result.name,
                    "rule": result.rule,
                    "violations": result.violations,
                    "examples": list(result.examples),
                }
                for result in self.results
            ],
        }


def _duplicates(table: str, key: str, where: str = "") -> str:
    # Constant names from this module only, never input.
    return f"SELECT {key}, count(*) AS copies FROM {table} {where} GROUP BY ALL HAVING count(*) > 1"  # noqa: S608


def _missing(table: str, column: str, parent: str, parent_key: str = "id") -> str:
    return (
        f"SELECT {column} FROM {table} c WHERE {column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {parent} p WHERE p.{parent_key} = c.{column})"
    )


#: The rules, in the order they are checked.
CONSISTENCY_CHECKS: tuple[ConsistencyCheck, ...] = (
    ConsistencyCheck("urls.unique_id", "one urls row per id", _duplicates("urls", "id")),
    ConsistencyCheck("urls.unique_url", "one urls row per URL", _duplicates("urls", "url")),
    ConsistencyCheck("links.unique_id", "one links row per id", _duplicates("links", "id")),
    ConsistencyCheck(
        "links.unique_key",
        "one link per (source, target, folded anchor)",
        _duplicates("links", "source_url_id, target_url_id, anchor_key"),
    ),
    ConsistencyCheck(
        "links.source_exists",
        "a link's source is a URL of the store",
        _missing("links", "source_url_id", "urls"),
    ),
    ConsistencyCheck(
        "links.target_exists",
        "a link's target is a URL of the store",
        _missing("links", "target_url_id", "urls"),
    ),
    ConsistencyCheck(
        "links.snapshots_exist",
        "a link's first and last snapshots exist",
        _missing("links", "first_snapshot_id", "snapshots")
        + " UNION ALL "
        + _missing("links", "last_snapshot_id", "snapshots"),
    ),
    ConsistencyCheck(
        "links.sighted",
        "every link was sighted at least once",
        "SELECT id FROM links l WHERE NOT EXISTS "
        "(SELECT 1 FROM link_sightings s WHERE s.link_id = l.id)",
    ),
    ConsistencyCheck(
        "sightings.unique_row",
        "one sighting per (file, row)",
        _duplicates("link_sightings", "file_id, row"),
    ),
    ConsistencyCheck(
        "sightings.link_exists",
        "a sighting's link exists",
        _missing("link_sightings", "link_id", "links"),
    ),
    ConsistencyCheck(
        "sightings.file_exists",
        "a sighting's file exists",
        _missing("link_sightings", "file_id", "files"),
    ),
    ConsistencyCheck(
        "files.snapshot_exists",
        "a file's snapshot exists",
        _missing("files", "snapshot_id", "snapshots"),
    ),
    ConsistencyCheck(
        "pages.urls_exist",
        "a page's URL, final URL and canonical URL are URLs of the store",
        _missing("pages", "url_id", "urls")
        + " UNION ALL "
        + _missing("pages", "final_url_id", "urls")
        + " UNION ALL "
        + _missing("pages", "canonical_url_id", "urls"),
    ),
    ConsistencyCheck(
        "pages.snapshot_exists",
        "a page's snapshot exists",
        _missing("pages", "snapshot_id", "snapshots"),
    ),
    ConsistencyCheck(
        "pages.once_per_crawl",
        "a crawl stores each URL's page once",
        _duplicates(
            "pages",
            "snapshot_id, url_id",
            "WHERE snapshot_id IN (SELECT id FROM snapshots WHERE kind = 'crawl')",
        ),
    ),
    ConsistencyCheck(
        "frontier.unique_seq",
        "one frontier row per (crawl, seq)",
        _duplicates("crawl_frontier", "snapshot_id, seq"),
    ),
    ConsistencyCheck(
        "frontier.unique_url",
        "one frontier row per (crawl, URL)",
        _duplicates("crawl_frontier", "snapshot_id, url"),
    ),
    ConsistencyCheck(
        "frontier.valid_state",
        "a frontier state is queued, in_flight, done, failed or excluded",
        "SELECT snapshot_id, url, state FROM crawl_frontier WHERE state NOT IN "
        "('queued', 'in_flight', 'done', 'failed', 'excluded')",
    ),
    ConsistencyCheck(
        "frontier.none_claimed_forever",
        "a finished crawl holds no URL in flight",
        "SELECT f.snapshot_id, f.url FROM crawl_frontier f JOIN snapshots s "
        "ON s.id = f.snapshot_id WHERE f.state = 'in_flight' AND s.finished_at IS NOT NULL",
    ),
    ConsistencyCheck(
        "frontier.settled_page_stored",
        "a URL the crawl settled has its page stored (no page lost)",
        "SELECT f.snapshot_id, f.url, f.state FROM crawl_frontier f "
        "WHERE f.state IN ('done', 'failed', 'excluded') AND NOT EXISTS (SELECT 1 FROM pages p "
        "JOIN urls u ON u.id = p.url_id WHERE p.snapshot_id = f.snapshot_id AND u.url = f.url)",
    ),
    ConsistencyCheck(
        "frontier.stored_page_settled",
        "a page a crawl stored has its URL settled in the frontier",
        "SELECT p.snapshot_id, u.url FROM pages p JOIN urls u ON u.id = p.url_id "
        "WHERE p.snapshot_id IN (SELECT DISTINCT snapshot_id FROM crawl_frontier) "
        "AND NOT EXISTS (SELECT 1 FROM crawl_frontier f WHERE f.snapshot_id = p.snapshot_id "
        "AND f.url = u.url AND f.state IN ('done', 'failed', 'excluded'))",
    ),
    ConsistencyCheck(
        "page_texts.url_exists",
        "a page text's URL exists",
        _missing("page_texts", "url_id", "urls"),
    ),
    ConsistencyCheck(
        "link_checks.link_exists",
        "a link check's link exists",
        _missing("link_checks", "link_id", "links"),
    ),
    ConsistencyCheck(
        "page_metrics.url_exists",
        "a page metric's URL exists",
        _missing("page_metrics", "url_id", "urls"),
    ),
)


def check_consistency(
    conn: duckdb.DuckDBPyConnection,
    checks: tuple[ConsistencyCheck, ...] = CONSISTENCY_CHECKS,
) -> ConsistencyReport:
    """Run every check on the store open on *conn* (read-only is enough).

    Returns
    -------
    ConsistencyReport
        One result per check, in order, with the count of rows that break it
        and the first ``SHOWN_VIOLATIONS`` of them.
    """
    results = []
    for check in checks:
        count = fetch_int(conn, f"SELECT count(*) FROM ({check.violations_sql})")  # noqa: S608 - constant SQL
        examples: tuple[str, ...] = ()
        if count:
            rows = conn.execute(
                f"SELECT * FROM ({check.violations_sql}) LIMIT {SHOWN_VIOLATIONS}"  # noqa: S608
            ).fetchall()
            examples = tuple(", ".join(map(str, row)) for row in rows)
        results.append(CheckResult(check.name, check.rule, count, examples))
    return ConsistencyReport(tuple(results))
