from __future__ import annotations

import codecs
import csv
import io
import runpy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkequity.errors import UnknownExportFormat, UnreadableExport
from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
from linkequity.parsing.export_formats import detect_format
from linkequity.parsing.exports import BadRow, SiteRequired
from linkequity.sources.exports import (
    read_export,
    read_records,
    sniff_day_first,
    sniff_delimiter,
    sniff_encoding,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "exports"
SITE = "https://www.example-garden.com/"


def write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- fixtures: sniffed encoding, delimiter, header, format ------------------------------

SNIFFED = [
    ("ahrefs_backlinks_utf16le.tsv", "utf-16-le", True, "\t", 1, "ahrefs_backlinks"),
    ("ahrefs_backlinks_utf8.csv", "utf-8", False, ",", 1, "ahrefs_backlinks"),
    ("semrush_backlinks.csv", "utf-8", True, ",", 1, "semrush_backlinks"),
    ("semrush_backlinks_api.csv", "utf-8", False, ";", 1, "semrush_backlinks"),
    ("semrush_referring_domains.csv", "utf-8", False, ",", 1, "semrush_referring_domains"),
    ("semrush_referring_domains_api.csv", "utf-8", False, ";", 1, "semrush_referring_domains"),
    ("majestic_backlinks.csv", "utf-8", False, ",", 1, "majestic_backlinks"),
    ("moz_inbound_links.csv", "cp1252", False, ",", 7, "moz_inbound_links"),
    ("gsc_latest_links.csv", "utf-8", False, ",", 1, "gsc_latest_links"),
    ("gsc_latest_links_es.csv", "utf-8", False, ",", 1, "gsc_latest_links"),
    ("gsc_sample_links.csv", "utf-16-le", False, ",", 1, "gsc_sample_links"),
    ("gsc_top_linking_sites.csv", "utf-8", False, ",", 1, "gsc_top_linking_sites"),
    ("gsc_top_linking_sites_he.csv", "utf-8", True, ";", 1, "gsc_top_linking_sites"),
    ("gsc_top_linked_pages.csv", "utf-16-be", True, ",", 1, "gsc_top_linked_pages"),
]


@pytest.mark.parametrize(
    ("name", "encoding", "has_bom", "delimiter", "header_line", "fmt"), SNIFFED
)
def test_fixture_is_sniffed_and_detected(
    name: str, encoding: str, has_bom: bool, delimiter: str, header_line: int, fmt: str
) -> None:
    table = read_export(FIXTURES / name)
    assert (table.encoding, table.has_bom, table.delimiter) == (encoding, has_bom, delimiter)
    assert table.header_line == header_line
    assert detect_format(table.headers).name == fmt


def test_every_fixture_is_covered() -> None:
    names = {path.name for path in FIXTURES.iterdir() if path.suffix in {".csv", ".tsv"}}
    assert names == {row[0] for row in SNIFFED} | {"unknown_format.csv"}


def test_committed_fixtures_match_their_generator() -> None:
    build = runpy.run_path(str(FIXTURES / "make_fixtures.py"))["build_fixtures"]
    for name, data in build().items():
        assert (FIXTURES / name).read_bytes() == data, name


def test_ahrefs_encodings_read_the_same_rows() -> None:
    utf16 = list(read_records(FIXTURES / "ahrefs_backlinks_utf16le.tsv"))
    utf8 = list(read_records(FIXTURES / "ahrefs_backlinks_utf8.csv"))
    assert utf16 == utf8
    assert len(utf16) == 7


def test_bom_is_not_part_of_the_first_header() -> None:
    table = read_export(FIXTURES / "semrush_backlinks.csv")
    assert table.headers[0] == "Page ascore"


def test_moz_preamble_is_skipped() -> None:
    table = read_export(FIXTURES / "moz_inbound_links.csv")
    assert table.headers[:3] == ("URL", "Title", "Anchor Text")
    first = next(table.rows())
    assert first.line == 8


def test_cp1252_text_is_decoded() -> None:
    records = list(read_records(FIXTURES / "moz_inbound_links.csv"))
    titles = [r.source_title for r in records if isinstance(r, LinkSighting)]
    assert "Café Vert – Jardin" in titles


def test_trailing_delimiter_column_is_dropped() -> None:
    table = read_export(FIXTURES / "majestic_backlinks.csv")
    assert table.headers[-1] == "RefDomainTopicalTrustFlow_Value_0"
    assert all(len(row.fields) == len(table.headers) for row in table.rows())


# --- line numbers, multi-line records, empty lines ---------------------------------------


def test_line_numbers_follow_a_multi_line_record() -> None:
    lines = [row.line for row in read_export(FIXTURES / "ahrefs_backlinks_utf8.csv").rows()]
    assert lines == [2, 3, 5, 6, 7, 8, 9]


def test_embedded_quotes_commas_and_newlines(tmp_path: Path) -> None:
    data = (
        'Linking page,Last crawled\r\n"https://a.example/x,y",2026-01-01\r\n'
        '\r\n"https://b.example/""q""\nz",2026-01-02\r\nhttps://c.example/,2026-01-03\r\n'
    )
    rows = list(read_export(write(tmp_path, data.encode())).rows())
    assert [(row.line, row.fields[0]) for row in rows] == [
        (2, "https://a.example/x,y"),
        (4, 'https://b.example/"q"\nz'),
        (6, "https://c.example/"),
    ]


def test_fully_empty_lines_and_rows_of_empty_cells_are_skipped(tmp_path: Path) -> None:
    data = b"Site,Linking pages\n\n,\n  \na.example,3\n"
    rows = list(read_export(write(tmp_path, data)).rows())
    assert [(row.line, row.fields) for row in rows] == [(5, ("a.example", "3"))]


def test_rows_can_be_read_twice() -> None:
    table = read_export(FIXTURES / "gsc_top_linking_sites.csv")
    assert list(table.rows()) == list(table.rows())


# --- errors -------------------------------------------------------------------------------


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(UnreadableExport, match="nope.csv"):
        read_export(path)


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableExport, match=str(tmp_path)):
        read_export(tmp_path)


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_file_is_unreadable(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    with pytest.raises(UnreadableExport, match=f"{path} is empty"):
        read_export(path)


def test_binary_file_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, b"PK\x03\x04\x00\x00\x08\x00garbage\x00\x01\x02\xff")
    with pytest.raises(UnreadableExport, match="binary"):
        read_export(path)


