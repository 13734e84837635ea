"""Influence, what-if gains, plans, removals and paths against dense solves and recomputation."""

from __future__ import annotations

import importlib
from itertools import product
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.errors import NotConverged
from linkequity.graph import LinkGraph, assign_ids, pagerank
from linkequity.graph.influence import (
    influence,
    link_gains,
    plan_links,
    removal_loss,
    target_rank,
)
from linkequity.graph.paths import explain_paths

if TYPE_CHECKING:
    from tests.unit.graph.conftest import EdgeList, HostLinks

Vector = npt.NDArray[np.float64]
Ids = npt.NDArray[np.int64]

# A full recomputation at this tolerance is accurate to about 1e-12 (L1).
RECOMPUTE_TOL = 1e-13
SOLVE_TOL = 1e-13


def dense_chain(graph: LinkGraph, dangling: Vector | None = None) -> npt.NDArray[np.float64]:
    """The column-stochastic M, dangling columns replaced by the dangling distribution."""
    n = graph.n_nodes
    u = np.full(n, 1.0 / n) if dangling is None else dangling / dangling.sum()
    a = graph.adjacency.toarray().astype(np.float64)
    out = a.sum(axis=1)
    return np.where(out[:, None] > 0, a / np.where(out > 0, out, 1.0)[:, None], u[None, :]).T


def dense_fundamental(graph: LinkGraph, damping: float, dangling: Vector | None = None) -> Vector:
    """G = (I - d M)^-1, explicitly."""
    m = dense_chain(graph, dangling)
    return np.linalg.inv(np.eye(graph.n_nodes) - damping * m)


def dense_rank(graph: LinkGraph, damping: float, teleport: Vector, dangling: Vector) -> Vector:
    """x = (1 - d) G v by a dense solve: the recomputation oracle of small graphs."""
    m = dense_chain(graph, dangling)
    return np.linalg.solve(np.eye(graph.n_nodes) - damping * m, (1.0 - damping) * teleport)


def edges_of(graph: LinkGraph) -> tuple[Ids, Ids, Vector]:
    coo = graph.adjacency.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)


def with_link(graph: LinkGraph, q: int, p: int, *, weight: float, is_weighted: bool) -> LinkGraph:
    """The graph rebuilt from scratch with the link q -> p of the given weight added.

    Unweighted, an existing link collapses with the new one, as in ``from_arrays``.
    """
    rows, cols, data = edges_of(graph)
    if not is_weighted and np.any((rows == q) & (cols == p)):
        return LinkGraph.from_arrays(rows, cols, graph.n_nodes)
    return LinkGraph.from_arrays(
        np.append(rows, q), np.append(cols, p), graph.n_nodes, weights=np.append(data, weight)
    )


def recomputed_gains(
    graph: LinkGraph,
    targets: Ids,
    q: int,
    candidates: Ids,
    *,
    weight: float = 1.0,
    is_weighted: bool = False,
    dangling: Vector | None = None,
) -> Vector:
    """Sum_T x with each link added, minus before: one full PageRank per candidate."""
    kwargs = {"dangling": dangling, "tol": RECOMPUTE_TOL, "max_iter": 2000}
    before = pagerank(graph, **kwargs)[targets].sum()
    return np.array(
        [
            pagerank(with_link(graph, q, int(p), weight=weight, is_weighted=is_weighted), **kwargs)[
                targets
            ].sum()
            - before
            for p in candidates
        ]
    )


def random_graph(
    seed: int,
    n: int,
    m: int,
    *,
    is_weighted: bool = False,
    dangling_share: float = 0.2,
) -> LinkGraph:
    """A random graph whose first ``dangling_share`` of nodes have no out-links."""
    rng = np.random.default_rng(seed)
    first_linking = int(n * dangling_share)
    sources = rng.integers(first_linking, n, m)
    targets = rng.integers(0, n, m)
    weights = rng.integers(1, 5, m).astype(np.float64) if is_weighted else None
    return LinkGraph.from_arrays(sources, targets, n, weights=weights)


def tier1(graph: LinkGraph, targets: Ids) -> Ids:
    """Nodes outside T that link into T."""
    rows, cols, _ = edges_of(graph)
    linking = np.unique(rows[np.isin(cols, targets)])
    return linking[~np.isin(linking, targets)]


def assert_close(predicted: Vector, actual: Vector, *, rtol: float = 1e-6) -> None:
    # A gain recomputed at tol 1e-13 is a difference of two sums of about 1e-2; here
    # they agree to about 1e-16, so 1e-14 is the floor of "relative" for gains near 0.
    error = np.abs(predicted - actual)
    assert np.all(error <= rtol * np.abs(actual) + 1e-14), float(
        np.max(error / np.maximum(np.abs(actual), 1e-300))
    )


@pytest.fixture(scope="module")
def hollins_graph(hollins: EdgeList) -> LinkGraph:
    return LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)


