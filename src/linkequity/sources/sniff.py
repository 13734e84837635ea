"""Is a file given as text binary instead? A NUL byte in its head says so.

A user who names an image, an archive or a database where a page or a
robots.txt is expected should hear so, not get an empty answer parsed out of
noise. Text in UTF-8 or a legacy charset never holds a NUL byte; UTF-16 does,
and starts with a byte order mark where it is a saved file. Other control
bytes are not taken for binary: hostile pages carry them (terminal escapes,
BEL) and are still pages.
"""

from __future__ import annotations

import codecs

__all__ = ["SNIFF_BYTES", "is_binary"]

#: Bytes of a file's head looked at.
SNIFF_BYTES = 4096
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_binary(head: bytes) -> bool:
    """Return whether *head*, the start of a file, holds a NUL byte and no UTF-16 BOM."""
    return not head.startswith(_UTF16_BOMS) and b"\x00" in head[:SNIFF_BYTES]
