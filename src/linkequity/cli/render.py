"""What the CLI prints: Rich tables on stdout, warnings and errors on stderr.

Text that came from the web or from an export (URLs, anchors, titles, file
contents quoted in a warning) is hostile: it goes through :func:`safe_text`,
which drops terminal control characters, and into Rich as plain ``Text``,
never as markup.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from linkequity.model.urls import reversed_host
from linkequity.model.verification import LinkOutcome

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    import numpy.typing as npt

    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.crawl.robots import RobotsCheck
    from linkequity.errors import LinkEquityError
    from linkequity.model.links import PageLinks
    from linkequity.model.records import DamagedRecord
    from linkequity.model.urls import Url
    from linkequity.parsing.exports import BadRow
    from linkequity.services.crawl import CrawlReport
    from linkequity.services.demo import DemoReport
    from linkequity.services.imports import FormatInfo, ImportReport
    from linkequity.services.ingest import IngestReport
    from linkequity.services.pages import PageLinksReport
    from linkequity.services.rank import EdgeListRanking, RankReport
    from linkequity.services.verify import VerifyReport
    from linkequity.settings import SettingInfo
    from linkequity.store import StoreStats

_T = TypeVar("_T")
stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: object, *, limit: int = 300) -> str:
    """Printable, single-line form of untrusted text, cut to ``limit`` characters."""
    cleaned = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text).replace("\n", " "))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def error(err: LinkEquityError) -> None:
    """Print an expected error as one line: the message, then what to do."""
    hint = f" \N{EM DASH} {err.hint}" if err.hint else ""
    sys.stderr.write(f"error: {safe_text(err, limit=2000)}{hint}\n")


def bad_row_printer(max_warnings: int) -> Callable[[Path, BadRow], None]:
    """Return a callback that prints the first ``max_warnings`` bad rows of each file.

    Each reads ``warning: export.csv:17: source URL ... (row skipped)``: the row
    located as everywhere else (``BadRow.in_file``).
    """
    printed: dict[Path, int] = {}

    def warn(path: Path, problem: BadRow) -> None:
        count = printed.get(path, 0) + 1
        printed[path] = count
        if count <= max_warnings:
            # The row's text comes from the export: cut to 300 characters, the file name whole.
            located = safe_text(problem.in_file(path), limit=300 + len(str(path)))
            stderr.print(Text(f"warning: {located} (row skipped)"))
        elif count == max_warnings + 1:
            stderr.print(Text(f"warning: {path}: more bad rows; only counting them now"))

    return warn


def import_progress(
    *, enabled: bool
) -> Callable[[Path], AbstractContextManager[Callable[[int], None]]]:
    """Return a factory of per-file progress displays, each yielding a ``rows_done`` callback."""

    def track(path: Path) -> AbstractContextManager[Callable[[int], None]]:
        if not enabled or not stderr.is_terminal:
            return nullcontext(_ignore_rows)
        return _RowProgress(path)

    return track


def _ignore_rows(rows_done: int) -> None:
    del rows_done


class _RowProgress(AbstractContextManager[Callable[[int], None]]):
    def __init__(self, path: Path) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task = self._progress.add_task(safe_text(path.name, limit=60), total=None)

    def __enter__(self) -> Callable[[int], None]:
        self._progress.start()
        return self._update

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def _update(self, rows_done: int) -> None:
        self._progress.update(self._task, completed=rows_done)


def damage_printer(max_warnings: int) -> Callable[[DamagedRecord], None]:
    """Return a callback that prints the first ``max_warnings`` damaged records of each file."""
    printed: dict[str, int] = {}

    def warn(damage: DamagedRecord) -> None:
        count = printed.get(damage.path, 0) + 1
        printed[damage.path] = count
        if count <= max_warnings:
            where = f"{safe_text(damage.path)}: offset {damage.offset}"
            stderr.print(Text(f"warning: {where}: {safe_text(damage.reason)} (skipped)"))
        elif count == max_warnings + 1:
            stderr.print(
                Text(f"warning: {safe_text(damage.path)}: more damage; only counting it now")
            )

    return warn


def archive_progress(
    *, enabled: bool
) -> Callable[[Path, int], AbstractContextManager[Callable[[int, int], None] | None]]:
    """Return a factory of per-archive progress bars told ``(records, bytes)`` read."""

    def track(path: Path, size: int) -> AbstractContextManager[Callable[[int, int], None] | None]:
        if not enabled or not stderr.is_terminal:
            return nullcontext(None)
        return _ArchiveProgress(path, size)

    return track


class _ArchiveProgress(AbstractContextManager[Callable[[int, int], None]]):
    """A bar over the file's bytes, with MB/s, and the records read with records/s."""

    def __init__(self, path: Path, size: int) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[records]:,} records, {task.fields[rate]:,.0f} records/s"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task = self._progress.add_task(
            safe_text(path.name, limit=60), total=size, records=0, rate=0.0
        )

    def __enter__(self) -> Callable[[int, int], None]:
        self._progress.start()
        return self._update

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def _update(self, records: int, bytes_done: int) -> None:
        elapsed = self._progress.tasks[0].elapsed or 0.0
        rate = records / elapsed if elapsed > 0 else 0.0
        self._progress.update(self._task, completed=bytes_done, records=records, rate=rate)


