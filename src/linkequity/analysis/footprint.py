"""Footprints: the patterns that make links look built, checked on a plan before it is built.

A search engine's spam team, and our own audit, look for link profiles no
editor would make. A tier-2 plan is checked for the four the audit flags:

all followed
    Every link to a page followed, none nofollow, sponsored or ugc. Natural
    pages collect some of each (mentions in forums, comments, social posts).
    A chosen page whose links from other sites, the planned ones added, hold
    at least ``MIN_LINKS_FOR_MIX`` links and not one unfollowed is flagged.
repeated anchor
    A page whose anchors are already over-optimised (``analysis.anchors``
    alerts) would draw attention with any new keyword link; the planned
    classes themselves follow the recommended mix.
velocity spike
    The planned links, built in one week, against the weekly history of new
    links into the target's tier-1 pages: a spike by ``analysis.monitor``'s
    robust test is flagged, with the fewest weeks to spread the links over so
    that no week is one. Under ``min_history`` weeks of history the test is
    not run, and the check says so.
one network
    Planned sources that share an owner's marks: an analytics, tag manager or
    AdSense id on two domains or more; the same template (DOM skeleton hash)
    on ``MIN_TEMPLATE_DOMAINS`` domains or more (two sites on one popular
    theme are common; three in one small plan are not); or one domain giving
    more than ``MAX_DOMAIN_SHARE`` of a plan of at least ``MIN_LINKS_FOR_MIX``
    links.

Each check reports whether it found a risk, and says what it saw either way.

Pure: values in, values out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from linkequity.analysis.monitor import detect_spikes

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy.typing as npt

__all__ = [
    "MAX_DOMAIN_SHARE",
    "MIN_LINKS_FOR_MIX",
    "MIN_TEMPLATE_DOMAINS",
    "FootprintCheck",
    "FootprintRule",
    "PlannedSource",
    "check_plan_footprint",
]

#: Fewest links to a page (or in a plan) on which a missing mix is judged.
MIN_LINKS_FOR_MIX = 5
#: Fewest source domains sharing a template that make a network by that alone.
MIN_TEMPLATE_DOMAINS = 3
#: Largest share of a plan's links that one source domain may give.
MAX_DOMAIN_SHARE = 0.5
#: Longest spread, in weeks, that the velocity check proposes.
_MAX_SPREAD_WEEKS = 52


class FootprintRule(StrEnum):
    """The patterns a plan is checked for."""

    ALL_FOLLOWED = "all_followed"
    REPEATED_ANCHOR = "repeated_anchor"
    VELOCITY_SPIKE = "velocity_spike"
    ONE_NETWORK = "one_network"


@dataclass(frozen=True, slots=True)
class FootprintCheck:
    """What one check found.

    Attributes
    ----------
    rule : FootprintRule
    is_risk : bool
        Whether the plan shows the pattern.
    message : str
        What was seen, and what to do about a risk.
    pages : tuple of str
        The tier-1 pages or sources concerned.
    """

    rule: FootprintRule
    is_risk: bool
    message: str
    pages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedSource:
    """A planned link's source, with the marks its owner leaves.

    Attributes
    ----------
    url : str
        The source page (or a label for a page still to be made).
    domain : str or None
        Its registrable domain; ``None`` for a page still to be made.
    template_hash : str or None
        The DOM-skeleton hash of its latest fetch.
    owner_ids : tuple of str
        Its analytics, tag manager and AdSense ids.
    """

    url: str
    domain: str | None
    template_hash: str | None = None
    owner_ids: tuple[str, ...] = ()


def check_plan_footprint(
    targets: Sequence[str],
    sources: Sequence[PlannedSource],
    *,
    followed_now: Mapping[str, int],
    unfollowed_now: Mapping[str, int],
    anchor_alerts: Mapping[str, Sequence[str]],
    weekly_new_links: npt.ArrayLike,
    min_history: int = 4,
) -> tuple[FootprintCheck, ...]:
    """Check a plan for the four footprints (the module docstring states each rule).

    Parameters
    ----------
    targets : sequence of str
        The tier-1 page of each planned link.
    sources : sequence of PlannedSource
        The source of each planned link, in the same order.
    followed_now, unfollowed_now : mapping
        Links from other sites to each chosen page now, followed and not.
    anchor_alerts : mapping
        Over-optimisation alerts of each chosen page's anchors now.
    weekly_new_links : array_like
        New links into the target's tier-1 pages per week, oldest first,
        up to the current week.
    min_history : int, default 4
        Weeks of history the velocity test needs.

    Returns
    -------
    tuple of FootprintCheck
        One per rule, in ``FootprintRule`` order.
    """
    if len(targets) != len(sources):
        raise ValueError(f"{len(targets)} targets but {len(sources)} sources")
    return (
        _all_followed(targets, followed_now, unfollowed_now),
        _repeated_anchor(targets, anchor_alerts),
        _velocity(len(targets), np.asarray(weekly_new_links, dtype=np.int64), min_history),
        _one_network(sources),
    )


def _all_followed(
    targets: Sequence[str], followed: Mapping[str, int], unfollowed: Mapping[str, int]
) -> FootprintCheck:
    planned = Counter(targets)
    flagged = tuple(
        page
        for page, k in planned.items()
        if unfollowed.get(page, 0) == 0 and followed.get(page, 0) + k >= MIN_LINKS_FOR_MIX
    )
    if flagged:
        return FootprintCheck(
            FootprintRule.ALL_FOLLOWED,
            True,
            f"{len(flagged)} chosen pages would have {MIN_LINKS_FOR_MIX} or more links from "
            "other sites and not one nofollow, sponsored or ugc: let some mentions of them be "
            "unfollowed (forum answers, comments, social posts), as natural pages have",
            flagged,
        )
    return FootprintCheck(
        FootprintRule.ALL_FOLLOWED,
        False,
        "every chosen page keeps some unfollowed links, or too few links to judge "
        f"(under {MIN_LINKS_FOR_MIX})",
    )


def _repeated_anchor(targets: Sequence[str], alerts: Mapping[str, Sequence[str]]) -> FootprintCheck:
    flagged = tuple(page for page in dict.fromkeys(targets) if alerts.get(page))
    if flagged:
        said = "; ".join(f"{page}: {alerts[page][0]}" for page in flagged)
        return FootprintCheck(
            FootprintRule.REPEATED_ANCHOR,
            True,
            f"anchors already over-optimised on {len(flagged)} chosen pages ({said}); "
            "use branded, URL and generic anchors only there",
            flagged,
        )
    return FootprintCheck(
        FootprintRule.REPEATED_ANCHOR,
        False,
        "no chosen page's anchors are over-optimised, and the new links follow the recommended mix",
    )


def _velocity(planned: int, history: npt.NDArray[np.int64], min_history: int) -> FootprintCheck:
    if history.size < min_history:
        return FootprintCheck(
            FootprintRule.VELOCITY_SPIKE,
            False,
            f"not tested: {history.size} weeks of link history, the test needs {min_history}",
        )
    for weeks in range(1, _MAX_SPREAD_WEEKS + 1):
        per_week = math.ceil(planned / weeks)
        if not _is_spike(history, per_week, min_history):
            break
    baseline = float(np.median(history[-8:]))
    if weeks == 1:
        return FootprintCheck(
            FootprintRule.VELOCITY_SPIKE,
            False,
            f"{planned} new links in one week is within the usual pace of the tier-1 pages "
            f"(median {baseline:g} new links a week)",
        )
    return FootprintCheck(
        FootprintRule.VELOCITY_SPIKE,
        True,
        f"{planned} new links in one week would be a spike against a median of {baseline:g} "
        f"a week: spread them over at least {weeks} weeks",
    )


def _is_spike(history: npt.NDArray[np.int64], count: int, min_history: int) -> bool:
    tested = detect_spikes(np.append(history, count), min_history=min_history)
    return bool(tested.is_spike[-1])


def _one_network(sources: Sequence[PlannedSource]) -> FootprintCheck:
    shared: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        if source.domain is None:
            continue
        marks = [f"template {source.template_hash}"] if source.template_hash else []
        marks += [f"id {owner}" for owner in source.owner_ids]
        for mark in marks:
            shared[mark].add(source.domain)
    networks = {
        mark: domains
        for mark, domains in shared.items()
        if len(domains) >= (MIN_TEMPLATE_DOMAINS if mark.startswith("template") else 2)
    }
    by_domain = Counter(s.domain for s in sources if s.domain is not None)
    heavy = [
        domain
        for domain, n in by_domain.items()
        if len(sources) >= MIN_LINKS_FOR_MIX and n / len(sources) > MAX_DOMAIN_SHARE
    ]
    if networks or heavy:
        said = []
        if networks:
            shares = "; ".join(
                f"{', '.join(sorted(domains))} share {mark}"
                for mark, domains in sorted(networks.items())
            )
            said.append(f"{shares}: links from one owner look like a network, take other sources")
        if heavy:
            gives = "; ".join(f"{d} gives {by_domain[d]} of {len(sources)} links" for d in heavy)
            said.append(f"{gives}: take some from other sites")
        flagged = sorted({d for ds in networks.values() for d in ds} | set(heavy))
        return FootprintCheck(FootprintRule.ONE_NETWORK, True, "; ".join(said), tuple(flagged))
    new_pages = sum(s.domain is None for s in sources)
    return FootprintCheck(
        FootprintRule.ONE_NETWORK,
        False,
        f"{len(by_domain)} source domains, no shared template or owner id"
        + (f"; {new_pages} links from new pages" if new_pages else ""),
    )
