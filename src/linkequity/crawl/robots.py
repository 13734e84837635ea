"""The crawler's robots.txt policy: fetched once per origin, cached, status-aware (RFC 9309).

``RobotsPolicy`` asks a fetch function for ``/robots.txt`` once per scheme,
host and port, follows up to five redirects itself (§2.3.1.2), and keeps the
answer for at most 24 hours (§2.4). What the answer means:

- 2xx: the file's rules (``parsing.robots``);
- 4xx, more than five redirects, or a redirect to no http(s) URL: no robots.txt,
  every URL allowed (§2.3.1.3);
- 5xx, or no response at all: every URL disallowed (§2.3.1.4), until the
  fetch is tried again ``unreachable_retry_s`` later.

The fetch function is the seam: any callable that takes a URL, does *not*
follow redirects, and returns a ``FetchedPage`` (raising ``FetchFailed`` when
no response came). ``crawl.single.fetch_page`` with ``follow_redirects=False``
is one; the crawler's asynchronous fetcher will be another.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit

from linkequity.errors import AddressRefused, FetchFailed, HostNotFound, InvalidUrl
from linkequity.model.urls import normalize_url
from linkequity.parsing.http_body import decode_body
from linkequity.parsing.robots import parse_robots, product_token

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from linkequity.model.records import FetchedPage
    from linkequity.parsing.robots import RobotsDecision, RobotsTxt

__all__ = [
    "AsyncRobotsPolicy",
    "MAX_CACHE_S",
    "MAX_ROBOTS_REDIRECTS",
    "RobotsAccess",
    "RobotsAnswer",
    "RobotsCheck",
    "RobotsFetch",
    "RobotsPolicy",
    "check_answer",
    "robots_url",
]

#: RFC 9309 §2.4: a cached robots.txt is not used for longer than 24 hours.
MAX_CACHE_S = 24 * 60 * 60
#: RFC 9309 §2.3.1.2: follow at least five consecutive redirects.
MAX_ROBOTS_REDIRECTS = 5


class RobotsFetch(Protocol):
    """Fetch one URL without following redirects; raise ``FetchFailed`` if nothing answers."""

    def __call__(self, url: str, /) -> FetchedPage:
        """Return the response to a GET of *url*, a redirect included as it came."""
        ...


class RobotsAccess(StrEnum):
    """What a robots.txt answer lets a crawler do."""

    RULES = "rules"
    ALLOW_ALL = "allow all"
    DISALLOW_ALL = "disallow all"


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What asking an origin for its robots.txt gave.

    Attributes
    ----------
    source : str
        The robots.txt URL asked for (or the file read).
    access : RobotsAccess
        Rules to obey, or everything allowed or disallowed.
    status : int or None
        HTTP status of the last response; ``None`` when nothing answered or for a file.
    robots : RobotsTxt or None
        The parsed file when ``access`` is ``RULES``.
    final_url : str or None
        Where redirects ended, when there were any.
    problem : str or None
        Why nothing usable came: the fetch error, or too many redirects.
    expires_at_s : float
        Clock time after which the origin is asked again.
    """

    source: str
    access: RobotsAccess
    status: int | None = None
    robots: RobotsTxt | None = None
    final_url: str | None = None
    problem: str | None = None
    expires_at_s: float = float("inf")

    @property
    def reason(self) -> str:
        """Why every URL is allowed or disallowed, when it is not up to the rules."""
        if self.access is RobotsAccess.ALLOW_ALL:
            said = self.problem or f"robots.txt answered HTTP {self.status}"
            return f"{said}: no robots.txt, so every URL is allowed (RFC 9309 §2.3.1.3)"
        if self.access is RobotsAccess.DISALLOW_ALL:
            said = self.problem or f"robots.txt answered HTTP {self.status}"
            return f"{said}: unreachable, so every URL is disallowed for now (RFC 9309 §2.3.1.4)"
        return "the rules of robots.txt apply"


@dataclass(frozen=True, slots=True)
class RobotsCheck:
    """Whether a URL may be crawled, with the robots.txt answer and the decision behind it.

    Attributes
    ----------
    url : str
        The URL checked.
    agent : str
        The product token checked for.
    is_allowed : bool
        The verdict.
    answer : RobotsAnswer
        What the origin's robots.txt gave.
    decision : RobotsDecision or None
        The group and rule that decided, when rules applied.
    """

    url: str
    agent: str
    is_allowed: bool
    answer: RobotsAnswer
    decision: RobotsDecision | None = None

    @property
    def explanation(self) -> str:
        """One sentence: the rule that decided, or the status that did."""
        return self.decision.explanation if self.decision else self.answer.reason


