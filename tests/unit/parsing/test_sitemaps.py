"""Sitemaps: every format, the protocol's limits, hostile and broken input, the cross-host rule."""

from __future__ import annotations

import gzip
import tarfile
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import SHARED_DATA

from linkequity.errors import InvalidUrl
from linkequity.model.urls import normalize_url, parse_url
from linkequity.parsing.robots import parse_robots
from linkequity.parsing.sitemaps import (
    MAX_SITEMAP_BYTES,
    MAX_SITEMAP_URLS,
    DropReason,
    SitemapFormat,
    SitemapScope,
    parse_sitemap,
    sitemap_locations,
)

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.parsing.sitemaps import Sitemap

BASE = "https://a.example/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str, attrs: str = NS) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>\n" for loc in locs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {attrs}>\n{entries}</urlset>\n'.encode()
    )


def page_urls(sitemap: Sitemap) -> list[str]:
    return [entry.url for entry in sitemap.pages]


# -- the sitemaps.org protocol ---------------------------------------------------------


def test_a_urlset_gives_its_pages_in_order_with_their_lastmod() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS}>
  <url><loc>https://a.example/</loc><lastmod>2024-05-01</lastmod>
       <changefreq>daily</changefreq><priority>1.0</priority></url>
  <url><loc>https://a.example/b</loc><lastmod>2024-05-02T10:30:00+02:00</lastmod></url>
  <url><loc>https://a.example/c</loc></url>