class _StatusLine(AbstractContextManager[Callable[[_T], None]], Generic[_T]):
    """A transient spinner line on stderr whose text ``describe`` makes of each update."""

    def __init__(self, first: str, describe: Callable[[_T], str]) -> None:
        self._describe = describe
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task = self._progress.add_task(first, total=None)

    def __enter__(self) -> Callable[[_T], None]:
        self._progress.start()
        return self._update

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def _update(self, state: _T) -> None:
        self._progress.update(self._task, description=self._describe(state))


def crawl_progress(
    *, enabled: bool
) -> AbstractContextManager[Callable[[CrawlProgress], None] | None]:
    """Return a live status line for a crawl, told its progress after each commit."""
    if not enabled or not stderr.is_terminal:
        return nullcontext(None)
    return _StatusLine("starting the crawl", crawl_status)


def crawl_status(progress: CrawlProgress) -> str:
    """One line: pages done and queued, pages/s, errors, hosts waiting."""
    return (
        f"{progress.stored:,} done · {progress.queued:,} queued · "
        f"{progress.in_flight:,} in flight · {progress.pages_per_s:,.1f} pages/s · "
        f"{progress.failed:,} failed · {progress.excluded:,} excluded by robots.txt · "
        f"{progress.retried:,} retries · {progress.hosts_waiting:,} hosts waiting"
    )


def crawl_report(report: CrawlReport, *, db: Path) -> None:
    """Print how the crawl run went, its URLs by state, then the project's totals."""
    verb = "Resumed" if report.is_resumed else "Crawled"
    stdout.print(
        Text(
            f"{verb} crawl {report.snapshot_id} into {safe_text(db)}: "
            f"{report.progress.fetched:,} responses in {report.progress.elapsed_s:,.1f} s "
            f"({report.progress.pages_per_s:,.1f} pages/s)"
        )
    )
    if report.requeued:
        stdout.print(Text(f"{report.requeued:,} URLs in flight when it stopped were fetched again"))
    states = ", ".join(f"{count:,} {state}" for state, count in report.urls_by_state.items())
    stdout.print(Text(f"URLs: {states}"))
    if report.sitewide_sightings:
        stdout.print(Text(f"{report.sitewide_sightings:,} link sightings marked sitewide"))
    if report.lost_links:
        stdout.print(Text(f"{report.lost_links:,} stored links gone from their pages: marked lost"))
    for url, outcome in report.failures:
        stdout.print(Text(f"failed: {safe_text(url, limit=200)}: {safe_text(outcome)}"))
    for hint in report.progress.hints:
        stdout.print(Text(f"hint: {hint}"))
    project_stats(report.stats, db=db)


