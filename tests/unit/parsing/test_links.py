from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity import Link, Placement, extract_links
from linkequity.model.urls import normalize_url
from linkequity.parsing.html import MAX_HTML_BYTES
from linkequity.parsing.links import (
    CONTEXT_CHARS,
    MAX_LINKS,
    _fold,
    _head,
    _kind_of,
    _tail,
    extract_page_links,
)
from linkequity.parsing.placement import element_signal

PAGE = "https://example.com/dir/page.html"
AEB = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "html" / "scrapinghub_aeb"


def only_link(html: str, base: str = PAGE) -> Link:
    links = extract_links(html, base)
    assert len(links) == 1, links
    return links[0]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="other.html">x</a>', "https://example.com/dir/other.html"),
        ('<a href="../up">x</a>', "https://example.com/up"),
        ('<a href="/root?q=1#frag">x</a>', "https://example.com/root?q=1"),
        ('<a href="//cdn.example.org/a">x</a>', "https://cdn.example.org/a"),
        ('<a href="HTTP://Example.ORG:80/a/./b">x</a>', "http://example.org/a/b"),
        ('<a href=" \n https://example.org/x\t ">x</a>', "https://example.org/x"),
        ('<base href="/base/"><a href="rel">x</a>', "https://example.com/base/rel"),
        (
            '<base href="https://other.example/b/"><a href="rel">x</a>',
            "https://other.example/b/rel",
        ),
        ('<base href="//other.example/b/"><a href="rel">x</a>', "https://other.example/b/rel"),
        ('<base href="javascript:void(0)"><a href="rel">x</a>', "https://example.com/dir/rel"),
        (
            '<base href="/one/"><base href="/two/"><a href="rel">x</a>',
            "https://example.com/one/rel",
        ),
        ('<map><area href="/map-target" alt="Map"></map>', "https://example.com/map-target"),
    ],
)
def test_targets_are_resolved_and_normalised(html: str, expected: str) -> None:
    assert only_link(html).url == expected


@pytest.mark.parametrize(
    ("href", "field"),
    [
        ("javascript:void(0)", "javascript_links"),
        (" JavaScript:alert(1)", "javascript_links"),
        ("mailto:ann@example.com", "mailto_links"),
        ("tel:+441234", "tel_links"),
        ("data:text/html,hi", "data_links"),
        ("ftp://example.com/file", "other_scheme_links"),
        ("sms:123", "other_scheme_links"),
        ("#top", "self_links"),
        ("", "self_links"),
        ("http://[::1", "unresolved_links"),
        ("http://exa mple.com/", "unresolved_links"),
        ("https:///nohost", "unresolved_links"),
    ],
)
def test_non_graph_hrefs_are_counted_not_linked(href: str, field: str) -> None:
    page = extract_page_links(f'<a href="{href}">x</a><a href="{href}">y</a>', PAGE)
    assert page.links == []
    assert getattr(page, field) == 2


def test_fragment_link_with_a_base_elsewhere_is_a_graph_link() -> None:
    assert only_link('<base href="/elsewhere"><a href="#top">x</a>').url == (
        "https://example.com/elsewhere"
    )


def test_anchors_without_href_are_ignored() -> None:
    assert extract_page_links('<a name="x">x</a><a>y</a>', PAGE).links == []


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("nofollow", {"nofollow"}),
        ("NoFollow", {"nofollow"}),
        ("nofollow sponsored", {"nofollow", "sponsored"}),
        ("\tugc\n\fnoopener  ", {"ugc", "noopener"}),
        ("", set()),
    ],
)
def test_rel_tokens(rel: str, expected: set[str]) -> None:
    link = only_link(f'<a href="/x" rel="{rel}">x</a>')
    assert link.rel == expected
    assert link.nofollow is ("nofollow" in expected)
    assert link.sponsored is ("sponsored" in expected)
    assert link.ugc is ("ugc" in expected)
    assert link.passes_equity is not ({"nofollow", "ugc", "sponsored"} & expected)


@pytest.mark.parametrize(
    ("meta", "is_nofollow"),
    [
        ('<meta name="robots" content="nofollow">', True),
        ('<meta name="ROBOTS" content="noindex,NOFOLLOW">', True),
        ('<meta name="robots" content="none">', True),
        ('<meta name="googlebot" content="nofollow">', True),
        ('<meta name="robots" content="noindex nofollow">', True),
        ('<meta name="robots" content="noindex, follow">', False),
        ('<meta name="bingbot" content="nofollow">', False),
        ('<meta name="description" content="nofollow tips">', False),
    ],
)
def test_meta_robots_nofollow_applies_to_every_link(meta: str, is_nofollow: bool) -> None:
    page = extract_page_links(f"<head>{meta}</head><a href=/a>a</a><a href=/b rel=ugc>b</a>", PAGE)
    assert page.has_meta_nofollow is is_nofollow
    assert [link.nofollow for link in page.links] == [is_nofollow, is_nofollow]
    assert "ugc" in page.links[1].rel


