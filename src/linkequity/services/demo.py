"""Use case: the demo, a whole crawl of the generated sample web on this machine.

The sample web (``samples.web``) is generated from a seed, served on
127.0.0.1 for the length of the demo, and crawled the way a user crawls the
real web: robots.txt obeyed, sitemaps read, pages parsed with placement, links
stored in the project. Only the politeness delay is dropped, since the server
is our own; every host name is sent to the loopback server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from linkequity.samples.web import generate_web, serve_web
from linkequity.services.crawl import CrawlMode, CrawlPlan, CrawlReport, crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.settings import CrawlSettings

__all__ = ["DEMO_SEED", "DemoReport", "run_demo"]

#: The sample web the demo crawls unless told otherwise.
DEMO_SEED = 1
#: Threads of the loopback server: each keep-alive connection holds one.
SERVER_WORKERS = 64
#: Links deep enough to reach every page of the sample web from the home pages.
DEMO_MAX_DEPTH = 10


@dataclass(frozen=True, slots=True)
class DemoReport:
    """The sample web the demo made and the crawl of it."""

    seed: int
    sites: int
    pages: int
    money_site: str
    crawl: CrawlReport

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {
            "seed": self.seed,
            "sites": self.sites,
            "pages": self.pages,
            "money_site": self.money_site,
            "crawl": self.crawl.as_dict(),
        }


def run_demo(
    *,
    db: Path,
    tuning: CrawlSettings,
    seed: int = DEMO_SEED,
    pages: int | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> DemoReport:
    """Generate the sample web of *seed*, serve it on loopback and crawl it into *db*.

    Parameters
    ----------
    db
        The project file the crawl is stored in.
    tuning
        The crawl settings; the politeness delay is set to 0 (our own server).
    seed, pages
        Which sample web, and how many pages in all (its default size when ``None``).
    on_progress
        Told the crawl's progress after each commit.
    """
    web = generate_web(seed, pages=pages)
    hosts = list(web.hosts)
    with serve_web(web, workers=SERVER_WORKERS) as base:
        plan = CrawlPlan(
            seeds=tuple(f"http://{host}/" for host in hosts),
            mode=CrawlMode.WEB,
            max_depth=DEMO_MAX_DEPTH,
            hosts=tuple(hosts),
            allow_private=True,
            resolve_to=base.removeprefix("http://"),
        )
        report = crawl(plan, db=db, tuning=replace(tuning, delay_s=0.0), on_progress=on_progress)
    return DemoReport(
        seed=seed,
        sites=len(web.sites),
        pages=web.page_count,
        money_site=web.target.base,
        crawl=report,
    )
