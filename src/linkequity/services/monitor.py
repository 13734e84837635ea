"""Use case: new, lost and changed backlinks between two points, link velocity and spikes.

The store gives every event of every backlink (``store.monitor``: sightings,
export-stated losses, later fetches of the source page that no longer show
the link, verification checks); ``analysis.monitor`` turns them into the state
of each link at two points and compares them. This module loads the columns,
picks the points and joins URLs, dates and reasons back on.

The two points are times or snapshots:

- times (``since``, ``until``): what happened between two dates, by the dates
  the events carry (an export's first seen, last seen and lost dates; a fetch's
  time; a check's time). ``until`` defaults to the latest event, or now if
  that is later than now; ``since`` to four weeks before ``until``;
- snapshots (``since_snapshot``, ``until_snapshot``): what the store knew
  after one snapshot against what it knew after another (an import of last
  month's export against this month's, one crawl against the next).
  ``until_snapshot`` defaults to the latest, ``since_snapshot`` to the one
  before it.

Velocity counts every backlink known at the second point, week by week, from
the week of the first one to the second point; its spikes follow
``analysis.monitor.detect_spikes``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.analysis.monitor import (
    IS_FOLLOWED_UNKNOWN,
    NONE,
    LinkEvents,
    diff_states,
    link_states,
    pair_replacements,
    spike_velocity,
    week_of,
    week_start,
)
from linkequity.errors import StoreError, UsageError
from linkequity.report.csv import write_csv
from linkequity.services.project import open_existing
from linkequity.services.targets import (
    int64_column,
    parse_target,
    resolve_snapshot,
    select_target_rows,
)

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

    from linkequity.analysis.monitor import LinkDiff, LinkStates, VelocitySpikes

__all__ = [
    "DEFAULT_PERIOD",
    "LinkDiffReport",
    "SpikeRule",
    "diff_links",
    "parse_when",
    "write_diff_csv",
]

#: ``since`` when only ``until`` (or nothing) is given.
DEFAULT_PERIOD = timedelta(weeks=4)
DATE_FORMAT = "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)"
#: The loss reason of a page fetched again without the link (``store.monitor``).
REMOVED = "link_removed"
UNKNOWN_REL = "unknown"


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """The spike test's tunables (see ``analysis.monitor.detect_spikes``)."""

    window: int = 8
    min_history: int = 4
    threshold: float = 3.5
    min_count: int = 10

    def describe(self) -> str:
        """Return the rule in one sentence, for people."""
        return (
            f"a week is a spike when it has at least {self.min_count} new links (or new "
            f"referring domains) and a robust z-score of at least {self.threshold:g} against "
            f"the {self.window} weeks before it (median, MAD x 1.4826 but at least the "
            f"Poisson noise sqrt(median)); weeks with fewer than {self.min_history} weeks "
            "of history are not tested"
        )


