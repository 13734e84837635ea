"""Use case: verify the imported backlinks live, and say why each lost one was lost.

The backlinks to verify are the links an export reported (Ahrefs, Semrush,
Majestic, Moz, GSC): links our own crawls and archives saw are observations,
not claims to check. Their distinct source pages are fetched by a verify-mode
crawl (``services.crawl``: only those pages and their redirects, robots.txt
asked, politely, resumable), and the store then compares, in SQL, what each
page holds now with each link (``store.verification``): still present, with
which anchor, rel and placement; or lost, and why.

A verification is its crawl: the link checks are keyed by the crawl's
snapshot id. Stopped during the crawl, ``resume_verification`` goes on with
it and then checks the links.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linkequity.errors import InvalidUrl, UsageError, command_line
from linkequity.model.urls import normalize_url, registrable_domain, url_host
from linkequity.model.verification import LinkOutcome
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl, resume_crawl
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.services.crawl import CrawlReport
    from linkequity.settings import CrawlSettings

__all__ = [
    "LinkCheck",
    "LinkOutcome",
    "VerifyReport",
    "resume_verification",
    "target_domain",
    "verify_backlinks",
]


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """What one verification found of one imported link (a row of ``link_checks``).

    Attributes
    ----------
    link_id : int
        The link in the store.
    source_url, target_url, anchor : str
        The link as the exports reported it.
    outcome : LinkOutcome
        What was found; ``lost_reason`` repeats it when it is a loss.
    lost_reason : str or None
        The outcome when the link is lost, else ``None``.
    detail : str or None
        The human reason: ``"HTTP 503"``, the robots.txt rule, where a page redirects.
    status : int or None
        The status of the page the redirects ended on (``None``: no response).
    final_url : str or None
        That page; the source page itself when it did not redirect.
    redirects : int
        Redirects followed from the source page.
    is_robots_allowed, is_indexable : bool or None
        Whether robots.txt allowed the fetch, and whether the page is indexable.
    non_indexable_reason : str or None
        Why it is not (an ``IndexabilityReason`` value).
    is_present : bool or None
        Whether the link is on the page now (``None``: the verification cannot tell).
    was_followed : bool or None
        Whether the exports said the link was followed (``None``: they did not say).
    anchor_now, target_now : str or None
        The link on the page now: its anchor, and its target (which may differ
        from ``target_url`` in scheme, ``www.`` or a final slash).
    is_anchor_changed : bool or None
        Whether the anchor differs, once case and whitespace are folded.
    is_nofollow, is_sponsored, is_ugc : bool or None
        Its rel now.
    placement : str or None
        Where on the page it sits now (a ``Placement`` value).
    is_hidden : bool or None
        Whether it is hidden now.
    links_to_target : int or None
        Links of the page to the target now.
    checked_at : datetime
        When the links were compared (UTC).
    """

    link_id: int
    source_url: str
    target_url: str
    anchor: str
    outcome: LinkOutcome
    lost_reason: str | None
    detail: str | None
    status: int | None
    final_url: str | None
    redirects: int
    is_robots_allowed: bool | None
    is_indexable: bool | None
    non_indexable_reason: str | None
    is_present: bool | None
    was_followed: bool | None
    anchor_now: str | None
    is_anchor_changed: bool | None
    target_now: str | None
    is_nofollow: bool | None
    is_sponsored: bool | None
    is_ugc: bool | None
    placement: str | None
    is_hidden: bool | None
    links_to_target: int | None
    checked_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LinkCheck:
        """Return the check of one row of ``Store.link_check_rows``."""
        values = {item.name: row[item.name] for item in fields(cls)}
        values["outcome"] = LinkOutcome(values["outcome"])
        return cls(**values)

    @property
    def rel_now(self) -> tuple[str, ...]:
        """The rel tokens of the link on the page now that stop equity, in order."""
        flags = (
            ("nofollow", self.is_nofollow),
            ("sponsored", self.is_sponsored),
            ("ugc", self.is_ugc),
        )
        return tuple(name for name, is_set in flags if is_set)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        values = asdict(self)
        values["outcome"] = str(self.outcome)
        values["rel_now"] = list(self.rel_now)
        values["checked_at"] = self.checked_at.isoformat()
        return values


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What one verification found, and how its crawl went.

    ``by_outcome`` counts the links checked under every ``LinkOutcome``, in
    the enum's order, zeros included.
    """

    snapshot_id: int
    target_domain: str | None
    crawl: CrawlReport
    by_outcome: dict[str, int]
    checks: tuple[LinkCheck, ...]

    @property
    def lost(self) -> tuple[LinkCheck, ...]:
        """The checks of the links found lost."""
        return tuple(check for check in self.checks if check.outcome.is_lost)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output: the counts, the crawl and every check."""
        return {
            "snapshot_id": self.snapshot_id,
            "target_domain": self.target_domain,
            "checked": len(self.checks),
            "lost": len(self.lost),
            "by_outcome": dict(self.by_outcome),
            "checks": [check.as_dict() for check in self.checks],
            "crawl": self.crawl.as_dict(),
        }


def target_domain(text: str) -> str:
    """Return the registrable domain of a ``--target`` given as a domain, host or URL.

    Raises
    ------
    UsageError
        If *text* names no host.
    """
    given = text.strip()
    try:
        url = normalize_url(given if "://" in given else f"http://{given}")
    except InvalidUrl as err:
        raise UsageError(
            f"--target {text!r}: {err}", hint="Give a domain such as example.com, or a URL."
        ) from err
    host = url_host(url)
    return registrable_domain(host) or host


def verify_backlinks(
    *,
    db: Path,
    tuning: CrawlSettings,
    target: str | None = None,
    allow_private: bool = False,
    resolve_to: str | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> VerifyReport:
    """Fetch the source page of every imported backlink and check each link on it.

    Parameters
    ----------
    db : Path
        The project, holding imported backlink exports.
    tuning : CrawlSettings
        The crawl's politeness, timeouts and limits.
    target : str, optional
        Only the links to this domain (a domain, host or URL; see ``target_domain``).
    allow_private, resolve_to
        Passed to the crawl (``CrawlPlan``); for a web served on 127.0.0.1.
    on_progress : callable, optional
        Told the crawl's progress after each commit.

    Raises
    ------
    UsageError
        If the project holds no imported backlink (to *target*), or the
        crawl's tuning cannot work.
    StoreLocked
        When another process is writing to *db*.
    """
    domain = None if target is None else target_domain(target)
    with Store.open(db) as store:
        seeds = store.verification_seeds(target_domain=domain)
    if not seeds:
        to = f" to {domain}" if domain else ""
        raise UsageError(
            f"{db} holds no imported backlinks{to} to verify",
            hint=f"Import a backlink export first: {command_line('import', 'FILE', '--db', db)}",
        )
    plan = CrawlPlan(
        seeds=tuple(seeds),
        mode=CrawlMode.VERIFY,
        allow_private=allow_private,
        resolve_to=resolve_to,
    )
    report = crawl(plan, db=db, tuning=tuning, on_progress=on_progress)
    return _check_links(db, report, domain)


def resume_verification(
    *,
    db: Path,
    target: str | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> VerifyReport:
    """Go on with the verification that stopped during its crawl, then check its links.

    Without *target*, every imported link from the crawl's pages is checked.

    Raises
    ------
    UsageError
        If *db* holds no unfinished crawl, or the unfinished crawl is no verification.
    """
    domain = None if target is None else target_domain(target)
    with Store.open(db) as store:
        unfinished = store.unfinished_crawl()
    if unfinished is None:
        raise UsageError(
            f"{db} holds no unfinished verification to resume",
            hint=f"Start one with: {command_line('verify', '--db', db)}",
        )
    mode = json.loads(unfinished[1]).get("plan", {}).get("mode")
    if mode != str(CrawlMode.VERIFY):
        raise UsageError(
            f"the unfinished crawl of {db} is a {mode} crawl, not a verification",
            hint=f"Resume it with: {command_line('crawl', '--resume', '--db', db)}",
        )
    report = resume_crawl(db=db, on_progress=on_progress)
    return _check_links(db, report, domain)


def _check_links(db: Path, report: CrawlReport, domain: str | None) -> VerifyReport:
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    with Store.open(db) as store:
        store.record_link_checks(report.snapshot_id, checked_at=checked_at, target_domain=domain)
        counts = store.link_check_counts(report.snapshot_id)
        rows = store.link_check_rows(report.snapshot_id).to_pylist()
    return VerifyReport(
        snapshot_id=report.snapshot_id,
        target_domain=domain,
        crawl=report,
        by_outcome={str(outcome): counts.get(str(outcome), 0) for outcome in LinkOutcome},
        checks=tuple(LinkCheck.from_row(row) for row in rows),
    )