@pytest.mark.parametrize(
    ("html", "is_hidden"),
    [
        ('<a href="/x">x</a>', False),
        ('<a href="/x" style="display:none">x</a>', True),
        ('<a href="/x" style="color: red; DISPLAY : NONE !important">x</a>', True),
        ('<a href="/x" style="visibility:hidden">x</a>', True),
        ('<a href="/x" style="font-size:0">x</a>', True),
        ('<a href="/x" style="font-size: 0px;">x</a>', True),
        ('<a href="/x" style="font-size:0em">x</a>', True),
        ('<a href="/x" style="font-size:0.0 !important">x</a>', True),
        ('<a href="/x" style="font-size:10px">x</a>', False),
        ('<a href="/x" style="font-size:0.5em">x</a>', False),
        ('<a href="/x" style="display:block">x</a>', False),
        ('<a href="/x" style="max-display:none">x</a>', False),
        ('<a href="/x" hidden>x</a>', True),
        ('<a href="/x" aria-hidden="true">x</a>', True),
        ('<a href="/x" aria-hidden="false">x</a>', False),
        ('<div style="display:none"><p><span><a href="/x">x</a></span></p></div>', True),
        ('<div aria-hidden="TRUE"><a href="/x">x</a></div>', True),
        ('<section hidden><a href="/x">x</a></section>', True),
        ('<div style="display:none"></div><a href="/x">x</a>', False),
    ],
)
def test_hidden_links(html: str, is_hidden: bool) -> None:
    assert only_link(html).hidden is is_hidden


@pytest.mark.parametrize(
    ("html", "anchor", "is_image", "alt"),
    [
        ('<a href="/x">  Plain\n\t text  </a>', "Plain text", False, None),
        ('<a href="/x">Pay<b>Pal</b></a>', "PayPal", False, None),
        ('<a href="/x"><div>Title</div><div>Desc</div></a>', "Title Desc", False, None),
        ('<a href="/x"><img src="a.png" alt="  A  logo "></a>', "A logo", True, "A logo"),
        ('<a href="/x"> <img src="a.png"> </a>', "", True, ""),
        ('<a href="/x"><img alt="first"><img alt="second"></a>', "first", True, "first"),
        ('<a href="/x"><img alt="logo"> Home</a>', "Home", False, None),
        ('<map><area href="/x" alt="Region"></map>', "Region", True, "Region"),
        ('<a href="/x"><script>var a = 1;</script>Text</a>', "Text", False, None),
    ],
)
def test_anchor_text_and_image_links(html: str, anchor: str, is_image: bool, alt: str) -> None:
    link = only_link(html)
    assert (link.anchor_text, link.is_image, link.alt) == (anchor, is_image, alt)


def test_title_attribute_is_folded() -> None:
    assert only_link('<a href="/x" title=" The\n title ">x</a>').title == "The title"
    assert only_link('<a href="/x">x</a>').title is None


def test_positions_count_graph_links_only() -> None:
    html = '<a href="/a">a</a><a href="mailto:x@y">m</a><a href="#t">t</a><a href="/b">b</a>'
    assert [(link.url[-1], link.position) for link in extract_links(html, PAGE)] == [
        ("a", 0),
        ("b", 1),
    ]


def test_context_is_the_text_around_the_link() -> None:
    html = (
        "<p>Before   the\n link we talk about roses</p>"
        '<p>and pruning <a href="/x">the guide</a> after it, <b>bold</b> words.</p>'
    )
    link = only_link(html)
    assert link.left_context == "Before the link we talk about roses and pruning"
    assert link.right_context == "after it, bold words."


def test_context_is_about_one_hundred_characters_cut_at_words() -> None:
    words = " ".join(f"word{i}" for i in range(100))
    link = only_link(f'<p>{words} <a href="/x">anchor</a> {words}</p>')
    assert CONTEXT_CHARS - 10 <= len(link.left_context) <= CONTEXT_CHARS
    assert CONTEXT_CHARS - 10 <= len(link.right_context) <= CONTEXT_CHARS
    assert link.left_context.endswith("word99")
    assert link.left_context.split()[0].startswith("word")
    assert link.right_context.startswith("word0 word1")
    assert not link.right_context.endswith(" ")