class RobotsPolicy:
    """robots.txt of every origin a crawler visits, fetched once and cached.

    Parameters
    ----------
    fetch : RobotsFetch
        Fetches a URL without following redirects.
    user_agent : str
        The crawler's product token (or a User-Agent string starting with it).
    clock : callable
        Seconds, monotonic; a fake in tests.
    cache_s : float
        How long an answer is kept; at most ``MAX_CACHE_S`` (RFC 9309 §2.4).
    unreachable_retry_s : float
        How long an unreachable robots.txt (5xx, no response) disallows
        everything before it is asked for again.
    """

    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        clock: Callable[[], float] = time.monotonic,
        cache_s: float = MAX_CACHE_S,
        unreachable_retry_s: float = 600.0,
    ) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self._clock = clock
        self._rules = _AnswerRules(min(cache_s, MAX_CACHE_S), unreachable_retry_s)
        self._answers: dict[str, RobotsAnswer] = {}

    def answer_for(self, url: str) -> RobotsAnswer:
        """Return the robots.txt answer of *url*'s origin, fetching it when not cached or stale."""
        source = robots_url(url)
        cached = self._answers.get(source)
        if cached is not None and self._clock() < cached.expires_at_s:
            return cached
        answer = self._ask(source)
        self._answers[source] = answer
        return answer

    def check(self, url: str) -> RobotsCheck:
        """Return whether the crawler may fetch *url*, and why.

        Raises
        ------
        InvalidUrl
            If *url* is not an http(s) URL.
        """
        return check_answer(self.answer_for(url), self.user_agent, url)

    def is_allowed(self, url: str) -> bool:
        """Whether the crawler may fetch *url*."""
        return self.check(url).is_allowed

    def crawl_delay_s(self, url: str) -> float | None:
        """Return the ``Crawl-delay`` *url*'s origin asks of this crawler, if any."""
        robots = self.answer_for(url).robots
        return robots.crawl_delay_s(self.user_agent) if robots else None

    def _ask(self, source: str) -> RobotsAnswer:
        now = self._clock()
        target = source
        for _ in range(MAX_ROBOTS_REDIRECTS + 1):
            try:
                page = self._fetch(target)
            except FetchFailed as err:
                return self._rules.unreachable(source, None, str(err), now)
            step = self._rules.read(source, target, page, now)
            if isinstance(step, RobotsAnswer):
                return step
            target = step
        return self._rules.too_many_redirects(source, target, now)


class AsyncRobotsPolicy:
    """``RobotsPolicy`` for an asynchronous crawler: the same answers, fetched without blocking.

    Concurrent checks of one origin share a single fetch of its robots.txt. A
    host that does not resolve, or resolves to a refused address, raises
    ``HostNotFound`` or ``AddressRefused`` instead of answering: there is no
    site to obey, and the URL fails for that reason.

    Parameters
    ----------
    fetch : callable
        Coroutine function fetching a URL without following redirects,
        raising ``FetchFailed`` when nothing answers.
    user_agent, clock, cache_s, unreachable_retry_s
        As for ``RobotsPolicy``.
    """

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[FetchedPage]],
        *,
        user_agent: str,
        clock: Callable[[], float] = time.monotonic,
        cache_s: float = MAX_CACHE_S,
        unreachable_retry_s: float = 600.0,
    ) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self._clock = clock
        self._rules = _AnswerRules(min(cache_s, MAX_CACHE_S), unreachable_retry_s)
        self._answers: dict[str, RobotsAnswer] = {}
        self._asking: dict[str, asyncio.Future[RobotsAnswer]] = {}

    async def answer_for(self, url: str) -> RobotsAnswer:
        """Return the robots.txt answer of *url*'s origin, fetching it when not cached or stale."""
        source = robots_url(url)
        cached = self._answers.get(source)
        if cached is not None and self._clock() < cached.expires_at_s:
            return cached
        asking = self._asking.get(source)
        if asking is not None:
            return await asyncio.shield(asking)
        asking = self._asking[source] = asyncio.get_running_loop().create_future()
        try:
            answer = await self._ask(source)
        except BaseException as exc:
            asking.set_exception(exc)
            asking.exception()  # retrieved here: later waiters re-raise it
            raise
        finally:
            del self._asking[source]
        self._answers[source] = answer
        asking.set_result(answer)
        return answer

    async def check(self, url: str) -> RobotsCheck:
        """Return whether the crawler may fetch *url*, and why."""
        return check_answer(await self.answer_for(url), self.user_agent, url)

    def crawl_delay_s(self, answer: RobotsAnswer) -> float | None:
        """Return the ``Crawl-delay`` *answer* asks of this crawler, if any."""
        return answer.robots.crawl_delay_s(self.user_agent) if answer.robots else None

    async def _ask(self, source: str) -> RobotsAnswer:
        now = self._clock()
        target = source
        for _ in range(MAX_ROBOTS_REDIRECTS + 1):
            try:
                page = await self._fetch(target)
            except (HostNotFound, AddressRefused):
                raise  # no host to ask: the URL fails, robots.txt or not
            except FetchFailed as err:
                return self._rules.unreachable(source, None, str(err), now)
            step = self._rules.read(source, target, page, now)
            if isinstance(step, RobotsAnswer):
                return step
            target = step
        return self._rules.too_many_redirects(source, target, now)


