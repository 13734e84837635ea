"""``linkequity campaign``: track what became of a plan, prospect by prospect.

A Typer sub-app; ``cli.app`` registers it with
``app.add_typer(campaign_app, name="campaign")``. Each command parses its
arguments, calls one function of ``services.campaigns`` and prints.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import (
    AllowPrivateOption,
    DampingOption,
    DbOption,
    DelayOption,
    JsonOption,
    ResolveToOption,
    print_json,
    read_list,
    write_file,
)
from linkequity.cli.render import crawl_progress, safe_text, stderr, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkequity.analysis.campaign_risk import RiskCheck
    from linkequity.services.campaign_impact import CampaignImpact
    from linkequity.services.campaign_verify import CampaignVerification
    from linkequity.services.campaigns import AddReport, CampaignStatus

__all__ = ["SHOWN_PROSPECTS", "campaign_app"]

#: Prospects the status table shows; ``--json`` and ``export`` give them all.
SHOWN_PROSPECTS = 100

campaign_app = typer.Typer(
    help="Campaigns: prospects from any recommendation, their status, verification and impact.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The campaign's name", metavar="NAME")]


def _db(db: Path | None) -> Path:
    return load_settings(flags={"store.db": db}).settings.store.db


@campaign_app.command("new")
def new_(
    name: NameArgument,
    target: Annotated[
        list[str],
        typer.Option(
            "--target",
            help="The site the campaign is for: a domain, a host or URLs (repeat for more)",
            metavar="TARGET",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    notes: Annotated[
        str | None, typer.Option("--notes", help="Free notes on the campaign", metavar="TEXT")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create campaign NAME for a target."""
    from linkequity.services import campaigns

    created = campaigns.create_campaign(_db(db), name, target, notes=notes)
    if as_json:
        print_json(created)
        return
    stdout.print(
        Text(
            f"Campaign {safe_text(created['name'])} for {safe_text(' '.join(created['target']))}"
            " created. Add prospects: linkequity campaign add NAME --from plan"
        )
    )


@campaign_app.command("add")
def add_(
    name: NameArgument,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Recommendations to add: plan, internal (its internal-link asks), broken, reclaim",
            metavar="LIST",
        ),
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--from-csv",
            help="A CSV of source_url,target_url[,anchor,anchor_class,predicted_page_gain,notes]",
            metavar="FILE",
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="The plan's budget, or the opportunities kept", metavar="N")
    ] = 10,
    competitors: Annotated[
        Path | None,
        typer.Option(
            "--competitors", help="Competitors' domains, one a line (for the plan)", metavar="FILE"
        ),
    ] = None,
    trust_seeds: Annotated[
        Path | None,
        typer.Option(
            "--trust-seeds",
            help="Trusted domains or URLs, one a line (for the plan)",
            metavar="FILE",
        ),
    ] = None,
    db: DbOption = None,
    damping: DampingOption = 0.85,
    as_json: JsonOption = False,
) -> None:
    """Add prospects to NAME from a recommendation list or a CSV file; the same one twice is one."""
    from linkequity.services import campaigns

    report = campaigns.add_prospects(
        _db(db),
        name,
        source=source,
        csv_file=csv_file,
        top=top,
        competitors=read_list(competitors),
        trust_seeds=read_list(trust_seeds),
        damping=damping,
    )
    for line in report.skipped:
        stderr.print(Text(f"warning: {safe_text(line, limit=600)}"))
    if as_json:
        print_json(report.as_dict())
    else:
        added_report(report)


def added_report(report: AddReport) -> None:
    """Print what adding prospects did."""
    stdout.print(
        Text(
            f"{report.added} prospects added to {safe_text(report.campaign)} from "
            f"{report.origin}; {report.known} were in it already"
            + (f"; {len(report.skipped)} lines skipped" if report.skipped else "")
            + "."
        )
    )
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note)}"))


