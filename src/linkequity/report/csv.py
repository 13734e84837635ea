"""CSV exports that a spreadsheet opens safely.

Text in these files comes from the web: an anchor or a title may start with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which a spreadsheet
would run as a formula (OWASP's "CSV injection"). Such a cell gets a leading
apostrophe, which spreadsheets show as text and do not keep.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

__all__ = ["csv_cell", "write_csv"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Return *value*, with an apostrophe before text a spreadsheet would run as a formula.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-1"), csv_cell(-1), csv_cell("plain")
    ("'=HYPERLINK(1)", "'-1", -1, 'plain')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and rows as UTF-8 CSV, every cell through ``csv_cell``; count the rows.

    A row shorter than the header is padded with empty cells.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    width = len(header)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(value) for value in [*row, *[""] * (width - len(row))]])
            count += 1
    return count
