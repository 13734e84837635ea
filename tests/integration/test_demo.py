"""`linkequity demo`, the README's first command: the sample web crawled into a new project."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from linkequity.samples.web import generate_web

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

pytestmark = [pytest.mark.loopback, pytest.mark.slow]


def test_demo_crawls_the_whole_sample_web(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    db = tmp_path / "demo.duckdb"
    result = cli("demo", "--db", str(db), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    urls = generate_web(1).manifest()["urls"]
    expected = Counter(url["expected"] for url in urls.values())
    pages = [
        url
        for url, truth in urls.items()
        if truth["expected"] != "disallowed"
        and not url.split("/", 3)[3].startswith(("robots.txt", "sitemap"))
    ]

    states = report["crawl"]["urls_by_state"]
    assert report["sites"] == 20
    assert states["excluded"] == expected["disallowed"]
    assert states["failed"] == 0
    assert states["queued"] == states["in_flight"] == 0
    # Every page the robots.txt allows is reached by links or redirects from the home
    # pages and fetched once (robots.txt files are fetched apart and not counted).
    assert report["crawl"]["progress"]["fetched"] == states["done"] == len(pages)
    assert report["crawl"]["stats"]["referring_domains"] == 20
    assert report["crawl"]["sitewide_sightings"] > 0


def test_demo_refuses_to_overwrite_a_project(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    db = tmp_path / "demo.duckdb"
    db.write_bytes(b"")
    result = cli("demo", "--db", str(db))
    assert result.exit_code == 2
    assert "exists" in result.stderr
