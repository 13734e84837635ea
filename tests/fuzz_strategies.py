"""What the fuzz targets feed the code, and the contract each answer must keep (issue 10).

One strategy and one ``check_*`` function per target, shared by the long proof
(``tests/prove/test_prove_fuzz.py``, thousands of cases each) and the fast
smoke run of the default suite (``tests/unit/test_fuzz_smoke.py``):

1. URLs: arbitrary text and URL-shaped text with hostile parts, through
   ``normalize_url``, ``parse_url``, ``url_host``, ``resolve_url`` and the
   domain functions. Allowed: ``InvalidUrl``. Properties: the result is
   normal (idempotent) and parses again.
2. Links: generated hostile HTML (a grammar of nested tags and attributes
   with odd quoting, entities, NULs, bad bytes, truncation) and raw bytes,
   through ``extract_links``, ``parse_page`` and ``read_page``. Allowed:
   nothing. Every link is absolute, normalised http(s), placed in the enum.
3. robots.txt: random bodies, agents and paths through ``parse_robots`` and
   ``decide``, and random answers of an origin (status, redirects, codings)
   through ``crawl.robots.RobotsPolicy``. Allowed: ``InvalidUrl`` for a URL
   that is not one. Property: ``Disallow: /x`` for ``*`` refuses ``/x…``.
4. Export import: CSVs made of a real header row and hostile cells, read the
   way ``linkequity import`` reads them (``services.imports`` plans the file,
   then reads every row). Allowed: ``ExportFileError`` naming the file, on
   one line; a bad row is a ``BadRow`` naming the file and its line.
5. WARC reader: the real files of ``shared/data/warc`` damaged (flipped
   bytes, truncation, garbage, a wrong ``Content-Length``, broken gzip
   members). Allowed: ``UnreadableArchive`` from the constructor; reading
   never raises, every damage report names the file, an offset and a reason,
   and every record that ends before the first damaged byte is still read.

A check raises ``AssertionError`` (or lets the unexpected exception through),
which hypothesis reports with the falsifying example.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import random
import re
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastwarc.warc import ArchiveIterator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from tests.conftest import FIXTURES, SHARED_DATA

from linkequity import Placement, extract_links, parse_page
from linkequity.crawl.robots import RobotsAccess, RobotsPolicy
from linkequity.errors import ExportFileError, InvalidUrl, UnreadableArchive
from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
from linkequity.model.records import DamagedRecord, FetchedPage, WatLinks
from linkequity.model.urls import (
    MAX_URL_BYTES,
    normalize_url,
    parse_url,
    public_suffix,
    registrable_domain,
    resolve_url,
    reversed_host,
    unreversed_host,
    url_host,
)
from linkequity.parsing.page import read_page
from linkequity.parsing.robots import parse_robots
from linkequity.services.imports import _plan, _records
from linkequity.sources.exports import read_export
from linkequity.sources.warc import WarcReader

if TYPE_CHECKING:
    from collections.abc import Callable

    from linkequity.parsing.exports import BadRow

WARC_DATA = SHARED_DATA / "warc"
EXPORT_FIXTURES = FIXTURES / "exports"


def _words(text: str) -> list[str]:
    """Return the space-separated words of *text*: a compact way to write a vocabulary."""
    return text.split(" ")


# ---- 1. URLs -----------------------------------------------------------------

_SCHEMES = st.sampled_from(
    ["http", "https", "HTTP", "hTTpS", "ftp", "javascript", "", "ht tp", "http\t", "1http"]
)
_SEPARATORS = st.sampled_from(["://", ":/", ":", ":///", "://\\", ":\\\\", "//", "://:@", ": //"])
_USERINFO = st.sampled_from(
    ["", "", "user@", "u:p@", "@", "@@", "a%40b@", "ü:ß@", "user:pa@ss@", ":@", "[::1]@"]
)
_LABELS = st.one_of(
    st.text(st.sampled_from("abcXYZ019-_"), min_size=1, max_size=12),
    st.sampled_from(
        [
            *_words(
                "bücher faß xn--bcher-kva xn-- xn--zz xn--a xn--- 食狮 пример ΕΛΛΆΔΑ i❤ Ｅｘ "
                "a\u200db \u200c ex\xadample \u0627\u0628 a\u0627 %41 %zz %ff %c3%bc %2e -a- _ "
                "e\u0301 \ufeff ℌ ſ ᵢ x\u3002y a．b "
                "0x7f 4294967295 256 010"
            ),
            "a" * 64,
        ]
    ),
    st.text(max_size=6),
)
_HOSTS = st.one_of(
    st.lists(_LABELS, min_size=1, max_size=5).map(".".join),
    st.sampled_from(
        [
            *_words(
                ". .. example.com. .example.com 1.2.3.4 1.2.3.256 01.2.3.4 1.2.3 0x7f.0.0.1 127.1 "
                "[::1] [::ffff:1.2.3.4] [fe80::1%25eth0] [v1.x] [::1 ::1] [] [1:2:3:4:5:6:7:8:9] "
                "[::1]x [::1]: localhost github.io co.uk"
            ),
            "",
            "a" * 254,
            ("a" * 63 + ".") * 4 + "com",
        ]
    ),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip.exploded.upper()}]"),
)
_PORTS = st.one_of(
    st.sampled_from([*_words(": :0 :80 :443 :65535 :65536 :000080 :-1 :８０ :1e3"), "", ""]),
    st.integers(0, 10**30).map(lambda port: f":{port}"),
)
_PIECES = st.one_of(
    st.sampled_from(
        [
            *_words(
                "/ . .. ./ ../ /./ /../ % %2 %2e %2E%2e %2F %7e %00 %c3%bc %zz ? # \\ \t \n \r "
                "\x00 \x7f \ud800 \udfff [ ] @ : // &amp; ü \u202e �"
            ),
            " ",
        ]
    ),
    st.characters(),
    st.text(max_size=4),
)
_TAILS = st.lists(_PIECES, max_size=10).map("".join)
_PADDING = st.sampled_from(["", "", " ", "\t\n", "\x00", "\u3000", "\x85", "\ufeff", "\x1f"])
URL_SHAPED = st.builds(
    lambda pad, scheme, sep, user, host, port, tail, end: (
        f"{pad}{scheme}{sep}{user}{host}{port}{tail}{end}"
    ),
    _PADDING,
    _SCHEMES,
    _SEPARATORS,
    _USERINFO,
    _HOSTS,
    _PORTS,
    _TAILS,
    _PADDING,
)
_HUGE = st.builds(
    lambda head, size, piece: head + piece * size,
    st.sampled_from(["http://example.com/", "https://a.example/?q=", "http://", "http://a."]),
    st.integers(MAX_URL_BYTES // 4, MAX_URL_BYTES + 10),
    st.sampled_from(["a", "é", "%", "a.", "../", "€"]),
)
URL_TEXTS = st.one_of(URL_SHAPED, URL_SHAPED, st.text(max_size=80), _HUGE)
BASE_URLS = st.sampled_from(
    [
        "http://a/b/c/d;p?q",
        "https://Bücher.example/x/y?z#f",
        "http://[::1]:81/",
        "https://example.com",
        "http://1.2.3.4/a/../b/",
        "https://xn--bcher-kva.example/%7e/",
    ]
)


def check_url(text: str, base: str) -> None:
    """Hold the URL functions to their contract on *text* (and *text* resolved against *base*)."""
    try:
        url = normalize_url(text)
    except InvalidUrl as err:
        _check_one_line(str(err))
    else:
        _check_normal_url(url)
        parsed = parse_url(text)
        assert parsed.url == url
        assert url_host(text) == parsed.host == url_host(url)
        assert parsed.domain == registrable_domain(parsed.host)
        assert unreversed_host(reversed_host(parsed.host)) == parsed.host
    for host in (text, text.partition("/")[0]):
        domain = registrable_domain(host)
        suffix = public_suffix(host, include_private=False)
        assert domain is None or isinstance(domain, str)
        assert suffix is None or isinstance(suffix, str)
    try:
        resolved = resolve_url(base, text)
    except InvalidUrl:
        return
    _check_normal_url(resolved)


def _check_one_line(message: str, *, naming: str = "", is_line_named: bool = False) -> None:
    """Hold an error message to one line naming *naming* (a file), and its line if asked."""
    assert naming in message, message
    if is_line_named:
        assert re.match(rf"{re.escape(naming)}(:\d+| after line \d+): ", message), message
    assert "\n" not in message, message
    assert "\r" not in message, message


def _check_normal_url(url: str) -> None:
    assert url.startswith(("http://", "https://")), url
    assert url.isascii(), url
    assert "#" not in url, url
    assert len(url) <= MAX_URL_BYTES
    assert normalize_url(url) == url
    assert parse_url(url).url == url


# ---- 2. Links in hostile HTML --------------------------------------------------

_TAGS = st.sampled_from(
    _words(
        "a a a area base link div nav header footer aside main article section p span img "
        "script style noscript template svg math iframe table td form ul li br button "
        "title head body html meta textarea plaintext xmp x-y A NAV"
    )
)
_ATTR_NAMES = st.sampled_from(
    [
        *_words(
            "href href href HREF rel rel style hidden aria-hidden role class id alt title name "
            "content charset http-equiv src xlink:href data-x href\x00"
        ),
        "on click",
    ]
)
_ATTR_VALUES = st.one_of(
    URL_TEXTS,
    st.sampled_from(
        [
            *_words(
                "/ # #top ?q //other.example/x ../../.. javascript:alert(1) &#x6a;avascript:x "
                "jav\tascript:x mailto:a@b tel:1 data:text/html,x http://[::1 nofollow "
                "nofollow\x00 display:none font-size:0 true navigation footer robots "
                "noindex,nofollow none utf-8 x-bogus &amp;&lt;&#0;&#x110000;&#xD800;&bogus \"'<>"
            ),
            "",
            " http://ok.example/ ",
            "NoFollow UGC",
            "sponsored noopener",
            "visibility: hidden",
            "comment sidebar",
            "text/html; charset=shift_jis",
        ]
    ),
)
_QUOTES = st.sampled_from(['"{}"', "'{}'", "{}", '"{}', "'{}", "{}'", '"{}"x', "`{}`"])
_ATTRS = st.lists(
    st.builds(
        lambda name, value, quote: f"{name}={quote.format(value)}",
        _ATTR_NAMES,
        _ATTR_VALUES,
        _QUOTES,
    )
    | _ATTR_NAMES,
    max_size=4,
).map(" ".join)
_TEXTS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            *_words(
                "&amp; &nbsp; &#0; &#x110000; \x00 <!-- --> <![CDATA[x]]> </a> </div></div> < > & "
                "\ud800"
            ),
            "click here",
            "&lt;a href=x&gt;",
            "<!-- c -->",
            "<?php ?>",
            "<a href=/unclosed>",
            "<base href=http://elsewhere.example/>",
            '<meta name="robots" content="nofollow">',
            "<link rel=canonical href=/c>",
            "<img alt='logo'>",
        ]
    ),
)


def _element(tag: str, attrs: str, children: list[str], close: str) -> str:
    opening = f"<{tag} {attrs}>" if attrs else f"<{tag}>"
    return opening + "".join(children) + close.format(tag)


_CLOSES = st.sampled_from(["</{}>", "</{}>", "", "</{} junk>", "</ {}>", "<{}/>"])
_NODES = st.recursive(
    _TEXTS,
    lambda children: st.builds(_element, _TAGS, _ATTRS, st.lists(children, max_size=5), _CLOSES),
    max_leaves=25,
)
_DOCUMENTS = st.lists(_NODES, min_size=1, max_size=4).map("".join)
_ENCODINGS = st.sampled_from(["utf-8", "utf-16", "cp1252", "shift_jis", "latin-1", "utf-8-sig"])


@st.composite
def _damaged_bytes(draw: st.DrawFn) -> bytes:
    """A generated document as bytes, with bad bytes put in and maybe cut short."""
    text = draw(_DOCUMENTS)
    encoding = draw(_ENCODINGS)
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x00", b"\xfe\xff", b"\x80"]))
        data = data[:at] + junk + data[at:]
    if draw(st.booleans()):
        data = data[: len(data) - draw(st.integers(0, len(data)))]
    return data


PAGE_STATUSES = st.sampled_from([200, 200, 204, 301, 404, 410, 500, 0, 999])
HTML_PAGES: st.SearchStrategy[str | bytes] = st.one_of(
    _DOCUMENTS,
    _DOCUMENTS.map(lambda text: text[: len(text) // 2]),
    _damaged_bytes(),
    st.binary(max_size=2000),
    st.text(max_size=300),
)
PAGE_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(["Content-Type", "X-Robots-Tag", "Link", "content-language", "X"]),
        st.one_of(
            st.sampled_from(
                [
                    "text/html; charset=utf-16",
                    "text/html; charset=bogus",
                    "application/pdf",
                    "noindex, nofollow",
                    "googlebot: none",
                    '<http://c.example/>; rel="canonical"',
                    "<>; rel=canonical",
                    "<http://[::1>; rel=canonical",
                    "en-US",
                    "",
                ]
            ),
            st.text(max_size=30),
        ),
    ),
    max_size=3,
)


def check_links(page: str | bytes, base: str, headers: list[tuple[str, str]], status: int) -> None:
    """Hold link extraction and page parsing to their contract: no exception, sound links."""
    links = extract_links(page, base)
    assert [link.position for link in links] == list(range(len(links)))
    for link in links:
        _check_normal_url(link.url)
        assert isinstance(link.placement, Placement)
        assert all(token == token.lower() and token for token in link.rel), link.rel
        assert isinstance(link.anchor_text, str)
    signals = parse_page(page, base, headers, status)
    assert signals.url == normalize_url(base)
    if signals.canonical.url is not None:
        _check_normal_url(signals.canonical.url)
    signals_again, page_links = read_page(page, base, headers, status)
    assert [link.url for link in page_links.links] == [link.url for link in links]
    assert signals_again.url == signals.url


# ---- 3. robots.txt -------------------------------------------------------------

_ROBOTS_FIELDS = st.sampled_from(
    [
        *_words(
            "User-agent user-agent USERAGENT Disallow disallow dissallow disalow Allow allow "
            "Crawl-delay crawl-delay Sitemap Host Noindex Request-rate # \ufeffUser-agent"
        ),
        "User agent",
        "",
    ]
)
_ROBOTS_VALUES = st.one_of(
    st.sampled_from(
        [
            *_words(
                "* Googlebot/2.1 linkequity LinkEquity foo* / /x /x$ /* /*.php$ $ *$ /a*b*c /%2F "
                "/%2f /%zz /% /ü /%C3%BC /a?b /a%3Fb /robots.txt 10 -1 1e309 nan inf "
                "http://[::1/sitemap.xml"
            ),
            "* (all)",
            "",
            " ",
            "/" + "a" * 5000,
            "/" + "*" * 300 + "x",
        ]
    ),
    st.text(max_size=20),
)
_ROBOTS_LINES = st.builds(
    lambda field, sep, value, comment: f"{field}{sep}{value}{comment}",
    _ROBOTS_FIELDS,
    st.sampled_from([":", ": ", " : ", " ", "", "::", ":\t"]),
    _ROBOTS_VALUES,
    st.sampled_from(["", "", " # note", "#", "\x00"]),
)
_BREAKS = st.sampled_from(["\n", "\n", "\r\n", "\r", "\x85", "\u2028", "\x0b", "\x0c", "\x1e"])


@st.composite
def _robots_body(draw: st.DrawFn) -> str | bytes:
    lines = draw(st.lists(_ROBOTS_LINES, max_size=20))
    text = "".join(line + draw(_BREAKS) for line in lines)
    if draw(st.booleans()):
        return text
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xef\xbb\xbf", b"\xc3", b"\x00"]))
            + data[at:]
        )
    return data


ROBOTS_BODIES: st.SearchStrategy[str | bytes] = st.one_of(
    _robots_body(), st.binary(max_size=300), st.text(max_size=200)
)
USER_AGENTS = st.one_of(
    st.sampled_from(["linkequity", "Googlebot/2.1 (+http://google.com/bot.html)", "*", "", " "]),
    st.text(max_size=15),
)
ROBOTS_TARGETS = st.one_of(URL_TEXTS, _TAILS.map(lambda tail: "/" + tail), _TAILS)
_PLAIN_SEGMENTS = st.text(st.sampled_from("abcXYZ019-._~"), min_size=1, max_size=8)
DISALLOWED_PREFIXES = st.lists(_PLAIN_SEGMENTS, min_size=1, max_size=3).map(
    lambda parts: "/" + "/".join(parts)
)
NOISE_LINES = st.lists(
    st.builds(
        lambda field, value: f"{field}: {value}",
        st.sampled_from(["Crawl-delay", "Sitemap", "Host", "Noindex", "# Disallow", "Clean-param"]),
        st.text(st.characters(exclude_characters="\r\n"), max_size=20),
    ),
    max_size=5,
)


def check_robots(body: str | bytes, agent: str, target: str) -> None:
    """Hold robots.txt parsing and matching to their contract: a verdict, never an exception."""
    robots = parse_robots(body)
    decision = robots.decide(agent, target)
    assert isinstance(decision.is_allowed, bool)
    if decision.rule is not None:
        assert decision.is_allowed == decision.rule.is_allow
        assert any(decision.rule in group.rules for group in decision.groups)
    assert isinstance(decision.explanation, str)
    delay = robots.crawl_delay_s(agent)
    assert delay is None or delay >= 0


def check_disallowed_prefix(prefix: str, noise: list[str], agent: str, suffix: str) -> None:
    """Refuse ``<prefix>…`` under ``User-agent: *`` and ``Disallow: <prefix>``, no allow rule."""
    body = "\n".join(["User-agent: *", *noise[:2], f"Disallow: {prefix}", *noise[2:]])
    path = prefix + suffix
    decision = parse_robots(body).decide(agent, path)
    if decision.path.split("?", 1)[0] == "/robots.txt":
        assert decision.is_allowed
        return
    assert not decision.is_allowed, (body, path, decision.explanation)
    assert decision.rule is not None
    assert decision.rule.pattern == prefix


@dataclass(frozen=True, slots=True)
class RobotsReply:
    """One answer of a fuzzed origin to a robots.txt request."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


