"""Collecting sitemaps through the Fetcher seam, checked against the sample web's manifest."""

from __future__ import annotations

import asyncio
import gzip
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import urlsplit

import pytest

from linkequity.crawl.fetch import FetchResult
from linkequity.crawl.sitemaps import (
    DEFAULT_SITEMAP_DEPTH,
    MAX_SITEMAP_REDIRECTS,
    SitemapHarvest,
    collect_sitemap_urls,
)
from linkequity.errors import FetchFailed, HostNotFound, InvalidUrl
from linkequity.model.records import FetchedPage
from linkequity.parsing.robots import parse_robots
from linkequity.parsing.sitemaps import DropReason, SitemapFormat, sitemap_locations
from linkequity.samples.web import generate_web
from linkequity.samples.web.manifest import url_statuses

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

    from linkequity.samples.web import SampleWeb
    from linkequity.samples.web.spec import Site

Answer: TypeAlias = tuple[int, tuple[tuple[str, str], ...], bytes] | FetchFailed
A = "https://a.example"


class SampleWebFetcher:
    """A Fetcher over the sample web, with answers of its own in front; records each request."""

    def __init__(self, web: SampleWeb | None = None, answers: Mapping[str, Answer] = {}) -> None:
        self.web = web
        self.answers = dict(answers)
        self.requests: list[str] = []
        self.skipped_bodies: set[str] = set()
        self.truncated_bodies: set[str] = set()

    async def fetch(self, url: str, /) -> FetchResult:
        self.requests.append(url)
        answer = self.answers.get(url)
        if isinstance(answer, FetchFailed):
            raise answer
        if answer is None and self.web is None:
            raise HostNotFound(f"cannot resolve {urlsplit(url).hostname}")
        if answer is None:
            assert self.web is not None
            response = self.web.respond(url)
            answer = (response.status, response.headers, response.body)
        status, headers, body = answer
        is_skipped = url in self.skipped_bodies
        page = FetchedPage(url, None, status, headers, b"" if is_skipped else body, 0)
        return FetchResult(
            page, is_truncated=url in self.truncated_bodies, is_body_skipped=is_skipped
        )

    async def aclose(self) -> None:
        return None


def ok(body: bytes | str, content_type: str = "application/xml") -> Answer:
    data = body.encode() if isinstance(body, str) else body
    return (200, (("Content-Type", content_type),), data)


def moved(location: str, status: int = 301) -> Answer:
    return (status, (("Location", location),), b"")


def urlset(*urls: str) -> str:
    return "<urlset>" + "".join(f"<url><loc>{url}</loc></url>" for url in urls) + "</urlset>"


def index(*urls: str) -> str:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f"<sitemapindex>{entries}</sitemapindex>"


def collect(
    fetcher: SampleWebFetcher,
    urls: Iterable[str],
    *,
    max_sitemaps: int = 100,
    max_urls: int = 1_000_000,
    max_depth: int = DEFAULT_SITEMAP_DEPTH,
    submitted_by: str | None = None,
    is_allowed: Callable[[str], bool | Awaitable[bool]] | None = None,
) -> SitemapHarvest:
    return asyncio.run(
        collect_sitemap_urls(
            fetcher,
            urls,
            max_sitemaps=max_sitemaps,
            max_urls=max_urls,
            max_depth=max_depth,
            submitted_by=submitted_by,
            is_allowed=is_allowed,
        )
    )


def listed_in_manifest(statuses: Mapping[str, Mapping[str, object]], site: Site) -> list[str]:
    """The site's pages the manifest says answer 200 and are indexable: what its sitemaps list."""
    return [
        url
        for url, entry in statuses.items()
        if urlsplit(url).hostname == site.host
        and entry["expected"] == "200"
        and not urlsplit(url).path.startswith(("/robots.txt", "/sitemap"))
    ]


def harvest_site(web: SampleWeb, site: Site, fetcher: SampleWebFetcher) -> SitemapHarvest:
    home = site.url("/")
    robots = web.respond(site.url("/robots.txt"))
    locations = sitemap_locations(home, parse_robots(robots.body))
    return collect(fetcher, locations, submitted_by=home)


