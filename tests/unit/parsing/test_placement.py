from __future__ import annotations

import pytest

from linkequity.model.links import Link, PageLinks, Placement
from linkequity.parsing.links import extract_links
from linkequity.parsing.placement import (
    PAGE_LANDMARKS,
    Landmarks,
    TextRun,
    class_tokens,
    classify_placement,
    mark_sitewide,
    reads_neighbours,
)

PAGE = "https://example.com/page"
PROSE = "Winter is the quiet season in the garden and the right moment to prune roses well. "
LINK = '<a href="/x">the target</a>'
SHORT = "Short text here."
ARTICLE = Landmarks(Placement.CONTENT, True, False, True)
PARAGRAPH = TextRun(40, 2)


def placement_of(html: str) -> Placement:
    links = [link for link in extract_links(html, PAGE) if link.url.endswith("/x")]
    assert len(links) == 1, links
    return links[0].placement


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<nav><ul><li>{LINK}</li></ul></nav>", Placement.NAVIGATION),
        (f"<header>{LINK}</header>", Placement.HEADER),
        (f"<footer>{LINK}</footer>", Placement.FOOTER),
        (f"<aside>{LINK}</aside>", Placement.SIDEBAR),
        (f"<main><p>{PROSE}{LINK} {PROSE}</p></main>", Placement.CONTENT),
        (f"<article><p>{PROSE}{LINK}</p></article>", Placement.CONTENT),
        (f'<div role="navigation">{LINK}</div>', Placement.NAVIGATION),
        (f'<div role="menubar">{LINK}</div>', Placement.NAVIGATION),
        (f'<div role="banner">{LINK}</div>', Placement.HEADER),
        (f'<div role="contentinfo">{LINK}</div>', Placement.FOOTER),
        (f'<div role="complementary">{LINK}</div>', Placement.SIDEBAR),
        (f'<div role="main"><p>{PROSE}{LINK}</p></div>', Placement.CONTENT),
        (f'<nav role="main"><p>{PROSE}{LINK}</p></nav>', Placement.CONTENT),
        (f"<form>{LINK}</form>", Placement.OTHER),
    ],
)
def test_landmarks_and_roles(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f'<div class="menu">{LINK}</div>', Placement.NAVIGATION),
        (f'<div class="navbar-inner">{LINK}</div>', Placement.NAVIGATION),
        (f'<div id="mainNav">{LINK}</div>', Placement.NAVIGATION),
        (f'<ol class="breadcrumb">{LINK}</ol>', Placement.NAVIGATION),
        (f'<div class="pagination">{LINK}</div>', Placement.NAVIGATION),
        (f'<div id="masthead">{LINK}</div>', Placement.HEADER),
        (f'<div class="site-header">{LINK}</div>', Placement.HEADER),
        (f'<div class="header-content">{LINK}</div>', Placement.HEADER),
        (f'<div id="footer">{LINK}</div>', Placement.FOOTER),
        (f'<div class="sidebar">{LINK}</div>', Placement.SIDEBAR),
        (f'<div class="widget">{LINK}</div>', Placement.SIDEBAR),
        (f'<div class="related-posts">{LINK}</div>', Placement.SIDEBAR),
        (f'<div class="social-share">{LINK}</div>', Placement.OTHER),
        (f'<div class="tags">{LINK}</div>', Placement.OTHER),
        (f'<div id="privacy-consent"><p>{PROSE}{LINK} {PROSE}</p></div>', Placement.OTHER),
        (f'<div id="disqus_thread">{LINK}</div>', Placement.COMMENT),
        (f'<li class="comment"><p>{PROSE}{LINK}</p></li>', Placement.COMMENT),
        (f'<div class="reply">{LINK}</div>', Placement.COMMENT),
    ],
)
def test_class_and_id_hints(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    "class_value",
    ["navy", "commentary", "headers-off", "sidebars", "menus-of-food", "has-sidebar", "nav-open"],
)
def test_class_tokens_that_must_not_misfire(class_value: str) -> None:
    html = f'<div class="{class_value}"><p>{PROSE}{LINK} {PROSE}</p></div>'
    assert placement_of(html) is Placement.CONTENT


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("site-header main_nav", ["site", "header", "siteheader", "main", "nav", "mainnav"]),
        ("siteHeader", ["site", "header", "siteheader"]),
        ("navy commentary", ["navy", "commentary"]),
        ("has-sidebar nav-open sidebar-left", []),
        ("", []),
    ],
)
def test_class_tokens(value: str, tokens: list[str]) -> None:
    assert class_tokens(value) == tokens


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<article><header>{LINK}</header><p>{PROSE}</p></article>", Placement.OTHER),
        (f"<article><header><p>{PROSE}{LINK}</p></header></article>", Placement.CONTENT),
        (f'<main><div class="footer"><p>{PROSE}{LINK}</p></div></main>', Placement.CONTENT),
        (f'<main><section id="comments"><p>{PROSE}{LINK}</p></section></main>', Placement.COMMENT),
        (f'<div class="comments"><nav>{LINK}</nav></div>', Placement.COMMENT),
        (f'<nav><div class="entry-content"><p>{PROSE}{LINK}</p></div></nav>', Placement.NAVIGATION),
        (f"<aside><article><p>{PROSE}{LINK}</p></article></aside>", Placement.SIDEBAR),
        (f'<div class="sidebar"><article><p>{PROSE}{LINK}</p></article></div>', Placement.CONTENT),
        (
            f'<div class="widget"><div class="entry-content"><p>{PROSE}{LINK}</p></div></div>',
            Placement.CONTENT,
        ),
        (
            f'<form id="aspnetForm"><article><p>{PROSE}{LINK}</p></article></form>',
            Placement.CONTENT,
        ),
        (f"<form><div><p>{PROSE}{LINK} {PROSE}</p></div></form>", Placement.OTHER),
        (f'<form id="comment-form">{LINK}</form>', Placement.COMMENT),
        (f'<article><div class="share">{LINK}</div></article>', Placement.OTHER),
        (f'<body class="sidebar-layout"><p>{PROSE}{LINK} {PROSE}</p></body>', Placement.CONTENT),
    ],
)
def test_rule_priority(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            f'<article><div class="l-sidebar-fixed"><p>{PROSE}{LINK}</p></div></article>',
            Placement.CONTENT,
        ),
        (
            f'<main><div class="nav-wrap"><p>{PROSE}{LINK} {PROSE}</p></div></main>',
            Placement.CONTENT,
        ),
        (
            f'<article><div class="related"><ul><li>{LINK}</li></ul></div></article>',
            Placement.SIDEBAR,
        ),
        (f"<article><aside><p>{PROSE}{LINK}</p></aside></article>", Placement.SIDEBAR),
        (f'<div class="sidebar"><p>{PROSE}{LINK}</p></div>', Placement.SIDEBAR),
        (
            f"<article><p>{PROSE}</p><ul><li><a href='/x'>{PROSE}</a></li></ul></article>",
            Placement.OTHER,
        ),
    ],
)
def test_text_density_inside_an_article(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<div><p>{PROSE}{LINK} {PROSE}</p></div>", Placement.CONTENT),
        (f"<div><ul><li>{LINK}</li><li><a href='/y'>y</a></li></ul></div>", Placement.OTHER),
        (f"<div><p>Short {LINK}</p></div>", Placement.OTHER),
        (f"<p><a href='/a'>{PROSE}</a> {LINK} with few other words</p>", Placement.OTHER),
    ],
)
def test_link_density_decides_outside_landmarks(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    ("landmarks", "words", "link_words", "expected"),
    [
        (PAGE_LANDMARKS, 40, 3, Placement.CONTENT),
        (PAGE_LANDMARKS, 40, 20, Placement.OTHER),
        (PAGE_LANDMARKS, 5, 1, Placement.OTHER),
        (PAGE_LANDMARKS, 0, 0, Placement.OTHER),
        (Landmarks(Placement.CONTENT, True, False, True), 3, 2, Placement.OTHER),
        (Landmarks(Placement.CONTENT, True, False, True), 3, 1, Placement.CONTENT),
        (Landmarks(Placement.CONTENT, True, False, True), 30, 15, Placement.OTHER),
        (Landmarks(Placement.CONTENT, False, False, False), 30, 14, Placement.CONTENT),
        (Landmarks(Placement.SIDEBAR, False, False, True), 40, 3, Placement.CONTENT),
        (Landmarks(Placement.SIDEBAR, False, False, True), 40, 20, Placement.SIDEBAR),
        (Landmarks(Placement.SIDEBAR, False, False, False), 40, 3, Placement.SIDEBAR),
        (Landmarks(Placement.SIDEBAR, True, False, True), 40, 3, Placement.SIDEBAR),
        (Landmarks(Placement.CONTENT, True, True, True), 100, 1, Placement.COMMENT),
        (Landmarks(Placement.FOOTER, True, False, False), 100, 1, Placement.FOOTER),
    ],
)
def test_classify_placement(
    landmarks: Landmarks, words: int, link_words: int, expected: Placement
) -> None:
    assert classify_placement(landmarks, block_words=words, block_link_words=link_words) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<article><p>{PROSE}</p><h2>{LINK}</h2><p>{PROSE}</p></article>", Placement.CONTENT),
        (
            f"<main><p>{PROSE}{PROSE}</p><p>Read: {LINK}</p>\n\n<p>{PROSE}</p></main>",
            Placement.CONTENT,
        ),
        (f"<article><p>{SHORT}</p><h2>{LINK}</h2><p>{PROSE}</p></article>", Placement.OTHER),
        (f"<article><p>{PROSE}</p><h2>{LINK}</h2><p>{SHORT}</p></article>", Placement.OTHER),
        (
            f"<article><p>{PROSE}</p><ul><li>{LINK}</li><li><a href='/y'>the other one</a></li>"
            f"</ul><p>{PROSE}</p></article>",
            Placement.OTHER,
        ),
        (
            f"<article><p>{PROSE}</p><p><a href='/y'>{PROSE}</a></p><h2>{LINK}</h2>"
            f"<p>{PROSE}</p></article>",
            Placement.OTHER,
        ),
        (
            f'<div class="content"><p>{PROSE}</p><h2>{LINK}</h2><p>{PROSE}</p></div>',
            Placement.OTHER,
        ),
    ],
)
def test_a_link_list_between_paragraphs_of_an_article(html: str, expected: Placement) -> None:
    assert placement_of(html) is expected


