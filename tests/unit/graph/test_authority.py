"""PageRank and HITS against published values, a dense linear solve and networkx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest
from scipy import sparse

from linkequity.errors import LinkEquityError, NotConverged
from linkequity.graph import LinkGraph, _kernels, assign_ids, hits, pagerank
from linkequity.graph.authority import pagerank_report

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.unit.graph.conftest import EdgeList, HostLinks

Vector = npt.NDArray[np.float64]


def reference_pagerank(
    graph: LinkGraph,
    *,
    damping: float = 0.85,
    teleport: Vector | None = None,
    dangling: Vector | None = None,
) -> Vector:
    """Solve x = (1 - d) v + d M x exactly, with a dense matrix: the oracle of small graphs."""
    n = graph.n_nodes
    v = np.full(n, 1.0 / n) if teleport is None else teleport / teleport.sum()
    u = v if dangling is None else dangling / dangling.sum()
    a = graph.adjacency.toarray()
    out = a.sum(axis=1)
    m = np.where(out[:, None] > 0, a / np.where(out > 0, out, 1.0)[:, None], u[None, :]).T
    x = np.linalg.solve(np.eye(n) - damping * m, (1.0 - damping) * v)
    return x / x.sum()


def labelled(case: dict[str, Any]) -> tuple[LinkGraph, list[str]]:
    """The case's graph, with its node labels sorted as integers and numbered from 0."""
    labels = sorted({str(node) for edge in case["edges"] for node in edge}, key=int)
    ids = {label: i for i, label in enumerate(labels)}
    edges = np.array([[ids[str(s)], ids[str(t)]] for s, t in case["edges"]])
    sources, targets = edges[:, 0], edges[:, 1]
    if not case["directed"]:
        sources, targets = np.concatenate([sources, targets]), np.concatenate([targets, sources])
    return LinkGraph.from_arrays(sources, targets, len(labels)), labels


def by_label(mapping: dict[str, float], labels: list[str]) -> Vector:
    return np.array([float(mapping.get(label, 0.0)) for label in labels])


def find_case(cases: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(case for case in cases if case["name"] == name)


PAGERANK_CASES = [
    "langville_meyer_pagerank",
    "langville_meyer_pagerank_dangling_vector",
    "complete4_personalized",
    "complete4_single_seed (TrustRank-like)",
]


@pytest.mark.parametrize("impl", [pagerank, reference_pagerank])
@pytest.mark.parametrize("name", PAGERANK_CASES)
def test_pagerank_reproduces_the_published_values(
    impl: Callable[..., Vector], name: str, reference_cases: list[dict[str, Any]]
) -> None:
    case = find_case(reference_cases, name)
    graph, labels = labelled(case)
    params = case["params"]
    kwargs: dict[str, Any] = {"damping": params["alpha"]}
    if "personalization" in params:
        kwargs["teleport"] = by_label(params["personalization"], labels)
    if isinstance(params.get("dangling"), dict):
        kwargs["dangling"] = by_label(params["dangling"], labels)
    scores = impl(graph, **kwargs)
    expected = by_label(case["expected"], labels)
    assert scores == pytest.approx(expected, abs=case["abs_tol"])
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)


def test_hits_reproduces_the_published_values(reference_cases: list[dict[str, Any]]) -> None:
    case = find_case(reference_cases, "langville_meyer_hits")
    graph, labels = labelled(case)
    hubs, authorities = hits(graph)
    assert hubs == pytest.approx(by_label(case["expected_hubs"], labels), abs=case["abs_tol"])
    assert authorities == pytest.approx(
        by_label(case["expected_authorities"], labels), abs=case["abs_tol"]
    )
    assert (hubs.sum(), authorities.sum()) == pytest.approx((1.0, 1.0))


def to_networkx(graph: LinkGraph) -> nx.DiGraph[int]:
    nxg: nx.DiGraph[int] = nx.DiGraph()
    nxg.add_nodes_from(range(graph.n_nodes))
    coo = graph.adjacency.tocoo()
    nxg.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    return nxg