@pytest.fixture(scope="module")
def uk_hosts(uk1996_hosts: HostLinks) -> LinkGraph:
    links = uk1996_hosts
    host_ids, hosts = assign_ids(links.sources + links.targets)
    n_links = len(links.sources)
    return LinkGraph.from_arrays(
        host_ids[:n_links], host_ids[n_links:], len(hosts), weights=links.counts
    )


# Influence and the target-rank identity


@pytest.mark.parametrize("has_dangling_vector", [False, True])
def test_influence_is_the_sum_of_the_target_rows_of_an_explicit_inverse(
    has_dangling_vector: bool,
) -> None:
    graph = random_graph(1, 40, 120, is_weighted=True)
    dangling = np.random.default_rng(2).random(40) if has_dangling_vector else None
    targets = np.array([3, 17, 30])
    g = dense_fundamental(graph, 0.85, dangling)
    r = influence(graph, targets, dangling=dangling, tol=SOLVE_TOL)
    np.testing.assert_allclose(r, g[targets].sum(axis=0), rtol=1e-11)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 12),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=40),
    damping=st.floats(0.05, 0.95),
    target=st.integers(0, 11),
)
def test_influence_matches_a_dense_inverse_on_any_small_graph(
    n: int, edges: list[tuple[int, int]], damping: float, target: int
) -> None:
    pairs = np.array([(s % n, t % n) for s, t in edges], dtype=np.int64).reshape(-1, 2)
    graph = LinkGraph.from_arrays(pairs[:, 0], pairs[:, 1], n)
    targets = np.array([target % n])
    r = influence(graph, targets, damping=damping, tol=1e-14, max_iter=5000)
    g = dense_fundamental(graph, damping)
    np.testing.assert_allclose(r, g[targets].sum(axis=0), rtol=1e-9, atol=1e-12)
    x = pagerank(graph, damping=damping, tol=1e-14, max_iter=5000)
    assert target_rank(r, damping=damping) == pytest.approx(x[targets].sum(), rel=1e-9)


def test_target_rank_equals_the_pagerank_of_the_targets_on_hollins(
    hollins_graph: LinkGraph,
) -> None:
    targets = np.array([0, 1, 5, 100])
    r = influence(hollins_graph, targets, tol=SOLVE_TOL)
    x = pagerank(hollins_graph, tol=RECOMPUTE_TOL)
    assert target_rank(r) == pytest.approx(x[targets].sum(), rel=1e-10)
    assert np.all(r[targets] >= 1.0)
    assert np.all((r >= 0) & (r <= 1.0 / 0.15 + 1e-9))


def test_target_rank_with_a_teleport_vector_and_a_dangling_vector() -> None:
    graph = random_graph(3, 200, 600)
    rng = np.random.default_rng(4)
    teleport, dangling = rng.random(200), rng.random(200)
    targets = np.arange(10, 20)
    r = influence(graph, targets, teleport=teleport, dangling=dangling, tol=SOLVE_TOL)
    x = pagerank(graph, teleport=teleport, dangling=dangling, tol=RECOMPUTE_TOL)
    assert target_rank(r, teleport=teleport) == pytest.approx(x[targets].sum(), rel=1e-10)
    # Without a dangling vector, dangling mass follows the teleport vector.
    r_default = influence(graph, targets, teleport=teleport, tol=SOLVE_TOL)
    x_default = pagerank(graph, teleport=teleport, tol=RECOMPUTE_TOL)
    assert target_rank(r_default, teleport=teleport) == pytest.approx(
        x_default[targets].sum(), rel=1e-10
    )
    assert not np.allclose(r, r_default)


def test_influence_that_does_not_settle_raises_with_its_last_iterate() -> None:
    graph = random_graph(5, 50, 200)
    with pytest.raises(NotConverged) as caught:
        influence(graph, [0], max_iter=2)
    assert caught.value.iterations == 2
    assert caught.value.scores.shape == (50, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"targets": []}, "targets is empty"),
        ({"targets": [50]}, "outside"),
        ({"targets": [0], "damping": 1.0}, "damping"),
        ({"targets": [0], "dangling": np.zeros(50)}, "sums to 0"),
    ],
)
def test_influence_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        influence(random_graph(5, 50, 200), **kwargs)  # type: ignore[arg-type]


# What-if gains of one new link


def test_gains_on_hollins_match_recomputation(hollins_graph: LinkGraph) -> None:
    x = pagerank(hollins_graph)
    targets = np.array([int(np.argmax(x))])  # the site root, http://www.hollins.edu/
    candidates = tier1(hollins_graph, targets)[:40]
    q = int(np.argsort(-x)[30])  # a page of good rank that does not link to all candidates
    result = link_gains(hollins_graph, targets, candidates, source=q, tol=SOLVE_TOL)
    actual = recomputed_gains(hollins_graph, targets, q, candidates)
    assert np.count_nonzero(actual) > 30
    assert_close(result.gains, actual)
    assert result.target_rank == pytest.approx(x[targets].sum(), rel=1e-8)
    assert result.source_rank == pytest.approx(x[q], rel=1e-8)
    np.testing.assert_allclose(result.relative_gains, result.gains / result.target_rank)


