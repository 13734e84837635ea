"""The rules of a campaign verification, the anchor check, and the graphs impact compares."""

from __future__ import annotations

import numpy as np
import pytest

from linkequity.analysis.campaigns import (
    FoundLink,
    PageFetch,
    classify_prospect,
    edge_list,
    fold_anchor,
    loose_url_key,
    match_anchor,
    ranked_authority,
    verified_status,
    with_edges,
    without_edges,
)
from linkequity.graph import LinkGraph, link_gains, page_authority, pagerank
from linkequity.model.campaigns import STATUSES, ProspectStatus
from linkequity.model.verification import LinkOutcome

PAGE = "http://blog.example/post/"
OK = PageFetch(PAGE, "blog.example", 200, PAGE, is_indexable=True, is_robots_allowed=True)
LINK = FoundLink("https://www.shop.example/", "Shop Example")


def page(**changes: object) -> PageFetch:
    values = {
        "url": PAGE,
        "domain": "blog.example",
        "status": 200,
        "final_url": PAGE,
        "is_indexable": True,
        "is_robots_allowed": True,
    }
    values.update(changes)
    return PageFetch(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("chain", "found", "was_followed", "outcome"),
    [
        ([], None, None, LinkOutcome.UNCHECKED),
        (
            [page(status=301, final_url="http://other.example/"),
             page(url="http://other.example/", domain="other.example")],
            LINK, None, LinkOutcome.REDIRECTED_AWAY,
        ),
        ([page(is_robots_allowed=False, status=None)], None, True, LinkOutcome.BLOCKED_BY_ROBOTS),
        ([page(status=None)], None, True, LinkOutcome.NO_RESPONSE),
        ([page(status=404)], None, True, LinkOutcome.PAGE_GONE),
        ([page(status=410)], None, True, LinkOutcome.PAGE_GONE),
        ([page(status=500)], None, True, LinkOutcome.HTTP_ERROR),
        ([page(is_indexable=None)], None, True, LinkOutcome.UNREADABLE),
        ([page(is_indexable=False, non_indexable_reason="not_html")], LINK, True,
         LinkOutcome.UNREADABLE),
        ([page()], None, True, LinkOutcome.LINK_REMOVED),
        ([page(is_indexable=False, non_indexable_reason="noindex")], LINK, True,
         LinkOutcome.PAGE_NOINDEX),
        ([page()], FoundLink(LINK.target_url, "x", is_nofollow=True), True,
         LinkOutcome.NOW_NOFOLLOW),
        ([page()], FoundLink(LINK.target_url, "x", is_sponsored=True), None,
         LinkOutcome.PRESENT_NOFOLLOW),
        ([page()], FoundLink(LINK.target_url, "x", is_ugc=True), False,
         LinkOutcome.PRESENT_NOFOLLOW),
        ([page()], LINK, None, LinkOutcome.PRESENT),
        (
            [page(status=301, final_url="http://blog.example/new/"),
             page(url="http://blog.example/new/")],
            LINK, None, LinkOutcome.PRESENT,
        ),
    ],
)  # fmt: skip
def test_each_outcome_rule(
    chain: list[PageFetch], found: FoundLink | None, was_followed: bool | None, outcome: LinkOutcome
) -> None:
    assert classify_prospect(chain, found, was_followed=was_followed)[0] is outcome


def test_a_missing_link_is_removed_only_when_it_was_live() -> None:
    assert classify_prospect([page()], None, was_followed=None)[1] == "no link to the target"
    assert classify_prospect([page()], None, was_followed=True)[1] == "link removed"


def test_the_details_say_why() -> None:
    chain = [page(status=301, final_url="http://other.example/"),
             page(url="http://other.example/", domain="other.example")]  # fmt: skip
    assert classify_prospect(chain, None, was_followed=True)[1] == (
        "redirects to http://other.example/"
    )
    assert classify_prospect([page(status=404)], None, was_followed=True)[1] == "HTTP 404"
    nofollow = FoundLink(LINK.target_url, "x", is_nofollow=True, is_ugc=True)
    assert classify_prospect([page()], nofollow, was_followed=True)[1] == "rel nofollow ugc"


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("outcome", list(LinkOutcome))
def test_the_status_an_outcome_gives(status: ProspectStatus, outcome: LinkOutcome) -> None:
    new = verified_status(status, outcome)

    if outcome in (LinkOutcome.PRESENT, LinkOutcome.PRESENT_NOFOLLOW):
        expected = None if status is ProspectStatus.LIVE else ProspectStatus.LIVE
    elif status is ProspectStatus.LIVE and outcome.is_lost:
        expected = ProspectStatus.LOST
    else:
        expected = None
    assert new is expected


