"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

from linkequity.model.links import Link, Placement
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
from linkequity.parsing.links import extract_links
from linkequity.parsing.page import parse_page
from linkequity.parsing.robots import RobotsDecision, explain_robots, robots_allowed

__version__ = "0.1.0"

__all__ = [
    "Link",
    "PageSignals",
    "Placement",
    "RobotsDecision",
    "Url",
    "__version__",
    "explain_robots",
    "extract_links",
    "normalize_url",
    "parse_page",
    "parse_url",
    "public_suffix",
    "registrable_domain",
    "resolve_url",
    "reversed_host",
    "robots_allowed",
]
