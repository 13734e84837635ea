"""CSV exports: formula-looking text neutralised, rows padded and counted."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import pytest

from linkequity.report.csv import csv_cell, write_csv

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x")']
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", "", " =1", 3, -1.5, None])
def test_other_values_are_kept(value: object) -> None:
    assert csv_cell(value) == value


def test_write_csv_pads_short_rows_neutralises_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    rows = [["a", "=evil()", 1], ["b"]]
    assert write_csv(path, ["name", "anchor", "n"], rows) == 2
    with path.open(newline="", encoding="utf-8") as read:
        assert list(csv.reader(read)) == [
            ["name", "anchor", "n"],
            ["a", "'=evil()", "1"],
            ["b", "", ""],
        ]
