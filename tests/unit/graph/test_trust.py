"""TrustRank, anti-trust rank, proposed seeds and spam mass against dense and sparse solves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import spsolve

from linkequity.graph import (
    LinkGraph,
    anti_trustrank,
    pagerank,
    propose_trust_seeds,
    spam_mass,
    trustrank,
)

if TYPE_CHECKING:
    from tests.unit.graph.conftest import EdgeList

Vector = npt.NDArray[np.float64]


def transition(graph: LinkGraph) -> sparse.csc_array[Any]:
    """Column-stochastic M without the dangling columns: M[j, i] = w_ij / out_i (zero columns)."""
    a = graph.adjacency.astype(np.float64).toarray()
    out = a.sum(axis=1)
    return sparse.csc_array((a / np.where(out > 0, out, 1.0)[:, None]).T)


def linear_pagerank(graph: LinkGraph, jump: Vector, damping: float = 0.85) -> Vector:
    """Solve (I - d M) p = (1 - d) v with leaking dead ends: the paper's linear PageRank."""
    n = graph.n_nodes
    system = sparse.csc_array(sparse.eye_array(n) - damping * transition(graph))
    return np.asarray(spsolve(system, (1.0 - damping) * jump), dtype=np.float64)


def dense_pagerank(graph: LinkGraph, teleport: Vector, dangling: Vector, damping: float) -> Vector:
    """Solve x = (1 - d) v + d M x, dead-end columns replaced by ``dangling``, densely."""
    m = transition(graph).toarray()
    dead = m.sum(axis=0) == 0
    m[:, dead] = dangling[:, None]
    x = np.linalg.solve(np.eye(graph.n_nodes) - damping * m, (1.0 - damping) * teleport)
    return np.asarray(x / x.sum(), dtype=np.float64)


def random_graph(seed: int, n: int, m: int) -> LinkGraph:
    rng = np.random.default_rng(seed)
    return LinkGraph.from_arrays(rng.integers(0, n, m), rng.integers(0, n, m), n)


def hollins_graph(hollins: EdgeList) -> LinkGraph:
    return LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)


def spam_farm() -> tuple[LinkGraph, list[int], list[int], int]:
    """A good web of 12 pages and a farm of 30 boosters around one target, as in the paper.

    Pages 0-11 are good: 0-3 form a linked core, 4-11 hang off it and link back.
    Page 12 is the target; pages 13-42 each link to it and it links to all of them.
    """
    sources = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]
    targets = [1, 2, 3, 0, 2, 3, 0, 1, 4, 5, 6, 7]
    sources += [4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11]
    targets += [8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3]
    boosters = list(range(13, 43))
    sources += boosters + [12] * len(boosters)
    targets += [12] * len(boosters) + boosters
    return LinkGraph.from_arrays(sources, targets, 43), list(range(12)), boosters, 12


# --- TrustRank -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_trustrank_is_pagerank_teleporting_and_dangling_to_the_seeds(seed: int) -> None:
    graph = random_graph(seed, 40, 70)
    assert np.any(graph.out_degree() == 0)
    seeds = np.array([2, 7, 11])
    seed_vector = np.zeros(40)
    seed_vector[seeds] = 1.0 / 3
    scores = trustrank(graph, seeds)
    same_run = pagerank(graph, teleport=seed_vector, dangling=seed_vector)
    assert np.abs(scores - same_run).sum() < 1e-12
    oracle = dense_pagerank(graph, seed_vector, seed_vector, 0.85)
    assert np.abs(scores - oracle).sum() < 1e-9
    assert scores.sum() == pytest.approx(1.0)


def test_trustrank_is_the_papers_leaking_trustrank_rescaled() -> None:
    graph = random_graph(8, 50, 90)
    assert np.count_nonzero(graph.out_degree() == 0) >= 3
    seeds = np.array([0, 10, 20, 30])
    seed_vector = np.zeros(50)
    seed_vector[seeds] = 0.25
    leaking = linear_pagerank(graph, seed_vector)
    assert leaking.sum() < 0.99
    assert np.abs(trustrank(graph, seeds) - leaking / leaking.sum()).max() < 1e-10


