"""The sample web's Ahrefs export: read as Ahrefs, its live rows real links, its lost rows dated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from linkequity.parsing.export_formats import detect_format
from linkequity.parsing.exports import RowReader
from linkequity.samples.web import generate_web
from linkequity.samples.web.backlinks_export import (
    LOST_PER_KIND,
    LOST_WITHIN_DAYS,
    ahrefs_export,
    exported_links,
)
from linkequity.sources.exports import read_export

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.samples.web import SampleWeb

NOW = datetime(2026, 12, 3, 12, 0, 0)


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(1, pages=200)


def _backlinks(web: SampleWeb) -> set[tuple[str, str, str]]:
    host = web.target.host
    return {
        (source, link.target, link.anchor)
        for source, link in web.links()
        if urlsplit(link.target).hostname == host and urlsplit(source).hostname != host
    }


def test_export_is_read_as_an_ahrefs_export_row_for_row(web: SampleWeb, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(ahrefs_export(web, now=NOW))
    assert path.read_bytes()[:2] == b"\xff\xfe"  # UTF-16LE with its BOM, as Ahrefs writes
    table = read_export(path)
    fmt = detect_format(table.headers)
    assert fmt.name == "ahrefs_backlinks"
    reader = RowReader(fmt, table.headers)
    records = [reader.read(row.fields, line=row.line) for row in table.rows()]
    rows = exported_links(web, now=NOW)
    assert [(r.source_url, r.target_url, r.anchor) for r in records] == [
        (row.source_url, row.target_url, row.anchor) for row in rows
    ]
    assert [r.lost_at for r in records] == [
        None if row.lost_at is None else row.lost_at.replace(tzinfo=UTC) for row in rows
    ]


def test_live_rows_are_most_of_the_money_sites_readable_backlinks(web: SampleWeb) -> None:
    rows = exported_links(web, now=NOW)
    live = [row for row in rows if row.lost_at is None]
    backlinks = _backlinks(web)
    readable = set(web.urls(include_disallowed=False))
    assert {(row.source_url, row.target_url, row.anchor) for row in live} <= backlinks
    assert all(row.source_url in readable for row in live)
    assert 0.6 * len(backlinks) < len(live) < len(backlinks)
    assert all(row.first_seen < row.last_seen < NOW for row in live)


def test_lost_rows_are_links_no_page_carries_lost_lately(web: SampleWeb) -> None:
    rows = exported_links(web, now=NOW)
    lost = [row for row in rows if row.lost_at is not None]
    assert len(lost) == 2 * LOST_PER_KIND
    pages = {source for source, _, _ in _backlinks(web)}
    gone = set(web.spec.dead_urls)
    for row in lost:
        assert row.lost_at is not None
        assert NOW - timedelta(days=LOST_WITHIN_DAYS + 1) < row.lost_at < NOW
        assert row.first_seen < row.last_seen < row.lost_at
        assert row.source_url not in pages  # no page of the web links to the target from it
        assert urlsplit(row.target_url).hostname == web.target.host
        if row.lost_reason == "404":
            assert row.source_url in gone
            assert row.source_status == 404
        else:
            assert row.lost_reason == "removed"
            assert web.page(row.source_url) is not None


def test_export_is_the_same_for_the_same_web_and_present(web: SampleWeb) -> None:
    assert ahrefs_export(web, now=NOW) == ahrefs_export(generate_web(1, pages=200), now=NOW)
