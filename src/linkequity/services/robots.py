"""Use case: why a crawler may or may not fetch one URL, by its site's robots.txt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.crawl.robots import RobotsAccess, RobotsAnswer, RobotsPolicy, check_answer
from linkequity.crawl.single import fetch_page
from linkequity.model.urls import normalize_url
from linkequity.parsing.robots import parse_robots
from linkequity.sources.robots import read_robots_file

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.crawl.robots import RobotsCheck
    from linkequity.model.records import FetchedPage


def check_robots(
    url: str, *, agent: str, robots_file: Path | None = None, timeout_s: float = 20.0
) -> RobotsCheck:
    """Return whether *agent* may fetch *url*, with the group and rule that decided.

    The robots.txt of *url*'s origin is fetched (redirects followed, up to
    five), unless *robots_file* gives one saved on disk.

    Raises
    ------
    InvalidUrl
        If *url* is not an http(s) URL.
    UnreadablePage
        If *robots_file* cannot be read.
    """
    if robots_file is not None:
        normalize_url(url)  # the same refusal of a non-http(s) URL as a fetch
        robots = parse_robots(read_robots_file(robots_file))
        return check_answer(
            RobotsAnswer(str(robots_file), RobotsAccess.RULES, robots=robots), agent, url
        )

    def fetch(target: str) -> FetchedPage:
        return fetch_page(target, timeout_s=timeout_s, follow_redirects=False)

    return RobotsPolicy(fetch, user_agent=agent).check(url)
