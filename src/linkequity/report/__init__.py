"""Analysis results as files people hand on: HTML, CSV/JSON and Google's disavow format."""

from linkequity.report.csv import csv_cell, write_csv
from linkequity.report.disavow import (
    DisavowDiff,
    DisavowEntry,
    DisavowLint,
    LintProblem,
    diff_disavow,
    lint_disavow,
    parse_entry_list,
    write_disavow,
)

__all__ = [
    "DisavowDiff",
    "DisavowEntry",
    "DisavowLint",
    "LintProblem",
    "diff_disavow",
    "lint_disavow",
    "parse_entry_list",
    "csv_cell",
    "write_csv",
    "write_disavow",
]