@dataclass(frozen=True, slots=True)
class LinkDiffReport:
    """The backlinks that appeared, were lost or changed between two points, and velocity.

    Attributes
    ----------
    target : tuple of str
        The target as given; empty for every backlink of the project.
    mode : str
        ``"time"`` or ``"snapshot"``: what the two points are.
    since, until : datetime or None
        The two times (time mode).
    since_snapshot, until_snapshot : int or None
        The two snapshots (snapshot mode).
    live_before, live_after : int
        Backlinks live at each point.
    domains_before, domains_after : int
        Referring domains with a live backlink at each point.
    new : pyarrow.Table
        ``source_url, target_url, anchor, source_domain, first_seen, last_seen,
        rel, status`` (``live``, or ``lost: REASON`` at the second point),
        first seen first.
    lost : pyarrow.Table
        ``source_url, target_url, anchor, source_domain, first_seen, last_seen,
        lost_at, reason, detail, origin`` (where the loss was learnt: an
        export's tool, ``fetch`` or ``verify``), lost first first.
    changed : pyarrow.Table
        ``source_url, target_url, anchor, source_domain, changed_at, change,
        rel_before, rel_after``.
    velocity : pyarrow.Table
        One row per ISO week: ``week, week_start, new_links, lost_links,
        new_domains, lost_domains, link_baseline, link_score, is_link_spike,
        domain_baseline, domain_score, is_domain_spike, is_in_range``
        (between the two points).
    spike_rule : SpikeRule
        The spike test.
    links_in_spikes : int
        Backlinks first seen in a spike week of new links or new domains.
    """

    target: tuple[str, ...]
    mode: str
    since: datetime | None
    until: datetime | None
    since_snapshot: int | None
    until_snapshot: int | None
    live_before: int
    live_after: int
    domains_before: int
    domains_after: int
    new: pa.Table
    lost: pa.Table
    changed: pa.Table
    velocity: pa.Table
    spike_rule: SpikeRule
    links_in_spikes: int

    @property
    def spike_weeks(self) -> list[str]:
        """The weeks flagged as spikes of new links or new referring domains."""
        spikes = self.velocity.filter(
            pc.or_(self.velocity.column("is_link_spike"), self.velocity.column("is_domain_spike"))
        )
        return [str(week) for week in spikes.column("week").to_pylist()]

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "target": list(self.target),
            "mode": self.mode,
            "since": self.since,
            "until": self.until,
            "since_snapshot": self.since_snapshot,
            "until_snapshot": self.until_snapshot,
            "live_before": self.live_before,
            "live_after": self.live_after,
            "domains_before": self.domains_before,
            "domains_after": self.domains_after,
            "counts": {
                "new": self.new.num_rows,
                "lost": self.lost.num_rows,
                "changed": self.changed.num_rows,
            },
            "new": self.new.to_pylist(),
            "lost": self.lost.to_pylist(),
            "changed": self.changed.to_pylist(),
            "velocity": self.velocity.to_pylist(),
            "spike_rule": self.spike_rule.describe(),
            "spike_weeks": self.spike_weeks,
            "links_in_spikes": self.links_in_spikes,
        }


def parse_when(value: datetime | date | str | None, option: str) -> datetime | None:
    """Read a point in time: a datetime, a date (its midnight) or ISO text; naive UTC out.

    Raises
    ------
    UsageError
        If the text is not an ISO date or date and time.
    """
    if value is None or isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) < len("YYYY-MM-DD"):
        raise UsageError(
            f"{option} {value!r} is not a date",
            hint=f"Give {option} as {DATE_FORMAT}, e.g. {option} 2026-01-31.",
        )
    return _naive_utc(parsed)


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def diff_links(
    db: Path,
    target: list[str] | None = None,
    *,
    since: datetime | date | str | None = None,
    until: datetime | date | str | None = None,
    since_snapshot: int | None = None,
    until_snapshot: int | None = None,
    spike_rule: SpikeRule | None = None,
    now: datetime | None = None,
) -> LinkDiffReport:
    """Compare the backlinks of a project (or of a target) at two points in time or snapshots.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str, optional
        A registrable domain (all its pages), a host (its pages), or URLs;
        every backlink of the project when empty.
    since, until : datetime, date or str, optional
        The two times (ISO text is read; naive times are UTC). ``until``
        defaults to the latest event (never after *now*), ``since`` to four
        weeks before ``until``.
    since_snapshot, until_snapshot : int, optional
        Compare what the store knew after two snapshots instead; the latest
        and the one before it by default. Not with ``since`` or ``until``.
    spike_rule : SpikeRule, optional
        The spike test's tunables.
    now : datetime, optional
        The present, naive UTC (the clock by default).

    Returns
    -------
    LinkDiffReport
        New, lost and changed backlinks, and the weekly velocity with spikes.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the project is empty, a date cannot be read, the points are in the
        wrong order, a snapshot does not exist, dates and snapshots are mixed,
        or a target is in no URL of the store.
    InvalidUrl
        If a target cannot be read as a URL, host or domain.

    Examples
    --------
    >>> report = diff_links(Path("p.duckdb"), ["example.com"], since="2026-01-01")  # doctest: +SKIP
    >>> report.lost.column("reason")  # doctest: +SKIP
    """
    rule = spike_rule or SpikeRule()
    since_at, until_at = parse_when(since, "--since"), parse_when(until, "--until")
    is_snapshot_mode = since_snapshot is not None or until_snapshot is not None
    if is_snapshot_mode and (since_at is not None or until_at is not None):
        raise UsageError(
            "give dates (--since/--until) or snapshots (--since-snapshot/--until-snapshot), "
            "not both",
            hint="Dates compare by when things happened; snapshots by what each run saw.",
        )
    names, urls = parse_target(list(target or []))
    if not db.is_file():
        raise StoreError(
            f"no project at {db}",
            hint="Create one with `linkequity import EXPORT.csv --db PATH`, or pass --db.",
        )
    with open_existing(db, read_only=True) as store:
        latest = resolve_snapshot(store, None, db)
        target_ids = None
        if target:
            rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
            target_ids = rows.column("url_id").combine_chunks()
        link_rows, event_rows = store.link_events(target_ids)
        snapshots = store.snapshot_times()
    events = _events(link_rows, event_rows)
    if is_snapshot_mode:
        since_snapshot, until_snapshot = _snapshot_points(
            since_snapshot, until_snapshot, snapshots, latest, db
        )
        before_in = events.events.up_to(snapshot=since_snapshot)
        after_in = events.events.up_to(snapshot=until_snapshot)
        last_week = None
    else:
        since_at, until_at = _time_points(since_at, until_at, events, now=now)
        before_in = events.events.up_to(at=np.datetime64(since_at, "us"))
        after_in = events.events.up_to(at=np.datetime64(until_at, "us"))
        last_week = int(week_of(np.array([until_at], dtype="datetime64[us]"))[0])
    n_links = link_rows.num_rows
    before = link_states(events.events, n_links, included=before_in)
    after = link_states(events.events, n_links, included=after_in)
    diff, changes = _with_replacements(
        events, after, diff_states(events.events, before, after, before_included=before_in)
    )
    spikes = _spikes(events, after, rule, last_week)
    in_range = None if is_snapshot_mode else _range_weeks(since_at, until_at)
    domain = events.domain
    return LinkDiffReport(
        target=tuple(target or ()),
        mode="snapshot" if is_snapshot_mode else "time",
        since=None if is_snapshot_mode else since_at,
        until=None if is_snapshot_mode else until_at,
        since_snapshot=since_snapshot,
        until_snapshot=until_snapshot,
        live_before=diff.live_before,
        live_after=diff.live_after,
        domains_before=int(np.unique(domain[before.is_live]).size),
        domains_after=int(np.unique(domain[after.is_live]).size),
        new=_new_table(events, after, diff),
        lost=_lost_table(events, after, diff),
        changed=_changed_table(events, changes),
        velocity=_velocity_table(spikes, in_range),
        spike_rule=rule,
        links_in_spikes=int(spikes.is_in_spike[after.is_known].sum()),
    )


