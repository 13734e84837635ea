"""Risk watch: a campaign's links checked as they go live, with a warning before a limit.

Each rule is judged twice: on the links live *now*, and *projected*, with
the prospects that agreed added as if they went live this week with their
suggested anchors. A rule is ``over`` when the live links cross its limit,
``warn`` when they reach ``WARN_AT`` (80 %) of it or the projection crosses
it, ``ok`` otherwise, and ``untested`` when there are too few links to judge.

anchor mix (``exact_share``, ``commercial_share``, ``repeated_anchor``)
    The limits of ``analysis.anchors`` (10 % exact, 30 % exact or partial,
    15 % for one keyword anchor), over the campaign's referring domains (a
    domain counts once per class), judged from ``MIN_LINKS_FOR_MIX`` domains.
dofollow share
    ``analysis.footprint``'s rule: ``MIN_LINKS_FOR_MIX`` links or more and
    not one nofollow, sponsored or ugc is a built pattern. The warning comes
    at ``WARN_AT`` of that many links, all followed.
velocity
    Links gone live this week against the target's weekly new links before
    (``analysis.monitor.detect_spikes``): over at the smallest count the
    spike test flags; not tested under four weeks of history.
network
    ``analysis.footprint``'s one-network rule on the campaign's sources
    (a shared analytics, tag manager or AdSense id, a template on three
    domains, one domain giving over half the links).

Pure: values in, values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from linkequity.analysis.anchors import (
    COMMERCIAL_SHARE_LIMIT,
    EXACT_SHARE_LIMIT,
    REPEATED_ANCHOR_LIMIT,
)
from linkequity.analysis.footprint import (
    MIN_LINKS_FOR_MIX,
    FootprintRule,
    PlannedSource,
    check_plan_footprint,
)
from linkequity.analysis.monitor import detect_spikes

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = ["WARN_AT", "CampaignLink", "RiskCheck", "RiskLevel", "campaign_risk"]

#: Share of a limit at which a warning comes.
WARN_AT = 0.8
#: Weeks of history the velocity test needs.
MIN_HISTORY_WEEKS = 4
_KEYWORD_CLASSES = ("exact", "partial")
_LARGEST_TESTED_COUNT = 100_000


class RiskLevel(StrEnum):
    """How close a rule is to its limit."""

    OK = "ok"
    WARN = "warn"
    OVER = "over"
    UNTESTED = "untested"


@dataclass(frozen=True, slots=True)
class CampaignLink:
    """One campaign link, live or projected.

    Attributes
    ----------
    url : str
        The page carrying it.
    source_domain : str
        Its registrable domain.
    anchor : str
        The anchor (found, or suggested for a projected link).
    anchor_class : str or None
        Its class (``model.AnchorClass`` value), ``None`` when unknown.
    is_followed : bool
        Whether it passes equity.
    template_hash : str or None
        The page's DOM-skeleton hash.
    owner_ids : tuple of str
        Its analytics, tag manager and AdSense ids.
    """

    url: str
    source_domain: str
    anchor: str
    anchor_class: str | None
    is_followed: bool
    template_hash: str | None = None
    owner_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RiskCheck:
    """What one rule found.

    Attributes
    ----------
    rule : str
        ``exact_share``, ``commercial_share``, ``repeated_anchor``,
        ``dofollow_share``, ``velocity`` or ``network``.
    level : RiskLevel
    value, projected, limit : float or None
        The measure on the live links, with the agreed ones added, and its limit.
    message : str
        What was seen, and what to do.
    """

    rule: str
    level: RiskLevel
    value: float | None
    projected: float | None
    limit: float | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """Plain values, for JSON output."""
        return {
            "rule": self.rule,
            "level": str(self.level),
            "value": self.value,
            "projected": self.projected,
            "limit": self.limit,
            "message": self.message,
        }


def campaign_risk(
    live: Sequence[CampaignLink],
    agreed: Sequence[CampaignLink],
    *,
    live_this_week: int,
    weekly_history: npt.ArrayLike,
    warn_at: float = WARN_AT,
) -> tuple[RiskCheck, ...]:
    """Check the campaign's links against each rule of the module docstring.

    Parameters
    ----------
    live : sequence of CampaignLink
        The links live now.
    agreed : sequence of CampaignLink
        The prospects that agreed, with their suggested anchors.
    live_this_week : int
        Campaign links that went live this week.
    weekly_history : array_like
        New links into the target per week before this one, oldest first.
    warn_at : float, default 0.8
        Share of a limit at which to warn.
    """
    projected = [*live, *agreed]
    history = np.asarray(weekly_history, dtype=np.int64)
    return (
        _share_rule("exact_share", live, projected, EXACT_SHARE_LIMIT, warn_at, ("exact",)),
        _share_rule(
            "commercial_share", live, projected, COMMERCIAL_SHARE_LIMIT, warn_at, _KEYWORD_CLASSES
        ),
        _repeated(live, projected, warn_at),
        _dofollow(live, projected, warn_at),
        _velocity(live_this_week, live_this_week + len(agreed), history, warn_at),
        _network(live, projected),
    )


def _domains(count: int) -> str:
    return f"{count} referring domain{'' if count == 1 else 's'}"


def _level(value: float, projected: float, limit: float, warn_at: float) -> RiskLevel:
    if value > limit:
        return RiskLevel.OVER
    if value >= warn_at * limit or projected > limit:
        return RiskLevel.WARN
    return RiskLevel.OK


def _domain_share(links: Sequence[CampaignLink], classes: tuple[str, ...]) -> tuple[float, int]:
    domains = {link.source_domain for link in links}
    hit = {link.source_domain for link in links if link.anchor_class in classes}
    return (len(hit) / len(domains) if domains else 0.0), len(domains)


def _share_rule(
    rule: str,
    live: Sequence[CampaignLink],
    projected: Sequence[CampaignLink],
    limit: float,
    warn_at: float,
    classes: tuple[str, ...],
) -> RiskCheck:
    value, domains = _domain_share(live, classes)
    ahead, ahead_domains = _domain_share(projected, classes)
    what = " or ".join(classes)
    if ahead_domains < MIN_LINKS_FOR_MIX:
        return RiskCheck(
            rule,
            RiskLevel.UNTESTED,
            value,
            ahead,
            limit,
            f"{_domains(domains)} live ({ahead_domains} with the agreed ones): "
            f"the {what} share is judged from {MIN_LINKS_FOR_MIX}",
        )
    if domains < MIN_LINKS_FOR_MIX:
        value_level = _level(0.0, ahead, limit, warn_at)
    else:
        value_level = _level(value, ahead, limit, warn_at)
    return RiskCheck(
        rule,
        value_level,
        value,
        ahead,
        limit,
        f"{value:.0%} of {domains} referring domains use a {what} anchor now, {ahead:.0%} "
        f"with the agreed ones (natural profiles stay under {limit:.0%})"
        + ("; choose branded, URL or generic anchors for the next links" if value_level else ""),
    )


def _repeated(
    live: Sequence[CampaignLink], projected: Sequence[CampaignLink], warn_at: float
) -> RiskCheck:
    def top(links: Sequence[CampaignLink]) -> tuple[float, str, int]:
        domains = {link.source_domain for link in links}
        by_anchor: dict[str, set[str]] = {}
        for link in links:
            if link.anchor_class in _KEYWORD_CLASSES and link.anchor.strip():
                by_anchor.setdefault(link.anchor.strip().lower(), set()).add(link.source_domain)
        if not by_anchor or not domains:
            return 0.0, "", len(domains)
        anchor, users = max(by_anchor.items(), key=lambda item: (len(item[1]), item[0]))
        return len(users) / len(domains), anchor, len(domains)

    value, anchor, domains = top(live)
    ahead, ahead_anchor, ahead_domains = top(projected)
    limit = REPEATED_ANCHOR_LIMIT
    if ahead_domains < MIN_LINKS_FOR_MIX:
        return RiskCheck(
            "repeated_anchor",
            RiskLevel.UNTESTED,
            value,
            ahead,
            limit,
            f"{_domains(ahead_domains)} with the agreed ones: a repeated keyword "
            f"anchor is judged from {MIN_LINKS_FOR_MIX}",
        )
    level = _level(value if domains >= MIN_LINKS_FOR_MIX else 0.0, ahead, limit, warn_at)
    shown = anchor or ahead_anchor
    return RiskCheck(
        "repeated_anchor",
        level,
        value,
        ahead,
        limit,
        (
            f"the keyword anchor {shown!r} comes from {value:.0%} of the referring domains "
            f"({ahead:.0%} with the agreed ones; natural profiles stay under {limit:.0%})"
            if shown
            else "no keyword anchor is repeated"
        ),
    )


def _dofollow(
    live: Sequence[CampaignLink], projected: Sequence[CampaignLink], warn_at: float
) -> RiskCheck:
    def share(links: Sequence[CampaignLink]) -> float:
        return sum(link.is_followed for link in links) / len(links) if links else 0.0

    value, ahead = share(live), share(projected)
    all_live = bool(live) and value == 1.0
    all_ahead = bool(projected) and ahead == 1.0
    warn_count = math.ceil(warn_at * MIN_LINKS_FOR_MIX)
    if all_live and len(live) >= MIN_LINKS_FOR_MIX:
        level = RiskLevel.OVER
    elif (all_live and len(live) >= warn_count) or (
        all_ahead and len(projected) >= MIN_LINKS_FOR_MIX
    ):
        level = RiskLevel.WARN
    else:
        level = RiskLevel.OK
    message = (
        f"{value:.0%} of {len(live)} live links followed ({ahead:.0%} of {len(projected)} "
        f"with the agreed ones); {MIN_LINKS_FOR_MIX} or more links, every one followed, "
        "is a built pattern"
    )
    if level is not RiskLevel.OK:
        message += ": let some come as nofollow (forums, comments, social posts)"
    return RiskCheck("dofollow_share", level, value, ahead, 1.0, message)


def _spike_count(history: npt.NDArray[np.int64]) -> int:
    """Return the fewest new links in one week that the spike test flags after *history*."""
    count = 1
    while count < _LARGEST_TESTED_COUNT:
        tested = detect_spikes(np.append(history, count), min_history=MIN_HISTORY_WEEKS)
        if bool(tested.is_spike[-1]):
            return count
        count += 1
    return count


def _velocity(now: int, ahead: int, history: npt.NDArray[np.int64], warn_at: float) -> RiskCheck:
    if history.size < MIN_HISTORY_WEEKS:
        return RiskCheck(
            "velocity",
            RiskLevel.UNTESTED,
            float(now),
            float(ahead),
            None,
            f"{history.size} weeks of link history before this one; the spike test needs "
            f"{MIN_HISTORY_WEEKS}",
        )
    limit = _spike_count(history)
    if now >= limit:
        level = RiskLevel.OVER
    elif now >= warn_at * limit or ahead >= limit:
        level = RiskLevel.WARN
    else:
        level = RiskLevel.OK
    baseline = float(np.median(history[-8:]))
    message = (
        f"{now} campaign links live this week ({ahead} with the agreed ones) against a median "
        f"of {baseline:g} new links a week; {limit} in one week is a spike"
    )
    if level is not RiskLevel.OK:
        message += ": spread the next links over the coming weeks"
    return RiskCheck("velocity", level, float(now), float(ahead), float(limit), message)


def _network(live: Sequence[CampaignLink], projected: Sequence[CampaignLink]) -> RiskCheck:
    def check(links: Sequence[CampaignLink]) -> tuple[bool, str]:
        sources = [
            PlannedSource(link.url, link.source_domain, link.template_hash, link.owner_ids)
            for link in links
        ]
        found = check_plan_footprint(
            [link.url for link in links],
            sources,
            followed_now={},
            unfollowed_now={},
            anchor_alerts={},
            weekly_new_links=[],
        )
        network = next(c for c in found if c.rule is FootprintRule.ONE_NETWORK)
        return network.is_risk, network.message

    is_risk, message = check(live)
    if is_risk:
        return RiskCheck("network", RiskLevel.OVER, 1.0, 1.0, None, message)
    is_ahead, ahead_message = check(projected)
    if is_ahead:
        return RiskCheck(
            "network", RiskLevel.WARN, 0.0, 1.0, None, f"with the agreed ones: {ahead_message}"
        )
    return RiskCheck("network", RiskLevel.OK, 0.0, 0.0, None, message)
