"""Campaign rules: what a verification found of a prospect, and the graphs impact compares.

Verification outcome
    The prospect's source page and its redirects, as a verify-mode crawl
    fetched them, and the best link on the last page to the prospect's
    target (matched without scheme, ``www.`` or final slash), are classified
    in the order of ``linkequity verify`` (``model.verification``): not
    fetched, redirected to another site, blocked by robots.txt, no response,
    404/410, another error, unreadable, link not there, page noindex, link
    not followed (``now_nofollow`` when it was followed before, else
    ``present_nofollow``), present.

Status from an outcome
    ``present`` or ``present_nofollow`` make any other status ``live`` (the
    rel is recorded: a nofollow link is live and passes no equity); a live
    prospect whose outcome is a loss becomes ``lost`` with the outcome as its
    reason; anything else changes no status (a noindex page with the link is
    not live yet; an unreadable page tells nothing).

Anchor
    The anchor found is classed (``analysis.anchors``) for the page it
    points to (its site's name the brand, the plan's keywords the keywords),
    and compared with the suggestion: the same class, and the same text
    once case, accents and punctuation are folded.

Graphs of the impact
    ``with_edges`` and ``without_edges`` add or remove followed links and
    keep the teleport rule of ``services.ranked_graph`` (a share on the ends
    of followed links): a page that is an end only of removed links loses
    its share, one that becomes an end gains it.

Pure: values and arrays in, values out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from linkequity.analysis.anchors import AnchorRules, classify_anchor
from linkequity.graph import LinkGraph, authority_scale
from linkequity.model.campaigns import ProspectStatus
from linkequity.model.verification import LinkOutcome

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = [
    "AnchorMatch",
    "FoundLink",
    "PageFetch",
    "classify_prospect",
    "edge_list",
    "fold_anchor",
    "loose_url_key",
    "match_anchor",
    "ranked_authority",
    "verified_status",
    "with_edges",
    "without_edges",
]

_SCHEME_WWW = re.compile(r"^https?://(www\.)?", re.IGNORECASE)


def loose_url_key(url: str) -> str:
    """Return *url* without scheme, ``www.`` or final slash, as targets are matched."""
    return _SCHEME_WWW.sub("", url).removesuffix("/")


def fold_anchor(text: str) -> str:
    """Return the anchor with case, accents, punctuation and spacing folded."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True, slots=True)
class PageFetch:
    """One page of a verify-mode crawl, as ``store.campaigns.crawl_pages`` gives it."""

    url: str
    domain: str
    status: int | None
    final_url: str | None = None
    is_indexable: bool | None = None
    non_indexable_reason: str | None = None
    indexability_detail: str | None = None
    is_robots_allowed: bool | None = None
    crawl_outcome: str | None = None


@dataclass(frozen=True, slots=True)
class FoundLink:
    """A link to the prospect's target on the page, as the crawl read it."""

    target_url: str
    anchor: str
    is_nofollow: bool | None = None
    is_sponsored: bool | None = None
    is_ugc: bool | None = None
    placement: str | None = None
    is_hidden: bool | None = None
    is_image: bool | None = None
    alt: str | None = None

    @property
    def is_followed(self) -> bool:
        """Whether the link passes equity (no nofollow, sponsored or ugc)."""
        return not (self.is_nofollow or self.is_sponsored or self.is_ugc)

    @property
    def rel(self) -> str:
        """Its equity-stopping rel tokens, space-separated ("" when followed)."""
        flags = (("nofollow", self.is_nofollow), ("sponsored", self.is_sponsored))
        return " ".join(name for name, on in (*flags, ("ugc", self.is_ugc)) if on)


def classify_prospect(
    chain: Sequence[PageFetch], found: FoundLink | None, *, was_followed: bool | None
) -> tuple[LinkOutcome, str | None]:
    """Return what a verification found of one prospect, and a human detail.

    Parameters
    ----------
    chain : sequence of PageFetch
        The source page, then each page its redirects led to, in order
        (empty when the crawl did not fetch it).
    found : FoundLink or None
        The link to the target on the last page of the chain, if there is one.
    was_followed : bool or None
        Whether the link was followed when last seen live (``None``: not live
        now, so a missing link is not there yet rather than removed).
    """
    if not chain:
        return LinkOutcome.UNCHECKED, None
    first, end = chain[0], chain[-1]
    away = next((page for page in chain[1:] if page.domain != first.domain), None)
    if away is not None:
        return LinkOutcome.REDIRECTED_AWAY, f"redirects to {away.url}"
    if end.is_robots_allowed is False:
        return LinkOutcome.BLOCKED_BY_ROBOTS, end.crawl_outcome or end.indexability_detail
    if end.status is None:
        return LinkOutcome.NO_RESPONSE, end.crawl_outcome or end.indexability_detail
    if end.status in (404, 410):
        return LinkOutcome.PAGE_GONE, f"HTTP {end.status}"
    if not 200 <= end.status <= 299:  # noqa: PLR2004
        return LinkOutcome.HTTP_ERROR, f"HTTP {end.status}"
    if end.is_indexable is None or end.non_indexable_reason == "not_html":
        return LinkOutcome.UNREADABLE, end.crawl_outcome or end.indexability_detail
    if found is None:
        where = f" on {end.url}" if len(chain) > 1 else ""
        said = "no link to the target" + where if was_followed is None else "link removed" + where
        return LinkOutcome.LINK_REMOVED, said
    if end.non_indexable_reason == "noindex":
        return LinkOutcome.PAGE_NOINDEX, end.indexability_detail
    if not found.is_followed:
        outcome = LinkOutcome.NOW_NOFOLLOW if was_followed else LinkOutcome.PRESENT_NOFOLLOW
        return outcome, f"rel {found.rel}"
    return LinkOutcome.PRESENT, None