# -- the sample web --------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_web() -> SampleWeb:
    return generate_web(1)


@pytest.fixture(scope="module")
def big_web() -> SampleWeb:
    # About 5,500 pages on the money site: more than one sitemap file holds, so an index.
    return generate_web(1, sites=14, pages=30_000)


@pytest.fixture(scope="module")
def big_target_pages(big_web: SampleWeb) -> list[str]:
    return listed_in_manifest(url_statuses(big_web.spec), big_web.target)


def test_every_sites_sitemaps_give_exactly_the_pages_the_manifest_lists(
    small_web: SampleWeb,
) -> None:
    statuses = small_web.manifest()["urls"]
    fallbacks = 0
    for site in small_web.sites:
        fetcher = SampleWebFetcher(small_web)

        harvest = harvest_site(small_web, site, fetcher)

        assert list(harvest.urls) == listed_in_manifest(statuses, site), site.host
        assert [report.url for report in harvest.reports] == [site.url("/sitemap.xml")]
        assert harvest.reports[0].format is SitemapFormat.URLSET
        assert harvest.reports[0].status == 200
        assert harvest.reports[0].is_read
        assert harvest.reports[0].dropped == {}
        assert fetcher.requests == [site.url("/sitemap.xml")]
        assert not harvest.is_truncated
        fallbacks += not site.has_sitemap_line
    assert fallbacks > 0  # sites whose robots.txt names no sitemap were read from /sitemap.xml


def test_a_sitemap_index_is_followed_to_its_parts(
    big_web: SampleWeb, big_target_pages: list[str]
) -> None:
    site = big_web.target
    fetcher = SampleWebFetcher(big_web)

    harvest = harvest_site(big_web, site, fetcher)

    expected = big_target_pages
    assert len(expected) > 5000
    assert list(harvest.urls) == expected
    parts = [site.url(f"/sitemap-{part}.xml") for part in (1, 2)]
    assert fetcher.requests == [site.url("/sitemap.xml"), *parts]
    first, *rest = harvest.reports
    assert (first.format, first.depth, first.sitemaps, first.pages) == (
        SitemapFormat.INDEX,
        0,
        2,
        0,
    )
    assert [(r.url, r.depth, r.format) for r in rest] == [
        (url, 1, SitemapFormat.URLSET) for url in parts
    ]
    assert sum(report.new_pages for report in harvest.reports) == len(expected)


def test_max_sitemaps_stops_the_harvest_and_says_so(big_web: SampleWeb) -> None:
    site = big_web.target
    fetcher = SampleWebFetcher(big_web)

    harvest = collect(fetcher, [site.url("/sitemap.xml")], max_sitemaps=2)

    assert len(harvest.reports) == 2
    assert len(harvest.pages) == 5000
    assert harvest.unread == 1
    assert harvest.stopped_by == "max_sitemaps (2)"
    assert harvest.is_truncated


def test_max_urls_stops_the_harvest_at_that_many_urls(
    big_web: SampleWeb, big_target_pages: list[str]
) -> None:
    site = big_web.target
    expected = big_target_pages
    fetcher = SampleWebFetcher(big_web)

    harvest = collect(fetcher, [site.url("/sitemap.xml")], max_urls=100)

    assert list(harvest.urls) == expected[:100]
    assert harvest.stopped_by == "max_urls (100)"
    assert harvest.reports[-1].pages == 5000
    assert harvest.reports[-1].new_pages == 100
    assert harvest.unread == 1
    assert len(fetcher.requests) == 2


def test_max_urls_reached_in_the_last_sitemap_is_said() -> None:
    fetcher = SampleWebFetcher(answers={f"{A}/s.xml": ok(urlset("/1", "/2", "/3"))})

    harvest = collect(fetcher, [f"{A}/s.xml"], max_urls=2)

    assert harvest.urls == (f"{A}/1", f"{A}/2")
    assert harvest.stopped_by == "max_urls (2)"
    assert harvest.unread == 0