</urlset>""".encode()

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.format is SitemapFormat.URLSET
    assert not sitemap.is_index
    assert page_urls(sitemap) == [
        "https://a.example/",
        "https://a.example/b",
        "https://a.example/c",
    ]
    assert [entry.lastmod for entry in sitemap.pages] == [
        datetime(2024, 5, 1, tzinfo=UTC),
        datetime(2024, 5, 2, 10, 30, tzinfo=timezone(timedelta(hours=2))),
        None,
    ]
    assert sitemap.sitemaps == ()
    assert sitemap.dropped == {}
    assert sitemap.entries == 3
    assert not sitemap.is_truncated
    assert sitemap.problems == ()


@pytest.mark.parametrize(
    "attrs",
    [
        NS,
        "",
        'xmlns="http://www.google.com/schemas/sitemap/0.84"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 x.xsd" ' + NS,
    ],
    ids=["namespace", "no-namespace", "old-google-namespace", "schema-location"],
)
def test_the_namespace_does_not_matter(attrs: str) -> None:
    sitemap = parse_sitemap(urlset("https://a.example/x", attrs=attrs), BASE)

    assert page_urls(sitemap) == ["https://a.example/x"]


def test_prefixed_sitemap_elements_are_read() -> None:
    data = (
        b'<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sm:url><sm:loc>https://a.example/x</sm:loc></sm:url></sm:urlset>"
    )

    assert page_urls(parse_sitemap(data, BASE)) == ["https://a.example/x"]


def test_a_byte_order_mark_and_leading_whitespace_are_skipped() -> None:
    data = b"\xef\xbb\xbf \r\n\t" + urlset("https://a.example/x")

    sitemap = parse_sitemap(data, BASE)

    assert page_urls(sitemap) == ["https://a.example/x"]
    assert sitemap.problems == ()


def test_entities_and_whitespace_in_loc_are_undone_and_urls_normalised() -> None:
    sitemap = parse_sitemap(
        urlset(
            "\n   https://a.example/a?x=1&amp;y=2\n  ",
            "https://a.example/b&#x3F;c",
            "HTTPS://A.EXAMPLE:443/c/./d/../e#frag",
            "<![CDATA[https://a.example/f?g=1&h=2]]>",
            "https://a.example/%7euser/caf\u00e9",
        ),
        BASE,
    )

    assert page_urls(sitemap) == [
        "https://a.example/a?x=1&y=2",
        "https://a.example/b?c",
        "https://a.example/c/e",
        "https://a.example/f?g=1&h=2",
        "https://a.example/~user/caf%C3%A9",
    ]


def test_extension_elements_give_no_pages() -> None:
    data = f"""<urlset {NS}
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
      <url>
        <loc>https://a.example/page</loc>
        <xhtml:link rel="alternate" hreflang="de" href="https://a.example/de/page"/>
        <image:image><image:loc>https://a.example/photo.jpg</image:loc></image:image>
        <video:video><video:player_loc>https://a.example/player</video:player_loc></video:video>
      </url>
    </urlset>""".encode()

    sitemap = parse_sitemap(data, BASE)

    assert page_urls(sitemap) == ["https://a.example/page"]
    assert sitemap.entries == 1


def test_a_sitemap_index_gives_child_sitemaps_not_pages() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="//a.example/sitemap.xsl"?>
<sitemapindex {NS}>
  <sitemap><loc>https://a.example/post-sitemap.xml</loc><lastmod>2024-05-01T00:00Z</lastmod></sitemap>
  <sitemap><loc>https://a.example/page-sitemap.xml.gz</loc></sitemap>
</sitemapindex>""".encode()

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.format is SitemapFormat.INDEX
    assert sitemap.is_index
    assert sitemap.pages == ()
    assert [entry.url for entry in sitemap.sitemaps] == [
        "https://a.example/post-sitemap.xml",
        "https://a.example/page-sitemap.xml.gz",
    ]
    assert sitemap.sitemaps[0].lastmod == datetime(2024, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:30Z", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:15-05:00", datetime(2024, 5, 1, 15, 30, 15, tzinfo=UTC)),
        ("2024-05-01T10:30:15.25+0100", datetime(2024, 5, 1, 9, 30, 15, 250000, tzinfo=UTC)),
        ("2024-05-01T10:30:15.123456789Z", datetime(2024, 5, 1, 10, 30, 15, 123456, tzinfo=UTC)),
        ("2024-05-01 10:30:15", datetime(2024, 5, 1, 10, 30, 15, tzinfo=UTC)),
        ("2024-05-01T10:30 +02:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:15,5 -0130", datetime(2024, 5, 1, 12, 0, 15, 500000, tzinfo=UTC)),
        ("Wed, 01 May 2024 10:30:15 GMT", datetime(2024, 5, 1, 10, 30, 15, tzinfo=UTC)),
        ("Wed, 01 May 2024 10:30:15 +0200", datetime(2024, 5, 1, 8, 30, 15, tzinfo=UTC)),
        ("yesterday", None),
        ("2024-13-01", None),
        ("2024-02-30T10:00Z", None),
        ("", None),
    ],
)
def test_lastmod_is_read_as_a_timezone_aware_datetime(
    written: str, expected: datetime | None
) -> None:
    data = f"<urlset><url><loc>/x</loc><lastmod>{written}</lastmod></url></urlset>".encode()

    lastmod = parse_sitemap(data, BASE).pages[0].lastmod

    assert lastmod == expected
    assert lastmod is None or lastmod.tzinfo is not None


# -- plain text, RSS and Atom ----------------------------------------------------------


def test_a_text_sitemap_is_one_url_per_line() -> None:
    data = (
        b"\xef\xbb\xbfhttps://a.example/1\r\nhttps://a.example/2\n\n   https://a.example/3   \r"
        b"not a url\nhttps://a.example/1\n"
    )

    sitemap = parse_sitemap(data, "https://a.example/sitemap.txt")

    assert sitemap.format is SitemapFormat.TEXT
    assert page_urls(sitemap) == [
        "https://a.example/1",
        "https://a.example/2",
        "https://a.example/3",
    ]
    assert sitemap.dropped == {DropReason.MALFORMED: 1, DropReason.DUPLICATE: 1}


def test_an_rss_feed_gives_its_item_links_and_pubdates() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>A</title><link>https://a.example/</link>
  <atom:link href="https://a.example/feed/" rel="self" type="application/rss+xml"/>
  <item><title>One</title><link>https://a.example/one</link>
        <pubDate>Wed, 01 May 2024 10:30:15 +0000</pubDate>
        <guid isPermaLink="false">https://a.example/?p=1</guid></item>
  <item><title>Two</title><link> https://a.example/two </link></item>
  <item><title>No link</title></item>