def test_gains_on_hollins_when_the_target_leads_back_to_the_source(
    hollins_graph: LinkGraph,
) -> None:
    # q is in T: the link feeds back, and the denominators matter.
    targets = np.array([1, 36, 37])
    q = 1
    candidates = tier1(hollins_graph, targets)[:25]
    result = link_gains(hollins_graph, targets, candidates, source=q, tol=SOLVE_TOL)
    actual = recomputed_gains(hollins_graph, targets, q, candidates)
    assert_close(result.gains, actual)
    first_order = link_gains(hollins_graph, targets, candidates, source=q, exact=False)
    np.testing.assert_allclose(first_order.denominators, 1.0)
    assert np.max(np.abs(result.denominators - 1.0)) > 1e-3
    np.testing.assert_allclose(first_order.gains, result.gains * result.denominators, rtol=1e-7)


@pytest.mark.slow
def test_gains_on_the_uk1996_host_graph_match_recomputation(uk_hosts: LinkGraph) -> None:
    x = pagerank(uk_hosts)
    by_rank = np.argsort(-x)
    targets = by_rank[:3]
    candidates = tier1(uk_hosts, targets)
    candidates = candidates[np.argsort(-x[candidates])][:12]
    linking = by_rank[uk_hosts.out_degree()[by_rank] > 2]
    linking_q, dangling_q = int(linking[100]), int(by_rank[200])
    assert uk_hosts.out_degree()[dangling_q] == 0
    plain = LinkGraph.from_arrays(*edges_of(uk_hosts)[:2], uk_hosts.n_nodes)
    for graph, q, is_weighted in [
        (uk_hosts, linking_q, True),
        (uk_hosts, dangling_q, True),
        (plain, linking_q, False),
    ]:
        result = link_gains(
            graph, targets, candidates, source=q, weight=3.0, is_weighted=is_weighted, tol=1e-13
        )
        actual = recomputed_gains(
            graph, targets, q, candidates, weight=3.0, is_weighted=is_weighted
        )
        assert np.count_nonzero(actual) >= 10
        assert_close(result.gains, actual)


@pytest.mark.parametrize("is_weighted", [False, True])
@pytest.mark.parametrize("seed", [11, 12])
def test_gains_on_generated_graphs_match_recomputation(is_weighted: bool, seed: int) -> None:
    graph = random_graph(seed, 300, 1500, is_weighted=is_weighted)
    targets = np.array([250, 251, 252])
    x = pagerank(graph)
    rows, _, _ = edges_of(graph)
    q = int(rows[np.argmax(x[rows])])  # the best-ranked page with out-links
    # Dangling nodes, pages q links to already, q itself, the targets, and others.
    linked = edges_of(graph)[1][rows == q]
    candidates = np.unique(np.concatenate([np.arange(0, 300, 12), linked[:5], [q], targets]))
    weight = 2.5 if is_weighted else 1.0
    result = link_gains(
        graph,
        targets,
        candidates,
        source=q,
        weight=weight,
        is_weighted=is_weighted,
        tol=SOLVE_TOL,
    )
    actual = recomputed_gains(graph, targets, q, candidates, weight=weight, is_weighted=is_weighted)
    assert_close(result.gains, actual)
    assert result.gains[candidates == q] == 0.0


def test_a_dangling_source_gives_its_whole_score_to_the_new_link() -> None:
    graph = random_graph(21, 200, 800)
    x = pagerank(graph)
    q = int(np.argmax(x[:40]))  # nodes below 40 have no out-links
    assert graph.adjacency[[q]].nnz == 0
    targets = np.array([150])
    candidates = np.concatenate([np.arange(0, 200, 9), targets])
    result = link_gains(graph, targets, candidates, source=q, tol=SOLVE_TOL)
    assert_close(result.gains, recomputed_gains(graph, targets, q, candidates))


def test_a_dangling_source_with_a_dangling_vector() -> None:
    graph = random_graph(22, 120, 400)
    dangling = np.random.default_rng(23).random(120)
    q, targets, candidates = 5, np.array([100, 101]), np.arange(0, 120, 5)
    result = link_gains(graph, targets, candidates, source=q, dangling=dangling, tol=SOLVE_TOL)
    actual = recomputed_gains(graph, targets, q, candidates, dangling=dangling)
    assert_close(result.gains, actual)


