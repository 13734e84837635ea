"""Links over time: each link's state at a point, the diff of two points, weekly velocity, spikes.

Pure: NumPy arrays in, values out. The store (``store.monitor``) gives every
*event* of every link, one row each; this module never reads a clock.

Events
    An event says, at a time ``at`` and in a snapshot, that a link was *live*
    (seen on its page, followed or not: ``is_followed`` 1, 0, or -1 when the
    source did not say) or *lost*, with a reason code. Events of one link are
    ordered by time; at the same time a loss comes after a sighting, so that a
    fetch that both shows the link and says the page is noindex leaves it lost
    (as ``store.writes`` keeps a loss dated on the last sighting).

State
    The state of a link at a point (a time, a snapshot, or both: only the
    events up to it count) is that of its last event: live or lost. It is
    *known* from its first event. It was live at a time when its events at
    that time end live (a sighting with a loss at the same time does not
    count). It was *lost at* the first loss after its last live time (the
    fetch that found it gone, or the date an export gives); a link only ever
    seen lost (a link on a page that was always noindex) was never live.

Diff of two points ``a`` before ``b``
    *New*: known at ``b``, not at ``a``. *Lost*: lost at ``b``, after being
    live at ``a`` or at some time after ``a``. *Changed*: live at both, and
    its rel (followed or not) differs between the last sightings up to each
    that state it; a rel change is one event, not a loss and a new link.

Replacements
    A link is one ``(source page, target, anchor)``, so a page that changes
    an anchor loses a link and gains one in the same fetch; `pair_replacements`
    pairs them, for the caller to report one change.

Velocity
    Per ISO week (Monday 00:00 UTC), the links first seen and the links lost
    (the last loss of a link that is lost at the end: a link lost and found
    again counts by its last loss only), and the referring domains first seen
    (their first link's week) and lost (no link of theirs live at the end: the
    week of the last of their losses).

Spikes
    See `detect_spikes`: a week is a spike when its count is at least
    ``min_count`` and its robust z-score against the ``window`` weeks before it
    is at least ``threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

__all__ = [
    "IS_FOLLOWED_UNKNOWN",
    "LinkDiff",
    "LinkEvents",
    "LinkStates",
    "SpikeTest",
    "Velocity",
    "VelocitySpikes",
    "detect_spikes",
    "diff_states",
    "link_states",
    "pair_replacements",
    "spike_velocity",
    "week_of",
    "week_start",
    "weekly_velocity",
]

Ids = npt.NDArray[np.int64]
Times = npt.NDArray[np.datetime64]
Mask = npt.NDArray[np.bool_]
Vector = npt.NDArray[np.float64]

#: ``is_followed`` of an event whose source did not state the rel.
IS_FOLLOWED_UNKNOWN = -1
#: The index of no event, no link or no snapshot.
NONE = -1
#: Median absolute deviation to standard deviation, for normally distributed counts.
MAD_TO_SD = 1.4826
_NAT = np.datetime64("NaT", "us")
#: 1970-01-01 was a Thursday: three days after it, day numbers are Monday-based weeks.
_EPOCH_TO_MONDAY_DAYS = 3


@dataclass(frozen=True, slots=True)
class LinkEvents:
    """What was observed of links, one event per row, as parallel arrays.

    Attributes
    ----------
    link : numpy.ndarray
        int64 index of the event's link, ``0 .. n_links - 1``.
    at : numpy.ndarray
        datetime64[us] when it was observed (naive UTC); never NaT.
    snapshot : numpy.ndarray
        int64 snapshot that recorded it.
    is_live : numpy.ndarray
        bool: the link was seen (True) or found lost (False).
    is_followed : numpy.ndarray
        int8: 1 followed, 0 nofollow/sponsored/ugc, ``IS_FOLLOWED_UNKNOWN``
        when not stated (always for a loss).
    reason : numpy.ndarray
        int64 code of a loss's reason (an index into the caller's list of
        reasons), ``NONE`` for a live event.
    """

    link: Ids
    at: Times
    snapshot: Ids
    is_live: Mask
    is_followed: npt.NDArray[np.int8]
    reason: Ids

    def __post_init__(self) -> None:
        sizes = {
            self.link.size,
            self.at.size,
            self.snapshot.size,
            self.is_live.size,
            self.is_followed.size,
            self.reason.size,
        }
        if len(sizes) != 1:
            raise ValueError(f"event arrays differ in length: {sorted(sizes)}")
        if np.isnat(self.at).any():
            raise ValueError("an event without a time")

    def __len__(self) -> int:
        return int(self.link.size)

    def up_to(self, *, at: np.datetime64 | None = None, snapshot: int | None = None) -> Mask:
        """Return which events count at the point: at or before *at*, in *snapshot* or before."""
        keep = np.ones(self.link.size, dtype=np.bool_)
        if at is not None:
            keep &= self.at <= at
        if snapshot is not None:
            keep &= self.snapshot <= snapshot
        return keep


@dataclass(frozen=True, slots=True)
class LinkStates:
    """The state of every link at one point; each array has one entry per link.

    Event indices refer to the `LinkEvents` the states were computed from.

    Attributes
    ----------
    is_known : numpy.ndarray
        bool: the link has an event up to the point.
    is_live : numpy.ndarray
        bool: its last event is a sighting.
    was_live : numpy.ndarray
        bool: it was live at some time up to the point.
    first_event, last_live_event, lost_event, rel_event : numpy.ndarray
        int64 index of its first event, its last live event (at a time it was
        live), the loss that ended that (the first loss after it; for a link
        never live, its first loss), and its last sighting that states the
        rel (live then or not); ``NONE`` where there is none (``lost_event``
        is ``NONE`` for a live link).
    """

    is_known: Mask
    is_live: Mask
    was_live: Mask
    first_event: Ids
    last_live_event: Ids
    lost_event: Ids
    rel_event: Ids

    @property
    def is_lost(self) -> Mask:
        """Known and not live."""
        return self.is_known & ~self.is_live


def link_states(events: LinkEvents, n_links: int, *, included: Mask | None = None) -> LinkStates:
    """Return the state of every link from its events (all of them, or those *included*).

    Parameters
    ----------
    events : LinkEvents
        Every event of the links.
    n_links : int
        How many links there are; a link without an event is not known.
    included : numpy.ndarray, optional
        bool per event: the events up to the point (``LinkEvents.up_to``).

    Returns
    -------
    LinkStates
        One entry per link.
    """
    keep = np.ones(len(events), dtype=np.bool_) if included is None else included
    index = np.flatnonzero(keep)
    order = index if _is_in_order(events, index) else index[_event_order(events, index)]
    link = events.link[order]
    is_live = events.is_live[order]
    rank = np.arange(order.size, dtype=np.int64)

    first = np.full(n_links, NONE, dtype=np.int64)
    last = np.full(n_links, NONE, dtype=np.int64)
    if order.size:
        starts = np.flatnonzero(np.r_[True, link[1:] != link[:-1]])
        ends = np.r_[starts[1:], order.size] - 1
        first[link[starts]] = starts
        last[link[ends]] = ends
    # A sighting counts as live only when no loss came at its time (a noindex fetch shows
    # the link and loses it at once): its (link, time) group must end live.
    at = events.at[order]
    is_group_start = np.r_[True, (link[1:] != link[:-1]) | (at[1:] != at[:-1])][: order.size]
    group_end = np.r_[np.flatnonzero(is_group_start)[1:], order.size] - 1
    is_live_then = is_live & is_live[group_end[np.cumsum(is_group_start) - 1]]
    last_live = _last_rank(link, rank, is_live_then, n_links)
    is_stated = is_live & (events.is_followed[order] != IS_FOLLOWED_UNKNOWN)
    rel = _last_rank(link, rank, is_stated, n_links)
    # The first loss after the last live event (after nothing, for a link never live).
    is_after_live = ~is_live & (rank > last_live[link])
    lost = np.full(n_links, order.size, dtype=np.int64)
    np.minimum.at(lost, link[is_after_live], rank[is_after_live])
    lost[lost == order.size] = NONE

    is_known = first != NONE
    live_now = np.zeros(n_links, dtype=np.bool_)
    live_now[is_known] = is_live[last[is_known]]
    return LinkStates(
        is_known=is_known,
        is_live=live_now,
        was_live=last_live != NONE,
        first_event=_original(order, first),
        last_live_event=_original(order, last_live),
        lost_event=_original(order, np.where(live_now, NONE, lost)),
        rel_event=_original(order, rel),
    )


def _event_order(events: LinkEvents, index: Ids) -> Ids:
    """Sort the events *index* by link, then time, then a sighting before a loss."""
    order: Ids = np.lexsort((~events.is_live[index], events.at[index], events.link[index]))
    return order


def _is_in_order(events: LinkEvents, index: Ids) -> bool:
    """Tell whether the events *index* are in `_event_order` already (the store sorts them)."""
    link, at, is_live = events.link[index], events.at[index], events.is_live[index]
    same_link = link[1:] == link[:-1]
    same_time = same_link & (at[1:] == at[:-1])
    return bool(
        np.all(link[1:] >= link[:-1])
        and np.all(~same_link | (at[1:] >= at[:-1]))
        and np.all(~same_time | (is_live[1:] <= is_live[:-1]))
    )


def _last_rank(link: Ids, rank: Ids, where: Mask, n_links: int) -> Ids:
    """Return, per link, the greatest rank among its rows *where* true; ``NONE`` if none."""
    last = np.full(n_links, NONE, dtype=np.int64)
    np.maximum.at(last, link[where], rank[where])
    return last


def _original(order: Ids, ranks: Ids) -> Ids:
    """Map ranks in the sorted order back to event indices, keeping ``NONE``."""
    if not order.size:
        return np.full(ranks.size, NONE, dtype=np.int64)
    return np.where(ranks == NONE, NONE, order[np.maximum(ranks, 0)])


@dataclass(frozen=True, slots=True)
class LinkDiff:
    """What changed between two points: indices of links, and of the events that say so.

    Attributes
    ----------
    new : numpy.ndarray
        int64 links known at the second point and not at the first.
    lost : numpy.ndarray
        int64 links lost at the second point that were live at the first or after it.
    lost_event : numpy.ndarray
        int64 the loss of each of ``lost`` (its time, snapshot and reason).
    changed : numpy.ndarray
        int64 links live at both points whose rel changed.
    followed_before, followed_after : numpy.ndarray
        int8 the rel of each of ``changed`` at each point (1 followed, 0 not).
    changed_event : numpy.ndarray
        int64 the live event at the second point that states the new rel.
    live_before, live_after : int
        Links live at each point.
    """

    new: Ids
    lost: Ids
    lost_event: Ids
    changed: Ids
    followed_before: npt.NDArray[np.int8]
    followed_after: npt.NDArray[np.int8]
    changed_event: Ids
    live_before: int
    live_after: int


def diff_states(
    events: LinkEvents, before: LinkStates, after: LinkStates, *, before_included: Mask
) -> LinkDiff:
    """Compare the states of the links at two points, the first before the second.

    Parameters
    ----------
    events : LinkEvents
        The events both states were computed from.
    before, after : LinkStates
        The states at the first and the second point (``link_states``).
    before_included : numpy.ndarray
        bool per event: the events that count at the first point.

    Returns
    -------
    LinkDiff
        New, lost and changed links.
    """
    new = np.flatnonzero(after.is_known & ~before.is_known)
    live_after_first = np.zeros(after.is_known.size, dtype=np.bool_)
    has_live = after.last_live_event != NONE
    live_after_first[has_live] = ~before_included[after.last_live_event[has_live]]
    lost = np.flatnonzero(after.is_lost & (before.is_live | live_after_first))
    both_live = before.is_live & after.is_live
    both_stated = both_live & (before.rel_event != NONE) & (after.rel_event != NONE)
    candidates = np.flatnonzero(both_stated)
    rel_before = events.is_followed[before.rel_event[candidates]]
    rel_after = events.is_followed[after.rel_event[candidates]]
    differs = rel_before != rel_after
    changed = candidates[differs]
    return LinkDiff(
        new=new,
        lost=lost,
        lost_event=after.lost_event[lost],
        changed=changed,
        followed_before=rel_before[differs],
        followed_after=rel_after[differs],
        changed_event=after.rel_event[changed],
        live_before=int(before.is_live.sum()),
        live_after=int(after.is_live.sum()),
    )


def pair_replacements(
    lost_key: Ids, lost_at: Times, new_key: Ids, new_at: Times
) -> tuple[Ids, Ids]:
    """Pair lost links with the new links that replaced them in the same observation.

    A link is one ``(source page, target, anchor)``: a page that changes a
    link's anchor loses the old link and gains a new one in the same fetch.
    A lost link and a new link pair when they have the same *key* (the caller's
    id of their source page and target) and the loss was observed at the very
    time the new link was first seen; within one key and time, the i-th lost
    pairs with the i-th new, in the given order.

    Parameters
    ----------
    lost_key, lost_at : numpy.ndarray
        int64 key and datetime64 loss time of each lost link that may pair.
    new_key, new_at : numpy.ndarray
        int64 key and datetime64 first-seen time of each new link.

    Returns
    -------
    lost, new : numpy.ndarray
        int64 positions in the lost and in the new arrays of each pair.
    """
    lost_rank = _rank_in_group(lost_key, lost_at)
    new_rank = _rank_in_group(new_key, new_at)
    fields = [("key", np.int64), ("at", np.int64), ("rank", np.int64)]
    lost_rows = np.rec.fromarrays(
        [lost_key, lost_at.astype("datetime64[us]").astype(np.int64), lost_rank], dtype=fields
    )
    new_rows = np.rec.fromarrays(
        [new_key, new_at.astype("datetime64[us]").astype(np.int64), new_rank], dtype=fields
    )
    _, lost, new = np.intersect1d(lost_rows, new_rows, assume_unique=True, return_indices=True)
    return lost.astype(np.int64), new.astype(np.int64)


def _rank_in_group(key: Ids, at: Times) -> Ids:
    """Return the rank of each row within its ``(key, at)`` group, in the given order."""
    order = np.lexsort((np.arange(key.size), at, key))
    sorted_key, sorted_at = key[order], at[order]
    starts = np.r_[True, (sorted_key[1:] != sorted_key[:-1]) | (sorted_at[1:] != sorted_at[:-1])]
    positions = np.arange(key.size)
    group_start = np.maximum.accumulate(np.where(starts, positions, 0)) if key.size else positions
    rank = np.empty(key.size, dtype=np.int64)
    rank[order] = positions - group_start
    return rank


def week_of(at: Times) -> Ids:
    """Return the Monday-based week number of each time (week 0 began on 1969-12-29).

    ``NaT`` gives ``NONE``.
    """
    days = at.astype("datetime64[D]").astype(np.int64)
    weeks = np.floor_divide(days + _EPOCH_TO_MONDAY_DAYS, 7)
    return np.where(np.isnat(at), NONE, weeks)


def week_start(week: int) -> datetime:
    """Return the Monday 00:00 (naive UTC) that starts a week number of `week_of`."""
    day = np.datetime64(week * 7 - _EPOCH_TO_MONDAY_DAYS, "D")
    seconds = int(day.astype("datetime64[s]").astype(np.int64))
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Velocity:
    """New and lost links and referring domains per ISO week, zero weeks included.

    Attributes
    ----------
    weeks : numpy.ndarray
        int64 week numbers (`week_of`), consecutive.
    new_links, lost_links, new_domains, lost_domains : numpy.ndarray
        int64 counts per week.
    """

    weeks: Ids
    new_links: Ids
    lost_links: Ids
    new_domains: Ids
    lost_domains: Ids

    def labels(self) -> list[str]:
        """Return each week as ISO ``YYYY-Www``."""
        labels = []
        for week in self.weeks.tolist():
            year, number, _ = week_start(int(week)).isocalendar()
            labels.append(f"{year}-W{number:02d}")
        return labels


def weekly_velocity(
    first_seen: Times,
    lost_at: Times,
    domain: Ids,
    *,
    first_week: int | None = None,
    last_week: int | None = None,
    is_live: Mask | None = None,
) -> Velocity:
    """Count links and referring domains first seen and lost in each week.

    Parameters
    ----------
    first_seen : numpy.ndarray
        datetime64 when each link was first seen (NaT: not known, not counted).
    lost_at : numpy.ndarray
        datetime64 when each link was lost, NaT for a link live at the end (or never live).
    domain : numpy.ndarray
        int64 referring domain of each link (any dense or sparse non-negative ids).
    first_week, last_week : int, optional
        The weeks to cover (`week_of` numbers); by default from the first to the
        last week with a count.
    is_live : numpy.ndarray, optional
        bool per link: live at the end, which keeps its domain from being lost.
        By default every link without ``lost_at``; give it when some links
        were never live (their ``lost_at`` is NaT, yet they keep no domain).

    Returns
    -------
    Velocity
        Counts per week from ``first_week`` to ``last_week``.
    """
    new_week = week_of(first_seen)
    lost_week = week_of(lost_at)
    keeps_domain = lost_week == NONE if is_live is None else is_live
    domain_new, domain_lost = _domain_weeks(new_week, lost_week, domain, keeps_domain)
    stated = np.concatenate([new_week, lost_week])
    stated = stated[stated != NONE]
    if first_week is None:
        first_week = int(stated.min()) if stated.size else 0
    if last_week is None:
        last_week = int(stated.max()) if stated.size else first_week
    weeks = np.arange(first_week, max(last_week, first_week - 1) + 1, dtype=np.int64)
    return Velocity(
        weeks=weeks,
        new_links=_per_week(new_week, first_week, weeks.size),
        lost_links=_per_week(lost_week, first_week, weeks.size),
        new_domains=_per_week(domain_new, first_week, weeks.size),
        lost_domains=_per_week(domain_lost, first_week, weeks.size),
    )


def _domain_weeks(new_week: Ids, lost_week: Ids, domain: Ids, is_live: Mask) -> tuple[Ids, Ids]:
    """Return, per referring domain, the week of its first link and the week it was lost."""
    known = new_week != NONE
    if not known.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    domains, of_link = np.unique(domain[known], return_inverse=True)
    first = np.full(domains.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, of_link, new_week[known])
    # A domain is lost when no link of it is live; in the week of the last loss.
    is_domain_live = np.zeros(domains.size, dtype=np.bool_)
    np.logical_or.at(is_domain_live, of_link, is_live[known])
    last_loss = np.full(domains.size, NONE, dtype=np.int64)
    np.maximum.at(last_loss, of_link, lost_week[known])
    return first, np.where(is_domain_live, NONE, last_loss)


def _per_week(week: Ids, first_week: int, n_weeks: int) -> Ids:
    offset = week[week != NONE] - first_week
    offset = offset[(offset >= 0) & (offset < n_weeks)]
    return np.bincount(offset, minlength=n_weeks).astype(np.int64)


@dataclass(frozen=True, slots=True)
class SpikeTest:
    """The spike test of each week of a series of weekly counts.

    Attributes
    ----------
    baseline : numpy.ndarray
        float64 median of the trailing window, NaN where the history is too short.
    scale : numpy.ndarray
        float64 the noise the score divides by (see `detect_spikes`), NaN likewise.
    score : numpy.ndarray
        float64 robust z-score ``(count - baseline) / scale``, NaN likewise.
    is_spike : numpy.ndarray
        bool per week.
    """

    baseline: Vector
    scale: Vector
    score: Vector
    is_spike: Mask


def detect_spikes(
    counts: npt.ArrayLike,
    *,
    window: int = 8,
    min_history: int = 4,
    threshold: float = 3.5,
    min_count: int = 10,
) -> SpikeTest:
    """Flag the weeks whose count is far above the weeks before them.

    Week ``i`` is tested against the trailing window: the up to *window*
    weeks before it (never itself), of which there must be at least
    *min_history*, else it is not tested. With ``m`` the median of the window
    and ``MAD`` its median absolute deviation, the noise is
    ``s = max(1.4826 * MAD, sqrt(max(m, 1)))`` (the MAD scaled to a standard
    deviation, but never below the Poisson noise of a count of ``m``, so that
    a flat history of a few links a week does not make every extra link a
    spike), and the score is ``z = (count - m) / s``. The week is a spike when
    ``count >= min_count`` and ``z >= threshold`` (3.5: the usual robust
    z-score cut-off of Iglewicz and Hoaglin).

    Parameters
    ----------
    counts : array_like
        Counts per consecutive week, oldest first (zero weeks included).
    window : int, default 8
        Weeks of trailing history at most.
    min_history : int, default 4
        Weeks of history a week needs to be tested.
    threshold : float, default 3.5
        Least robust z-score of a spike.
    min_count : int, default 10
        Least count of a spike.

    Returns
    -------
    SpikeTest
        Baseline, noise, score and verdict per week.

    Raises
    ------
    ValueError
        If *window* or *min_history* is below 1, *min_history* exceeds
        *window*, or *counts* is not one-dimensional.
    """
    values = np.asarray(counts, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"counts must be one-dimensional, got shape {values.shape}")
    if window < 1 or not 1 <= min_history <= window:
        raise ValueError(
            f"need 1 <= min_history <= window, got min_history={min_history}, window={window}"
        )
    n = values.size
    padded = np.concatenate([np.full(window, np.nan), values])
    # Row i holds the window weeks before week i.
    history = np.lib.stride_tricks.sliding_window_view(padded, window)[:n]
    is_tested = np.arange(n) >= min_history
    baseline = np.full(n, np.nan)
    mad = np.full(n, np.nan)
    if is_tested.any():
        tested = history[is_tested]
        baseline[is_tested] = np.nanmedian(tested, axis=1)
        mad[is_tested] = np.nanmedian(np.abs(tested - baseline[is_tested, None]), axis=1)
    scale = np.maximum(MAD_TO_SD * mad, np.sqrt(np.maximum(baseline, 1.0)))
    score = (values - baseline) / scale
    is_spike = is_tested & (values >= min_count) & (np.nan_to_num(score, nan=-np.inf) >= threshold)
    return SpikeTest(baseline=baseline, scale=scale, score=score, is_spike=is_spike)


@dataclass(frozen=True, slots=True)
class VelocitySpikes:
    """Weekly velocity with its spike tests, and which links and domains fall in spike weeks.

    Attributes
    ----------
    velocity : Velocity
        The weekly counts.
    links, domains : SpikeTest
        The spike test of new links and of new referring domains per week.
    is_link_in_spike : numpy.ndarray
        bool per link: first seen in a week that is a spike of new links.
    is_domain_in_spike : numpy.ndarray
        bool per link: its referring domain was first seen in a week that is a
        spike of new referring domains.
    """

    velocity: Velocity
    links: SpikeTest
    domains: SpikeTest
    is_link_in_spike: Mask
    is_domain_in_spike: Mask

    @property
    def is_in_spike(self) -> Mask:
        """Per link: in a spike of new links or of new referring domains."""
        return self.is_link_in_spike | self.is_domain_in_spike


def spike_velocity(
    first_seen: Times,
    lost_at: Times,
    domain: Ids,
    *,
    last_week: int | None = None,
    is_live: Mask | None = None,
    window: int = 8,
    min_history: int = 4,
    threshold: float = 3.5,
    min_count: int = 10,
) -> VelocitySpikes:
    """Weekly velocity of a link profile, its spikes, and the links that came in them.

    The entry point for other analyses (toxicity's "part of a sudden spike"):
    give every link's first-seen time and referring domain, get back which
    links arrived in a spike week of new links, or belong to a referring
    domain that arrived in a spike week of new domains. The weeks run from the
    first link's week to *last_week* (the last week with a count by default),
    and the spike rule is `detect_spikes` with the tunables given.

    Parameters
    ----------
    first_seen : numpy.ndarray
        datetime64 per link.
    lost_at : numpy.ndarray
        datetime64 per link, NaT for a link not lost.
    domain : numpy.ndarray
        int64 referring domain id per link.
    last_week : int, optional
        The last week (`week_of`) to cover.
    is_live : numpy.ndarray, optional
        bool per link: live at the end (see `weekly_velocity`).
    window, min_history, threshold, min_count
        As in `detect_spikes`.

    Returns
    -------
    VelocitySpikes
        The velocity, both spike tests, and the links in spikes.
    """
    velocity = weekly_velocity(first_seen, lost_at, domain, last_week=last_week, is_live=is_live)
    links, domains = (
        detect_spikes(
            counts,
            window=window,
            min_history=min_history,
            threshold=threshold,
            min_count=min_count,
        )
        for counts in (velocity.new_links, velocity.new_domains)
    )
    link_week = week_of(first_seen)
    known = link_week != NONE
    first_of_domain = np.full(link_week.size, NONE, dtype=np.int64)
    if known.any():
        domains_seen, of_link = np.unique(domain[known], return_inverse=True)
        first = np.full(domains_seen.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, of_link, link_week[known])
        first_of_domain[known] = first[of_link]
    return VelocitySpikes(
        velocity=velocity,
        links=links,
        domains=domains,
        is_link_in_spike=_in_weeks(link_week, velocity.weeks[links.is_spike]),
        is_domain_in_spike=_in_weeks(first_of_domain, velocity.weeks[domains.is_spike]),
    )


def _in_weeks(week: Ids, weeks: Ids) -> Mask:
    is_in: Mask = np.isin(week, weeks) & (week != NONE)
    return is_in