</channel>
</rss>"""

    sitemap = parse_sitemap(data, "https://a.example/feed/")

    assert sitemap.format is SitemapFormat.RSS
    assert page_urls(sitemap) == ["https://a.example/one", "https://a.example/two"]
    assert sitemap.pages[0].lastmod == datetime(2024, 5, 1, 10, 30, 15, tzinfo=UTC)
    assert sitemap.dropped == {DropReason.NO_URL: 1}


def test_an_rss_1_feed_gives_its_item_links() -> None:
    data = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://a.example/"><link>https://a.example/</link></channel>
  <item rdf:about="https://a.example/one"><link>https://a.example/one</link>
        <dc:date>2024-05-01</dc:date></item>
</rdf:RDF>"""

    sitemap = parse_sitemap(data, "https://a.example/rss")

    assert sitemap.format is SitemapFormat.RSS
    assert page_urls(sitemap) == ["https://a.example/one"]
    assert sitemap.pages[0].lastmod == datetime(2024, 5, 1, tzinfo=UTC)


def test_an_atom_feed_gives_each_entrys_alternate_link() -> None:
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="https://a.example/" rel="alternate"/>
  <entry><link rel="edit" href="https://a.example/edit/1"/>
         <link rel="alternate" href="https://a.example/one"/>
         <updated>2024-05-01T10:30:00Z</updated></entry>
  <entry><link href="/two"/></entry>
  <entry><link rel="enclosure" href="https://a.example/two.mp3"/></entry>
  <entry><link/><link href=" "/><link href="/three"/></entry>