def test_a_noindex_page_does_not_make_a_prospect_live() -> None:
    assert verified_status(ProspectStatus.AGREED, LinkOutcome.PAGE_NOINDEX) is None
    assert verified_status(ProspectStatus.LIVE, LinkOutcome.PAGE_NOINDEX) is ProspectStatus.LOST
    assert verified_status(ProspectStatus.LIVE, LinkOutcome.UNREADABLE) is None


def test_targets_match_without_scheme_www_or_final_slash() -> None:
    assert loose_url_key("https://www.shop.example/") == loose_url_key("http://shop.example")
    assert loose_url_key("http://shop.example/a/") != loose_url_key("http://shop.example/b/")


def test_the_anchor_is_classed_and_compared_with_the_suggestion() -> None:
    branded = match_anchor(
        FoundLink(PAGE, "Hosta  NEWS!"),
        target_domain="hosta-news.example",
        suggested_anchor="Hosta News",
        suggested_class="branded",
    )
    assert (branded.anchor_class, branded.is_same_class, branded.is_exact) == (
        "branded",
        True,
        True,
    )
    generic = match_anchor(
        FoundLink(PAGE, "click here"),
        target_domain="hosta-news.example",
        suggested_anchor="Hosta News",
        suggested_class="branded",
    )
    assert (generic.anchor_class, generic.is_same_class, generic.is_exact) == (
        "generic",
        False,
        False,
    )
    keyword = match_anchor(
        FoundLink(PAGE, "compost bins"),
        target_domain="hosta-news.example",
        suggested_anchor=None,
        suggested_class=None,
        keywords=["compost bins"],
    )
    assert (keyword.anchor_class, keyword.is_same_class, keyword.is_exact) == ("exact", None, None)


def test_folding_drops_case_accents_and_punctuation() -> None:
    assert fold_anchor("  Crème-Brûlée!! ") == fold_anchor("creme brulee")


# --- graphs --------------------------------------------------------------------------


def small_graph() -> tuple[LinkGraph, np.ndarray]:
    # 0 -> 1 -> 2 -> 0, 3 -> 1, 4 -> 3; node 5 only in a nofollow link: no teleport share
    graph = LinkGraph.from_arrays([0, 1, 2, 3, 4], [1, 2, 0, 1, 3], 6)
    teleport = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    return graph, teleport


def test_adding_then_removing_edges_gives_the_graph_back() -> None:
    graph, teleport = small_graph()
    added, added_teleport = with_edges(graph, teleport, [4, 0], [2, 3])
    back, back_teleport = without_edges(added, added_teleport, [4, 0], [2, 3])

    assert added.n_edges == graph.n_edges + 2
    assert [a.tolist() for a in edge_list(back)] == [a.tolist() for a in edge_list(graph)]
    np.testing.assert_array_equal(back_teleport, teleport)


def test_a_page_that_becomes_an_end_gets_a_teleport_share_and_loses_it_again() -> None:
    graph, teleport = small_graph()
    added, added_teleport = with_edges(graph, teleport, [5], [1])
    assert added_teleport[5] == 1.0
    removed, removed_teleport = without_edges(graph, teleport, [4], [3])
    assert removed_teleport[4] == 0.0
    assert removed_teleport[3] == 1.0  # still an end of 3 -> 1
    assert removed.n_edges == graph.n_edges - 1


def test_the_gain_measured_on_the_changed_graph_is_the_predicted_one() -> None:
    graph, teleport = small_graph()
    targets = [2]
    predicted = link_gains(graph, targets, [1], source=4, teleport=teleport).gains[0]
    added, added_teleport = with_edges(graph, teleport, [4], [1])
    before = pagerank(graph, teleport=teleport, tol=1e-14, max_iter=2000)[targets].sum()
    after = pagerank(added, teleport=added_teleport, tol=1e-14, max_iter=2000)[targets].sum()

    assert after - before == pytest.approx(predicted, abs=1e-12)
    assert predicted > 0


def test_authority_is_on_the_scale_rank_stores() -> None:
    graph, teleport = small_graph()
    ranks = pagerank(graph, teleport=teleport, tol=1e-14, max_iter=2000)
    # rank numbers only the ends of followed links: node 5 is not one of them
    kept = LinkGraph.from_arrays(*edge_list(graph), 5)
    stored = page_authority(kept, pagerank_scores=ranks[:5]).authority

    authority = ranked_authority(graph, ranks, teleport)

    np.testing.assert_allclose(authority[:5], stored, atol=1e-9)
    assert authority[5] == 0.0
    assert authority.max() == pytest.approx(100.0)
