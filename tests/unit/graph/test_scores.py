"""The 0-100 authority scale, page and domain authority, and referring counts."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.graph import (
    LinkGraph,
    assign_ids,
    authority_scale,
    domain_authority,
    domain_graph,
    domain_referring_counts,
    page_authority,
    pagerank,
    referring_counts,
)
from linkequity.model.urls import registrable_domain, url_host

if TYPE_CHECKING:
    from tests.unit.graph.conftest import EdgeList, HostLinks

Vector = npt.NDArray[np.float64]


def hollins_graph(hollins: EdgeList) -> LinkGraph:
    return LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)


def hollins_domains(hollins: EdgeList) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Domain id of each hollins page, by way of its host, as test_link_graph derives them."""
    host_of_page, hosts = assign_ids([url_host(url) for url in hollins.names])
    domain_of_host, domains = assign_ids([registrable_domain(h) or h for h in hosts])
    return domain_of_host[host_of_page], domains


def distinct_edges(graph: LinkGraph) -> set[tuple[int, int]]:
    coo = graph.adjacency.tocoo()
    return {(int(i), int(j)) for i, j in zip(coo.row, coo.col, strict=True)}


# --- authority_scale -------------------------------------------------------------------


def test_scale_matches_the_formula_by_hand() -> None:
    scores = [0.4, 0.1, 0.05, 0.0375, 0.0]
    floor = 0.15 / 5
    top = math.log(0.4 / floor)
    expected = [100.0, 100 * math.log(0.1 / floor) / top, 100 * math.log(0.05 / floor) / top]
    expected += [100 * math.log(0.0375 / floor) / top, 0.0]
    assert authority_scale(scores).tolist() == pytest.approx(expected, abs=1e-12)
    assert authority_scale(scores, damping=0.5)[1] == pytest.approx(
        100 * math.log(0.1 / 0.1) / math.log(0.4 / 0.1)
    )
    assert authority_scale(scores, floor=0.025).tolist() == pytest.approx(
        [100.0, 50.0, 25.0, 100 * math.log(1.5) / math.log(16), 0.0], abs=1e-12
    )


def test_doubling_a_score_adds_the_same_number_of_points_at_every_level() -> None:
    floor = 1e-4
    scores = np.array([0.5, 0.001, 0.002, 0.01, 0.02, 0.1, 0.2])
    points = authority_scale(scores, floor=floor)
    per_doubling = 100 * math.log(2) / math.log(0.5 / floor)
    assert points[[2, 4, 6]] - points[[1, 3, 5]] == pytest.approx([per_doubling] * 3)
    # One point is the same factor everywhere: (x_max / f) ** (1 / 100).
    one_point = (0.5 / floor) ** 0.01
    assert authority_scale([0.5, 0.01, 0.01 * one_point], floor=floor)[2] == pytest.approx(
        points[3] + 1.0
    )