</feed>"""

    sitemap = parse_sitemap(data, "https://a.example/atom.xml")

    assert sitemap.format is SitemapFormat.ATOM
    assert page_urls(sitemap) == [
        "https://a.example/one",
        "https://a.example/two",
        "https://a.example/three",
    ]
    assert sitemap.pages[0].lastmod == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert sitemap.dropped == {DropReason.NO_URL: 1}


# -- gzip ------------------------------------------------------------------------------


def test_gzip_is_recognised_by_its_magic_bytes() -> None:
    sitemap = parse_sitemap(gzip.compress(urlset("https://a.example/x")), BASE)

    assert sitemap.is_gzip
    assert page_urls(sitemap) == ["https://a.example/x"]
    assert sitemap.problems == ()


def test_gzip_inside_gzip_and_several_members_are_read() -> None:
    first, second = urlset("https://a.example/1"), b"https://a.example/2\n"
    twice = gzip.compress(gzip.compress(first))
    members = gzip.compress(b"https://a.example/1\n") + gzip.compress(second)

    assert page_urls(parse_sitemap(twice, BASE)) == ["https://a.example/1"]
    assert page_urls(parse_sitemap(members, BASE)) == ["https://a.example/1", "https://a.example/2"]


def test_a_cut_gzip_stream_keeps_what_came_before_the_cut() -> None:
    data = urlset(*(f"https://a.example/{i}" for i in range(2000)))
    compressed = gzip.compress(data)

    sitemap = parse_sitemap(compressed[: len(compressed) // 2], BASE)

    assert sitemap.is_truncated
    assert "the gzip stream ends early" in sitemap.problems
    assert 0 < len(sitemap.pages) < 2000
    assert page_urls(sitemap) == [f"https://a.example/{i}" for i in range(len(sitemap.pages))]


def test_a_damaged_gzip_stream_keeps_what_came_before_the_damage() -> None:
    compressed = bytearray(gzip.compress(urlset(*(f"https://a.example/{i}" for i in range(2000)))))
    compressed[-8:-4] = bytes(byte ^ 0xFF for byte in compressed[-8:-4])  # the CRC-32

    sitemap = parse_sitemap(bytes(compressed), BASE)

    assert sitemap.is_truncated
    assert sitemap.problems == (
        "the gzip stream is damaged (Error -3 while decompressing data: incorrect data check)",
    )
    assert len(sitemap.pages) == 2000


def test_a_gzip_bomb_stops_at_the_protocols_50_mb() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    megabyte = b" " * (1 << 20)
    bomb = b"".join(packer.compress(megabyte) for _ in range(64)) + packer.flush()
    assert len(bomb) < 100_000

    sitemap = parse_sitemap(bomb, BASE)

    assert sitemap.is_gzip
    assert sitemap.is_truncated
    assert f"decompressed up to {MAX_SITEMAP_BYTES:,} bytes, the protocol's limit" in (
        sitemap.problems
    )
    assert sitemap.format is SitemapFormat.UNKNOWN


def test_binary_data_is_not_read_as_a_text_sitemap() -> None:
    sitemap = parse_sitemap(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BASE)

    assert sitemap.format is SitemapFormat.UNKNOWN
    assert sitemap.problems == ("binary data, not a sitemap",)


# -- the protocol's limits ---------------------------------------------------------------


def test_reading_stops_at_the_url_limit_and_says_so() -> None:
    data = urlset(*(f"https://a.example/{i}" for i in range(12)))

    capped = parse_sitemap(data, BASE, max_urls=10)
    exact = parse_sitemap(data, BASE, max_urls=12)

    assert page_urls(capped) == [f"https://a.example/{i}" for i in range(10)]
    assert capped.is_truncated
    assert capped.problems == ("read the first 10 entries, the protocol's limit",)
    assert len(exact.pages) == 12
    assert not exact.is_truncated


def test_the_default_url_limit_is_the_protocols_50000() -> None:
    lines = "".join(f"https://a.example/{i}\n" for i in range(MAX_SITEMAP_URLS + 1)).encode()

    sitemap = parse_sitemap(lines, "https://a.example/sitemap.txt")

    assert len(sitemap.pages) == MAX_SITEMAP_URLS == 50_000
    assert sitemap.is_truncated


def test_dropped_entries_count_against_the_url_limit() -> None:
    data = urlset("mailto:a@a.example", "https://a.example/1", "https://a.example/2")

    sitemap = parse_sitemap(data, BASE, max_urls=2)

    assert page_urls(sitemap) == ["https://a.example/1"]
    assert sitemap.entries == 2
    assert sitemap.is_truncated


def test_reading_stops_at_the_byte_limit_and_says_so() -> None:
    data = urlset(*(f"https://a.example/{i}" for i in range(100)))

    sitemap = parse_sitemap(data, BASE, max_bytes=len(data) // 2)

    assert sitemap.is_truncated
    assert sitemap.problems[0] == f"read up to {len(data) // 2:,} bytes, the protocol's limit"
    assert 0 < len(sitemap.pages) < 100


# -- what is dropped, and why ----------------------------------------------------------


def test_unusable_entries_are_dropped_and_counted_by_reason() -> None:
    data = f"""<urlset {NS}>
      <url><loc>mailto:someone@a.example</loc></url>
      <url><loc>ftp://a.example/file</loc></url>
      <url><loc>javascript:void(0)</loc></url>
      <url><loc>page.html</loc></url>
      <url><loc>a.example/page</loc></url>
      <url><loc>https://a example/</loc></url>
      <url><loc>https://a.example:99999/</loc></url>
      <url><loc>https://a.example/{"x" * 9000}</loc></url>
      <url><loc>   </loc></url>
      <url><lastmod>2024-05-01</lastmod></url>
      <url><loc>https://a.example/kept</loc></url>
      <url><loc>https://a.example/kept#again</loc></url>
      <url><loc>https://elsewhere.example/</loc></url>
    </urlset>""".encode()

    sitemap = parse_sitemap(data, BASE)

    assert page_urls(sitemap) == ["https://a.example/kept"]
    assert sitemap.dropped == {
        DropReason.NOT_HTTP: 3,
        DropReason.MALFORMED: 5,
        DropReason.NO_URL: 2,
        DropReason.DUPLICATE: 1,
        DropReason.OFF_SITE: 1,
    }
    assert sitemap.entries == 13


def test_absolute_paths_are_resolved_against_the_sitemap_url() -> None:
    sitemap = parse_sitemap(
        urlset("/a", "//a.example/b", "/../c"), "https://a.example/sitemaps/s.xml"
    )

    assert page_urls(sitemap) == [
        "https://a.example/a",
        "https://a.example/b",
        "https://a.example/c",
    ]


def test_the_sitemap_url_must_be_a_url() -> None:
    with pytest.raises(InvalidUrl):
        parse_sitemap(urlset("https://a.example/"), "not a url")


# -- the cross-host rule ---------------------------------------------------------------


def test_a_sitemap_lists_the_pages_of_its_own_site_whatever_the_host_or_scheme() -> None:
    sitemap = parse_sitemap(
        urlset(
            "https://a.example/1",
            "http://a.example/2",
            "https://www.a.example/3",
            "https://blog.a.example/4",
            "https://b.example/5",
            "https://a.example.evil.example/6",
        ),
        "http://a.example/sitemap.xml",
    )

    assert page_urls(sitemap) == [
        "https://a.example/1",
        "http://a.example/2",
        "https://www.a.example/3",
        "https://blog.a.example/4",
    ]
    assert sitemap.dropped == {DropReason.OFF_SITE: 2}


def test_a_sitemap_index_lists_only_sitemaps_of_its_own_site() -> None:
    data = (
        b"<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap>"
        b"<sitemap><loc>https://b.example/s2.xml</loc></sitemap></sitemapindex>"
    )

    sitemap = parse_sitemap(data, BASE)

    assert [entry.url for entry in sitemap.sitemaps] == ["https://a.example/s1.xml"]
    assert sitemap.dropped == {DropReason.OFF_SITE: 1}


def test_cross_submission_lets_a_hosted_sitemap_list_the_submitting_sites_pages() -> None:
    hosted = "https://sitemaps.cdn.example/a/sitemap.xml"
    data = urlset("https://a.example/1", "https://cdn.example/2", "https://b.example/3")

    own = parse_sitemap(data, hosted)
    submitted = parse_sitemap(data, hosted, scope=SitemapScope.of(hosted, "https://a.example/"))

    assert page_urls(own) == ["https://cdn.example/2"]
    assert page_urls(submitted) == ["https://a.example/1", "https://cdn.example/2"]
    assert submitted.dropped == {DropReason.OFF_SITE: 1}


def test_the_scope_is_the_registrable_domain_private_suffixes_included() -> None:
    scope = SitemapScope.of("https://alice.github.io/sitemap.xml")

    assert scope.admits(parse_url("https://alice.github.io/post"))
    assert not scope.admits(parse_url("https://bob.github.io/post"))
    assert SitemapScope.of("https://a.example.co.uk/").admits(
        parse_url("http://www.a.example.co.uk/")
    )
    assert not SitemapScope.of("https://a.co.uk/").admits(parse_url("https://b.co.uk/"))


def test_an_ip_address_is_its_own_site() -> None:
    scope = SitemapScope.of("http://192.0.2.1:8080/sitemap.xml")

    assert scope.sites == frozenset({"192.0.2.1"})
    assert scope.admits(parse_url("http://192.0.2.1/x"))
    assert not scope.admits(parse_url("http://192.0.2.2/x"))


def test_a_scope_widens_by_a_url() -> None:
    scope = SitemapScope.of("https://a.example/").widened("https://cdn.example/s.xml")

    assert scope.sites == frozenset({"a.example", "cdn.example"})


# -- hostile XML -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset><url><loc>https://a.example/&lol9;</loc></url></urlset>"""


