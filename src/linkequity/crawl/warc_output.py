"""WARC output of a crawl: every response fetched, as ``linkequity ingest`` reads it back.

Each response becomes one gzip-compressed WARC/1.1 ``response`` record
(warcio's writer). The fetcher hands over bodies with their content coding
undone, so the record states them as they are kept: ``Content-Encoding`` and
``Transfer-Encoding`` are dropped and ``Content-Length`` is the kept body's;
the headers as received are otherwise kept, in order. The file is opened for
appending, so a resumed crawl goes on writing the same file (a gzip WARC is
a series of members, one per record).
"""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, BinaryIO, Self

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkequity.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

    from linkequity.crawl.fetch import FetchResult

__all__ = ["WarcResponseWriter"]

_DROPPED = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class WarcResponseWriter:
    """Appends every response it is given to a gzip WARC file.

    Raises
    ------
    UsageError
        If the file cannot be opened for appending.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: BinaryIO = path.open("ab")
        except OSError as err:
            raise UsageError(f"cannot write the WARC file {path}: {err.strerror or err}") from err
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self.records = 0

    def write(self, result: FetchResult, /) -> None:
        """Append *result* as a ``response`` record."""
        page = result.page
        status = page.status or 0
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        headers = [(name, value) for name, value in page.headers if name.lower() not in _DROPPED]
        headers.append(("Content-Length", str(len(page.body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        fetched_at = page.fetched_at or datetime.now(UTC)
        warc_headers = {"WARC-Date": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if result.address:
            warc_headers["WARC-IP-Address"] = result.address
        record = self._writer.create_warc_record(
            page.url,
            "response",
            payload=BytesIO(page.body),
            length=len(page.body),  # known: warcio then digests without a temporary file
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        self._writer.write_record(record)
        self.records += 1

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