def test_scale_edge_cases() -> None:
    assert authority_scale([]).tolist() == []
    # One node: it holds all the score, far above the floor 0.15.
    assert authority_scale([1.0]).tolist() == [100.0]
    # Nothing above the floor: every node at 0.
    assert authority_scale([0.0, 0.0, 0.0]).tolist() == [0.0, 0.0, 0.0]
    assert authority_scale([0.01, 0.01], floor=0.01).tolist() == [0.0, 0.0]
    # All equal above the floor (a cycle): every node is the best.
    assert authority_scale([0.25] * 4).tolist() == [100.0] * 4
    # Below the floor (a TrustRank of 0, say) clips to 0.
    assert authority_scale([0.5, 1e-9, 0.0], floor=0.01).tolist() == [100.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("scores", "kwargs", "message"),
    [
        ([0.5, -0.1], {}, "finite and >= 0"),
        ([0.5, np.nan], {}, "finite and >= 0"),
        ([0.5, np.inf], {}, "finite and >= 0"),
        ([0.5, 0.5], {"damping": 1.0}, "damping must be in \\[0, 1\\)"),
        ([0.5, 0.5], {"floor": 0.0}, "floor must be > 0"),
        ([0.5, 0.5], {"floor": -1.0}, "floor must be > 0"),
    ],
)
def test_scale_refuses_bad_input(scores: list[float], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        authority_scale(scores, **kwargs)


score_lists = st.lists(
    st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False), min_size=1, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(score_lists, st.floats(0.0, 0.99))
def test_scale_is_bounded_and_keeps_the_order(scores: list[float], damping: float) -> None:
    x = np.array(scores)
    points = authority_scale(x, damping=damping)
    assert points.dtype == np.float64
    assert np.all((points >= 0.0) & (points <= 100.0))
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(points[order]) >= -1e-9)
    floor = (1 - damping) / x.size
    if x.max() > floor * (1 + 1e-6):
        assert points[np.argmax(x)] == 100.0
    assert np.all(points[x <= floor] == 0.0)


# --- page and domain authority ----------------------------------------------------------


def test_page_authority_on_hollins_puts_the_root_at_100_and_unlinked_pages_at_0(
    hollins: EdgeList,
) -> None:
    graph = hollins_graph(hollins)
    result = page_authority(graph)
    x = pagerank(graph)
    assert np.abs(result.pagerank - x).sum() < 1e-12
    assert hollins.names[int(np.argmax(result.authority))] == "http://www.hollins.edu/"
    assert result.authority.max() == 100.0
    # The floor is the PageRank of a page nobody links to: (1 - d + d D) / n.
    unlinked = graph.in_degree() == 0
    assert np.count_nonzero(unlinked) > 0
    dead_end_mass = x[graph.out_weight() == 0].sum()
    floor = (0.15 + 0.85 * dead_end_mass) / graph.n_nodes
    assert x[unlinked] == pytest.approx(floor, rel=1e-8)
    assert np.all(result.authority[unlinked] < 1e-6)
    assert np.all(result.authority[~unlinked] > 0)
    expected = 100 * np.log(np.maximum(x, floor) / floor) / np.log(x.max() / floor)
    assert np.abs(result.authority - expected).max() < 1e-6
    # Order follows PageRank.
    assert np.all(np.diff(result.authority[np.argsort(x)]) >= -1e-9)


def test_page_authority_takes_precomputed_scores_and_refuses_bad_input() -> None:
    graph = LinkGraph.from_arrays([1, 2, 3, 0], [0, 0, 0, 1], 5)
    x = pagerank(graph, damping=0.7)
    given_x = page_authority(graph, damping=0.7, pagerank_scores=x)
    assert np.array_equal(given_x.authority, page_authority(graph, damping=0.7).authority)
    assert given_x.authority[4] < 1e-6
    with pytest.raises(ValueError, match="pagerank_scores has 2 entries for 5 nodes"):
        page_authority(graph, pagerank_scores=[0.5, 0.5])
    with pytest.raises(ValueError, match="damping must be in \\[0, 1\\)"):
        page_authority(graph, damping=1.0)


def test_page_authority_of_tiny_graphs() -> None:
    assert page_authority(LinkGraph.from_arrays([], [], 0)).authority.tolist() == []
    # No links: nobody is linked, so everybody sits at the floor.
    assert page_authority(LinkGraph.from_arrays([], [], 1)).authority.tolist() == [0.0]
    assert page_authority(LinkGraph.from_arrays([], [], 3)).authority.tolist() == [0.0] * 3
    # A cycle: every page equally linked, every page the best.
    cycle = page_authority(LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3))
    assert cycle.authority.tolist() == pytest.approx([100.0] * 3)


