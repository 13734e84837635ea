from __future__ import annotations

from pathlib import Path

import pytest

from linkequity.errors import InvalidUrl
from linkequity.model.pages import CanonicalSource, IndexabilityReason, LanguageSource
from linkequity.parsing.page import parse_link_header, parse_page, read_page
from linkequity.parsing.page_text import count_words

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
URL = "https://example.com/a/page"


def page(head: str = "", body: str = "<p>Hello</p>", html_attrs: str = 'lang="en"') -> str:
    return f"<!doctype html><html {html_attrs}><head>{head}</head><body>{body}</body></html>"


def test_urls_are_normalised_and_final_url_defaults_to_url() -> None:
    signals = parse_page(page(), "HTTPS://Example.COM:443/a/./page#x")
    assert (signals.url, signals.final_url) == (URL, URL)
    moved = parse_page(page(), URL, final_url="https://www.example.com/b")
    assert moved.final_url == "https://www.example.com/b"


def test_invalid_url_raises_invalid_url() -> None:
    with pytest.raises(InvalidUrl):
        parse_page(page(), "ftp://example.com/")


@pytest.mark.parametrize(
    ("head", "headers", "noindex", "nofollow", "sources"),
    [
        ('<meta name="robots" content="noindex">', None, True, False, ("meta robots",)),
        ('<meta name="ROBOTS" content="nofollow">', None, False, True, ()),
        ('<meta name="googlebot" content="none">', None, True, True, ("meta googlebot",)),
        ('<meta name="bingbot" content="noindex">', None, False, False, ()),
        ("", {"X-Robots-Tag": "noindex"}, True, False, ("X-Robots-Tag",)),
        ("", {"x-robots-tag": "googlebot: noindex"}, True, False, ("X-Robots-Tag",)),
        ("", {"X-ROBOTS-TAG": "otherbot: noindex"}, False, False, ()),
        ("", [("X-Robots-Tag", "noarchive"), ("x-robots-tag", "nofollow")], False, True, ()),
        (
            '<meta name="robots" content="noindex">',
            [("X-Robots-Tag", "noindex")],
            True,
            False,
            ("meta robots", "X-Robots-Tag"),
        ),
    ],
)
def test_page_robots_union_of_meta_and_header(
    head: str,
    headers: list[tuple[str, str]] | dict[str, str] | None,
    noindex: bool,
    nofollow: bool,
    sources: tuple[str, ...],
) -> None:
    signals = parse_page(page(head), URL, headers)
    assert (signals.is_noindex, signals.is_nofollow, signals.noindex_sources) == (
        noindex,
        nofollow,
        sources,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('<https://e.com/a>; rel="canonical"', [("https://e.com/a", {"rel": "canonical"})]),
        ("<https://e.com/a,b;c>; rel=canonical", [("https://e.com/a,b;c", {"rel": "canonical"})]),
        (
            '<https://e.com/de>; rel="alternate"; hreflang="de", <https://e.com/>; REL=canonical',
            [
                ("https://e.com/de", {"rel": "alternate", "hreflang": "de"}),
                ("https://e.com/", {"rel": "canonical"}),
            ],
        ),
        ('<x>; rel="a, b"; title="q\\"uote"', [("x", {"rel": "a, b", "title": 'q"uote'})]),
        ("<a>; rel=canonical; rel=next", [("a", {"rel": "canonical"})]),
        ("no brackets; rel=canonical", []),
        ("<a>; rel=canonical junk <b>", [("a", {"rel": "canonical"})]),
        ("", []),
    ],
)
def test_parse_link_header(value: str, expected: list[tuple[str, dict[str, str]]]) -> None:
    assert parse_link_header(value) == expected


