"""Writing a sample web as a gzipped WARC file, as a polite crawler would have archived it."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from linkequity.samples.web.generate import SampleWeb

__all__ = ["CRAWL_START", "USER_AGENT", "write_warc"]

#: The WARC-Date of the first record; each fetch after it is one second later.
CRAWL_START = datetime(2024, 5, 1, tzinfo=UTC)
USER_AGENT = "linkequity-sample-web/1.0"
_RECORD_IDS = uuid.UUID("6f1b1c3e-5a53-4d55-9a8f-3b0f2f6c1e01")


def write_warc(web: SampleWeb, path: Path | str, *, include_disallowed: bool = False) -> int:
    """Write every URL of *web* as a request and a response record; return the responses.

    The URLs are those of ``SampleWeb.urls``: robots.txt and sitemaps, every
    page, redirects (3xx with ``Location``) and the dead URLs (404). Pages that
    robots.txt disallows are left out, as a polite crawler leaves them, unless
    *include_disallowed*. Record dates and ids follow from the order, so one
    web always gives the same records.
    """
    responses = 0
    with Path(path).open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in web.urls(include_disallowed=include_disallowed):
            date = (CRAWL_START + timedelta(seconds=responses)).strftime("%Y-%m-%dT%H:%M:%SZ")
            _write_fetch(writer, web, url, date)
            responses += 1
    return responses


def _record_id(url: str, kind: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(_RECORD_IDS, f'{kind} {url}')}>"


def _write_fetch(writer: WARCWriter, web: SampleWeb, url: str, date: str) -> None:
    parts = urlsplit(url)
    request = StatusAndHeaders(
        f"GET {parts.path or '/'} HTTP/1.1",
        [("Host", parts.netloc), ("User-Agent", USER_AGENT), ("Accept", "*/*")],
        is_http_request=True,
    )
    writer.write_record(
        writer.create_warc_record(
            url,
            "request",
            http_headers=request,
            warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": _record_id(url, "request")},
        )
    )
    response = web.respond(url)
    headers = StatusAndHeaders(
        f"{response.status} {response.reason}",
        [*response.headers, ("Content-Length", str(len(response.body)))],
        protocol="HTTP/1.1",
    )
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),  # without it warcio buffers in a temp file it leaves open
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": _record_id(url, "response")},
        )
    )
