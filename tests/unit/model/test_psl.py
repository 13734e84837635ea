"""Registrable domains and public suffixes from the bundled Public Suffix List."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.model import urls
from linkequity.model.urls import public_suffix, registrable_domain

# The cases of publicsuffix/list tests/test_psl.txt as (host, registrable domain).
# Expected IDN domains are given in the ASCII form registrable_domain returns.
# The null-input case has no counterpart: the function takes a str.
OFFICIAL_PSL_CASES = [
    # Mixed case.
    ("COM", None),
    ("example.COM", "example.com"),
    ("WwW.example.COM", "example.com"),
    # Leading dot.
    (".com", None),
    (".example", None),
    (".example.com", None),
    (".example.example", None),
    # Unlisted TLD.
    ("example", None),
    ("example.example", "example.example"),
    ("b.example.example", "example.example"),
    ("a.b.example.example", "example.example"),
    # TLD with only 1 rule.
    ("biz", None),
    ("domain.biz", "domain.biz"),
    ("b.domain.biz", "domain.biz"),
    ("a.b.domain.biz", "domain.biz"),
    # TLD with some 2-level rules.
    ("com", None),
    ("example.com", "example.com"),
    ("b.example.com", "example.com"),
    ("a.b.example.com", "example.com"),
    ("uk.com", None),
    ("example.uk.com", "example.uk.com"),
    ("b.example.uk.com", "example.uk.com"),
    ("a.b.example.uk.com", "example.uk.com"),
    ("test.ac", "test.ac"),
    # TLD with only 1 (wildcard) rule.
    ("mm", None),
    ("c.mm", None),
    ("b.c.mm", "b.c.mm"),
    ("a.b.c.mm", "b.c.mm"),
    # More complex TLD.
    ("jp", None),
    ("test.jp", "test.jp"),
    ("www.test.jp", "test.jp"),
    ("ac.jp", None),
    ("test.ac.jp", "test.ac.jp"),
    ("www.test.ac.jp", "test.ac.jp"),
    ("kyoto.jp", None),
    ("test.kyoto.jp", "test.kyoto.jp"),
    ("ide.kyoto.jp", None),
    ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("c.kobe.jp", None),
    ("b.c.kobe.jp", "b.c.kobe.jp"),
    ("a.b.c.kobe.jp", "b.c.kobe.jp"),
    ("city.kobe.jp", "city.kobe.jp"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    # TLD with a wildcard rule and exceptions.
    ("ck", None),
    ("test.ck", None),
    ("b.test.ck", "b.test.ck"),
    ("a.b.test.ck", "b.test.ck"),
    ("www.ck", "www.ck"),
    ("www.www.ck", "www.ck"),
    # US K12.
    ("us", None),
    ("test.us", "test.us"),
    ("www.test.us", "test.us"),
    ("ak.us", None),
    ("test.ak.us", "test.ak.us"),
    ("www.test.ak.us", "test.ak.us"),
    ("k12.ak.us", None),
    ("test.k12.ak.us", "test.k12.ak.us"),
    ("www.test.k12.ak.us", "test.k12.ak.us"),
    # IDN labels.
    ("食狮.com.cn", "xn--85x722f.com.cn"),
    ("食狮.公司.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("www.食狮.公司.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("shishi.公司.cn", "shishi.xn--55qx5d.cn"),
    ("公司.cn", None),
    ("食狮.中国", "xn--85x722f.xn--fiqs8s"),
    ("www.食狮.中国", "xn--85x722f.xn--fiqs8s"),
    ("shishi.中国", "shishi.xn--fiqs8s"),
    ("中国", None),
    # Same as above, but punycoded.
    ("xn--85x722f.com.cn", "xn--85x722f.com.cn"),
    ("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
    ("xn--55qx5d.cn", None),
    ("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
    ("xn--fiqs8s", None),
]


@pytest.mark.parametrize(("host", "expected"), OFFICIAL_PSL_CASES)
def test_official_psl_cases(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("host", "with_private", "icann_only"),
    [
        ("user.github.io", "user.github.io", "github.io"),
        ("www.user.github.io", "user.github.io", "github.io"),
        ("github.io", None, "github.io"),
        ("foo.blogspot.com", "foo.blogspot.com", "blogspot.com"),
        ("blogspot.com", None, "blogspot.com"),
        ("bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com", "amazonaws.com"),
        ("www.example.co.uk", "example.co.uk", "example.co.uk"),
    ],
)
def test_private_section(host: str, with_private: str | None, icann_only: str | None) -> None:
    assert registrable_domain(host) == with_private
    assert registrable_domain(host, include_private=True) == with_private
    assert registrable_domain(host, include_private=False) == icann_only


@pytest.mark.parametrize(
    ("host", "with_private", "icann_only"),
    [
        ("user.github.io", "github.io", "io"),
        ("foo.blogspot.com", "blogspot.com", "com"),
        ("a.b.example.co.uk", "co.uk", "co.uk"),
        ("www.ck", "ck", "ck"),
        ("test.ck", "test.ck", "test.ck"),
        ("city.kobe.jp", "kobe.jp", "kobe.jp"),
        ("a.example", "example", "example"),
        ("com", "com", "com"),
        ("Bücher.Example.", "example", "example"),
    ],
)
def test_public_suffix(host: str, with_private: str, icann_only: str) -> None:
    assert public_suffix(host) == with_private
    assert public_suffix(host, include_private=False) == icann_only


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("a.b.example.co.uk", "example.co.uk"),
        ("WWW.EXAMPLE.CO.UK", "example.co.uk"),
        ("www.example.com.", "example.com"),
        ("Bücher.example.com", "example.com"),
        ("www.Bücher.example", "xn--bcher-kva.example"),
        ("www.Bücher.de", "xn--bcher-kva.de"),
        ("ＷＷＷ．example。com", "example.com"),
        ("my_site.example.com", "example.com"),
        ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("WWW.XN--BCHER-KVA.DE", "xn--bcher-kva.de"),
    ],
)
def test_registrable_domain_normalises_the_host(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "192.168.0.1",
        "[::1]",
        "[2001:DB8::1]",
        "::1",
        "localhost",
        "intranet",
        "",
        ".",
        "example..com",
        "http://example.com/",
        "example.com:8080",
        "exa mple.com",
        "1.2.3.999",
    ],
)
def test_hosts_without_a_registrable_domain(host: str) -> None:
    assert registrable_domain(host) is None
    assert registrable_domain(host, include_private=False) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "", "example..com", "1.2.3.999"])
def test_ips_and_invalid_hosts_have_no_public_suffix(host: str) -> None:
    assert public_suffix(host) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_registrable_domain_never_raises(host: str) -> None:
    domain = registrable_domain(host)
    suffix = public_suffix(host)
    if domain is not None:
        assert suffix is not None
        assert domain.endswith("." + suffix)
        assert registrable_domain(domain) == domain


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text("abcxyz019-", min_size=1, max_size=8), min_size=1, max_size=3),
    st.sampled_from(["co.uk", "com", "github.io", "kyoto.jp", "example"]),
)
def test_subdomains_share_the_registrable_domain(labels: list[str], suffix: str) -> None:
    host = ".".join([*labels, suffix])
    domain = registrable_domain(host)
    assert domain is not None
    assert host.endswith(domain)
    assert registrable_domain("www." + host) == domain


def test_long_host_text_that_maps_to_a_short_host() -> None:
    host = "www.ex" + "\xad" * 300 + "ample.co.uk"  # UTS-46 maps U+00AD to nothing
    assert registrable_domain(host) == "example.co.uk"
    assert public_suffix(host) == "co.uk"


def test_the_list_is_read_from_the_installed_package_without_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Public Suffix List must not be fetched")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    urls._public_suffix_list.cache_clear()
    urls._psl_parts_cached.cache_clear()
    assert registrable_domain("www.example.co.uk") == "example.co.uk"
    assert registrable_domain("user.github.io", include_private=False) == "github.io"