# -- redirects -------------------------------------------------------------------------


def test_redirects_are_followed_and_relative_urls_resolved_against_the_last_hop() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/sitemap.xml": moved("/new/sitemap.xml", 301),
            f"{A}/new/sitemap.xml": moved(f"{A}/newer/sitemap.xml", 308),
            f"{A}/newer/sitemap.xml": ok(urlset("/1", "2")),
        }
    )

    harvest = collect(fetcher, [f"{A}/sitemap.xml"])

    assert harvest.urls == (f"{A}/1",)
    (report,) = harvest.reports
    assert report.url == f"{A}/sitemap.xml"
    assert report.final_url == f"{A}/newer/sitemap.xml"
    assert report.status == 200
    assert report.dropped == {DropReason.MALFORMED: 1}


def test_five_redirects_are_followed_and_a_sixth_is_not() -> None:
    hops = {f"{A}/s{n}.xml": moved(f"/s{n + 1}.xml", 302) for n in range(MAX_SITEMAP_REDIRECTS)}
    five = SampleWebFetcher(answers={**hops, f"{A}/s5.xml": ok(urlset("/page"))})
    six = SampleWebFetcher(answers={**hops, f"{A}/s5.xml": moved("/s6.xml", 307)})

    assert collect(five, [f"{A}/s0.xml"]).urls == (f"{A}/page",)
    harvest = collect(six, [f"{A}/s0.xml"])
    assert harvest.urls == ()
    (report,) = harvest.reports
    assert report.error == "more than 5 redirects"
    assert report.status == 307
    assert report.final_url == f"{A}/s5.xml"
    assert len(six.requests) == 6


def test_a_redirect_loop_is_stopped_where_it_closes() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/a.xml": moved("/b.xml"),
            f"{A}/b.xml": moved("/c.xml"),
            f"{A}/c.xml": moved("/b.xml"),
        }
    )

    (report,) = collect(fetcher, [f"{A}/a.xml"]).reports

    assert report.error == f"a redirect loop: {A}/b.xml -> {A}/c.xml -> {A}/b.xml"
    assert fetcher.requests == [f"{A}/a.xml", f"{A}/b.xml", f"{A}/c.xml"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((301, (), b""), "HTTP 301 without a Location"),
        (moved("mailto:webmaster@a.example"), "HTTP 301 to 'mailto:webmaster@a.example', "),
        ((304, (), b""), "HTTP 304"),
        ((404, (), b"<html>Not found</html>"), "HTTP 404"),
        ((503, (), b""), "HTTP 503"),
        ((None, (), b""), "no HTTP status"),
        (HostNotFound("a.example has no address"), "HostNotFound: a.example has no address"),
        (FetchFailed("connection reset"), "FetchFailed: connection reset"),
    ],
)
def test_a_sitemap_that_cannot_be_read_is_reported_and_the_others_are_read(
    answer: Answer, error: str
) -> None:
    fetcher = SampleWebFetcher(
        answers={f"{A}/bad.xml": answer, f"{A}/good.xml": ok(urlset("/page"))}
    )

    harvest = collect(fetcher, [f"{A}/bad.xml", f"{A}/good.xml"])

    assert harvest.urls == (f"{A}/page",)
    bad, good = harvest.reports
    assert bad.error is not None
    assert bad.error.startswith(error)
    assert not bad.is_read
    assert good.is_read


def test_a_redirect_to_a_sitemap_met_before_is_not_read_twice() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/sitemap.xml": ok(urlset("/1")),
            f"{A}/old-sitemap.xml": moved("/sitemap.xml"),
        }
    )

    harvest = collect(fetcher, [f"{A}/sitemap.xml", f"{A}/old-sitemap.xml"])

    assert harvest.urls == (f"{A}/1",)
    assert (
        harvest.reports[1].error
        == f"redirects to {A}/sitemap.xml, a sitemap listed or reached before"
    )
    assert fetcher.requests == [f"{A}/sitemap.xml", f"{A}/old-sitemap.xml"]


