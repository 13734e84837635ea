import gzip
import re
from pathlib import Path

import pytest

from linkequity.errors import UnreadableArchive
from linkequity.model.records import DamagedRecord, FetchedPage, WatLinks
from linkequity.sources.warc import WarcReader, read_warc

WARC_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "warc"
needs_data = pytest.mark.skipif(
    not WARC_DATA.is_dir(), reason=f"shared WARC samples not present at {WARC_DATA}"
)
ALL_FILES = sorted(p for p in WARC_DATA.rglob("*") if p.is_file()) if WARC_DATA.is_dir() else []
HREF = re.compile(rb"<a\s[^>]*href\s*=", re.IGNORECASE)


def read_all(name: str) -> tuple[list[object], WarcReader]:
    reader = WarcReader(WARC_DATA / name)
    return list(reader.items()), reader


@needs_data
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_sample_file_reads_without_raising(path: Path) -> None:
    reader = WarcReader(path)
    items = list(reader.items())
    summary = reader.summary
    assert summary.is_complete
    assert summary.damaged == sum(isinstance(item, DamagedRecord) for item in items)
    kept = summary.pages + summary.wat_pages + sum(summary.skipped.values())
    # A damaged record is counted by its type; an unparsable stretch is not a record.
    assert kept <= summary.records <= kept + summary.damaged


@needs_data
@pytest.mark.parametrize("name", ["warcio/example.warc.gz", "warcio/example.warc"])
def test_warcio_example_counts_by_type(name: str) -> None:
    items, reader = read_all(name)
    assert dict(reader.summary.records_by_type) == {
        "warcinfo": 2,
        "request": 2,
        "response": 1,
        "revisit": 1,
    }
    (page,) = items
    assert isinstance(page, FetchedPage)
    assert page.url == "http://example.com/"
    assert page.status == 200
    assert ("Content-Encoding", "gzip") in page.headers
    assert page.body.startswith(b"\x1f\x8b")  # kept as stored, not decoded
    assert page.payload_digest is not None
    assert page.payload_digest.startswith("sha1:")
    assert page.fetched_at is not None
    assert page.fetched_at.year == 2017


@needs_data
def test_resiliparse_warcfile_counts() -> None:
    items, reader = read_all("resiliparse/warcfile.warc.gz")
    summary = reader.summary
    assert summary.records_by_type["request"] == 17
    assert summary.records_by_type["response"] == 16
    assert summary.records_by_type["metadata"] == 16
    assert summary.pages == 16 == len(items)
    assert summary.skipped["metadata"] == 16
    offsets = [item.record_offset for item in items if isinstance(item, FetchedPage)]
    assert offsets == sorted(offsets)
    assert len(set(offsets)) == 16


@needs_data
def test_truncated_plain_warc_yields_before_and_after_the_damage() -> None:
    items, reader = read_all("warcio/example-trunc.warc")
    kinds = [type(item) for item in items]
    assert kinds == [FetchedPage, DamagedRecord]
    damage = items[1]
    assert isinstance(damage, DamagedRecord)
    assert damage.offset == 1197
    assert "resumed at offset 2566" in damage.reason
    assert reader.summary.records_by_type["request"] == 1  # read after the damage


@needs_data
def test_clipped_gzip_reports_the_short_record() -> None:
    items, reader = read_all("resiliparse/clipped.warc.gz")
    (damage,) = items
    assert isinstance(damage, DamagedRecord)
    assert damage.reason == "response record truncated: 75207 of 88275 bytes"
    assert damage.path.endswith("clipped.warc.gz")


@needs_data
def test_bad_arc_yields_the_readable_record_and_reports_the_rest() -> None:
    items, reader = read_all("warcio/bad.arc")
    assert reader.summary.reader == "warcio"
    assert [type(item) for item in items] == [
        DamagedRecord,
        DamagedRecord,
        FetchedPage,
        DamagedRecord,
    ]
    assert [item.offset for item in items if isinstance(item, DamagedRecord)] == [0, 134, 262]


@needs_data
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("warcio/example-bad.warc.gz.bad", 2),
        ("warcio/example-bad-non-chunked.warc.gz", 1),
        ("warcio/example-wrong-chunks.warc.gz", 1),
    ],
)
def test_files_warcio_rejects_are_read_in_full(name: str, pages: int) -> None:
    items, reader = read_all(name)
    assert reader.summary.pages == pages == len(items)
    assert reader.summary.damaged == 0


@needs_data
@pytest.mark.parametrize("name", ["warcio/example.arc", "warcio/example.arc.gz"])
def test_arc_files_go_to_warcio(name: str) -> None:
    items, reader = read_all(name)
    assert reader.summary.reader == "warcio"
    (page,) = items
    assert isinstance(page, FetchedPage)
    assert page.url == "http://example.com/"
    assert page.status == 200
    assert ("Content-Type", "text/html") in page.headers
    assert len(page.body) == 1270  # the record's HTTP Content-Length
    assert page.body.startswith(b"<!doctype html>")
    assert page.record_offset > 0  # after the filedesc record


@needs_data
def test_chunked_body_is_kept_as_stored() -> None:
    items, _ = read_all("warcio/example-iana.org-chunked.warc")
    (page,) = items
    assert isinstance(page, FetchedPage)
    assert ("Transfer-Encoding", "chunked") in page.headers
    assert not page.body.lstrip().startswith(b"<")


