"""The one-thread twins of the parallel kernels: same results, chosen for small work."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np
import pytest

from linkequity.graph import LinkGraph, _kernels, pagerank

if TYPE_CHECKING:
    from types import SimpleNamespace

EVERY_CORE, ONE_THREAD = _kernels._EVERY_CORE, _kernels._ONE_THREAD


def run_on(monkeypatch: pytest.MonkeyPatch, kernels: SimpleNamespace, n_threads: int) -> None:
    """Make every build and rank take ``kernels``, counting in ``n_threads`` chunks."""
    monkeypatch.setattr(
        _kernels, "_compiled_for", lambda _n_work, _parallel_from=0: (kernels, n_threads)
    )


def random_graph(seed: int, n: int, m: int, *, weighted: bool) -> LinkGraph:
    rng = np.random.default_rng(seed)
    # A third of the nodes link nowhere: the rounds' dangling paths run too.
    sources = rng.integers(0, 2 * n // 3, m)
    targets = rng.integers(0, n, m)
    weights = rng.integers(0, 4, m).astype(np.float64) if weighted else None
    return LinkGraph.from_arrays(sources, targets, n, weights=weights)


def test_every_parallel_kernel_has_a_one_thread_twin_cached_apart() -> None:
    parallel = vars(EVERY_CORE)
    twins = vars(ONE_THREAD)
    assert parallel.keys() == twins.keys()
    assert "pagerank_rounds" in parallel
    assert "dangling_round" in parallel
    for name, kernel in parallel.items():
        twin = twins[name]
        assert kernel.targetoptions["parallel"] is True
        assert "parallel" not in twin.targetoptions
        assert twin.py_func.__code__ is kernel.py_func.__code__
        # Numba names its cache files after the qualified name.
        assert twin.py_func.__qualname__ == f"_{name}_one_thread"
    # A twin calls twins: the rounds' own calls of `_dangling_round` included.
    assert ONE_THREAD.pagerank_rounds.py_func.__globals__["_dangling_round"] is (
        ONE_THREAD.dangling_round
    )
    assert EVERY_CORE.pagerank_rounds.py_func.__globals__["_dangling_round"] is (
        EVERY_CORE.dangling_round
    )


def test_small_work_runs_on_one_thread_and_large_on_every_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(numba, "get_num_threads", lambda: 4)
    assert _kernels._compiled_for(199_999) == (ONE_THREAD, 1)
    assert _kernels._compiled_for(200_000) == (EVERY_CORE, 4)
    assert _kernels._compiled_for(9_999, _kernels._PARALLEL_ROUNDS_FROM) == (ONE_THREAD, 1)
    assert _kernels._compiled_for(10_000, _kernels._PARALLEL_ROUNDS_FROM) == (EVERY_CORE, 4)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    assert _kernels._compiled_for(10**9) == (ONE_THREAD, 1)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [2, 3])
def test_a_build_on_one_thread_equals_the_parallel_build(
    monkeypatch: pytest.MonkeyPatch, *, weighted: bool, n_threads: int
) -> None:
    built = []
    for kernels in (EVERY_CORE, ONE_THREAD):
        run_on(monkeypatch, kernels, n_threads if kernels is EVERY_CORE else 1)
        graph = random_graph(n_threads, 400, 6_000, weighted=weighted)
        built.append(
            (graph.in_indptr, graph.in_indices, graph.in_weights)
            + (graph.out_degree(), graph.out_weight())
        )
    for parallel, one_thread in zip(*built, strict=True):
        assert np.array_equal(parallel, one_thread)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("segment_nodes", [1 << 20, 64])
def test_rounds_on_one_thread_equal_the_parallel_rounds(
    monkeypatch: pytest.MonkeyPatch, *, weighted: bool, segment_nodes: int
) -> None:
    """Both run every round alike; only the order of the parallel sums differs."""
    graph = random_graph(7, 400, 6_000, weighted=weighted)
    monkeypatch.setattr(_kernels, "SEGMENT_NODES", segment_nodes)
    teleport = np.random.default_rng(3).random(graph.n_nodes)
    ranked = []
    for kernels in (EVERY_CORE, ONE_THREAD):
        run_on(monkeypatch, kernels, 2 if kernels is EVERY_CORE else 1)
        ranked.append(pagerank(graph, teleport=teleport, tol=1e-13))
    parallel, one_thread = ranked
    assert np.abs(parallel - one_thread).sum() < 1e-14
    assert abs(one_thread.sum() - 1.0) < 1e-12
