"""Use case: verify a campaign's prospects live, marking their links live or lost.

The prospects' pages are fetched by one verify-mode crawl
(``services.crawl``: only those pages and their redirects, robots.txt
obeyed, per-host politeness), the crawl that ``linkequity verify`` runs for
imported backlinks; what its snapshot read of each page is classified by
``analysis.campaigns`` and recorded (``prospect_checks``), and the status
changes the rules of ``model.campaigns`` allow are made, each recorded.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkequity.analysis.campaigns import (
    FoundLink,
    PageFetch,
    classify_prospect,
    loose_url_key,
    match_anchor,
    verified_status,
)
from linkequity.errors import UsageError, command_line
from linkequity.model.campaigns import ChangeBy, ProspectStatus
from linkequity.services.campaigns import find_campaign, plain_values, url_domain, utc_now
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl, resume_crawl
from linkequity.services.project import open_existing

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from linkequity.crawl.crawler import CrawlProgress
    from linkequity.services.crawl import CrawlReport
    from linkequity.settings import CrawlSettings

__all__ = ["MAX_REDIRECTS", "CampaignVerification", "verify_campaign"]

#: Redirects followed from a prospect's page at most (the crawler stops at 10).
MAX_REDIRECTS = 10


@dataclass(frozen=True, slots=True)
class CampaignVerification:
    """What a campaign verification found: a check per prospect, and the changes made."""

    campaign: str
    snapshot_id: int
    crawl: CrawlReport
    checks: list[dict[str, Any]]
    changes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON output."""
        return {
            "campaign": self.campaign,
            "snapshot_id": self.snapshot_id,
            "checked": len(self.checks),
            "by_outcome": dict(Counter(check["outcome"] for check in self.checks)),
            "changes": [plain_values(change) for change in self.changes],
            "checks": [plain_values(check) for check in self.checks],
            "crawl": self.crawl.as_dict(),
        }


