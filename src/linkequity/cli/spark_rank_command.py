"""``linkequity spark rank``: page, host or domain ranks of a links Parquet dataset, on Spark.

The command parses its arguments, calls ``spark.rank.rank_links`` and prints
what it wrote; ``cli.app`` registers it on the ``spark`` group
(``spark_app.command("rank")(spark_rank)``).
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import DampingOption, JsonOption, SnapshotOption, print_json
from linkequity.cli.render import safe_text, stdout
from linkequity.errors import UsageError

if TYPE_CHECKING:
    from linkequity.spark.rank import SparkRankReport

__all__ = ["rank_report", "spark_rank"]

_LEVELS = ("page", "host", "domain")


def spark_rank(
    links: Annotated[
        str,
        typer.Argument(
            help="Folder of the links Parquet tables (`linkequity spark extract` or "
            "`linkequity parquet export` output)",
            metavar="LINKS_PARQUET",
            show_default=False,
        ),
    ],
    out: Annotated[
        str,
        typer.Option(
            "--out", help="Folder to write the ranks to", metavar="DIR", show_default=False
        ),
    ],
    master: Annotated[
        str,
        typer.Option("--master", help="Spark master URL", metavar="M"),
    ] = "local[*]",
    seeds: Annotated[
        Path | None,
        typer.Option(
            "--seeds",
            help="Trusted domains or URLs, one a line: TrustRank and spam mass from them",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        str,
        typer.Option("--level", help="Rank pages, hosts or domains", metavar="page|host|domain"),
    ] = "page",
    cc_ranks: Annotated[
        bool,
        typer.Option(
            "--cc-ranks",
            help="Also write host_ranks.txt in Common Crawl's rank-file format",
        ),
    ] = False,
    snapshot: SnapshotOption = None,
    damping: DampingOption = 0.85,
    tol: Annotated[
        float,
        typer.Option("--tol", help="L1 tolerance of each power iteration", metavar="T"),
    ] = 1e-10,
    as_json: JsonOption = False,
) -> None:
    """Rank the pages, hosts or domains of a links Parquet dataset with Spark."""
    if level not in _LEVELS:
        raise UsageError(
            f"--level must be page, host or domain, not {level!r}",
            hint="Pick the graph to rank: page (URLs), host or domain (registrable domains).",
        )
    if not 0.0 < tol < 1.0:
        raise UsageError(
            f"--tol must be between 0 and 1, got {tol:g}", hint="1e-10 is the default."
        )
    if cc_ranks and "://" in out:
        raise UsageError(
            f"--cc-ranks writes host_ranks.txt on this machine, and {out} is not a local folder",
            hint="Give a local --out, or leave out --cc-ranks.",
        )
    from linkequity.spark.rank import rank_links

    report = rank_links(
        links,
        out,
        level=level,
        master=master,
        trust_seeds=seeds,
        cc_ranks=cc_ranks,
        snapshot_id=snapshot,
        damping=damping,
        tol=tol,
        config={"spark.ui.showConsoleProgress": "false"},
    )
    if as_json:
        print_json(report.as_dict())
    else:
        rank_report(report)


def rank_report(report: SparkRankReport) -> None:
    """Print what a Spark ranking read, ran and wrote."""
    seconds = sum(report.timings_s.values())
    table = Table(title=f"Spark rank, {report.level}s ({seconds:.1f} s)", title_justify="left")
    table.add_column("What")
    table.add_column("Count", justify="right")
    snapshot = "all" if report.snapshot_id is None else str(report.snapshot_id)
    rows = (
        ("snapshot", snapshot),
        ("followed links", f"{report.links:,}"),
        (f"{report.level}s", f"{report.nodes:,}"),
        ("edges", f"{report.edges:,}"),
        ("PageRank rounds", f"{report.iterations:,}"),
        ("trust seed pages", f"{report.trust_seeds:,}"),
        ("TrustRank rounds", f"{report.trust_iterations:,}"),
    )
    for label, value in rows:
        table.add_row(label, value)
    stdout.print(table)
    if report.unmatched_seeds:
        shown = ", ".join(report.unmatched_seeds[:5])
        stdout.print(Text(f"Seeds not in the graph: {shown}"))
    for path in report.written:
        stdout.print(Text(f"Wrote {safe_text(path)}"))
    if report.harmonic is False:
        stdout.print(
            Text("Harmonic centrality is absent from the CC rank file: the host graph is too big.")
        )