# -- indexes ---------------------------------------------------------------------------


def test_each_sitemap_is_fetched_once_and_pages_are_kept_once_in_order() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/index.xml": ok(index("/index.xml", "/1.xml", "/2.xml", "/1.xml")),
            f"{A}/1.xml": ok(urlset("/a", "/b")),
            f"{A}/2.xml": ok(urlset("/b", "/c", "/a")),
        }
    )

    harvest = collect(
        fetcher, [f"{A}/index.xml", "HTTPS://A.example/index.xml", f"{A}:443/index.xml"]
    )

    assert harvest.urls == (f"{A}/a", f"{A}/b", f"{A}/c")
    assert fetcher.requests == [f"{A}/index.xml", f"{A}/1.xml", f"{A}/2.xml"]
    assert [(r.pages, r.new_pages) for r in harvest.reports] == [(0, 0), (2, 2), (3, 1)]


def test_nested_indexes_are_followed_down_to_max_depth() -> None:
    answers: dict[str, Answer] = {
        f"{A}/i{n}.xml": ok(index(f"/i{n + 1}.xml", f"/u{n}.xml")) for n in range(6)
    }
    answers.update({f"{A}/u{n}.xml": ok(urlset(f"/page{n}")) for n in range(6)})
    fetcher = SampleWebFetcher(answers=answers)

    deep = collect(fetcher, [f"{A}/i0.xml"])
    shallow = collect(SampleWebFetcher(answers=answers), [f"{A}/i0.xml"], max_depth=1)

    assert DEFAULT_SITEMAP_DEPTH == 3
    assert deep.urls == tuple(f"{A}/page{n}" for n in range(3))
    assert shallow.urls == (f"{A}/page0",)
    assert [(r.url, r.error) for r in shallow.reports if not r.is_read] == [
        (f"{A}/i2.xml", "a sitemap index nested deeper than 1 levels"),
        (f"{A}/u1.xml", "a sitemap index nested deeper than 1 levels"),
    ]


def test_gzip_sitemaps_text_sitemaps_and_feeds_are_read_alike() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/index.xml.gz": ok(gzip.compress(index("/a.xml.gz", "/b.txt", "/feed").encode())),
            f"{A}/a.xml.gz": ok(gzip.compress(urlset("/1").encode()), "application/x-gzip"),
            f"{A}/b.txt": ok(f"{A}/2\n{A}/3\n", "text/plain"),
            f"{A}/feed": ok(
                f"<rss><channel><item><link>{A}/4</link></item></channel></rss>",
                "application/rss+xml",
            ),
        }
    )

    harvest = collect(fetcher, [f"{A}/index.xml.gz"])

    assert harvest.urls == tuple(f"{A}/{n}" for n in range(1, 5))
    assert [r.format for r in harvest.reports] == [
        SitemapFormat.INDEX,
        SitemapFormat.URLSET,
        SitemapFormat.TEXT,
        SitemapFormat.RSS,
    ]


# -- the cross-host rule through the crawl ---------------------------------------------

CDN = "https://sitemaps.cdn.example"


def test_a_cross_submitted_sitemap_may_list_the_submitting_sites_pages() -> None:
    answers = {f"{CDN}/a.xml": ok(urlset(f"{A}/1", f"{CDN}/2", "https://b.example/3"))}

    submitted = collect(SampleWebFetcher(answers=answers), [f"{CDN}/a.xml"], submitted_by=A)
    alone = collect(SampleWebFetcher(answers=answers), [f"{CDN}/a.xml"])

    assert submitted.urls == (f"{A}/1", f"{CDN}/2")
    assert submitted.reports[0].dropped == {DropReason.OFF_SITE: 1}
    assert alone.urls == (f"{CDN}/2",)
    assert alone.reports[0].dropped == {DropReason.OFF_SITE: 2}