def demo_report(report: DemoReport, *, db: Path) -> None:
    """Print where the demo's project and report are, the top findings and what to try next."""
    crawl, files, audit = report.crawl, report.files, report.data.audit
    stdout.print(
        Text(
            f"Sample web {report.seed}: {report.sites} sites, {report.pages:,} pages, money site "
            f"{report.money_site}, served on 127.0.0.1 and crawled: "
            f"{crawl.progress.fetched:,} responses, {crawl.stats.links:,} links"
        )
    )
    for item in report.imported.files:
        stdout.print(
            Text(
                f"Imported {safe_text(item.path)} ({item.format_title}): {item.rows_read:,} rows, "
                f"{item.links_merged:,} of them links the crawl found too, "
                f"{item.links_added:,} only the export reports"
            )
        )
    stdout.print(
        Text(
            f"Ranked snapshot {report.rank.snapshot_id}: {report.rank.pages:,} pages, "
            f"{report.rank.domains:,} domains, trust from {report.rank.trust_seed_pages:,} "
            f"pages of the seed domains in {safe_text(files.trust_seeds)}"
        )
    )
    places = Table.grid(padding=(0, 2))
    places.add_row("Project", Text(safe_text(db)))
    places.add_row(
        "Report",
        Text(
            f"{safe_text(files.report)} ({report.report_bytes:,} bytes): open it in a browser; "
            "it needs no network"
        ),
    )
    places.add_row(
        "Inputs",
        Text(
            f"{safe_text(files.export.parent)} (the Ahrefs export, the trust seeds, the "
            "competitors: what a site owner would give)"
        ),
    )
    stdout.print(places)
    totals, toxicity = audit["totals"], audit["toxicity"]
    target = safe_text(report.target)
    stdout.print(
        Text(
            f"Backlinks of {target}: {totals['links']:,} live links from "
            f"{totals['referring_pages']:,} pages on {totals['referring_domains']:,} domains; "
            f"{toxicity['toxic_domains']:,} toxic domains ({toxicity['toxic_links']:,} links); "
            f"{audit['lost']['count']:,} links lost since {str(audit['lost']['since'])[:10]}"
        )
    )
    findings = report.findings()

    domains = Table(
        title=f"What {target}'s authority rests on: referring domains", title_justify="left"
    )
    domains.add_column("domain", overflow="fold", ratio=1)
    domains.add_column("share of its domain rank", justify="right", no_wrap=True)
    domains.add_column("tier-1 pages", justify="right", no_wrap=True)
    for row in findings["authority_domains"]:
        domains.add_row(Text(safe_text(row["domain"])), percent(row["share"]), f"{row['pages']:,}")
    stdout.print(domains)
    pages = Table(title="... and tier-1 pages", title_justify="left")
    pages.add_column("tier-1 page", overflow="fold", ratio=1)
    pages.add_column("share of its PageRank", justify="right", no_wrap=True)
    pages.add_column("placement", overflow="fold")
    for row in findings["authority_pages"]:
        pages.add_row(
            Text(safe_text(row["url"], limit=200)),
            percent(row["share"]),
            Text(", ".join(safe_text(place) for place in row["placements"])),
        )
    stdout.print(pages)

    plan = report.data.plan
    moves = Table(
        title=f"Best tier-2 moves: {len(plan['links'])} new links raise its PageRank by "
        f"{percent(plan['total_share'])}",
        title_justify="left",
    )
    moves.add_column("#", justify="right")
    moves.add_column("new link from", overflow="fold", ratio=1)
    moves.add_column("to tier-1 page", overflow="fold", ratio=1)
    moves.add_column("gain", justify="right", no_wrap=True)
    moves.add_column("anchor", overflow="fold")
    for number, row in enumerate(findings["moves"], start=1):
        moves.add_row(
            str(number),
            Text(safe_text(row["source"], limit=200)),
            Text(safe_text(row["target"], limit=200)),
            percent(row["page_share"]),
            Text(f"{row['anchor_class']}: {safe_text(row['anchor_hint'], limit=100)}"),
        )
    stdout.print(moves)

    toxic = Table(title="Worst toxic referring domains", title_justify="left")
    toxic.add_column("domain", overflow="fold")
    toxic.add_column("score", justify="right", no_wrap=True)
    toxic.add_column("links", justify="right", no_wrap=True)
    toxic.add_column("why", overflow="fold", ratio=1)
    for row in findings["toxic_domains"]:
        toxic.add_row(
            Text(safe_text(row["domain"])),
            f"{row['score']:.0f}",
            f"{row['links']:,}",
            Text(safe_text(row["reasons"][0]["text"] if row["reasons"] else "")),
        )
    stdout.print(toxic)

    timings = " \N{MIDDLE DOT} ".join(
        f"{phase} {seconds:.1f} s" for phase, seconds in report.timings_s.items()
    )
    stdout.print(Text(f"Done in {report.total_s:.1f} s ({timings})"))
    stdout.print(Text("Next:"))
    for command in report.next_commands():
        stdout.print(Text(f"  {command}"))