def verified_status(status: ProspectStatus, outcome: LinkOutcome) -> ProspectStatus | None:
    """Return the status a verification's outcome gives the prospect, ``None`` for no change."""
    if outcome in (LinkOutcome.PRESENT, LinkOutcome.PRESENT_NOFOLLOW):
        return None if status is ProspectStatus.LIVE else ProspectStatus.LIVE
    if status is ProspectStatus.LIVE and outcome.is_lost:
        return ProspectStatus.LOST
    return None


@dataclass(frozen=True, slots=True)
class AnchorMatch:
    """The anchor found beside the one suggested.

    Attributes
    ----------
    anchor_class : str
        The class of the anchor found (``model.AnchorClass`` value).
    is_same_class : bool or None
        Whether it is the suggested class (``None``: no class was suggested).
    is_exact : bool or None
        Whether it is the suggested text, folded (``None``: no text was suggested).
    """

    anchor_class: str
    is_same_class: bool | None
    is_exact: bool | None


def match_anchor(
    found: FoundLink,
    *,
    target_domain: str,
    suggested_anchor: str | None,
    suggested_class: str | None,
    keywords: Sequence[str] = (),
) -> AnchorMatch:
    """Class the anchor found for its target page and compare it with the suggestion."""
    rules = AnchorRules.for_target([target_domain], keywords=keywords)
    classes = classify_anchor(found.anchor, rules, is_image=bool(found.is_image), alt=found.alt)
    kind = str(classes.anchor_class)
    return AnchorMatch(
        kind,
        None if not suggested_class else kind == suggested_class,
        None
        if not suggested_anchor
        else fold_anchor(found.anchor) == fold_anchor(suggested_anchor),
    )


def edge_list(graph: LinkGraph) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the ``(sources, targets)`` node ids of every edge of an unweighted graph."""
    targets = np.repeat(np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.in_indptr))
    return graph.in_indices.astype(np.int64), targets


def with_edges(
    graph: LinkGraph,
    teleport: npt.NDArray[np.float64],
    sources: npt.ArrayLike,
    targets: npt.ArrayLike,
) -> tuple[LinkGraph, npt.NDArray[np.float64]]:
    """Return the graph with the edges added, and its teleport (see the module docstring)."""
    old_sources, old_targets = edge_list(graph)
    changed = LinkGraph.from_arrays(
        np.concatenate([old_sources, np.asarray(sources, dtype=np.int64)]),
        np.concatenate([old_targets, np.asarray(targets, dtype=np.int64)]),
        graph.n_nodes,
    )
    return changed, _teleport_after(graph, changed, teleport)


def without_edges(
    graph: LinkGraph,
    teleport: npt.NDArray[np.float64],
    sources: npt.ArrayLike,
    targets: npt.ArrayLike,
) -> tuple[LinkGraph, npt.NDArray[np.float64]]:
    """Return the graph with the edges taken out, and its teleport."""
    old_sources, old_targets = edge_list(graph)
    n = np.int64(graph.n_nodes)
    removed = np.asarray(sources, dtype=np.int64) * n + np.asarray(targets, dtype=np.int64)
    kept = ~np.isin(old_sources * n + old_targets, removed)
    changed = LinkGraph.from_arrays(old_sources[kept], old_targets[kept], graph.n_nodes)
    return changed, _teleport_after(graph, changed, teleport)


def _ends(graph: LinkGraph) -> npt.NDArray[np.bool_]:
    sources, targets = edge_list(graph)
    ends = np.zeros(graph.n_nodes, dtype=np.bool_)
    ends[sources] = True
    ends[targets] = True
    return ends


def _teleport_after(
    before: LinkGraph, after: LinkGraph, teleport: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    was, now = _ends(before), _ends(after)
    changed = np.array(teleport, dtype=np.float64, copy=True)
    changed[was & ~now] = 0.0
    changed[now & ~was] = 1.0
    return changed


def ranked_authority(
    graph: LinkGraph,
    ranks: npt.NDArray[np.float64],
    teleport: npt.NDArray[np.float64],
    *,
    damping: float = 0.85,
) -> npt.NDArray[np.float64]:
    """Return the 0-100 authority of each node, on the scale ``linkequity rank`` stores.

    ``rank`` scales the PageRank of the pages with a teleport share (the ends
    of followed links) with the floor at the rank of a page nobody links to,
    ``(1 - d + d D) / n`` over those ``n`` pages, ``D`` the rank of those
    without out-links (``graph.scores.page_authority``); a page without a
    share is at 0.
    """
    shared = teleport > 0
    n = int(np.count_nonzero(shared))
    if n == 0:
        return np.zeros(graph.n_nodes)
    dangling = float(ranks[shared & (graph.out_weight() == 0)].sum())
    floor = (1.0 - damping + damping * dangling) / n
    return np.where(shared, authority_scale(ranks, damping=damping, floor=floor), 0.0)