def test_a_billion_laughs_bomb_is_refused_before_anything_expands() -> None:
    sitemap = parse_sitemap(BILLION_LAUGHS, BASE)

    assert sitemap.pages == ()
    assert sitemap.entries == 0
    assert sitemap.is_truncated
    assert sitemap.problems == (
        "the document declares the entity 'lol' (an XML bomb or an external entity)",
    )


def test_a_quadratic_blowup_is_refused() -> None:
    entity = "x" * 100_000
    data = (
        f'<!DOCTYPE urlset [<!ENTITY a "{entity}">]>'
        f"<urlset><url><loc>https://a.example/{'&a;' * 1000}</loc></url></urlset>"
    ).encode()

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.entries == 0
    assert "declares the entity 'a'" in sitemap.problems[0]


def test_an_external_entity_is_neither_read_nor_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = (
        f'<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>https://a.example/&xxe;</loc></url></urlset>"
    ).encode()

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.entries == 0
    assert "declares the entity 'xxe'" in sitemap.problems[0]
    assert "TOPSECRET" not in repr(sitemap)


def test_an_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">')
    data = (
        f'<!DOCTYPE urlset SYSTEM "{dtd.as_uri()}">'
        "<urlset><url><loc>https://a.example/&xxe;</loc></url>"
        "<url><loc>https://a.example/after</loc></url></urlset>"
    ).encode()

    sitemap = parse_sitemap(data, BASE)

    assert "TOPSECRET" not in repr(sitemap)
    assert "https://a.example/after" in page_urls(sitemap)