def test_an_existing_plain_link_gains_nothing_and_a_weighted_one_grows() -> None:
    graph = random_graph(31, 100, 500, is_weighted=True)
    rows, cols, _ = edges_of(graph)
    q = int(rows[0])
    linked = cols[rows == q]
    targets = np.array([int(linked[0])])
    plain = LinkGraph.from_arrays(rows, cols, 100)
    plain_gains = link_gains(plain, targets, linked, source=q).gains
    np.testing.assert_array_equal(plain_gains, 0.0)
    weighted = link_gains(graph, targets, linked, source=q, is_weighted=True, tol=SOLVE_TOL)
    assert weighted.gains[0] > 0
    actual = recomputed_gains(graph, targets, q, linked, is_weighted=True)
    assert_close(weighted.gains, actual)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(3, 10),
    edges=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 4)), max_size=30),
    q=st.integers(0, 9),
    target=st.integers(0, 9),
    is_weighted=st.booleans(),
    damping=st.floats(0.1, 0.95),
)
def test_gains_match_a_dense_recomputation_on_any_small_graph(
    n: int,
    edges: list[tuple[int, int, int]],
    q: int,
    target: int,
    is_weighted: bool,
    damping: float,
) -> None:
    table = np.array(edges, dtype=np.int64).reshape(-1, 3)
    weights = table[:, 2].astype(np.float64) if is_weighted else None
    graph = LinkGraph.from_arrays(table[:, 0] % n, table[:, 1] % n, n, weights=weights)
    v = np.full(n, 1.0 / n)
    q, targets, candidates = q % n, np.array([target % n]), np.arange(n)
    result = link_gains(
        graph,
        targets,
        candidates,
        source=q,
        weight=1.5,
        is_weighted=is_weighted,
        damping=damping,
        tol=1e-14,
        max_iter=5000,
    )
    before = dense_rank(graph, damping, v, v)[targets].sum()
    actual = np.array(
        [
            dense_rank(with_link(graph, q, p, weight=1.5, is_weighted=is_weighted), damping, v, v)[
                targets
            ].sum()
            - before
            for p in candidates
        ]
    )
    np.testing.assert_allclose(result.gains, actual, rtol=1e-7, atol=1e-12)


def test_a_new_page_of_given_rank_matches_adding_the_page() -> None:
    n = 300
    graph = random_graph(41, n, 1200)
    rng = np.random.default_rng(42)
    teleport, dangling = rng.random(n), rng.random(n)
    teleport /= teleport.sum()
    dangling /= dangling.sum()
    targets, candidates = np.array([280, 290]), np.arange(0, n, 15)
    alpha = 0.01
    rank = (1 - 0.85) * alpha / (1 - alpha)
    result = link_gains(
        graph,
        targets,
        candidates,
        new_source_rank=rank,
        teleport=teleport,
        dangling=dangling,
        tol=SOLVE_TOL,
    )
    before = pagerank(graph, teleport=teleport, dangling=dangling, tol=RECOMPUTE_TOL)
    rows, cols, _ = edges_of(graph)
    actual = []
    for p in candidates:
        bigger = LinkGraph.from_arrays(np.append(rows, n), np.append(cols, p), n + 1)
        after = pagerank(
            bigger,
            teleport=np.append((1 - alpha) * teleport, alpha),
            dangling=np.append(dangling, 0.0),
            tol=RECOMPUTE_TOL,
        )
        assert after[n] / (1 - alpha) == pytest.approx(rank, rel=1e-9)
        actual.append(after[targets].sum() / (1 - alpha) - before[targets].sum())
    assert_close(result.gains, np.array(actual))
    np.testing.assert_array_equal(result.denominators, 1.0)
    assert result.source_rank == rank


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"source": 1, "new_source_rank": 0.1}, "exactly one"),
        ({"new_source_rank": -1.0}, "positive"),
        ({"source": 1, "weight": 0.0}, "weight"),
        ({"source": 100}, "outside"),
    ],
)
def test_link_gains_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    graph = random_graph(5, 50, 200)
    with pytest.raises(ValueError, match=message):
        link_gains(graph, [0], [1, 2], **kwargs)  # type: ignore[arg-type]


def test_given_scores_give_the_same_gains() -> None:
    graph = random_graph(51, 200, 900)
    x = pagerank(graph, tol=RECOMPUTE_TOL)
    kwargs = {"source": 60, "tol": SOLVE_TOL}
    with_scores = link_gains(graph, [7], np.arange(200), scores=x, **kwargs)  # type: ignore[arg-type]
    without = link_gains(graph, [7], np.arange(200), **kwargs)  # type: ignore[arg-type]
    np.testing.assert_allclose(with_scores.gains, without.gains, rtol=1e-9, atol=1e-15)


# A batch of links


