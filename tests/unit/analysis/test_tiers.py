"""Tier maps on small hand-made graphs: tiers, the internal/external split, equity and paths.

The oracles are a breadth-first search written plainly and PageRank by a dense
linear solve, so that nothing here trusts the code under test.
"""

from __future__ import annotations

import doctest
from collections import deque

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.analysis import tier_map
from linkequity.analysis import tiers as tiers_module
from linkequity.analysis.tiers import NO_TIER, TierMap
from linkequity.graph import LinkGraph

Vector = npt.NDArray[np.float64]
D = 0.85

# Two target pages (0, 1) on domain 0; a guest blog (domain 1: post 2, home 3,
# about 4); a press page 5 (domain 2) whose link to the target is nofollow;
# pages 6 and 7 on domain 3; a two-page cycle 8 <-> 9 (domains 4, 5) hanging
# off 6; the target's home 0 links out to the guest post and to page 1.
LINKS = [
    # source, target, followed
    (2, 1, True),
    (2, 1, True),  # the same pair under a second anchor: a second link, one graph edge
    (2, 3, True),  # the post links back to its blog's home: a cycle, no tier edge
    (5, 0, False),
    (5, 2, True),  # 5 is tier 1 already: no tier-2 edge
    (3, 2, True),
    (6, 2, True),
    (7, 5, True),
    (7, 6, True),  # 7 is tier 2 through 5: no tier-3 edge to 6
    (4, 3, True),
    (8, 6, True),
    (8, 9, True),
    (9, 8, True),
    (0, 2, True),  # the target's own domain is in no tier
    (0, 1, True),
]
DOMAINS = [0, 0, 1, 1, 1, 2, 3, 3, 4, 5]
TARGETS = [0, 1]
N = len(DOMAINS)


def arrays() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    src, dst, followed = zip(*LINKS, strict=True)
    return np.array(src), np.array(dst), np.array(followed)


def followed_graph() -> LinkGraph:
    src, dst, followed = arrays()
    return LinkGraph.from_arrays(src, dst, N, is_followed=followed)


def dense_pagerank(graph: LinkGraph, teleport: Vector | None = None) -> Vector:
    """x = (1 - d) (I - d M)^-1 v, dangling columns spread like v."""
    n = graph.n_nodes
    v = np.full(n, 1.0 / n) if teleport is None else teleport / teleport.sum()
    a = graph.adjacency.toarray().astype(np.float64)
    out = a.sum(axis=1)
    m = np.where(out[:, None] > 0, a / np.where(out > 0, out, 1.0)[:, None], v[None, :]).T
    return np.linalg.solve(np.eye(n) - D * m, (1.0 - D) * v)


@pytest.fixture(scope="module")
def mapped() -> TierMap:
    src, dst, _ = arrays()
    return tier_map(followed_graph(), src, dst, DOMAINS, TARGETS, depth=3, top_paths=50)


def test_each_page_is_in_the_lowest_tier_it_reaches(mapped: TierMap) -> None:
    assert mapped.tier_of_node.tolist() == [0, 0, 1, 2, 3, 1, 2, 2, 3, NO_TIER]


def test_tier_edges_go_one_tier_down_and_split_internal_from_external(mapped: TierMap) -> None:
    edges = mapped.edges
    got = sorted(
        zip(
            edges.tiers.tolist(),
            edges.sources.tolist(),
            edges.targets.tolist(),
            edges.is_internal.tolist(),
            strict=True,
        )
    )
    assert got == [
        (1, 2, 1, False),
        (1, 2, 1, False),
        (1, 5, 0, False),  # nofollow: a tier edge all the same
        (2, 3, 2, True),  # the guest blog's own home: the internal-link lever
        (2, 6, 2, False),
        (2, 7, 5, False),
        (3, 4, 3, True),
        (3, 8, 6, False),
    ]
    src, dst, _ = arrays()
    assert src[edges.links].tolist() == edges.sources.tolist()
    assert dst[edges.links].tolist() == edges.targets.tolist()


def test_tier_counts(mapped: TierMap) -> None:
    counts = {c.tier: c for c in mapped.tier_counts()}
    assert (counts[1].pages, counts[1].external_links, counts[1].internal_links) == (2, 3, 0)
    assert (counts[2].pages, counts[2].external_pages, counts[2].internal_pages) == (3, 2, 1)
    assert (counts[3].pages, counts[3].external_links, counts[3].internal_links) == (2, 1, 1)


