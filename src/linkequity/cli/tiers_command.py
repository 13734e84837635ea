"""``linkequity tiers``: the tier map around a target, and how it is printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import DbOption, JsonOption, TargetArgument, print_json
from linkequity.cli.render import percent, safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from linkequity.services.tiers import TierPath, TiersReport

__all__ = ["tiers_", "tiers_report"]


def tiers_(
    target: TargetArgument,
    db: DbOption = None,
    depth: Annotated[
        int, typer.Option("--depth", help="Deepest tier, and longest path (1 to 6)", metavar="N")
    ] = 3,
    snapshot: Annotated[
        int | None,
        typer.Option("--snapshot", help="Snapshot to map (the latest by default)", metavar="ID"),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", help="Tier-1 pages and domains listed, paths per length", metavar="N"
        ),
    ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Map the tiers around TARGET: who links to it, who links to them, and the equity they pass."""
    from linkequity.services import tiers as tiering

    settings = load_settings(flags={"store.db": db}).settings
    report = tiering.map_tiers(
        settings.store.db, target, depth=depth, snapshot_id=snapshot, top=top
    )
    if as_json:
        print_json(report.as_dict())
    else:
        tiers_report(report, db=settings.store.db, top=top)


def tiers_report(report: TiersReport, *, db: Path, top: int) -> None:
    """Print a tier map: tier counts, the top tier-1 pages and domains by equity, the top paths."""
    domains = ", ".join(safe_text(domain) for domain in report.target_domains)
    stdout.print(
        Text(
            f"Tier map of {safe_text(' '.join(report.target))} in snapshot {report.snapshot_id} "
            f"of {safe_text(db)}: {report.target_pages:,} target pages on {domains}; "
            f"their PageRank {report.target_rank:.3g} "
            f"(domain level {report.target_domain_rank:.3g})"
        )
    )
    stdout.print(
        Text(
            "A page is in the lowest tier it reaches. Tiers follow every link; equity and "
            "paths follow followed links. Internal: a link from the linked page's own domain."
        )
    )
    counts = Table(title="Tiers", title_justify="left")
    for column in ("tier", "pages", "external pages", "internal pages", "external links"):
        counts.add_column(column, justify="right")
    counts.add_column("internal links", justify="right")
    for row in report.tiers.to_pylist():
        counts.add_row(
            str(row["tier"]),
            f"{row['pages']:,}",
            f"{row['external_pages']:,}",
            "-" if row["tier"] == 1 else f"{row['internal_pages']:,}",
            f"{row['external_links']:,}",
            "-" if row["tier"] == 1 else f"{row['internal_links']:,}",
        )
    stdout.print(counts)

    pages = Table(title="Top tier-1 pages by equity passed to the target", title_justify="left")
    pages.add_column("page", overflow="fold", ratio=2)
    pages.add_column("domain", overflow="fold", ratio=1)
    for column in ("equity", "share", "influence"):
        pages.add_column(column, justify="right", no_wrap=True)
    pages.add_column("placement", overflow="fold")
    pages.add_column("rel", overflow="fold")
    pages.add_column("indexability", overflow="fold")
    for row in report.pages.slice(0, top).to_pylist():
        pages.add_row(
            Text(safe_text(row["url"], limit=200)),
            Text(safe_text(row["domain"])),
            f"{row['equity']:.3g}",
            percent(row["share"]),
            f"{row['influence']:.3g}",
            Text(", ".join(safe_text(p) for p in row["placements"])),
            Text(", ".join(row["rels"])),
            Text(safe_text(row["indexability"])),
        )
    stdout.print(pages)

    domains_table = Table(title="Top tier-1 domains by equity", title_justify="left")
    domains_table.add_column("domain", overflow="fold", ratio=1)
    for column in ("equity", "share", "influence", "tier-1 pages"):
        domains_table.add_column(column, justify="right", no_wrap=True)
    for row in report.domains.slice(0, top).to_pylist():
        domains_table.add_row(
            Text(safe_text(row["domain"])),
            f"{row['equity']:.3g}",
            percent(row["share"]),
            f"{row['influence']:.3g}",
            f"{row['pages']:,}",
        )
    stdout.print(domains_table)
    _tier_paths("Top paths carrying the target's authority", report.paths)
    _tier_paths("Top domain paths", report.domain_paths)


def _tier_paths(title: str, paths: Sequence[TierPath]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("links", justify="right")
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("path", overflow="fold", ratio=1)
    for path in paths:
        table.add_row(
            str(len(path.nodes) - 1),
            percent(path.share),
            Text(" \N{RIGHTWARDS ARROW} ".join(safe_text(node, limit=200) for node in path.nodes)),
        )
    stdout.print(table)