@needs_data
def test_whirlwind_warc_and_wat_describe_the_same_page() -> None:
    (page,), _ = read_all("whirlwind_cc/whirlwind.warc.gz")
    assert isinstance(page, FetchedPage)
    assert page.url == "https://an.wikipedia.org/wiki/Escopete"
    assert len(HREF.findall(page.body)) > 0
    wat_items, wat_reader = read_all("whirlwind_cc/whirlwind.warc.wat.gz")
    # This WAT sample holds only the metadata of the request record, so it lists no links.
    assert wat_items == []
    assert wat_reader.summary.skipped == {"warcinfo": 1, "wat-non-response": 1}


@needs_data
def test_common_crawl_wat_record_with_699_links() -> None:
    path = WARC_DATA / "cc_wat_records" / "CC-MAIN-sample2.warc.wat.gz"
    (links,) = list(read_warc(path))
    assert isinstance(links, WatLinks)
    assert links.url == "http://19august93.nsarchive.ru/songs/875.html"
    assert links.status == 200
    assert links.listed_links == 699
    assert len(links.links) == 670
    assert links.other_links == 29
    assert links.unresolved_links == 0
    assert links.links[0].url == "http://19august93.nsarchive.ru/index.html"
    assert links.links[0].text == "начало"


def test_not_a_warc_file_is_one_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("hello, this is not an archive\n")
    with pytest.raises(UnreadableArchive, match="notes.warc is not a WARC or ARC file"):
        WarcReader(path)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableArchive, match="cannot read"):
        WarcReader(tmp_path / "absent.warc.gz")


def test_damaged_gzip_start_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    with pytest.raises(UnreadableArchive, match="broken.warc.gz"):
        WarcReader(path)


def test_response_without_status_line_is_damaged(tmp_path: Path) -> None:
    block = b"not http at all\r\n\r\nbody"
    header = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/\r\n"
        "WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    good = b"HTTP/1.1 404 Not Found\r\nX-A: 1\r\n continued\r\n\r\n<a href=x>"
    good_header = header.replace(str(len(block)).encode(), str(len(good)).encode())
    path = tmp_path / "mixed.warc"
    path.write_bytes(header + block + b"\r\n\r\n" + good_header + good + b"\r\n\r\n")
    items = list(read_warc(path))
    assert isinstance(items[0], DamagedRecord)
    page = items[1]
    assert isinstance(page, FetchedPage)
    assert page.status == 404
    assert page.headers == (("X-A", "1 continued"),)
    assert page.body == b"<a href=x>"


def test_damage_with_no_record_after_it_ends_a_complete_read(tmp_path: Path) -> None:
    # Found by tests/prove/test_prove_fuzz.py: the reader scanned to the end
    # for a record to resume at, found none, and left the summary incomplete.
    good = b"HTTP/1.1 200 OK\r\n\r\n<a href=x>"
    header = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(good)}\r\n\r\n"
    ).encode()
    path = tmp_path / "tail.warc"
    path.write_bytes(header + good + b"\r\n\r\ngarbage\r\n\r\n")
    reader = WarcReader(path)
    page, damage = reader.items()

    assert isinstance(page, FetchedPage)
    assert isinstance(damage, DamagedRecord)
    assert damage.path == str(path)
    assert damage.offset == 0
    assert "resumed at end of file" in damage.reason
    assert reader.summary.is_complete
    assert reader.summary.damaged == 1


def _response_record(url: str) -> bytes:
    block = b"HTTP/1.1 200 OK\r\n\r\n<a href=x>"
    header = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return header + block + b"\r\n\r\n"


@pytest.mark.parametrize("cut", [10, 60, 130])
def test_a_file_cut_inside_a_record_header_reports_the_record(tmp_path: Path, cut: int) -> None:
    # Found by tests/prove/test_prove_fuzz.py: FastWARC ends without a word when
    # the file ends inside a record's header, and the record was lost silently.
    first, second = _response_record("http://a.example/"), _response_record("http://b.example/")
    path = tmp_path / "cut.warc"
    path.write_bytes(first + second[:cut])
    reader = WarcReader(path)
    page, damage = reader.items()

    assert isinstance(page, FetchedPage)
    assert page.url == "http://a.example/"
    assert isinstance(damage, DamagedRecord)
    assert damage.offset == len(first)  # reported once, as a header cut short or a bad block
    assert reader.summary.is_complete
    assert reader.summary.damaged == 1


@pytest.mark.parametrize("cut", [5, 40])
def test_a_gzip_file_cut_inside_a_member_reports_the_record(tmp_path: Path, cut: int) -> None:
    first = gzip.compress(_response_record("http://a.example/"), mtime=0)
    second = gzip.compress(_response_record("http://b.example/"), mtime=0)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(first + second[:cut])
    page, damage = read_warc(path)

    assert isinstance(page, FetchedPage)
    assert isinstance(damage, DamagedRecord)
    assert damage.offset == len(first)
    assert "ends inside a record" in damage.reason


@pytest.mark.parametrize("tail", [b"", b"\r\n", b"\r\n\r\n\n"])
def test_line_breaks_after_the_last_record_are_no_damage(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "clean.warc"
    path.write_bytes(_response_record("http://a.example/") + tail)
    assert [type(item) for item in read_warc(path)] == [FetchedPage]
