from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from linkequity.model.records import FetchedPage, WatLink, WatLinks
from linkequity.parsing.fetched import read_fetched_page, read_wat_page

WHEN = datetime(2024, 5, 1, 12, 0)
ARTICLE = b"""<!doctype html><html lang="en"><head><title>Garden tips</title>
<meta name="robots" content="noarchive"></head><body>
<nav><a href="/">Home</a></nav>
<article><p>Our favourite <a href="https://shop.example/spade" rel="sponsored">steel spade</a>
digs the heaviest clay without bending, season after season, in every garden we tried.</p>
<a href="/gallery"><img src="g.png" alt="Gallery"></a></article>
</body></html>"""


def fetch(
    body: bytes = ARTICLE,
    *,
    status: int | None = 200,
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),),
    url: str = "https://blog.example/tips",
) -> FetchedPage:
    return FetchedPage(url, WHEN, status, headers, body, record_offset=0)


def test_an_html_page_gives_its_record_and_every_link_with_placement() -> None:
    read = read_fetched_page(fetch())

    assert read.problem is None
    assert read.page.title == "Garden tips"
    assert read.page.language == "en"
    assert read.page.is_indexable is True
    assert read.page.robots == "noarchive"
    assert read.page.fetched_at == WHEN
    by_target = {sighting.target_url: sighting for sighting in read.sightings}
    assert list(by_target) == [
        "https://blog.example/",
        "https://shop.example/spade",
        "https://blog.example/gallery",
    ]
    assert [sighting.row for sighting in read.sightings] == [0, 1, 2]
    spade = by_target["https://shop.example/spade"]
    assert (spade.anchor, spade.is_sponsored, spade.is_nofollow) == ("steel spade", True, False)
    assert (spade.placement, spade.is_hidden, spade.position) == ("content", False, 1)
    assert (spade.source_title, spade.source_status, spade.source_language) == (
        "Garden tips",
        200,
        "en",
    )
    assert spade.first_seen == spade.last_seen == WHEN
    assert spade.left_context is not None
    assert spade.left_context.endswith("Our favourite")
    assert by_target["https://blog.example/"].placement == "navigation"
    gallery = by_target["https://blog.example/gallery"]
    assert (gallery.is_image, gallery.alt, gallery.link_type) == (True, "Gallery", "image")


def test_a_gzipped_chunked_body_is_decoded_before_it_is_read() -> None:
    packed = gzip.compress(ARTICLE)
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    headers = (
        ("Content-Type", "text/html"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Encoding", "gzip"),
    )

    read = read_fetched_page(fetch(body, headers=headers))

    assert read.page.title == "Garden tips"
    assert len(read.sightings) == 3


def test_a_redirect_is_one_link_to_its_location() -> None:
    read = read_fetched_page(fetch(b"", status=301, headers=(("Location", "/new-tips"),)))

    assert read.page.final_url == "https://blog.example/new-tips"
    assert (read.page.is_indexable, read.page.non_indexable_reason) == (False, "redirect")
    [sighting] = read.sightings
    assert (sighting.target_url, sighting.link_type, sighting.anchor) == (
        "https://blog.example/new-tips",
        "redirect",
        "",
    )
    assert sighting.source_status == 301


@pytest.mark.parametrize("location", [None, "", "http://[broken", "https://blog.example/tips"])
def test_a_redirect_without_a_usable_location_gives_no_link(location: str | None) -> None:
    headers = () if location is None else (("Location", location),)

    read = read_fetched_page(fetch(b"", status=302, headers=headers))

    assert read.sightings == ()
    assert read.page.non_indexable_reason == "redirect"


def test_an_error_page_gives_no_links() -> None:
    read = read_fetched_page(fetch(status=404))

    assert read.sightings == ()
    assert (read.page.status, read.page.non_indexable_reason) == (404, "status")
    assert read.page.indexability_detail == "status 404"


def test_a_non_html_body_gives_no_links() -> None:
    read = read_fetched_page(fetch(b"\x89PNG\r\n", headers=(("Content-Type", "image/png"),)))

    assert read.sightings == ()
    assert (read.page.content_type, read.page.non_indexable_reason) == ("image/png", "not_html")


def test_a_body_without_a_content_type_is_sniffed() -> None:
    assert len(read_fetched_page(fetch(headers=())).sightings) == 3
    assert read_fetched_page(fetch(b"%PDF-1.7", headers=())).page.non_indexable_reason == (
        "not_html"
    )


def test_a_body_in_an_unsupported_coding_says_why_it_gave_no_links() -> None:
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "br"))

    read = read_fetched_page(fetch(b"\x8b\x02\x80", headers=headers))

    assert read.sightings == ()
    assert read.problem == "content coding br is not supported"


def test_a_response_without_a_status_line_is_only_recorded() -> None:
    read = read_fetched_page(fetch(status=None))

    assert read.sightings == ()
    assert (read.page.status, read.page.is_indexable) == (None, None)


def test_wat_links_keep_their_rel_and_order_and_leave_placement_unknown() -> None:
    wat = WatLinks(
        "https://blog.example/tips",
        WHEN,
        200,
        (
            WatLink("https://shop.example/", "Shop", frozenset({"nofollow", "ugc"})),
            WatLink("https://blog.example/", "Home"),
        ),
    )

    read = read_wat_page(wat)

    assert (read.page.url, read.page.status, read.page.fetched_at) == (wat.url, 200, WHEN)
    shop, home = read.sightings
    assert (shop.anchor, shop.is_nofollow, shop.is_ugc, shop.is_sponsored) == (
        "Shop",
        True,
        True,
        False,
    )
    assert (home.row, home.position, home.placement, home.is_hidden) == (1, 1, None, None)