ROBOTS_REPLIES = st.lists(
    st.builds(
        RobotsReply,
        st.one_of(
            st.sampled_from([200, 301, 302, 308, 404, 410, 429, 500, 503]), st.integers(0, 999)
        ),
        st.lists(
            st.tuples(
                st.sampled_from(["Location", "location", "Content-Encoding", "Transfer-Encoding"]),
                st.one_of(
                    st.sampled_from(
                        [
                            *_words(
                                "/robots.txt /elsewhere http://other.example/robots.txt "
                                "//cdn.example/r http://[::1 mailto:x@y ftp://a/ "
                                "javascript:alert(1) http:// "
                                "https://[fe80::1%25x]/ gzip deflate br chunked"
                            ),
                            "",
                            "gzip, chunked",
                        ]
                    ),
                    st.text(max_size=20),
                ),
            ),
            max_size=3,
        ).map(tuple),
        st.one_of(
            _robots_body().map(
                lambda body: (
                    body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
                )
            ),
            _robots_body().map(
                lambda body: gzip.compress(
                    body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
                )
            ),
            st.binary(max_size=200),
        ),
    ),
    min_size=1,
    max_size=7,
)


def check_robots_policy(replies: list[RobotsReply], agent: str, target: str) -> None:
    """Hold ``RobotsPolicy`` to its contract against an origin answering *replies* in turn."""
    asked: list[str] = []

    def fetch(url: str, /) -> FetchedPage:
        page_url = normalize_url(url)  # the real fetchers refuse what is not http(s) so
        reply = replies[len(asked) % len(replies)]
        asked.append(page_url)
        return FetchedPage(page_url, None, reply.status, reply.headers, reply.body, 0)

    policy = RobotsPolicy(fetch, user_agent=agent or "linkequity")
    try:
        check = policy.check(target)
    except InvalidUrl:
        try:
            normalize_url(target)
        except InvalidUrl:
            return
        raise
    assert isinstance(check.is_allowed, bool)
    assert isinstance(check.explanation, str)
    assert len(asked) <= 6
    if check.answer.access is RobotsAccess.DISALLOW_ALL:
        assert not check.is_allowed
    elif check.answer.access is RobotsAccess.ALLOW_ALL:
        assert check.is_allowed
    assert policy.check(target) == check  # cached: asked once
    assert len(asked) <= 6


