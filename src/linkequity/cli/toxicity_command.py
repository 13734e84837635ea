"""``linkequity toxic``: the toxic referring domains and backlinks of a target, with reasons.

The command parses its arguments, calls ``services.toxicity.score_toxicity``
and prints the report; ``cli.app`` registers it (``app.command("toxic")(toxic)``).
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import (
    BrandOption,
    DbOption,
    JsonOption,
    KeywordOption,
    SnapshotOption,
    TargetArgument,
    print_json,
    read_list,
    write_file,
)
from linkequity.cli.render import safe_text, stdout
from linkequity.errors import UsageError
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from linkequity.services.toxicity import ToxicityReport

__all__ = ["SHOWN_LINKS", "SHOWN_REASONS", "toxic", "toxicity_report"]

#: Links the table shows; ``--json`` and ``--csv`` give them all.
SHOWN_LINKS = 50
#: Reasons shown per row in the tables.
SHOWN_REASONS = 4


def toxic(
    target: TargetArgument,
    db: DbOption = None,
    brands: BrandOption = None,
    keywords: KeywordOption = None,
    trust_seeds: Annotated[
        Path | None,
        typer.Option(
            "--trust-seeds",
            help="Trusted domains or URLs, one a line: spam mass and trust come from them "
            "[default: what `linkequity rank` stored]",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    min_score: Annotated[
        float,
        typer.Option("--min-score", help="Show domains and links scoring at least N", metavar="N"),
    ] = 0.0,
    snapshot: SnapshotOption = None,
    as_json: JsonOption = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the domains and links as CSV", metavar="FILE"),
    ] = None,
) -> None:
    """Score TARGET's backlinks and referring domains for toxicity (0-100), with the reasons."""
    if not 0.0 <= min_score <= 100.0:
        raise UsageError(
            f"--min-score must be between 0 and 100, got {min_score:g}",
            hint="Scores run from 0 to 100; the toxic threshold is printed with the report.",
        )
    # The service loads SciPy and the text models: only when the command runs.
    from linkequity.services import toxicity

    seeds = read_list(trust_seeds)
    settings = load_settings(flags={"store.db": db}).settings
    report = toxicity.score_toxicity(
        settings.store.db,
        target,
        brands=brands or (),
        keywords=keywords or (),
        snapshot_id=snapshot,
        trust_seeds=seeds,
    )
    if csv_file is not None:
        write_file(
            lambda path: toxicity.write_toxicity_csv(report, path, min_score=min_score), csv_file
        )
    if as_json:
        shown = report.as_dict()
        shown["domains"] = [row for row in shown["domains"] if row["score"] >= min_score]
        shown["links"] = [row for row in shown["links"] if row["score"] >= min_score]
        print_json(shown)
    else:
        toxicity_report(report, db=settings.store.db, min_score=min_score)


def toxicity_report(report: ToxicityReport, *, db: Path, min_score: float = 0.0) -> None:
    """Print the audit: the worst referring domains with their reasons, then the links."""
    toxic_domains = report.toxic_domains
    stdout.print(
        Text(
            f"Toxicity of the backlinks of {safe_text(' '.join(report.target))} in snapshot "
            f"{report.snapshot_id} of {safe_text(db)}: {len(toxic_domains)} of "
            f"{len(report.domains)} referring domains toxic (score {report.threshold:g} or "
            f"more), {sum(1 for link in report.links if link['is_toxic'])} of "
            f"{len(report.links)} links; "
            f"{sum(1 for link in report.links if not link['passes_value'])} links pass no "
            "value (not indexable, robots-blocked, nofollow, sponsored or ugc)."
        )
    )
    domains = [row for row in report.domains if row["score"] >= min_score]
    table = Table(title="Referring domains, worst first", title_justify="left")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("domain", overflow="fold", ratio=1)
    table.add_column("links", justify="right", no_wrap=True)
    table.add_column("reasons", overflow="fold", ratio=3)
    for row in domains:
        table.add_row(
            f"{row['score']:.0f}",
            _verdict(row),
            Text(safe_text(row["domain"], limit=200)),
            f"{row['toxic_links']}/{row['links']}",
            Text(_reasons(row)),
        )
    stdout.print(table)
    links = [row for row in report.links if row["score"] >= min_score]
    table = Table(title="Backlinks, worst first", title_justify="left")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("linking page", overflow="fold", ratio=2)
    table.add_column("anchor", overflow="fold", ratio=1)
    table.add_column("reasons", overflow="fold", ratio=3)
    for row in links[:SHOWN_LINKS]:
        table.add_row(
            f"{row['score']:.0f}",
            _verdict(row),
            Text(safe_text(row["source"], limit=200)),
            Text(safe_text(row["anchor"], limit=100)),
            Text(_reasons(row)),
        )
    stdout.print(table)
    if len(links) > SHOWN_LINKS:
        stdout.print(Text(f"… and {len(links) - SHOWN_LINKS:,} more; --json or --csv lists all"))
    unknown = _unknown_line(domains + links[:SHOWN_LINKS])
    if unknown is not None:
        stdout.print(unknown)
    for line in report.unavailable:
        stdout.print(Text(f"Not available: {safe_text(line)}"))
    for note in report.notes:
        stdout.print(Text(f"Note: {safe_text(note)}"))


def _verdict(row: dict[str, Any]) -> str:
    if not row["passes_value"]:
        return "passes no value"
    if row["is_toxic"]:
        return "TOXIC"
    # Below the threshold, but no page of it was ever read: nothing says it is clean.
    is_read = row["fetched_links"] > 0 if "fetched_links" in row else row["is_fetched"]
    return "ok" if is_read else "unverified"


def _reasons(row: dict[str, Any]) -> str:
    if not row["passes_value"]:
        return safe_text(row["no_value_reason"] or "")
    texts = [reason["text"] for reason in row["reasons"][:SHOWN_REASONS]]
    more = len(row["reasons"]) - len(texts)
    shown = "; ".join(texts) + (f"; +{more} more" if more > 0 else "")
    if row["unknown"]:
        shown += ("; " if shown else "") + f"{len(row['unknown'])} signals unknown"
    return safe_text(shown, limit=600)


def _unknown_line(rows: list[dict[str, Any]]) -> Text | None:
    unknown = sorted({signal for row in rows for signal in row["unknown"]})
    if not unknown:
        return None
    return Text(f"Signals unknown for some rows (counted as absent): {', '.join(unknown)}")
