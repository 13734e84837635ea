from __future__ import annotations

import gzip
import os
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkequity.parsing.http_body import MAX_DECODED_BYTES, decode_body

PAGE = b"<html><body><a href='/x'>x</a></body></html>"


def chunked(data: bytes, size: int = 7) -> bytes:
    pieces = [data[start : start + size] for start in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def test_a_plain_body_is_kept() -> None:
    decoded = decode_body(PAGE, [("Content-Type", "text/html")])

    assert decoded.data == PAGE
    assert not decoded.is_truncated
    assert decoded.problem is None


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=40))
def test_chunked_bodies_are_joined(data: bytes, size: int) -> None:
    assert decode_body(chunked(data, size), [("transfer-encoding", "chunked")]).data == data


def test_chunk_extensions_and_bare_line_feeds_are_read() -> None:
    body = b"5;name=value\nhello\n6\n world\n0\n\n"

    assert decode_body(body, [("Transfer-Encoding", "chunked")]).data == b"hello world"


def test_a_body_that_says_chunked_but_is_not_is_taken_as_it_is() -> None:
    assert decode_body(PAGE, [("Transfer-Encoding", "chunked")]).data == PAGE


def test_a_body_cut_inside_its_last_chunk_keeps_what_it_has() -> None:
    assert decode_body(b"5\r\nhello\r\n6\r\n wo", [("Transfer-Encoding", "chunked")]).data == (
        b"hello wo"
    )


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "GZIP"])
def test_gzip_bodies_are_decompressed(coding: str) -> None:
    assert decode_body(gzip.compress(PAGE), [("Content-Encoding", coding)]).data == PAGE


@pytest.mark.parametrize("compress", [zlib.compress, lambda data: zlib.compress(data)[2:-4]])
def test_deflate_is_read_as_zlib_or_raw_deflate(compress: object) -> None:
    assert callable(compress)
    assert decode_body(compress(PAGE), [("Content-Encoding", "deflate")]).data == PAGE


def test_chunked_gzip_is_dechunked_then_decompressed() -> None:
    body = chunked(gzip.compress(PAGE), size=10)
    headers = [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]

    assert decode_body(body, headers).data == PAGE


def test_stacked_content_codings_are_undone_last_first() -> None:
    body = gzip.compress(zlib.compress(PAGE))

    assert decode_body(body, [("Content-Encoding", "deflate, gzip")]).data == PAGE


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"\0" * (MAX_DECODED_BYTES + 1024 * 1024), compresslevel=9)

    decoded = decode_body(bomb, [("Content-Encoding", "gzip")])

    assert len(decoded.data) == MAX_DECODED_BYTES
    assert decoded.is_truncated


def test_a_gzip_stream_damaged_part_way_keeps_what_came_before() -> None:
    text = b"".join(b"<p>paragraph %d</p>" % number for number in range(20_000))
    compressed = bytearray(gzip.compress(text))
    compressed[len(compressed) // 2 :] = b"\xff" * (len(compressed) - len(compressed) // 2)

    decoded = decode_body(bytes(compressed), [("Content-Encoding", "gzip")])

    # Inflate may turn damaged bytes into output before it sees the damage, so
    # only a prefix of the output is the page.
    kept = os.path.commonprefix([decoded.data, text])
    assert decoded.is_truncated
    assert len(kept) > len(text) // 3


def test_a_truncated_gzip_stream_is_marked_truncated() -> None:
    compressed = gzip.compress(PAGE * 100)

    decoded = decode_body(compressed[: len(compressed) // 2], [("Content-Encoding", "gzip")])

    assert decoded.is_truncated
    assert (PAGE * 100).startswith(decoded.data)


@pytest.mark.parametrize("coding", ["br", "zstd", "compress"])
def test_codings_nothing_here_undoes_give_no_body_and_say_why(coding: str) -> None:
    decoded = decode_body(b"\x8b\x02\x80", [("Content-Encoding", coding)])

    assert decoded.data == b""
    assert decoded.problem == f"content coding {coding} is not supported"


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_body_said_to_be_compressed_that_is_not_is_taken_as_it_is(coding: str) -> None:
    decoded = decode_body(PAGE, [("Content-Encoding", coding)])

    assert decoded.data == PAGE
    assert not decoded.is_truncated


def test_identity_is_no_coding() -> None:
    assert decode_body(PAGE, [("Content-Encoding", "identity")]).data == PAGE
