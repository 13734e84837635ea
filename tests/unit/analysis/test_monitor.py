"""Links over time on hand-made events: states, the diff, weekly velocity and spikes.

Each rule of ``analysis.monitor`` has a test built so that the rule's absence
changes the answer; the spike test is also checked against a plain loop.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.analysis.monitor import (
    IS_FOLLOWED_UNKNOWN,
    NONE,
    LinkDiff,
    LinkEvents,
    detect_spikes,
    diff_states,
    link_states,
    pair_replacements,
    spike_velocity,
    week_of,
    week_start,
    weekly_velocity,
)

LIVE, LOST = True, False
FOLLOWED, NOFOLLOW, UNSTATED = 1, 0, IS_FOLLOWED_UNKNOWN
REMOVED, GONE, NOINDEX = 0, 1, 2


def day(n: int, hour: int = 0) -> np.datetime64:
    """Day *n* of January 2026 (day 1 is a Thursday), at *hour*."""
    return np.datetime64(datetime(2026, 1, 1) + timedelta(days=n - 1, hours=hour), "us")


Row = tuple[int, np.datetime64, int, bool, int, int]


def events(*rows: Row) -> LinkEvents:
    """Events from ``(link, at, snapshot, is_live, is_followed, reason)`` rows."""
    link, at, snapshot, is_live, followed, reason = zip(*rows, strict=True)
    return LinkEvents(
        link=np.array(link, dtype=np.int64),
        at=np.array(at, dtype="datetime64[us]"),
        snapshot=np.array(snapshot, dtype=np.int64),
        is_live=np.array(is_live, dtype=np.bool_),
        is_followed=np.array(followed, dtype=np.int8),
        reason=np.array(reason, dtype=np.int64),
    )


def seen(link: int, at: np.datetime64, snapshot: int = 1, followed: int = FOLLOWED) -> Row:
    return (link, at, snapshot, LIVE, followed, NONE)


def lost(link: int, at: np.datetime64, reason: int = REMOVED, snapshot: int = 1) -> Row:
    return (link, at, snapshot, LOST, UNSTATED, reason)


# --- states ---------------------------------------------------------------------------


def test_the_last_event_decides_and_a_sighting_after_a_loss_revives_the_link() -> None:
    log = events(
        seen(0, day(1)), lost(0, day(5)), seen(0, day(9)), seen(1, day(1)), lost(1, day(5))
    )

    states = link_states(log, 3)

    assert states.is_known.tolist() == [True, True, False]
    assert states.is_live.tolist() == [True, False, False]
    assert states.lost_event.tolist() == [NONE, 4, NONE]


def test_a_loss_at_the_time_of_a_sighting_wins() -> None:
    # One fetch saw the link and found the page noindex: the link is lost.
    log = events(lost(0, day(3), NOINDEX), seen(0, day(3)))

    states = link_states(log, 1)

    assert not states.is_live[0]
    assert states.lost_event[0] == 0
    # Seen only together with its loss: never live.
    assert not states.was_live[0]
    assert states.last_live_event[0] == NONE


def test_a_link_seen_on_a_page_gone_noindex_was_last_live_before() -> None:
    log = events(seen(0, day(1)), seen(0, day(5)), lost(0, day(5), NOINDEX))

    states = link_states(log, 1)

    assert log.at[states.last_live_event[0]] == day(1)
    assert log.at[states.lost_event[0]] == day(5)


def test_lost_at_is_the_first_loss_after_the_last_sighting() -> None:
    # Seen, lost (export), seen again, then found gone twice: lost since the first of those.
    log = events(
        seen(0, day(1)), lost(0, day(2)), seen(0, day(4)), lost(0, day(8), GONE), lost(0, day(6))
    )

    states = link_states(log, 1)

    assert log.at[states.lost_event[0]] == day(6)
    assert log.at[states.last_live_event[0]] == day(4)
    assert log.at[states.first_event[0]] == day(1)


def test_a_link_only_ever_seen_lost_was_never_live() -> None:
    log = events(lost(0, day(2), NOINDEX), lost(0, day(9), NOINDEX))

    states = link_states(log, 1)

    assert states.is_known[0]
    assert not states.was_live[0]
    assert log.at[states.lost_event[0]] == day(2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(1, 4), st.booleans(), st.integers(-1, 1)),
        min_size=1,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_states_do_not_depend_on_the_order_events_come_in(
    rows: list[tuple[int, int, bool, int]], shuffler: Any
) -> None:
    made = [(link, day(d), 1, live, rel if live else UNSTATED, NONE if live else REMOVED)
            for link, d, live, rel in rows]  # fmt: skip
    ordered = sorted(made, key=lambda row: (row[0], row[1], not row[3]))
    shuffled = list(made)
    shuffler.shuffle(shuffled)

    a, b = link_states(events(*ordered), 4), link_states(events(*shuffled), 4)
    log_a, log_b = events(*ordered), events(*shuffled)

    assert a.is_live.tolist() == b.is_live.tolist()
    assert a.is_known.tolist() == b.is_known.tolist()
    for states, log in ((a, log_a), (b, log_b)):
        assert all(
            states.lost_event[i] == NONE or not log.is_live[states.lost_event[i]] for i in range(4)
        )
    lost_at = [log_a.at[i] if i != NONE else None for i in a.lost_event.tolist()]
    assert lost_at == [log_b.at[i] if i != NONE else None for i in b.lost_event.tolist()]
    first_at = [log_a.at[i] if i != NONE else None for i in a.first_event.tolist()]
    assert first_at == [log_b.at[i] if i != NONE else None for i in b.first_event.tolist()]


def test_states_count_only_the_events_up_to_the_point() -> None:
    log = events(seen(0, day(1), snapshot=1), lost(0, day(2), snapshot=2), seen(1, day(3), 2))

    by_time = link_states(log, 2, included=log.up_to(at=day(1)))
    by_snapshot = link_states(log, 2, included=log.up_to(snapshot=1))
    both = link_states(log, 2, included=log.up_to(at=day(2), snapshot=2))

    assert by_time.is_live.tolist() == [True, False]
    assert by_time.is_known.tolist() == [True, False]
    assert by_snapshot.is_live.tolist() == [True, False]
    assert both.is_live.tolist() == [False, False]
    assert both.is_known.tolist() == [True, False]


def test_the_rel_is_that_of_the_last_sighting_that_states_it() -> None:
    log = events(seen(0, day(1), followed=NOFOLLOW), seen(0, day(5), followed=UNSTATED))

    states = link_states(log, 1)

    assert log.is_followed[states.rel_event[0]] == NOFOLLOW
    assert log.at[states.last_live_event[0]] == day(5)


def test_events_must_be_parallel_and_dated() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        LinkEvents(
            link=np.array([0, 1]),
            at=np.array([day(1)], dtype="datetime64[us]"),
            snapshot=np.array([1]),
            is_live=np.array([True]),
            is_followed=np.array([1], dtype=np.int8),
            reason=np.array([NONE]),
        )
    with pytest.raises(ValueError, match="without a time"):
        events((0, np.datetime64("NaT", "us"), 1, LIVE, FOLLOWED, NONE))


# --- diff -----------------------------------------------------------------------------


def diff_at(log: LinkEvents, n: int, a: np.datetime64, b: np.datetime64) -> LinkDiff:
    before_in, after_in = log.up_to(at=a), log.up_to(at=b)
    return diff_states(
        log,
        link_states(log, n, included=before_in),
        link_states(log, n, included=after_in),
        before_included=before_in,
    )


def test_new_lost_and_changed_between_two_times() -> None:
    log = events(
        seen(0, day(1)),  # 0: live throughout
        seen(0, day(20)),
        seen(1, day(1)),  # 1: lost in the window
        lost(1, day(12), GONE),
        seen(2, day(12)),  # 2: new in the window, still live
        seen(3, day(1)),  # 3: lost before the window: not lost again
        lost(3, day(5)),
        seen(4, day(12)),  # 4: new and lost in the window: both
        lost(4, day(15)),
        seen(5, day(1)),  # 5: followed, then nofollow: changed
        seen(5, day(14), followed=NOFOLLOW),
        lost(6, day(13), NOINDEX),  # 6: new, never live: not lost
    )

    diff = diff_at(log, 7, day(10), day(20))

    assert diff.new.tolist() == [2, 4, 6]
    assert diff.lost.tolist() == [1, 4]
    assert log.at[diff.lost_event].tolist() == [day(12), day(15)]
    assert log.reason[diff.lost_event].tolist() == [GONE, REMOVED]
    assert diff.changed.tolist() == [5]
    assert (diff.followed_before.tolist(), diff.followed_after.tolist()) == ([1], [0])
    assert log.at[diff.changed_event].tolist() == [day(14)]
    assert (diff.live_before, diff.live_after) == (3, 3)


def test_a_link_lost_before_and_revived_then_lost_in_the_window_is_lost() -> None:
    log = events(seen(0, day(1)), lost(0, day(5)), seen(0, day(12)), lost(0, day(14)))

    diff = diff_at(log, 1, day(10), day(20))

    assert diff.lost.tolist() == [0]
    assert log.at[diff.lost_event].tolist() == [day(14)]


def test_an_unstated_rel_is_no_change() -> None:
    log = events(seen(0, day(1)), seen(0, day(14), followed=UNSTATED))

    assert diff_at(log, 1, day(10), day(20)).changed.size == 0


def test_a_rel_change_is_not_a_new_and_a_lost_link() -> None:
    log = events(seen(0, day(1), followed=NOFOLLOW), seen(0, day(14)))

    diff = diff_at(log, 1, day(10), day(20))

    assert (diff.new.size, diff.lost.size, diff.changed.tolist()) == (0, 0, [0])


def test_a_diff_by_snapshots_compares_what_each_knew() -> None:
    # Snapshot 2 (a later import) reports link 0 lost at a date before snapshot 1's sightings
    # of link 1: by snapshots, 0 is lost and 1 is unchanged whatever the dates.
    log = events(
        seen(0, day(1)), seen(1, day(20)), lost(0, day(25), snapshot=2), seen(2, day(2), 2)
    )
    before_in, after_in = log.up_to(snapshot=1), log.up_to(snapshot=2)

    diff = diff_states(
        log,
        link_states(log, 3, included=before_in),
        link_states(log, 3, included=after_in),
        before_included=before_in,
    )

    assert (diff.new.tolist(), diff.lost.tolist()) == ([2], [0])


def test_a_loss_and_a_new_link_of_one_page_and_target_at_one_time_pair() -> None:
    t1, t2 = day(10), day(11)
    lost_key = np.array([7, 7, 8, 9])
    lost_at = np.array([t1, t1, t1, t1], dtype="datetime64[us]")
    # Key 7 has two losses and one new link at t1 (and one at t2, another fetch); key 8's
    # new link came at t2; key 9's matches.
    new_key = np.array([9, 7, 8, 7])
    new_at = np.array([t1, t1, t2, t2], dtype="datetime64[us]")

    lost_pos, new_pos = pair_replacements(lost_key, lost_at, new_key, new_at)

    assert sorted(zip(lost_pos.tolist(), new_pos.tolist(), strict=True)) == [(0, 1), (3, 0)]


def test_several_replacements_on_one_page_pair_in_order() -> None:
    at = np.array([day(3)] * 3, dtype="datetime64[us]")

    lost_pos, new_pos = pair_replacements(np.array([5, 5, 5]), at, np.array([5, 5]), at[:2])

    assert (lost_pos.tolist(), new_pos.tolist()) == ([0, 1], [0, 1])


# --- weeks and velocity ---------------------------------------------------------------


def test_weeks_start_on_monday_at_midnight_utc() -> None:
    sunday_late = np.datetime64("2026-01-04T23:59:59", "us")
    monday = np.datetime64("2026-01-05T00:00:00", "us")

    weeks = week_of(np.array([sunday_late, monday, "NaT"], dtype="datetime64[us]"))

    assert weeks[1] == weeks[0] + 1
    assert weeks[2] == NONE
    assert week_start(int(weeks[1])) == datetime(2026, 1, 5)
    assert week_start(int(weeks[0])) == datetime(2025, 12, 29)


def test_velocity_labels_are_iso_weeks() -> None:
    # 2024-12-30 is a Monday of ISO week 2025-W01; 2026-01-01 is in 2026-W01.
    velocity = weekly_velocity(
        np.array(["2024-12-30", "2026-01-01"], dtype="datetime64[us]"),
        np.array(["NaT", "NaT"], dtype="datetime64[us]"),
        np.array([0, 1]),
    )

    labels = velocity.labels()
    assert (labels[0], labels[-1]) == ("2025-W01", "2026-W01")
    assert len(labels) == (date(2025, 12, 29) - date(2024, 12, 30)).days // 7 + 1


def test_velocity_counts_links_and_domains_per_week_with_zero_weeks() -> None:
    first_seen = np.array([day(5), day(6), day(7), day(20), day(21)], dtype="datetime64[us]")
    nat = np.datetime64("NaT", "us")
    # Domain 0 keeps link 1 live; domain 1 loses both its links, the last in week of day 27.
    lost_at = np.array([day(13), nat, day(14), day(27), nat], dtype="datetime64[us]")
    domain = np.array([0, 0, 1, 1, 2])

    velocity = weekly_velocity(first_seen, lost_at, domain)

    assert week_start(int(velocity.weeks[0])) == datetime(2026, 1, 5)
    assert velocity.new_links.tolist() == [3, 0, 2, 0]
    assert velocity.lost_links.tolist() == [0, 2, 0, 1]
    assert velocity.new_domains.tolist() == [2, 0, 1, 0]
    assert velocity.lost_domains.tolist() == [0, 0, 0, 1]


def test_a_link_never_live_keeps_no_domain() -> None:
    # Domain 0: one link lost in the second week, one only ever seen on a noindex page.
    first_seen = np.array([day(5), day(13)], dtype="datetime64[us]")
    lost_at = np.array([day(13), "NaT"], dtype="datetime64[us]")
    domain = np.array([0, 0])

    kept = weekly_velocity(first_seen, lost_at, domain)
    lost = weekly_velocity(first_seen, lost_at, domain, is_live=np.array([False, False]))

    assert kept.lost_domains.tolist() == [0, 0]
    assert lost.lost_domains.tolist() == [0, 1]


def test_velocity_covers_the_weeks_asked_for() -> None:
    first_seen = np.array([day(7)], dtype="datetime64[us]")
    last = int(week_of(np.array([day(30)], dtype="datetime64[us]"))[0])

    velocity = weekly_velocity(
        first_seen, np.array(["NaT"], dtype="datetime64[us]"), np.array([0]), last_week=last
    )

    assert velocity.new_links.tolist() == [1, 0, 0, 0]
    assert velocity.weeks[-1] == last


# --- spikes ---------------------------------------------------------------------------


def test_a_spike_needs_the_threshold_over_the_poisson_noise_of_a_flat_history() -> None:
    # Median 5 and MAD 0: the noise is sqrt(5), so 5 + 3.5 * 2.236 = 12.8 is the edge.
    history = [5] * 8

    below = detect_spikes([*history, 12])
    above = detect_spikes([*history, 13])

    assert not below.is_spike[-1]
    assert above.is_spike[-1]
    assert above.score[-1] == pytest.approx((13 - 5) / np.sqrt(5))
    assert above.baseline[-1] == 5


def test_a_spike_needs_the_least_count() -> None:
    # A flat history of one link a week: 9 links is z = 8, yet too few to call a spike.
    history = [1] * 8

    assert not detect_spikes([*history, 9]).is_spike[-1]
    assert detect_spikes([*history, 10]).is_spike[-1]
    assert not detect_spikes([*history, 10], min_count=11).is_spike[-1]


def test_a_noisy_history_widens_the_noise_by_its_mad() -> None:
    # Median 5 and MAD 5: the noise is 1.4826 * 5 = 7.4, so 20 links is z = 2.0, no spike
    # (with the Poisson noise alone it would be z = 6.7).
    history = [0, 10] * 4

    test = detect_spikes([*history, 20])

    assert test.scale[-1] == pytest.approx(1.4826 * 5)
    assert not test.is_spike[-1]
    assert detect_spikes([*history, 32]).is_spike[-1]


def test_a_week_needs_enough_history_to_be_tested() -> None:
    counts = [0, 0, 0, 50]

    test = detect_spikes(counts, min_history=4)

    assert np.isnan(test.score).all()
    assert not test.is_spike.any()
    assert detect_spikes(counts, min_history=3).is_spike.tolist() == [False] * 3 + [True]


def test_only_the_trailing_window_is_the_baseline() -> None:
    # Eight weeks of 40 then four of 2: a 4-week window sees only the 2s, a 12-week one
    # has a median of 40.
    counts = [40] * 8 + [2] * 4 + [30]

    assert detect_spikes(counts, window=4).is_spike[-1]
    assert detect_spikes(counts, window=4).baseline[-1] == 2
    assert not detect_spikes(counts, window=12).is_spike[-1]


def test_detect_spikes_refuses_bad_tunables() -> None:
    with pytest.raises(ValueError, match="min_history"):
        detect_spikes([1, 2], window=3, min_history=4)
    with pytest.raises(ValueError, match="one-dimensional"):
        detect_spikes([[1, 2]])


def reference_spikes(counts: list[int], window: int, min_history: int) -> list[bool]:
    """The spike rule written plainly, week by week."""
    verdicts = []
    for i, count in enumerate(counts):
        history = counts[max(0, i - window) : i]
        if len(history) < min_history:
            verdicts.append(False)
            continue
        m = median(history)
        mad = median(abs(value - m) for value in history)
        noise = max(1.4826 * mad, max(m, 1.0) ** 0.5)
        verdicts.append(count >= 10 and (count - m) / noise >= 3.5)
    return verdicts


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=0, max_size=40),
    st.integers(1, 10),
    st.integers(1, 10),
)
def test_detect_spikes_matches_a_plain_loop(counts: list[int], window: int, history: int) -> None:
    history = min(history, window)

    test = detect_spikes(counts, window=window, min_history=history)

    assert test.is_spike.tolist() == reference_spikes(counts, window, history)


def test_spike_velocity_names_the_links_and_domains_that_came_in_a_spike() -> None:
    # Two links a week from two domains for 8 weeks, then 12 links from 12 new domains
    # and 2 more from an old one: all 14 came in a spike of links, 12 in a spike of domains.
    base = datetime(2026, 1, 5)
    steady = [base + timedelta(weeks=w, days=d) for w in range(8) for d in (0, 3)]
    burst = [base + timedelta(weeks=8, days=1)] * 14
    first_seen = np.array(steady + burst, dtype="datetime64[us]")
    domain = np.array([i % 2 for i in range(len(steady))] + list(range(100, 112)) + [0, 0])
    lost_at = np.full(first_seen.size, np.datetime64("NaT", "us"))

    result = spike_velocity(first_seen, lost_at, domain)

    assert result.links.is_spike.tolist() == [False] * 8 + [True]
    assert result.domains.is_spike.tolist() == [False] * 8 + [True]
    assert result.is_link_in_spike.tolist() == [False] * 16 + [True] * 14
    assert result.is_domain_in_spike.tolist() == [False] * 16 + [True] * 12 + [False] * 2
    assert result.is_in_spike.sum() == 14


def test_an_old_domain_linking_again_in_a_spike_week_is_not_a_new_domain() -> None:
    base = datetime(2026, 1, 5)
    steady = [base + timedelta(weeks=w) for w in range(8) for _ in range(2)]
    burst = [base + timedelta(weeks=8)] * 12
    first_seen = np.array(steady + burst, dtype="datetime64[us]")
    # The burst comes from the two domains that linked all along.
    domain = np.array([i % 2 for i in range(len(steady))] + [0, 1] * 6)

    result = spike_velocity(
        first_seen, np.full(first_seen.size, np.datetime64("NaT", "us")), domain
    )

    assert result.is_link_in_spike.sum() == 12
    assert not result.is_domain_in_spike.any()