@pytest.mark.parametrize(
    ("head", "link_header", "html", "header", "url", "source"),
    [
        ('<link rel="canonical" href="/c">', None, "https://example.com/c", None,
         "https://example.com/c", CanonicalSource.HTML),
        ('<base href="https://example.com/x/"><link rel="canonical" href="c">', None,
         "https://example.com/x/c", None, "https://example.com/x/c", CanonicalSource.HTML),
        ('<link rel="canonical" href="javascript:void(0)"><link rel="Canonical" href="/ok">',
         None, "https://example.com/ok", None, "https://example.com/ok", CanonicalSource.HTML),
        ("", '<https://example.com/h>; rel="canonical"', None, "https://example.com/h",
         "https://example.com/h", CanonicalSource.HEADER),
        ("", '<https://example.com/d>; rel="preload canonical"', None,
         "https://example.com/d", "https://example.com/d", CanonicalSource.HEADER),
        ('<link rel="canonical" href="/same">', "</same>; rel=canonical",
         "https://example.com/same", "https://example.com/same", "https://example.com/same",
         CanonicalSource.BOTH),
        ('<link rel="canonical" href="/one">', "</two>; rel=canonical",
         "https://example.com/one", "https://example.com/two", None, None),
        ("", None, None, None, None, None),
    ],
)  # fmt: skip
def test_canonical_from_html_and_header(
    head: str,
    link_header: str | None,
    html: str | None,
    header: str | None,
    url: str | None,
    source: CanonicalSource | None,
) -> None:
    headers = {"Link": link_header} if link_header else None
    canonical = parse_page(page(head), URL, headers).canonical
    assert (canonical.html, canonical.header, canonical.url, canonical.source) == (
        html,
        header,
        url,
        source,
    )
    assert canonical.is_conflicting == (html is not None and header is not None and html != header)


def test_hreflang_alternates_from_html_and_header() -> None:
    head = (
        '<link rel="alternate" hreflang="en-GB" href="/uk">'
        '<link rel="alternate" hreflang="x-default" href="https://example.com/">'
        '<link rel="alternate" href="/feed.xml" type="application/rss+xml">'
        '<link rel="alternate" hreflang="fr" href="mailto:x@example.com">'
    )
    headers = [("Link", '<https://example.de/>; rel="alternate"; hreflang="de"')]
    assert parse_page(page(head), URL, headers).hreflang == (
        ("en-gb", "https://example.com/uk"),
        ("x-default", "https://example.com/"),
        ("de", "https://example.de/"),
    )


ENGLISH = "<p>" + "The gardeners planted roses along the old stone wall this spring. " * 3 + "</p>"
GERMAN = "<p>" + "Die Gärtner pflanzten in diesem Frühling Rosen an der alten Mauer. " * 3 + "</p>"


@pytest.mark.parametrize(
    ("html_attrs", "headers", "body", "language", "source"),
    [
        ('lang="en-GB"', None, GERMAN, "en", LanguageSource.HTML_LANG),
        ('lang="PT_br"', None, GERMAN, "pt", LanguageSource.HTML_LANG),
        ('lang=" zh-Hant-TW "', None, GERMAN, "zh", LanguageSource.HTML_LANG),
        ('lang=""', {"Content-Language": "fr-CA, en"}, GERMAN, "fr",
         LanguageSource.CONTENT_LANGUAGE),
        ('lang="12"', {"content-language": "de"}, ENGLISH, "de", LanguageSource.CONTENT_LANGUAGE),
        ("", None, GERMAN, "de", LanguageSource.DETECTED),
        ("", {"Content-Language": "*"}, ENGLISH, "en", LanguageSource.DETECTED),
        ("", None, "<p>OK 42</p>", None, None),
    ],
)  # fmt: skip
def test_language_fallbacks(
    html_attrs: str,
    headers: dict[str, str] | None,
    body: str,
    language: str | None,
    source: LanguageSource | None,
) -> None:
    signals = parse_page(page(body=body, html_attrs=html_attrs), URL, headers)
    assert (signals.language, signals.language_source) == (language, source)


def test_title_and_description_are_folded_and_capped() -> None:
    head = (
        "<title>\n  Roses \t and\n walls  </title>"
        f'<meta name="Description" content="  {"word " * 400} ">'
    )
    signals = parse_page(page(head, body="<svg><title>icon</title></svg>"), URL)
    assert signals.title == "Roses and walls"
    assert signals.description.startswith("word word")
    assert len(signals.description) == 1024
    long_title = parse_page(page(f"<title>{'x' * 5000}</title>"), URL).title
    assert len(long_title) == 512
    assert parse_page(page(body="<svg><title>icon</title></svg>"), URL).title == ""


