"""`linkequity crawl --warc`: every response kept, and read back by `ingest` as crawled."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from linkequity.samples.web import generate_web, serve_web
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

pytestmark = [pytest.mark.loopback, pytest.mark.slow]


def _links(db: Path) -> set[tuple[str, str, str, bool, str]]:
    with Store.open(db, read_only=True) as store:
        rows = store._conn.execute(  # noqa: SLF001 - a test reads the tables directly
            """SELECT s.url, t.url, l.anchor, l.is_nofollow, l.placement FROM links l
            JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id"""
        ).fetchall()
    return {tuple(row) for row in rows}


def test_warc_of_a_crawl_ingests_to_the_same_links(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    web = generate_web(2)
    warc = tmp_path / "crawl.warc.gz"
    with serve_web(web, workers=64) as base:
        crawled = cli(
            "crawl",
            *(f"http://{host}/" for host in web.hosts),
            "--db", str(tmp_path / "crawl.duckdb"),
            "--mode", "web",
            "--allow-private",
            "--resolve-to", base.removeprefix("http://"),
            "--delay", "0",
            "--warc", str(warc),
            "--json",
        )  # fmt: skip
    assert crawled.exit_code == 0, crawled.stderr
    fetched = json.loads(crawled.stdout)["progress"]["fetched"]

    ingested = cli("ingest", str(warc), "--db", str(tmp_path / "warc.duckdb"), "--json")
    assert ingested.exit_code == 0, ingested.stderr
    assert json.loads(ingested.stdout)["files"][0]["pages"] == fetched
    assert _links(tmp_path / "warc.duckdb") == _links(tmp_path / "crawl.duckdb")
