"""Use case: the demo, the whole main job on the generated sample web, on this machine.

The sample web (``samples.web``) is generated from a seed, served on
127.0.0.1 for the length of the crawl, and crawled the way a user crawls the
real web: robots.txt obeyed, sitemaps read, pages parsed with placement, links
stored in the project. Only the politeness delay is dropped, since the server
is our own; every host name is sent to the loopback server.

Then the project gets what a user's project gets. An Ahrefs export of the
money site's backlinks (``samples.web.backlinks_export``: most of its live
links, and a few the tool saw lost) is imported: the links it shares with
the crawl become one link with two provenances, and its lost links show as
lost. The project is ranked with trust seeds (the sample web's editorial
sites, the publications an owner would trust), and the money site audited,
mapped into tiers and planned (``services.report``), with its competitors
kept out of the plan and the trust seeds checking its sources for spam. The
offline HTML report is written, and the findings are taken from the very
numbers it shows.

The inputs a user would have given (the export, the trust seeds and the
competitors) are written beside the project, so that the next commands the
demo suggests run as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linkequity.errors import command_line
from linkequity.model.urls import registrable_domain
from linkequity.samples.web import SiteRole, generate_web, serve_web
from linkequity.samples.web.backlinks_export import ahrefs_export
from linkequity.services.crawl import CrawlMode, CrawlPlan, CrawlReport, crawl
from linkequity.services.imports import ImportReport, import_exports
from linkequity.services.rank import RankReport, rank_snapshot
from linkequity.services.report import ReportData, build_report, write_report

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.samples.web import SampleWeb
    from linkequity.settings import CrawlSettings

__all__ = ["DEMO_BUDGET", "DEMO_SEED", "PHASES", "DemoPhase", "DemoReport", "run_demo"]

#: The sample web the demo crawls unless told otherwise.
DEMO_SEED = 1
#: New links the demo's plan spends.
DEMO_BUDGET = 5
#: Threads of the loopback server: each keep-alive connection holds one.
SERVER_WORKERS = 64
#: Links deep enough to reach every page of the sample web from the home pages.
DEMO_MAX_DEPTH = 10
#: Rows of each finding.
FINDINGS = 5
#: The phases of the demo, in order.
PHASES = ("crawl", "import", "rank", "audit", "report")


@dataclass(frozen=True, slots=True)
class DemoPhase:
    """A phase that starts (``seconds`` is ``None``) or has ended, after ``seconds``."""

    name: str
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """Where the demo wrote the project, the report and the inputs a user would give."""

    db: Path
    report: Path
    export: Path
    trust_seeds: Path
    competitors: Path

    def as_dict(self) -> dict[str, str]:
        """Plain values, for JSON output."""
        return {
            "db": str(self.db),
            "report": str(self.report),
            "export": str(self.export),
            "trust_seeds": str(self.trust_seeds),
            "competitors": str(self.competitors),
        }


@dataclass(frozen=True, slots=True)
class DemoReport:
    """The sample web the demo made, each phase's report, and the findings.

    Attributes
    ----------
    seed, sites, pages : int
        The sample web: its seed, sites and pages.
    money_site : str
        The money site's home page.
    target : str
        The money site's registrable domain, the target of the audit and plan.
    files : DemoFiles
    crawl : CrawlReport
    imported : ImportReport
    rank : RankReport
    data : ReportData
        What the report shows (audit, tiers, plan and diff as plain values).
    report_bytes : int
        Size of the report written.
    timings_s : dict
        Seconds per phase of :data:`PHASES`.
    """

    seed: int
    sites: int
    pages: int
    money_site: str
    target: str
    files: DemoFiles
    crawl: CrawlReport
    imported: ImportReport
    rank: RankReport
    data: ReportData
    report_bytes: int
    timings_s: dict[str, float]

    @property
    def total_s(self) -> float:
        """Seconds of the whole demo."""
        return sum(self.timings_s.values())

    def findings(self, top: int = FINDINGS) -> dict[str, list[dict[str, Any]]]:
        """Return the top findings, each a list of rows of the report's own values.

        ``authority_domains`` and ``authority_pages``: the referring domains
        and tier-1 pages whose equity the target's rank rests on most, by
        share; ``paths``: the paths that carry most of it; ``moves``: the
        plan's first links with their gains; ``toxic_domains``: the worst
        toxic referring domains with their reasons; ``lost``: links lost lately.
        """
        tiers, plan, audit = self.data.tiers, self.data.plan, self.data.audit
        toxic = [row for row in audit["toxicity"]["domains"] if row["is_toxic"]]
        return {
            "authority_domains": tiers["domains"][:top],
            "authority_pages": tiers["pages"][:top],
            "paths": tiers["paths"][:top],
            "moves": plan["links"][:top],
            "toxic_domains": toxic[:top],
            "lost": audit["lost"]["links"][:top],
        }

    def next_commands(self) -> list[str]:
        """Return commands to try next on the demo's project, ready to paste."""
        db, target = self.files.db, self.target
        seeds, competitors = self.files.trust_seeds, self.files.competitors
        plan_inputs = ("--trust-seeds", seeds, "--competitors", competitors)
        return [
            command_line("audit", target, "--db", db),
            command_line("tiers", target, "--db", db),
            command_line("plan", target, "--budget", 10, *plan_inputs, "--db", db),
            command_line("toxic", target, "--db", db),
            command_line("disavow", target, "--db", db),
            command_line("serve", "--db", db),
        ]

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output: the phases' reports, the findings, the timings."""
        audit = self.data.audit
        return {
            "seed": self.seed,
            "sites": self.sites,
            "pages": self.pages,
            "money_site": self.money_site,
            "target": self.target,
            "files": self.files.as_dict(),
            "crawl": self.crawl.as_dict(),
            "import": self.imported.as_dict(),
            "rank": self.rank.as_dict(),
            "report": {"path": str(self.files.report), "size_bytes": self.report_bytes},
            "audit": {
                "snapshot_id": audit["snapshot_id"],
                "totals": audit["totals"],
                "toxic_domains": audit["toxicity"]["toxic_domains"],
                "toxic_links": audit["toxicity"]["toxic_links"],
                "lost": audit["lost"]["count"],
            },
            "plan": {
                "budget": self.data.plan["budget"],
                "total_gain": self.data.plan["total_gain"],
                "total_share": self.data.plan["total_share"],
            },
            "findings": self.findings(),
            "timings_s": {phase: round(seconds, 3) for phase, seconds in self.timings_s.items()},
            "total_s": round(self.total_s, 3),
            "next": self.next_commands(),
        }


