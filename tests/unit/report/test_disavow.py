"""Google's disavow format: writing, every lint rule, the limits, hostile reasons, the diff."""

from __future__ import annotations

import pytest

from linkequity.errors import InvalidUrl, UsageError
from linkequity.report.disavow import (
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_URL_CHARS,
    DisavowEntry,
    diff_disavow,
    lint_disavow,
    parse_entry_list,
    write_disavow,
)


def domain(name: str, *reasons: str) -> DisavowEntry:
    return DisavowEntry(name, True, reasons)


def url(text: str, *reasons: str) -> DisavowEntry:
    return DisavowEntry(text, False, reasons)


def codes(content: str | bytes, name: str = "disavow.txt") -> list[tuple[int, str, str]]:
    return [(p.line, p.severity, p.code) for p in lint_disavow(content, name).problems]


def url_of_length(length: int) -> str:
    start = "https://long.example/"
    return start + "a" * (length - len(start))


class TestEntries:
    def test_domains_and_urls_are_normalised(self) -> None:
        assert domain("Bücher.EXAMPLE.").value == "xn--bcher-kva.example"
        assert domain(" blog.Example.com ").line == "domain:blog.example.com"
        assert url("HTTP://Example.com:80/a/./b").line == "http://example.com/a/b"
        assert DisavowEntry.parse("Domain:Spam.example") == domain("spam.example")
        assert DisavowEntry.parse("https://x.example/p") == url("https://x.example/p")
        assert domain("192.0.2.7").value == "192.0.2.7"

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("example.com/blog", "not a bare domain"),
            ("example.com:8080", "not a bare domain"),
            ("*.example.com", "wildcard"),
            ("co.uk", "public suffix"),
            ("com", "public suffix"),
            ("", "empty"),
            ("exa mple.com", "not a bare domain"),
        ],
    )
    def test_a_domain_entry_is_a_site(self, name: str, message: str) -> None:
        with pytest.raises(InvalidUrl, match=message):
            domain(name)

    def test_a_domain_covers_its_subdomains_and_their_pages(self) -> None:
        site = domain("spam.example")
        assert site.covers(domain("a.b.spam.example"))
        assert site.covers(url("http://www.spam.example/p"))
        assert not site.covers(domain("notspam.example"))
        assert not url("http://spam.example/").covers(url("http://spam.example/p"))
        assert url("http://spam.example/p").covers(url("HTTP://spam.example:80/p"))


class TestWrite:
    def test_google_format_sorted_with_reasons_above_each_entry(self) -> None:
        text = write_disavow(
            [
                url("https://b.example/page", "paid link"),
                domain("z.example", "link network"),
                domain("a.example"),
            ],
            header=["For example.com"],
        )
        assert text == (
            "# For example.com\n"
            "\n"
            "domain:a.example\n"
            "# link network\n"
            "domain:z.example\n"
            "# paid link\n"
            "https://b.example/page\n"
        )

    def test_duplicates_merge_their_reasons(self) -> None:
        text = write_disavow(
            [domain("a.example", "one"), domain("A.example.", "two", "one"), domain("a.example")]
        )
        assert text == "# one\n# two\ndomain:a.example\n"

    def test_entries_a_domain_covers_are_dropped(self) -> None:
        text = write_disavow(
            [
                url("http://www.spam.example/p"),
                domain("blog.spam.example"),
                domain("spam.example"),
                url("http://other.example/p"),
                domain("notspam.example"),
            ]
        )
        assert text.splitlines() == [
            "domain:notspam.example",
            "domain:spam.example",
            "http://other.example/p",
        ]

    def test_nothing_to_write_is_an_empty_file_with_its_header(self) -> None:
        assert write_disavow([]) == ""
        assert write_disavow([], header=["empty"]) == "# empty\n"

    @pytest.mark.parametrize(
        "breaker",
        ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029", "\x00", "\x1b"],
    )
    def test_a_hostile_reason_stays_one_comment_line(self, breaker: str) -> None:
        reason = f"anchor{breaker}domain:victim.example{breaker}https://victim.example/"
        text = write_disavow([domain("spam.example", reason)], header=[f"head{breaker}er"])
        lines = text.split("\n")[:-1]
        assert lines == [
            "# head er",
            "",
            "# anchor domain:victim.example https://victim.example/",
            "domain:spam.example",
        ]
        assert len(text.splitlines()) == len(lines)
        lint = lint_disavow(text.encode("utf-8"), "disavow.txt")
        assert lint.is_clean
        assert [entry.line for entry in lint.entries] == ["domain:spam.example"]

    def test_bidi_controls_and_lone_surrogates_never_reach_the_file(self) -> None:
        reason = "evil\u202etxt.exe\ud800 end"
        text = write_disavow([domain("spam.example", reason)])
        assert text.splitlines()[0] == "# evil txt.exe end"
        text.encode("utf-8")  # a lone surrogate would fail here

    def test_a_long_reason_is_cut(self) -> None:
        text = write_disavow([domain("spam.example", "x" * 5000)])
        comment = text.splitlines()[0]
        assert len(comment) == 2 + 300
        assert comment.endswith("\N{HORIZONTAL ELLIPSIS}")

    def test_a_url_over_2048_characters_is_refused(self) -> None:
        longest = url_of_length(MAX_URL_CHARS)
        assert write_disavow([url(longest)]) == longest + "\n"
        with pytest.raises(UsageError, match="2,049 characters") as caught:
            write_disavow([url(url_of_length(MAX_URL_CHARS + 1))])
        assert "domain:long.example" in caught.value.hint

    def test_over_100000_lines_is_refused(self) -> None:
        reasons = [f"r{i}" for i in range(MAX_LINES - 1)]
        text = write_disavow([domain("spam.example", *reasons)])
        assert text.count("\n") == MAX_LINES
        with pytest.raises(UsageError, match="100,001 lines"):
            write_disavow([domain("spam.example", *reasons, "one more")])

    def test_over_2mb_is_refused(self) -> None:
        reason = "x" * 298  # "# " + 298 + "\n" = 301 bytes a line
        lines_fitting = (MAX_FILE_BYTES - len("domain:spam.example\n")) // 301
        fits = write_disavow([domain("spam.example", *[reason + str(i) for i in range(10)])])
        assert len(fits.encode()) < MAX_FILE_BYTES
        many = [f"{reason[: -len(str(i))]}{i}" for i in range(lines_fitting + 1)]
        with pytest.raises(UsageError, match="2,000,000 bytes"):
            write_disavow([domain("spam.example", *many)])

    def test_round_trip_lints_clean_with_the_same_entries_and_reasons(self) -> None:
        entries = [
            domain("pbn-1.example", "shared analytics id", "sitewide footer link"),
            domain("farm.example", "link farm: 400 outbound links"),
            url("https://forum.example/thread?id=7", "comment spam"),
            url("https://news.example/paid-post.html"),
        ]
        text = write_disavow(entries, header=["Disavow file for example.com"])
        lint = lint_disavow(text.encode("utf-8"), "disavow.txt")
        assert lint.is_clean
        assert sorted(lint.entries, key=lambda e: e.line) == sorted(entries, key=lambda e: e.line)
        reasons = {entry.line: entry.reasons for entry in lint.entries}
        assert reasons == {entry.line: entry.reasons for entry in entries}


