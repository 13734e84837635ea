"""What the commands share: their common options, list files, JSON output and file writes.

Each command module takes its options from here, so that ``--db`` or a
TARGET reads and helps the same everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkequity.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "AllowPrivateOption",
    "BrandOption",
    "CompetitorsOption",
    "ConcurrencyOption",
    "DelayOption",
    "DampingOption",
    "DbOption",
    "JsonOption",
    "KeywordOption",
    "PerHostOption",
    "ResolveToOption",
    "SnapshotOption",
    "TargetArgument",
    "UserAgentOption",
    "print_json",
    "read_list",
    "write_file",
]

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB project file [setting store.db]", metavar="PATH", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]
DampingOption = Annotated[
    float,
    typer.Option("--damping", help="PageRank damping: the chance of following a link", metavar="D"),
]
TargetArgument = Annotated[
    list[str],
    typer.Argument(
        help="A registrable domain (all its pages), a host (its pages), or URLs",
        metavar="TARGET",
        show_default=False,
    ),
]
BrandOption = Annotated[
    list[str] | None,
    typer.Option(
        "--brand",
        help="A brand name of the target (repeatable) [default: its domain's label]",
        metavar="NAME",
        show_default=False,
    ),
]
KeywordOption = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword",
        help="A keyword of the target (repeatable) [default: from its pages' titles]",
        metavar="K",
        show_default=False,
    ),
]
CompetitorsOption = Annotated[
    Path | None,
    typer.Option(
        "--competitors",
        help="Competitors' domains, one a line: for the link gap, never planned from",
        metavar="FILE",
    ),
]
# The options of the commands that fetch pages: crawl, verify, campaign verify.
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Visit private, loopback and link-local addresses (refused by default)",
    ),
]
ResolveToOption = Annotated[
    str | None,
    typer.Option(
        "--resolve-to",
        help="Send every host to 127.0.0.1:PORT (the sample web); needs --allow-private",
        metavar="127.0.0.1:PORT",
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option("--concurrency", help="Requests at once [setting crawl.concurrency]"),
]
PerHostOption = Annotated[
    int | None,
    typer.Option("--per-host", help="Requests at once to a host [setting crawl.per_host]"),
]
DelayOption = Annotated[
    float | None,
    typer.Option("--delay", help="Seconds between requests to a host [setting crawl.delay_s]"),
]
UserAgentOption = Annotated[
    str | None,
    typer.Option("--user-agent", help="User-Agent sent [setting crawl.user_agent]"),
]


SnapshotOption = Annotated[
    int | None,
    typer.Option("--snapshot", help="Snapshot to read (the latest by default)", metavar="ID"),
]


def read_list(path: Path | None) -> list[str] | None:
    """Read the non-blank, non-comment lines of a list file (``None`` for no file)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}", hint="Check the path.") from err
    except UnicodeDecodeError as err:
        raise UsageError(
            f"cannot read {path}: not UTF-8 text (byte {err.start})",
            hint="Save the list as UTF-8, one entry a line.",
        ) from err
    entries = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if not entries:
        # An empty list would silently mean "no competitors" or "no trusted seeds".
        raise UsageError(
            f"{path} holds no entry", hint="Write one entry a line ('#' starts a comment)."
        )
    return entries


def print_json(value: object) -> None:
    """Print a report's plain values as indented JSON (dates and paths as text)."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def write_file(write: Callable[[Path], object], path: Path) -> None:
    """Run ``write(path)``, turning a failure to write into a one-line usage error."""
    try:
        write(path)
    except OSError as err:
        raise UsageError(
            f"cannot write {path}: {err.strerror or err}",
            hint="Check that its folder exists and is writable.",
        ) from err
