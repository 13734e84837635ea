"""What a verification found of one imported backlink, and which outcomes are losses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LOST_OUTCOMES", "LinkOutcome"]


class LinkOutcome(StrEnum):
    """What a verification found of one imported link; see ``describe``."""

    PRESENT = "present"
    PRESENT_NOFOLLOW = "present_nofollow"
    NOW_NOFOLLOW = "now_nofollow"
    PAGE_NOINDEX = "page_noindex"
    LINK_REMOVED = "link_removed"
    PAGE_GONE = "page_gone"
    HTTP_ERROR = "http_error"
    NO_RESPONSE = "no_response"
    REDIRECTED_AWAY = "redirected_away"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    UNREADABLE = "unreadable"
    UNCHECKED = "unchecked"

    @property
    def is_lost(self) -> bool:
        """Whether the link no longer passes equity to its target."""
        return self in LOST_OUTCOMES

    @property
    def is_known(self) -> bool:
        """Whether the verification could tell; an unknown outcome changes no link."""
        return self not in {LinkOutcome.UNREADABLE, LinkOutcome.UNCHECKED}

    def describe(self) -> str:
        """One line for people: what the outcome means."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    LinkOutcome.PRESENT: "on the page and followed (the anchor may have changed)",
    LinkOutcome.PRESENT_NOFOLLOW: "on the page, nofollow/sponsored/ugc, as the export said too",
    LinkOutcome.NOW_NOFOLLOW: "lost: now nofollow/sponsored/ugc; the export said followed",
    LinkOutcome.PAGE_NOINDEX: "lost: on the page, but the page is noindex",
    LinkOutcome.LINK_REMOVED: "lost: the page is served and has no link to the target",
    LinkOutcome.PAGE_GONE: "lost: the page answers 404 or 410",
    LinkOutcome.HTTP_ERROR: "lost: another error status, or a redirect that leads nowhere",
    LinkOutcome.NO_RESPONSE: "lost: no response (DNS, connection, timeout), after retries",
    LinkOutcome.REDIRECTED_AWAY: "lost: the page redirects to another site",
    LinkOutcome.BLOCKED_BY_ROBOTS: "lost: robots.txt forbids crawling the page",
    LinkOutcome.UNREADABLE: "unknown: the page is not HTML, or its body could not be read",
    LinkOutcome.UNCHECKED: "unknown: the verification did not fetch the page",
}

#: Outcomes that mean the link no longer passes equity; they set ``links.lost_at``.
LOST_OUTCOMES = frozenset(
    {
        LinkOutcome.NOW_NOFOLLOW,
        LinkOutcome.PAGE_NOINDEX,
        LinkOutcome.LINK_REMOVED,
        LinkOutcome.PAGE_GONE,
        LinkOutcome.HTTP_ERROR,
        LinkOutcome.NO_RESPONSE,
        LinkOutcome.REDIRECTED_AWAY,
        LinkOutcome.BLOCKED_BY_ROBOTS,
    }
)