def test_trust_stays_in_the_seeds_community_and_thins_out_with_each_hop() -> None:
    # 0 -> 1 -> 2 -> 3 -> 4 (a chain from the seed), and 5 <-> 6, 6 -> 4, which no seed reaches.
    graph = LinkGraph.from_arrays([0, 1, 2, 3, 5, 6, 6], [1, 2, 3, 4, 6, 5, 4], 7)
    scores = trustrank(graph, [0])
    assert scores[0] == scores.max()
    assert np.all(np.diff(scores[:4]) < 0)
    assert scores[5] == 0.0
    assert scores[6] == 0.0
    # Each hop keeps the damping share: node k+1 gets 0.85 of node k's trust.
    assert scores[1:4] / scores[:3] == pytest.approx([0.85, 0.85, 0.85])


def test_seeds_rank_highest_on_hollins(hollins: EdgeList) -> None:
    graph = hollins_graph(hollins)
    seeds = propose_trust_seeds(graph, 5)
    scores = trustrank(graph, seeds)
    assert scores.sum() == pytest.approx(1.0)
    # Each seed keeps at least its own teleport share, (1 - d) / 5.
    assert np.all(scores[seeds] >= 0.15 / 5)
    best = np.argsort(-scores)[:5]
    assert len(set(best.tolist()) & set(seeds.tolist())) >= 3
    # Pages no seed reaches by links get no trust at all.
    reachable = np.zeros(graph.n_nodes, dtype=bool)
    for s in seeds:
        reach = sparse.csgraph.breadth_first_order(graph.adjacency, s, return_predecessors=False)
        reachable[reach] = True
    assert np.all(scores[~reachable] == 0.0)
    assert np.all(scores[reachable] > 0.0)


def test_repeated_seeds_count_once_and_weights_add_up() -> None:
    graph = random_graph(6, 30, 60)
    assert trustrank(graph, [4, 4, 9]) == pytest.approx(trustrank(graph, [9, 4]), abs=1e-12)
    weighted = trustrank(graph, [4, 9, 4], seed_weights=[1.0, 1.0, 2.0])
    assert weighted == pytest.approx(trustrank(graph, [4, 9], seed_weights=[3, 1]), abs=1e-12)
    v = np.zeros(30)
    v[[4, 9]] = [0.75, 0.25]
    assert np.abs(weighted - dense_pagerank(graph, v, v, 0.85)).sum() < 1e-9


@pytest.mark.parametrize(
    ("seeds", "kwargs", "message"),
    [
        ([], {}, "seeds is empty"),
        ([0, 5], {}, "1 seeds ids outside \\[0, 5\\), first 5"),
        ([-1], {}, "seeds ids outside"),
        ([0.5], {}, "must be integer node ids"),
        ([True], {}, "must be integer node ids"),
        ([0, 1], {"seed_weights": [1.0]}, "1 seed_weights for 2 seeds"),
        ([0, 1], {"seed_weights": [1.0, -1.0]}, "finite and >= 0"),
        ([0, 1], {"seed_weights": [np.inf, 1.0]}, "finite and >= 0"),
        ([0, 1], {"seed_weights": [0.0, 0.0]}, "sum to 0"),
    ],
)
def test_bad_seeds_are_refused(seeds: list[Any], kwargs: dict[str, Any], message: str) -> None:
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 5)
    with pytest.raises(ValueError, match=message):
        trustrank(graph, seeds, **kwargs)


def test_seeds_of_an_empty_graph_are_out_of_range() -> None:
    with pytest.raises(ValueError, match="seeds is empty"):
        trustrank(LinkGraph.from_arrays([], [], 0), [])
    with pytest.raises(ValueError, match="outside \\[0, 0\\)"):
        trustrank(LinkGraph.from_arrays([], [], 0), [0])


# --- Anti-trust rank -------------------------------------------------------------------


def test_distrust_flows_backwards_to_the_pages_that_link_to_spam() -> None:
    # 0 -> 1 -> 2 (spam) -> 3; 4 -> 0; 5 stands apart.
    graph = LinkGraph.from_arrays([0, 1, 2, 4], [1, 2, 3, 0], 6)
    scores = anti_trustrank(graph, [2])
    assert scores[2] == scores.max()
    # Closer to the spam along the links, more distrust: 1 links to it, 0 to 1, 4 to 0.
    assert scores[2] > scores[1] > scores[0] > scores[4] > 0.0
    # The spam links to 3, but 3 does not link to spam; 5 has no link at all.
    assert scores[3] == 0.0
    assert scores[5] == 0.0
    assert scores.sum() == pytest.approx(1.0)