@pytest.mark.parametrize(
    ("body", "kept", "dropped"),
    [
        ("<p>main</p><script>var x = 'code';</script><style>p{}</style>", "main", "code"),
        ("<p>main</p><noscript>enable js</noscript><template>tpl</template>", "main", "js"),
        ("<nav>menu links</nav><p>main</p>", "main", "menu"),
        ("<header>site name</header><p>main</p><footer>copyright</footer>", "main", "copyright"),
        ("<aside>related</aside><p>main</p>", "main", "related"),
        ('<div class="main-menu">menu links</div><p>main</p>', "main", "menu"),
        ('<div id="footer">copyright</div><p>main</p>', "main", "copyright"),
        ('<div class="widget sidebar-left">related</div><p>main</p>', "main", "related"),
        ('<ol class="comment-list">nice post</ol><p>main</p>', "main", "nice"),
        ('<div class="share-buttons">tweet this</div><p>main</p>', "main", "tweet"),
        ('<div class="breadcrumbs">home › blog</div><p>main</p>', "main", "home"),
        ('<div class="layout two-col-sidebar"><h1>Title</h1><p>main</p></div>', "main", "@"),
        ('<div class="unavailable">main</div>', "main", "@"),
        ('<div class="canvas">main</div>', "main", "@"),
    ],
)
def test_main_text_drops_boilerplate(body: str, kept: str, dropped: str) -> None:
    text = parse_page(page(body=f'<div class="page">{body}</div>'), URL).main_text
    assert kept in text
    assert dropped not in text


def test_main_text_keeps_body_and_article_whatever_their_class() -> None:
    html = page(
        body='<article class="has-comments"><p>story text</p></article>',
        html_attrs='lang="en" class="menu-open"',
    ).replace("<body>", '<body class="has-sidebar comments-open">')
    assert parse_page(html, URL).main_text == "story text"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("one two  three\nfour", 4),
        ("well-known don't e-mail", 3),
        ("— – … ! ?", 0),
        ("(hello) world.", 2),
        ("naïve café Ελληνικά русский", 4),
        ("42 3.14", 2),
        ("日本語の文章です", 8),
        ("漢字 and English", 4),
        ("한국어 문장입니다", 2),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_word_count_is_of_main_text() -> None:
    signals = parse_page(page(body="<nav>a b c</nav><p>one two three four</p>"), URL)
    assert (signals.main_text, signals.word_count) == ("one two three four", 4)


def test_outbound_link_counts() -> None:
    body = """
      <a href="/x">internal</a><a href="/x#frag">same target</a>
      <a href="https://blog.example.com/">subdomain is internal</a>
      <a href="https://other.org/">external</a><a href="//other.org/">same external</a>
      <a href="https://third.net/" rel="nofollow">nofollow</a>
      <a href="https://fourth.net/" rel="Sponsored noopener">sponsored</a>
      <a href="https://fifth.net/" rel="UGC">ugc</a>
      <a href="mailto:a@b.c">mail</a><a href="javascript:void(0)">js</a><a href="tel:1">tel</a>
      <a href="#top">self</a><a href="">self</a><a href="http://[bad">bad</a><a>no href</a>
      <a href="https://sixth.co.uk/p">external</a>
    """
    signals = parse_page(page(body=body), URL)
    assert (signals.internal_links, signals.external_links) == (2, 2)


def test_link_counts_resolve_against_base_href() -> None:
    head = '<base href="https://cdn.other.org/">'
    signals = parse_page(page(head, body='<a href="p">p</a>'), URL)
    assert (signals.internal_links, signals.external_links) == (0, 1)


def test_link_counts_follow_the_final_url_site() -> None:
    body = '<a href="https://example.org/x">x</a><a href="https://example.com/y">y</a>'
    signals = parse_page(page(body=body), URL, final_url="https://www.example.org/")
    assert (signals.internal_links, signals.external_links) == (1, 1)