def test_script_and_style_text_stay_out_of_context() -> None:
    html = '<style>p{color:red}</style><script>var x = "<a>";</script><p>Hi <a href="/x">x</a></p>'
    assert only_link(html).left_context == "Hi"


def test_page_value_carries_the_page_url() -> None:
    assert extract_page_links("", "HTTPS://Example.com").url == "https://example.com/"


def test_bytes_input_gives_the_same_links_as_text() -> None:
    html = '<meta charset="windows-1251"><p>Ссылка <a href="/путь">якорь</a></p>'
    link = only_link(html.encode("cp1251"))  # type: ignore[arg-type]
    assert link.anchor_text == "якорь"
    assert link.url == normalize_url("https://example.com/путь")


@pytest.mark.parametrize(
    "html",
    [
        '<a href="/x">unclosed',
        '<div><p><a href="/x">text</p></div></a></span>',
        '<a href="/x">x</a><a href="/y"',
        '<a href="/x">x\x00y</a>\x00<a href="/\x00y">z</a>',
        "\x00" * 1000,
        '<a href="/x">' + "<b>" * 5000,
        "<table><tr><td><a href='/x'>x</a>" * 300,
        "<svg><a href='/x'><text>svg</text></a></svg>",
        "<a href='/x'><a href='/y'>nested</a></a>",
        "</div>" * 10_000 + "<div>" * 2_000 + "<a href='/x'>x</a>",
    ],
)
def test_broken_html_never_raises(html: str) -> None:
    page = extract_page_links(html, PAGE)
    assert all(link.url.startswith("https://example.com/") for link in page.links)


def test_nul_bytes_do_not_hide_links() -> None:
    links = extract_links('<a href="/x">x\x00y</a>\x00<a href="/z">z</a>', PAGE)
    assert [link.url for link in links] == ["https://example.com/x", "https://example.com/z"]


def test_deep_nesting_is_flattened_and_links_still_found() -> None:
    html = "<div>" * 20_000 + '<p>deep <a href="/deep">deep link</a></p>' + "</div>" * 20_000
    page = extract_page_links(html, PAGE)
    assert [link.anchor_text for link in page.links] == ["deep link"]
    assert page.is_truncated


@pytest.mark.slow
def test_fifty_megabytes_of_nested_divs_are_cut_to_the_caps() -> None:
    html = "<html><body>" + "<div>" * (50 * 1024 * 1024 // 5) + '<a href="/x">x</a>'
    page = extract_page_links(html, PAGE)
    assert page.is_truncated
    assert len(html) > MAX_HTML_BYTES


def test_link_count_is_capped() -> None:
    html = '<a href="/x">x</a>' * (MAX_LINKS + 5)
    page = extract_page_links(html, PAGE)
    assert len(page.links) == MAX_LINKS
    assert page.is_truncated


def test_fixture_blog_post_reads_like_a_search_engine() -> None:
    html = (Path(__file__).parents[2] / "fixtures" / "html" / "blog_post.html").read_bytes()
    got = {
        (link.anchor_text, link.placement, link.is_image, link.passes_equity)
        for link in extract_links(html, "https://example-garden.com/blog/pruning-roses/")
    }
    assert got == {
        ("Example Garden", Placement.HEADER, True, True),
        ("Blog", Placement.NAVIGATION, False, True),
        ("Shop", Placement.NAVIGATION, False, True),
        ("Ann", Placement.OTHER, False, True),
        ("RHS guide to rose pruning", Placement.CONTENT, False, True),
        ("roses", Placement.OTHER, False, True),
        ("winter", Placement.OTHER, False, True),
        ("cheap shears", Placement.COMMENT, False, False),
        ("Our shears", Placement.SIDEBAR, False, True),
        ("Privacy", Placement.FOOTER, False, True),
    }


def aeb_pages() -> list[tuple[str, bytes, str, str]]:
    if not (AEB / "ground-truth.json").is_file():
        pytest.skip(f"shared AEB pages are absent at {AEB}")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        (
            key,
            gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes()),
            item["url"],
            item["articleBody"],
        )
        for key, item in sorted(truth.items())
    ]


def test_real_pages_parse_and_content_links_sit_in_the_article() -> None:
    pages = aeb_pages()
    assert len(pages) == 181
    true_pos = false_pos = false_neg = 0
    for _key, html, url, body in pages:
        article = " ".join(body.split()).casefold()
        page = extract_page_links(html, url)
        assert page.links, url
        for link in page.links:
            assert normalize_url(link.url) == link.url
            assert link.url.startswith(("http://", "https://"))
            anchor = link.anchor_text.casefold()
            if len(anchor.split()) < 2 or link.is_image:
                continue
            is_in_article = anchor in article
            is_content = link.placement is Placement.CONTENT
            true_pos += is_in_article and is_content
            false_pos += is_content and not is_in_article
            false_neg += is_in_article and not is_content
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert precision > 0.3
    assert recall > 0.5