def ingest_report(report: IngestReport, *, db: Path) -> None:
    """Print one row per archive ingested, what was skipped and damaged, then the totals."""
    table = Table(title=f"Ingested into {safe_text(db)}", title_justify="left")
    columns = ("file", "records", "pages", "WAT pages", "skipped", "damaged", "new links", "merged")
    table.add_column(columns[0], overflow="fold", min_width=16)
    for column in columns[1:]:
        table.add_column(column, justify="right")
    for item in report.files:
        counts = (
            ("already ingested", "-", "-", "-", "-", "-", "-")
            if item.is_duplicate
            else (
                f"{item.records:,}",
                f"{item.pages:,}",
                f"{item.wat_pages:,}",
                f"{sum(item.skipped.values()):,}",
                f"{item.damaged:,}",
                f"{item.links_added:,}",
                f"{item.links_merged:,}",
            )
        )
        table.add_row(Text(safe_text(item.path.name)), *counts)
    stdout.print(table)
    for item in report.files:
        if item.skipped:
            skipped = ", ".join(f"{count:,} {kind}" for kind, count in sorted(item.skipped.items()))
            stdout.print(Text(f"{safe_text(item.path.name)}: skipped {skipped}"))
        if item.unreadable_bodies:
            stdout.print(
                Text(
                    f"{safe_text(item.path.name)}: {item.unreadable_bodies:,} response bodies "
                    "in a coding linkequity cannot undo (br, zstd) gave no links"
                )
            )
        if item.lost_links:
            stdout.print(
                Text(
                    f"{safe_text(item.path.name)}: {item.lost_links:,} stored links "
                    "gone from their pages: marked lost"
                )
            )
    project_stats(report.stats, db=db)


def import_report(report: ImportReport, *, db: Path) -> None:
    """Print one row per file imported, then the project totals."""
    table = Table(title=f"Imported into {safe_text(db)}", title_justify="left")
    for column in ("file", "format", "rows", "imported", "bad", "new links", "merged"):
        table.add_column(column, justify="left" if column in {"file", "format"} else "right")
    for item in report.files:
        counts = (
            ("-", "already imported", "-", "-", "-")
            if item.is_duplicate
            else (
                f"{item.rows_read:,}",
                f"{item.records_imported:,}",
                f"{item.bad_rows:,}",
                f"{item.links_added:,}",
                f"{item.links_merged:,}",
            )
        )
        table.add_row(Text(safe_text(item.path.name)), item.format_name, *counts)
    stdout.print(table)
    project_stats(report.stats, db=db)


def project_stats(project: StoreStats, *, db: Path) -> None:
    """Print the headline counts of a project."""
    table = Table(title=f"Project {safe_text(db)}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("links", project.links),
        ("referring pages", project.referring_pages),
        ("referring domains", project.referring_domains),
        ("target pages", project.target_pages),
        ("target domains", project.target_domains),
        ("sightings (link reports)", project.sightings),
        ("files imported", project.files),
        ("snapshots", project.snapshots),
    ):
        table.add_row(label, f"{value:,}")
    for tool, links in sorted(project.links_by_tool.items()):
        table.add_row(f"links reported by {tool}", f"{links:,}")
    stdout.print(table)


def formats(known: Sequence[FormatInfo]) -> None:
    """Print the export formats ``import`` recognises and the headers that identify them."""
    table = Table(title="Recognised export formats", title_justify="left")
    for column in ("format", "tool", "rows are", "identified by headers"):
        table.add_column(column)
    for item in known:
        table.add_row(item.name, item.tool, item.kind, ", ".join(item.required_headers))
    stdout.print(table)


def url_as_dict(url: Url) -> dict[str, str | None]:
    """Return the JSON form of a parsed URL."""
    return {
        "url": url.url,
        "host": url.host,
        "registrable_domain": url.domain,
        "reversed_host": reversed_host(url.host),
    }


def urls(parsed: Sequence[Url]) -> None:
    """Print normalised URLs with their host, registrable domain and reversed host."""
    table = Table(show_header=True)
    for column in ("url", "host", "registrable domain", "reversed host"):
        table.add_column(column, overflow="fold")
    for item in parsed:
        table.add_row(
            Text(safe_text(item.url, limit=2000)),
            item.host,
            item.domain or "-",
            reversed_host(item.host),
        )
    stdout.print(table)


