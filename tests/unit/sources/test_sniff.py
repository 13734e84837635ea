"""``is_binary``: a NUL byte in a file's head says binary, unless a UTF-16 BOM says text."""

from __future__ import annotations

import codecs

import pytest

from linkequity.sources.sniff import SNIFF_BYTES, is_binary


@pytest.mark.parametrize(
    "head",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"DUCK\x00\x00\x00\x00",
        b"<html>" + b"\x00" + b"</html>",
    ],
)
def test_a_nul_byte_is_binary(head: bytes) -> None:
    assert is_binary(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"User-agent: *\nDisallow: /\n",
        b'<a href="/x">\x1b]0;owned\x07click</a>',
        codecs.BOM_UTF16_LE + "<html>".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "<html>".encode("utf-16-be"),
        b"x" * SNIFF_BYTES + b"\x00",
    ],
)
def test_text_control_bytes_utf16_and_a_late_nul_are_not(head: bytes) -> None:
    assert not is_binary(head)