def test_unknown_format_lists_headers_and_formats_on_one_line() -> None:
    with pytest.raises(UnknownExportFormat) as caught:
        read_records(FIXTURES / "unknown_format.csv")
    message = str(caught.value)
    assert "\n" not in message
    assert "'Keyword', 'Position', 'Search Volume'" in message
    assert "ahrefs_backlinks" in message
    assert "gsc_top_linked_pages" in message


def test_gsc_latest_links_without_site_is_refused_once() -> None:
    with pytest.raises(SiteRequired, match="--site"):
        read_records(FIXTURES / "gsc_latest_links.csv")


def test_unterminated_quote_stops_with_its_line(tmp_path: Path) -> None:
    data = b'Site,Linking pages\na.example,1\n"b.example,2\n' + b"x" * 100
    table = read_export(write(tmp_path, data))
    rows = table.rows()
    assert next(rows).line == 2
    rows_after = list(rows)
    assert rows_after[0].line == 3


def test_invalid_utf8_after_the_sniffed_sample_names_the_line(tmp_path: Path) -> None:
    body = b"a.example,1\n" * 100_000
    data = b"Site,Linking pages\n" + body + b"caf\xe9.example,2\n"
    table = read_export(write(tmp_path, data))
    assert table.encoding == "utf-8"
    with pytest.raises(UnreadableExport, match=r":100002: bytes are not"):
        list(table.rows())


# --- records: bad rows carry file and line --------------------------------------------------


def test_bad_rows_are_yielded_with_file_and_line() -> None:
    path = FIXTURES / "semrush_backlinks.csv"
    bad = [r for r in read_records(path) if isinstance(r, BadRow)]
    assert [b.line for b in bad] == [7, 8]
    assert str(bad[0]) == f"{path}:7: source URL 'htp:/not-a-url' is not a URL"
    assert "'lots' is not a number" in str(bad[1])


def test_record_kinds_per_fixture() -> None:
    sites = list(read_records(FIXTURES / "gsc_top_linking_sites_he.csv"))
    assert all(isinstance(r, ReferringDomainReport) for r in sites)
    assert [r.linking_pages for r in sites if isinstance(r, ReferringDomainReport)] == [
        3,
        1240,
        87,
    ]
    pages = list(read_records(FIXTURES / "gsc_top_linked_pages.csv"))
    assert all(isinstance(r, TargetPageReport) for r in pages)


def test_day_first_is_decided_per_file() -> None:
    table = read_export(FIXTURES / "gsc_latest_links_es.csv")
    assert sniff_day_first(table, detect_format(table.headers)) is True
    records = list(read_records(FIXTURES / "gsc_latest_links_es.csv", site=SITE))
    first = records[0]
    assert isinstance(first, LinkSighting)
    assert first.last_seen is not None
    assert (first.last_seen.month, first.last_seen.day) == (4, 3)


def test_month_first_file_is_decided_per_file(tmp_path: Path) -> None:
    data = (
        b"Linking page,Last crawled\nhttps://a.example/,03/04/2026\nhttps://b.example/,09/28/2026\n"
    )
    records = list(read_records(write(tmp_path, data), site=SITE))
    first = records[0]
    assert isinstance(first, LinkSighting)
    assert first.last_seen is not None
    assert (first.last_seen.month, first.last_seen.day) == (3, 4)