@dataclass(frozen=True, slots=True)
class _LoadedEvents:
    """The store's links and events, numbered for the analysis, with the columns to join back."""

    links: pa.Table
    rows: pa.Table
    events: LinkEvents
    reasons: list[str]
    domain: npt.NDArray[np.int64]
    pair_key: npt.NDArray[np.int64]


def _events(links: pa.Table, rows: pa.Table) -> _LoadedEvents:
    link_ids = int64_column(links.column("link_id"))
    index = np.searchsorted(link_ids, int64_column(rows.column("link_id")))
    reason = rows.column("reason").combine_chunks().dictionary_encode()
    codes = np.asarray(reason.indices.fill_null(NONE).to_numpy(zero_copy_only=False), np.int64)
    followed = rows.column("is_followed").combine_chunks()
    is_followed = np.where(
        np.asarray(followed.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_),
        IS_FOLLOWED_UNKNOWN,
        np.asarray(followed.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.int8),
    ).astype(np.int8)
    at = rows.column("observed_at").combine_chunks().cast(pa.timestamp("us"))
    domain_codes = links.column("source_domain").combine_chunks().dictionary_encode()
    return _LoadedEvents(
        links=links,
        rows=rows,
        events=LinkEvents(
            link=index.astype(np.int64),
            at=np.asarray(at.to_numpy(zero_copy_only=False), dtype="datetime64[us]"),
            snapshot=int64_column(rows.column("snapshot_id")),
            is_live=np.asarray(
                rows.column("is_live").to_numpy(zero_copy_only=False), dtype=np.bool_
            ),
            is_followed=is_followed,
            reason=codes,
        ),
        reasons=[str(name) for name in reason.dictionary.to_pylist()],
        domain=np.asarray(domain_codes.indices.to_numpy(zero_copy_only=False), np.int64),
        pair_key=int64_column(links.column("pair_key")),
    )