def test_domain_graph_on_hollins_has_one_unweighted_edge_per_linked_domain_pair(
    hollins: EdgeList,
) -> None:
    pages = hollins_graph(hollins)
    domain_of_page, domains = hollins_domains(hollins)
    graph = domain_graph(pages, domain_of_page, len(domains))
    assert graph.n_nodes == len(domains) == 3
    expected = {
        (int(domain_of_page[s]), int(domain_of_page[t]))
        for s, t in distinct_edges(pages)
        if domain_of_page[s] != domain_of_page[t]
    }
    assert distinct_edges(graph) == expected
    assert set(graph.adjacency.data.tolist()) <= {1.0}
    result = domain_authority(pages, domain_of_page, len(domains))
    assert np.abs(result.pagerank - pagerank(graph)).sum() < 1e-12
    # The crawl's own domain links to two broken hosts (see test_link_graph) and
    # nothing links to it: it is at 0, they share the top.
    assert expected == {(0, 1), (0, 2)}
    assert result.authority.tolist() == pytest.approx([0.0, 100.0, 100.0], abs=1e-6)


@pytest.mark.slow
def test_domain_authority_of_the_uk1996_hosts(uk1996_hosts: HostLinks) -> None:
    links = uk1996_hosts
    host_ids, hosts = assign_ids(links.sources + links.targets)
    n_links = len(links.sources)
    sources, targets = host_ids[:n_links], host_ids[n_links:]
    host_graph = LinkGraph.from_arrays(sources, targets, len(hosts), weights=links.counts)
    domain_of_host, domains = assign_ids([registrable_domain(h) or h for h in hosts])
    graph = domain_graph(host_graph, domain_of_host, len(domains))
    expected = {
        (int(domain_of_host[s]), int(domain_of_host[t]))
        for s, t in zip(sources.tolist(), targets.tolist(), strict=True)
        if domain_of_host[s] != domain_of_host[t]
    }
    assert distinct_edges(graph) == expected
    result = domain_authority(host_graph, domain_of_host, len(domains))
    assert np.abs(result.pagerank - pagerank(graph)).sum() < 1e-12
    assert result.authority[np.argmax(result.pagerank)] == 100.0
    unlinked = graph.in_degree() == 0
    assert np.all(result.authority[unlinked] < 1e-6)
    assert np.all(result.authority[~unlinked] > 0)
    counts = domain_referring_counts(host_graph, domain_of_host, len(domains))
    assert np.array_equal(counts.referring_domains, graph.in_degree())


def test_domain_graph_with_many_domains_matches_a_set_oracle(hollins: EdgeList) -> None:
    # Hollins has three domains; a synthetic grouping of its pages into 97
    # "domains" exercises the roll-up on many pairs.
    pages = hollins_graph(hollins)
    groups = (np.arange(pages.n_nodes) * 7919) % 97
    graph = domain_graph(pages, groups, 97)
    expected = {
        (int(groups[s]), int(groups[t])) for s, t in distinct_edges(pages) if groups[s] != groups[t]
    }
    assert distinct_edges(graph) == expected


def test_a_domain_splits_its_score_equally_among_the_domains_it_links_to() -> None:
    # Domain 0 (pages 0-2) links to domain 1 with ten links (from every page, to
    # pages 3-6) and to domain 2 with one; domains 1 and 2 link nowhere else.
    sources = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0]
    targets = [3, 4, 5, 6, 3, 4, 5, 3, 4, 6, 7]
    pages = LinkGraph.from_arrays(sources, targets, 8)
    domain_of_page = [0, 0, 0, 1, 1, 1, 1, 2]
    result = domain_authority(pages, domain_of_page, 3)
    assert result.pagerank[1] == pytest.approx(result.pagerank[2], abs=1e-12)
    assert result.authority.tolist() == pytest.approx([0.0, 100.0, 100.0], abs=1e-6)
    # Each of domains 1 and 2 gets half of domain 0's followed share.
    m = np.array([[0, 0, 0], [0.5, 0, 0], [0.5, 0, 0]])
    dead = np.array([0, 1, 1], dtype=bool)
    m[:, dead] = 1 / 3
    x = np.linalg.solve(np.eye(3) - 0.85 * m, np.full(3, 0.15 / 3))
    assert np.abs(result.pagerank - x).sum() < 1e-9


