"""Fetching one page a user names, the way ``curl`` would: a user-triggered fetch.

Like the user-triggered fetchers of search engines (a URL inspection, a feed
preview), a fetch the user asks for by hand is not a crawl: robots.txt is not
consulted, and nothing is followed beyond the page's own redirects. The crawler
(politeness, robots.txt, scope) is a separate piece.

Bounded: connect and read each time out after ``timeout_s``, redirects stop
after 10 (urllib's limit, which refuses any scheme but http(s) and ftp), and
at most ``MAX_FETCH_BYTES`` of the body are read; decompression is capped again
by ``parsing.http_body``.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from linkequity.errors import FetchFailed
from linkequity.model.records import FetchedPage
from linkequity.model.urls import normalize_url

__all__ = ["MAX_FETCH_BYTES", "USER_AGENT", "fetch_page"]

#: Bytes of a response body read at most, as sent (compressed or not).
MAX_FETCH_BYTES = 16 * 1024 * 1024


def _user_agent() -> str:
    try:
        release = version("linkequity")
    except PackageNotFoundError:  # running from a source tree without installing
        release = "dev"
    return f"linkequity/{release} (user-triggered fetch)"


USER_AGENT = _user_agent()
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


def fetch_page(url: str, *, timeout_s: float = 20.0, follow_redirects: bool = True) -> FetchedPage:
    """Fetch *url*, following its redirects; an HTTP error status is still a page.

    Parameters
    ----------
    url : str
        An absolute http(s) URL.
    timeout_s : float
        Seconds each connect and each read may take.
    follow_redirects : bool
        ``False`` returns a redirect as it came (status 3xx, ``Location``
        header), for a caller that follows redirects itself.

    Returns
    -------
    FetchedPage
        ``url`` is where the redirects ended; ``body`` is as sent (see
        ``parsing.http_body.decode_body``).

    Raises
    ------
    InvalidUrl
        If *url* is not an http(s) URL.
    FetchFailed
        If no HTTP response came: DNS, connection, TLS or timeout.
    """
    request = urllib.request.Request(  # noqa: S310 - normalize_url admits http(s) only
        normalize_url(url),
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"},
    )
    fetched_at = datetime.now(UTC)
    try:
        opener = _DIRECT if follow_redirects else _NO_REDIRECTS
        with opener.open(request, timeout=timeout_s) as response:
            return _page(response.geturl(), response.status, response, fetched_at)
    except urllib.error.HTTPError as err:
        with err:
            return _page(err.geturl() or url, err.code, err, fetched_at)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        reason = getattr(err, "reason", None) or err
        raise FetchFailed(f"cannot fetch {url}: {reason}") from err


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Return a redirect to the caller as an ``HTTPError`` instead of following it."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        del args, kwargs


_DIRECT = urllib.request.build_opener()
_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def _page(
    final_url: str,
    status: int,
    response: http.client.HTTPResponse | urllib.error.HTTPError,
    fetched_at: datetime,
) -> FetchedPage:
    body = response.read(MAX_FETCH_BYTES)
    return FetchedPage(
        url=normalize_url(final_url),
        fetched_at=fetched_at,
        status=status,
        headers=tuple(response.headers.items()),
        body=body,
        record_offset=0,
    )