@campaign_app.command("update")
def update_(
    prospect_id: Annotated[
        int, typer.Argument(help="The prospect's id (campaign status lists them)", metavar="ID")
    ],
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="contacted, replied, agreed, declined; live or lost need --note",
            metavar="S",
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="A note (needed to mark live or lost by hand)", metavar="TEXT"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record what happened to prospect ID: a new status, a note, or both."""
    from linkequity.services import campaigns

    row = campaigns.update_prospect(_db(db), prospect_id, status=status, note=note)
    if as_json:
        print_json(row)
        return
    stdout.print(
        Text(
            f"Prospect {row['id']} ({safe_text(row['source_url'])} -> "
            f"{safe_text(row['target_url'])}) is {row['status']}."
        )
    )


@campaign_app.command("status")
def status_(
    name: NameArgument,
    db: DbOption = None,
    impact: Annotated[
        bool, typer.Option("--impact", help="Also rank the graph for the realised gains")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show NAME's funnel by status, its prospects, and the risk watch."""
    from linkequity.services import campaigns

    report = campaigns.campaign_status(_db(db), name, with_impact=impact)
    if as_json:
        print_json(report.as_dict())
    else:
        status_report(report)


def status_report(report: CampaignStatus) -> None:
    """Print the funnel, the prospects, the risk watch, and the impact when there is one."""
    campaign = report.campaign
    funnel = " · ".join(f"{status} {count}" for status, count in report.funnel.items())
    stdout.print(
        Text(
            f"Campaign {safe_text(campaign['name'])} for "
            f"{safe_text(' '.join(campaign['target']))}: {len(report.prospects)} prospects: "
            f"{funnel}"
        )
    )
    table = Table(title="Prospects", title_justify="left")
    for column in ("id", "status", "origin", "page to get a link on", "links to", "anchor"):
        table.add_column(column, overflow="fold")
    table.add_column("predicted gain", justify="right", no_wrap=True)
    table.add_column("last check", overflow="fold")
    for row in report.prospects[:SHOWN_PROSPECTS]:
        anchor = row["anchor_now"] or row["suggested_anchor"] or row["anchor_class"] or ""
        table.add_row(
            str(row["id"]),
            row["status"],
            row["origin"],
            Text(safe_text(row["source_url"], limit=200)),
            Text(safe_text(row["target_url"], limit=200)),
            Text(safe_text(anchor, limit=80)),
            _gain(row["predicted_page_gain"]),
            Text(safe_text(_check_text(row), limit=200)),
        )
    stdout.print(table)
    if len(report.prospects) > SHOWN_PROSPECTS:
        stdout.print(
            Text(f"… and {len(report.prospects) - SHOWN_PROSPECTS} more; --json lists all")
        )
    risk_table(report.risk)
    if report.impact is not None:
        impact_report(report.impact, with_risk=False)


def risk_table(checks: Sequence[RiskCheck]) -> None:
    """Print the risk watch, a rule a row, warnings and excesses in capitals."""
    risk = Table(title="Risk watch", title_justify="left")
    for column in ("rule", "level", "what was seen"):
        risk.add_column(column, overflow="fold")
    for check in checks:
        level = str(check.level).upper() if check.level in ("warn", "over") else str(check.level)
        risk.add_row(check.rule, level, Text(safe_text(check.message, limit=400)))
    stdout.print(risk)


def _check_text(row: dict[str, Any]) -> str:
    if row["check_outcome"] is None:
        return "not verified"
    text = str(row["check_outcome"])
    if row["check_detail"]:
        text += f" ({row['check_detail']})"
    if row["is_present"]:
        rel = [flag for flag in ("nofollow", "sponsored", "ugc") if row[f"is_{flag}"]]
        text += f"; {' '.join(rel) or 'followed'}, {row['placement'] or 'placement unknown'}"
        if row["is_same_class"] is False:
            text += f", anchor {row['anchor_class_now']} not {row['anchor_class']}"
    return text


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _gain(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


@campaign_app.command("verify")
def verify_(
    name: NameArgument,
    db: DbOption = None,
    allow_private: AllowPrivateOption = False,
    resolve_to: ResolveToOption = None,
    delay: DelayOption = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Go on with NAME's verification that did not finish")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fetch NAME's prospect pages: links found go live, live links gone are lost (with why)."""
    from linkequity.services.campaign_verify import verify_campaign

    settings = load_settings(flags={"store.db": db, "crawl.delay_s": delay}).settings
    with crawl_progress(enabled=settings.ui.progress and not as_json) as tell:
        report = verify_campaign(
            settings.store.db,
            name,
            tuning=settings.crawl,
            allow_private=allow_private,
            resolve_to=resolve_to,
            resume=resume,
            on_progress=tell,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        verify_report(report)


def verify_report(report: CampaignVerification) -> None:
    """Print the checks by outcome and each status changed."""
    counts = report.as_dict()["by_outcome"]
    stdout.print(
        Text(
            f"Verified {len(report.checks)} prospects of {safe_text(report.campaign)} "
            f"(crawl snapshot {report.snapshot_id}): "
            + ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
        )
    )
    if not report.changes:
        stdout.print(Text("No status changed."))
        return
    table = Table(title="Status changes", title_justify="left")
    for column in ("id", "page", "links to", "was", "now", "why"):
        table.add_column(column, overflow="fold")
    for change in report.changes:
        table.add_row(
            str(change["prospect_id"]),
            Text(safe_text(change["source_url"], limit=200)),
            Text(safe_text(change["target_url"], limit=200)),
            change["old_status"],
            change["new_status"],
            Text(safe_text(change["reason"] or "")),
        )
    stdout.print(table)


@campaign_app.command("impact")
def impact_(
    name: NameArgument,
    db: DbOption = None,
    damping: DampingOption = 0.85,
    as_json: JsonOption = False,
) -> None:
    """Set NAME's realised change of the target's rank beside the predicted gains."""
    from linkequity.services.campaign_impact import campaign_impact

    report = campaign_impact(_db(db), name, damping=damping)
    if as_json:
        print_json(report.as_dict())
    else:
        impact_report(report)


def impact_report(report: CampaignImpact, *, with_risk: bool = True) -> None:
    """Print the campaign's predicted and realised gains, each live link's, and the risk watch."""
    stdout.print(
        Text(
            f"Impact of {safe_text(report.campaign)} on {safe_text(' '.join(report.target))}: "
            f"{report.live_links} live links in snapshot {report.snapshot_id}, predicted "
            f"against snapshot {report.predicted_snapshot_id}."
        )
    )
    table = Table(title="Target rank (PageRank)", title_justify="left")
    table.add_column("level")
    for column in (
        "predicted (sum of singles)",
        "predicted (joint)",
        "realised",
        "from the campaign",
        "other changes",
    ):
        table.add_column(column, justify="right", no_wrap=True)
    for level, values in (("page", report.page), ("domain", report.domain)):
        table.add_row(
            level,
            _gain(values["predicted_sum"]),
            _gain(values["predicted_joint"]),
            _gain(values["realised"]),
            _gain(values["from_campaign"]),
            _gain(values["other"]),
        )
    stdout.print(table)
    for level, values in (("page", report.page), ("domain", report.domain)):
        stdout.print(
            Text(
                f"Authority (0-100) of the target's best {level}: "
                f"{_points(values['authority_before'])} when predicted, "
                f"{_points(values['authority_with'])} now, "
                f"{_points(values['authority_without'])} without the campaign's links."
            )
        )
    links = Table(title="Live links", title_justify="left")
    for column in ("id", "page", "links to"):
        links.add_column(column, overflow="fold")
    for column in ("predicted", "realised", "predicted (domain)", "realised (domain)"):
        links.add_column(column, justify="right", no_wrap=True)
    for link in report.links:
        links.add_row(
            str(link["prospect_id"]),
            Text(safe_text(link["source_url"], limit=200)),
            Text(safe_text(link["target_url"], limit=200)),
            _gain(link["predicted_page_gain"]),
            _gain(link.get("realised_page_gain")),
            _gain(link["predicted_domain_gain"]),
            _gain(link.get("realised_domain_gain")),
        )
    stdout.print(links)
    if with_risk:
        risk_table(report.risk)
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note)}"))


@campaign_app.command("export")
def export_(
    name: NameArgument,
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="File to write (CSV, or JSON with --json)", metavar="FILE"
        ),
    ],
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Write JSON (funnel, prospects, history, risk)")
    ] = False,
) -> None:
    """Write NAME's prospects with their status, dates, checks and gains to a file."""
    from linkequity.services import campaigns

    count: list[int] = []
    write_file(
        lambda path: count.append(campaigns.export_campaign(_db(db), name, path, as_json=as_json)),
        output,
    )
    stdout.print(Text(f"{count[0]} prospects written to {safe_text(output)}."))