@pytest.mark.parametrize(
    ("snippet", "analytics", "gtm", "adsense"),
    [
        ("<script>ga('create', 'UA-1234567-2', 'auto');</script>", ("UA-1234567-2",), (), ()),
        (
            '<script async src="https://www.googletagmanager.com/gtag/js?id=G-7X3ABCD9EF"></script>'
            "<script>gtag('config', 'G-7X3ABCD9EF');</script>",
            ("G-7X3ABCD9EF",),
            (),
            (),
        ),
        ("<p>Casio G-SHOCK GA2100 is a watch; G-12 too.</p>", (), (), ()),
        ("<script>(window,document,'script','dataLayer','GTM-K9X2PQ');</script>", (),
         ("GTM-K9X2PQ",), ()),
        (
            '<ins class="adsbygoogle" data-ad-client="ca-pub-1234567890123456"></ins>'
            '<script src="//pagead2.googlesyndication.com/pagead/js/adsbygoogle.js'
            '?client=ca-pub-1234567890123456"></script>'
            "<!-- pub-9999999999999999 -->",
            (),
            (),
            ("pub-1234567890123456", "pub-9999999999999999"),
        ),
        (
            "<script>'UA-2222222-1';'UA-1111111-1';'UA-2222222-1'</script>",
            ("UA-1111111-1", "UA-2222222-1"),
            (),
            (),
        ),
        ("<p>XUA-1234567-1 and MYGTM-ABCDEF and epub-1234567890123</p>", (), (), ()),
    ],
)  # fmt: skip
def test_footprints(
    snippet: str, analytics: tuple[str, ...], gtm: tuple[str, ...], adsense: tuple[str, ...]
) -> None:
    footprints = parse_page(page(body=snippet), URL).footprints
    assert (
        footprints.analytics_ids,
        footprints.tag_manager_ids,
        footprints.adsense_publishers,
    ) == (
        analytics,
        gtm,
        adsense,
    )