def networkx_pagerank(
    graph: LinkGraph, *, teleport: Vector | None = None, weighted: bool = False
) -> Vector:
    """networkx's PageRank of the same graph, as an array indexed by node id."""
    nxg = to_networkx(graph)
    personalization = None if teleport is None else dict(enumerate(teleport.tolist()))
    result = nx.pagerank(
        nxg,
        alpha=0.85,
        personalization=personalization,
        tol=1e-15,
        max_iter=1000,
        weight="weight" if weighted else None,
    )
    return np.array([result[node] for node in range(graph.n_nodes)])


def test_hollins_agrees_with_networkx_and_ranks_the_site_root_first(hollins: EdgeList) -> None:
    graph = LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)
    scores = pagerank(graph)
    oracle = networkx_pagerank(graph)
    assert np.abs(scores - oracle).sum() < 1e-8
    top = int(np.argmax(scores))
    assert hollins.names[top] == "http://www.hollins.edu/"
    assert scores[top] == pytest.approx(0.0199, abs=5e-5)


def random_graph(
    seed: int, n: int, m: int, *, dangling_share: float = 0.1
) -> tuple[LinkGraph, Vector, np.random.Generator]:
    """A random graph with duplicate links, self-links, dangling nodes and link counts."""
    rng = np.random.default_rng(seed)
    sources = rng.integers(int(n * dangling_share), n, m)
    targets = rng.integers(0, n, sources.size)
    counts = rng.integers(1, 5, sources.size).astype(np.float64)
    return LinkGraph.from_arrays(sources, targets, n, weights=counts), counts, rng


@pytest.mark.parametrize(("seed", "n"), [(1, 600), pytest.param(2, 4000, marks=pytest.mark.slow)])
def test_generated_graph_agrees_with_networkx(seed: int, n: int) -> None:
    graph, _, rng = random_graph(seed, n, 5 * n)
    assert int((graph.out_degree() == 0).sum()) >= n // 10
    teleport = rng.random(graph.n_nodes) * (rng.random(graph.n_nodes) < 0.2)
    for kwargs in [{}, {"teleport": teleport}]:
        scores = pagerank(graph, **kwargs)
        assert np.abs(scores - networkx_pagerank(graph, **kwargs, weighted=True)).sum() < 1e-8
        assert np.abs(scores - reference_pagerank(graph, **kwargs)).sum() < 1e-8
    unweighted = LinkGraph.from_arrays(*graph.adjacency.nonzero(), graph.n_nodes)
    assert np.abs(pagerank(unweighted) - networkx_pagerank(unweighted)).sum() < 1e-8


@pytest.mark.parametrize("segment_nodes", [97, 1000, 2999])
def test_rounds_in_source_segments_add_up_to_the_one_pass_rounds(
    hollins: EdgeList, monkeypatch: pytest.MonkeyPatch, segment_nodes: int
) -> None:
    """Graphs above SEGMENT_NODES nodes gather one segment of sources at a time."""
    n = hollins.n_nodes
    rng = np.random.default_rng(segment_nodes)
    counts = rng.integers(1, 5, hollins.sources.size).astype(np.float64)
    graphs = {
        "unweighted": LinkGraph.from_arrays(hollins.sources, hollins.targets, n),
        "weighted": LinkGraph.from_arrays(hollins.sources, hollins.targets, n, weights=counts),
    }
    teleport = rng.random(n) * (rng.random(n) < 0.1)
    dangling = rng.random(n)
    options: list[dict[str, Any]] = [{}, {"teleport": teleport, "dangling": dangling}]
    one_pass = {
        (name, i): pagerank_report(graph, **kwargs)
        for name, graph in graphs.items()
        for i, kwargs in enumerate(options)
    }
    monkeypatch.setattr(_kernels, "SEGMENT_NODES", segment_nodes)
    for (name, i), expected in one_pass.items():
        segmented = pagerank_report(graphs[name], **options[i])
        assert segmented.iterations == expected.iterations
        assert np.abs(segmented.scores - expected.scores).sum() < 1e-14, (name, i)


