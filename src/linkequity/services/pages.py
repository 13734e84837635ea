"""Use case: the links of one saved page, the way a user debugs a single page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.parsing.links import extract_page_links
from linkequity.sources.pages import read_page_file

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.model.links import PageLinks


def links_of_saved_page(path: Path, *, base_url: str) -> PageLinks:
    """Return every link of the page saved at ``path``, as fetched from ``base_url``.

    Raises
    ------
    UnreadablePage
        If the file cannot be read.
    InvalidUrl
        If ``base_url`` is not an http(s) URL.
    """
    return extract_page_links(read_page_file(path), base_url)