class TestLint:
    def test_a_clean_file(self) -> None:
        text = "# why\ndomain:spam.example\r\n\nhttps://x.example/page.html\n"
        lint = lint_disavow(text, "disavow.txt")
        assert lint.is_clean
        assert lint.lines == 4
        assert lint.entry_lines == (2, 4)
        assert lint.entries[0].reasons == ("why",)
        assert lint.entries[1].reasons == ()

    def test_the_file_name_must_end_in_txt(self) -> None:
        assert codes("domain:a.example\n", "disavow.csv") == [(0, "error", "file-name")]
        assert codes("domain:a.example\n", "DISAVOW.TXT") == []

    def test_bytes_that_are_not_utf8_are_named_by_line(self) -> None:
        content = b"domain:a.example\n# caf\xe9\ndomain:b.example\n"
        lint = lint_disavow(content, "disavow.txt")
        assert [(p.line, p.code) for p in lint.problems] == [(2, "encoding")]
        assert "0xe9" in lint.problems[0].message
        assert [e.line for e in lint.entries] == ["domain:a.example", "domain:b.example"]

    def test_utf16_is_an_error(self) -> None:
        content = "domain:a.example\n".encode("utf-16")
        lint = lint_disavow(content, "disavow.txt")
        assert [(p.line, p.severity, p.code) for p in lint.problems] == [(1, "error", "encoding")]
        assert [e.line for e in lint.entries] == ["domain:a.example"]

    def test_a_byte_order_mark_is_a_warning_that_says_what_google_documents(self) -> None:
        lint = lint_disavow(b"\xef\xbb\xbfdomain:a.example\n", "disavow.txt")
        assert [(p.line, p.severity, p.code) for p in lint.problems] == [(1, "warning", "bom")]
        assert "does not say" in lint.problems[0].message
        assert [e.line for e in lint.entries] == ["domain:a.example"]

    def test_over_100000_lines(self) -> None:
        exactly = "#\n" * MAX_LINES
        assert codes(exactly) == []
        assert lint_disavow(exactly, "disavow.txt").lines == MAX_LINES
        assert codes(exactly + "#") == [(MAX_LINES + 1, "error", "too-many-lines")]
        assert codes(exactly + "\n") == [(MAX_LINES + 1, "error", "too-many-lines")]

    def test_over_2mb_names_the_line_that_crosses(self) -> None:
        line = "#" + "x" * 98 + "\n"  # 100 bytes
        exactly = line * (MAX_FILE_BYTES // 100)
        assert codes(exactly) == []
        assert codes(exactly + "#\n") == [(MAX_FILE_BYTES // 100 + 1, "error", "too-large")]

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ("spam.example", "bad-line"),
            ("www.spam.example/page.html", "bad-line"),
            ("just words", "bad-line"),
            ("ftp://spam.example/file", "bad-line"),
            ("https://spam.example:99999/p", "bad-line"),
            ("https://spam.example/a page", "bad-line"),
            ("domain:spam.example # a PBN", "bad-line"),
            ("domain:", "bad-line"),
            ("domain:com", "bad-line"),
            ("domain:spam.example:8080", "bad-line"),
            ("domain:https://spam.example", "domain-scheme"),
            ("domain:spam.example/blog", "domain-path"),
            ("domain:spam.example/", "domain-path"),
            ("domain:*.spam.example", "wildcard"),
            ("   # a comment", "comment-indented"),
        ],
    )
    def test_errors(self, line: str, expected: str) -> None:
        assert codes(f"domain:ok.example\n{line}\n") == [(2, "error", expected)]

    def test_a_url_over_2048_characters(self) -> None:
        assert codes(url_of_length(MAX_URL_CHARS) + "\n") == []
        assert codes(url_of_length(MAX_URL_CHARS + 1) + "\n") == [(1, "error", "url-too-long")]

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ("https://spam.example/blog/", "subpath"),
            ("https://spam.example/", "subpath"),
            ("https://spam.example", "subpath"),
            ("https://spam.example/*", "wildcard"),
            (" domain:spam.example", "spacing"),
            ("domain: spam.example", "spacing"),
            ("DOMAIN:spam.example", "spacing"),
        ],
    )
    def test_warnings(self, line: str, expected: str) -> None:
        assert codes(f"{line}\n") == [(1, "warning", expected)]

    def test_subpath_warning_says_what_google_does(self) -> None:
        lint = lint_disavow("https://spam.example/blog/\nhttps://spam.example/\n", "d.txt")
        first, second = lint.problems
        assert "only this one URL, never the pages under it" in first.message
        assert "domain:spam.example" in first.message
        assert "home page only" in second.message

    @pytest.mark.parametrize(
        "line",
        [
            "https://spam.example/page",
            "https://spam.example/blog/?page=2",
            "https://spam.example/a.html",
        ],
    )
    def test_pages_are_not_subpaths(self, line: str) -> None:
        assert codes(f"{line}\n") == []

    def test_duplicates_once_normalised(self) -> None:
        text = "domain:a.example\nhttps://b.example/p\ndomain:A.EXAMPLE\nHTTPS://b.example:443/p\n"
        lint = lint_disavow(text, "disavow.txt")
        problems = [(p.line, p.code) for p in lint.problems]
        assert problems == [(3, "duplicate"), (4, "duplicate")]
        assert "line 1" in lint.problems[0].message
        assert "line 2" in lint.problems[1].message

    def test_entries_a_domain_covers(self) -> None:
        text = "https://www.spam.example/p\ndomain:blog.spam.example\ndomain:spam.example\n"
        lint = lint_disavow(text, "disavow.txt")
        assert [(p.line, p.code) for p in lint.problems] == [(1, "covered"), (2, "covered")]
        assert all("domain:spam.example on line 3" in p.message for p in lint.problems)

    def test_reasons_are_the_comment_block_right_above(self) -> None:
        text = "# header\n\n# first\n# second\ndomain:a.example\ndomain:b.example\n"
        lint = lint_disavow(text, "disavow.txt")
        assert [e.reasons for e in lint.entries] == [("first", "second"), ()]


