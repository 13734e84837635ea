"""Reading saved pages from disk: plain or gzipped HTML, as bytes for the parser."""

from __future__ import annotations

import gzip
import zlib
from typing import TYPE_CHECKING

from linkequity.errors import UnreadablePage
from linkequity.sources.sniff import is_binary

if TYPE_CHECKING:
    from pathlib import Path

_GZIP_MAGIC = b"\x1f\x8b"
#: Bytes read from a saved page at most; the parser reads no more than 15 MiB anyway.
MAX_PAGE_BYTES = 64 * 1024 * 1024


def read_page_file(path: Path) -> bytes:
    """Return the bytes of a saved page, gunzipped when it is gzip, cut at ``MAX_PAGE_BYTES``.

    Raises
    ------
    UnreadablePage
        If the file cannot be read, its gzip stream is damaged, or it holds
        no page: it is empty, or binary (``sources.sniff.is_binary``).
    """
    try:
        with path.open("rb") as raw:
            is_gzip = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            if is_gzip:
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    data = unzipped.read(MAX_PAGE_BYTES)
            else:
                data = raw.read(MAX_PAGE_BYTES)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise UnreadablePage(f"{path}: damaged gzip ({exc})") from exc
    except OSError as exc:
        raise UnreadablePage(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadablePage(f"{path} is empty: no page to read")
    if is_binary(data):
        raise UnreadablePage(f"{path} is not an HTML page: it holds binary data")
    return data