@pytest.mark.parametrize(
    ("tag", "attrs", "is_inert"),
    [
        ("span", {}, True),
        ("span", {"class": "label"}, True),
        ("a", {"title": "no href"}, True),
        ("a", {"href": "/x"}, False),
        ("img", {"src": "x.png"}, False),
        ("br", {}, False),
        ("p", {}, False),
        ("script", {}, False),
        ("span", {"class": "site-nav"}, False),
        ("span", {"style": "display:none"}, False),
        ("span", {"aria-hidden": "true"}, False),
        ("span", {"hidden": ""}, False),
        ("span", {"role": "navigation"}, False),
    ],
)
def test_element_kinds_are_inert_only_when_the_element_says_nothing(
    tag: str, attrs: dict[str, str | None], is_inert: bool
) -> None:
    kind = _kind_of(tag, attrs)
    assert kind.is_inert is is_inert
    assert kind.region == element_signal(tag, attrs)[0]


def test_cached_element_kinds_give_the_same_links_each_time() -> None:
    html = '<div class="nav"><a href="/a">A</a></div><div class="nav"><a href="/b">B</a></div>'
    first = extract_page_links(html, "https://example.com/")
    again = extract_page_links(html, "https://example.com/")
    assert first == again
    assert [link.placement for link in first.links] == [Placement.NAVIGATION] * 2


def _reference_tail(flow: str, end: int) -> str:
    folded = _fold(flow[max(0, end - 4 * CONTEXT_CHARS) : end])
    if len(folded) <= CONTEXT_CHARS:
        return folded
    cut = folded[-CONTEXT_CHARS:]
    if folded[-CONTEXT_CHARS - 1] != " " and " " in cut:
        cut = cut.split(" ", 1)[1]
    return cut


def _reference_head(flow: str, start: int) -> str:
    folded = _fold(flow[start : start + 4 * CONTEXT_CHARS])
    if len(folded) <= CONTEXT_CHARS:
        return folded
    cut = folded[:CONTEXT_CHARS]
    if folded[CONTEXT_CHARS] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut


_FLOWS = st.lists(
    st.sampled_from(["a", "bc", "word", "x" * 30, " ", "  ", "\n", " " * 40]), max_size=120
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_FLOWS, st.integers(0, 2000))
def test_contexts_read_from_a_short_window_match_the_full_window(flow: str, at: int) -> None:
    at = min(at, len(flow))
    assert _tail(flow, at) == _reference_tail(flow, at)
    assert _head(flow, at) == _reference_head(flow, at)


@pytest.mark.parametrize(
    "before",
    ["", "<svg><a href='/s1'><text>outer</text><a href='/s2'><text>inner</text></a></a></svg>"],
)
def test_a_link_list_reads_the_runs_of_text_around_it(before: str) -> None:
    # Inline markup and links do not cut a run; only blocks (and <br>) do.
    prose = (
        "Winter is the quiet <b>season</b> in the garden and"
        " <a href='/a'>the right moment</a> to prune roses well."
    )
    html = (
        f"{before}<article><p>{prose}</p>\n <h3><a href='/x'>the target</a></h3>\n"
        f"<p>{prose}</p><p><a href='/y'>the last words</a></p></article><p>Footer</p>"
    )
    placements = {link.url: link.placement for link in extract_links(html, PAGE)}
    assert placements["https://example.com/x"] is Placement.CONTENT
    assert placements["https://example.com/y"] is Placement.OTHER


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("<p>{prose}</p>", Placement.CONTENT),
        ("<div class='newsletter'><p>{prose} <a href='/n'>sign up</a></p></div>", Placement.OTHER),
        ("</article><section class='comments'><p>{prose} <a href='/c'>me</a></p>", Placement.OTHER),
    ],
)
def test_the_runs_around_a_link_list_stay_in_its_region(after: str, expected: Placement) -> None:
    prose = "Winter is the quiet season in the garden and the right moment to prune roses well."
    html = (
        f"<article><p>{prose}</p><h3><a href='/x'>the target</a></h3>"
        f"{after.format(prose=prose)}</article>"
    )
    placements = {link.url: link.placement for link in extract_links(html, PAGE)}
    assert placements["https://example.com/x"] is expected
