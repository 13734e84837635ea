"""Fixtures of the integration tests."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from linkequity.model.urls import registrable_domain
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.imports import import_exports, sample_exports
from linkequity.services.ingest import ingest_archives

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from linkequity.samples.web import SampleWeb


def _sample_web() -> SampleWeb:
    """The sample web the tiers and plan tests read: seed 1, 14 sites, 280 pages."""
    return generate_web(1, sites=14, pages=280)


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    """The ground truth of the sample web that `web_db` holds."""
    return _sample_web().manifest()


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of the sample web, ingested from its WARC; tests only read it."""
    folder = tmp_path_factory.mktemp("sample-web")
    write_warc(_sample_web(), folder / "web.warc.gz")
    db = folder / "web.duckdb"
    ingest_archives([folder / "web.warc.gz"], db=db, workers=1)
    return db


@pytest.fixture(scope="session")
def imported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample exports imported: links no page of which was ever fetched; tests only read it."""
    db = tmp_path_factory.mktemp("imported") / "imported.duckdb"
    import_exports(sample_exports(), db=db)
    return db


def domain_of(url: str) -> str:
    """The registrable domain of a URL's host, or the host when it has none."""
    host = urlsplit(url).hostname or ""
    return registrable_domain(host) or host


def majestic_project(db: Path, links: Iterable[tuple[str, str, str]]) -> Path:
    """Import *links* (target URL, source URL, anchor) into *db* as a Majestic export; return *db*.

    The export is written beside *db* as ``majestic.csv``, with Majestic's
    header and every other column empty or "-": a store crafted to the byte.
    """
    majestic = next(path for path in sample_exports() if "majestic" in path.name)
    header = majestic.read_text(encoding="utf-8").splitlines()[0].split(",")
    export = db.parent / "majestic.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for target_url, source_url, anchor in links:
            row = [""] * len(header)
            row[:5] = [target_url, source_url, anchor, "2025-08-23", "2025-04-18"]
            row[5:12] = ["-"] * 7
            writer.writerow(row)
    import_exports([export], db=db)
    return db