def test_dangling_mass_goes_to_the_teleport_vector() -> None:
    # 0 -> 1 -> 2, and 2 links nowhere: its score returns through the teleport vector.
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    teleport = np.array([1.0, 0.0, 0.0])
    scores = pagerank(graph, teleport=teleport)
    assert scores.sum() == pytest.approx(1.0)
    # Every restart, teleport or dangling, lands on 0: the scores go 1 : d : d^2.
    assert scores == pytest.approx(np.array([1.0, 0.85, 0.85**2]) / 2.5725, abs=1e-10)
    assert scores == pytest.approx(reference_pagerank(graph, teleport=teleport), abs=1e-9)


def test_teleport_to_trusted_seeds_leaves_unreachable_nodes_at_zero() -> None:
    #   0 -> 1 -> 2 <-> 3;  4 -> 0 (4 is not reachable from seed 0)
    graph = LinkGraph.from_arrays([0, 1, 2, 3, 4], [1, 2, 3, 2, 0], 5)
    scores = pagerank(graph, teleport=[1, 0, 0, 0, 0])
    assert scores[4] == 0.0
    assert scores[0] == pytest.approx(0.15)
    assert scores == pytest.approx(
        reference_pagerank(graph, teleport=np.array([1.0, 0, 0, 0, 0])), abs=1e-9
    )


def test_teleport_is_normalised_and_warm_start_converges_to_the_same_scores() -> None:
    graph, _, _ = random_graph(3, 200, 800)
    teleport = np.arange(200, dtype=np.float64)
    scores = pagerank(graph, teleport=teleport)
    assert pagerank(graph, teleport=teleport * 7) == pytest.approx(scores, abs=1e-12)
    assert pagerank(graph, teleport=teleport, start=scores) == pytest.approx(scores, abs=1e-12)


def test_duplicate_links_and_self_links_do_not_change_pagerank() -> None:
    clean = LinkGraph.from_arrays([0, 0, 1, 2], [1, 2, 2, 0], 4)
    noisy = LinkGraph.from_arrays([0, 0, 0, 1, 1, 2, 2, 3], [1, 1, 2, 2, 1, 0, 0, 3], 4)
    assert pagerank(noisy) == pytest.approx(pagerank(clean), abs=1e-15)
    # Node 3 has only a self-link: it is dangling, not a sink that keeps its score.
    assert noisy.out_degree()[3] == 0


def test_not_converged_carries_the_last_iterate() -> None:
    graph, _, _ = random_graph(4, 500, 2000)
    with pytest.raises(NotConverged, match="above tol=1e-10") as caught:
        pagerank(graph, max_iter=3)
    error = caught.value
    assert isinstance(error, LinkEquityError)
    assert "max_iter" in error.hint
    assert error.iterations == 3
    assert error.residual > 1e-10
    assert error.scores.shape == (500,)
    assert error.scores.sum() == pytest.approx(1.0)
    # The iterate is a usable start: resuming from it converges.
    assert pagerank(graph, start=error.scores) == pytest.approx(pagerank(graph), abs=1e-9)


def test_hits_not_converged_carries_the_hubs() -> None:
    graph, _, _ = random_graph(5, 500, 2000)
    with pytest.raises(NotConverged) as caught:
        hits(graph, max_iter=1)
    assert caught.value.iterations == 1
    assert caught.value.scores.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"damping": 1.5}, "damping must be in \\[0, 1\\]"),
        ({"teleport": [1.0, 1.0]}, "teleport has 2 entries for 3 nodes"),
        ({"teleport": [0.0, 0.0, 0.0]}, "teleport sums to 0"),
        ({"dangling": [1.0, -1.0, 1.0]}, "dangling entries must be finite and >= 0"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, Any], message: str) -> None:
    graph = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    with pytest.raises(ValueError, match=message):
        pagerank(graph, **kwargs)