def test_the_greedy_plan_first_picks_the_best_pair_by_brute_force() -> None:
    graph = random_graph(61, 40, 120)
    targets = np.array([35])
    sources, candidates = np.arange(0, 40, 5), np.arange(1, 40, 3)
    plan = plan_links(graph, targets, candidates, sources, 3, tol=1e-12)
    before = pagerank(graph, tol=RECOMPUTE_TOL)[targets].sum()
    brute = {
        (int(q), int(p)): pagerank(
            with_link(graph, int(q), int(p), weight=1.0, is_weighted=False), tol=RECOMPUTE_TOL
        )[targets].sum()
        - before
        for q, p in product(sources, candidates)
    }
    best = max(brute, key=brute.__getitem__)
    assert (plan[0].source, plan[0].target) == best
    assert plan[0].predicted_gain == pytest.approx(brute[best], rel=1e-6)
    assert len(plan) == 3
    assert len({(step.source, step.target) for step in plan}) == 3
    for step in plan:
        assert step.realised_gain == pytest.approx(step.predicted_gain, rel=1e-6)
    final = graph
    for step in plan:
        final = with_link(final, step.source, step.target, weight=1.0, is_weighted=False)
    total = pagerank(final, tol=RECOMPUTE_TOL)[targets].sum()
    assert plan[-1].target_rank == pytest.approx(total, rel=1e-8)


def test_the_plan_stops_when_no_link_gains() -> None:
    # 0 and 1 link to the target 2 and to nothing else; no new link from them can help.
    graph = LinkGraph.from_arrays([0, 1, 2], [2, 2, 3], 4)
    assert plan_links(graph, [2], [0, 1, 3], [0, 1], 5) == []
    assert plan_links(graph, [2], [], [0], 5) == []
    with pytest.raises(ValueError, match="k must be"):
        plan_links(graph, [2], [0], [1], -1)


# Removals


@pytest.mark.parametrize("is_weighted", [False, True])
def test_removing_a_group_of_sources_loses_what_recomputation_loses(is_weighted: bool) -> None:
    graph = random_graph(71, 400, 2000, is_weighted=is_weighted)
    targets = np.arange(300, 320)
    group = tier1(graph, targets)[:15]
    loss = removal_loss(graph, targets, sources=group, tol=SOLVE_TOL)
    rows, cols, data = edges_of(graph)
    kept = ~(np.isin(rows, group) & np.isin(cols, targets))
    after = LinkGraph.from_arrays(rows[kept], cols[kept], 400, weights=data[kept])
    before = pagerank(graph, tol=RECOMPUTE_TOL)[targets].sum()
    actual = before - pagerank(after, tol=RECOMPUTE_TOL)[targets].sum()
    assert actual > 0
    assert loss == pytest.approx(actual, rel=1e-6)


def test_removing_every_out_link_of_a_page_makes_it_dangling(hollins_graph: LinkGraph) -> None:
    rows, cols, _ = edges_of(hollins_graph)
    x = pagerank(hollins_graph)
    targets = np.array([1])
    q = int(np.argsort(-x)[10])
    removed = (rows == q) | ((rows == 5) & (cols == int(cols[rows == 5][0])))
    loss = removal_loss(
        hollins_graph, targets, edges=(rows[removed], cols[removed]), scores=x, tol=SOLVE_TOL
    )
    after = LinkGraph.from_arrays(rows[~removed], cols[~removed], hollins_graph.n_nodes)
    actual = (
        pagerank(hollins_graph, tol=RECOMPUTE_TOL)[targets].sum()
        - pagerank(after, tol=RECOMPUTE_TOL)[targets].sum()
    )
    assert loss == pytest.approx(actual, rel=1e-6)


def test_removal_refuses_a_link_that_is_not_there() -> None:
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    with pytest.raises(ValueError, match="not in the graph"):
        removal_loss(graph, [2], edges=([0], [2]))
    with pytest.raises(ValueError, match="exactly one"):
        removal_loss(graph, [2])
    assert removal_loss(graph, [2], sources=[0]) == 0.0


# Path explanations


def followed_link_part(graph: LinkGraph, x: Vector, damping: float, targets: Ids) -> float:
    """Sum_T x minus its teleport and dangling parts: what arrives over followed links."""
    n = graph.n_nodes
    dangling_mass = x[graph.out_weight() == 0].sum()
    return float(
        x[targets].sum() - len(targets) * ((1 - damping) / n + damping * dangling_mass / n)
    )


def test_shares_of_single_links_sum_to_the_followed_link_part() -> None:
    graph = random_graph(81, 150, 600, is_weighted=True)
    targets = np.array([100, 120, 140])
    x = pagerank(graph, tol=RECOMPUTE_TOL)
    paths = explain_paths(graph, targets, depth=1, top=None, scores=x)
    assert all(len(path.nodes) == 2 and path.nodes[1] in targets for path in paths)
    total = sum(path.share for path in paths)
    expected = followed_link_part(graph, x, 0.85, targets) / x[targets].sum()
    assert total == pytest.approx(expected, rel=1e-12)


