"""``linkequity audit``: a target's whole backlink profile in one place.

The command function is registered by ``cli.app``; its tables are drawn here
with ``cli.render``'s console and ``safe_text`` (text from the web is never
read as markup).
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
    KeywordOption,
    SnapshotOption,
    TargetArgument,
    print_json,
    read_list,
)
from linkequity.cli.render import safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from linkequity.services.audit import AuditReport

__all__ = ["audit_", "audit_report"]

#: Reasons shown per toxic domain in the table (JSON has them all).
_REASONS_SHOWN = 2


def audit_(
    target: TargetArgument,
    db: DbOption = None,
    brand: BrandOption = None,
    keyword: KeywordOption = None,
    competitors: CompetitorsOption = None,
    lost_days: Annotated[
        int, typer.Option("--lost-days", help="List the links lost in these last days", metavar="N")
    ] = 90,
    top: Annotated[int, typer.Option("--top", help="Rows listed in each part", metavar="N")] = 10,
    snapshot: SnapshotOption = None,
    as_json: JsonOption = False,
) -> None:
    """Audit TARGET's backlinks: mixes, anchors, authority, toxic and lost links, opportunities."""
    from linkequity.services import audit as auditing

    settings = load_settings(flags={"store.db": db}).settings
    report = auditing.audit_target(
        settings.store.db,
        target,
        brands=brand or (),
        keywords=keyword or (),
        competitors=read_list(competitors) or (),
        snapshot_id=snapshot,
        lost_days=lost_days,
        top=top,
    )
    if as_json:
        print_json(report.as_dict())
    else:
        audit_report(report, db=settings.store.db)


def audit_report(report: AuditReport, *, db: Path) -> None:
    """Print the audit: totals, then a table per part, then what could not be measured."""
    totals = report.totals
    stdout.print(
        Text(
            f"Backlink audit of {safe_text(' '.join(report.target))} in snapshot "
            f"{report.snapshot_id} of {safe_text(db)}: {totals['links']:,} live links from "
            f"{totals['referring_pages']:,} pages on {totals['referring_domains']:,} domains to "
            f"{totals['linked_pages']:,} of its {report.target_pages:,} pages; "
            f"{totals['followed_domains']:,} domains give at least one followed link."
        )
    )
    _mix("Links by rel", "rel", report.rel_mix, totals)
    _mix("Links by placement on their page", "placement", report.placement_mix, totals)
    _anchors(report.anchors)
    _top_pages(report.top_pages)
    _authority(report.authority)
    _toxicity(report.toxicity)
    _lost(report.lost)
    _opportunities(report.opportunities)
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note)}"))


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _mix(title: str, key: str, rows: list[dict[str, Any]], totals: dict[str, int]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    for column in ("links", "share", "domains", "share of domains"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            safe_text(row[key]),
            f"{row['links']:,}",
            _share(row["links"], totals["links"]),
            f"{row['referring_domains']:,}",
            _share(row["referring_domains"], totals["referring_domains"]),
        )
    stdout.print(table)


def _anchors(anchors: dict[str, Any]) -> None:
    table = Table(
        title=f"Anchor classes (keywords: {safe_text(', '.join(anchors['keywords']) or 'none')})",
        title_justify="left",
    )
    table.add_column("class")
    for column in ("links", "share", "domains", "share of domains"):
        table.add_column(column, justify="right")
    for row in anchors["classes"]:
        if row["links"]:
            table.add_row(
                row["class"].replace("_", " "),
                f"{row['links']:,}",
                f"{row['link_share']:.0%}",
                f"{row['referring_domains']:,}",
                f"{row['domain_share']:.0%}",
            )
    stdout.print(table)
    top = Table(title="Most used anchors", title_justify="left")
    top.add_column("anchor", overflow="fold", ratio=1)
    top.add_column("class")
    top.add_column("links", justify="right")
    top.add_column("domains", justify="right")
    for row in anchors["top"]:
        top.add_row(
            Text(safe_text(row["anchor"], limit=120) or "(empty)"),
            row["class"].replace("_", " "),
            f"{row['links']:,}",
            f"{row['referring_domains']:,}",
        )
    stdout.print(top)
    for alert in anchors["alerts"]:
        stdout.print(Text(f"Over-optimised: {alert['message']}", style="red"))


def _top_pages(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Most linked pages", title_justify="left")
    table.add_column("page", overflow="fold", ratio=1)
    for column in ("links", "domains", "followed domains"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            Text(safe_text(row["url"], limit=200)),
            f"{row['links']:,}",
            f"{row['referring_domains']:,}",
            f"{row['followed_domains']:,}",
        )
    stdout.print(table)


def _authority(authority: dict[str, Any]) -> None:
    if authority["ranked_snapshot_id"] is None:
        return
    table = Table(
        title=f"Referring domains by domain authority (rank of snapshot "
        f"{authority['ranked_snapshot_id']})",
        title_justify="left",
    )
    table.add_column("authority")
    table.add_column("domains", justify="right")
    for row in authority["buckets"]:
        label = "not scored" if row["from"] is None else f"{row['from']}-{row['to']}"
        table.add_row(label, f"{row['referring_domains']:,}")
    stdout.print(table)


def _toxicity(toxicity: dict[str, Any]) -> None:
    stdout.print(
        Text(
            f"Toxicity: {toxicity['toxic_domains']} of {toxicity['domains_scored']} referring "
            f"domains score {toxicity['threshold']:g} or more ({toxicity['toxic_links']} links); "
            f"{toxicity['no_value_links']} links pass no value."
        )
    )
    table = Table(title="Worst referring domains", title_justify="left")
    table.add_column("domain", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("links", justify="right")
    table.add_column("why", overflow="fold", ratio=1)
    for row in toxicity["domains"]:
        reasons = [reason["text"] for reason in row["reasons"]]
        why = "; ".join(reasons[:_REASONS_SHOWN]) or "-"
        if len(reasons) > _REASONS_SHOWN:
            why += f" (+{len(reasons) - _REASONS_SHOWN} more: --json lists them)"
        table.add_row(
            Text(safe_text(row["domain"])),
            f"{row['score']:.0f}",
            f"{row['links']:,}",
            Text(safe_text(why)),
        )
    stdout.print(table)


def _lost(lost: dict[str, Any]) -> None:
    stdout.print(Text(f"Lost since {lost['since'][:10]}: {lost['count']:,} links."))
    if not lost["links"]:
        return
    table = Table(title="Lost links", title_justify="left")
    table.add_column("from", overflow="fold", ratio=1)
    table.add_column("to", overflow="fold", ratio=1)
    table.add_column("why")
    for row in lost["links"]:
        table.add_row(
            Text(safe_text(row["source_url"], limit=200)),
            Text(safe_text(row["target_url"], limit=200)),
            Text(safe_text(row.get("reason") or "-")),
        )
    stdout.print(table)


def _opportunities(opportunities: dict[str, Any]) -> None:
    found = opportunities["found"]
    stdout.print(
        Text(
            f"Opportunities: {found.get('broken', 0)} broken links to replace, "
            f"{found.get('reclaim', 0)} links to reclaim, {found.get('mentions', 0)} unlinked "
            f"mentions, {found.get('gap', 0)} gap domains (`linkequity opportunities` lists them)."
        )
    )