def test_a_parameter_entity_is_refused() -> None:
    data = (
        b'<!DOCTYPE urlset [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>'
        b"<urlset><url><loc>https://a.example/</loc></url></urlset>"
    )

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.entries == 0
    assert "declares the entity 'p'" in sitemap.problems[0]


# -- broken XML ------------------------------------------------------------------------


def test_a_cut_document_keeps_the_entries_before_the_cut() -> None:
    data = urlset(*(f"https://a.example/{i}" for i in range(10)))
    cut = data[: data.index(b"https://a.example/7")]

    sitemap = parse_sitemap(cut, BASE)

    assert page_urls(sitemap) == [f"https://a.example/{i}" for i in range(7)]
    assert sitemap.is_truncated
    assert sitemap.problems[0].startswith("XML error: ")


def test_bare_ampersands_and_html_entities_are_repaired() -> None:
    data = (
        b"<urlset><url><loc>https://a.example/a?x=1&y=2</loc></url>"
        b"<url><loc>https://a.example/caf&eacute;&nbsp;</loc></url>"
        b"<url><loc>https://a.example/&bogus;</loc></url>"
        b"<url><loc><![CDATA[https://a.example/c?d=1&amp;e]]></loc></url>"
        b"<url><loc>https://a.example/&#233;&amp;&lt;</loc></url></urlset>"
    )

    sitemap = parse_sitemap(data, BASE)

    assert page_urls(sitemap) == [
        "https://a.example/a?x=1&y=2",
        "https://a.example/caf%C3%A9",
        "https://a.example/&bogus;",
        "https://a.example/c?d=1&amp;e",
        "https://a.example/%C3%A9&%3C",
    ]
    assert not sitemap.is_truncated
    assert len(sitemap.problems) == 1
    assert sitemap.problems[0].endswith("read again with bare '&' escaped")


def test_an_html_page_is_not_a_sitemap() -> None:
    data = b"<!DOCTYPE html><html><head><title>Not found</title></head><body></body></html>"

    sitemap = parse_sitemap(data, BASE)

    assert sitemap.format is SitemapFormat.UNKNOWN
    assert sitemap.problems == ("the root element <html> is not a sitemap or a feed",)
    assert sitemap.entries == 0


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the document is empty"),
        (b" \r\n\t", "the document is empty"),
        (b"\xef\xbb\xbf", "the document is empty"),
        (b"<", "not XML: "),
        (b"<?xml version='1.0'?>", "not XML: "),
    ],
)
def test_no_document_is_unknown(data: bytes, problem: str) -> None:
    sitemap = parse_sitemap(data, BASE)

    assert sitemap.format is SitemapFormat.UNKNOWN
    assert sitemap.problems[0].startswith(problem)


def test_declared_encodings_are_honoured() -> None:
    utf16 = urlset("https://a.example/caf\u00e9").decode().replace("UTF-8", "UTF-16")
    latin = (
        b'<?xml version="1.0" encoding="windows-1252"?><urlset><url><loc>/\x80</loc></url></urlset>'
    )

    assert page_urls(parse_sitemap(utf16.encode("utf-16"), BASE)) == ["https://a.example/caf%C3%A9"]
    assert page_urls(parse_sitemap(latin, BASE)) == ["https://a.example/%E2%82%AC"]


