"""``linkequity disavow``: write or check a Google disavow file, and show the equity it removes.

The Typer function is registered by ``cli.app`` as ``app.command("disavow")(disavow_)``.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import DbOption, JsonOption, print_json
from linkequity.cli.render import safe_text, stdout
from linkequity.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkequity.report.disavow import DisavowDiff, DisavowEntry, DisavowLint, LintProblem
    from linkequity.services.disavow import DisavowEquity, DisavowRun

__all__ = ["disavow_"]


def disavow_(
    target: Annotated[
        list[str] | None,
        typer.Argument(
            help="The site the file is for: its registrable domain (or a host, or URLs)",
            metavar="TARGET",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    domains: Annotated[
        Path | None,
        typer.Option(
            "--domains",
            help="Domains and URLs to disavow, one a line (# comments above one: its reasons) "
            "[default: the toxic referring domains, as `toxic` scores them]",
            metavar="FILE",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the disavow file here (.txt)", metavar="FILE"),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            help="Lint this disavow file (and diff it against --domains, with TARGET)",
            metavar="FILE",
        ),
    ] = None,
    snapshot: Annotated[
        int | None,
        typer.Option(
            "--snapshot", help="Snapshot to measure on (the latest by default)", metavar="ID"
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="Entries listed by the equity they remove", metavar="N")
    ] = 20,
    as_json: JsonOption = False,
) -> None:
    """Write or check a Google disavow file for TARGET, with the PageRank it takes away."""
    # Imported here: the graph layer (SciPy) would slow every start of the CLI.
    from linkequity.services import disavow as disavowing

    settings = load_settings(flags={"store.db": db}).settings
    run = disavowing.run_disavow(
        list(target or []),
        db=settings.store.db,
        domains=domains,
        output=output,
        check=check,
        snapshot_id=snapshot,
    )
    if as_json:
        print_json(run.as_dict())
    else:
        print_run(run, top=top)
    if run.check is not None and run.check.lint.errors:
        raise typer.Exit(1)


def print_run(run: DisavowRun, *, top: int) -> None:
    """Print the lint, the diff, the file written and the equity removed."""
    checked = run.check
    if checked is not None:
        print_lint(checked.lint, checked.path)
        if checked.diff is not None:
            print_diff(checked.diff, checked.path)
        if checked.equity is not None:
            print_equity(checked.equity, title=f"What {safe_text(checked.path)} removes", top=top)
    if run.written is not None:
        written = run.written
        stdout.print(
            Text(
                f"Wrote {safe_text(written.path)}: "
                f"{_count(len(written.entries), 'entry', 'entries')}, "
                f"{written.lines:,} lines, {written.size_bytes:,} bytes."
            )
        )
        _print_problems(written.problems, written.path)
    if run.equity is not None:
        print_equity(run.equity, title="What the disavow removes", top=top)


def print_lint(lint: DisavowLint, path: Path) -> None:
    """Print a lint as ``FILE:LINE: severity: problem`` lines and a summary."""
    name = safe_text(path)
    _print_problems(lint.problems, path)
    verdict = (
        "no problem"
        if lint.is_clean
        else f"{_count(len(lint.errors), 'error', 'errors')}, "
        f"{_count(len(lint.warnings), 'warning', 'warnings')}"
    )
    stdout.print(
        Text(
            f"{name}: {_count(len(lint.entries), 'entry', 'entries')}, {lint.lines:,} lines, "
            f"{lint.size_bytes:,} bytes: {verdict}"
        )
    )


def _print_problems(problems: Sequence[LintProblem], path: Path) -> None:
    name = safe_text(path)
    for problem in problems:
        where = f"{name}:{problem.line}" if problem.line else name
        stdout.print(Text(f"{where}: {problem.severity}: {safe_text(problem.message, limit=400)}"))


def print_diff(diff: DisavowDiff, path: Path) -> None:
    """Print what the proposed entries add to and remove from the file."""
    stdout.print(
        Text(
            f"Against the proposed entries: {len(diff.added):,} to add, "
            f"{len(diff.removed):,} in {safe_text(path)} only, {len(diff.kept):,} in both"
        )
    )
    for sign, entries in (("+", diff.added), ("-", diff.removed)):
        for entry in entries:
            stdout.print(Text(f"{sign} {safe_text(entry.line)}{_reasons(entry)}"))


def print_equity(equity: DisavowEquity, *, title: str, top: int) -> None:
    """Print the PageRank the entries take from the target, and the entries' own losses."""
    rank = equity.target_rank
    scope = "to the target's domains" if equity.links_to == "site" else "to anywhere (all of them)"
    stdout.print(
        Text(
            f"{title}: {equity.links_removed:,} followed links {scope} from "
            f"{equity.pages_matched:,} pages (snapshot {equity.snapshot_id}). The target's "
            f"PageRank {rank:.3g} falls by {equity.loss:.3g} ({_percent(equity.relative_loss)}); "
            f"domain level {equity.domain_rank:.3g} by {equity.domain_loss:.3g} "
            f"({_percent(equity.domain_relative_loss)})."
        )
    )
    if equity.entries:
        table = Table(
            title="Entries by the PageRank each removes alone (losses do not add up)",
            title_justify="left",
        )
        table.add_column("entry", overflow="fold", ratio=1)
        for column in ("pages", "links", "loss", "share"):
            table.add_column(column, justify="right", no_wrap=True)
        table.add_column("reasons", overflow="fold", ratio=1)
        for item in equity.entries[:top]:
            table.add_row(
                Text(safe_text(item.entry.line, limit=200)),
                f"{item.pages:,}",
                f"{item.links:,}",
                f"{item.loss:.3g}",
                _percent(item.share),
                Text(safe_text("; ".join(item.entry.reasons))),
            )
        stdout.print(table)
    if equity.unmatched:
        shown = ", ".join(safe_text(entry.line) for entry in equity.unmatched[:top])
        more = len(equity.unmatched) - min(top, len(equity.unmatched))
        stdout.print(
            Text(
                f"No followed link to remove in this snapshot: {shown}"
                f"{f' and {more:,} more' if more else ''}"
            )
        )


def _reasons(entry: DisavowEntry) -> str:
    return f"  # {safe_text('; '.join(entry.reasons))}" if entry.reasons else ""


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.3g}%"
