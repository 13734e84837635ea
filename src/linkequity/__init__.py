"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

from linkequity.model.urls import (
    Url,
    normalize_url,
    parse_url,
    public_suffix,
    registrable_domain,
    resolve_url,
    reversed_host,
)

__version__ = "0.1.0"

__all__ = [
    "Url",
    "__version__",
    "normalize_url",
    "parse_url",
    "public_suffix",
    "registrable_domain",
    "resolve_url",
    "reversed_host",
]
