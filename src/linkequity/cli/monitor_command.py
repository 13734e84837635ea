"""``linkequity diff``: new, lost and changed backlinks between two points, and link velocity.

The command parses its arguments, calls ``services.monitor.diff_links`` and
prints the report; ``cli.app`` registers it (``app.command("diff")(diff_)``).
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import DbOption, JsonOption, print_json, write_file
from linkequity.cli.render import safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from datetime import datetime

    from linkequity.services.monitor import LinkDiffReport

__all__ = ["SHOWN_LINKS", "SHOWN_WEEKS", "diff_", "diff_report"]

#: Links of each list the table shows; ``--json`` and ``--csv`` give them all.
SHOWN_LINKS = 50
#: Weeks of velocity the table shows at most (the last ones of the range).
SHOWN_WEEKS = 26
SPIKE_MARK = "SPIKE"


def diff_(
    target: Annotated[
        list[str] | None,
        typer.Argument(
            help="A registrable domain (all its pages), a host (its pages), or URLs; "
            "every backlink of the project if none",
            metavar="TARGET",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Compare from this date, YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC) "
            "[default: 4 weeks before --until]",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Compare up to this date [default: the latest date the backlinks carry, "
            "never after now]",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    since_snapshot: Annotated[
        int | None,
        typer.Option(
            "--since-snapshot",
            help="Compare what the project knew after this snapshot instead of dates "
            "[default: the one before --until-snapshot]",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    until_snapshot: Annotated[
        int | None,
        typer.Option(
            "--until-snapshot",
            help="... against what it knew after this one [default: the latest]",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Also write the new, lost and changed links as CSV", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Show backlinks gained, lost (and why) and changed between two dates, and link velocity."""
    # Imported here, as app.py imports tiers and plan: NumPy and the store stay out of CLI start.
    from linkequity.services import monitor

    settings = load_settings(flags={"store.db": db}).settings
    report = monitor.diff_links(
        settings.store.db,
        target,
        since=since,
        until=until,
        since_snapshot=since_snapshot,
        until_snapshot=until_snapshot,
    )
    if csv_file is not None:
        write_file(lambda path: monitor.write_diff_csv(report, path), csv_file)
    if as_json:
        print_json(report.as_dict())
    else:
        diff_report(report, db=settings.store.db)


def diff_report(report: LinkDiffReport, *, db: Path) -> None:
    """Print a diff: the two points, new, lost and changed backlinks, and weekly velocity."""
    scope = f"Backlinks of {safe_text(' '.join(report.target))}" if report.target else "Backlinks"
    if report.mode == "snapshot":
        points = (
            f"snapshot {report.since_snapshot} and snapshot {report.until_snapshot} "
            "(what the project knew after each)"
        )
    else:
        points = f"{_when(report.since)} and {_when(report.until)}"
    stdout.print(
        Text(
            f"{scope} in {safe_text(db)} between {points}: "
            f"{report.new.num_rows:,} new, {report.lost.num_rows:,} lost, "
            f"{report.changed.num_rows:,} changed. Live: {report.live_before:,} -> "
            f"{report.live_after:,} links from {report.domains_before:,} -> "
            f"{report.domains_after:,} referring domains."
        )
    )
    _links_table(
        f"New backlinks ({report.new.num_rows:,})",
        report.new,
        [("first seen", "first_seen"), ("linking page", "source_url"), ("target", "target_url"),
         ("anchor", "anchor"), ("rel", "rel"), ("now", "status")],
    )  # fmt: skip
    _links_table(
        f"Lost backlinks ({report.lost.num_rows:,})",
        report.lost,
        [("lost", "lost_at"), ("last seen", "last_seen"), ("linking page", "source_url"),
         ("target", "target_url"), ("anchor", "anchor"), ("reason", "reason"),
         ("detail", "detail"), ("from", "origin")],
    )  # fmt: skip
    _links_table(
        f"Changed backlinks ({report.changed.num_rows:,})",
        report.changed,
        [("changed", "changed_at"), ("linking page", "source_url"), ("target", "target_url"),
         ("anchor", "anchor"), ("change", "change")],
    )  # fmt: skip
    _velocity_table(report)


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return f"{value:%Y-%m-%d}" if value.time() == value.min.time() else f"{value:%Y-%m-%d %H:%M}"


def _cell(value: Any) -> Text:
    if value is None:
        return Text("")
    if hasattr(value, "strftime"):
        return Text(_when(value))
    return Text(safe_text(value, limit=200))


def _links_table(title: str, rows: Any, columns: list[tuple[str, str]]) -> None:
    if not rows.num_rows:
        stdout.print(Text(f"{title}: none."))
        return
    table = Table(title=title, title_justify="left")
    for heading, _ in columns:
        table.add_column(heading, overflow="fold")
    for row in rows.slice(0, SHOWN_LINKS).to_pylist():
        table.add_row(*(_cell(row[name]) for _, name in columns))
    stdout.print(table)
    if rows.num_rows > SHOWN_LINKS:
        stdout.print(Text(f"… and {rows.num_rows - SHOWN_LINKS:,} more; --json or --csv lists all"))


def _velocity_table(report: LinkDiffReport) -> None:
    weeks = report.velocity.filter(report.velocity.column("is_in_range"))
    weeks = weeks.slice(max(0, weeks.num_rows - SHOWN_WEEKS))
    if not weeks.num_rows:
        stdout.print(Text("Link velocity: no week with a backlink."))
        return
    table = Table(title="Link velocity per ISO week", title_justify="left")
    for column in ("week", "new links", "lost links", "new domains", "lost domains"):
        table.add_column(column, justify="right")
    table.add_column("spike")
    for row in weeks.to_pylist():
        marks = [
            name
            for name, flag in (("links", row["is_link_spike"]), ("domains", row["is_domain_spike"]))
            if flag
        ]
        table.add_row(
            row["week"],
            f"{row['new_links']:,}",
            f"{row['lost_links']:,}",
            f"{row['new_domains']:,}",
            f"{row['lost_domains']:,}",
            f"{SPIKE_MARK}: {', '.join(marks)}" if marks else "",
        )
    stdout.print(table)
    spikes = report.spike_weeks
    verdict = (
        f"Spike weeks: {', '.join(spikes)} ({report.links_in_spikes:,} backlinks came in them)."
        if spikes
        else "No spike week."
    )
    stdout.print(Text(f"{verdict} Rule: {report.spike_rule.describe()}."))