def test_a_redirect_vouches_for_the_site_it_leads_to() -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/sitemap.xml": moved(f"{CDN}/index.xml"),
            f"{CDN}/index.xml": ok(index(f"{CDN}/part.xml", "https://b.example/part.xml")),
            f"{CDN}/part.xml": ok(urlset(f"{A}/1", f"{CDN}/2", "https://b.example/3")),
        }
    )

    harvest = collect(fetcher, [f"{A}/sitemap.xml"])

    assert harvest.urls == (f"{A}/1", f"{CDN}/2")
    assert harvest.reports[0].final_url == f"{CDN}/index.xml"
    assert harvest.reports[0].dropped == {DropReason.OFF_SITE: 1}
    assert "https://b.example/part.xml" not in fetcher.requests


# -- robots, the fetcher's caps, bad input ----------------------------------------------


def _disallow_private(url: str) -> bool:
    return "/private/" not in url


async def _disallow_private_async(url: str) -> bool:
    await asyncio.sleep(0)
    return _disallow_private(url)


@pytest.mark.parametrize("is_allowed", [_disallow_private, _disallow_private_async])
def test_is_allowed_is_asked_before_each_fetch_redirects_included(
    is_allowed: Callable[[str], bool | Awaitable[bool]],
) -> None:
    fetcher = SampleWebFetcher(
        answers={
            f"{A}/sitemap.xml": ok(index("/private/1.xml", "/2.xml")),
            f"{A}/2.xml": moved("/private/2.xml"),
            f"{A}/private/1.xml": ok(urlset("/x")),
            f"{A}/private/2.xml": ok(urlset("/y")),
        }
    )

    harvest = collect(fetcher, [f"{A}/sitemap.xml"], is_allowed=is_allowed)

    assert harvest.urls == ()
    assert [r.error for r in harvest.reports] == [
        None,
        f"robots.txt disallows {A}/private/1.xml",
        f"robots.txt disallows {A}/private/2.xml",
    ]
    assert fetcher.requests == [f"{A}/sitemap.xml", f"{A}/2.xml"]


def test_a_body_the_fetcher_skipped_is_reported() -> None:
    fetcher = SampleWebFetcher(answers={f"{A}/s.xml": ok(urlset("/1"), "application/octet-stream")})
    fetcher.skipped_bodies.add(f"{A}/s.xml")

    (report,) = collect(fetcher, [f"{A}/s.xml"]).reports

    assert report.error is not None
    assert report.error.startswith("the fetcher did not read the body")
    assert report.status == 200


def test_a_body_the_fetcher_cut_is_read_as_far_as_it_goes() -> None:
    body = urlset("/1", "/2", "/3").encode()
    fetcher = SampleWebFetcher(answers={f"{A}/s.xml": ok(body[: body.index(b"/3")])})
    fetcher.truncated_bodies.add(f"{A}/s.xml")

    harvest = collect(fetcher, [f"{A}/s.xml"])

    assert harvest.urls == (f"{A}/1", f"{A}/2")
    (report,) = harvest.reports
    assert report.is_read
    assert report.is_truncated
    assert report.problems[0] == "the fetcher cut the body at its size cap"


def test_a_sitemap_url_that_is_no_url_is_reported_and_not_fetched() -> None:
    fetcher = SampleWebFetcher(answers={f"{A}/s.xml": ok(urlset("/1"))})

    harvest = collect(fetcher, ["  ftp://a.example/s.xml ", f"{A}/s.xml"])

    assert harvest.urls == (f"{A}/1",)
    bad, good = harvest.reports
    assert bad.url == "ftp://a.example/s.xml"
    assert bad.error is not None
    assert "is not http or https" in bad.error
    assert fetcher.requests == [f"{A}/s.xml"]


def test_the_submitting_site_must_be_a_url() -> None:
    with pytest.raises(InvalidUrl):
        collect(SampleWebFetcher(), [f"{A}/s.xml"], submitted_by="a.example")


def test_nothing_to_collect_is_an_empty_harvest() -> None:
    harvest = collect(SampleWebFetcher(), [])

    assert harvest == SitemapHarvest()
    assert not harvest.is_truncated
