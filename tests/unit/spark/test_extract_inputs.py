"""What the Spark extraction takes as input, checked before any Spark starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from linkequity.errors import UnreadableArchive, UsageError
from linkequity.spark.extract import expand_inputs, extract_archives

if TYPE_CHECKING:
    from pathlib import Path


def _touch(*paths: Path) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_folders_give_their_archives_sorted_and_patterns_their_matches(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    _touch(crawl / "b.warc.gz", crawl / "a.warc.wat.gz", crawl / "notes.txt", crawl / "x" / "c.arc")
    _touch(tmp_path / "2.warc", tmp_path / "1.warc")

    assert expand_inputs([str(crawl)]) == [
        crawl / "a.warc.wat.gz",
        crawl / "b.warc.gz",
        crawl / "x" / "c.arc",
    ]
    assert expand_inputs([str(tmp_path / "*.warc")]) == [tmp_path / "1.warc", tmp_path / "2.warc"]


def test_inputs_that_name_nothing_are_one_line_each(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        expand_inputs([str(tmp_path / "absent.warc.gz")])
    with pytest.raises(UsageError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.warc.gz")])
    with pytest.raises(UsageError, match="read as local paths") as caught:
        expand_inputs(["s3a://commoncrawl/crawl-data/x.warc.gz"])
    assert "docs/spark.md" in caught.value.hint
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnreadableArchive, match="no .warc"):
        expand_inputs([str(tmp_path / "empty")])


def test_partitions_must_be_positive(tmp_path: Path) -> None:
    archive = tmp_path / "one.warc"
    archive.write_bytes(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n")
    with pytest.raises(UsageError, match="at least 1, not 0"):
        extract_archives([str(archive)], str(tmp_path / "out"), partitions=0)
