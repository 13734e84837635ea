"""The demo's progress on stderr: one line per phase, a spinner while it runs, its time after.

The crawl's line also tells its pages done and queued as it goes, short
enough for an 80-column terminal (``linkequity crawl`` tells more). Nothing
is drawn when stderr is not a terminal or with ``--json``; the final report
gives every phase's time anyway.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from linkequity.cli.render import stderr

if TYPE_CHECKING:
    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.services.demo import DemoPhase

__all__ = ["PHASE_TITLES", "DemoProgress"]

#: What each phase of ``services.demo.PHASES`` does, as the progress and the report say it.
PHASE_TITLES = {
    "crawl": "generate the sample web, serve it on 127.0.0.1 and crawl it",
    "import": "import an Ahrefs export of the money site's backlinks",
    "rank": "rank every page and domain (PageRank, TrustRank, spam mass)",
    "audit": "audit the money site, map its tiers and plan tier-2 links",
    "report": "write the HTML report",
}


class DemoProgress(AbstractContextManager["DemoProgress"]):
    """Callbacks for ``run_demo``: ``phase`` for each phase, ``crawl`` for the crawl's progress."""

    def __init__(self, *, enabled: bool) -> None:
        self._progress: Progress | None = None
        if enabled and stderr.is_terminal:
            self._progress = Progress(
                SpinnerColumn(finished_text="[green]\N{CHECK MARK}[/green]"),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=stderr,
            )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> DemoProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def phase(self, event: DemoPhase) -> None:
        """Start a phase's line, or mark it done."""
        if self._progress is None:
            return
        title = PHASE_TITLES.get(event.name, event.name)
        if event.seconds is None:
            self._tasks[event.name] = self._progress.add_task(title, total=1)
        else:
            self._progress.update(self._tasks[event.name], description=title, completed=1)

    def crawl(self, progress: CrawlProgress) -> None:
        """Show the crawl's progress on its phase's line."""
        task = self._tasks.get("crawl")
        if self._progress is None or task is None:
            return
        description = (
            f"crawl the sample web: {progress.stored:,} done, {progress.queued:,} queued, "
            f"{progress.pages_per_s:,.0f} pages/s"
        )
        self._progress.update(task, description=description, refresh=True)