# ---- 4. Export import ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """One real export fixture: preamble, header cells, delimiter and data rows."""

    name: str
    preamble: tuple[str, ...]
    headers: tuple[str, ...]
    delimiter: str
    rows: tuple[tuple[str, ...], ...]


@functools.cache
def export_headers() -> tuple[ExportHeader, ...]:
    """Return the export fixtures, read (the unknown format left out)."""
    found = []
    for path in sorted(EXPORT_FIXTURES.glob("*.[ct]sv")):
        if path.name.startswith("unknown"):
            continue
        table = read_export(path)
        lines = path.read_bytes().decode(_PYTHON_CODECS[table.encoding]).splitlines()
        preamble = tuple(lines[: table.header_line - 1])
        rows = tuple(row.fields for row in table.rows())
        found.append(ExportHeader(path.name, preamble, table.headers, table.delimiter, rows))
    return tuple(found)


_PYTHON_CODECS = {
    "utf-8": "utf-8-sig",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
    "cp1252": "cp1252",
}
_CELLS = st.one_of(
    st.sampled_from(
        [
            *_words(
                "https://blog.example/post http://a.example/?q=1#f www.example.com example.org "
                'htp:/x http://[::1 javascript:alert(1) - n/a =HYPERLINK("x") +1 -1 @SUM(A1) \t=1 '
                "1,240 1.240,5 45% 12e999 nan -0 2026-02-30 31/12/2026 03/04/2026 1742428800 "
                '99999999999999 true false + Yes " "" "quoted a\nb a\r\nb \ufeff \x00 ü€𝄞 \u202e '
                "\r \\"
            ),
            "",
            " ",
            "a" * 20_000,
            "x," * 50,
        ]
    ),
    st.text(max_size=30),
)