def test_anti_trustrank_is_trustrank_on_the_reversed_graph() -> None:
    graph = random_graph(7, 40, 80)
    spam = np.array([3, 30])
    v = np.zeros(40)
    v[spam] = [2 / 3, 1 / 3]
    scores = anti_trustrank(graph, spam, seed_weights=[2.0, 1.0], damping=0.8)
    reverse = graph.transpose()
    assert np.abs(scores - dense_pagerank(reverse, v, v, 0.8)).sum() < 1e-9
    assert np.abs(scores - trustrank(reverse, spam, seed_weights=[2, 1], damping=0.8)).sum() < 1e-12
    with pytest.raises(ValueError, match="spam_seeds is empty"):
        anti_trustrank(graph, [])


# --- Proposed seeds --------------------------------------------------------------------


def test_proposed_seeds_are_the_best_by_inverse_pagerank_on_hollins(hollins: EdgeList) -> None:
    graph = hollins_graph(hollins)
    proposed = propose_trust_seeds(graph, 25)
    assert proposed.dtype == np.int64
    assert proposed.size == len(set(proposed.tolist())) == 25
    inverse = pagerank(graph.transpose())
    assert proposed.tolist() == np.argsort(-inverse, kind="stable")[:25].tolist()
    assert np.all(np.diff(inverse[proposed]) <= 0)
    # Plausible hubs: pages with several times the average number of out-links.
    out_degree = graph.out_degree()
    assert out_degree[proposed].mean() > 3 * out_degree.mean()
    assert np.all(out_degree[proposed[:10]] > 0)


def test_proposed_seeds_reach_far_and_ties_go_to_the_smaller_id() -> None:
    # 0 links to everybody; 1 and 2 each link to one page; 3 and 4 link nowhere.
    graph = LinkGraph.from_arrays([0, 0, 0, 0, 1, 2], [1, 2, 3, 4, 3, 4], 5)
    assert propose_trust_seeds(graph, 3).tolist() == [0, 1, 2]
    assert propose_trust_seeds(graph, 99).tolist() == [0, 1, 2, 3, 4]
    assert propose_trust_seeds(graph, 0).tolist() == []
    with pytest.raises(ValueError, match="k must be >= 0"):
        propose_trust_seeds(graph, -1)


# --- Spam mass -------------------------------------------------------------------------


def test_a_spam_farm_has_relative_mass_near_1_and_the_good_web_near_0() -> None:
    graph, good, boosters, target = spam_farm()
    mass = spam_mass(graph, good)
    assert np.all(np.abs(mass.relative[good]) < 1e-9)
    assert np.all(mass.relative[boosters] == pytest.approx(1.0))
    assert mass.relative[target] == pytest.approx(1.0)
    # The farm works: its target out-ranks every good page.
    assert mass.pagerank[target] > mass.pagerank[good].max()
    assert mass.absolute[target] == mass.absolute.max()


def test_a_bought_link_from_the_good_web_leaves_the_target_mostly_spam() -> None:
    graph, good, boosters, target = spam_farm()
    edges = graph.adjacency.tocoo()
    bought = LinkGraph.from_arrays(np.append(edges.row, 9), np.append(edges.col, target), 43)
    mass = spam_mass(bought, good)
    assert 0.9 < mass.relative[target] < 1.0
    assert np.all(mass.relative[boosters] < 1.0)
    assert np.all(np.abs(mass.relative[good]) < 1e-9)


def test_a_small_core_scaled_by_the_good_fraction_separates_farm_and_good_web() -> None:
    graph, good, boosters, target = spam_farm()
    core = [0, 2]
    unscaled = spam_mass(graph, core)
    # Two core pages out of 43 leave most of every good page's rank unexplained ...
    assert np.all(unscaled.relative[good] > 0.5)
    # ... until their jumps stand for all good pages (12 of 43): the core then
    # explains more than its own rank (negative mass) and most of the rest.
    scaled = spam_mass(graph, core, good_fraction=12 / 43)
    assert np.all(scaled.relative[good] < unscaled.relative[good])
    assert np.all(scaled.relative[core] < 0)
    assert scaled.relative[good].max() < 0.6
    assert np.all(scaled.relative[[*boosters, target]] == pytest.approx(1.0))
    assert scaled.core_rank == pytest.approx(unscaled.core_rank * (12 / 43) / (2 / 43))


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("good_fraction", [None, 0.85])
def test_spam_mass_agrees_with_a_linear_solve(seed: int, good_fraction: float | None) -> None:
    n, damping = 60, 0.85
    graph = random_graph(seed, n, 110)
    assert np.count_nonzero(graph.out_degree() == 0) >= 3
    core = np.array([1, 5, 8, 13, 21])
    uniform = np.full(n, 1.0 / n)
    core_jump = np.zeros(n)
    core_jump[core] = (1.0 / n) if good_fraction is None else good_fraction / core.size
    p = linear_pagerank(graph, uniform, damping)
    p_core = linear_pagerank(graph, core_jump, damping)

    mass = spam_mass(graph, core, good_fraction=good_fraction)
    # pagerank() is the linear PageRank rescaled to sum 1 ...
    assert np.abs(mass.pagerank - p / p.sum()).sum() < 1e-9
    # ... and spam mass is the paper's, on that scale.
    assert np.abs(mass.relative - (p - p_core) / p).max() < 1e-8
    assert np.abs(mass.core_rank - p_core / p.sum()).sum() < 1e-9
    assert np.abs(mass.absolute - (mass.pagerank - mass.core_rank)).max() < 1e-12


