"""Links and what the tools that report them know.

A *sighting* is one report of one link: a row of an Ahrefs export, a page of a
crawl. Several sightings of the same link (same source page, same target page,
same anchor once whitespace and case are folded) become one link in the store
with several provenances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

#: rel tokens that stop a link from passing equity.
UNFOLLOWED_RELS = frozenset({"nofollow", "sponsored", "ugc"})


class Tool(StrEnum):
    """Where a sighting came from."""

    AHREFS = "ahrefs"
    SEMRUSH = "semrush"
    MAJESTIC = "majestic"
    MOZ = "moz"
    GSC = "gsc"
    CRAWL = "crawl"
    WARC = "warc"


class ExportKind(StrEnum):
    """What one row of an export describes."""

    BACKLINKS = "backlinks"
    REFERRING_DOMAINS = "referring_domains"
    TARGET_PAGES = "target_pages"


def fold_anchor(anchor: str) -> str:
    """Return the anchor as links are matched on: whitespace folded, case folded."""
    return " ".join(anchor.split()).casefold()


@dataclass(frozen=True, slots=True)
class LinkSighting:
    """One link as one source reports it.

    ``None`` means the source does not say (a GSC export knows nothing of rel);
    ``False`` means it says no. URLs are normalised (see ``normalize_url``).
    ``tool_metrics`` keeps the tool's own figures under their own names
    (``{"domain_rating": 71.0}``), never mixed with ours.
    """

    source_url: str
    target_url: str
    row: int
    anchor: str = ""
    is_nofollow: bool | None = None
    is_sponsored: bool | None = None
    is_ugc: bool | None = None
    is_image: bool | None = None
    alt: str | None = None
    link_type: str | None = None
    is_sitewide: bool | None = None
    is_target_inferred: bool = False
    left_context: str | None = None
    right_context: str | None = None
    source_title: str | None = None
    source_status: int | None = None
    source_language: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    lost_at: datetime | None = None
    lost_reason: str | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)

    @property
    def passes_equity(self) -> bool | None:
        """Whether the link is followed; ``None`` when the source does not say."""
        flags = (self.is_nofollow, self.is_sponsored, self.is_ugc)
        if any(flags):
            return False
        if all(flag is None for flag in flags):
            return None
        return True

    @property
    def anchor_key(self) -> str:
        """The anchor as sightings of one link are matched on."""
        return fold_anchor(self.anchor)


@dataclass(frozen=True, slots=True)
class ReferringDomainReport:
    """One row of a referring-domains export: a domain and the tool's figures for it."""

    domain: str
    row: int
    backlinks: int | None = None
    linking_pages: int | None = None
    target_pages: int | None = None
    authority: float | None = None
    ip_address: str | None = None
    country: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TargetPageReport:
    """One row of a top-linked-pages export: a page of the site and its link counts."""

    target_url: str
    row: int
    incoming_links: int | None = None
    linking_sites: int | None = None
    tool_metrics: Mapping[str, float | str] = field(default_factory=dict)


ExportRecord = LinkSighting | ReferringDomainReport | TargetPageReport