class ExportFile:
    """A generated export: which real header it starts with, and its bytes.

    The bytes stay out of the repr that hypothesis prints; a failing case
    leaves them in the file the check wrote.
    """

    __slots__ = ("data", "header")

    def __init__(self, header: str, data: bytes) -> None:
        self.header = header
        self.data = data

    def __repr__(self) -> str:
        return f"ExportFile(header={self.header!r}, {len(self.data)} bytes)"


@st.composite
def _export_file(draw: st.DrawFn) -> ExportFile:
    header = draw(st.sampled_from(export_headers()))
    width = len(header.headers)
    delimiter = draw(st.sampled_from([header.delimiter] * 3 + [",", ";", "\t"]))
    rows = [
        _hostile_row(draw, draw(st.sampled_from(header.rows)), width)
        for _ in range(draw(st.integers(0, 8)))
    ]
    out = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(
            out,
            delimiter=delimiter,
            quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
            lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        )
        out.write("".join(line + "\n" for line in header.preamble))
        writer.writerow(header.headers)
        writer.writerows(rows)
    else:  # written by hand: quotes left unbalanced, cells not escaped
        out.write("".join(line + "\n" for line in header.preamble))
        out.write(delimiter.join(header.headers) + "\n")
        for row in rows:
            out.write(delimiter.join(row) + draw(st.sampled_from(["\n", "\r\n", ""])))
    text = out.getvalue()
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
    )
    data = text.encode(encoding, "replace")
    for _ in range(draw(st.integers(0, 2))):
        at = len(data) - draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\x81", b"\xef\xbb\xbf", b"\xfe"]))
        data = data[:at] + junk + data[at:]
    if draw(st.integers(0, 4)) == 4:  # cut short, most often near the end
        data = data[: len(data) - draw(st.integers(0, len(data)))]
    return ExportFile(header.name, data)


