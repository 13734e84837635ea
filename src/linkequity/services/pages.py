"""Use case: the links of one page, saved or live, the way a user debugs a single page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linkequity.crawl.single import fetch_page
from linkequity.errors import UsageError
from linkequity.parsing.http_body import decode_body
from linkequity.parsing.links import extract_page_links
from linkequity.sources.pages import read_page_file

if TYPE_CHECKING:
    from linkequity.model.links import PageLinks

_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageLinksReport:
    """The links of one page and how the page was had.

    Attributes
    ----------
    links : PageLinks
        Every link, with placement and the counts kept out of the graph.
    status : int or None
        HTTP status of a live fetch; ``None`` for a saved page.
    problem : str or None
        Why a fetched body could not be read (a content coding nothing here undoes).
    """

    links: PageLinks
    status: int | None = None
    problem: str | None = None


def links_of_page(source: str, *, base_url: str | None = None) -> PageLinksReport:
    """Return every link of the page at *source*: an http(s) URL, or a saved file.

    A URL is fetched once, following its redirects; its links resolve against
    where the redirects ended unless *base_url* says otherwise. A saved page
    needs *base_url*, the URL it was fetched from.

    Raises
    ------
    UsageError
        If *source* is a file and no *base_url* is given.
    UnreadablePage
        If the file cannot be read.
    FetchFailed
        If the URL gives no HTTP response.
    InvalidUrl
        If the URL or *base_url* is not an http(s) URL.
    """
    if _URL.match(source.strip()):
        fetched = fetch_page(source.strip())
        body = decode_body(fetched.body, fetched.headers)
        found = extract_page_links(body.data, base_url or fetched.url)
        return PageLinksReport(found, status=fetched.status, problem=body.problem)
    if base_url is None:
        raise UsageError(
            f"{source}: a saved page needs --base-url, the URL it was fetched from",
            hint="Pass --base-url https://…, or give the page's URL instead of the file.",
        )
    return PageLinksReport(extract_page_links(read_page_file(Path(source)), base_url))
