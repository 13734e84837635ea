"""``linkequity report``: one self-contained HTML page of a target's backlinks, tiers and plan.

The command function is registered by ``cli.app``. It loads the service only
when it runs, as the other commands do, and prints where the page is and its
size (or, with ``--json``, that and every number the page shows).
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import Annotated

import typer
from rich.text import Text

from linkequity.cli.options import (
    BrandOption,
    CompetitorsOption,
    DbOption,
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

__all__ = ["report_"]


def report_(
    target: TargetArgument,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write", metavar="FILE"),
    ],
    db: DbOption = None,
    budget: Annotated[
        int, typer.Option("--budget", help="New links the plan spends", metavar="K")
    ] = 5,
    brand: BrandOption = None,
    keyword: KeywordOption = None,
    competitors: CompetitorsOption = None,
    trust_seeds: Annotated[
        Path | None,
        typer.Option(
            "--trust-seeds",
            help="Trusted domains or URLs, one a line: the plan rejects spam by spam mass",
            metavar="FILE",
        ),
    ] = None,
    snapshot: SnapshotOption = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Also print the file, its size and the page's numbers as JSON"),
    ] = False,
) -> None:
    """Write an HTML report of TARGET that works offline: profile, tiers, plan, toxic links."""
    from linkequity.services import report as reporting

    if not output.parent.is_dir():
        raise UsageError(
            f"cannot write {output}: no folder {output.parent}",
            hint="Create the folder first, or give -o a path in an existing one.",
        )
    settings = load_settings(flags={"store.db": db}).settings
    data = reporting.build_report(
        settings.store.db,
        target,
        brands=brand or (),
        keywords=keyword or (),
        competitors=read_list(competitors) or (),
        trust_seeds=read_list(trust_seeds) or (),
        budget=budget,
        snapshot_id=snapshot,
    )
    sizes: list[int] = []
    write_file(lambda path: sizes.append(reporting.write_report(data, path)), output)
    if as_json:
        print_json({"path": str(output), "size_bytes": sizes[0], **data.as_dict()})
    else:
        stdout.print(
            Text(
                f"Wrote the report of {safe_text(' '.join(target))} to {safe_text(output)} "
                f"({sizes[0]:,} bytes): open it in a browser; it needs no network."
            )
        )