def _hostile_row(draw: st.DrawFn, real: tuple[str, ...], width: int) -> list[str]:
    """Return a real row with some cells made hostile, and maybe too few or too many."""
    row = list(real) + [""] * max(width - len(real), 0)
    for _ in range(draw(st.integers(0, 4))):
        row[draw(st.integers(0, len(row) - 1))] = draw(_CELLS)
    if draw(st.integers(0, 5)) == 5:
        row = row[: draw(st.integers(0, len(row)))]
    row.extend(draw(st.lists(_CELLS, max_size=2)))
    return row


EXPORT_FILES = _export_file()
EXPORT_SITE = "https://www.example-garden.com/"


def check_export(folder: Path, export: ExportFile) -> int:
    """Read *export* from a file in *folder* as ``linkequity import`` does; return the rows read.

    Only an ``ExportFileError`` on one line naming the file may stop it (and
    its line, past the header); each bad row names its line; each record holds
    normal URLs.
    """
    path = folder / "export.csv"
    path.write_bytes(export.data)
    bad: list[tuple[Path, BadRow]] = []
    rows = 0
    try:
        plan = _plan(path, site=EXPORT_SITE)
    except ExportFileError as err:
        _check_one_line(str(err), naming=str(path))
        return 0
    try:
        for record in _records(plan, lambda where, err: bad.append((where, err))):
            rows += 1
            if record is not None:
                _check_record(record)
    except ExportFileError as err:
        _check_one_line(str(err), naming=str(path), is_line_named=True)
    lines = len(_LINES.split(export.data)) if export.data else 0
    for where, err in bad:
        assert where == path
        assert 1 <= err.line <= lines, (err.line, lines)
        assert str(err).startswith(f"line {err.line}: "), str(err)
        assert str(err.in_file(path)).startswith(f"{path}:{err.line}: "), str(err)
        _check_one_line(str(err))
    return rows