class TestDiff:
    def test_added_removed_and_kept_once_normalised(self) -> None:
        existing = [domain("old.example"), url("HTTP://Both.example/p"), domain("both.example")]
        proposed = [
            domain("both.example", "why"),
            url("http://both.example/p"),
            url("https://new.example/x"),
            domain("new.example"),
        ]
        diff = diff_disavow(existing, proposed)
        assert [e.line for e in diff.added] == ["domain:new.example", "https://new.example/x"]
        assert [e.line for e in diff.removed] == ["domain:old.example"]
        assert [e.line for e in diff.kept] == ["domain:both.example", "http://both.example/p"]
        assert diff.kept[0].reasons == ("why",)

    def test_a_domain_and_a_url_on_it_are_different_entries(self) -> None:
        diff = diff_disavow([url("http://a.example/")], [domain("a.example")])
        assert len(diff.added) == len(diff.removed) == 1
        assert diff.kept == ()


class TestEntryList:
    def test_bare_domains_urls_and_reasons(self) -> None:
        text = "# PBN\n# same analytics id\nSpam.example\n\ndomain:b.example\nhttps://c.example/p\n"
        entries = parse_entry_list(text, "spam.txt")
        assert [e.line for e in entries] == [
            "domain:spam.example",
            "domain:b.example",
            "https://c.example/p",
        ]
        assert entries[0].reasons == ("PBN", "same analytics id")
        assert entries[1].reasons == ()

    def test_a_bad_line_names_the_file_and_line(self) -> None:
        with pytest.raises(UsageError, match=r"spam\.txt:2: .*not a bare domain"):
            parse_entry_list("a.example\nexample.com/blog\n", "spam.txt")
