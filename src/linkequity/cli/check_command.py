"""``linkequity check``: is a project consistent? Every rule of the store, checked.

The Typer function is registered by ``cli.app`` as ``app.command("check")(check_)``.
It exits with status 1 when a rule is broken, so a script can stop on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import DbOption, JsonOption, print_json
from linkequity.cli.render import safe_text, stdout
from linkequity.services import stats
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.store import ConsistencyReport

__all__ = ["check_", "print_consistency"]


def check_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check that a project is consistent: no duplicates, nothing dangling, no crawl URL lost."""
    db_path = load_settings(flags={"store.db": db}).settings.store.db
    report = stats.check_project(db_path)
    if as_json:
        print_json(report.as_dict())
    else:
        print_consistency(report, db=db_path)
    if not report.is_consistent:
        raise typer.Exit(1)


def print_consistency(report: ConsistencyReport, *, db: Path) -> None:
    """Print each rule with the rows that break it, and a verdict."""
    table = Table(title=Text(f"Consistency of {safe_text(db)}"), title_justify="left")
    table.add_column("rule")
    table.add_column("check")
    table.add_column("violations", justify="right")
    table.add_column("first rows breaking it")
    for result in report.results:
        table.add_row(
            result.rule,
            result.name,
            Text(f"{result.violations:,}", style="" if result.is_holding else "bold red"),
            Text(safe_text("; ".join(result.examples))),  # rows hold text from the web
        )
    stdout.print(table)
    broken = len(report.broken)
    if broken:
        stdout.print(
            Text(f"{broken} of {len(report.results)} rules broken.", style="bold red"),
            "Restore the project from a copy, or rebuild it from its exports and archives.",
        )
    else:
        stdout.print(f"All {len(report.results)} rules hold.")