def test_the_extensions_of_a_path_split_its_share_by_in_link_flow() -> None:
    graph = random_graph(82, 60, 240)
    targets = np.array([50])
    x = pagerank(graph, tol=RECOMPUTE_TOL)
    paths = explain_paths(graph, targets, depth=2, top=None, scores=x)
    ones = {path.nodes: path.share for path in paths if len(path.nodes) == 2}
    twos = [path for path in paths if len(path.nodes) == 3]
    for nodes, share in ones.items():
        first = nodes[0]
        extended = sum(path.share for path in twos if path.nodes[1:] == nodes)
        link_part = followed_link_part(graph, x, 0.85, np.array([first])) / x[first]
        assert extended == pytest.approx(share * link_part, rel=1e-10, abs=1e-15)
        assert all(path.share <= share for path in twos if path.nodes[1:] == nodes)


def test_the_top_paths_are_the_best_of_all_paths(hollins_graph: LinkGraph) -> None:
    targets = np.array([1, 36])
    x = pagerank(hollins_graph)
    top = explain_paths(hollins_graph, targets, depth=3, top=10, scores=x)
    for length in (2, 3, 4):
        found = [path for path in top if len(path.nodes) == length]
        assert len(found) == 10
        assert [p.share for p in found] == sorted((p.share for p in found), reverse=True)
    every = explain_paths(hollins_graph, targets, depth=2, top=None, scores=x)
    for length in (2, 3):
        best = sorted((p.share for p in every if len(p.nodes) == length), reverse=True)[:10]
        found_shares = [p.share for p in top if len(p.nodes) == length]
        np.testing.assert_allclose(found_shares, best, rtol=1e-12)
    # A share is the flow along the path over Sum_T x.
    a = hollins_graph.adjacency
    out = hollins_graph.out_weight()
    path = next(p for p in top if len(p.nodes) == 4)
    flow = x[path.nodes[0]]
    for i, j in zip(path.nodes[:-1], path.nodes[1:], strict=True):
        flow *= 0.85 * a[i, j] / out[i]
    assert path.share == pytest.approx(flow / x[targets].sum(), rel=1e-12)


def test_entering_paths_avoid_the_targets_until_the_last_link() -> None:
    graph = random_graph(83, 80, 400)
    targets = np.arange(60, 70)
    x = pagerank(graph, tol=RECOMPUTE_TOL)
    entering = explain_paths(graph, targets, depth=2, top=None, is_entering_only=True, scores=x)
    assert entering
    assert all(not np.isin(path.nodes[:-1], targets).any() for path in entering)
    every = explain_paths(graph, targets, depth=1, top=None, scores=x)
    outside = sum(p.share for p in every if p.nodes[0] not in set(targets.tolist()))
    assert sum(p.share for p in entering if len(p.nodes) == 2) == pytest.approx(outside)


def test_explain_paths_refuses_bad_input() -> None:
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    with pytest.raises(ValueError, match="depth"):
        explain_paths(graph, [2], depth=0)
    with pytest.raises(ValueError, match="top"):
        explain_paths(graph, [2], top=0)


@pytest.mark.parametrize(
    ("module_name", "name"),
    [
        ("paths", "AuthorityPath"),
        ("influence", "LinkGains"),
        ("influence", "PlannedLink"),
        ("paths", "explain_paths"),
        ("influence", "influence"),
        ("influence", "link_gains"),
        ("influence", "plan_links"),
        ("influence", "removal_loss"),
        ("influence", "target_rank"),
    ],
)
def test_the_influence_names_are_public(module_name: str, name: str) -> None:
    import linkequity
    from linkequity import graph

    # graph.influence is the function; the module is reached by its full name.
    module = importlib.import_module(f"linkequity.graph.{module_name}")
    assert name in linkequity.__all__
    assert name in graph.__all__
    assert getattr(linkequity, name) is getattr(module, name)


def test_bad_scores_edges_and_weights_are_refused() -> None:
    graph = LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3)
    with pytest.raises(ValueError, match="entries for 3 nodes"):
        link_gains(graph, [0], [1], source=2, scores=[0.5, 0.5])
    with pytest.raises(ValueError, match="finite and >= 0"):
        removal_loss(graph, [0], sources=[2], scores=[0.5, 0.6, -0.1])
    with pytest.raises(ValueError, match="edge targets"):
        removal_loss(graph, [0], edges=([0, 1], [1]))
    with pytest.raises(ValueError, match="weight"):
        plan_links(graph, [0], [1], [2], 1, weight=-1.0)


def test_a_plan_on_a_weighted_graph_may_add_weight_to_a_link_it_chose() -> None:
    # 1 links to the target 0 and to 2; more weight on 1 -> 0 is the only gain.
    graph = LinkGraph.from_arrays([1, 1, 2], [0, 2, 1], 3, weights=[1.0, 1.0, 1.0])
    plan = plan_links(graph, [0], [0], [1], 2, tol=1e-12)
    assert [(step.source, step.target) for step in plan] == [(1, 0), (1, 0)]
    assert all(step.realised_gain == pytest.approx(step.predicted_gain, rel=1e-6) for step in plan)
    assert plan_links(graph, [0], [0], [1], 2, is_weighted=False, tol=1e-12) == []
    # An unweighted graph collapses repeated links, unless told otherwise.
    plain = LinkGraph.from_arrays([1, 1, 2], [0, 2, 1], 3)
    assert plan_links(plain, [0], [0], [1], 2, tol=1e-12) == []
    assert len(plan_links(plain, [0], [0], [1], 2, is_weighted=True, tol=1e-12)) == 2