def test_a_deeper_map_reaches_round_the_cycle() -> None:
    src, dst, _ = arrays()
    deeper = tier_map(followed_graph(), src, dst, DOMAINS, TARGETS, depth=4)
    assert deeper.tier_of_node[9] == 4
    assert deeper.tier_of_node[8] == 3  # 9 links back to 8: lowest tier still wins
    shallow = tier_map(followed_graph(), src, dst, DOMAINS, TARGETS, depth=1)
    assert shallow.tier_of_node.tolist() == [0, 0, 1, -1, -1, 1, -1, -1, -1, -1]
    assert [c.tier for c in shallow.tier_counts()] == [1]


def test_equity_is_the_followed_flow_into_the_target(mapped: TierMap) -> None:
    x = dense_pagerank(followed_graph())
    pages = mapped.pages
    # Page 2 has two followed out-edges (to 1 and to 3); 5's only link to the target is nofollow.
    by_hand = {2: D * x[2] / 2, 5: 0.0}
    assert dict(zip(pages.nodes.tolist(), pages.equity.tolist(), strict=True)) == pytest.approx(
        by_hand, abs=1e-9
    )
    assert pages.nodes.tolist() == [2, 5]  # most equity first
    assert pages.target_rank == pytest.approx(x[TARGETS].sum(), abs=1e-9)
    assert pages.shares.tolist() == pytest.approx([by_hand[2] / x[TARGETS].sum(), 0.0])


def test_rank_of_the_target_splits_into_teleport_dangling_internal_and_tier_one(
    mapped: TierMap,
) -> None:
    x = dense_pagerank(followed_graph())
    n = N
    dangling = x[1]  # page 1 is the only page without a followed out-link
    teleport_part = (1 - D) * len(TARGETS) / n + D * dangling * len(TARGETS) / n
    internal = D * x[0] / 2  # 0 -> 1 of 0's two followed links
    total = teleport_part + internal + mapped.pages.equity.sum()
    assert total == pytest.approx(x[TARGETS].sum(), abs=1e-9)


def test_influence_solves_r_equals_e_t_plus_d_m_transpose_r(mapped: TierMap) -> None:
    graph = followed_graph()
    a = graph.adjacency.toarray()
    out = a.sum(axis=1)
    v = np.full(N, 1.0 / N)
    m = np.where(out[:, None] > 0, a / np.where(out > 0, out, 1.0)[:, None], v[None, :]).T
    e_t = np.zeros(N)
    e_t[TARGETS] = 1.0
    r = np.linalg.solve(np.eye(N) - D * m.T, e_t)
    pages = mapped.pages
    assert pages.influence.tolist() == pytest.approx(r[pages.nodes].tolist(), abs=1e-9)


def test_path_shares_are_products_of_flows_over_the_target_rank(mapped: TierMap) -> None:
    x = dense_pagerank(followed_graph())
    rank_t = x[TARGETS].sum()
    shares = {p.nodes: p.share for p in mapped.pages.paths}
    # 2 -> 1: half of 2's score; 3 -> 2 -> 1: all of 3's, then half of 2's; 6 -> 2 -> 1 alike.
    assert shares[(2, 1)] == pytest.approx(D * x[2] / 2 / rank_t, rel=1e-9)
    assert shares[(3, 2, 1)] == pytest.approx(x[3] * D * D / 2 / rank_t, rel=1e-9)
    assert shares[(5, 2, 1)] == pytest.approx(x[5] * D * D / 2 / rank_t, rel=1e-9)
    assert shares[(4, 3, 2, 1)] == pytest.approx(x[4] * D**3 / 2 / rank_t, rel=1e-9)
    for nodes in shares:
        assert not set(nodes[:-1]) & set(TARGETS)  # entering paths only
        assert nodes[-1] in TARGETS
    # The paths of length one are the tier-1 equity: together the followed inflow from outside.
    one_link = sum(s for nodes, s in shares.items() if len(nodes) == 2 and nodes[0] != 0)
    assert one_link * rank_t == pytest.approx(mapped.pages.equity.sum(), rel=1e-9)


def test_domain_level_equity_on_the_domain_graph(mapped: TierMap) -> None:
    # Domain graph: 1 -> 0 (2 -> 1), 1 <-> ... : built by hand from LINKS, followed, across domains.
    pairs = {(DOMAINS[s], DOMAINS[t]) for s, t, f in LINKS if f and DOMAINS[s] != DOMAINS[t]}
    n_domains = max(DOMAINS) + 1
    graph = LinkGraph.from_arrays([a for a, _ in pairs], [b for _, b in pairs], n_domains)
    x = dense_pagerank(graph)
    out = {a: sum(1 for s, _ in pairs if s == a) for a in range(n_domains)}
    domains = mapped.domains
    expected = {1: D * x[1] / out[1], 2: 0.0}  # 2's only link to the target is nofollow
    assert dict(zip(domains.nodes.tolist(), domains.equity.tolist(), strict=True)) == pytest.approx(
        expected, abs=1e-9
    )
    assert domains.target_rank == pytest.approx(x[0], abs=1e-9)
    assert mapped.target_domains.tolist() == [0]
    assert all(path.nodes[-1] == 0 for path in domains.paths)


