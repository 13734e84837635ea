"""LinkGraph builds, degrees, transpose and the group roll-up, against set-based oracles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from linkequity.graph import LinkGraph, _kernels, assign_ids, rollup
from linkequity.model.urls import registrable_domain, url_host

if TYPE_CHECKING:
    from tests.unit.graph.conftest import EdgeList, HostLinks


def edge_weights(graph: LinkGraph) -> dict[tuple[int, int], float]:
    coo = graph.adjacency.tocoo()
    return {(int(i), int(j)): float(w) for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}


def test_duplicates_collapse_and_self_links_drop() -> None:
    graph = LinkGraph.from_arrays([0, 0, 0, 1, 2, 2], [1, 1, 0, 2, 2, 0], 4)
    assert edge_weights(graph) == {(0, 1): 1.0, (1, 2): 1.0, (2, 0): 1.0}
    assert graph.n_nodes == 4
    assert graph.n_edges == 3
    assert graph.adjacency.dtype == np.float64
    assert graph.adjacency.has_sorted_indices


def test_weights_of_duplicates_add_up_and_zero_weights_add_no_edge() -> None:
    graph = LinkGraph.from_arrays([0, 0, 1, 2, 1], [1, 1, 2, 0, 1], 3, weights=[2, 3, 0, 1.5, 9])
    assert edge_weights(graph) == {(0, 1): 5.0, (2, 0): 1.5}


def test_followed_links_only_by_default() -> None:
    sources, targets, followed = [0, 1, 2], [1, 2, 0], [True, False, True]
    assert edge_weights(LinkGraph.from_arrays(sources, targets, 3, is_followed=followed)) == {
        (0, 1): 1.0,
        (2, 0): 1.0,
    }
    every = LinkGraph.from_arrays(sources, targets, 3, is_followed=followed, include_nofollow=True)
    assert every.n_edges == 3


def test_degrees_and_out_weight_are_indexed_by_node_id() -> None:
    graph = LinkGraph.from_arrays([0, 0, 0, 2], [1, 2, 1, 1], 4, weights=[1, 2, 3, 4])
    assert graph.out_degree().tolist() == [2, 0, 1, 0]
    assert graph.in_degree().tolist() == [0, 2, 1, 0]
    assert graph.out_weight().tolist() == [6.0, 0.0, 4.0, 0.0]


@pytest.mark.parametrize("n_edges", [1_000, 450_000])  # one thread, and every thread
def test_degrees_and_out_weights_agree_with_numpy(n_edges: int) -> None:
    rng = np.random.default_rng(n_edges)
    n = 5_000
    sources, targets = rng.integers(0, n - 100, n_edges), rng.integers(0, n, n_edges)
    weights = rng.random(n_edges) * (rng.random(n_edges) < 0.9)
    graph = LinkGraph.from_arrays(sources, targets, n, weights=weights)
    assert graph.n_edges > 200_000 or n_edges < 200_000
    kept = (sources != targets) & (weights > 0)
    pairs = np.unique(sources[kept] * n + targets[kept])
    assert graph.out_degree().tolist() == np.bincount(pairs // n, minlength=n).tolist()
    expected = np.bincount(sources[kept], weights=weights[kept], minlength=n)
    assert np.allclose(graph.out_weight(), expected, rtol=1e-12, atol=0.0)
    assert graph.out_weight()[-100:].tolist() == [0.0] * 100


def test_transpose_reverses_every_edge() -> None:
    graph = LinkGraph.from_arrays([0, 0, 3], [1, 2, 0], 4, weights=[1, 2, 3])
    reverse = graph.transpose()
    assert edge_weights(reverse) == {(1, 0): 1.0, (2, 0): 2.0, (0, 3): 3.0}
    assert reverse.adjacency.has_sorted_indices
    assert edge_weights(reverse.transpose()) == edge_weights(graph)


def test_empty_graph() -> None:
    graph = LinkGraph.from_arrays([], [], 0)
    assert (graph.n_nodes, graph.n_edges) == (0, 0)
    assert LinkGraph.from_arrays([], [], 3).out_degree().tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("sources", "targets", "n_nodes", "kwargs", "message"),
    [
        ([0, 3], [1, 0], 3, {}, "1 source ids outside \\[0, 3\\), first 3"),
        ([0, 1], [-1, 0], 3, {}, "target ids outside"),
        ([0, 1], [1], 3, {}, "2 sources but 1 targets"),
        ([0, 1], [1, 0], 3, {"weights": [1.0]}, "1 weights for 2 links"),
        ([0, 1], [1, 0], 3, {"weights": [1.0, -2.0]}, "finite and >= 0"),
        ([0, 1], [1, 0], 3, {"weights": [1.0, np.nan]}, "finite and >= 0"),
        ([0, 1], [1, 0], 3, {"is_followed": [True]}, "1 is_followed flags for 2 links"),
        ([], [], -1, {}, "n_nodes must be >= 0"),
    ],
)
def test_bad_arrays_are_refused(
    sources: list[int],
    targets: list[int],
    n_nodes: int,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        LinkGraph.from_arrays(sources, targets, n_nodes, **kwargs)


# No deadline: run on a worker of its own (pytest -n without --dist loadgroup), the
# first example compiles the build's kernels, some 10 s on a clean Numba cache.
@settings(deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
        )
    )
)
def test_from_arrays_agrees_with_a_set_of_pairs(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = case
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]
    graph = LinkGraph.from_arrays(sources, targets, n)
    expected = {(s, t): 1.0 for s, t in pairs if s != t}
    assert edge_weights(graph) == expected
    assert graph.out_degree().tolist() == [
        sum(1 for s, _ in expected if s == node) for node in range(n)
    ]


def test_rollup_gives_one_edge_per_group_pair() -> None:
    #   pages 0, 1 on host 0; pages 2, 3 on host 1; page 4 on host 2
    pages = LinkGraph.from_arrays([0, 1, 1, 0, 2, 3, 4], [2, 3, 0, 1, 0, 2, 4], 5)
    groups = [0, 0, 1, 1, 2]
    assert edge_weights(rollup(pages, groups, 4)) == {(0, 1): 1.0, (1, 0): 1.0}
    assert rollup(pages, groups, 4).n_nodes == 4
    weighted = rollup(pages, groups, 4, is_weighted=True)
    assert edge_weights(weighted) == {(0, 1): 2.0, (1, 0): 1.0}


def test_rollup_refuses_a_bad_grouping() -> None:
    pages = LinkGraph.from_arrays([0], [1], 2)
    with pytest.raises(ValueError, match="1 group ids for 2 nodes"):
        rollup(pages, [0], 1)
    with pytest.raises(ValueError, match="group ids outside"):
        rollup(pages, [0, 1], 1)
    with pytest.raises(ValueError, match="n_groups must be >= 0"):
        rollup(pages, [0, 0], -1)


def test_hollins_builds_and_rolls_up_to_its_hosts(hollins: EdgeList) -> None:
    pages = LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)
    assert (pages.n_nodes, pages.n_edges) == (6012, 23875)

    hosts = sorted({urlsplit(url).hostname or "" for url in hollins.names})
    host_id = {host: i for i, host in enumerate(hosts)}
    group = np.array([host_id[urlsplit(url).hostname or ""] for url in hollins.names])
    host_graph = rollup(pages, group, len(hosts))

    expected = {
        (int(group[s]), int(group[t]))
        for s, t in zip(hollins.sources, hollins.targets, strict=True)
        if group[s] != group[t]
    }
    assert set(edge_weights(host_graph)) == expected
    assert host_graph.n_nodes == len(hosts)


def test_assign_ids_numbers_distinct_keys_in_sorted_order() -> None:
    ids, names = assign_ids(["b", "a", "c", "a", "b"])
    assert ids.tolist() == [1, 0, 2, 0, 1]
    assert names == ["a", "b", "c"]
    assert ids.dtype == np.int64
    empty_ids, empty_names = assign_ids([])
    assert (empty_ids.size, empty_names) == (0, [])


def domain_of(host: str) -> str:
    return registrable_domain(host) or host


def test_hollins_rolls_up_from_pages_to_hosts_to_domains(hollins: EdgeList) -> None:
    pages = LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)
    host_of_page, hosts = assign_ids([url_host(url) for url in hollins.names])
    host_graph = rollup(pages, host_of_page, len(hosts))
    domain_of_host, domains = assign_ids([domain_of(host) for host in hosts])
    domain_graph = rollup(host_graph, domain_of_host, len(domains))
    # Two broken URLs of the crawl (http://www1/..., http://www1.hollins/...) have
    # hosts without a public suffix; each is its own domain.
    assert domains == ["hollins.edu", "www1", "www1.hollins"]
    assert len(hosts) == 4

    # Rolling pages straight up to domains gives the same graph.
    domain_of_page = domain_of_host[host_of_page]
    direct = rollup(pages, domain_of_page, len(domains))
    assert edge_weights(direct) == edge_weights(domain_graph)
    assert set(edge_weights(domain_graph)) == {
        (int(domain_of_page[s]), int(domain_of_page[t]))
        for s, t in zip(hollins.sources, hollins.targets, strict=True)
        if domain_of_page[s] != domain_of_page[t]
    }


@pytest.mark.slow
def test_uk1996_host_graph_and_its_domain_rollup(uk1996_hosts: HostLinks) -> None:
    links = uk1996_hosts
    host_ids, hosts = assign_ids(links.sources + links.targets)
    n_links = len(links.sources)
    sources, targets = host_ids[:n_links], host_ids[n_links:]
    host_graph = LinkGraph.from_arrays(sources, targets, len(hosts), weights=links.counts)

    expected_hosts: dict[tuple[int, int], float] = {}
    for s, t, count in zip(sources.tolist(), targets.tolist(), links.counts.tolist(), strict=True):
        if s != t:
            expected_hosts[s, t] = expected_hosts.get((s, t), 0.0) + count
    assert edge_weights(host_graph) == expected_hosts

    domain_of_host, domains = assign_ids([domain_of(host) for host in hosts])
    domain_graph = rollup(host_graph, domain_of_host, len(domains))
    expected_domains = {
        (int(domain_of_host[s]), int(domain_of_host[t]))
        for s, t in expected_hosts
        if domain_of_host[s] != domain_of_host[t]
    }
    assert set(edge_weights(domain_graph)) == expected_domains
    assert set(edge_weights(domain_graph).values()) == {1.0}
    assert domain_graph.n_nodes == len(domains) < len(hosts)
    # The links between hosts of one domain are the ones the domain graph drops.
    weighted = rollup(host_graph, domain_of_host, len(domains), is_weighted=True)
    inside = sum(
        w for (s, t), w in expected_hosts.items() if domain_of_host[s] == domain_of_host[t]
    )
    assert weighted.adjacency.sum() == pytest.approx(sum(expected_hosts.values()) - inside)


def scipy_edge_weights(
    sources: npt.NDArray[np.int64],
    targets: npt.NDArray[np.int64],
    n: int,
    weights: npt.NDArray[np.float64],
) -> dict[tuple[int, int], float]:
    """The oracle: SciPy's COO -> CSR conversion, which adds up duplicates."""
    keep = sources != targets
    matrix = sparse.coo_array((weights[keep], (sources[keep], targets[keep])), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    coo = matrix.tocoo()
    return {(int(i), int(j)): float(w) for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_build_agrees_with_scipy_on_hubs_with_many_repeated_in_links(seed: int) -> None:
    # Long in-link lists (past the insertion-sort cut-off of the builder) with
    # many repeats, zero weights and self-links, in random order.
    rng = np.random.default_rng(seed)
    n, m = 50, 4000
    sources = rng.integers(0, n, m)
    targets = np.where(rng.random(m) < 0.5, rng.integers(0, 3, m), rng.integers(0, n, m))
    weights = rng.integers(0, 4, m).astype(np.float64)
    graph = LinkGraph.from_arrays(sources, targets, n, weights=weights)
    assert edge_weights(graph) == scipy_edge_weights(sources, targets, n, weights)
    unweighted = LinkGraph.from_arrays(sources, targets, n)
    assert edge_weights(unweighted) == dict.fromkeys(
        scipy_edge_weights(sources, targets, n, np.ones(m)), 1.0
    )


@pytest.mark.parametrize(("n", "m"), [(5_000, 450_000), (2_000_000, 250_000)])
def test_a_parallel_build_agrees_with_scipy_with_many_or_few_edges_a_node(n: int, m: int) -> None:
    """Above 200k edges the build counts in chunks: one a thread, at most m / n of them."""
    rng = np.random.default_rng(m)
    sources, targets = rng.integers(0, n, m), rng.integers(0, n, m)
    weights = rng.integers(0, 4, m).astype(np.float64)
    graph = LinkGraph.from_arrays(sources, targets, n, weights=weights)
    keep = sources != targets
    in_links = sparse.coo_array((weights[keep], (targets[keep], sources[keep])), shape=(n, n))
    expected = in_links.tocsr()
    expected.sum_duplicates()
    expected.eliminate_zeros()
    expected.sort_indices()
    assert np.array_equal(graph.in_indptr, expected.indptr)
    assert np.array_equal(graph.in_indices, expected.indices)
    assert np.array_equal(graph.in_weights, expected.data)


def test_counting_vectors_stay_within_the_inputs_bytes() -> None:
    assert _kernels._chunks_within(80 * 1000, 2, 1000) == 2  # 10 edges a node: a vector a thread
    assert _kernels._chunks_within(80 * 1000, 64, 1000) == 10  # no more than the input holds
    assert _kernels._chunks_within(8 * 100, 64, 1000) == 1  # fewer edges than nodes: one
    assert _kernels._chunks_within(0, 2, 0) == 1


def test_in_links_are_the_canonical_storage() -> None:
    graph = LinkGraph.from_arrays([2, 0, 0, 1, 2, 0], [1, 1, 1, 0, 0, 2], 3)
    assert graph.in_indptr.tolist() == [0, 2, 4, 5]
    assert graph.in_indices.tolist() == [1, 2, 0, 2, 0]
    assert (graph.in_indptr.dtype, graph.in_indices.dtype) == (np.int64, np.int32)
    assert graph.in_weights is None
    assert not graph.is_weighted
    assert graph.in_links.toarray().tolist() == graph.adjacency.T.toarray().tolist()
    assert graph.in_degree().tolist() == [2, 2, 1]
    weighted = LinkGraph.from_arrays([0, 0], [1, 1], 2, weights=[0.5, 0.25])
    assert weighted.is_weighted
    assert weighted.in_weights is not None
    assert weighted.in_weights.tolist() == [0.75]
    assert weighted.transpose().is_weighted


def test_more_nodes_than_int32_ids_hold_are_refused() -> None:
    with pytest.raises(ValueError, match="below 2\\*\\*31"):
        LinkGraph.from_arrays([], [], 2**31)
