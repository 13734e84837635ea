"""The robots.txt policy: once per origin, cached, redirects, and what each status means."""

from __future__ import annotations

import gzip

import pytest

from linkequity.crawl.robots import (
    MAX_CACHE_S,
    RobotsAccess,
    RobotsPolicy,
    robots_url,
)
from linkequity.errors import FetchFailed, InvalidUrl
from linkequity.model.records import FetchedPage

ROBOTS = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n\nUser-agent: foobot\nDisallow: /\n"


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


class FakeSite:
    """Answers from a table of URL -> (status, body, headers); counts the requests."""

    def __init__(self, answers: dict[str, tuple[int, bytes, tuple[tuple[str, str], ...]]]) -> None:
        self.answers = answers
        self.requests: list[str] = []

    def __call__(self, url: str) -> FetchedPage:
        self.requests.append(url)
        answer = self.answers.get(url)
        if answer is None:
            raise FetchFailed(f"cannot fetch {url}: connection refused")
        status, body, headers = answer
        return FetchedPage(url, None, status, headers, body, 0)


def served(body: bytes = ROBOTS, status: int = 200) -> FakeSite:
    return FakeSite({"https://a.example/robots.txt": (status, body, ())})


def test_robots_url_is_per_scheme_host_and_port() -> None:
    assert robots_url("https://A.example/x/y?z") == "https://a.example/robots.txt"
    assert robots_url("https://a.example:443/x") == "https://a.example/robots.txt"
    assert robots_url("http://a.example:8080/x") == "http://a.example:8080/robots.txt"
    with pytest.raises(InvalidUrl):
        robots_url("ftp://a.example/x")


def test_rules_decide_and_the_file_is_fetched_once_per_origin() -> None:
    site = served()
    policy = RobotsPolicy(site, user_agent="linkequity/0.1", clock=FakeClock())

    assert policy.is_allowed("https://a.example/public")
    check = policy.check("https://a.example/private/x")
    assert not check.is_allowed
    assert check.decision is not None
    assert check.decision.rule is not None
    assert check.decision.rule.line == 2
    assert policy.crawl_delay_s("https://a.example/") == 3.0
    assert site.requests == ["https://a.example/robots.txt"]


def test_the_user_agent_is_configurable() -> None:
    policy = RobotsPolicy(served(), user_agent="FooBot/2.0", clock=FakeClock())

    assert not policy.is_allowed("https://a.example/public")
    assert policy.crawl_delay_s("https://a.example/") is None


def test_a_cached_answer_expires_after_at_most_24_hours() -> None:
    site, clock = served(), FakeClock()
    policy = RobotsPolicy(site, user_agent="x", clock=clock, cache_s=10 * MAX_CACHE_S)

    policy.check("https://a.example/a")
    clock.now_s += MAX_CACHE_S - 1
    policy.check("https://a.example/b")
    assert len(site.requests) == 1
    clock.now_s += 1
    policy.check("https://a.example/c")
    assert len(site.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_a_4xx_robots_txt_allows_everything(status: int) -> None:
    policy = RobotsPolicy(served(status=status), user_agent="x", clock=FakeClock())
    check = policy.check("https://a.example/private/x")

    assert check.is_allowed
    assert check.answer.access is RobotsAccess.ALLOW_ALL
    assert f"HTTP {status}" in check.explanation


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_robots_txt_disallows_everything_until_retried(status: int) -> None:
    site, clock = served(status=status), FakeClock()
    policy = RobotsPolicy(site, user_agent="x", clock=clock, unreachable_retry_s=60)

    check = policy.check("https://a.example/anything")
    assert not check.is_allowed
    assert check.answer.access is RobotsAccess.DISALLOW_ALL
    clock.now_s += 59
    assert not policy.is_allowed("https://a.example/other")
    assert len(site.requests) == 1

    site.answers["https://a.example/robots.txt"] = (200, ROBOTS, ())
    clock.now_s += 1
    assert policy.is_allowed("https://a.example/other")
    assert len(site.requests) == 2


def test_an_unreachable_robots_txt_disallows_everything() -> None:
    policy = RobotsPolicy(FakeSite({}), user_agent="x", clock=FakeClock())
    check = policy.check("https://a.example/x")

    assert not check.is_allowed
    assert "connection refused" in check.explanation


def test_redirects_are_followed_and_the_rules_kept_for_the_first_origin() -> None:
    site = FakeSite(
        {
            "https://a.example/robots.txt": (301, b"", (("Location", "https://www.a.example/r"),)),
            "https://www.a.example/r": (302, b"", (("location", "/robots.txt"),)),
            "https://www.a.example/robots.txt": (200, ROBOTS, ()),
        }
    )
    policy = RobotsPolicy(site, user_agent="x", clock=FakeClock())
    check = policy.check("https://a.example/private/x")

    assert not check.is_allowed
    assert check.answer.source == "https://a.example/robots.txt"
    assert check.answer.final_url == "https://www.a.example/robots.txt"
    assert policy.is_allowed("https://a.example/ok")
    assert len(site.requests) == 3


@pytest.mark.parametrize(("hops", "allowed_private"), [(5, False), (6, True)])
def test_five_redirects_are_followed_and_a_sixth_means_no_robots_txt(
    hops: int, allowed_private: bool
) -> None:
    answers = {
        f"https://a.example/{'robots.txt' if hop == 0 else f'r{hop}'}": (
            302,
            b"",
            (("Location", f"/r{hop + 1}"),),
        )
        for hop in range(hops)
    }
    answers[f"https://a.example/r{hops}"] = (200, ROBOTS, ())
    policy = RobotsPolicy(FakeSite(answers), user_agent="x", clock=FakeClock())
    check = policy.check("https://a.example/private/x")

    assert check.is_allowed is allowed_private
    if allowed_private:
        assert "more than 5" in check.explanation


def test_a_gzipped_robots_txt_is_read() -> None:
    site = FakeSite(
        {
            "https://a.example/robots.txt": (
                200,
                gzip.compress(ROBOTS),
                (("Content-Encoding", "gzip"),),
            )
        }
    )
    policy = RobotsPolicy(site, user_agent="x", clock=FakeClock())

    assert not policy.is_allowed("https://a.example/private/x")


@pytest.mark.parametrize(
    "location", ["http://[::1", "mailto:webmaster@a.example", "ftp://a.example/robots.txt"]
)
def test_a_redirect_to_no_http_url_means_no_robots_txt(location: str) -> None:
    # Found by tests/prove/test_prove_fuzz.py: urljoin raised ValueError on a
    # bad IPv6 host, and the fetch seam InvalidUrl on another scheme, out of check().
    site = FakeSite({"https://a.example/robots.txt": (301, b"", (("Location", location),))})
    policy = RobotsPolicy(site, user_agent="x", clock=FakeClock())
    check = policy.check("https://a.example/private/x")

    assert check.is_allowed
    assert check.answer.access is RobotsAccess.ALLOW_ALL
    assert "not an http(s) URL" in check.explanation
    assert site.requests == ["https://a.example/robots.txt"]