def test_domain_authority_refuses_a_bad_grouping() -> None:
    pages = LinkGraph.from_arrays([0], [1], 2)
    with pytest.raises(ValueError, match="1 group ids for 2 nodes"):
        domain_authority(pages, [0], 1)
    with pytest.raises(ValueError, match="damping must be in \\[0, 1\\)"):
        domain_authority(pages, [0, 1], 2, damping=1.5)


# --- referring counts ---------------------------------------------------------------


def count_by_hand(
    edges: set[tuple[int, int]], group: list[int], n: int
) -> tuple[list[int], list[int]]:
    """Referring pages and domains of each node: distinct external sources, in plain Python."""
    sources: dict[int, set[int]] = defaultdict(set)
    for s, t in edges:
        if s != t and group[s] != group[t]:
            sources[t].add(s)
    pages = [len(sources[node]) for node in range(n)]
    domains = [len({group[s] for s in sources[node]}) for node in range(n)]
    return pages, domains


def domain_count_by_hand(
    edges: set[tuple[int, int]], group: list[int], n_groups: int
) -> tuple[list[int], list[int]]:
    sources: dict[int, set[int]] = defaultdict(set)
    for s, t in edges:
        if group[s] != group[t]:
            sources[group[t]].add(s)
    pages = [len(sources[d]) for d in range(n_groups)]
    domains = [len({group[s] for s in sources[d]}) for d in range(n_groups)]
    return pages, domains


def test_referring_counts_by_hand() -> None:
    # Domain 0: pages 0, 1, 2. Domain 1: pages 3, 4. Domain 2: page 5.
    group = [0, 0, 0, 1, 1, 2]
    sources = [0, 1, 2, 3, 5, 4, 0, 0, 3, 5, 1]
    targets = [3, 3, 3, 3, 3, 3, 1, 4, 0, 0, 1]
    graph = LinkGraph.from_arrays(sources, targets, 6)
    counts = referring_counts(graph, group)
    # Page 3: pages 0, 1, 2 (domain 0) and 5 (domain 2); 4 is its own domain.
    # Page 0: 3 (domain 1) and 5 (domain 2). Page 1: only 0, internal. Page 4: 0.
    assert counts.referring_pages.tolist() == [2, 0, 0, 4, 1, 0]
    assert counts.referring_domains.tolist() == [2, 0, 0, 2, 1, 0]
    assert counts.referring_pages.dtype == counts.referring_domains.dtype == np.int64
    assert referring_counts(graph, group, 5).referring_pages.tolist() == [2, 0, 0, 4, 1, 0]

    per_domain = domain_referring_counts(graph, group, 4)
    # Domain 0: pages 3, 5 (domains 1, 2). Domain 1: pages 0, 1, 2, 5 (domains 0, 2).
    # Domain 2: none. Domain 3: no pages at all.
    assert per_domain.referring_pages.tolist() == [2, 4, 0, 0]
    assert per_domain.referring_domains.tolist() == [2, 2, 0, 0]


def test_counts_run_over_the_edges_the_graph_has() -> None:
    sources, targets, followed = [0, 1, 2], [3, 3, 3], [True, False, True]
    group = [0, 1, 2, 3]
    followed_only = LinkGraph.from_arrays(sources, targets, 4, is_followed=followed)
    every = LinkGraph.from_arrays(sources, targets, 4, is_followed=followed, include_nofollow=True)
    assert referring_counts(followed_only, group).referring_domains[3] == 2
    assert referring_counts(every, group).referring_domains[3] == 3
    assert domain_referring_counts(every, group, 4).referring_pages[3] == 3