# --- sniffing units -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a,b,c\n", ","),
        ("a\tb\tc\n", "\t"),
        ("a;b;c\n", ";"),
        ('"a;b","c;d",e\n', ","),
        ('"x,y"\t"z,w"\n', "\t"),
        ("single\n", ","),
        ("a;b,c;d\n", ";"),
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + b"a,b", ("utf-8", True)),
        (codecs.BOM_UTF16_LE + "a,b".encode("utf-16-le"), ("utf-16-le", True)),
        (codecs.BOM_UTF16_BE + "a,b".encode("utf-16-be"), ("utf-16-be", True)),
        ("Site,Linking pages".encode("utf-16-le"), ("utf-16-le", False)),
        ("Site,Linking pages".encode("utf-16-be"), ("utf-16-be", False)),
        ("Página,Último".encode(), ("utf-8", False)),
        ("Página,Último".encode("cp1252"), ("cp1252", False)),
        (b"plain,ascii", ("utf-8", False)),
    ],
)
def test_sniff_encoding(data: bytes, expected: tuple[str, bool]) -> None:
    assert sniff_encoding(data) == expected


def test_sniff_encoding_allows_a_character_cut_at_the_sample_end() -> None:
    sample = "Página".encode()[:2]
    assert sniff_encoding(b"ab" + sample, is_whole=False) == ("utf-8", False)


def test_undecodable_bytes_are_unreadable() -> None:
    with pytest.raises(UnreadableExport, match="neither"):
        sniff_encoding(b"a,b\x81\x8d")


# --- round trip ---------------------------------------------------------------------------

ENCODINGS = [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("utf-16-be", b""),
]
cell = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=2, max_size=2), max_size=6),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from([",", "\t", ";"]),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_round_trips(
    tmp_path: Path,
    rows: list[list[str]],
    encoding: tuple[str, bytes],
    delimiter: str,
    terminator: str,
) -> None:
    codec, bom = encoding
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["Site", "Linking pages"])
    writer.writerows(rows)
    path = write(tmp_path, bom + buffer.getvalue().encode(codec), "round.csv")
    table = read_export(path)
    assert table.headers == ("Site", "Linking pages")
    assert table.delimiter == delimiter
    expected = [tuple(row) for row in rows if any(c.strip() for c in row)]
    assert [row.fields for row in table.rows()] == expected


# --- the shipped sample ---------------------------------------------------------------------


def test_sample_exports_import_cleanly_with_overlap() -> None:
    from linkequity.samples import SAMPLE_SITE, sample_export_paths

    ahrefs_path, majestic_path = sample_export_paths()
    assert read_export(ahrefs_path).encoding == "utf-16-le"
    assert detect_format(read_export(majestic_path).headers).name == "majestic_backlinks"
    ahrefs = list(read_records(ahrefs_path))
    majestic = list(read_records(majestic_path))
    assert len(ahrefs) == 200
    assert all(isinstance(r, LinkSighting) for r in ahrefs + majestic)
    links = [r for r in ahrefs if isinstance(r, LinkSighting)]
    assert all(link.target_url.startswith(SAMPLE_SITE) for link in links)
    assert {link.is_nofollow for link in links} == {True, False}
    assert any(link.is_ugc for link in links)
    assert any(link.is_sponsored for link in links)
    assert any(link.is_image and not link.anchor for link in links)
    assert any(link.lost_at is not None for link in links)
    assert len({link.source_url.split("/")[2] for link in links}) > 40

    def keys(
        records: list[LinkSighting | ReferringDomainReport | TargetPageReport | BadRow],
    ) -> set[tuple[str, str, str]]:
        return {
            (r.source_url, r.target_url, r.anchor_key)
            for r in records
            if isinstance(r, LinkSighting)
        }

    shared = keys(ahrefs) & keys(majestic)
    assert 50 < len(shared) < len(keys(majestic))


def test_sample_matches_its_generator() -> None:
    from linkequity.samples import sample_export_paths
    from linkequity.samples.exports.make_sample import build_sample

    built = build_sample()
    for path in sample_export_paths():
        assert path.read_bytes() == built[path.name], path.name


def test_huge_field_and_nuls_in_a_file_are_cut_and_stripped(tmp_path: Path) -> None:
    anchor = "<b>" + "z" * 3_000_000
    data = (
        "Source URL,Target URL,Anchor Text,FlagNoFollow\n"
        f'https://a.example/,{SITE},"{anchor}",-\n'
        f"https://b.example/,{SITE},n\x00ul\x01,-\n"
        f"https://c.example/,{SITE},fine,-\n"
    ).encode()
    records = list(read_records(write(tmp_path, data)))
    assert [r.row for r in records if isinstance(r, LinkSighting)] == [2, 3, 4]
    first, second = records[0], records[1]
    assert isinstance(first, LinkSighting)
    assert isinstance(second, LinkSighting)
    assert len(first.anchor) == 10_000
    assert first.anchor.startswith("<b>zzz")
    assert second.anchor == "nul"