def _fixture(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_template_hash_is_shared_by_pages_of_one_template() -> None:
    cats = parse_page(_fixture("blog_post_cats.html"), "https://example-garden.com/cats")
    roses = parse_page(_fixture("blog_post_roses.html"), "https://example-garden.com/roses")
    assert cats.template_hash == roses.template_hash
    assert cats.content_hash != roses.content_hash


def test_template_hash_differs_between_templates() -> None:
    cats = parse_page(_fixture("blog_post_cats.html"), "https://example-garden.com/cats")
    shop = parse_page(_fixture("shop_product.html"), "https://example-garden.com/shop/s")
    assert cats.template_hash != shop.template_hash
    assert len(cats.template_hash) == 16


def test_template_hash_ignores_text_ids_and_digit_classes_but_not_structure() -> None:
    base = parse_page(page(body='<div class="wrap"><div class="col">a</div></div>'), URL)
    same = parse_page(
        page(body='<div class="wrap item-42" id="p7"><div class="col">b c d</div></div>'), URL
    )
    other = parse_page(page(body='<div class="wrap"><section class="col">a</section></div>'), URL)
    renamed = parse_page(page(body='<div class="shell"><div class="col">a</div></div>'), URL)
    assert base.template_hash == same.template_hash
    assert base.template_hash != other.template_hash
    assert base.template_hash != renamed.template_hash


def test_content_hash_folds_case_and_whitespace() -> None:
    one = parse_page(page(body="<p>Hello   World</p>"), URL)
    two = parse_page(page(body="<div>hello\nworld</div>"), "https://other.org/")
    three = parse_page(page(body="<p>Hello there</p>"), URL)
    assert one.content_hash == two.content_hash != three.content_hash


CANONICAL_ELSEWHERE = '<link rel="canonical" href="https://example.com/other">'
NOINDEX_META = '<meta name="robots" content="noindex">'


@pytest.mark.parametrize(
    ("status", "robots_allowed", "head", "headers", "reason", "detail"),
    [
        (200, True, "", None, IndexabilityReason.INDEXABLE, ""),
        (204, True, "", {"Content-Type": "text/html; charset=utf-8"},
         IndexabilityReason.INDEXABLE, ""),
        (404, False, NOINDEX_META, None, IndexabilityReason.STATUS, "status 404"),
        (500, True, "", None, IndexabilityReason.STATUS, "status 500"),
        (301, False, NOINDEX_META, None, IndexabilityReason.REDIRECT, "redirect (status 301)"),
        (200, False, NOINDEX_META, None, IndexabilityReason.ROBOTS_TXT,
         "disallowed by robots.txt"),
        (200, True, NOINDEX_META + CANONICAL_ELSEWHERE, {"Content-Type": "application/pdf"},
         IndexabilityReason.NOINDEX, "noindex in meta robots"),
        (200, True, "", {"X-Robots-Tag": "noindex"}, IndexabilityReason.NOINDEX,
         "noindex in X-Robots-Tag"),
        (200, True, CANONICAL_ELSEWHERE, {"Content-Type": "application/pdf"},
         IndexabilityReason.NOT_HTML, "content type application/pdf"),
        (200, True, "", {"content-type": "application/xhtml+xml"}, IndexabilityReason.INDEXABLE,
         ""),
        (200, True, CANONICAL_ELSEWHERE, None, IndexabilityReason.CANONICALISED,
         "canonicalised to https://example.com/other"),
        (200, True, '<link rel="canonical" href="https://EXAMPLE.com/a/page#top">', None,
         IndexabilityReason.INDEXABLE, ""),
        (200, True, CANONICAL_ELSEWHERE, {"Link": "<https://example.com/x>; rel=canonical"},
         IndexabilityReason.INDEXABLE, ""),
    ],
)  # fmt: skip
def test_indexability_order(
    status: int,
    robots_allowed: bool,
    head: str,
    headers: dict[str, str] | None,
    reason: IndexabilityReason,
    detail: str,
) -> None:
    signals = parse_page(page(head), URL, headers, status, robots_allowed=robots_allowed)
    assert (signals.indexability.reason, signals.indexability.detail) == (reason, detail)
    assert signals.is_indexable == (reason is IndexabilityReason.INDEXABLE)
    assert signals.status == status


def test_content_type_charset_decodes_the_page() -> None:
    data = "<html><head><title>Grüße</title></head></html>".encode("cp1252")
    headers = {"Content-Type": 'text/html; charset="windows-1252"'}
    signals = parse_page(data, URL, headers)
    assert (signals.title, signals.content_type) == ("Grüße", "text/html")


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        b"\x00\x00\x00",
        b"<html><head><title>cut",
        b"<html><body><p>trunc\xe2\x82",
        "<p>nul\x00inside</p>",
        b"\xff\xfe\xfd" * 100,
        "<a href='http://[::1'>x</a><link rel=canonical href='http://%zz'>",
        '<html lang="\ud800"><title>\ud800</title></html>',
        "<" * 10_000,
        "<div>" * 3000 + "deep" + "</div>" * 3000,
        "<svg>" + "<path d='M0'/>" * 5000 + "</svg><p>after</p>",
    ],
)
def test_broken_input_never_raises(html: str | bytes) -> None:
    signals = parse_page(html, URL, [("X-Robots-Tag", ": :,,"), ("Link", "<<>>;;;=,")])
    assert signals.word_count >= 0
    assert "\x00" not in signals.main_text


def test_svg_self_closing_tags_do_not_count_as_nesting() -> None:
    html = page(body="<svg>" + "<path d='M0'/>" * 5000 + "</svg><p>after the icons</p>")
    assert parse_page(html, URL).main_text == "after the icons"


def test_main_text_is_capped_but_words_are_counted_in_full() -> None:
    signals = parse_page(page(body="<p>" + "word " * 50_000 + "</p>"), URL)
    assert signals.word_count == 50_000
    assert len(signals.main_text) == 100_000


@pytest.mark.parametrize(
    ("head", "headers"),
    [('<meta name="robots" content="nofollow">', None), ("", [("X-Robots-Tag", "nofollow")])],
    ids=["meta", "header"],
)
def test_a_page_level_nofollow_follows_no_link(
    head: str, headers: list[tuple[str, str]] | None
) -> None:
    html = f'<html><head>{head}</head><body><a href="/a">a</a><a href="https://b.example/">b</a>'

    signals = parse_page(html, "https://a.example/", headers)
    read, _ = read_page(html, "https://a.example/", headers)

    assert (signals.internal_links, signals.external_links) == (0, 0)
    assert read == signals


def test_area_links_are_counted_like_anchors() -> None:
    html = '<map><area href="https://b.example/" alt="b"></map><a href="/a">a</a>'

    signals = parse_page(html, "https://a.example/")

    assert (signals.internal_links, signals.external_links) == (1, 1)
    assert read_page(html, "https://a.example/")[0] == signals