@pytest.mark.parametrize("encoding", ["TF-8", "Shift_JIS", "hex", "idna"])
def test_an_encoding_expat_cannot_use_is_read_as_utf_8(encoding: str) -> None:
    data = urlset("https://a.example/caf\u00e9").replace(b"UTF-8", encoding.encode())

    sitemap = parse_sitemap(data, BASE)

    assert page_urls(sitemap) == ["https://a.example/caf%C3%A9"]
    assert sitemap.problems[0].startswith("the declared encoding cannot be read (")
    assert sitemap.problems[0].endswith("; read as UTF-8")
    assert len(sitemap.problems) == 1


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_sitemap(data: bytes) -> None:
    sitemap = parse_sitemap(data, BASE)

    assert sitemap.entries == len(sitemap.pages) + len(sitemap.sitemaps) + sum(
        sitemap.dropped.values()
    )


@settings(max_examples=300)
@given(st.data())
def test_any_damage_to_a_sitemap_gives_a_sitemap(data: st.DataObject) -> None:
    document = bytearray(urlset("https://a.example/1", "/2?a=1&amp;b", "mailto:x"))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(document) - 1))
        document[position : position + 1] = data.draw(st.binary(max_size=3))

    sitemap = parse_sitemap(bytes(document), BASE)

    assert all(normalize_url(entry.url) == entry.url for entry in sitemap.pages)


# -- where to start --------------------------------------------------------------------


def test_the_robots_sitemap_lines_are_where_to_start() -> None:
    robots = parse_robots(
        "User-agent: *\nDisallow:\n"
        "Sitemap: https://a.example/sitemap_index.xml\n"
        "sitemap: /news-sitemap.xml\n"
        "Sitemap: https://sitemaps.cdn.example/a.xml.gz\n"
        "Sitemap: HTTPS://A.EXAMPLE/sitemap_index.xml\n"
        "Sitemap: ftp://a.example/x.xml\n"
        "Sitemap: https://bad host/x.xml\n"
    )

    assert sitemap_locations("https://a.example/some/page", robots) == (
        "https://a.example/sitemap_index.xml",
        "https://a.example/news-sitemap.xml",
        "https://sitemaps.cdn.example/a.xml.gz",
    )


@pytest.mark.parametrize(
    "robots",
    [None, "User-agent: *\nDisallow: /private/\n", "Sitemap: mailto:webmaster@a.example\n"],
    ids=["no-robots", "no-sitemap-line", "no-usable-line"],
)
def test_sitemap_xml_is_where_to_start_when_robots_names_none(robots: str | None) -> None:
    parsed = None if robots is None else parse_robots(robots)

    assert sitemap_locations("http://A.example:8080/x?y", parsed) == (
        "http://a.example:8080/sitemap.xml",
    )


def test_where_to_start_needs_a_site_url() -> None:
    with pytest.raises(InvalidUrl):
        sitemap_locations("a.example", None)


ROBOTS_CORPUS = SHARED_DATA / "robots" / "protego_test_data_robotstxt.tar.xz"


@pytest.mark.slow
def test_where_to_start_over_4231_real_robots_files() -> None:
    if not ROBOTS_CORPUS.exists():
        pytest.skip(f"{ROBOTS_CORPUS} is not here")
    counts: Counter[str] = Counter()
    with tarfile.open(ROBOTS_CORPUS) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            site = f"https://{member.name.rpartition('/')[2]}/"
            robots = parse_robots(handle.read())
            locations = sitemap_locations(site, robots)
            own = SitemapScope.of(site)
            counts["files"] += 1
            counts["fallback"] += not robots.sitemaps
            counts["locations"] += len(locations)
            for location in locations:
                assert normalize_url(location) == location
                counts["other site"] += not own.admits(parse_url(location))

    # 297 of the locations are on another site (S3 buckets, sitemap hosts, sister
    # sites): cross-submission is common enough that the rule must allow it.
    assert counts == {"files": 4231, "fallback": 2033, "locations": 12242, "other site": 297}
