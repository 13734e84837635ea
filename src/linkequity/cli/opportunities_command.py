"""``linkequity opportunities``: broken links, reclamation, brand mentions and competitor gap.

The command function is registered by ``cli.app`` (``app.command("opportunities")``);
its tables are drawn here with ``cli.render``'s console and ``safe_text``.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import (
    BrandOption,
    CompetitorsOption,
    DbOption,
    JsonOption,
    SnapshotOption,
    TargetArgument,
    print_json,
    read_list,
    write_file,
)
from linkequity.cli.render import safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from linkequity.services.opportunities import OpportunitiesReport

__all__ = ["opportunities_", "opportunities_report"]

#: The parts ``--only`` takes (``services.opportunities.PARTS``, which loads
#: SciPy and numba: the service is imported when the command runs, not at start).
PART_NAMES = ("broken", "reclaim", "mentions", "gap")


def opportunities_(
    target: TargetArgument,
    db: DbOption = None,
    competitors: CompetitorsOption = None,
    brand: BrandOption = None,
    min_competitors: Annotated[
        int,
        typer.Option(
            "--min-competitors",
            help="Fewest competitors a gap domain links to",
            metavar="N",
        ),
    ] = 2,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help=f"Only this part (repeatable): {', '.join(PART_NAMES)}",
            metavar="PART",
            show_default=False,
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Rows listed in each part", metavar="N")] = 20,
    snapshot: SnapshotOption = None,
    as_json: JsonOption = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the opportunities as CSV", metavar="FILE"),
    ] = None,
) -> None:
    """Find link opportunities for TARGET: broken links, reclamation, brand mentions, gap."""
    from linkequity.services import opportunities as finding

    settings = load_settings(flags={"store.db": db}).settings
    report = finding.find_opportunities(
        settings.store.db,
        target,
        competitors=read_list(competitors),
        brands=brand or None,
        min_competitors=min_competitors,
        snapshot_id=snapshot,
        top=top,
        parts=only or PART_NAMES,
    )
    if csv_file is not None:
        write_file(lambda path: finding.write_opportunities_csv(report, path), csv_file)
    if as_json:
        print_json(report.as_dict())
    else:
        opportunities_report(report, db=settings.store.db)


def opportunities_report(report: OpportunitiesReport, *, db: Path) -> None:
    """Print the opportunities: a table per part, then the notes."""
    stdout.print(
        Text(
            f"Link opportunities for {safe_text(' '.join(report.target))} in snapshot "
            f"{report.snapshot_id} of {safe_text(db)}"
            + (
                f" (authority from snapshot {report.authority_snapshot_id})."
                if report.authority_snapshot_id is not None
                else " (not ranked: no authority)."
            )
        )
    )
    if "broken" in report.parts:
        _broken_table(report)
    if "reclaim" in report.parts:
        _reclaim_table(report)
    if "mentions" in report.parts:
        _mentions_table(report)
    if "gap" in report.parts:
        _gap_table(report)
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note, limit=600)}"))


def _title(name: str, shown: int, found: int) -> Text:
    """Return a table title; *name* may hold a user's brand: never read as markup."""
    return Text(safe_text(f"{name}: {shown} of {found}" if found > shown else f"{name}: {found}"))


def _number(value: Any, digits: str = ".0f") -> str:
    return "-" if value is None else format(value, digits)


def _broken_table(report: OpportunitiesReport) -> None:
    table = Table(
        title=_title(
            "Broken link building (pages linking to dead URLs)",
            len(report.broken),
            report.found["broken"],
        ),
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("page", overflow="fold", ratio=2)
    table.add_column("authority", justify="right", no_wrap=True)
    table.add_column("relevance", justify="right", no_wrap=True)
    table.add_column("dead link", overflow="fold", ratio=2)
    table.add_column("why", overflow="fold", ratio=1)
    for number, row in enumerate(report.broken, start=1):
        first = row["dead_links"][0]
        more = len(row["dead_links"]) - 1
        table.add_row(
            str(number),
            Text(safe_text(row["url"], limit=200)),
            _number(row["authority"]),
            _number(row["relevance"], ".2f"),
            Text(
                safe_text(f'{first["url"]} ({first["reason"]}) "{first["anchor"]}"', limit=300)
                + (f" and {more} more" if more else "")
            ),
            Text(safe_text(row["why"])),
        )
    stdout.print(table)


def _reclaim_table(report: OpportunitiesReport) -> None:
    table = Table(
        title=_title(
            "Reclamation (links to the target's dead URLs)",
            len(report.reclaim),
            report.found["reclaim"],
        ),
        title_justify="left",
    )
    table.add_column("dead URL", overflow="fold", ratio=2)
    table.add_column("domains", justify="right", no_wrap=True)
    table.add_column("links from", overflow="fold", ratio=2)
    table.add_column("301 to", overflow="fold", ratio=2)
    table.add_column("why", overflow="fold", ratio=2)
    for row in report.reclaim:
        sources = [link["source"] for link in row["links"]]
        shown = ", ".join(sources[:3]) + (
            f" and {len(sources) - 3} more" if len(sources) > 3 else ""
        )
        table.add_row(
            Text(safe_text(f"{row['url']} ({row['reason']})", limit=250)),
            str(row["referring_domains"]),
            Text(safe_text(shown, limit=600)),
            Text(safe_text(row["redirect_to"] or "-", limit=200)),
            Text(safe_text(row["redirect_why"])),
        )
    stdout.print(table)


def _mentions_table(report: OpportunitiesReport) -> None:
    table = Table(
        title=_title(
            f"Unlinked mentions of {', '.join(report.brands)}",
            len(report.mentions),
            report.found["mentions"],
        ),
        title_justify="left",
    )
    table.add_column("page", overflow="fold", ratio=2)
    table.add_column("authority", justify="right", no_wrap=True)
    table.add_column("mentions", justify="right", no_wrap=True)
    table.add_column("context", overflow="fold", ratio=3)
    for row in report.mentions:
        table.add_row(
            Text(safe_text(row["url"], limit=200)),
            _number(row["authority"]),
            str(row["mentions"]),
            Text(safe_text(row["snippet"])),
        )
    stdout.print(table)


def _gap_table(report: OpportunitiesReport) -> None:
    table = Table(
        title=_title(
            f"Competitor gap (linking to >= {report.min_competitors} competitors, not to you)",
            len(report.gap),
            report.found["gap"],
        ),
        title_justify="left",
    )
    table.add_column("domain", overflow="fold", ratio=1)
    table.add_column("authority", justify="right", no_wrap=True)
    table.add_column("competitors", overflow="fold", ratio=2)
    table.add_column("links", justify="right", no_wrap=True)
    table.add_column("followed", justify="right", no_wrap=True)
    for row in report.gap:
        table.add_row(
            Text(safe_text(row["domain"], limit=200)),
            _number(row["authority"]),
            Text(safe_text(", ".join(row["competitors"]))),
            str(row["links"]),
            str(row["followed_links"]),
        )
    stdout.print(table)
