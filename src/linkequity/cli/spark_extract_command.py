"""``linkequity spark extract``: WARC, WAT and ARC files to the store's Parquet tables, on Spark.

The command parses its arguments, calls ``spark.extract.extract_archives`` and
prints what it wrote; ``cli.app`` registers it on the ``spark`` group
(``spark_app.command("extract")(spark_extract)``). ``linkequity parquet import``
then loads the folder into a project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from linkequity.cli.options import JsonOption, print_json
from linkequity.cli.render import safe_text, stderr, stdout

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from linkequity.spark.extract import ExtractReport

__all__ = ["extract_report", "spark_extract"]


def spark_extract(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Web archives (WARC, WAT or ARC, plain or gzip), folders of them, "
            "or glob patterns (quoted)",
            metavar="FILE",
            show_default=False,
        ),
    ],
    out: Annotated[
        str,
        typer.Option(
            "--out",
            help="Folder to write the Parquet tables to (local, hdfs:// or s3a://)",
            metavar="DIR",
            show_default=False,
        ),
    ],
    master: Annotated[
        str,
        typer.Option("--master", help="Spark master URL", metavar="M"),
    ] = "local[*]",
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions",
            help="Parsing tasks (default: one per file, at most as many as files)",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    driver_memory: Annotated[
        str,
        typer.Option("--driver-memory", help="Memory of the Spark driver", metavar="SIZE"),
    ] = "2g",
    as_json: JsonOption = False,
) -> None:
    """Extract the pages and links of web archives with Spark, as the store's Parquet tables."""
    from linkequity.spark.extract import extract_archives

    with _StageProgress(enabled=not as_json) as tell:
        report = extract_archives(
            files,
            out,
            master=master,
            partitions=partitions,
            driver_memory=driver_memory,
            config={"spark.ui.showConsoleProgress": "false"},
            on_progress=tell,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        extract_report(report)


def extract_report(report: ExtractReport) -> None:
    """Print what an extraction read and wrote, and how to load it."""
    table = Table(title=f"Spark extract ({report.seconds:.1f} s)", title_justify="left")
    table.add_column("What")
    table.add_column("Count", justify="right")
    rows = (
        ("archives read", report.files),
        ("duplicate archives left out", report.duplicates),
        ("records", report.records),
        ("fetches parsed", report.fetches),
        ("damaged records skipped", report.damaged),
        ("bodies in an unreadable coding", report.unreadable_bodies),
        ("pages", report.pages),
        ("URLs", report.urls),
        ("links", report.links),
        ("link sightings", report.sightings),
        ("sitewide sightings", report.sitewide_sightings),
        ("lost links", report.lost_links),
    )
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    stdout.print(table)
    out = safe_text(report.out)
    if report.damaged:
        stdout.print(Text(f"Damaged records are listed in {out}/damaged_records.parquet."))
    stdout.print(Text(f"Load them into a project: linkequity parquet import {out} --db PATH"))


class _StageProgress:
    """A transient line on stderr: the extraction's phase and its Spark tasks done."""

    def __init__(self, *, enabled: bool) -> None:
        self._progress = (
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} tasks"),
                TimeElapsedColumn(),
                console=stderr,
                transient=True,
            )
            if enabled and stderr.is_terminal
            else None
        )
        self._task = (
            self._progress.add_task("starting Spark", total=None) if self._progress else None
        )

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if self._progress is None:
            return None
        self._progress.start()
        return self._update

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _update(self, phase: str, done: int, total: int) -> None:
        assert self._progress is not None  # noqa: S101 (only handed out when enabled)
        assert self._task is not None  # noqa: S101
        self._progress.update(
            self._task, description=f"Spark: {phase}", completed=done, total=total or None
        )