def _time_points(
    since: datetime | None, until: datetime | None, loaded: _LoadedEvents, *, now: datetime | None
) -> tuple[datetime, datetime]:
    present = now or datetime.now(UTC).replace(tzinfo=None)
    if until is None:
        times = loaded.events.at
        latest = times.max().astype("datetime64[us]").item() if times.size else present
        until = min(latest, present)
    if since is None:
        since = until - DEFAULT_PERIOD
    if since >= until:
        raise UsageError(
            f"--since {since:%Y-%m-%d %H:%M} is not before --until {until:%Y-%m-%d %H:%M}",
            hint="Give an earlier --since, or a later --until.",
        )
    return since, until


def _snapshot_points(
    since: int | None, until: int | None, snapshots: pa.Table, latest: int, db: Path
) -> tuple[int, int]:
    ids = [int(value) for value in int64_column(snapshots.column("snapshot_id")).tolist()]
    for value in (since, until):
        if value is not None and value not in ids:
            raise UsageError(
                f"{db} has no snapshot {value}",
                hint=f"Its snapshots are {', '.join(map(str, ids))}.",
            )
    until = latest if until is None else until
    if since is None:
        earlier = [value for value in ids if value < until]
        if not earlier:
            raise UsageError(
                f"snapshot {until} is the first of {db}: there is nothing before it to compare",
                hint="Import or crawl again, then compare; or compare by dates with --since.",
            )
        since = earlier[-1]
    if since >= until:
        raise UsageError(
            f"--since-snapshot {since} is not before --until-snapshot {until}",
            hint="Give the earlier snapshot first.",
        )
    return since, until


def _spikes(
    loaded: _LoadedEvents, after: LinkStates, rule: SpikeRule, last_week: int | None
) -> VelocitySpikes:
    events = loaded.events
    first_seen = _times(events.at, after.first_event)
    is_lost = after.is_lost & after.was_live
    lost_at = np.where(is_lost, _times(events.at, after.lost_event), np.datetime64("NaT", "us"))
    return spike_velocity(
        first_seen,
        lost_at,
        loaded.domain,
        last_week=last_week,
        is_live=after.is_live,
        window=rule.window,
        min_history=rule.min_history,
        threshold=rule.threshold,
        min_count=rule.min_count,
    )


def _times(at: npt.NDArray[np.datetime64], index: npt.NDArray[np.int64]) -> Any:
    """Take the times of event *index*, NaT where it is ``NONE``."""
    nat = np.datetime64("NaT", "us")
    if not at.size:
        return np.full(index.size, nat)
    return np.where(index == NONE, nat, at[np.maximum(index, 0)])


def _range_weeks(since: datetime | None, until: datetime | None) -> tuple[int, int] | None:
    """Return the weeks between two times; ``None`` between snapshots, which have no dates."""
    if since is None or until is None:
        return None
    weeks = week_of(np.array([since, until], dtype="datetime64[us]"))
    return int(weeks[0]), int(weeks[1])


def _velocity_table(spikes: VelocitySpikes, in_range: tuple[int, int] | None) -> pa.Table:
    velocity = spikes.velocity
    weeks = velocity.weeks
    if in_range is None:
        is_in_range = np.ones(weeks.size, dtype=np.bool_)
    else:
        is_in_range = (weeks >= in_range[0]) & (weeks <= in_range[1])
    return pa.table(
        {
            "week": pa.array(velocity.labels(), pa.string()),
            "week_start": pa.array([week_start(int(week)) for week in weeks.tolist()]),
            "new_links": pa.array(velocity.new_links),
            "lost_links": pa.array(velocity.lost_links),
            "new_domains": pa.array(velocity.new_domains),
            "lost_domains": pa.array(velocity.lost_domains),
            "link_baseline": _floats(spikes.links.baseline),
            "link_score": _floats(spikes.links.score),
            "is_link_spike": pa.array(spikes.links.is_spike),
            "domain_baseline": _floats(spikes.domains.baseline),
            "domain_score": _floats(spikes.domains.score),
            "is_domain_spike": pa.array(spikes.domains.is_spike),
            "is_in_range": pa.array(is_in_range),
        }
    )


def _floats(values: npt.NDArray[np.float64]) -> pa.Array[Any]:
    """NaN (not tested) becomes ``NULL``, so that JSON holds no NaN."""
    return pa.array(values, pa.float64(), mask=np.isnan(values))


_LINK_COLUMNS = ("source_url", "target_url", "anchor", "source_domain")


def _link_columns(loaded: _LoadedEvents, links: npt.NDArray[np.int64]) -> dict[str, Any]:
    rows = loaded.links.take(pa.array(links, pa.int64()))
    return {name: rows.column(name) for name in _LINK_COLUMNS}