@pytest.mark.parametrize(
    ("landmarks", "before", "after", "expected"),
    [
        (ARTICLE, PARAGRAPH, PARAGRAPH, Placement.CONTENT),
        (ARTICLE, TextRun(16, 5), TextRun(16, 0), Placement.CONTENT),
        (ARTICLE, TextRun(15, 0), PARAGRAPH, Placement.OTHER),
        (ARTICLE, PARAGRAPH, TextRun(40, 14), Placement.OTHER),
        (ARTICLE, TextRun(0, 0), PARAGRAPH, Placement.OTHER),
        (Landmarks(Placement.CONTENT, False, False, False), PARAGRAPH, PARAGRAPH, Placement.OTHER),
        (Landmarks(Placement.CONTENT, True, True, True), PARAGRAPH, PARAGRAPH, Placement.COMMENT),
    ],
)
def test_classify_a_link_list_by_its_neighbours(
    landmarks: Landmarks, before: TextRun, after: TextRun, expected: Placement
) -> None:
    placement = classify_placement(
        landmarks, block_words=4, block_link_words=4, neighbours=(before, after)
    )
    assert placement is expected
    assert classify_placement(landmarks, block_words=4, block_link_words=4) in (
        Placement.OTHER,
        Placement.COMMENT,
    )


