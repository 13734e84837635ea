"""``linkequity plan``: the tier-2 plan for a target, and how it is printed."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import (
    CompetitorsOption,
    DbOption,
    JsonOption,
    TargetArgument,
    print_json,
    read_list,
    write_file,
)
from linkequity.cli.render import percent, safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from linkequity.services.plan import PlanReport

__all__ = ["plan_", "plan_report"]


def plan_(
    target: TargetArgument,
    budget: Annotated[int, typer.Option("--budget", help="New links to plan", metavar="K")],
    db: DbOption = None,
    per_page_cap: Annotated[
        int, typer.Option("--per-page-cap", help="Most new links to one tier-1 page", metavar="N")
    ] = 2,
    per_domain_cap: Annotated[
        int | None,
        typer.Option(
            "--per-domain-cap",
            help="Most new links from one source domain (half the budget from 5 links on)",
            metavar="N",
        ),
    ] = None,
    competitors: CompetitorsOption = None,
    trust_seeds: Annotated[
        Path | None,
        typer.Option(
            "--trust-seeds",
            help="Trusted domains or URLs, one a line: spam mass rejects spam pages",
            metavar="FILE",
        ),
    ] = None,
    own: Annotated[
        Path | None,
        typer.Option(
            "--own",
            help="Your own pages (your other guest posts), one URL a line: listed first as sources",
            metavar="FILE",
        ),
    ] = None,
    new_source_authority: Annotated[
        float | None,
        typer.Option(
            "--new-source-authority",
            help="Plan links from new pages of this PageRank instead of the store's pages",
            metavar="X",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Reject tier-1 pages never fetched (unverified)"),
    ] = False,
    snapshot: Annotated[
        int | None,
        typer.Option(
            "--snapshot", help="Snapshot to plan on (the latest by default)", metavar="ID"
        ),
    ] = None,
    as_json: JsonOption = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the plan as CSV", metavar="FILE"),
    ] = None,
) -> None:
    """Plan K new links to TARGET's tier-1 pages: which pages, from where, and the exact gain."""
    from linkequity.services import plan as planning

    settings = load_settings(flags={"store.db": db}).settings
    report = planning.plan_target(
        settings.store.db,
        target,
        budget=budget,
        per_page_cap=per_page_cap,
        per_domain_cap=per_domain_cap,
        competitors=read_list(competitors),
        trust_seeds=read_list(trust_seeds),
        own_pages=read_list(own),
        new_source_authority=new_source_authority,
        unverified_blocks=strict,
        snapshot_id=snapshot,
    )
    if csv_file is not None:
        write_file(lambda path: planning.write_plan_csv(report, path), csv_file)
    if as_json:
        print_json(report.as_dict())
    else:
        plan_report(report, db=settings.store.db)


def _anchor_mix_table(mixes: list[dict[str, Any]]) -> None:
    """Print each chosen page's anchor profile now and the classes of its new links."""
    if not mixes:
        return
    table = Table(
        title="Anchors: referring domains per class now, and the new links' classes",
        title_justify="left",
    )
    table.add_column("tier-1 page", overflow="fold", ratio=2)
    table.add_column("keywords (title)", overflow="fold", ratio=1)
    table.add_column("now", overflow="fold", ratio=1)
    table.add_column("new", overflow="fold", ratio=1)
    table.add_column("alerts", overflow="fold", ratio=1)
    for mix in mixes:
        table.add_row(
            Text(safe_text(mix["target"], limit=200)),
            Text(safe_text(", ".join(mix["keywords"]) or "-", limit=200)),
            ", ".join(f"{kind} {n}" for kind, n in mix["current"].items()) or "none",
            ", ".join(f"{kind} {n}" for kind, n in mix["new"].items()),
            Text(safe_text("; ".join(mix["alerts"]) or "-")),
        )
    stdout.print(table)


