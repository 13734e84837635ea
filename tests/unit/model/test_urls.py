"""URL normalisation, resolution and host helpers."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linkequity
from linkequity.errors import InvalidUrl
from linkequity.model.urls import (
    MAX_URL_BYTES,
    Url,
    _normal_form,
    _normalize_fully,
    _resolve_fully,
    _resolved_normal_form,
    has_known_suffix,
    normalize_url,
    parse_url,
    public_suffix,
    registrable_domain,
    resolve_url,
    reversed_host,
    unreversed_host,
    url_host,
)

NORMALISED = [
    # scheme and host case
    ("HTTP://EXAMPLE.COM", "http://example.com/"),
    ("hTTpS://ExAmPlE.CoM/Path", "https://example.com/Path"),
    # RFC 3986 6.2.2.1: hex digits of escapes uppercase
    ("http://example.com/a%c2%b1b", "http://example.com/a%C2%B1b"),
    # RFC 3986 6.2.2.2: unreserved decoded, reserved kept encoded
    ("http://example.com/%7euser", "http://example.com/~user"),
    ("http://example.com/%7Euser", "http://example.com/~user"),
    ("http://example.com/%41%62%2D%2e%5F", "http://example.com/Ab-._"),
    ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
    ("http://example.com/a%3Fb%23c%26", "http://example.com/a%3Fb%23c%26"),
    ("http://example.com/?q=%7e&r=%2f", "http://example.com/?q=~&r=%2F"),
    # characters that must be encoded are, as UTF-8
    ("http://example.com/a b", "http://example.com/a%20b"),
    ("http://example.com/café", "http://example.com/caf%C3%A9"),
    ("http://example.com/\x01\x7f", "http://example.com/%01%7F"),
    ('http://example.com/a"<>\\^`{|}', "http://example.com/a%22%3C%3E%5C%5E%60%7B%7C%7D"),
    ("http://example.com/?q=a b&r=ü", "http://example.com/?q=a%20b&r=%C3%BC"),
    ("http://example.com/[x]", "http://example.com/%5Bx%5D"),
    ("http://example.com/100%", "http://example.com/100%25"),
    ("http://example.com/%zz%4", "http://example.com/%25zz%254"),
    # sub-delims and pchar punctuation stay literal
    ("http://example.com/!$&'()*+,;=:@", "http://example.com/!$&'()*+,;=:@"),
    ("http://example.com/?a=1/2?3", "http://example.com/?a=1/2?3"),
    # RFC 3986 6.2.3: empty path, default port, empty port
    ("http://example.com", "http://example.com/"),
    ("http://example.com:80/", "http://example.com/"),
    ("https://example.com:443/", "https://example.com/"),
    ("http://example.com:/", "http://example.com/"),
    ("http://example.com:0080/", "http://example.com/"),
    ("http://example.com:443/", "http://example.com:443/"),
    ("https://example.com:80/", "https://example.com:80/"),
    ("http://example.com:8080", "http://example.com:8080/"),
    # trailing dot, userinfo, fragment
    ("http://example.com./", "http://example.com/"),
    ("http://user:pass@example.com/", "http://example.com/"),
    ("http://a@b@example.com/", "http://example.com/"),
    ("http://example.com/page#section", "http://example.com/page"),
    ("http://example.com/#", "http://example.com/"),
    # query order kept, empty query dropped
    ("http://example.com/?b=2&a=1&b=1", "http://example.com/?b=2&a=1&b=1"),
    ("http://example.com/?", "http://example.com/"),
    ("http://example.com?#x", "http://example.com/"),
    ("http://example.com/p?&", "http://example.com/p?&"),
    # dot segments, RFC 3986 5.2.4
    ("http://example.com/a/b/c/./../../g", "http://example.com/a/g"),
    ("http://example.com/mid/content=5/../6", "http://example.com/mid/6"),
    ("http://example.com/a/b/..", "http://example.com/a/"),
    ("http://example.com/a/b/.", "http://example.com/a/b/"),
    ("http://example.com/../../x", "http://example.com/x"),
    ("http://example.com/..", "http://example.com/"),
    ("http://example.com/a/%2E%2E/b", "http://example.com/b"),
    ("http://example.com/a//../b", "http://example.com/a/b"),
    ("http://example.com/a/.b/..c/", "http://example.com/a/.b/..c/"),
    ("http://example.com/?x=/../y", "http://example.com/?x=/../y"),
    # IDNA
    ("http://Bücher.example/", "http://xn--bcher-kva.example/"),
    ("http://BÜCHER.example/", "http://xn--bcher-kva.example/"),
    ("http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"),
    ("http://XN--BCHER-KVA.example/", "http://xn--bcher-kva.example/"),
    ("http://faß.de/", "http://xn--fa-hia.de/"),
    ("http://ＥＸＡＭＰＬＥ。com/", "http://example.com/"),
    ("http://食狮.公司.cn/", "http://xn--85x722f.xn--55qx5d.cn/"),
    ("http://ex%61mple.com/", "http://example.com/"),
    ("http://b%C3%BCcher.example/", "http://xn--bcher-kva.example/"),
    # laxer than IDNA 2008, as browsers are
    ("http://my_site.example.com/", "http://my_site.example.com/"),
    ("http://r3---sn-abc.googlevideo.com/", "http://r3---sn-abc.googlevideo.com/"),
    ("http://-edge-.example.com/", "http://-edge-.example.com/"),
    ("http://i❤.ws/", "http://xn--i-7iq.ws/"),
    # IP literals
    ("http://192.168.0.1:8080/", "http://192.168.0.1:8080/"),
    ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
    ("http://[2001:db8:0:0:0:0:0:1]:443/", "http://[2001:db8::1]:443/"),
    ("https://[::1]:443/x", "https://[::1]/x"),
    # surrounding whitespace
    ("  http://example.com/a \n", "http://example.com/a"),
    ("\t\u3000http://example.com/\x00", "http://example.com/"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALISED)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), NORMALISED)
def test_normalized_urls_are_fixed_points(raw: str, expected: str) -> None:
    assert normalize_url(expected) == expected


def _short(value: object) -> str:
    """Return a readable test id: long URLs cut to their first 40 characters."""
    text = ascii(value)[1:-1] if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:40] + "..."


INVALID = [
    ("", "no scheme"),
    ("   ", "no scheme"),
    ("example.com/page", "no scheme"),
    ("//example.com/page", "resolve_url"),
    ("mailto:someone@example.com", "'mailto' is not http or https"),
    ("javascript:alert(1)", "'javascript'"),
    ("ftp://example.com/", "'ftp'"),
    ("file:///etc/passwd", "'file'"),
    ("http:example.com", "no host"),
    ("http:/example.com", "no host"),
    ("http:///path", "no host"),
    ("http://user@/path", "no host"),
    ("http://:80/", "no host"),
    ("http://example.com:abc/", "not a number"),
    ("http://example.com:-1/", "not a number"),
    ("http://example.com:65536/", "above 65535"),
    ("http://example.com:１２/", "not a number"),
    ("http://exa mple.com/", "cannot hold"),
    ("http://exa<mple.com/", "cannot hold"),
    ("http://example..com/", "empty label"),
    ("http://.example.com/", "empty label"),
    ("http://example.com../", "empty label"),
    ("http://ex%zzample.com/", "percent-escape"),
    ("http://ex%FFample.com/", "not UTF-8"),
    ("http://ex%20ample.com/", "cannot hold"),
    ("http://[2001:db8::1/", "closing"),
    ("http://[2001:db8::g]/", "IPv6"),
    ("http://[fe80::1%25eth0]/", "zone"),
    ("http://[v1.fe]/", "IPvFuture"),
    ("http://[::1]x/", "follows"),
    ("http://256.1.1.1/", "IPv4"),
    ("http://1.2.3/", "IPv4"),
    ("http://0x7f.0.0.1/", "IPv4"),
    ("http://example.123/", "IPv4"),
    ("http://xn--abc-/", "plain ASCII"),
    ("http://xn--zz-9z9z9z9/", "punycode"),
    ("http://xn--wca.example/", "canonical IDNA form"),  # punycode of "Ü", not "ü"
    ("http://xn--tda6761k.example/", "disallowed text"),  # punycode of "ü\ufffd"
    ("http://\u200d.example/", "joiner"),
    ("http://a\u0660.example/", "bidi"),
    ("http://\x00.example/", "cannot hold"),
    ("http://" + "a" * 64 + ".com/", "longer than 63"),
    ("http://" + "a." * 130 + "com/", "longer than 253"),
    ("http://example.com/" + "a" * MAX_URL_BYTES, "longer than"),
    ("http://example.com/" + "a b" * (MAX_URL_BYTES // 4), "once percent-encoded"),
    ("http://example.com/\ud800", "surrogate"),
    ("http://example.com/" + "é" * (MAX_URL_BYTES // 2), "longer than 8192 bytes"),
]


@pytest.mark.parametrize(("raw", "reason"), INVALID, ids=_short)
def test_invalid_urls_raise_invalid_url_naming_the_text(raw: str, reason: str) -> None:
    with pytest.raises(InvalidUrl) as info:
        normalize_url(raw)
    message = str(info.value)
    assert reason in message
    assert repr(raw[:100])[:-1] in message
    assert info.value.hint == InvalidUrl.hint


def test_invalid_url_message_truncates_long_text() -> None:
    raw = "mailto:" + "x" * 500
    with pytest.raises(InvalidUrl) as info:
        normalize_url(raw)
    assert len(str(info.value)) < 200
    assert "…" in str(info.value)


def test_invalid_url_chains_the_library_error() -> None:
    with pytest.raises(InvalidUrl) as info:
        normalize_url("http://[2001:db8::g]/")
    assert isinstance(info.value.__cause__, ValueError)


RESOLVED = [
    # RFC 3986 5.4.1 normal examples
    ("g:h", None),
    ("g", "http://a/b/c/g"),
    ("./g", "http://a/b/c/g"),
    ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"),
    ("//g", "http://g/"),
    ("?y", "http://a/b/c/d;p?y"),
    ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q"),
    ("g#s", "http://a/b/c/g"),
    ("g?y#s", "http://a/b/c/g?y"),
    (";x", "http://a/b/c/;x"),
    ("g;x", "http://a/b/c/g;x"),
    ("g;x?y#s", "http://a/b/c/g;x?y"),
    ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"),
    ("./", "http://a/b/c/"),
    ("..", "http://a/b/"),
    ("../", "http://a/b/"),
    ("../g", "http://a/b/g"),
    ("../..", "http://a/"),
    ("../../", "http://a/"),
    ("../../g", "http://a/g"),
    # RFC 3986 5.4.2 abnormal examples
    ("../../../g", "http://a/g"),
    ("../../../../g", "http://a/g"),
    ("/./g", "http://a/g"),
    ("/../g", "http://a/g"),
    ("g.", "http://a/b/c/g."),
    (".g", "http://a/b/c/.g"),
    ("g..", "http://a/b/c/g.."),
    ("..g", "http://a/b/c/..g"),
    ("./../g", "http://a/b/g"),
    ("./g/.", "http://a/b/c/g/"),
    ("g/./h", "http://a/b/c/g/h"),
    ("g/../h", "http://a/b/c/h"),
    ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
    ("g;x=1/../y", "http://a/b/c/y"),
    ("g?y/./x", "http://a/b/c/g?y/./x"),
    ("g?y/../x", "http://a/b/c/g?y/../x"),
    ("g#s/./x", "http://a/b/c/g"),
    ("g#s/../x", "http://a/b/c/g"),
    ("http:g", "http://a/b/c/g"),
    # beyond the RFC
    ("HTTPS://Other.Example/x", "https://other.example/x"),
    ("  /a b\n/c\t ", "http://a/a%20b/c"),
    ("mailto:x@example.com", None),
    ("javascript:void(0)", None),
    ("//", None),
]


@pytest.mark.parametrize(("href", "expected"), RESOLVED)
def test_resolve_url(href: str, expected: str | None) -> None:
    base = "http://a/b/c/d;p?q"
    if expected is None:
        with pytest.raises(InvalidUrl):
            resolve_url(base, href)
    else:
        assert resolve_url(base, href) == expected


def test_resolve_url_rejects_an_overlong_href() -> None:
    with pytest.raises(InvalidUrl, match="longer than"):
        resolve_url("http://example.com/", "a" * (MAX_URL_BYTES + 1))


def test_resolve_url_names_href_and_base_when_the_target_is_invalid() -> None:
    with pytest.raises(InvalidUrl, match=r"'//exa mple\.com/'.*resolved against 'http://a/'"):
        resolve_url("http://a/", "//exa mple.com/")


def test_resolve_url_rejects_an_invalid_base() -> None:
    with pytest.raises(InvalidUrl, match="'/relative'"):
        resolve_url("/relative", "page")


def test_resolve_url_normalises_the_base() -> None:
    assert resolve_url("HTTP://Bücher.example:80/a/b", "c") == "http://xn--bcher-kva.example/a/c"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://WWW.Example.COM:8080/x", "www.example.com"),
        ("https://[2001:DB8::1]:8443/", "[2001:db8::1]"),
        ("http://Bücher.example/", "xn--bcher-kva.example"),
        ("http://10.0.0.1/", "10.0.0.1"),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "HTTPS://Blog.Example.co.uk/a?b",
            Url("https://blog.example.co.uk/a?b", "blog.example.co.uk", "example.co.uk"),
        ),
        (
            "http://user.github.io/",
            Url("http://user.github.io/", "user.github.io", "user.github.io"),
        ),
        ("http://127.0.0.1:8000/", Url("http://127.0.0.1:8000/", "127.0.0.1", None)),
        ("http://[::1]/", Url("http://[::1]/", "[::1]", None)),
        ("http://localhost/", Url("http://localhost/", "localhost", None)),
        ("http://co.uk/", Url("http://co.uk/", "co.uk", None)),
    ],
)
def test_parse_url(text: str, expected: Url) -> None:
    assert parse_url(text) == expected


def test_url_is_frozen_slotted_and_prints_as_its_url() -> None:
    url = parse_url("http://example.com")
    assert str(url) == "http://example.com/"
    assert not hasattr(url, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        url.host = "other.example"  # type: ignore[misc]


def test_parse_url_raises_invalid_url() -> None:
    with pytest.raises(InvalidUrl):
        parse_url("mailto:someone@example.com")


@pytest.mark.parametrize(
    ("host", "reversed_name"),
    [
        ("www.example.com", "com.example.www"),
        ("example.com", "com.example"),
        ("localhost", "localhost"),
        ("a.b.c.d.co.uk", "uk.co.d.c.b.a"),
    ],
)
def test_reversed_host(host: str, reversed_name: str) -> None:
    assert reversed_host(host) == reversed_name
    assert unreversed_host(reversed_name) == host


def test_reversed_hosts_sort_subdomains_together() -> None:
    hosts = ["b.example.com", "example.org", "a.example.com", "example.com"]
    assert sorted(hosts, key=reversed_host) == [
        "example.com",
        "a.example.com",
        "b.example.com",
        "example.org",
    ]


def test_public_api_reexports() -> None:
    for name in (
        "normalize_url",
        "resolve_url",
        "registrable_domain",
        "public_suffix",
        "reversed_host",
        "parse_url",
        "Url",
    ):
        assert name in linkequity.__all__
        assert getattr(linkequity, name) is not None
    assert linkequity.normalize_url is normalize_url
    assert isinstance(linkequity.__version__, str)


# ---- property-based ----------------------------------------------------------

_LABEL_CHARS = st.sampled_from("abcxyzABCXYZ0189-_")
_ascii_labels = st.text(_LABEL_CHARS, min_size=1, max_size=10)
_unicode_labels = st.sampled_from(
    ["bücher", "faß", "食狮", "公司", "пример", "ΕΛΛΆΔΑ", "i❤", "Ｅｘ", "xn--bcher-kva", "my_site"]
)
_labels = st.one_of(_ascii_labels, _unicode_labels)
_tlds = st.sampled_from(["com", "co.uk", "example", "中国", "github.io", "ck", "COM"])
_reg_hosts = st.builds(
    lambda labels, tld, dot: ".".join([*labels, tld]) + dot,
    st.lists(_labels, min_size=1, max_size=3),
    _tlds,
    st.sampled_from(["", "."]),
)
_ip_hosts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip.exploded.upper()}]"),
)
_hosts = st.one_of(_reg_hosts, _ip_hosts)
_PATH_ALPHABET = st.one_of(
    st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/%?[] #\"<>\\^`{|}\t")),
    st.sampled_from(["%7e", "%7E", "%2f", "%2F", "%20", "%c3%bc", "%zz", "%4", "%2e", "%2E%2e"]),
    st.sampled_from([".", "..", "./", "../", "/./", "/../"]),
    st.characters(codec="utf-8"),
)
_paths = st.lists(_PATH_ALPHABET, max_size=12).map("".join)
_urls = st.builds(
    lambda scheme, userinfo, host, port, path, query, fragment: (
        f"{scheme}://{userinfo}{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["http", "https", "HTTP", "hTtPs"]),
    st.sampled_from(["", "user@", "user:pass@", "@"]),
    _hosts,
    st.one_of(st.just(""), st.integers(0, 65535).map(lambda p: f":{p}"), st.just(":")),
    _paths.map(lambda p: "/" + p.replace("?", "").replace("#", "")),
    st.one_of(st.just(""), _paths.map(lambda q: "?" + q.replace("#", ""))),
    st.one_of(st.just(""), _paths.map(lambda f: "#" + f)),
)

_FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(_urls)
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)  # every URL the strategy builds is valid
    assert normalize_url(once) == once
    assert once.isascii()
    assert "#" not in once
    assert " " not in once


@_FAST
@given(_ascii_labels, st.sampled_from(["com", "org", "co.uk"]), _paths)
def test_ascii_hosts_always_normalise(label: str, tld: str, path: str) -> None:
    url = normalize_url(f"http://{label}.{tld}/{path.replace('?', '').replace('#', '')}")
    assert url.startswith(f"http://{label.lower()}.{tld}/")


@_FAST
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_invalid_url(text: str) -> None:
    try:
        result = normalize_url(text)
    except InvalidUrl:
        return
    assert normalize_url(result) == result


@_FAST
@given(_urls, st.lists(st.tuples(st.integers(0, 200), st.text(max_size=3)), max_size=4))
def test_mutated_urls_raise_only_invalid_url(url: str, edits: list[tuple[int, str]]) -> None:
    for position, insert in edits:
        cut = position % (len(url) + 1)
        url = url[:cut] + insert + url[cut + 1 :]
    try:
        result = normalize_url(url)
    except InvalidUrl:
        return
    assert normalize_url(result) == result


@_FAST
@given(
    st.sampled_from(["http://a/b/c/d;p?q", "https://Bücher.example/x/", "http://[::1]:81/"]),
    st.one_of(st.text(max_size=40), _paths),
)
def test_resolve_url_raises_only_invalid_url(base: str, href: str) -> None:
    try:
        result = resolve_url(base, href)
    except InvalidUrl:
        return
    assert normalize_url(result) == result


@_FAST
@given(st.lists(st.text(st.characters(exclude_characters="."), max_size=8), min_size=1))
def test_reversed_host_round_trips(labels: list[str]) -> None:
    host = ".".join(labels)
    assert unreversed_host(reversed_host(host)) == host
    assert reversed_host(host).split(".") == labels[::-1]


def test_long_host_text_that_maps_to_a_short_host_is_accepted() -> None:
    soft_hyphens = "\xad" * 300  # UTS-46 maps U+00AD to nothing
    assert normalize_url(f"http://ex{soft_hyphens}ample.com/") == "http://example.com/"
    assert url_host(f"http://www.ex{soft_hyphens}ample.com/") == "www.example.com"


def _fully(text: str) -> tuple[str, str] | None:
    try:
        return _normalize_fully(text)
    except InvalidUrl:
        return None


_NEAR_NORMAL = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}://{host}{path}{query}{fragment}",
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.one_of(
        _hosts,
        st.sampled_from(["example.com", "a..b", "x.com.", "1.2.3.04", "xn--a.com", "a_b.example"]),
        st.sampled_from(["xn--bcher-kva.example", "xn--abc-.com", "a" * 64 + ".com", "1.2.3.4"]),
    ),
    _paths,
    st.one_of(st.just(""), _paths.map(lambda q: "?" + q)),
    st.one_of(st.just(""), _paths.map(lambda f: "#" + f)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_NEAR_NORMAL, _urls, st.text(max_size=60)))
def test_the_normal_form_fast_path_agrees_with_full_normalisation(text: str) -> None:
    fast = _normal_form(text)
    if fast is not None:
        assert fast == _fully(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a/b?x=1", ("https://example.com/a/b?x=1", "example.com")),
        ("http://example.com/a#top", ("http://example.com/a", "example.com")),
        ("http://1.2.3.4/", ("http://1.2.3.4/", "1.2.3.4")),
        (
            "https://xn--bcher-kva.example/",
            ("https://xn--bcher-kva.example/", "xn--bcher-kva.example"),
        ),
    ],
)
def test_the_fast_path_takes_normal_urls(text: str, expected: tuple[str, str]) -> None:
    assert _normal_form(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "HTTPS://example.com/",
        "https://Example.com/",
        "https://example.com",
        "https://example.com:443/",
        "https://u@example.com/",
        "https://example.com./",
        "https://a..b/",
        "https://example.com/a/../b",
        "https://example.com/a/.",
        "https://example.com/a%7e",
        "https://example.com/a b",
        "https://example.com/a?",
        " https://example.com/",
        "https://bücher.example/",
        "https://1.2.3.04/",
        "https://xn--a.com/",
        "ftp://example.com/",
    ],
)
def test_the_fast_path_leaves_everything_else_to_full_normalisation(text: str) -> None:
    assert _normal_form(text) is None


def _resolved_fully(base: str, href: str) -> str | None:
    try:
        return _resolve_fully(base, href)
    except InvalidUrl:
        return None


_BASES = st.one_of(
    st.sampled_from(
        ["https://example.com/a/b?q=1", "http://Example.com:80/", "https://a..b/", "ftp://x.com/"]
    ),
    _NEAR_NORMAL,
    _urls,
)
_HREFS = st.one_of(
    _paths.map(lambda p: "/" + p),
    _paths,
    _NEAR_NORMAL,
    st.sampled_from(["/", "//example.org/x", "/a/../b", "/a?", "/%7e", "/a b", "http:page"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BASES, _HREFS)
def test_the_resolution_fast_path_agrees_with_full_resolution(base: str, href: str) -> None:
    fast = _resolved_normal_form(base, href)
    if fast is not None:
        assert fast == _resolved_fully(base, href)


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("https://example.com/a/b?q", "/c/d?e=1#f", "https://example.com/c/d?e=1"),
        ("https://example.com/a", "/", "https://example.com/"),
        ("https://example.com/a", "https://other.org/x#y", "https://other.org/x"),
        ("https://example.com/a", "//other.org/x", None),
        ("https://example.com/a", "/a/./b", None),
        ("https://example.com/a", "/a?", None),
        ("https://example.com/a", "c", None),
        ("https://example.com/a", " /c", None),
        ("https://EXAMPLE.com/a", "/c", None),
        ("not a url", "https://other.org/x", None),
    ],
)
def test_the_resolution_fast_path_takes_only_normal_references(
    base: str, href: str, expected: str | None
) -> None:
    assert _resolved_normal_form(base, href) == expected


@pytest.mark.parametrize(
    ("host", "known"),
    [
        ("example.co.uk", True),
        ("a.com", True),
        ("xn--mnchen-3ya.de", True),
        ("readme.txt", False),
        ("node.js", False),
        ("a.example", False),
        ("bad host", False),
        ("", False),
    ],
)
def test_has_known_suffix_ignores_the_implicit_star_rule(host: str, known: bool) -> None:
    assert has_known_suffix(host) is known


@pytest.mark.parametrize("host", ["%2e\ud800", "%41\ud800.com", "a%2e\udfff.example"])
def test_a_host_with_a_lone_surrogate_and_an_escape_has_no_domain(host: str) -> None:
    # Found by tests/prove/test_prove_fuzz.py: percent-decoding the host encoded
    # the surrogate as UTF-8 and raised UnicodeEncodeError.
    assert registrable_domain(host) is None
    assert public_suffix(host) is None
    assert has_known_suffix(host) is False
    with pytest.raises(InvalidUrl, match="surrogate"):
        normalize_url(f"http://{host}/")
