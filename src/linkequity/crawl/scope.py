"""Which found URLs a crawl queues: a short, ordered list of single-purpose policies.

Each policy looks at one ``CrawlRequest`` and returns a ``Verdict``; the first
refusal wins and names its reason. robots.txt is not among them: it is asked
when a URL is about to be fetched (``crawl.robots``), since its answer can
change while the URL waits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from linkequity.errors import UsageError
from linkequity.model.urls import registrable_domain

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from linkequity.crawl.frontier import CrawlRequest

__all__ = [
    "DepthPolicy",
    "HostPolicy",
    "PatternPolicy",
    "Policy",
    "Verdict",
    "admit",
    "compile_patterns",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A policy's decision on one URL; ``reason`` says why it was refused."""

    is_admitted: bool
    reason: str = ""


ADMITTED = Verdict(is_admitted=True)


class Policy(Protocol):
    """Decides whether a found URL belongs to the crawl."""

    def admit(self, request: CrawlRequest) -> Verdict:
        """Return whether *request* may be queued, and why not."""
        ...


@dataclass(frozen=True, slots=True)
class DepthPolicy:
    """URLs at most ``max_depth`` links from a seed; redirects keep their source's depth."""

    max_depth: int

    def admit(self, request: CrawlRequest) -> Verdict:
        """Refuse a URL deeper than ``max_depth``."""
        if request.depth <= self.max_depth:
            return ADMITTED
        return Verdict(is_admitted=False, reason=f"deeper than {self.max_depth} links")


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """URLs on the given hosts, or on any host of the given registrable domains."""

    hosts: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def admit(self, request: CrawlRequest) -> Verdict:
        """Refuse a URL whose host is neither listed nor under a listed domain."""
        if request.host in self.hosts or registrable_domain(request.host) in self.domains:
            return ADMITTED
        return Verdict(is_admitted=False, reason=f"host {request.host} is outside the crawl")


@dataclass(frozen=True, slots=True)
class PatternPolicy:
    """URLs matching one of ``include`` (when any is given) and none of ``exclude``."""

    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    def admit(self, request: CrawlRequest) -> Verdict:
        """Refuse a URL that an exclude pattern matches or no include pattern matches."""
        for pattern in self.exclude:
            if pattern.search(request.url):
                return Verdict(is_admitted=False, reason=f"matches --exclude {pattern.pattern}")
        if self.include and not any(pattern.search(request.url) for pattern in self.include):
            return Verdict(is_admitted=False, reason="matches no --include pattern")
        return ADMITTED


def admit(policies: Sequence[Policy], request: CrawlRequest) -> Verdict:
    """Return the first refusal of *policies* for *request*, or admission."""
    for policy in policies:
        verdict = policy.admit(request)
        if not verdict.is_admitted:
            return verdict
    return ADMITTED


def compile_patterns(patterns: Iterable[str], *, flag: str) -> tuple[re.Pattern[str], ...]:
    """Compile the regular expressions given to *flag*.

    Raises
    ------
    UsageError
        Naming the flag and the pattern that does not compile.
    """
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as err:
            raise UsageError(f"{flag} {pattern!r} is not a regular expression: {err}") from err
    return tuple(compiled)