def settings_table(described: Sequence[SettingInfo]) -> None:
    """Print every setting with its value, its source and its environment variable."""
    table = Table(title="Settings", title_justify="left")
    for column in ("setting", "value", "from", "environment variable", "what it does"):
        table.add_column(column)
    for info in described:
        table.add_row(
            info.key, Text(safe_text(info.value)), str(info.source), info.env_var, info.help
        )
    stdout.print(table)


def written_files(paths: Sequence[Path]) -> None:
    """Print the files an export wrote, one per line."""
    for path in paths:
        stdout.print(Text(str(path)))


def page_links_as_dict(report: PageLinksReport) -> dict[str, object]:
    """Return the JSON form of one page's links and the counts kept out of the graph."""
    page = report.links
    return {
        "url": page.url,
        "status": report.status,
        "problem": report.problem,
        "links": [
            {
                "position": link.position,
                "url": link.url,
                "anchor_text": link.anchor_text,
                "placement": str(link.placement),
                "rel": sorted(link.rel),
                "passes_equity": link.passes_equity,
                "is_image": link.is_image,
                "alt": link.alt,
                "title": link.title,
                "hidden": link.hidden,
                "left_context": link.left_context,
                "right_context": link.right_context,
            }
            for link in page.links
        ],
        "kept_out_of_graph": _kept_out(page),
        "has_meta_nofollow": page.has_meta_nofollow,
        "is_truncated": page.is_truncated,
    }


def _kept_out(page: PageLinks) -> dict[str, int]:
    return {
        "javascript": page.javascript_links,
        "mailto": page.mailto_links,
        "tel": page.tel_links,
        "data": page.data_links,
        "other_scheme": page.other_scheme_links,
        "self": page.self_links,
        "unresolved": page.unresolved_links,
    }


def page_links(report: PageLinksReport) -> None:
    """Print one page's links with placement, rel and flags, then what was kept out."""
    page = report.links
    if report.status is not None and not 200 <= report.status < 300:
        stdout.print(f"The page answered HTTP {report.status}: search engines index none of it.")
    if report.problem is not None:
        stdout.print(Text(f"The body could not be read: {safe_text(report.problem)}."))
    table = Table(title=Text(f"Links of {safe_text(page.url)}"), title_justify="left")
    for column in ("#", "url", "anchor", "placement", "rel", "flags"):
        table.add_column(column, overflow="fold", justify="right" if column == "#" else "left")
    for link in page.links:
        flags = [
            name
            for name, is_set in (
                ("image", link.is_image),
                ("hidden", link.hidden),
                ("no equity", not link.passes_equity),
            )
            if is_set
        ]
        table.add_row(
            str(link.position),
            Text(safe_text(link.url, limit=2000)),
            Text(safe_text(link.anchor_text, limit=120)),
            str(link.placement),
            " ".join(sorted(link.rel)),
            ", ".join(flags),
        )
    stdout.print(table)
    kept = ", ".join(f"{count:,} {name}" for name, count in _kept_out(page).items() if count)
    stdout.print(Text(f"{len(page.links):,} links in the graph; kept out: {kept or 'none'}"))
    if page.has_meta_nofollow:
        stdout.print("The page's meta robots says nofollow: none of its links passes equity.")
    if page.is_truncated:
        stdout.print("The page hit a size, nesting or link cap and was read in part.")


def robots_check_as_dict(check: RobotsCheck) -> dict[str, object]:
    """Return the JSON form of a robots.txt check: verdict, source, group and rule."""
    answer, decision = check.answer, check.decision
    rule = decision.rule if decision else None
    return {
        "url": check.url,
        "agent": check.agent,
        "allowed": check.is_allowed,
        "robots_txt": answer.source,
        "status": answer.status,
        "final_url": answer.final_url,
        "access": str(answer.access),
        "groups": [
            {"user_agents": list(group.agents), "lines": list(group.agent_lines)}
            for group in (decision.groups if decision else ())
        ],
        "rule": None
        if rule is None
        else {
            "line": rule.line,
            "directive": rule.directive,
            "pattern": rule.pattern,
            "text": rule.text,
        },
        "path": decision.path if decision else None,
        "crawl_delay_s": answer.robots.crawl_delay_s(check.agent) if answer.robots else None,
        "sitemaps": list(answer.robots.sitemaps) if answer.robots else [],
        "explanation": check.explanation,
    }