@pytest.mark.parametrize(
    ("landmarks", "words", "link_words", "expected"),
    [
        (ARTICLE, 4, 4, True),
        (ARTICLE, 4, 2, True),
        (ARTICLE, 0, 0, True),
        (ARTICLE, 40, 3, False),
        (Landmarks(Placement.CONTENT, False, False, False), 4, 4, False),
        (Landmarks(Placement.CONTENT, True, True, True), 4, 4, False),
        (Landmarks(Placement.SIDEBAR, False, False, True), 4, 4, False),
        (PAGE_LANDMARKS, 4, 4, False),
    ],
)
def test_reads_neighbours_only_where_they_decide(
    landmarks: Landmarks, words: int, link_words: int, expected: bool
) -> None:
    assert reads_neighbours(landmarks, block_words=words, block_link_words=link_words) is expected


def make_link(url: str, anchor: str) -> Link:
    return Link(
        url=url,
        anchor_text=anchor,
        rel=frozenset(),
        placement=Placement.FOOTER,
        is_image=False,
        alt=None,
        title=None,
        hidden=False,
        position=0,
        left_context="",
        right_context="",
    )


def site(*pages: list[tuple[str, str]]) -> list[PageLinks]:
    return [
        PageLinks(url=f"https://s.example/{i}", links=[make_link(*pair) for pair in links])
        for i, links in enumerate(pages)
    ]


def sitewide_flags(pages: list[PageLinks]) -> list[list[bool]]:
    return [[link.is_sitewide for link in page.links] for page in mark_sitewide(pages)]


def test_links_on_most_pages_are_sitewide() -> None:
    footer = ("https://s.example/privacy", "Privacy")
    pages = site(
        [footer, ("https://a.example/", "A")],
        [footer, ("https://a.example/", "A")],
        [footer],
        [footer, ("https://b.example/", "B")],
        [("https://c.example/", "C")],
    )
    assert sitewide_flags(pages) == [[True, False], [True, False], [True], [True, False], [False]]


def test_anchor_case_and_spacing_do_not_split_a_sitewide_link() -> None:
    pages = site(
        [("https://x.example/", "Our  Partner")],
        [("https://x.example/", "our partner")],
        [("https://x.example/", "OUR PARTNER")],
    )
    assert sitewide_flags(pages) == [[True], [True], [True]]


def test_different_anchor_is_a_different_link() -> None:
    pages = site(
        [("https://x.example/", "one")],
        [("https://x.example/", "two")],
        [("https://x.example/", "three")],
    )
    assert sitewide_flags(pages) == [[False], [False], [False]]


def test_too_few_pages_mark_nothing() -> None:
    pages = site([("https://x.example/", "x")], [("https://x.example/", "x")])
    assert sitewide_flags(pages) == [[False], [False]]
    assert mark_sitewide([]) == []


def test_threshold_is_a_keyword() -> None:
    pages = site(
        [("https://x.example/", "x")],
        [("https://x.example/", "x")],
        [],
        [],
    )
    assert sitewide_flags(pages) == [[False], [False], [], []]
    flags = [[link.is_sitewide for link in p.links] for p in mark_sitewide(pages, min_share=0.5)]
    assert flags == [[True], [True], [], []]