def test_spam_reaching_a_dead_end_leaves_no_mass_on_the_core() -> None:
    # Core 0 <-> 1; spam 2 -> 3, where 3 links nowhere. Were the dead end's score
    # spread over every node, the jumps of 2 and 3 would reach the core.
    graph = LinkGraph.from_arrays([0, 1, 2], [1, 0, 3], 4)
    mass = spam_mass(graph, [0, 1])
    assert mass.relative.tolist() == pytest.approx([0.0, 0.0, 1.0, 1.0], abs=1e-9)
    assert mass.core_rank[[0, 1]] == pytest.approx(mass.pagerank[[0, 1]])


def test_spam_mass_takes_a_precomputed_pagerank_and_refuses_bad_input() -> None:
    graph, good, _, _ = spam_farm()
    x = pagerank(graph)
    given_x = spam_mass(graph, good, pagerank_scores=x)
    assert np.array_equal(given_x.pagerank, x)
    assert np.abs(given_x.relative - spam_mass(graph, good).relative).max() < 1e-12
    with pytest.raises(ValueError, match="pagerank_scores has 3 entries for 43 nodes"):
        spam_mass(graph, good, pagerank_scores=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="good_fraction must be in \\(0, 1\\]"):
        spam_mass(graph, good, good_fraction=0.0)
    with pytest.raises(ValueError, match="good_fraction must be in \\(0, 1\\]"):
        spam_mass(graph, good, good_fraction=1.5)
    with pytest.raises(ValueError, match="damping must be in \\[0, 1\\)"):
        spam_mass(graph, good, damping=1.0)
    with pytest.raises(ValueError, match="good_seeds is empty"):
        spam_mass(graph, [])


@st.composite
def graphs_and_cores(draw: st.DrawFn) -> tuple[LinkGraph, list[int], list[int]]:
    n = draw(st.integers(2, 25))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    core = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    extra = draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True))
    graph = LinkGraph.from_arrays([s for s, _ in pairs], [t for _, t in pairs], n)
    return graph, core, sorted(set(core) | set(extra))


@settings(max_examples=40, deadline=None)
@given(graphs_and_cores())
def test_spam_mass_is_a_share_and_shrinks_as_the_core_grows(
    case: tuple[LinkGraph, list[int], list[int]],
) -> None:
    graph, core, larger_core = case
    mass = spam_mass(graph, core)
    assert np.all(mass.relative >= 0.0)
    assert np.all(mass.relative <= 1.0 + 1e-9)
    assert np.all(mass.core_rank <= mass.pagerank + 1e-12)
    larger = spam_mass(graph, larger_core)
    assert np.all(larger.relative <= mass.relative + 1e-9)
    # A node that no core node reaches owes the core nothing.
    reached = np.zeros(graph.n_nodes, dtype=bool)
    for node in core:
        order = sparse.csgraph.breadth_first_order(graph.adjacency, node, return_predecessors=False)
        reached[order] = True
    assert np.all(mass.relative[~reached] == pytest.approx(1.0))
    assert np.all(mass.relative[reached] < 1.0)


@pytest.mark.parametrize(
    "name",
    [
        "DomainAuthority",
        "PageAuthority",
        "ReferringCounts",
        "SpamMass",
        "anti_trustrank",
        "authority_scale",
        "domain_authority",
        "domain_graph",
        "domain_referring_counts",
        "page_authority",
        "propose_trust_seeds",
        "referring_counts",
        "spam_mass",
        "trustrank",
    ],
)
def test_public_api_exports_the_trust_and_score_names(name: str) -> None:
    import linkequity
    from linkequity import graph

    assert name in linkequity.__all__
    assert name in graph.__all__
    assert getattr(linkequity, name) is getattr(graph, name)