def test_the_compiled_sweep_does_what_its_python_source_says() -> None:
    module = importlib.import_module("linkequity.graph.chain")
    graph = random_graph(91, 30, 90, is_weighted=True)
    chain = module.reversed_chain(graph, damping=0.85, teleport=None, dangling=np.arange(30.0))
    forward = chain.forward
    rhs = np.zeros((2, 30))
    rhs[0, 3] = rhs[1, 7] = 1.0
    split = (
        forward.indptr.astype(np.int64),
        forward.indices.astype(np.int32),
        forward.data,
        chain.is_dangling,
        chain.dangling,
        rhs,
    )
    terms = module._split_links(*split)
    for compiled_part, interpreted_part in zip(
        terms, module._split_links.py_func(*split), strict=True
    ):
        np.testing.assert_array_equal(compiled_part, interpreted_part)
    linking, indptr, indices, data, to_dangling, weights, linking_rhs, from_dangling, level = terms
    arguments = (
        indptr,
        indices,
        data,
        to_dangling,
        weights,
        float(chain.dangling[chain.is_dangling].sum()),
        True,
        linking_rhs,
        from_dangling,
        level,
    )
    compiled = np.zeros((2, linking.size + 1))
    compiled[:, :-1] = linking_rhs
    interpreted = compiled.copy()
    for _ in range(3):
        moved = module._gauss_seidel_sweep(*arguments, compiled, 0.85)
        assert module._gauss_seidel_sweep.py_func(*arguments, interpreted, 0.85) == moved
    np.testing.assert_array_equal(compiled, interpreted)
    assert np.count_nonzero(compiled) > 2


@pytest.mark.parametrize("dangling_share", [None, 0.2, 0.9])
def test_a_sweep_is_gauss_seidel_with_the_dangling_pages_first(
    dangling_share: float | None,
) -> None:
    # The solver never reads a dangling entry: all of them are B_j + d σ. Three
    # sweeps (the first extrapolation comes later) must still be exactly three
    # textbook Gauss-Seidel sweeps of R = B + d M^T R over a dense M, visiting
    # the dangling pages first, then the linking pages in id order.
    module = importlib.import_module("linkequity.graph.chain")
    graph = random_graph(92, 60, 200, is_weighted=True, dangling_share=dangling_share or 0.0)
    if dangling_share is None:  # a ring through every page: none is dangling
        rows, cols, weights = edges_of(graph)
        ring = np.arange(60)
        graph = LinkGraph.from_arrays(
            np.concatenate([rows, ring]),
            np.concatenate([cols, (ring + 1) % 60]),
            60,
            weights=np.concatenate([weights, np.ones(60)]),
        )
        assert not np.any(graph.out_degree() == 0)
    rng = np.random.default_rng(5)
    dangling = rng.random(60)
    chain = module.reversed_chain(graph, damping=0.85, teleport=None, dangling=dangling)
    transposed = dense_chain(graph, dangling).T
    rhs = rng.random((2, 60)) * (rng.random((2, 60)) < 0.3)
    expected = rhs.copy()
    for _ in range(3):
        before = expected.copy()
        level = expected @ chain.dangling
        expected[:, chain.is_dangling] = rhs[:, chain.is_dangling] + 0.85 * level[:, None]
        for i in np.flatnonzero(~chain.is_dangling):
            expected[:, i] = rhs[:, i] + 0.85 * expected @ transposed[i]
    with pytest.raises(NotConverged) as raised:
        module.solve_reversed(chain, rhs, 0.85, 1e-300, 3)
    np.testing.assert_allclose(raised.value.scores.T, expected, rtol=1e-13, atol=1e-16)
    # The residual is the largest move of the last sweep, dangling entries included.
    assert raised.value.residual == pytest.approx(np.abs(expected - before).max(), rel=1e-9)


def test_without_dangling_pages_the_dangling_level_does_not_hold_up_the_stop() -> None:
    # Nobody links to page 0, so its influence on itself is all there is: the
    # first sweep moves nothing. The solver's σ (the dangling pages' level)
    # moves from 0 to δ^T B = 1 in that sweep, but with no dangling page it
    # stands for no entry and must not count as a move.
    module = importlib.import_module("linkequity.graph.chain")
    graph = LinkGraph.from_arrays([0, 1, 2], [1, 2, 1], 3)
    chain = module.reversed_chain(graph, damping=0.85, teleport=None, dangling=[1.0, 0.0, 0.0])
    assert not chain.is_dangling.any()
    solved = module.solve_reversed(chain, np.array([[1.0, 0.0, 0.0]]), 0.85, 1e-12, 1)
    np.testing.assert_array_equal(solved, [[1.0, 0.0, 0.0]])