_LINES = re.compile(rb"\r\n|\r|\n")


def _check_record(record: LinkSighting | ReferringDomainReport | TargetPageReport | None) -> None:
    if isinstance(record, LinkSighting):
        _check_normal_url(record.source_url)
        _check_normal_url(record.target_url)
    elif isinstance(record, TargetPageReport):
        _check_normal_url(record.target_url)
    elif isinstance(record, ReferringDomainReport):
        assert record.domain == url_host(f"http://{record.domain}/")


# ---- 5. The WARC reader -----------------------------------------------------------

#: Files longer than this are cut at the last record start before it, to keep cases fast.
WARC_PREFIX_BYTES = 48 * 1024


@dataclass(frozen=True, slots=True)
class WarcSample:
    """One real archive (or a prefix of one at a record boundary) and what it holds."""

    name: str
    data: bytes
    is_gzip: bool
    record_starts: tuple[int, ...]
    pages: tuple[tuple[int, str, int | None, bytes], ...]

    def record_end(self, start: int) -> int:
        """Return where the record starting at *start* ends (the next start, or the end)."""
        later = [offset for offset in self.record_starts if offset > start]
        return min(later, default=len(self.data))

    def cuts_a_record(self, at: int) -> bool:
        """Whether a file cut at *at* loses part of a record, not only line breaks after it.

        Gzip files whose records share members are left out: FastWARC places
        those records at the member's end, so where one starts is unknown.
        """
        if self.is_gzip and len(set(self.record_starts)) < len(self.record_starts):
            return False
        tail = 0 if self.is_gzip else len(b"\r\n\r\n")
        return any(start < at < self.record_end(start) - tail for start in self.record_starts)