def test_empty_and_edgeless_graphs() -> None:
    assert pagerank(LinkGraph.from_arrays([], [], 0)).size == 0
    assert pagerank(LinkGraph.from_arrays([], [], 4)) == pytest.approx([0.25] * 4)
    hubs, authorities = hits(LinkGraph.from_arrays([], [], 3))
    assert hubs.tolist() == authorities.tolist() == [0.0, 0.0, 0.0]


def test_hits_agrees_with_networkx_on_a_generated_graph() -> None:
    graph, _, _ = random_graph(6, 400, 3000)
    hubs, authorities = hits(graph)
    nx_hubs, nx_authorities = nx.hits(to_networkx(graph), max_iter=1000, tol=1e-12)
    assert np.abs(hubs - [nx_hubs[i] for i in range(graph.n_nodes)]).sum() < 1e-8
    assert np.abs(authorities - [nx_authorities[i] for i in range(graph.n_nodes)]).sum() < 1e-8


def test_hits_agrees_with_networkx_on_hollins(hollins: EdgeList) -> None:
    graph = LinkGraph.from_arrays(hollins.sources, hollins.targets, hollins.n_nodes)
    hubs, authorities = hits(graph)
    nx_hubs, nx_authorities = nx.hits(to_networkx(graph), max_iter=1000, tol=1e-12)
    assert np.abs(hubs - [nx_hubs[i] for i in range(graph.n_nodes)]).sum() < 1e-8
    assert np.abs(authorities - [nx_authorities[i] for i in range(graph.n_nodes)]).sum() < 1e-8


def test_public_api_exports_the_graph_names() -> None:
    import linkequity

    for name in ("LinkGraph", "pagerank", "pagerank_report", "PageRankReport", "hits"):
        assert name in linkequity.__all__
    assert linkequity.pagerank is pagerank
    assert linkequity.pagerank_report is pagerank_report
    assert linkequity.LinkGraph is LinkGraph
    scores = linkequity.pagerank(linkequity.LinkGraph.from_arrays([0, 1], [1, 0], 2))
    assert scores.tolist() == pytest.approx([0.5, 0.5])
    with pytest.raises(AttributeError, match="no attribute 'pagerankk'"):
        _ = linkequity.pagerankk  # type: ignore[attr-defined]


@pytest.mark.slow
def test_uk1996_weighted_host_graph_agrees_with_networkx(uk1996_hosts: HostLinks) -> None:
    links = uk1996_hosts
    host_ids, hosts = assign_ids(links.sources + links.targets)
    n_links = len(links.sources)
    graph = LinkGraph.from_arrays(
        host_ids[:n_links], host_ids[n_links:], len(hosts), weights=links.counts
    )
    for weighted in (True, False):
        used = graph if weighted else LinkGraph.from_arrays(*graph.adjacency.nonzero(), len(hosts))
        scores = pagerank(used)
        assert np.abs(scores - networkx_pagerank(used, weighted=weighted)).sum() < 1e-8
        assert scores.sum() == pytest.approx(1.0)


def plain_power_iteration(
    graph: LinkGraph, *, damping: float = 0.85, tol: float = 1e-10
) -> tuple[Vector, int]:
    """The textbook rounds with SciPy, counting them: the oracle of `pagerank_report`."""
    n = graph.n_nodes
    out = graph.out_weight()
    transition = graph.in_links @ sparse.diags_array(np.divide(1.0, out, where=out > 0, out=out))
    x, rounds = np.full(n, 1.0 / n), 0
    while True:
        rounds += 1
        new_x = (1 - damping) / n + damping * (transition @ x + x[out == 0].sum() / n)
        residual = np.abs(new_x - x).sum()
        x = new_x
        if residual < tol:
            return x, rounds


@pytest.mark.parametrize("weighted", [False, True])
def test_report_gives_the_rounds_of_the_textbook_iteration(weighted: bool) -> None:
    graph, counts, _ = random_graph(5, 3000, 15000)
    if not weighted:
        graph = LinkGraph.from_arrays(*graph.adjacency.nonzero(), graph.n_nodes)
    report = pagerank_report(graph, tol=1e-9)
    expected, rounds = plain_power_iteration(graph, tol=1e-9)
    assert report.iterations == rounds
    assert report.residual < 1e-9
    assert np.abs(report.scores - expected / expected.sum()).sum() < 1e-12


