"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

from linkequity.model.pages import PageSignals
from linkequity.model.urls import (
    Url,
    normalize_url,
    parse_url,
    public_suffix,
    registrable_domain,
    resolve_url,
    reversed_host,
)
from linkequity.parsing.page import parse_page

__version__ = "0.1.0"

__all__ = [
    "PageSignals",
    "Url",
    "__version__",
    "normalize_url",
    "parse_page",
    "parse_url",
    "public_suffix",
    "registrable_domain",
    "resolve_url",
    "reversed_host",
]