@functools.cache
def warc_samples() -> tuple[WarcSample, ...]:
    """Return the readable WARC files of ``shared/data/warc`` (prefixes of the big ones)."""
    samples = []
    for path in sorted(WARC_DATA.rglob("*")):
        if not path.is_file() or ".arc" in path.name:
            continue
        data = path.read_bytes()
        starts, is_whole = _record_starts(data)
        if not is_whole and len(starts) > 1:  # keep the records before the damage
            data, starts = data[: starts[-1]], starts[:-1]
        elif not is_whole:
            continue
        if len(data) > WARC_PREFIX_BYTES:
            cut = max((s for s in starts if 0 < s <= WARC_PREFIX_BYTES), default=None)
            if cut is None:
                continue
            data, starts = data[:cut], [s for s in starts if s < cut]
        samples.append(_sample(path.relative_to(WARC_DATA).as_posix(), data, starts))
    return tuple(samples)


def _record_starts(data: bytes) -> tuple[list[int], bool]:
    """Return where FastWARC finds records in *data*, and whether it read to the end."""
    for quirks in (False, True):
        starts: list[int] = []
        try:
            for record in ArchiveIterator(io.BytesIO(data), parse_http=False, quirks_mode=quirks):
                starts.append(record.stream_pos)
                record.reader.read()
        except OSError:
            continue
        return starts, True
    return starts, False


def _sample(name: str, data: bytes, starts: list[int]) -> WarcSample:
    pages = tuple(_item_key(item) for item in _read_bytes(data, name) if _item_key(item))
    return WarcSample(name, data, data.startswith(b"\x1f\x8b"), tuple(starts), pages)


def _item_key(item: object) -> tuple[int, str, int | None, bytes] | None:
    """Return what identifies a page or WAT item read from an archive; None for damage."""
    if isinstance(item, FetchedPage):
        return (item.record_offset, item.url, item.status, item.body)
    if isinstance(item, WatLinks):
        return (item.record_offset, item.url, item.status, repr(item.links).encode())
    return None


