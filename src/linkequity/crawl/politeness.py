"""Politeness: how often, and how many at a time, the crawler may ask each host.

Per host: at most ``per_host`` requests at once; ``delay_s`` between the starts
of two requests (raised to the host's robots.txt ``Crawl-delay``, capped at
``max_wait_s``); a ``Retry-After`` answer (429, 503) holds the host until then;
and an error budget: after ``error_budget`` failures in a row (no response,
5xx, 429) the host is paused for ``pause_s``, and its count starts again.

Pure bookkeeping over a clock value the caller passes in; the crawler asks
``ready_at`` to schedule and tells ``started`` and ``finished``.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

__all__ = ["HostTurns", "Politeness", "retry_after_s"]


@dataclass(slots=True)
class HostTurns:
    """One host's politeness state."""

    delay_s: float
    active: int = 0
    next_start_s: float = 0.0
    held_until_s: float = 0.0
    errors_in_row: int = 0
    pauses: int = 0


class Politeness:
    """Turns of every host the crawler talks to.

    Parameters
    ----------
    per_host : int
        Requests at once to one host.
    delay_s : float
        Seconds between the starts of two requests to one host.
    error_budget : int
        Failures in a row that pause a host; 0 never pauses.
    pause_s : float
        How long a host that spent its error budget is left alone.
    max_wait_s : float
        Longest ``Crawl-delay`` or ``Retry-After`` obeyed; longer ones are cut to it.
    """

    def __init__(
        self,
        *,
        per_host: int,
        delay_s: float,
        error_budget: int,
        pause_s: float,
        max_wait_s: float,
    ) -> None:
        self.per_host = per_host
        self.delay_s = delay_s
        self.error_budget = error_budget
        self.pause_s = pause_s
        self.max_wait_s = max_wait_s
        self._hosts: dict[str, HostTurns] = {}

    def turns(self, host: str) -> HostTurns:
        """Return *host*'s state, new hosts starting with the default delay."""
        turns = self._hosts.get(host)
        if turns is None:
            turns = self._hosts[host] = HostTurns(self.delay_s)
        return turns

    def ready_at(self, host: str) -> float | None:
        """Return when *host* may next be asked; ``None`` while its slots are full."""
        turns = self.turns(host)
        if turns.active >= self.per_host:
            return None
        return max(turns.next_start_s, turns.held_until_s)

    def is_held(self, host: str, now_s: float) -> bool:
        """Whether *host* is paused or backing off at *now_s* (not merely busy)."""
        return self.turns(host).held_until_s > now_s

    def started(self, host: str, now_s: float) -> None:
        """Record that a request to *host* starts at *now_s*."""
        turns = self.turns(host)
        turns.active += 1
        turns.next_start_s = now_s + turns.delay_s

    def finished(self, host: str, now_s: float, *, is_error: bool) -> None:
        """Record that a request to *host* ended; an error spends the host's budget."""
        turns = self.turns(host)
        turns.active -= 1
        if not is_error:
            turns.errors_in_row = 0
            return
        turns.errors_in_row += 1
        if self.error_budget and turns.errors_in_row >= self.error_budget:
            turns.errors_in_row = 0
            turns.pauses += 1
            turns.held_until_s = max(turns.held_until_s, now_s + self.pause_s)

    def ask_for_delay(self, host: str, crawl_delay_s: float | None) -> None:
        """Obey *host*'s robots.txt ``Crawl-delay`` when it is longer than the default."""
        if crawl_delay_s is not None:
            self.turns(host).delay_s = max(self.delay_s, min(crawl_delay_s, self.max_wait_s))

    def hold(self, host: str, now_s: float, wait_s: float) -> None:
        """Leave *host* alone for *wait_s* (a ``Retry-After``), at most ``max_wait_s``."""
        turns = self.turns(host)
        turns.held_until_s = max(turns.held_until_s, now_s + min(max(wait_s, 0.0), self.max_wait_s))

    def held_hosts(self, now_s: float) -> int:
        """Count the hosts paused or backing off at *now_s*."""
        return sum(1 for turns in self._hosts.values() if turns.held_until_s > now_s)


def retry_after_s(headers: Sequence[tuple[str, str]], now: datetime) -> float | None:
    """Return the seconds a ``Retry-After`` header asks to wait (RFC 9110 §10.2.3), if any.

    The header is either seconds or an HTTP date; a date in the past means 0.
    An unreadable value counts as absent.
    """
    value = next((v.strip() for k, v in headers if k.strip().lower() == "retry-after"), None)
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