@pytest.mark.parametrize("n_groups", [3, 97, 2000])
def test_referring_counts_on_hollins_match_a_plain_count(hollins: EdgeList, n_groups: int) -> None:
    graph = hollins_graph(hollins)
    group = ((np.arange(graph.n_nodes) * 7919) % n_groups).tolist()
    # The raw edge list, repeats and self-links included: the count must see through them.
    edges = set(zip(hollins.sources.tolist(), hollins.targets.tolist(), strict=True))
    counts = referring_counts(graph, group, n_groups)
    pages, domains = count_by_hand(edges, group, graph.n_nodes)
    assert counts.referring_pages.tolist() == pages
    assert counts.referring_domains.tolist() == domains
    per_domain = domain_referring_counts(graph, group, n_groups)
    domain_pages, domain_domains = domain_count_by_hand(edges, group, n_groups)
    assert per_domain.referring_pages.tolist() == domain_pages
    assert per_domain.referring_domains.tolist() == domain_domains
    assert per_domain.referring_domains.tolist() == (
        domain_graph(graph, group, n_groups).in_degree().tolist()
    )


def test_referring_counts_with_hollins_domains(hollins: EdgeList) -> None:
    graph = hollins_graph(hollins)
    domain_of_page, domains = hollins_domains(hollins)
    group = domain_of_page.tolist()
    edges = distinct_edges(graph)
    counts = referring_counts(graph, domain_of_page, len(domains))
    assert counts.referring_pages.tolist() == count_by_hand(edges, group, graph.n_nodes)[0]
    assert counts.referring_domains.tolist() == count_by_hand(edges, group, graph.n_nodes)[1]
    # Within one site almost every link is internal: few pages have external referrers.
    assert 0 < np.count_nonzero(counts.referring_pages) < graph.n_nodes // 10


@pytest.mark.parametrize(
    ("group", "n_groups", "message"),
    [
        ([0, 0], None, "2 group ids for 3 nodes"),
        ([0, 1, 2], 2, "1 group ids outside \\[0, 2\\), first 2"),
        ([0, -1, 0], None, "group ids outside"),
        ([0, 0, 0], -1, "n_groups must be >= 0"),
    ],
)
def test_referring_counts_refuse_a_bad_grouping(
    group: list[int], n_groups: int | None, message: str
) -> None:
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    with pytest.raises(ValueError, match=message):
        referring_counts(graph, group, n_groups)


def test_referring_counts_of_empty_graphs() -> None:
    empty = referring_counts(LinkGraph.from_arrays([], [], 0), [])
    assert (empty.referring_pages.size, empty.referring_domains.size) == (0, 0)
    edgeless = domain_referring_counts(LinkGraph.from_arrays([], [], 2), [0, 1], 3)
    assert edgeless.referring_pages.tolist() == [0, 0, 0]


@st.composite
def grouped_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[int], int]:
    n = draw(st.integers(1, 20))
    n_groups = draw(st.integers(1, 6))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    group = draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n))
    return n, pairs, group, n_groups


@settings(max_examples=50, deadline=None)
@given(grouped_graphs())
def test_referring_counts_agree_with_a_plain_count(
    case: tuple[int, list[tuple[int, int]], list[int], int],
) -> None:
    n, pairs, group, n_groups = case
    graph = LinkGraph.from_arrays([s for s, _ in pairs], [t for _, t in pairs], n)
    counts = referring_counts(graph, group, n_groups)
    assert (counts.referring_pages.tolist(), counts.referring_domains.tolist()) == count_by_hand(
        set(pairs), group, n
    )
    assert np.all(counts.referring_domains <= counts.referring_pages)
    per_domain = domain_referring_counts(graph, group, n_groups)
    assert (
        per_domain.referring_pages.tolist(),
        per_domain.referring_domains.tolist(),
    ) == domain_count_by_hand(set(pairs), group, n_groups)