@dataclass(frozen=True, slots=True)
class _AnswerRules:
    """What each robots.txt response means (RFC 9309 §2.3.1), for both policies."""

    cache_s: float
    retry_s: float

    def read(self, source: str, target: str, page: FetchedPage, now: float) -> RobotsAnswer | str:
        """Return the answer *page* gives, or the URL its redirect points to."""
        status = page.status or 0
        location = _header(page, "location")
        final_url = None if target == source else target
        if 300 <= status < 400 and location:
            try:
                return normalize_url(urljoin(target, location))
            except (ValueError, InvalidUrl):
                # Nowhere a crawler can go: no robots.txt, as after too many redirects.
                problem = (
                    f"robots.txt redirected to {location[:100]!r}, which is not an http(s) URL"
                )
                return RobotsAnswer(
                    source,
                    RobotsAccess.ALLOW_ALL,
                    status,
                    None,
                    final_url,
                    problem,
                    now + self.cache_s,
                )
        if 200 <= status < 300:
            body = decode_body(page.body, page.headers).data
            return RobotsAnswer(
                source,
                RobotsAccess.RULES,
                status,
                parse_robots(body),
                final_url,
                expires_at_s=now + self.cache_s,
            )
        if 400 <= status < 500:
            return RobotsAnswer(
                source, RobotsAccess.ALLOW_ALL, status, None, final_url, None, now + self.cache_s
            )
        return self.unreachable(source, status, None, now)

    def unreachable(
        self, source: str, status: int | None, problem: str | None, now: float
    ) -> RobotsAnswer:
        """Return the answer of an origin whose robots.txt is unreachable: disallow for a while."""
        return RobotsAnswer(
            source, RobotsAccess.DISALLOW_ALL, status, None, None, problem, now + self.retry_s
        )

    def too_many_redirects(self, source: str, target: str, now: float) -> RobotsAnswer:
        """Return the answer of a robots.txt that redirects too often: no robots.txt."""
        return RobotsAnswer(
            source,
            RobotsAccess.ALLOW_ALL,
            None,
            None,
            target,
            f"robots.txt redirected more than {MAX_ROBOTS_REDIRECTS} times",
            now + self.cache_s,
        )


def check_answer(answer: RobotsAnswer, user_agent: str, url: str) -> RobotsCheck:
    """Return whether *user_agent* may fetch *url*, given its origin's robots.txt *answer*."""
    if answer.robots is not None:
        decision = answer.robots.decide(user_agent, url)
        return RobotsCheck(url, decision.agent, decision.is_allowed, answer, decision)
    is_allowed = answer.access is RobotsAccess.ALLOW_ALL
    return RobotsCheck(url, product_token(user_agent), is_allowed, answer)


def robots_url(url: str) -> str:
    """Return the robots.txt URL of *url*'s origin (scheme, host and port).

    Raises
    ------
    InvalidUrl
        If *url* is not an http(s) URL.
    """
    parts = urlsplit(normalize_url(url))
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def _header(page: FetchedPage, name: str) -> str | None:
    for key, value in page.headers:
        if key.lower() == name:
            return value
    return None
