"""``bound_html`` reads at most ``MAX_TAGS`` ``<`` of a page: elements cost, bytes less."""

from __future__ import annotations

from linkequity.parsing.html import MAX_HTML_BYTES, MAX_TAGS, bound_html


def test_a_page_of_more_tags_than_the_cap_is_cut_before_the_first_one_past_it() -> None:
    html = "<br>" * (MAX_TAGS + 1000)
    assert len(html) < MAX_HTML_BYTES

    text, is_truncated = bound_html(html)

    assert is_truncated
    assert text == "<br>" * MAX_TAGS


def test_a_page_of_as_many_tags_as_the_cap_is_kept_whole() -> None:
    html = "<br>" * MAX_TAGS

    text, is_truncated = bound_html(html)

    assert not is_truncated
    assert text == html


def test_the_cap_counts_every_less_than_sign() -> None:
    html = "a < b " * (MAX_TAGS + 1)

    text, is_truncated = bound_html(html)

    assert is_truncated
    assert text.count("<") == MAX_TAGS
    assert text.endswith("a ")
