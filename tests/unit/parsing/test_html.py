from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from linkequity.parsing.html import (
    FEW_TAGS,
    MAX_FORMATTING,
    MAX_HTML_BYTES,
    MAX_NESTING,
    MAX_RECONSTRUCTED,
    bound_html,
    decode_html,
    parse_html,
    robots_directives,
)
from linkequity.parsing.links import extract_page_links

SHARED_HTML = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "html"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251"), "Привет"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            b"<p>caf\xe9</p>",
            "café",
        ),
        (b"<meta charset='latin1'><p>\x93quoted\x94</p>", "\u201cquoted\u201d"),
        ("\ufeff<p>ünï</p>".encode(), "ünï"),
        ("<p>ünï</p>".encode("utf-16-le").join([b"\xff\xfe", b""]), "ünï"),
        ("<p>ünï</p>".encode("utf-16-be").join([b"\xfe\xff", b""]), "ünï"),
        ('<meta charset="utf-16"><p>ünï</p>'.encode(), "ünï"),
        ('<meta charset="no-such-codec"><p>ünï</p>'.encode(), "ünï"),
        ('<meta charset="base64"><p>ünï</p>'.encode(), "ünï"),
        (b"<p>bad \xff\xfe bytes</p>", "bad \ufffd\ufffd bytes"),
    ],
)
def test_bytes_are_decoded(data: bytes, expected: str) -> None:
    assert expected in decode_html(data)


def test_charset_past_four_kib_is_not_read() -> None:
    data = b"<!--" + b"x" * 5000 + b'--><meta charset="windows-1251"><p>\xcf</p>'
    assert "\ufffd" in decode_html(data)


@pytest.mark.parametrize(
    ("data", "header", "expected"),
    [
        (codecs.BOM_UTF8 + "<p>é</p>".encode(), "iso-8859-1", "<p>é</p>"),
        (codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le"), None, "<p>é</p>"),
        (codecs.BOM_UTF16_BE + "<p>é</p>".encode("utf-16-be"), None, "<p>é</p>"),
        ('<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251"), "utf-8",
         '<meta charset="windows-1251"><p>Привет</p>'),
        ('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>日本</p>'
         .encode("shift_jis"), None,
         '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>日本</p>'),
        ("<p>café</p>".encode("cp1252"), "ISO-8859-1", "<p>café</p>"),
        ("<p>€</p>".encode("cp1252"), "latin1", "<p>€</p>"),
        ("<p>café</p>".encode(), None, "<p>café</p>"),
        ("<p>café</p>".encode(), "no-such-charset", "<p>café</p>"),
        ('<meta charset="bogus"><p>café</p>'.encode(), None, '<meta charset="bogus"><p>café</p>'),
        ('<meta charset="utf-16"><p>café</p>'.encode(), None, '<meta charset="utf-16"><p>café</p>'),
        (b"<p>\xff\xfe\x00bad</p>", None, "<p>\ufffd\ufffdbad</p>"),
        (" " * 5000 + '<meta charset="cp1251">\xe9', None,
         " " * 5000 + '<meta charset="cp1251">\xe9'),
    ],
)  # fmt: skip
def test_decode_html(data: bytes | str, header: str | None, expected: str) -> None:
    content_type = f"text/html; charset={header}" if header is not None else None
    assert decode_html(data, content_type=content_type) == expected


def test_meta_charset_after_4_kib_is_not_used() -> None:
    data = b" " * 5000 + b'<meta charset="cp1251"><p>\xe9</p>'
    assert decode_html(data).endswith("<p>\ufffd</p>")


@pytest.mark.parametrize(
    ("values", "agents", "expected"),
    [
        (["noindex, nofollow"], False, {"noindex", "nofollow"}),
        (["NOINDEX"], False, {"noindex"}),
        (["none"], False, {"none", "noindex", "nofollow"}),
        (["noarchive, nosnippet"], False, {"noarchive", "nosnippet"}),
        (["unavailable_after: 25 Jun 2010 15:00:00 PST"], True, {"unavailable_after"}),
        (["max-snippet:20, noindex"], False, {"max-snippet", "noindex"}),
        (["googlebot: noindex"], True, {"noindex"}),
        (["GoogleBot: noindex, nofollow"], True, {"noindex", "nofollow"}),
        (["otherbot: noindex"], True, set()),
        (["otherbot: noindex, nofollow", "noarchive"], True, {"noarchive"}),
        (["bingbot: noindex", "googlebot: nofollow"], True, {"nofollow"}),
        (["index, follow, made-up-token"], False, {"index", "follow"}),
        ([""], False, set()),
    ],
)
def test_robots_directives(values: list[str], agents: bool, expected: set[str]) -> None:
    assert robots_directives(values, agent_prefixes=agents) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ('text/html; charset="windows-1252"', "Grüße"),
        ("text/html;charset=utf-8", "Gr\ufffd\ufffde"),
        ("text/html", "Gr\ufffd\ufffde"),
        (None, "Gr\ufffd\ufffde"),
    ],
)
def test_content_type_charset_comes_after_meta(content_type: str | None, expected: str) -> None:
    data = "<title>Grüße</title>".encode("cp1252")
    assert expected in decode_html(data, content_type=content_type)
    meta = b'<meta charset="utf-8">' + data
    assert "Gr\ufffd\ufffde" in decode_html(meta, content_type='text/html; charset="cp1252"')


