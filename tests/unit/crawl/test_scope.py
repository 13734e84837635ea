"""Scope policies: depth, hosts and domains, include and exclude patterns; first refusal wins."""

from __future__ import annotations

import pytest

from linkequity.crawl.frontier import CrawlRequest
from linkequity.crawl.scope import (
    DepthPolicy,
    HostPolicy,
    PatternPolicy,
    Verdict,
    admit,
    compile_patterns,
)
from linkequity.errors import UsageError
from linkequity.model.urls import normalize_url, url_host


def request(url: str, depth: int = 0) -> CrawlRequest:
    url = normalize_url(url)
    return CrawlRequest(url, url_host(url), depth)


@pytest.mark.parametrize(("depth", "is_admitted"), [(0, True), (2, True), (3, False), (9, False)])
def test_depth_policy_admits_up_to_max_depth(depth: int, is_admitted: bool) -> None:
    verdict = DepthPolicy(2).admit(request("https://a.example/x", depth))

    assert verdict.is_admitted is is_admitted
    assert verdict.reason == ("" if is_admitted else "deeper than 2 links")


def test_depth_zero_admits_only_the_seeds() -> None:
    assert DepthPolicy(0).admit(request("https://a.example/", 0)).is_admitted
    assert not DepthPolicy(0).admit(request("https://a.example/x", 1)).is_admitted


@pytest.mark.parametrize(
    ("url", "is_admitted"),
    [
        ("https://www.a.example/page", True),
        ("https://a.example/page", False),  # another host of the same domain
        ("https://shop.b.co.uk/x", True),  # any host of a listed registrable domain
        ("https://b.co.uk/", True),
        ("https://co.uk.evil.example/", False),
        ("https://c.example/", False),
    ],
)
def test_host_policy_admits_listed_hosts_and_hosts_of_listed_domains(
    url: str, is_admitted: bool
) -> None:
    policy = HostPolicy(hosts=frozenset({"www.a.example"}), domains=frozenset({"b.co.uk"}))

    assert policy.admit(request(url)).is_admitted is is_admitted


def test_host_policy_names_the_host_it_refuses() -> None:
    verdict = HostPolicy(hosts=frozenset({"a.example"})).admit(request("https://z.example/p"))

    assert verdict == Verdict(is_admitted=False, reason="host z.example is outside the crawl")


def test_an_empty_host_policy_refuses_everything() -> None:
    assert not HostPolicy().admit(request("https://a.example/")).is_admitted


def test_include_patterns_admit_only_what_one_of_them_matches() -> None:
    policy = PatternPolicy(include=compile_patterns([r"/blog/", r"\?page=\d+$"], flag="--include"))

    assert policy.admit(request("https://a.example/blog/post")).is_admitted
    assert policy.admit(request("https://a.example/list?page=2")).is_admitted
    verdict = policy.admit(request("https://a.example/shop/item"))
    assert verdict == Verdict(is_admitted=False, reason="matches no --include pattern")


def test_exclude_patterns_refuse_what_they_match_even_when_included() -> None:
    policy = PatternPolicy(
        include=compile_patterns([r"/blog/"], flag="--include"),
        exclude=compile_patterns([r"/tag/", r"\.pdf$"], flag="--exclude"),
    )

    assert policy.admit(request("https://a.example/blog/post")).is_admitted
    verdict = policy.admit(request("https://a.example/blog/tag/roses"))
    assert verdict == Verdict(is_admitted=False, reason="matches --exclude /tag/")
    assert policy.admit(request("https://a.example/blog/a.pdf")).reason == (
        r"matches --exclude \.pdf$"
    )


def test_patterns_search_the_whole_normalised_url() -> None:
    policy = PatternPolicy(exclude=compile_patterns([r"^https://a\.example/"], flag="--exclude"))

    assert not policy.admit(request("https://A.example:443/x")).is_admitted
    assert policy.admit(request("https://b.example/a.example/")).is_admitted


def test_no_patterns_admit_everything() -> None:
    assert PatternPolicy().admit(request("https://a.example/anything")).is_admitted


def test_admit_returns_the_first_refusal_in_policy_order() -> None:
    deep_offsite = request("https://z.example/tag/x", depth=5)
    depth = DepthPolicy(1)
    hosts = HostPolicy(hosts=frozenset({"a.example"}))
    patterns = PatternPolicy(exclude=compile_patterns(["/tag/"], flag="--exclude"))

    assert admit([depth, hosts, patterns], deep_offsite).reason == "deeper than 1 links"
    assert admit([hosts, depth, patterns], deep_offsite).reason == (
        "host z.example is outside the crawl"
    )
    assert admit([patterns, hosts, depth], deep_offsite).reason == "matches --exclude /tag/"


def test_admit_admits_what_every_policy_admits() -> None:
    policies = [DepthPolicy(3), HostPolicy(hosts=frozenset({"a.example"})), PatternPolicy()]

    assert admit(policies, request("https://a.example/x", depth=3)).is_admitted
    assert admit([], request("https://z.example/", depth=99)).is_admitted


@pytest.mark.parametrize("pattern", ["(", "[a-", "*x", "(?P<n>a)(?P<n>b)"])
def test_a_pattern_that_does_not_compile_is_a_usage_error_naming_flag_and_pattern(
    pattern: str,
) -> None:
    with pytest.raises(UsageError) as caught:
        compile_patterns(["ok", pattern], flag="--exclude")

    message = str(caught.value)
    assert message.startswith(f"--exclude {pattern!r} is not a regular expression: ")
    assert "\n" not in message


def test_compile_patterns_keeps_the_order_given() -> None:
    compiled = compile_patterns(["b", "a", "c"], flag="--include")

    assert [pattern.pattern for pattern in compiled] == ["b", "a", "c"]
    assert compile_patterns([], flag="--include") == ()