def robots_check(check: RobotsCheck) -> None:
    """Print whether a crawler may fetch a URL, the robots.txt read and the rule that decided."""
    answer, decision = check.answer, check.decision
    table = Table(show_header=False, box=None)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("verdict", "allowed" if check.is_allowed else "disallowed")
    table.add_row("url", Text(safe_text(check.url, limit=2000)))
    table.add_row("agent", Text(safe_text(check.agent)))
    status = f" (HTTP {answer.status})" if answer.status is not None else ""
    table.add_row("robots.txt", Text(safe_text(answer.source, limit=2000) + status))
    if answer.final_url:
        table.add_row("redirected to", Text(safe_text(answer.final_url, limit=2000)))
    if decision is not None:
        groups = "; ".join(
            f"user-agent {' '.join(group.agents)} (line {', '.join(map(str, group.agent_lines))})"
            for group in decision.groups
        )
        table.add_row("group", Text(safe_text(groups or "none")))
        rule = decision.rule
        table.add_row(
            "rule", Text(safe_text(f"line {rule.line}: {rule.text}") if rule else "none matched")
        )
    table.add_row("why", Text(safe_text(check.explanation, limit=2000)))
    stdout.print(table)


#: Lost links ``verify_report`` lists; ``--json`` gives them all.
SHOWN_LOST = 100


def verify_report(report: VerifyReport, *, db: Path) -> None:
    """Print the links checked by outcome, then the lost links with their reasons."""
    crawl = report.crawl
    scope = f" to {report.target_domain}" if report.target_domain else ""
    stdout.print(
        Text(
            f"Verified {len(report.checks):,} imported "
            f"backlink{'' if len(report.checks) == 1 else 's'}{scope} in {safe_text(db)} "
            f"(crawl {report.snapshot_id}: {crawl.progress.fetched:,} responses "
            f"in {crawl.progress.elapsed_s:,.1f} s)"
        )
    )
    table = Table(title="Backlinks by outcome", title_justify="left")
    table.add_column("outcome")
    table.add_column("links", justify="right")
    table.add_column("meaning")
    for outcome in LinkOutcome:
        count = report.by_outcome.get(str(outcome), 0)
        if count:
            table.add_row(str(outcome), f"{count:,}", outcome.describe())
    stdout.print(table)
    lost = report.lost
    if not lost:
        stdout.print("No backlink was found lost.")
        return
    shown = Table(title=f"Lost backlinks ({len(lost):,})", title_justify="left")
    for column in ("linking page", "target", "anchor", "reason", "detail"):
        shown.add_column(column, overflow="fold")
    for check in lost[:SHOWN_LOST]:
        shown.add_row(
            Text(safe_text(check.source_url, limit=200)),
            Text(safe_text(check.target_url, limit=200)),
            Text(safe_text(check.anchor, limit=80)),
            str(check.outcome),
            Text(safe_text(check.detail or "", limit=200)),
        )
    stdout.print(shown)
    if len(lost) > SHOWN_LOST:
        stdout.print(Text(f"… and {len(lost) - SHOWN_LOST:,} more; --json lists every check"))


