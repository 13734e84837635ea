"""The store's consistency checks hold on real projects, and each one catches what it names.

A project holding a crawl of the sample web, an ingested WARC and the sample
exports passes every check; then, on a copy each, one statement breaks one
rule (a duplicated row, a dangling id, a URL claimed forever, a page lost)
and that rule's check must report it.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import duckdb
import pytest

from linkequity.samples.web import generate_web, serve_web, write_warc
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl
from linkequity.services.imports import import_exports, sample_exports
from linkequity.services.ingest import ingest_archives
from linkequity.settings import CrawlSettings
from linkequity.store.consistency import CONSISTENCY_CHECKS, check_consistency

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

#: The crawl's snapshot is the first: the project starts with it.
CRAWL = 1
#: An id no table holds.
NOWHERE = 10**9

#: One statement per check that breaks exactly the rule the check names.
BREAKS: dict[str, str] = {
    "urls.unique_id": "INSERT INTO urls SELECT * REPLACE (url || '#copy' AS url) FROM urls LIMIT 1",
    "urls.unique_url": (
        "INSERT INTO urls SELECT * REPLACE ((SELECT max(id) + 1 FROM urls) AS id) FROM urls LIMIT 1"
    ),
    "links.unique_id": (
        "INSERT INTO links SELECT * REPLACE (anchor_key || ' copy' AS anchor_key) "
        "FROM links LIMIT 1"
    ),
    "links.unique_key": (
        "INSERT INTO links SELECT * REPLACE ((SELECT max(id) + 1 FROM links) AS id) "
        "FROM links LIMIT 1"
    ),
    "links.source_exists": f"UPDATE links SET source_url_id = {NOWHERE} WHERE id = 1",
    "links.target_exists": f"UPDATE links SET target_url_id = {NOWHERE} WHERE id = 1",
    "links.snapshots_exist": f"UPDATE links SET last_snapshot_id = {NOWHERE} WHERE id = 1",
    "links.sighted": "DELETE FROM link_sightings WHERE link_id = 1",
    "sightings.unique_row": "INSERT INTO link_sightings SELECT * FROM link_sightings LIMIT 1",
    "sightings.link_exists": (
        f"UPDATE link_sightings SET link_id = {NOWHERE} WHERE row = 0 AND file_id = 1"
    ),
    "sightings.file_exists": f"UPDATE link_sightings SET file_id = {NOWHERE} WHERE row = 0",
    "files.snapshot_exists": f"UPDATE files SET snapshot_id = {NOWHERE} WHERE id = 1",
    "pages.urls_exist": f"UPDATE pages SET final_url_id = {NOWHERE} WHERE url_id = 1",
    "pages.snapshot_exists": (
        f"UPDATE pages SET snapshot_id = {NOWHERE} WHERE snapshot_id > {CRAWL} AND url_id = "
        f"(SELECT min(url_id) FROM pages WHERE snapshot_id > {CRAWL})"
    ),
    "pages.once_per_crawl": (
        f"INSERT INTO pages SELECT * FROM pages WHERE snapshot_id = {CRAWL} LIMIT 1"
    ),
    "frontier.unique_seq": (
        "INSERT INTO crawl_frontier SELECT * REPLACE (url || '#copy' AS url) "
        "FROM crawl_frontier LIMIT 1"
    ),
    "frontier.unique_url": (
        "INSERT INTO crawl_frontier SELECT * REPLACE (seq + 1000000 AS seq) "
        "FROM crawl_frontier LIMIT 1"
    ),
    "frontier.valid_state": "UPDATE crawl_frontier SET state = 'lost' WHERE seq = 1",
    "frontier.none_claimed_forever": "UPDATE crawl_frontier SET state = 'in_flight' WHERE seq = 1",
    "frontier.settled_page_stored": (
        f"DELETE FROM pages WHERE snapshot_id = {CRAWL} AND url_id = "
        "(SELECT u.id FROM urls u JOIN crawl_frontier f ON f.url = u.url WHERE f.seq = 1)"
    ),
    "frontier.stored_page_settled": "UPDATE crawl_frontier SET state = 'queued' WHERE seq = 1",
    "page_texts.url_exists": f"UPDATE page_texts SET url_id = {NOWHERE} WHERE url_id = "
    "(SELECT min(url_id) FROM page_texts)",
    "link_checks.link_exists": (
        "INSERT INTO link_checks (snapshot_id, link_id, checked_at, outcome, redirects) "
        f"VALUES ({CRAWL}, {NOWHERE}, now()::TIMESTAMP, 'present', 0)"
    ),
    "page_metrics.url_exists": (
        f"INSERT INTO page_metrics (snapshot_id, url_id) VALUES ({CRAWL}, {NOWHERE})"
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A crawl of a small sample web, the WARC of another and the sample exports, in one file."""
    folder = tmp_path_factory.mktemp("consistency")
    db = folder / "project.duckdb"
    crawled = generate_web(3, sites=14, pages=200)
    with serve_web(crawled) as base:
        plan = CrawlPlan(
            seeds=tuple(site.base for site in crawled.sites),
            mode=CrawlMode.WEB,
            max_depth=50,
            allow_private=True,
            resolve_to=base.removeprefix("http://"),
        )
        crawl(plan, db=db, tuning=CrawlSettings(delay_s=0.0, workers=1))
    write_warc(generate_web(4, sites=14, pages=200), folder / "web.warc.gz")
    ingest_archives([folder / "web.warc.gz"], db=db, workers=1)
    import_exports(sample_exports(), db=db)
    return db


def test_every_check_holds_on_a_project_of_crawl_ingest_and_imports(project: Path) -> None:
    with duckdb.connect(str(project), read_only=True) as conn:
        report = check_consistency(conn)
        tables = conn.execute(
            "SELECT count(*) FROM crawl_frontier WHERE snapshot_id = ?", [CRAWL]
        ).fetchone()

    assert tables is not None
    assert tables[0] > 100
    assert report.is_consistent, report.broken
    assert [result.name for result in report.results] == [c.name for c in CONSISTENCY_CHECKS]


def test_every_check_has_a_way_to_break_it() -> None:
    assert set(BREAKS) == {check.name for check in CONSISTENCY_CHECKS}


@pytest.mark.parametrize("name", list(BREAKS))
def test_each_check_reports_the_rule_broken(project: Path, tmp_path: Path, name: str) -> None:
    broken = tmp_path / "broken.duckdb"
    shutil.copy(project, broken)
    with duckdb.connect(str(broken)) as conn:
        conn.execute(BREAKS[name])
        report = check_consistency(conn)

    [result] = [result for result in report.results if result.name == name]
    assert not report.is_consistent
    assert result.violations >= 1
    assert result.examples
    assert report.as_dict()["is_consistent"] is False


def test_the_check_command_says_which_rule_is_broken_and_exits_1(
    cli: Callable[..., CliResult], project: Path, tmp_path: Path
) -> None:
    assert cli("check", "--db", project).exit_code == 0
    broken = tmp_path / "broken.duckdb"
    shutil.copy(project, broken)
    with duckdb.connect(str(broken)) as conn:
        conn.execute(BREAKS["links.unique_key"])

    result = cli("check", "--db", broken, "--json")

    assert result.exit_code == 1
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    broken_rules = [name for name, check in checks.items() if check["violations"]]
    assert "links.unique_key" in broken_rules
    assert f"{len(broken_rules)} of {len(CONSISTENCY_CHECKS)} rules broken" in (
        cli("check", "--db", broken).stdout
    )