def _rel(is_followed: npt.NDArray[np.int8]) -> pa.Array[Any]:
    labels = np.array(["nofollow", "followed", UNKNOWN_REL], dtype=object)
    return pa.array(
        labels[np.where(is_followed == IS_FOLLOWED_UNKNOWN, 2, is_followed)], pa.string()
    )


def _event_column(
    loaded: _LoadedEvents, name: str, index: npt.NDArray[np.int64]
) -> pa.ChunkedArray[Any]:
    """Take column *name* of the event rows at *index*, ``NULL`` where it is ``NONE``."""
    mask = index == NONE
    taken: pa.ChunkedArray[Any] = loaded.rows.column(name).take(
        pa.array(np.maximum(index, 0), pa.int64())
    )
    if not mask.any():
        return taken
    nulls = pa.nulls(len(taken), taken.type)
    blanked: pa.ChunkedArray[Any] = pc.if_else(pa.array(mask), nulls, taken)
    return blanked


def _new_table(loaded: _LoadedEvents, after: LinkStates, diff: LinkDiff) -> pa.Table:
    links = diff.new
    first = after.first_event[links]
    order = np.argsort(loaded.events.at[first], kind="stable") if links.size else links
    links, first = links[order], first[order]
    status = _status(loaded, after, links)
    rel_event = after.rel_event[links]
    is_followed = np.where(
        rel_event == NONE,
        IS_FOLLOWED_UNKNOWN,
        loaded.events.is_followed[np.maximum(rel_event, 0)] if loaded.events.at.size else 0,
    ).astype(np.int8)
    columns = _link_columns(loaded, links)
    columns["first_seen"] = _event_column(loaded, "observed_at", first)
    columns["last_seen"] = _event_column(loaded, "observed_at", after.last_live_event[links])
    columns["rel"] = _rel(is_followed)
    columns["status"] = status
    return pa.table(columns)


def _status(
    loaded: _LoadedEvents, after: LinkStates, links: npt.NDArray[np.int64]
) -> pa.Array[Any]:
    lost = after.lost_event[links]
    reasons = np.array([*loaded.reasons, ""], dtype=object)
    codes = np.where(lost == NONE, -1, loaded.events.reason[np.maximum(lost, 0)])
    labels = np.where(
        after.is_live[links], "live", np.char.add("lost: ", reasons[codes].astype(str))
    )
    return pa.array(labels.tolist(), pa.string())


def _lost_table(loaded: _LoadedEvents, after: LinkStates, diff: LinkDiff) -> pa.Table:
    order = np.argsort(loaded.events.at[diff.lost_event], kind="stable")
    links, lost = diff.lost[order], diff.lost_event[order]
    columns = _link_columns(loaded, links)
    columns["first_seen"] = _event_column(loaded, "observed_at", after.first_event[links])
    columns["last_seen"] = _event_column(loaded, "observed_at", after.last_live_event[links])
    columns["lost_at"] = _event_column(loaded, "observed_at", lost)
    columns["reason"] = _event_column(loaded, "reason", lost)
    columns["detail"] = _event_column(loaded, "detail", lost)
    columns["origin"] = _event_column(loaded, "origin", lost)
    return pa.table(columns)


@dataclass(frozen=True, slots=True)
class _Changes:
    """Links that changed: a rel on the same link, or an anchor (the old link and its new one)."""

    before: npt.NDArray[np.int64]
    after: npt.NDArray[np.int64]
    event: npt.NDArray[np.int64]
    rel_before: npt.NDArray[np.int8]
    rel_after: npt.NDArray[np.int8]