def _read_bytes(data: bytes, name: str) -> list[object]:
    """Return the items ``WarcReader`` reads from *data*, saved under the file name of *name*."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return list(WarcReader(path).items())


class WarcDamage:
    """A damaged archive: its bytes, where they first differ from the clean ones, and why.

    ``clean`` is the undamaged file the offsets refer to: the sample itself, or
    its gzip members packed again. The bytes stay out of the repr that
    hypothesis prints; the seed rebuilds them (``damage_warc(seed)``).
    """

    __slots__ = ("clean", "data", "first_changed", "how", "sample", "seed")

    def __init__(
        self,
        seed: int,
        sample: WarcSample,
        how: str,
        data: bytes,
        first_changed: int,
        *,
        clean: bytes | None = None,
    ) -> None:
        self.seed = seed
        self.sample = sample
        self.how = how
        self.data = data
        self.first_changed = first_changed
        self.clean = sample.data if clean is None else clean

    def __repr__(self) -> str:
        return (
            f"damage_warc({self.seed}): {self.sample.name!r} {self.how}, {len(self.data)} bytes, "
            f"first changed byte {self.first_changed}"
        )


def _flip(data: bytes, at: int, mask: int) -> bytes:
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]


_CONTENT_LENGTH = re.compile(rb"Content-Length: *(\d+)", re.IGNORECASE)


def _relength(text: bytes, which: int, length: str) -> bytes:
    matches = list(_CONTENT_LENGTH.finditer(text))
    if not matches:
        return text
    found = matches[which % len(matches)]
    return text[: found.start(1)] + length.encode() + text[found.end(1) :]


def _members(data: bytes) -> list[bytes]:
    """Split a gzip file into the decompressed text of each of its members."""
    texts = []
    while data:
        inflater = zlib.decompressobj(wbits=31)
        texts.append(inflater.decompress(data))
        data = inflater.unused_data
    return texts


_JUNK = (
    b"WARC/1.0\r\n",
    b"\r\n\r\n",
    b"\x1f\x8b\x08",
    b"WARC/1.0\r\nContent-Length: 99999999\r\n\r\n",
)
_LENGTHS = ("0", "1", "5", "99999999999", "18446744073709551616", "-1", "", "1e3", " 12")
_HOW = ("flip", "truncate", "insert", "zero", "length", "member")


def damage_warc(seed: int) -> WarcDamage:
    """Return one damaged copy of a sample, all choices drawn from ``random.Random(seed)``.

    Hypothesis draws the seed; the choices are uniform (hypothesis would favour
    the first sample, the first kind of damage and offsets near 0), and the
    seed in a failure's repr rebuilds the case.
    """
    rnd = random.Random(seed)  # noqa: S311 - fuzzing, not secrets
    sample = rnd.choice(warc_samples())
    data = sample.data
    size = len(data)
    how = rnd.choice(_HOW)
    if how == "flip":
        at = rnd.randrange(size)
        damaged = data
        for step in range(rnd.randint(1, 8)):
            where = min(at + step * rnd.randint(0, 64), size - 1)
            damaged = _flip(damaged, where, rnd.randint(1, 255))
        return WarcDamage(seed, sample, how, damaged, at)
    if how == "truncate":
        at = rnd.randint(1, size - 1)
        return WarcDamage(seed, sample, how, data[:at], at)
    if how == "insert":
        at = rnd.randint(1, size)
        junk = rnd.choice(_JUNK) if rnd.random() < 0.5 else rnd.randbytes(rnd.randint(1, 64))
        return WarcDamage(seed, sample, how, data[:at] + junk + data[at:], at)
    if how == "zero":
        at = rnd.randrange(size)
        length = rnd.randint(1, 512)
        zeroed = data[:at] + b"\x00" * min(length, size - at) + data[at + length :]
        return WarcDamage(seed, sample, how, zeroed, at)
    length = rnd.choice(_LENGTHS)
    which = rnd.randrange(64)
    if not sample.is_gzip:
        damaged = _relength(data, which, length)
        first = next(
            (i for i, (a, b) in enumerate(zip(data, damaged, strict=False)) if a != b), size
        )
        return WarcDamage(seed, sample, "length", damaged, first)
    # Gzip: damage one member's text, or cut its compressed stream short, and
    # compare with the same members packed again undamaged.
    members = _members(data)
    index = which % len(members)
    clean = [gzip.compress(text, mtime=0) for text in members]
    packed = list(clean)
    if how == "length":
        packed[index] = gzip.compress(_relength(members[index], which, length), mtime=0)
    else:
        packed[index] = packed[index][: rnd.randint(1, max(len(packed[index]) - 1, 1))]
    first = sum(len(member) for member in clean[:index])
    return WarcDamage(seed, sample, how, b"".join(packed), first, clean=b"".join(clean))


WARC_DAMAGE = st.integers(0, 2**32 - 1).map(damage_warc)


def check_warc(folder: Path, damage: WarcDamage) -> int:
    """Read *damage* from a file in *folder*, holding the reader to its contract.

    Returns the damage reports read.
    """
    path = folder / ("damaged.warc.gz" if damage.data.startswith(b"\x1f\x8b") else "damaged.warc")
    path.write_bytes(damage.data)
    try:
        reader = WarcReader(path)
    except UnreadableArchive as err:
        _check_one_line(str(err), naming=str(path))
        return 0
    items = list(reader.items())
    assert len(items) <= len(damage.data) + 1
    damaged = [item for item in items if isinstance(item, DamagedRecord)]
    for item in items:
        assert isinstance(item, FetchedPage | WatLinks | DamagedRecord)
    for report in damaged:
        assert report.path == str(path)
        assert 0 <= report.offset <= len(damage.data)
        assert report.reason
        assert "\n" not in report.reason
    summary = reader.summary
    assert summary.is_complete
    assert summary.damaged == len(damaged)
    reference = damage.sample
    if damage.clean is not reference.data:
        reference = _sample(reference.name, damage.clean, _record_starts(damage.clean)[0])
    read = {_item_key(item) for item in items}
    for page in reference.pages:
        if reference.record_end(page[0]) <= damage.first_changed:
            assert page in read, (page[:3], damage)
    if damage.how == "truncate" and reference.cuts_a_record(damage.first_changed):
        assert damaged, f"{damage}: a record was cut and no damage reported"
    return len(damaged)


# ---- running ------------------------------------------------------------------------


def fuzz_settings(cases: int) -> settings:
    """Return the settings of a fuzz run of *cases* cases: seeded, no deadline, no database."""
    return settings(
        max_examples=cases,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


class CaseCounter:
    """Counts the cases a hypothesis run executed, and sums what the check returned."""

    def __init__(self) -> None:
        self.cases = 0
        self.total = 0

    def counted(self, check: Callable[..., int | None]) -> Callable[..., None]:
        """Return *check* (its signature kept for ``given``), counting each call."""

        @functools.wraps(check)
        def run(*args: object, **kwargs: object) -> None:
            self.cases += 1
            self.total += check(*args, **kwargs) or 0

        return run