def test_paths_below_a_share_of_1e_12_are_left_out() -> None:
    graph = LinkGraph.from_arrays([0, 2], [1, 1], 3)
    teleport = np.array([1.0, 1.0, 1e-14])
    paths = explain_paths(graph, [1], depth=1, top=5, teleport=teleport)
    assert [path.nodes for path in paths] == [(0, 1)]
    every = explain_paths(graph, [1], depth=1, top=None, teleport=teleport)
    assert [path.nodes for path in every] == [(0, 1), (2, 1)]
    assert 0 < every[1].share < 1e-12


def test_the_row_of_g_at_the_source_gives_the_denominator_terms() -> None:
    # G M = (G - I) / d, so m_q^T s = (s_q - 1) / d with s = G^T e_q (module notes).
    graph = random_graph(95, 80, 300, is_weighted=True)
    m = dense_chain(graph)
    for q in (3, 40):  # a dangling source and a linking one
        s = influence(graph, [q], tol=1e-14)
        assert m[:, q] @ s == pytest.approx((s[q] - 1.0) / 0.85, rel=1e-11)
        assert target_rank(s) == pytest.approx(pagerank(graph, tol=1e-14)[q], rel=1e-10)


def test_targets_that_the_teleport_never_reaches() -> None:
    # With the teleport on node 0 only, node 2 has rank 0 until 1 links to it.
    graph = LinkGraph.from_arrays([0, 1], [1, 0], 3)
    teleport = np.array([1.0, 0.0, 0.0])
    result = link_gains(graph, [2], [2], source=1, teleport=teleport, dangling=teleport)
    assert result.target_rank == 0.0
    assert result.gains[0] > 0
    assert result.relative_gains[0] == np.inf
    new_page = link_gains(graph, [2], [0, 2], new_source_rank=0.1, teleport=teleport)
    assert new_page.relative_gains.tolist() == [0.0, np.inf]
    assert explain_paths(graph, [2], teleport=teleport, dangling=teleport) == []


small_graphs = st.integers(3, 10).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=30),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).filter(lambda v: sum(v) > 0.1),
    )
)


@settings(max_examples=30, deadline=None)
@given(graph_data=small_graphs, target=st.integers(0, 9), picks=st.lists(st.booleans()))
def test_removals_match_a_dense_recomputation_on_any_small_graph(
    graph_data: tuple[int, list[tuple[int, int]], list[float]],
    target: int,
    picks: list[bool],
) -> None:
    n, edges, dangling_weights = graph_data
    pairs = np.array(edges, dtype=np.int64)
    graph = LinkGraph.from_arrays(pairs[:, 0], pairs[:, 1], n)
    rows, cols, _ = edges_of(graph)
    chosen = np.array(
        [picks[i] if i < len(picks) else i % 2 == 0 for i in range(rows.size)], dtype=np.bool_
    )
    v = np.full(n, 1.0 / n)
    dangling = np.array(dangling_weights) / sum(dangling_weights)
    targets = np.array([target % n])
    loss = removal_loss(
        graph,
        targets,
        edges=(rows[chosen], cols[chosen]),
        dangling=dangling,
        tol=1e-14,
        max_iter=5000,
    )
    after = LinkGraph.from_arrays(rows[~chosen], cols[~chosen], n)
    actual = (
        dense_rank(graph, 0.85, v, dangling)[targets].sum()
        - dense_rank(after, 0.85, v, dangling)[targets].sum()
    )
    assert loss == pytest.approx(actual, rel=1e-8, abs=1e-13)


@settings(max_examples=30, deadline=None)
@given(graph_data=small_graphs, target=st.integers(0, 9))
def test_single_link_shares_sum_to_the_followed_link_part_on_any_small_graph(
    graph_data: tuple[int, list[tuple[int, int]], list[float]], target: int
) -> None:
    n, edges, dangling_weights = graph_data
    pairs = np.array(edges, dtype=np.int64)
    graph = LinkGraph.from_arrays(pairs[:, 0], pairs[:, 1], n)
    dangling = np.array(dangling_weights) / sum(dangling_weights)
    v = np.full(n, 1.0 / n)
    x = dense_rank(graph, 0.85, v, dangling)
    targets = np.array([target % n])
    paths = explain_paths(graph, targets, depth=1, top=None, scores=x, dangling=dangling)
    is_dangling = graph.out_weight() == 0
    teleport_part = 0.15 * v[targets].sum() + 0.85 * x[is_dangling].sum() * dangling[targets].sum()
    expected = (x[targets].sum() - teleport_part) / x[targets].sum()
    assert sum(path.share for path in paths) == pytest.approx(expected, rel=1e-9, abs=1e-12)