class _Clock:
    """Times each phase and tells the caller when one starts and ends."""

    def __init__(self, on_phase: Callable[[DemoPhase], None] | None) -> None:
        self._on_phase = on_phase
        self.timings_s: dict[str, float] = {}
        self._name = ""
        self._started = 0.0

    def start(self, name: str) -> None:
        self._name, self._started = name, time.perf_counter()
        if self._on_phase is not None:
            self._on_phase(DemoPhase(name))

    def stop(self) -> None:
        seconds = time.perf_counter() - self._started
        self.timings_s[self._name] = seconds
        if self._on_phase is not None:
            self._on_phase(DemoPhase(self._name, seconds))


def run_demo(
    *,
    db: Path,
    report: Path,
    tuning: CrawlSettings,
    seed: int = DEMO_SEED,
    pages: int | None = None,
    budget: int = DEMO_BUDGET,
    now: datetime | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
    on_phase: Callable[[DemoPhase], None] | None = None,
) -> DemoReport:
    """Run the main job on the sample web of *seed*: crawl, import, rank, audit, plan, report.

    Parameters
    ----------
    db
        The project file, new.
    report
        The HTML report to write.
    tuning
        The crawl settings; the politeness delay is set to 0 (our own server).
    seed, pages
        Which sample web, and how many pages in all (its default size when ``None``).
    budget
        New links the plan spends.
    now
        The present, naive UTC (tests fix it): the export's dates end there.
    on_progress
        Told the crawl's progress after each commit.
    on_phase
        Told each phase of :data:`PHASES` as it starts and as it ends.

    Raises
    ------
    StoreError
        If the project cannot be written.
    OSError
        If the inputs or the report cannot be written.
    """
    at = now or datetime.now(UTC).replace(tzinfo=None)
    clock = _Clock(on_phase)
    clock.start("crawl")
    web = generate_web(seed, pages=pages)
    crawled = _crawl(web, db=db, tuning=tuning, on_progress=on_progress)
    clock.stop()

    clock.start("import")
    files = _write_inputs(web, db=db, report=report, now=at)
    imported = import_exports([files.export], db=db)
    clock.stop()

    clock.start("rank")
    ranked = rank_snapshot(db, trust_seeds=files.trust_seeds)
    clock.stop()

    clock.start("audit")
    target = [_domain(web.target.host)]
    competitors = _domains(web, SiteRole.COMPETITOR)
    # Trust seeds keep the spam sites' pages out of the plan's sources.
    data = build_report(
        db,
        target,
        competitors=competitors,
        trust_seeds=_domains(web, SiteRole.EDITORIAL),
        budget=budget,
        now=at,
    )
    clock.stop()

    clock.start("report")
    size = write_report(data, report)
    clock.stop()
    return DemoReport(
        seed=seed,
        sites=len(web.sites),
        pages=web.page_count,
        money_site=web.target.base,
        target=target[0],
        files=files,
        crawl=crawled,
        imported=imported,
        rank=ranked,
        data=data,
        report_bytes=size,
        timings_s=clock.timings_s,
    )


