"""Analysis results as files people hand on: HTML, CSV/JSON and Google's disavow format."""

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
    "write_disavow",
]