def test_unknown_meta_charset_falls_back_to_the_header() -> None:
    data = '<meta charset="no-such-codec"><p>Привет</p>'.encode("cp1251")
    assert "Привет" in decode_html(data, content_type="text/html; charset=windows-1251")


def test_text_is_only_cleaned_of_nuls() -> None:
    assert decode_html('<meta charset="cp1251">\x00é') == '<meta charset="cp1251">é'


def test_shallow_page_is_left_alone() -> None:
    half = MAX_NESTING // 2
    run = "<div>" * half + "<span>" * half + "x" + "</span>" * half + "</div>" * half
    html = run * (FEW_TAGS // (4 * half) + 1)
    assert html.count("<") > FEW_TAGS
    assert bound_html(html) == (html, False)


def test_page_of_few_tags_is_not_scanned() -> None:
    html = "<div>" * FEW_TAGS
    assert bound_html(html) == (html, False)


def test_open_inline_elements_count_toward_the_cap() -> None:
    html = "<span>" * 40_000 + "<div></div>" * 40_000
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text == "<span>" * MAX_NESTING
    assert len(parse_html(html).tree.css("span")) == MAX_NESTING


def test_end_tags_without_a_start_do_not_hide_depth() -> None:
    text, is_truncated = bound_html("<div></ul>" * 20_000)
    assert is_truncated
    assert text.count("<div>") == MAX_NESTING


def test_links_over_the_cap_are_kept_with_their_text() -> None:
    html = "<div>" * 5000 + "<span><a href=/x>link</a></span>" * 10 + "</div>" * 5000
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text.count("<a href=/x>link</a>") == 10
    assert text.count("<span>") == 0


@pytest.mark.parametrize(
    "inner",
    [
        "<script>" + "<div>" * 5000 + "</script>",
        "<!--" + "<div>" * 5000 + "-->",
        "<svg>" + "<path d='M0'/>" * 5000 + "</svg>",
        "<p>x" * 5000,
        "<a href=/x>x" * 5000,
        "<img src=x.png>" * 5000,
    ],
)
def test_tags_that_cannot_deepen_the_stack_do_not_count(inner: str) -> None:
    html = f"<div>{inner}</div>"
    assert bound_html(html) == (html, False)


def test_closed_deep_run_is_flattened_and_its_content_kept() -> None:
    html = "<div>" * 3000 + "<p>deep <a href=/x>link</a></p>" + "</div>" * 3000 + "<p>after</p>"
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text.count("<div>") == text.count("</div>") == MAX_NESTING
    assert "<p>deep <a href=/x>link</a></p>" in text
    assert text.endswith("<p>after</p>")


def test_open_deep_run_is_cut_where_it_passes_the_cap() -> None:
    html = "<p>top</p>" + "<section class=x>word " * 5000
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text.count("<section") == text.count("word") == MAX_NESTING
    assert text.startswith("<p>top</p>")


def test_closed_run_is_flattened_before_an_open_run_is_cut() -> None:
    closed = "<div>" * 2000 + "<p>kept</p>" + "</div>" * 2000
    text, is_truncated = bound_html(closed + "<ul>" * 2000 + "<li>lost")
    assert is_truncated
    assert "<p>kept</p>" in text
    assert "lost" not in text
    assert text.count("<ul>") == MAX_NESTING


def test_stray_end_tags_do_not_hide_depth() -> None:
    text, is_truncated = bound_html("</div>" * 10_000 + "<div>x" * 2000)
    assert is_truncated
    assert text.count("<div>") == MAX_NESTING


@pytest.mark.parametrize("tag", ["div", "pre", "figure", "main", "search", "ul", "DIV"])
def test_every_block_that_lexbor_stacks_counts_toward_the_cap(tag: str) -> None:
    text, is_truncated = bound_html(f"<{tag}>x" * (FEW_TAGS + 10))
    assert is_truncated
    assert text.count(f"<{tag}>") == MAX_NESTING


def _formatting_bomb(opened: int, paragraphs: int, paragraph: str = "x") -> str:
    """Distinct open <b> (past the parser's limit of three like ones), then paragraphs.

    The parser clones every open formatting element into each new paragraph.
    """
    bold = "".join(f"<b class=c{index}>" for index in range(opened))
    return "<p>" + bold + f"</p><p>{paragraph}" * paragraphs


def _element_count(html: str) -> int:
    return len(LexborHTMLParser(html).css("*"))


def test_small_formatting_bomb_is_bounded() -> None:
    html = _formatting_bomb(2047, 1024)
    assert html.count("<") == FEW_TAGS
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text.count("<b ") == MAX_FORMATTING
    assert text.count("<p>x") == 1024
    # Unbounded, Lexbor builds 2047 + 2047 * 1023 elements (about 2 million).
    assert _element_count(text) < MAX_FORMATTING * 1024 + FEW_TAGS


def test_large_formatting_bomb_is_cut_when_reconstruction_runs_over() -> None:
    html = _formatting_bomb(4096, 20_000)
    text, is_truncated = bound_html(html)
    assert is_truncated
    assert text.count("<b ") == MAX_FORMATTING
    assert MAX_RECONSTRUCTED // MAX_FORMATTING <= text.count("<p>x") < 20_000
    assert _element_count(text) < MAX_RECONSTRUCTED + html.count("<")


def test_links_in_a_formatting_bomb_are_kept_with_their_anchors() -> None:
    for paragraphs in (512, 3000):
        html = _formatting_bomb(2047, paragraphs, "see <a href=/page{}>anchor {}</a>")
        numbered = html.replace("{}", "%d") % tuple(n // 2 for n in range(2 * paragraphs))
        assert bound_html(numbered)[1]
        links = extract_page_links(numbered, "https://example.com/").links
        assert [(link.url, link.anchor_text) for link in links] == [
            (f"https://example.com/page{n}", f"anchor {n}") for n in range(paragraphs)
        ]


def test_unclosed_links_count_toward_no_cap() -> None:
    html = "<p>" + "".join(f"<a href=/{n}>link {n} " for n in range(3000)) + "</p><p>x" * 2000
    assert bound_html(html) == (html, False)


@pytest.mark.parametrize("repeat", [1, 300])
def test_nested_formatting_is_left_alone(repeat: int) -> None:
    names = ["b", "i", "em", "strong", "font", "u", "s", "small", "code", "tt"] * 2
    opened = "".join(f"<{name} class=n{depth}>" for depth, name in enumerate(names))
    closed = "".join(f"</{name}>" for name in reversed(names))
    html = f"<p>{opened}deep</p><p>text{closed}</p>" * repeat
    assert bound_html(html) == (html, False)


def test_unclosed_formatting_in_table_cells_does_not_add_up() -> None:
    html = "<table>" + "<tr><td><font color=red>cell<td><b class=x>cell" * 3000 + "</table>"
    assert bound_html(html) == (html, False)


def test_size_is_capped_at_googlebots_limit() -> None:
    assert bound_html(b"a" * MAX_HTML_BYTES) == ("a" * MAX_HTML_BYTES, False)
    text, is_truncated = bound_html("b" * (MAX_HTML_BYTES + 1))
    assert (len(text), is_truncated) == (MAX_HTML_BYTES, True)


def test_parse_html_bounds_and_parses() -> None:
    data = "<title>Grüße</title>".encode("cp1252") + b"<div>" * (FEW_TAGS + 10)
    bounded = parse_html(data, content_type="text/html; charset=windows-1252")
    assert bounded.is_truncated
    assert bounded.text.count("<div>") == MAX_NESTING
    title = bounded.tree.css_first("title")
    assert title is not None
    assert title.text() == "Grüße"
    assert len(bounded.tree.css("div")) == MAX_NESTING


def test_real_pages_are_left_alone() -> None:
    paths = sorted(SHARED_HTML.glob("*/**/*.html.gz"))
    if not paths:
        pytest.skip(f"shared test pages not found under {SHARED_HTML}")
    pages = [decode_html(gzip.decompress(path.read_bytes())) for path in paths]
    changed = [
        path.name
        for path, page in zip(paths, pages, strict=True)
        if bound_html(page) != (page, False)
    ]
    assert len(paths) > 200
    assert changed == []