def _crawl(
    web: SampleWeb,
    *,
    db: Path,
    tuning: CrawlSettings,
    on_progress: Callable[[CrawlProgress], None] | None,
) -> CrawlReport:
    hosts = web.hosts
    with serve_web(web, workers=SERVER_WORKERS) as base:
        plan = CrawlPlan(
            seeds=tuple(f"http://{host}/" for host in hosts),
            mode=CrawlMode.WEB,
            max_depth=DEMO_MAX_DEPTH,
            hosts=tuple(hosts),
            allow_private=True,
            resolve_to=base.removeprefix("http://"),
        )
        return crawl(plan, db=db, tuning=replace(tuning, delay_s=0.0), on_progress=on_progress)


def _domain(host: str) -> str:
    return registrable_domain(host) or host


def _domains(web: SampleWeb, role: SiteRole) -> list[str]:
    return [_domain(site.host) for site in web.spec.sites_with(role)]


def _write_inputs(web: SampleWeb, *, db: Path, report: Path, now: datetime) -> DemoFiles:
    folder = db.with_name(f"{db.stem}-inputs")  # demo.duckdb -> demo-inputs/
    folder.mkdir(parents=True, exist_ok=True)
    name = _domain(web.target.host).split(".")[0]
    files = DemoFiles(
        db=db,
        report=report,
        export=folder / f"{name}-ahrefs-backlinks.csv",
        trust_seeds=folder / "trust-seeds.txt",
        competitors=folder / "competitors.txt",
    )
    files.export.write_bytes(ahrefs_export(web, now=now))
    files.trust_seeds.write_text(
        "# Publications of the niche the site owner trusts\n"
        + "".join(f"{domain}\n" for domain in _domains(web, SiteRole.EDITORIAL)),
        encoding="utf-8",
    )
    files.competitors.write_text(
        "".join(f"{domain}\n" for domain in _domains(web, SiteRole.COMPETITOR)), encoding="utf-8"
    )
    return files