def verify_campaign(
    db: Path,
    name: str,
    *,
    tuning: CrawlSettings,
    allow_private: bool = False,
    resolve_to: str | None = None,
    resume: bool = False,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CampaignVerification:
    """Fetch every prospect's page and mark its link live or lost (``analysis.campaigns``).

    The pages are fetched by one verify-mode crawl (only those pages and their
    redirects, robots.txt asked, per-host politeness): its snapshot holds what
    they say now. A live link found gone is marked lost in the store's links
    as well, as ``verify`` does, so that ``rank`` and ``campaign impact``
    leave it out. With ``resume``, the campaign's verification that stopped
    during its crawl goes on (with its saved plan and tuning), then checks.

    Raises
    ------
    UsageError
        If the campaign is unknown or has no prospect; with ``resume``, if
        the store's unfinished crawl is not a verification of this campaign.
    """
    with open_existing(db, read_only=True) as store:
        campaign = find_campaign(store, name, db)
        prospects = store.prospects(campaign["id"])
    if not prospects:
        raise UsageError(
            f"campaign {name!r} has no prospect to verify",
            hint=f"Add some: {command_line('campaign', 'add', name, '--from', 'plan', '--db', db)}",
        )
    seeds = tuple(dict.fromkeys(row["source_url"] for row in prospects))
    if resume:
        _check_unfinished(db, name, seeds)
        report = resume_crawl(db=db, on_progress=on_progress)
    else:
        plan = CrawlPlan(
            seeds=seeds, mode=CrawlMode.VERIFY, allow_private=allow_private, resolve_to=resolve_to
        )
        report = crawl(plan, db=db, tuning=tuning, on_progress=on_progress)
    at = utc_now()
    checks: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    with open_existing(db) as store:
        fetched = {row["url"]: PageFetch(**row) for row in store.crawl_pages(report.snapshot_id)}
        chains = {seed: _chain(seed, fetched) for seed in seeds}
        ends = sorted({chain[-1].url for chain in chains.values() if chain})
        links = store.crawl_page_links(report.snapshot_id, ends).to_pylist()
        with store.transaction():
            for prospect in prospects:
                check, change = _check(prospect, chains[prospect["source_url"]], links)
                check.update(snapshot_id=report.snapshot_id, checked_at=at)
                checks.append(check)
                if change is None:
                    continue
                status, reason = change
                store.set_prospect_status(
                    prospect["id"],
                    str(status),
                    at=at,
                    changed_by=str(ChangeBy.VERIFY),
                    note=check["detail"] or check["outcome"],
                    lost_reason=reason,
                )
                if status is ProspectStatus.LOST:
                    store.mark_links_lost(
                        prospect["source_url"], prospect["target_url"], at=at, reason=reason or ""
                    )
                changes.append(
                    {
                        "prospect_id": prospect["id"],
                        "source_url": prospect["source_url"],
                        "target_url": prospect["target_url"],
                        "old_status": prospect["status"],
                        "new_status": str(status),
                        "reason": reason,
                    }
                )
            store.record_prospect_checks(checks)
    return CampaignVerification(campaign["name"], report.snapshot_id, report, checks, changes)


def _check_unfinished(db: Path, name: str, seeds: tuple[str, ...]) -> None:
    """Refuse to resume anything but this campaign's stopped verification."""
    with open_existing(db, read_only=True) as store:
        unfinished = store.unfinished_crawl()
    if unfinished is None:
        raise UsageError(
            f"{db} holds no unfinished verification of campaign {name!r} to resume",
            hint=f"Start one: {command_line('campaign', 'verify', name, '--db', db)}",
        )
    plan = json.loads(unfinished[1]).get("plan", {})
    if plan.get("mode") != str(CrawlMode.VERIFY) or not set(plan.get("seeds", [])) <= set(seeds):
        raise UsageError(
            f"the unfinished crawl of {db} is not a verification of campaign {name!r}",
            hint=f"Resume it first with: {command_line('crawl', '--resume', '--db', db)}",
        )


def _chain(seed: str, fetched: dict[str, PageFetch]) -> list[PageFetch]:
    """Return the source page and the pages its redirects led to, as the crawl fetched them."""
    chain: list[PageFetch] = []
    url: str | None = seed
    while url is not None and url in fetched and len(chain) <= MAX_REDIRECTS:
        page = fetched[url]
        if page in chain:
            break
        chain.append(page)
        is_redirect = page.status is not None and 300 <= page.status <= 399  # noqa: PLR2004
        url = page.final_url if is_redirect and page.final_url != page.url else None
    return chain


def _check(
    prospect: dict[str, Any], chain: list[PageFetch], links: list[dict[str, Any]]
) -> tuple[dict[str, Any], tuple[ProspectStatus, str | None] | None]:
    """Classify one prospect's page; return its check row and the status change, if any."""
    key = loose_url_key(prospect["target_url"])
    found: FoundLink | None = None
    if chain:
        end = chain[-1].url
        candidates = [
            link for link in links if link["source_url"] == end and link["target_key"] == key
        ]
        suggested = prospect["suggested_anchor"] or ""
        candidates.sort(
            key=lambda link: (
                not _is_followed(link),
                (link["anchor"] or "").strip().lower() != suggested.strip().lower(),
            )
        )
        if candidates:
            best = candidates[0]
            found = FoundLink(
                target_url=best["target_url"],
                anchor=best["anchor"] or "",
                is_nofollow=best["is_nofollow"],
                is_sponsored=best["is_sponsored"],
                is_ugc=best["is_ugc"],
                placement=best["placement"],
                is_hidden=best["is_hidden"],
                is_image=best["is_image"],
                alt=best["alt"],
            )
    status = ProspectStatus(prospect["status"])
    was_followed = (
        None
        if status is not ProspectStatus.LIVE
        else not (prospect["is_nofollow"] or prospect["is_sponsored"] or prospect["is_ugc"])
    )
    outcome, detail = classify_prospect(chain, found, was_followed=was_followed)
    end_page = chain[-1] if chain else None
    check: dict[str, Any] = {
        "prospect_id": prospect["id"],
        "source_url": prospect["source_url"],
        "target_url": prospect["target_url"],
        "outcome": str(outcome),
        "detail": detail,
        "status": None if end_page is None else end_page.status,
        "final_url": None if end_page is None else end_page.url,
        "is_robots_allowed": None if end_page is None else end_page.is_robots_allowed,
        "is_indexable": None if end_page is None else end_page.is_indexable,
        "non_indexable_reason": None if end_page is None else end_page.non_indexable_reason,
        "is_present": found is not None if chain else None,
    }
    if found is not None:
        anchor = match_anchor(
            found,
            target_domain=url_domain(prospect["target_url"]),
            suggested_anchor=prospect["suggested_anchor"],
            suggested_class=prospect["anchor_class"],
            keywords=prospect["anchor_keywords"],
        )
        check.update(
            anchor_now=found.anchor,
            anchor_class_now=anchor.anchor_class,
            is_same_class=anchor.is_same_class,
            is_exact_anchor=anchor.is_exact,
            is_nofollow=bool(found.is_nofollow),
            is_sponsored=bool(found.is_sponsored),
            is_ugc=bool(found.is_ugc),
            placement=found.placement,
            is_hidden=found.is_hidden,
        )
    new = verified_status(status, outcome)
    if new is None:
        return check, None
    return check, (new, str(outcome) if new is ProspectStatus.LOST else None)


def _is_followed(link: dict[str, Any]) -> bool:
    return not (link["is_nofollow"] or link["is_sponsored"] or link["is_ugc"])
