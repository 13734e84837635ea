"""Politeness over clock values the test chooses: slots, delay, Crawl-delay, Retry-After, budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from linkequity.crawl.politeness import Politeness, retry_after_s

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def turns(
    *,
    per_host: int = 2,
    delay_s: float = 1.0,
    error_budget: int = 3,
    pause_s: float = 60.0,
    max_wait_s: float = 120.0,
) -> Politeness:
    return Politeness(
        per_host=per_host,
        delay_s=delay_s,
        error_budget=error_budget,
        pause_s=pause_s,
        max_wait_s=max_wait_s,
    )


def test_a_new_host_is_ready_at_once() -> None:
    assert turns().ready_at("a.example") == 0.0


def test_a_host_has_per_host_slots_and_a_finished_request_frees_one() -> None:
    polite = turns(per_host=2, delay_s=0.0)

    polite.started("a.example", 10.0)
    assert polite.ready_at("a.example") == 10.0
    polite.started("a.example", 10.0)
    assert polite.ready_at("a.example") is None
    assert polite.ready_at("b.example") == 0.0  # slots are per host

    polite.finished("a.example", 11.0, is_error=False)
    assert polite.ready_at("a.example") == 10.0


def test_the_delay_runs_from_the_start_of_the_last_request() -> None:
    polite = turns(per_host=4, delay_s=1.5)

    polite.started("a.example", 100.0)
    assert polite.ready_at("a.example") == 101.5
    polite.finished("a.example", 100.2, is_error=False)
    assert polite.ready_at("a.example") == 101.5
    polite.started("a.example", 101.5)
    assert polite.ready_at("a.example") == 103.0
    assert polite.ready_at("b.example") == 0.0


def test_a_longer_crawl_delay_raises_the_hosts_delay_and_a_shorter_one_does_not() -> None:
    polite = turns(per_host=4, delay_s=1.0)

    polite.ask_for_delay("a.example", 5.0)
    polite.ask_for_delay("b.example", 0.2)
    polite.ask_for_delay("c.example", None)
    for host in ("a.example", "b.example", "c.example", "d.example"):
        polite.started(host, 0.0)

    assert polite.ready_at("a.example") == 5.0
    assert polite.ready_at("b.example") == 1.0
    assert polite.ready_at("c.example") == 1.0
    assert polite.ready_at("d.example") == 1.0


def test_a_crawl_delay_is_capped_at_max_wait() -> None:
    polite = turns(delay_s=0.5, max_wait_s=30.0)

    polite.ask_for_delay("a.example", 86_400.0)
    polite.started("a.example", 0.0)

    assert polite.turns("a.example").delay_s == 30.0
    assert polite.ready_at("a.example") == 30.0


def test_retry_after_holds_the_host_until_then() -> None:
    polite = turns(delay_s=1.0)

    polite.started("a.example", 0.0)
    polite.finished("a.example", 0.5, is_error=True)
    polite.hold("a.example", 0.5, 20.0)

    assert polite.ready_at("a.example") == 20.5
    assert polite.is_held("a.example", 20.0)
    assert not polite.is_held("a.example", 20.5)
    assert polite.held_hosts(10.0) == 1
    assert polite.held_hosts(21.0) == 0


def test_a_hold_is_capped_at_max_wait_never_negative_and_never_shortened() -> None:
    polite = turns(max_wait_s=60.0)

    polite.hold("a.example", 0.0, 3600.0)
    assert polite.ready_at("a.example") == 60.0
    polite.hold("a.example", 1.0, 5.0)
    assert polite.ready_at("a.example") == 60.0

    polite.hold("b.example", 7.0, -30.0)
    assert polite.ready_at("b.example") == 7.0


def test_the_error_budget_pauses_a_host_then_starts_again() -> None:
    polite = turns(per_host=1, delay_s=0.0, error_budget=3, pause_s=60.0)

    for now in (1.0, 2.0):
        polite.started("a.example", now)
        polite.finished("a.example", now, is_error=True)
        assert not polite.is_held("a.example", now)
    polite.started("a.example", 3.0)
    polite.finished("a.example", 3.0, is_error=True)

    assert polite.is_held("a.example", 3.0)
    assert polite.ready_at("a.example") == 63.0
    assert polite.turns("a.example").pauses == 1
    assert polite.turns("a.example").errors_in_row == 0  # the count starts again
    # two more failures after the pause do not pause it again: the budget is whole again
    for now in (63.0, 64.0):
        polite.started("a.example", now)
        polite.finished("a.example", now, is_error=True)
    assert not polite.is_held("a.example", 64.0)
    assert polite.turns("a.example").pauses == 1


def test_a_success_resets_the_error_count() -> None:
    polite = turns(per_host=1, delay_s=0.0, error_budget=2, pause_s=60.0)

    for now, is_error in ((1.0, True), (2.0, False), (3.0, True)):
        polite.started("a.example", now)
        polite.finished("a.example", now, is_error=is_error)

    assert not polite.is_held("a.example", 3.0)
    assert polite.turns("a.example").pauses == 0


def test_an_error_budget_of_zero_never_pauses() -> None:
    polite = turns(per_host=1, delay_s=0.0, error_budget=0)

    for step in range(50):
        polite.started("a.example", float(step))
        polite.finished("a.example", float(step), is_error=True)

    assert not polite.is_held("a.example", 50.0)
    assert polite.turns("a.example").pauses == 0


def test_errors_spend_only_their_own_hosts_budget() -> None:
    polite = turns(per_host=1, delay_s=0.0, error_budget=2)

    for host in ("a.example", "b.example", "a.example"):
        polite.started(host, 1.0)
        polite.finished(host, 1.0, is_error=True)

    assert polite.is_held("a.example", 1.0)
    assert not polite.is_held("b.example", 1.0)


# -- Retry-After -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), ("0", 0.0), (" 7 ", 7.0)])
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert retry_after_s([("Retry-After", value)], NOW) == seconds


def test_retry_after_as_an_http_date_is_the_time_left_until_then() -> None:
    later = format_datetime(NOW + timedelta(seconds=90), usegmt=True)

    assert retry_after_s([("retry-after", later)], NOW) == 90.0


def test_retry_after_in_the_past_means_now() -> None:
    earlier = format_datetime(NOW - timedelta(hours=1), usegmt=True)

    assert retry_after_s([("Retry-After", earlier)], NOW) == 0.0


def test_retry_after_date_with_a_numeric_zone() -> None:
    assert retry_after_s([("Retry-After", "Fri, 01 May 2026 14:00:30 +0200")], NOW) == 30.0


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "soon",
        "-5",
        "1.5",
        "Fri, 01 May 2026 12:01:00",  # no zone: cannot be placed in time
        "Friday, the first of May",
        "Fri, 32 May 2026 12:00:00 GMT",
    ],
)
def test_an_unreadable_retry_after_counts_as_absent(value: str) -> None:
    assert retry_after_s([("Retry-After", value)], NOW) is None


def test_no_retry_after_header() -> None:
    assert retry_after_s([("Content-Type", "text/html")], NOW) is None
    assert retry_after_s([], NOW) is None


def test_the_first_retry_after_header_counts() -> None:
    headers = [("X-Other", "1"), ("RETRY-AFTER", "3"), ("Retry-After", "9")]

    assert retry_after_s(headers, NOW) == 3.0