def _with_replacements(
    loaded: _LoadedEvents, after: LinkStates, diff: LinkDiff
) -> tuple[LinkDiff, _Changes]:
    """Turn a link removed and a new one to its target from the same fetch into one change.

    A page that changed an anchor is one changed link, not a lost and a new one.
    """
    events = loaded.events
    removed_code = loaded.reasons.index(REMOVED) if REMOVED in loaded.reasons else NONE
    candidates = np.flatnonzero(events.reason[diff.lost_event] == removed_code)
    keys = loaded.pair_key
    # Only a replacement that is live stands for the old link: one on a page gone noindex is lost.
    live_new = np.flatnonzero(after.is_live[diff.new])
    lost_pos, new_pos = pair_replacements(
        keys[diff.lost[candidates]],
        events.at[diff.lost_event[candidates]],
        keys[diff.new[live_new]],
        _times(events.at, after.first_event[diff.new[live_new]]),
    )
    new_pos = live_new[new_pos]
    old_links, new_links = diff.lost[candidates[lost_pos]], diff.new[new_pos]
    keep_lost = np.ones(diff.lost.size, dtype=np.bool_)
    keep_lost[candidates[lost_pos]] = False
    keep_new = np.ones(diff.new.size, dtype=np.bool_)
    keep_new[new_pos] = False
    changes = _Changes(
        before=np.concatenate([diff.changed, old_links]),
        after=np.concatenate([diff.changed, new_links]),
        event=np.concatenate([diff.changed_event, after.first_event[new_links]]),
        rel_before=np.concatenate([diff.followed_before, _rel_of(events, after, old_links)]),
        rel_after=np.concatenate([diff.followed_after, _rel_of(events, after, new_links)]),
    )
    kept = replace(
        diff,
        new=diff.new[keep_new],
        lost=diff.lost[keep_lost],
        lost_event=diff.lost_event[keep_lost],
    )
    return kept, changes


def _rel_of(
    events: LinkEvents, states: LinkStates, links: npt.NDArray[np.int64]
) -> npt.NDArray[np.int8]:
    rel_event = states.rel_event[links]
    if not events.is_followed.size:
        return np.full(links.size, IS_FOLLOWED_UNKNOWN, dtype=np.int8)
    stated = events.is_followed[np.maximum(rel_event, 0)]
    return np.where(rel_event == NONE, IS_FOLLOWED_UNKNOWN, stated).astype(np.int8)


def _changed_table(loaded: _LoadedEvents, changes: _Changes) -> pa.Table:
    order = np.argsort(_times(loaded.events.at, changes.event), kind="stable")
    before_links, after_links = changes.before[order], changes.after[order]
    rel_before, rel_after = _rel(changes.rel_before[order]), _rel(changes.rel_after[order])
    columns = _link_columns(loaded, after_links)
    anchors = loaded.links.column("anchor")
    columns["anchor_before"] = anchors.take(pa.array(before_links, pa.int64()))
    columns["changed_at"] = _event_column(loaded, "observed_at", changes.event[order])
    described = zip(
        columns["anchor_before"].to_pylist(),
        columns["anchor"].to_pylist(),
        rel_before.to_pylist(),
        rel_after.to_pylist(),
        strict=True,
    )
    columns["change"] = pa.array([_change(*change) for change in described], pa.string())
    columns["rel_before"] = rel_before
    columns["rel_after"] = rel_after
    return pa.table(columns)


def _change(anchor_before: object, anchor: object, rel_before: object, rel_after: object) -> str:
    parts = []
    if anchor_before != anchor:
        parts.append(f"anchor: {anchor_before!r} -> {anchor!r}")
    if rel_before != rel_after and UNKNOWN_REL not in (rel_before, rel_after):
        parts.append(f"rel: {rel_before} -> {rel_after}")
    return "; ".join(parts)


#: Columns of the CSV; each row fills those its event has.
_CSV_HEADER = (
    "event",
    "source_url",
    "target_url",
    "anchor",
    "source_domain",
    "at",
    "first_seen",
    "last_seen",
    "status",
    "reason",
    "detail",
    "origin",
    "rel",
    "change",
    "anchor_before",
)


def write_diff_csv(report: LinkDiffReport, path: Path) -> int:
    """Write the new, lost and changed backlinks as CSV, one row each; count them.

    Cells a spreadsheet would run as formulas get a leading apostrophe
    (``report.csv``).

    Parameters
    ----------
    report : LinkDiffReport
        The diff.
    path : pathlib.Path
        The file to write (replaced).

    Returns
    -------
    int
        Rows written, header excluded.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    rows: list[dict[str, Any]] = [
        {**link, "event": "new", "at": link["first_seen"]} for link in report.new.to_pylist()
    ]
    rows += [{**link, "event": "lost", "at": link["lost_at"]} for link in report.lost.to_pylist()]
    rows += [
        {**link, "event": "changed", "at": link["changed_at"], "rel": link["rel_after"]}
        for link in report.changed.to_pylist()
    ]
    return write_csv(path, _CSV_HEADER, ([row.get(name) for name in _CSV_HEADER] for row in rows))