def edge_list_scores(ranking: EdgeListRanking, *, top: int | None, as_json: bool) -> bytes:
    """Return the scores of ``graph rank``, best first: TSV with a header, or a JSON document.

    Nodes are named as in the file (its integer ids, or its labels).
    """
    order = ranking.order(top)
    columns = {"pagerank": ranking.scores[order]}
    if ranking.hubs is not None and ranking.authorities is not None:
        columns |= {"hub": ranking.hubs[order], "authority": ranking.authorities[order]}
    names = ranking.edges.node_names(order)
    if not as_json:
        return node_scores_tsv(names, columns)
    document = {
        "nodes": ranking.edges.n_nodes,
        "edges": ranking.n_edges,
        "lines": ranking.edges.n_lines,
        "damping": ranking.damping,
        "iterations": ranking.iterations,
        "personalized": ranking.is_personalized,
        "scores": node_scores_json(names, columns),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def node_scores_tsv(names: pa.Array[Any], columns: Mapping[str, npt.ArrayLike]) -> bytes:
    """Return a TSV of one node per row: ``node`` then one column per score, with a header.

    Built by Arrow's string kernels, with no Python work per node.
    """
    header = "\t".join(["node", *columns]) + "\n"
    if len(names) == 0:
        return header.encode()
    fields: list[Any] = [pc.cast(names, pa.string())]
    fields += [pc.cast(pa.array(np.asarray(values)), pa.string()) for values in columns.values()]
    line = pc.call_function("binary_join_element_wise", [*fields, "\t"])
    ended = pc.call_function("binary_join_element_wise", [line, "", "\n"])
    packed: Any = ended.combine_chunks() if isinstance(ended, pa.ChunkedArray) else ended
    # Without nulls, the values buffer between the first and last offsets is
    # every line, end to end.
    _, offsets, values = packed.buffers()
    if offsets is None or values is None:
        raise AssertionError("a string array without offsets or values")
    bounds = np.frombuffer(memoryview(offsets), dtype=np.int32)[
        [packed.offset, packed.offset + len(packed)]
    ]
    body: bytes = values.to_pybytes()[int(bounds[0]) : int(bounds[1])]
    return header.encode() + body


def node_scores_json(
    names: pa.Array[Any], columns: Mapping[str, npt.ArrayLike]
) -> list[dict[str, Any]]:
    """Return one ``{"node": ..., score: ...}`` object per node, for JSON output."""
    rows: dict[str, Any] = {"node": names.to_pylist()}
    rows.update({name: np.asarray(values).tolist() for name, values in columns.items()})
    return pa.table(rows).to_pylist()


def rank_progress(*, enabled: bool) -> AbstractContextManager[Callable[[str], None] | None]:
    """Return a status line for ``rank`` told each phase (load, rank, domains, write)."""
    if not enabled or not stderr.is_terminal:
        return nullcontext(None)
    return _StatusLine("starting", lambda phase: _RANK_PHASES.get(phase, phase))


_RANK_PHASES = {
    "load": "loading the link graph",
    "rank": "ranking pages",
    "domains": "ranking domains",
    "write": "writing the scores",
}


def rank_report(report: RankReport, *, db: Path) -> None:
    """Print what ``rank`` scored, then the top pages and domains by PageRank."""
    if report.damping is not None:
        timings = ", ".join(
            f"{phase} {seconds:.2f} s" for phase, seconds in report.timings_s.items()
        )
        stdout.print(
            Text(
                f"Ranked snapshot {report.snapshot_id} of {safe_text(db)}: "
                f"{report.pages:,} pages, {report.page_edges:,} followed page edges "
                f"(from {report.links:,} links), {report.domains:,} domains, "
                f"{report.domain_edges:,} domain edges; damping {report.damping:g}, "
                f"{report.iterations} PageRank rounds ({timings})"
            )
        )
        if report.trust_seed_pages:
            stdout.print(Text(f"Trust and spam mass from {report.trust_seed_pages:,} seed pages"))
        for seed in report.unmatched_seeds:
            stderr.print(Text(f"warning: trust seed {safe_text(seed)} is not in the graph"))
        if report.proposed_seeds:
            proposed = ", ".join(safe_text(domain) for domain in report.proposed_seeds)
            stdout.print(
                Text(f"Trust seeds to review (best by inverse PageRank first): {proposed}")
            )
    else:
        stdout.print(
            Text(
                f"Scores of snapshot {report.snapshot_id} in {safe_text(db)}: "
                f"{report.pages:,} pages, {report.domains:,} domains"
            )
        )
    for title, items in (("Top pages", report.top_pages), ("Top domains", report.top_domains)):
        table = Table(title=title, title_justify="left")
        table.add_column("page" if title == "Top pages" else "domain", overflow="fold", ratio=1)
        for column in ("authority", "pagerank", "ref.domains", "ref.pages", "trust", "spam"):
            table.add_column(column, justify="right", no_wrap=True)
        for item in items:
            table.add_row(
                Text(safe_text(item.name, limit=200)),
                f"{item.authority:.1f}",
                f"{item.pagerank:.3g}",
                f"{item.referring_domains:,}",
                f"{item.referring_pages:,}",
                "-" if item.trust is None else f"{item.trust:.3g}",
                "-" if item.spam_mass is None else f"{item.spam_mass:.2f}",
            )
        stdout.print(table)


def percent(share: float) -> str:
    """Format a share as a percentage of three significant digits: 15.1%, 0.0042%."""
    return f"{share * 100:.3g}%"
