from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from linkequity.errors import UnknownExportFormat
from linkequity.model.links import ExportKind, Tool
from linkequity.parsing.export_formats import (
    describe_headers,
    detect_format,
    header_map,
    known_formats,
    match_format,
    normalize_header,
)

FIXTURE_DATA = runpy.run_path(
    str(Path(__file__).parents[2] / "fixtures" / "exports" / "make_fixtures.py")
)

HEADER_ROWS = [
    ("AHREFS_HEADERS", "ahrefs_backlinks"),
    ("SEMRUSH_HEADERS", "semrush_backlinks"),
    ("SEMRUSH_API_HEADERS", "semrush_backlinks"),
    ("SEMRUSH_DOMAINS_HEADERS", "semrush_referring_domains"),
    ("SEMRUSH_DOMAINS_API_HEADERS", "semrush_referring_domains"),
    ("MAJESTIC_HEADERS", "majestic_backlinks"),
    ("MOZ_HEADERS", "moz_inbound_links"),
]


@pytest.mark.parametrize(("constant", "name"), HEADER_ROWS)
def test_fixture_header_rows_are_detected(constant: str, name: str) -> None:
    assert detect_format(FIXTURE_DATA[constant]).name == name


@pytest.mark.parametrize(("constant", "name"), HEADER_ROWS)
def test_every_fixture_column_is_understood(constant: str, name: str) -> None:
    headers = FIXTURE_DATA[constant]
    fmt = detect_format(headers)
    found = header_map(fmt, headers)
    used = set(found.columns.values()) | {index for index, _, _ in found.patterned}
    assert [h for i, h in enumerate(headers) if i not in used] == []


@pytest.mark.parametrize(
    ("headers", "name"),
    [
        (["Linking page", "Last crawled"], "gsc_latest_links"),
        (["Linking page"], "gsc_sample_links"),
        (["Site", "Linking pages", "Target pages"], "gsc_top_linking_sites"),
        (["Target page", "Incoming links", "Linking sites"], "gsc_top_linked_pages"),
        (["Página con enlaces", "Último rastreo"], "gsc_latest_links"),
        (["דף מקשר", "נסרק לאחרונה"], "gsc_latest_links"),
        (["אתר", "דפים מקשרים", "דפי יעד"], "gsc_top_linking_sites"),
        (["דף יעד", "קישורים נכנסים", "אתרים מקשרים"], "gsc_top_linked_pages"),
        # The older Open Site Explorer layout.
        (
            [
                "URL",
                "Title",
                "Anchor Text",
                "Page Authority",
                "Domain Authority",
                "Number of Links",
                "Number of Domains Linking to Domain",
                "Followable",
                "301",
                "Origin",
                "Target URL",
            ],
            "moz_inbound_links",
        ),
        # Majestic's API spells the same columns without spaces.
        (
            ["SourceURL", "TargetURL", "AnchorText", "FlagNoFollow", "LastSeenDate"],
            "majestic_backlinks",
        ),
        (["domain", "authority_score", "backlinks_num"], "semrush_referring_domains"),
    ],
)
def test_other_header_rows(headers: list[str], name: str) -> None:
    assert detect_format(headers).name == name


@pytest.mark.parametrize(
    "spelling",
    [
        "Referring page URL",
        "referring page url",
        "REFERRING PAGE URL",
        "  Referring   page URL ",
        "referring_page_url",
        "Referring-page-URL",
        "\ufeffReferring page URL",
        "ReferringPageURL",
    ],
)
def test_aliases_ignore_case_space_punctuation_and_bom(spelling: str) -> None:
    fmt = detect_format([spelling, "Target URL"])
    assert fmt.name == "ahrefs_backlinks"
    assert fmt.canonical(spelling) == "source_url"


def test_most_specific_format_wins() -> None:
    # Majestic headers also satisfy Moz's required (source, target, anchor text).
    headers = ["Source URL", "Target URL", "Anchor Text", "FlagNoFollow"]
    assert detect_format(headers).name == "majestic_backlinks"
    assert detect_format(["Linking page", "Last crawled"]).name == "gsc_latest_links"


def test_unknown_format_message() -> None:
    headers = [f"Column {n}" for n in range(20)]
    headers[1] = "very long header " * 10 + "\nwith a newline"
    with pytest.raises(UnknownExportFormat) as caught:
        detect_format(headers)
    message = str(caught.value)
    assert "\n" not in message
    assert "'Column 0'" in message
    assert "(+12 more)" in message
    for fmt in known_formats():
        assert fmt.name in message
    assert caught.value.hint


def test_describe_headers_empty() -> None:
    assert describe_headers([]) == "no headers"


def test_match_format_returns_none() -> None:
    assert match_format(["Keyword", "Volume"]) is None


def test_known_formats_are_complete_and_distinct() -> None:
    formats = known_formats()
    assert len({fmt.name for fmt in formats}) == len(formats)
    assert {fmt.tool for fmt in formats} == {
        Tool.AHREFS,
        Tool.SEMRUSH,
        Tool.MAJESTIC,
        Tool.MOZ,
        Tool.GSC,
    }
    assert {fmt.kind for fmt in formats} == set(ExportKind)
    for fmt in formats:
        assert fmt.title
        assert set(fmt.required) <= set(fmt.aliases)
        for metric in fmt.numeric_metrics | fmt.text_metrics | fmt.flag_metrics:
            assert metric in fmt.aliases, (fmt.name, metric)


def test_topical_columns_become_metrics() -> None:
    headers = FIXTURE_DATA["MAJESTIC_HEADERS"]
    found = header_map(detect_format(headers), headers)
    names = {name for _, name, _ in found.patterned}
    assert "source_topical_trust_flow_topic_0" in names
    assert "refdomain_topical_trust_flow_value_0" in names


@pytest.mark.parametrize(
    ("text", "normal"),
    [("Page ascore", "pageascore"), ("page_ascore", "pageascore"), ("Ｕｒｌ", "url")],
)
def test_normalize_header(text: str, normal: str) -> None:
    assert normalize_header(text) == normal