def _footprint_table(checks: list[dict[str, Any]]) -> None:
    """Print what the plan's footprint checks found, risks first."""
    if not checks:
        return
    table = Table(title="Footprint checks of the plan", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("risk", no_wrap=True)
    table.add_column("what was seen", overflow="fold", ratio=1)
    for check in sorted(checks, key=lambda c: not c["is_risk"]):
        table.add_row(
            check["rule"].replace("_", " "),
            "[red]risk[/]" if check["is_risk"] else "ok",
            Text(safe_text(check["message"])),
        )
    stdout.print(table)


def plan_report(report: PlanReport, *, db: Path) -> None:
    """Print a tier-2 plan: the links with their gains and why, source options, rejected pages."""
    rank = report.target_rank
    stdout.print(
        Text(
            f"Tier-2 plan for {safe_text(' '.join(report.target))} in snapshot "
            f"{report.snapshot_id} of {safe_text(db)}: {len(report.links)} of {report.budget} "
            f"links, at most {report.per_page_cap} per tier-1 page. The target's PageRank "
            f"{rank:.3g} rises by {report.total_gain:.3g} "
            f"({percent(report.total_gain / rank) if rank else '-'}); domain level "
            f"{report.target_domain_rank:.3g}."
        )
    )
    stdout.print(
        Text(
            "Page gain: the exact change of the target's PageRank if the link is added after "
            "the ones above it (re-solved each step); nth: the k-th new link to that page, its "
            "gain the diminishing return. Alone: its gain were it the only new link. Domain "
            "gain: the same on the domain graph."
        )
    )
    links = Table(title="Planned links", title_justify="left")
    links.add_column("#", justify="right")
    links.add_column("from", overflow="fold", ratio=1)
    links.add_column("to tier-1 page", overflow="fold", ratio=1)
    links.add_column("nth", justify="right")
    for column in ("page gain", "share", "alone", "domain gain"):
        links.add_column(column, justify="right", no_wrap=True)
    links.add_column("why", overflow="fold", ratio=1)
    links.add_column("anchor", overflow="fold", ratio=1)
    for number, row in enumerate(report.links, start=1):
        links.add_row(
            str(number),
            Text(safe_text(row["source"], limit=200)),
            Text(safe_text(row["target"], limit=200)),
            str(row["nth"]),
            f"{row['page_gain']:.3g}",
            percent(row["page_share"]),
            f"{row['gain_alone']:.3g}",
            f"{row['domain_gain']:.3g}",
            Text(safe_text(row["why"])),
            Text(f"{row['anchor_class']}: {safe_text(row['anchor_hint'], limit=200)}"),
        )
    stdout.print(links)
    _anchor_mix_table(report.anchor_mix)
    _footprint_table(report.footprints)
    if report.options:
        options = Table(
            title="Other sources for each chosen page, best first", title_justify="left"
        )
        options.add_column("tier-1 page", overflow="fold", ratio=1)
        options.add_column("source", overflow="fold", ratio=1)
        options.add_column("page gain", justify="right", no_wrap=True)
        options.add_column("domain gain", justify="right", no_wrap=True)
        for row in report.options:
            options.add_row(
                Text(safe_text(row["target"], limit=200)),
                Text(safe_text(row["source"], limit=200) + (" (yours)" if row["is_own"] else "")),
                f"{row['page_gain']:.3g}",
                f"{row['domain_gain']:.3g}",
            )
        stdout.print(options)
    if report.internal_asks:
        asks = Table(
            title="Internal links to ask each chosen page's editor for (same site), best first",
            title_justify="left",
        )
        asks.add_column("tier-1 page", overflow="fold", ratio=1)
        asks.add_column("from its own page", overflow="fold", ratio=1)
        asks.add_column("page gain", justify="right", no_wrap=True)
        for row in report.internal_asks:
            asks.add_row(
                Text(safe_text(row["target"], limit=200)),
                Text(safe_text(row["source"], limit=200)),
                f"{row['page_gain']:.3g}",
            )
        stdout.print(asks)
    candidates = Table(
        title=f"Candidates: one link from a new page of PageRank {report.new_source_rank:.3g}",
        title_justify="left",
    )
    candidates.add_column("tier-1 page", overflow="fold", ratio=2)
    for column in ("page gain", "domain gain", "influence"):
        candidates.add_column(column, justify="right", no_wrap=True)
    candidates.add_column("cautions", overflow="fold", ratio=1)
    for row in report.candidates:
        candidates.add_row(
            Text(safe_text(row["url"], limit=200)),
            f"{row['page_gain']:.3g}",
            f"{row['domain_gain']:.3g}",
            f"{row['influence']:.3g}",
            Text(", ".join(row["cautions"])),
        )
    stdout.print(candidates)
    rejected = Table(title="Rejected tier-1 pages", title_justify="left")
    rejected.add_column("tier-1 page", overflow="fold", ratio=2)
    rejected.add_column("reasons", overflow="fold", ratio=1)
    for row in report.rejected:
        rejected.add_row(
            Text(safe_text(row["url"], limit=200)), Text(safe_text(", ".join(row["reasons"])))
        )
    stdout.print(rejected)
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note)}"))