def test_a_zero_teleport_leaves_unranked_nodes_out_of_the_rank() -> None:
    # Node 3 has only a nofollow link: with no teleport share it must not dilute the others.
    src, dst, followed = [0, 1, 3], [2, 2, 2], [True, True, False]
    graph = LinkGraph.from_arrays(src, dst, 4, is_followed=followed)
    teleport = np.array([1.0, 1.0, 1.0, 0.0])
    mapped = tier_map(graph, src, dst, [0, 1, 2, 3], [2], teleport=teleport)
    ranked = dense_pagerank(LinkGraph.from_arrays([0, 1], [2, 2], 3))
    assert mapped.pages.target_rank == pytest.approx(ranked[2], abs=1e-9)
    equity = dict(zip(mapped.pages.nodes.tolist(), mapped.pages.equity.tolist(), strict=True))
    assert equity == pytest.approx({0: D * ranked[0], 1: D * ranked[1], 3: 0.0}, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 0}, "depth"),
        ({"top_paths": 0}, "top_paths"),
        ({"targets": []}, "empty"),
        ({"targets": [10]}, "outside"),
        ({"domain_of_node": [0, 1]}, "domain ids"),
        ({"link_targets": [1]}, "link targets"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    src, dst, _ = arrays()
    call: dict[str, object] = {
        "link_sources": src,
        "link_targets": dst,
        "domain_of_node": DOMAINS,
        "targets": TARGETS,
    }
    call.update(kwargs)
    with pytest.raises(ValueError, match=message):
        tier_map(followed_graph(), **call)  # type: ignore[arg-type]


def reference_tiers(
    links: list[tuple[int, int]], domains: list[int], targets: list[int], depth: int
) -> list[int]:
    """Breadth-first search from the targets over reversed links, outside the target domains."""
    target_domains = {domains[t] for t in targets}
    tier = [NO_TIER] * len(domains)
    queue: deque[int] = deque()
    for t in targets:
        tier[t] = 0
        queue.append(t)
    while queue:
        page = queue.popleft()
        if tier[page] == depth:
            continue
        for source, linked in links:
            if linked == page and tier[source] == NO_TIER and domains[source] not in target_domains:
                tier[source] = tier[page] + 1
                queue.append(source)
    return tier


@st.composite
def small_webs(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[int], list[int], int]:
    n = draw(st.integers(2, 12))
    domains = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    links = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    targets = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
    depth = draw(st.integers(1, 4))
    return links, domains, targets, depth


@settings(max_examples=60, deadline=None)
@given(small_webs())
def test_tiers_agree_with_a_breadth_first_search(
    web: tuple[list[tuple[int, int]], list[int], list[int], int],
) -> None:
    links, domains, targets, depth = web
    src = np.array([s for s, _ in links], dtype=np.int64)
    dst = np.array([t for _, t in links], dtype=np.int64)
    graph = LinkGraph.from_arrays(src, dst, len(domains))
    mapped = tier_map(graph, src, dst, domains, targets, depth=depth, top_paths=3)
    tiers = reference_tiers(links, domains, targets, depth)
    assert mapped.tier_of_node.tolist() == tiers
    expected_edges = sorted(
        (tiers[s], i)
        for i, (s, t) in enumerate(links)
        if tiers[s] >= 1 and tiers[t] == tiers[s] - 1
    )
    assert sorted(zip(mapped.edges.tiers.tolist(), mapped.edges.links.tolist(), strict=True)) == (
        expected_edges
    )
    ends = [links[i] for i in mapped.edges.links.tolist()]
    internal = [domains[s] == domains[t] and tiers[s] > 1 for s, t in ends]
    assert mapped.edges.is_internal.tolist() == internal
    assert np.all(mapped.pages.equity >= 0)
    assert set(mapped.pages.nodes.tolist()) == {i for i, t in enumerate(tiers) if t == 1}


def test_docstring_examples_hold() -> None:
    failures, tried = doctest.testmod(tiers_module)
    assert tried > 0
    assert failures == 0