def textbook_iterates(
    graph: LinkGraph,
    rounds: int,
    *,
    damping: float = 0.85,
    teleport: Vector | None = None,
    dangling: Vector | None = None,
) -> list[Vector]:
    """The start and every iterate of the textbook rounds, each gathering every row (SciPy)."""
    n = graph.n_nodes
    v = np.full(n, 1.0 / n) if teleport is None else teleport / teleport.sum()
    w = v if dangling is None else dangling / dangling.sum()
    out = graph.out_weight()
    transition = graph.in_links @ sparse.diags_array(np.divide(1.0, out, where=out > 0, out=out))
    iterates = [v.copy()]
    for _ in range(rounds):
        x = iterates[-1]
        iterates.append((1 - damping) * v + damping * (transition @ x + x[out == 0].sum() * w))
    return iterates


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seeded", [False, True])
def test_rounds_that_skip_dangling_rows_give_the_textbook_iterates(
    weighted: bool, seeded: bool
) -> None:
    # A crawl's frontier: 90 % of the nodes link nowhere, as on the UK 1996 host graph.
    graph, _, rng = random_graph(6, 3000, 6000, dangling_share=0.9)
    if not weighted:
        graph = LinkGraph.from_arrays(*graph.adjacency.nonzero(), graph.n_nodes)
    n = graph.n_nodes
    assert (graph.out_degree() == 0).mean() > 0.85
    kwargs: dict[str, Vector] = {}
    if seeded:
        kwargs = {"teleport": rng.random(n) * (rng.random(n) < 0.1), "dangling": rng.random(n)}
    iterates = textbook_iterates(graph, 200, **kwargs)
    changes = [np.abs(new - old).sum() for old, new in zip(iterates, iterates[1:], strict=False)]
    for rounds in (1, 2, 5, 12):
        with pytest.raises(NotConverged) as caught:
            pagerank_report(graph, **kwargs, tol=0.0, max_iter=rounds)
        expected = iterates[rounds]
        assert np.abs(caught.value.scores - expected / expected.sum()).sum() < 1e-14
        # Round 1 gathers the dangling rows; later rounds bound their change from above.
        if rounds == 1:
            assert caught.value.residual == pytest.approx(changes[0], rel=1e-12)
        else:
            assert caught.value.residual >= changes[rounds - 1] * (1 - 1e-12)
    # So the bound can only add rounds: here one at most (bound/exact is about 1.4).
    report = pagerank_report(graph, **kwargs, tol=1e-10)
    textbook_rounds = 1 + next(k for k, change in enumerate(changes) if change < 1e-10)
    assert report.iterations in (textbook_rounds, textbook_rounds + 1)
    expected = iterates[report.iterations]
    assert np.abs(report.scores - expected / expected.sum()).sum() < 1e-14


@pytest.mark.slow
def test_a_generated_million_node_graph_agrees_with_networkx() -> None:
    # Power-law in-degrees (Pareto targets) and a tenth of the nodes dangling:
    # 1,000,000 nodes and some 2,000,000 links. About 30 s, most of it networkx.
    rng = np.random.default_rng(2026)
    n, m = 1_000_000, 2_000_000
    popularity = rng.pareto(1.1, n) + 1.0
    targets = rng.choice(n, m, p=popularity / popularity.sum())
    sources = rng.integers(n // 10, n, m)
    graph = LinkGraph.from_arrays(sources, targets, n)
    scores = pagerank(graph)
    nxg: nx.DiGraph[int] = nx.DiGraph()
    nxg.add_nodes_from(range(n))
    coo = graph.adjacency.tocoo()
    nxg.add_edges_from(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    result = nx.pagerank(nxg, alpha=0.85, tol=1e-16, max_iter=1000)
    oracle = np.fromiter((result[node] for node in range(n)), dtype=np.float64, count=n)
    assert np.abs(scores - oracle).sum() < 1e-8
