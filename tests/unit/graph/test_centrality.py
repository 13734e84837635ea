"""Harmonic centrality against a breadth-first search written out in Python."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from linkequity.graph import LinkGraph
from linkequity.graph.centrality import harmonic_centrality, harmonic_work


def reference_harmonic(n: int, edges: list[tuple[int, int]]) -> list[float]:
    """Sum of 1/d(u, v) over u != v, by one plain BFS per source."""
    out: list[list[int]] = [[] for _ in range(n)]
    for source, target in edges:
        out[source].append(target)
    centrality = [0.0] * n
    for start in range(n):
        distance = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in out[node]:
                if nxt not in distance:
                    distance[nxt] = distance[node] + 1
                    queue.append(nxt)
        for node, steps in distance.items():
            if node != start:
                centrality[node] += 1.0 / steps
    return centrality


def test_path_and_cycle_by_hand() -> None:
    path = LinkGraph.from_arrays([0, 1], [1, 2], 3)
    assert harmonic_centrality(path).tolist() == [0.0, 1.0, 1.5]
    cycle = LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3)
    assert harmonic_centrality(cycle).tolist() == [1.5, 1.5, 1.5]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_breadth_first_search(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    pairs = rng.integers(0, n, size=(120, 2))
    edges = [(int(a), int(b)) for a, b in pairs if a != b]
    graph = LinkGraph.from_arrays(pairs[:, 0], pairs[:, 1], n)
    expected = reference_harmonic(n, sorted(set(edges)))
    assert harmonic_centrality(graph) == pytest.approx(expected, abs=1e-12)


def test_empty_graphs_and_work() -> None:
    assert harmonic_centrality(LinkGraph.from_arrays([], [], 0)).size == 0
    assert harmonic_centrality(LinkGraph.from_arrays([], [], 3)).tolist() == [0.0, 0.0, 0.0]
    assert harmonic_work(LinkGraph.from_arrays([0, 1], [1, 2], 3)) == 3 * (3 + 2)
