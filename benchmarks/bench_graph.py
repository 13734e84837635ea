"""PageRank against igraph PRPACK, NetworKit, networkx and scikit-network, same graphs, same run.

Usage::

    python benchmarks/bench_graph.py                 # 1M nodes / 10M edges, and the real graphs
    python benchmarks/bench_graph.py --sizes 1m,5m   # and 5M / 50M
    python benchmarks/bench_graph.py --quick         # 100k / 1M and the real graphs, < 1 min

Graphs. Generated graphs are power-law and directed: ``--sizes 1m`` is 1M nodes
and 10M edges (every size has ten edges per node). Targets are drawn with a
Zipf weight on a random ranking of the nodes so that in-degrees follow a power
law of exponent 2.1, sources with exponent 2.7 (Broder et al. 2000 measured
2.1 and 2.72 on the web); 10 % of the nodes are dangling (no out-link). The
raw draws hold duplicates and self-loops; they are deduplicated and their
self-loops dropped once, up front, with NumPy, then shuffled (a store hands
edges over in no particular order) and cut to the exact edge count, so every
contestant ranks the same simple graph. Node ids are random with respect to
degree: no locality for a cache to exploit. The real graphs are hollins
(``shared/data/graphs/hollins``, 1-based ids) and the UK 1996 host graph
(hosts numbered in sorted order, link counts ignored). Edge arrays are cached
as int64 ``.npy`` under ``benchmarks/out/graphs/``.

Contestants. Each runs in its own subprocess. It first builds and ranks a
9-node graph, and ours also one of 300,000 edges (imports, JIT compilation
of both its serial and parallel paths, and first-call set-up are not the
graph's cost; that time is printed apart), loads the two ``.npy`` arrays,
then times the build (from the int arrays in memory to the library's graph
object) and the rank (the call, and the one that hands the scores back).
It reports its peak RSS (its own ``VmHWM``: ``ru_maxrss`` survives ``exec``
on Linux and holds the parent's peak too, so it is kept in the JSON only),
the RSS the graph adds (RSS after the build minus before it: resident bytes
per edge) and the high-water mark while ranking (``/proc/self/clear_refs``
resets it after the build). Damping is 0.85 everywhere, dangling mass goes
to the uniform teleport vector everywhere, and each is asked for an L1
change below 1e-10:

* ``linkequity``: ``LinkGraph.from_arrays(src, dst, n)``, ``pagerank(graph,
  tol=1e-10)`` (L1 change of one round), or ``pagerank_report``, which also
  gives the rounds, where the commit has it. More calls with ``tol=0`` and
  ``max_iter`` 1 and 21 (best of 3 each) time twenty rounds without the
  set-up: the ms per round compared with the bandwidth bound. Without
  ``pagerank_report`` the rounds are counted by bisection on ``max_iter`` up
  to 2M edges and estimated from the rank time above (``~`` in the table).
* ``igraph``: ``Graph(n, directed=True)`` then ``add_edges`` of the (m, 2)
  array (2.5x faster than passing the edges to the constructor), then
  ``pagerank(damping=0.85, implementation="prpack")``. PRPACK picks its own
  solver (Gauss-Seidel on most graphs) and its own stopping rule (1e-10,
  fixed in igraph); dangling nodes link to every node. Rounds not exposed.
* ``networkit``: ``GraphFromCoo((src, dst), n, directed=True)``, 2 threads,
  ``PageRank(damp=0.85, tol=1e-10, distributeSinks=DistributeSinks)`` with
  ``norm = L1_NORM``: without sink handling NetworKit lets dangling mass leak
  and ranks a different vector; its default stopping rule is the L2 norm of
  the change, set here to the L1 norm so the rule is ours. ``networkit-1t``
  is the same on one thread: on a shared two-core machine the two threads
  wait on each other at every round's barrier and one thread can be several
  times faster.
* ``sknetwork``: a SciPy ``csr_matrix`` of ones (build time = that CSR) and
  ``PageRank(damping_factor=0.85, solver="piteration", n_iter=200,
  tol=1e-10)``, power iteration stopped on the L1 change. Its operator gives
  a dangling node's score back to the node's own restart weight instead of
  spreading it over the teleport vector, so on graphs with dangling nodes it
  ranks another vector (L1 about 0.2 from ours here; 1e-10 on a graph
  without them). Rounds are counted by wrapping its operator's product.
* ``networkx``: ``DiGraph`` with ``add_nodes_from``/``add_edges_from``, then
  ``nx.pagerank(alpha=0.85, tol=1e-10 / n, max_iter=200)`` (the SciPy
  implementation; networkx stops when the L1 change is below ``n * tol``).
  It needs about 1 KB and 3 us of Python per edge, so it is skipped above
  ``--networkx-max-edges`` with an estimate scaled from the largest graph it
  ranked in the same run.

Bandwidth bound. The machine's sustained read bandwidth is measured with
NumPy (``sum`` of a 1 GiB float64 array, best of 5, on one thread and in
halves on two; copy and triad are printed beside it), and the better of the
two read figures is used. One PageRank round over our representation must
at least read the graph once (per edge a source id, and a weight if the
graph stores one; per node an indptr entry), read the previous scores once
per node (the best case, every gathered score served by the cache) and
write the new ones: ``m * (index + weight) + n * (indptr + 8 + 8)`` bytes,
with the sizes of the arrays the graph keeps (its in-link lists, or
``graph.adjacency`` in a commit without them), ``m`` and ``n`` the edges and
rows a round gathers: since b08f790 the rows of nodes with out-links only
(a dangling node's score feeds no link), before it all. That over the read
bandwidth is the bound in ms per round; the "gather" bound
reads 8 more bytes per edge (each score fetched once per edge), the "line"
bound a 64-byte cache line per edge (every gather a miss: the worst case).
The goal is our ms per round within 2x of the first.

Ratios are each peer's seconds over ours, so higher is better for linkequity;
the goal lines print PASS or FAIL and assert nothing. The tables go to stdout
and the figures to ``benchmarks/out/bench_graph-<graphs>.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
GRAPHS = REPO.parent / "shared" / "data" / "graphs"
HOLLINS = GRAPHS / "hollins"
UK1996_HOSTS = GRAPHS / "uk1996_hosts" / "1996-uk-web-hosts.tsv.gz"

DAMPING = 0.85
L1_TOL = 1e-10
MAX_ITER = 200
# Up to this size our rounds are counted exactly, by bisection on max_iter; above, estimated.
EXACT_ROUNDS_MAX_EDGES = 2_000_000
# Our ms per round: the time of 1 + PROBE_ROUNDS rounds less that of 1, best of 3 each.
PROBE_ROUNDS = 20
EDGES_PER_NODE = 10
IN_EXPONENT = 2.1
OUT_EXPONENT = 2.7
DANGLING_SHARE = 0.1
GENERATOR_VERSION = 1
REAL_GRAPHS = ("hollins", "uk1996")
PEERS = ("igraph", "networkit", "networkit-1t", "sknetwork", "networkx")
CONTESTANTS = ("linkequity", *PEERS)
# Rough peak bytes per edge before a run has measured them, to skip what cannot fit.
PEAK_BYTES_PER_EDGE = {
    "linkequity": 80,
    "igraph": 100,
    "networkit": 80,
    "networkit-1t": 80,
    "sknetwork": 100,
    "networkx": 1500,
}
GOAL_SPEEDUP = 2.0
GOAL_BYTES_PER_EDGE = 16.0
GOAL_BOUND_RATIO = 2.0
# A peer whose scores are this close to ours (L1) ranks the same vector.
SAME_VECTOR_L1 = 1e-6
CACHE_LINE_BYTES = 64
# Below this many edges a graph's RSS is a few MB, of the order of the allocator's noise.
RSS_MIN_EDGES = 1_000_000

IntArray = npt.NDArray[np.int64]
# A 9-node graph (a ring and a dangling node) each contestant ranks once before the timing:
# imports, JIT compilation and first-call set-up are not the graph's cost.
WARM_UP = (
    np.array([0, 1, 2, 3, 4, 5, 6, 7, 0], dtype=np.int64),
    np.array([1, 2, 3, 4, 5, 6, 7, 0, 8], dtype=np.int64),
)


# -- graphs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphFiles:
    """A graph on disk: the deduplicated edge arrays as int64 ``.npy`` files."""

    name: str
    n_nodes: int
    n_edges: int
    n_dangling: int
    sources: Path
    targets: Path
    origin: str

    def load(self) -> tuple[IntArray, IntArray]:
        return np.load(self.sources), np.load(self.targets)


def parse_size(text: str) -> tuple[int, int]:
    """Return (nodes, edges) for a size such as ``100k``, ``1m`` or ``5m`` (10 edges a node)."""
    scale = {"k": 1_000, "m": 1_000_000}
    text = text.strip().lower()
    try:
        nodes = int(float(text[:-1]) * scale[text[-1]]) if text[-1:] in scale else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: say 100k, 1m or 5m") from None
    if nodes < 10:
        raise argparse.ArgumentTypeError(f"size {text!r}: at least 10 nodes")
    return nodes, nodes * EDGES_PER_NODE


def _zipf_ranks(
    rng: np.random.Generator, size: int, n: int, exponent: float
) -> npt.NDArray[np.int64]:
    """Draw ranks in ``[0, n)`` with weight ``(rank + 1) ** -a``, ``a = 1 / (exponent - 1)``.

    The inverse CDF of the continuous density ``x ** -a`` on ``[1, n + 1)``: a
    node of rank r then gets a degree proportional to ``r ** -a``, and the
    degrees follow a power law of the given exponent.
    """
    a = 1.0 / (exponent - 1.0)
    u = rng.random(size)
    top = (n + 1.0) ** (1.0 - a) - 1.0
    x = (1.0 + u * top) ** (1.0 / (1.0 - a))
    return np.minimum(x.astype(np.int64) - 1, n - 1)


def power_law_edges(
    n_nodes: int,
    n_edges: int,
    *,
    seed: int,
    in_exponent: float = IN_EXPONENT,
    out_exponent: float = OUT_EXPONENT,
    dangling_share: float = DANGLING_SHARE,
) -> tuple[IntArray, IntArray]:
    """Return ``n_edges`` distinct edges without self-loops, shuffled, of a power-law graph.

    Targets follow a Zipf weight over a random ranking of all nodes, sources
    one over a random ranking of the linking nodes (all but a
    ``dangling_share`` of the nodes, which get no out-link). Raw draws repeat
    pairs and draw self-loops; they are dropped and more edges drawn until
    ``n_edges`` distinct ones exist, then the edges are shuffled and cut.
    """
    rng = np.random.default_rng(seed)
    target_of_rank = rng.permutation(n_nodes)
    n_linking = max(1, n_nodes - int(dangling_share * n_nodes))
    source_of_rank = rng.permutation(n_nodes)[:n_linking]
    keys = np.zeros(0, dtype=np.int64)
    wanted = n_edges
    for _ in range(20):
        draw = int(wanted * 1.1) + 16
        src = source_of_rank[_zipf_ranks(rng, draw, n_linking, out_exponent)]
        dst = target_of_rank[_zipf_ranks(rng, draw, n_nodes, in_exponent)]
        fresh = src[src != dst] * n_nodes + dst[src != dst]
        keys = _distinct(np.concatenate((keys, fresh)))
        wanted = n_edges - keys.size
        if wanted <= 0:
            break
    else:
        raise ValueError(f"{n_nodes} nodes hold only {keys.size} distinct power-law edges")
    keys = keys[rng.permutation(keys.size)[:n_edges]]
    return keys // n_nodes, keys % n_nodes


def _save(
    folder: Path, name: str, src: IntArray, dst: IntArray, n_nodes: int, origin: str
) -> GraphFiles:
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "src.npy", src.astype(np.int64, copy=False))
    np.save(folder / "dst.npy", dst.astype(np.int64, copy=False))
    n_dangling = int(np.count_nonzero(np.bincount(src, minlength=n_nodes) == 0))
    meta = {
        "name": name,
        "n_nodes": n_nodes,
        "n_edges": int(src.size),
        "n_dangling": n_dangling,
        "origin": origin,
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return _files(folder)


def _files(folder: Path) -> GraphFiles:
    meta = json.loads((folder / "meta.json").read_text())
    return GraphFiles(
        meta["name"],
        meta["n_nodes"],
        meta["n_edges"],
        meta["n_dangling"],
        folder / "src.npy",
        folder / "dst.npy",
        meta["origin"],
    )


def generated_graph(size: str, *, seed: int, cache: Path) -> GraphFiles:
    """Return the power-law graph of *size*, generated once and cached."""
    n_nodes, n_edges = parse_size(size)
    folder = cache / f"power-law-{n_nodes}-{n_edges}-seed{seed}-v{GENERATOR_VERSION}"
    if (folder / "meta.json").is_file():
        return _files(folder)
    start = time.perf_counter()
    src, dst = power_law_edges(n_nodes, n_edges, seed=seed)
    origin = (
        f"power law (in {IN_EXPONENT}, out {OUT_EXPONENT}, {DANGLING_SHARE:.0%} dangling), "
        f"seed {seed}"
    )
    files = _save(folder, size, src, dst, n_nodes, origin)
    print(f"  generated {size}: {n_edges:,} edges in {time.perf_counter() - start:.1f} s")
    return files


def _simple_edges(src: IntArray, dst: IntArray, n_nodes: int) -> tuple[IntArray, IntArray]:
    """Drop self-loops and duplicate pairs, in the order of first appearance."""
    keep = src != dst
    keys = src[keep] * n_nodes + dst[keep]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    is_first = np.ones(ordered.size, dtype=np.bool_)
    is_first[1:] = ordered[1:] != ordered[:-1]
    keys = keys[np.sort(order[is_first])]
    return keys // n_nodes, keys % n_nodes


def _distinct(keys: IntArray) -> IntArray:
    """Return the distinct keys, sorted (np.unique is ten times slower in NumPy 2.4)."""
    ordered = np.sort(keys)
    is_first = np.ones(ordered.size, dtype=np.bool_)
    is_first[1:] = ordered[1:] != ordered[:-1]
    return ordered[is_first]


def hollins_graph(*, cache: Path, root: Path = HOLLINS) -> GraphFiles | None:
    """Return the hollins.edu crawl of 2004 (1-based ids in its files), or None if absent."""
    folder = cache / "hollins"
    if (folder / "meta.json").is_file():
        return _files(folder)
    if not (root / "hollins_edges.dat").is_file():
        return None
    edges = np.loadtxt(root / "hollins_edges.dat", skiprows=1, dtype=np.int64, ndmin=2) - 1
    n_nodes = len((root / "hollins_nodes_urls.dat").read_bytes().splitlines()) - 1
    src, dst = _simple_edges(edges[:, 0], edges[:, 1], n_nodes)
    return _save(folder, "hollins", src, dst, n_nodes, "hollins.edu crawl, January 2004")


def uk1996_graph(*, cache: Path, path: Path = UK1996_HOSTS) -> GraphFiles | None:
    """Return the UK 1996 host graph (hosts numbered in sorted order), or None if absent."""
    folder = cache / "uk1996"
    if (folder / "meta.json").is_file():
        return _files(folder)
    if not path.is_file():
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    table = csv.read_csv(
        path,
        read_options=csv.ReadOptions(column_names=["key", "count"]),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False),
    )
    parts = pc.split_pattern(table["key"], "|")
    sources = pc.list_element(parts, 1)
    targets = pc.list_element(parts, 2)
    hosts = pc.unique(pa.chunked_array(sources.chunks + targets.chunks))
    hosts = pc.take(hosts, pc.sort_indices(hosts))
    src = pc.index_in(sources, value_set=hosts).to_numpy().astype(np.int64)
    dst = pc.index_in(targets, value_set=hosts).to_numpy().astype(np.int64)
    src, dst = _simple_edges(src, dst, len(hosts))
    return _save(folder, "uk1996", src, dst, len(hosts), "UK Web Archive host graph, 1996")


# -- contestants, each in its own process ------------------------------------------------------


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _high_water_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_high_water() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Ranked:
    """A contestant's scores and what it says about its rounds."""

    scores: npt.NDArray[np.float64]
    iterations: int | None = None


class Contestant:
    """One library: build its graph from the arrays, rank it, hand the scores back.

    ``rank`` is timed and returns whatever the library returns; ``collect``
    turns that into a NumPy vector outside the timing.
    """

    name = ""

    def warm_up_graphs(self) -> list[tuple[IntArray, IntArray, int]]:
        """Graphs to build and rank before the timing: first-call costs are not the graph's."""
        return [(*WARM_UP, 9)]

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        raise NotImplementedError

    def rank(self, graph: Any, n: int) -> Any:
        raise NotImplementedError

    def collect(self, result: Any, n: int) -> Ranked:
        return Ranked(np.asarray(result, dtype=np.float64))

    def measure_more(self, graph: Any, rank_s: float, ranked: Ranked) -> dict[str, Any]:
        return {}

    def reset(self) -> None:
        """Forget what the warm-up run left behind."""


class Ours(Contestant):
    name = "linkequity"

    def __init__(self) -> None:
        from linkequity import graph
        from linkequity.graph import authority

        self._from_arrays = graph.LinkGraph.from_arrays
        self._pagerank = graph.pagerank
        # pagerank_report (scores and rounds) where this commit has it
        self._report = getattr(graph, "pagerank_report", None) or getattr(
            authority, "pagerank_report", None
        )

    def warm_up_graphs(self) -> list[tuple[IntArray, IntArray, int]]:
        """Also a graph of 300,000 edges: ours compiles a parallel path for large graphs."""
        src, dst = power_law_edges(30_000, 300_000, seed=0)
        return [*super().warm_up_graphs(), (src, dst, 30_000)]

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        return self._from_arrays(src, dst, n)

    def rank(self, graph: Any, n: int) -> Any:
        rank = self._report or self._pagerank
        return rank(graph, damping=DAMPING, tol=L1_TOL, max_iter=MAX_ITER)

    def collect(self, result: Any, n: int) -> Ranked:
        if self._report is None:
            return Ranked(np.asarray(result, dtype=np.float64))
        return Ranked(np.asarray(result.scores, dtype=np.float64), int(result.iterations))

    def measure_more(self, graph: Any, rank_s: float, ranked: Ranked) -> dict[str, Any]:
        """Time rounds without the set-up (``tol=0``, ``max_iter`` 1 and 21) and the layout."""
        found = _layout(graph)
        one, more = (self._cut_short_s(graph, rounds) for rounds in (1, 1 + PROBE_ROUNDS))
        per_round_s = (more - one) / PROBE_ROUNDS
        if per_round_s > 0:
            found["ms_per_iteration"] = per_round_s * 1e3
            found["set_up_s"] = max(one - per_round_s, 0.0)
        if ranked.iterations is not None:
            return found
        if graph.n_edges <= EXACT_ROUNDS_MAX_EDGES:
            found["iterations"] = self._rounds_to_converge(graph)
        elif per_round_s > 0:
            set_up_s = max(one - per_round_s, 0.0)
            found["iterations"] = max(1, round((rank_s - set_up_s) / per_round_s))
            found["is_estimated_iterations"] = True
        return found

    def _cut_short_s(self, graph: Any, rounds: int, *, repeat: int = 3) -> float:
        """Best time of ``rounds`` rounds that cannot converge (``tol=0``), set-up included."""
        from linkequity.errors import NotConverged

        best = np.inf
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                self._pagerank(graph, damping=DAMPING, tol=0.0, max_iter=rounds)
            except NotConverged:
                best = min(best, time.perf_counter() - start)
        return float(best)

    def _rounds_to_converge(self, graph: Any) -> int:
        """Bisect on ``max_iter`` for the fewest rounds that reach the tolerance."""
        from linkequity.errors import NotConverged

        low, high = 1, MAX_ITER
        while low < high:
            middle = (low + high) // 2
            try:
                self._pagerank(graph, damping=DAMPING, tol=L1_TOL, max_iter=middle)
            except NotConverged:
                low = middle + 1
            else:
                high = middle
        return low


def _layout(graph: Any) -> dict[str, Any]:
    """Return the sizes of what a PageRank round reads: the in-link lists where the graph
    keeps them (``in_indptr``, ``in_indices``, ``in_weights`` or None), else its matrix.

    Rows a round gathers: those of the nodes with out-links where the graph keeps
    in-links (since b08f790 a round skips the rows of dangling nodes), else all.
    """
    gathered: dict[str, int] = {}
    if hasattr(graph, "in_indices"):
        indptr, indices, weights = graph.in_indptr, graph.in_indices, graph.in_weights
        has_out_links = graph.out_degree() > 0
        gathered = {
            "rows_gathered": int(np.count_nonzero(has_out_links)),
            "edges_gathered": int(np.diff(indptr)[has_out_links].sum()),
        }
    else:
        matrix = graph.adjacency
        indptr, indices, weights = matrix.indptr, matrix.indices, matrix.data
    return gathered | {
        "layout": "in-links" if hasattr(graph, "in_indices") else "adjacency CSR",
        "index_bytes": indices.dtype.itemsize,
        "value_bytes": 0 if weights is None else weights.dtype.itemsize,
        "indptr_bytes": indptr.dtype.itemsize,
        "matrix_bytes": indices.nbytes + indptr.nbytes + (0 if weights is None else weights.nbytes),
    }


class Igraph(Contestant):
    name = "igraph"

    def __init__(self) -> None:
        import igraph

        self._igraph = igraph

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        graph = self._igraph.Graph(n=n, directed=True)
        graph.add_edges(np.column_stack((src, dst)))
        return graph

    def rank(self, graph: Any, n: int) -> Any:
        return graph.pagerank(damping=DAMPING, directed=True, implementation="prpack")


class Networkit(Contestant):
    name = "networkit"
    threads = 2

    def __init__(self) -> None:
        import networkit as nk

        nk.setNumberOfThreads(self.threads)
        self._nk = nk

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        return self._nk.GraphFromCoo((src, dst), n=n, directed=True)

    def rank(self, graph: Any, n: int) -> Any:
        centrality = self._nk.centrality
        ranker = centrality.PageRank(
            graph, damp=DAMPING, tol=L1_TOL, distributeSinks=centrality.SinkHandling.DistributeSinks
        )
        ranker.norm = centrality.Norm.L1_NORM
        ranker.maxIterations = MAX_ITER
        ranker.run()
        return ranker, ranker.scores()

    def collect(self, result: Any, n: int) -> Ranked:
        ranker, scores = result
        return Ranked(np.asarray(scores, dtype=np.float64), int(ranker.numberOfIterations()))


class NetworkitOneThread(Networkit):
    name = "networkit-1t"
    threads = 1


class Sknetwork(Contestant):
    name = "sknetwork"

    def __init__(self) -> None:
        from scipy import sparse
        from sknetwork.linalg import ppr_solver
        from sknetwork.ranking import PageRank

        self._sparse = sparse
        self._page_rank = PageRank
        self._rounds = 0
        operator = ppr_solver.RandomSurferOperator
        product = operator._matvec

        def counting_product(surfer: Any, x: Any) -> Any:
            self._rounds += 1
            return product(surfer, x)

        # Each product of sknetwork's random-surfer operator is one round of power iteration.
        operator._matvec = counting_product

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        return self._sparse.csr_matrix((np.ones(src.size), (src, dst)), shape=(n, n))

    def rank(self, graph: Any, n: int) -> Any:
        ranker = self._page_rank(
            damping_factor=DAMPING, solver="piteration", n_iter=MAX_ITER, tol=L1_TOL
        )
        return ranker.fit_predict(graph)

    def collect(self, result: Any, n: int) -> Ranked:
        return Ranked(np.asarray(result, dtype=np.float64), self._rounds)

    def reset(self) -> None:
        self._rounds = 0


class Networkx(Contestant):
    name = "networkx"

    def __init__(self) -> None:
        import networkx as nx

        self._nx = nx

    def build(self, src: IntArray, dst: IntArray, n: int) -> Any:
        graph = self._nx.DiGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
        return graph

    def rank(self, graph: Any, n: int) -> Any:
        # networkx stops when the L1 change is below n * tol.
        return self._nx.pagerank(graph, alpha=DAMPING, tol=L1_TOL / n, max_iter=MAX_ITER)

    def collect(self, result: Any, n: int) -> Ranked:
        # nodes were added as 0..n-1, and the dict keeps that order
        return Ranked(np.fromiter(result.values(), dtype=np.float64, count=n))


CONTESTANT_TYPES: dict[str, type[Contestant]] = {
    kind.name: kind for kind in (Ours, Igraph, Networkit, NetworkitOneThread, Sknetwork, Networkx)
}


def run_child(name: str, graph: GraphFiles, scores_path: Path) -> dict[str, Any]:
    """In the child process: load the arrays, build, rank, measure; save the scores."""
    contestant = CONTESTANT_TYPES[name]()
    warm_up_s = 0.0
    for warm_src, warm_dst, warm_n in contestant.warm_up_graphs():
        start = time.perf_counter()
        contestant.collect(
            contestant.rank(contestant.build(warm_src, warm_dst, warm_n), warm_n), warm_n
        )
        warm_up_s += time.perf_counter() - start
    contestant.reset()
    src, dst = graph.load()
    gc.collect()
    rss_before = _rss_bytes()
    start = time.perf_counter()
    built = contestant.build(src, dst, graph.n_nodes)
    build_s = time.perf_counter() - start
    gc.collect()
    graph_bytes = _rss_bytes() - rss_before
    build_high_water = _high_water_bytes()
    has_high_water = _reset_high_water()
    start = time.perf_counter()
    result = contestant.rank(built, graph.n_nodes)
    rank_s = time.perf_counter() - start
    rank_high_water = _high_water_bytes() if has_high_water else None
    ranked = contestant.collect(result, graph.n_nodes)
    del result
    figures: dict[str, Any] = {
        "warm_up_s": warm_up_s,
        "build_s": build_s,
        "rank_s": rank_s,
        "iterations": ranked.iterations,
        "is_estimated_iterations": False,
        "ms_per_iteration": rank_s * 1e3 / ranked.iterations if ranked.iterations else None,
        "rss_before_build_bytes": rss_before,
        "graph_bytes": graph_bytes,
        "rank_high_water_bytes": rank_high_water,
    }
    figures |= contestant.measure_more(built, rank_s, ranked)
    # ru_maxrss survives exec on Linux, so it holds the parent's peak too; VmHWM is
    # this program's own (reset once, after the build).
    figures["ru_maxrss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    figures["peak_rss_bytes"] = max(build_high_water, _high_water_bytes())
    np.save(scores_path, ranked.scores)
    return figures


# -- the machine -------------------------------------------------------------------------------


def measure_bandwidth(mib: int, *, repeat: int = 5) -> dict[str, float]:
    """Return the sustained bandwidth in GB/s: read (sum) on one and two threads, copy, triad.

    The read test sums one array of *mib* MiB (in two halves on two threads:
    NumPy lets go of the GIL); copy and triad use three arrays of half that,
    best of *repeat* each. Triad ``a = b + s * c`` counts 24 bytes an element, as STREAM
    does, though NumPy makes two passes of it (so it reads low).
    """
    n = mib * 2**20 // 8
    b = np.random.default_rng(0).random(n)
    best_read = min(_timed(lambda: float(b.sum())) for _ in range(repeat))
    read = b.nbytes / best_read / 1e9
    halves = (b[: n // 2], b[n // 2 :])
    with ThreadPoolExecutor(2) as pool:
        best_read_2t = min(_timed(lambda: list(pool.map(np.sum, halves))) for _ in range(repeat))
    half = n // 2
    b = b[:half].copy()
    c = np.ones(half)
    a = np.empty(half)
    best_copy = min(_timed(lambda: np.copyto(a, b)) for _ in range(repeat))

    def triad() -> None:
        np.multiply(c, 3.0, out=a)
        np.add(a, b, out=a)

    best_triad = min(_timed(triad) for _ in range(repeat))
    return {
        "array_mib": mib,
        "read_gbs": read,
        "read_2_threads_gbs": b.nbytes / best_read_2t / 1e9,
        "copy_gbs": 2 * a.nbytes / best_copy / 1e9,
        "triad_gbs": 3 * a.nbytes / best_triad / 1e9,
    }


def save_rows(out: Path, bench: str, rows: list[dict[str, Any]]) -> Path:
    """Write a benchmark's rows, one per graph, to ``out/<bench>-<graphs>.json``; return the path.

    For the benchmarks that reuse these graphs (bench_rounds, bench_influence).
    """
    label = "-".join(row["graph"] for row in rows) or "none"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{bench}-{label}.json"
    path.write_text(json.dumps({"python": platform.python_version(), "rows": rows}, indent=2))
    return path


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bandwidth_bound(
    n_nodes: int, n_edges: int, layout: dict[str, Any], read_gbs: float
) -> dict[str, float]:
    """Return the least bytes one PageRank round moves, and that in ms at *read_gbs*.

    Per edge gathered a source id and a weight if one is stored, per row
    gathered an indptr entry, the previous score read once and the new one
    written once (8 bytes each); the rows and edges are all of them unless
    *layout* says a round gathers fewer (``rows_gathered``, ``edges_gathered``).
    The gather model reads the previous score once per edge, the line-gather
    model a whole cache line per edge (every gather a miss).
    """
    rows = layout.get("rows_gathered", n_nodes)
    edges = layout.get("edges_gathered", n_edges)
    per_edge = layout["index_bytes"] + layout["value_bytes"]
    per_node = layout["indptr_bytes"] + 8 + 8
    least = edges * per_edge + rows * per_node
    gather = least + edges * 8
    line_gather = least + edges * CACHE_LINE_BYTES
    return {
        "rows": rows,
        "edges": edges,
        "all_rows": n_nodes,
        "all_edges": n_edges,
        "bytes": least,
        "ms": least / (read_gbs * 1e9) * 1e3,
        "gather_bytes": gather,
        "gather_ms": gather / (read_gbs * 1e9) * 1e3,
        "line_gather_bytes": line_gather,
        "line_gather_ms": line_gather / (read_gbs * 1e9) * 1e3,
    }


def _read_gbs(bandwidth: dict[str, float]) -> float:
    """The read bandwidth the bound uses: the better of one and two threads (ours uses both)."""
    return max(bandwidth["read_gbs"], bandwidth["read_2_threads_gbs"])


def _last_level_cache_bytes() -> int:
    """Size of the largest CPU cache, from sysfs (0 when unknown)."""
    sizes = [0]
    for path in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = path.read_text().strip()
        scale = {"K": 2**10, "M": 2**20}.get(text[-1:], 1)
        sizes.append(int(text.rstrip("KM")) * scale)
    return max(sizes)


def _memory_available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def versions() -> dict[str, str]:
    """Return the versions, the commit and the machine the figures were measured with."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "igraph", "networkit", "scikit-network", "networkx"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603 - our own command line
        [git, "describe", "--always", "--dirty", "--abbrev=7"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    found["commit"] = commit.stdout.strip() or "unknown"
    changed = subprocess.run(  # noqa: S603 - our own command line
        [git, "status", "--porcelain", "--", "src/linkequity/graph"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if changed.stdout.strip():
        found["graph/ uncommitted"] = " ".join(line[3:] for line in changed.stdout.splitlines())
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    found["cpu"] = f"{os.cpu_count()} x {model.partition(':')[2].strip()}"
    found["last-level cache"] = f"{_last_level_cache_bytes() / 2**20:.0f} MiB"
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    found["memory"] = f"{pages / 2**30:.1f} GiB"
    return found


def _load() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


# -- the parent: graphs, children, tables ------------------------------------------------------


def spawn(name: str, graph: GraphFiles, scores_path: Path, *, timeout_s: float) -> dict[str, Any]:
    """Run one contestant on one graph in a fresh interpreter; return its figures."""
    result_path = scores_path.with_suffix(".json")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
        "--graph-dir",
        str(graph.sources.parent),
        "--scores",
        str(scores_path),
        "--result",
        str(result_path),
    ]
    start = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, timeout=timeout_s, check=False, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"no answer within {timeout_s:.0f} s"}
    if done.returncode != 0 or not result_path.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"failed": f"exit {done.returncode}: " + " | ".join(tail)}
    figures: dict[str, Any] = json.loads(result_path.read_text())
    figures["wall_s"] = time.perf_counter() - start
    figures["total_s"] = figures["build_s"] + figures["rank_s"]
    return figures


def _per_edge(row: dict[str, Any], key: str, n_edges: int) -> float | None:
    value = row.get(key)
    if value is None or not n_edges:
        return None
    if key == "rank_high_water_bytes":
        value -= row["rss_before_build_bytes"]
    return float(value) / n_edges


def skip_reason(
    name: str, graph: GraphFiles, measured: list[tuple[GraphFiles, dict[str, Any]]], args: Any
) -> str | None:
    """Say why *name* should not run on *graph*: too many edges for networkx, or too little RAM."""
    if name == "networkx" and graph.n_edges > args.networkx_max_edges:
        return f"{graph.n_edges:,} edges > --networkx-max-edges {args.networkx_max_edges:,}"
    per_edge = float(PEAK_BYTES_PER_EDGE[name])
    for earlier, rows in measured:
        row = rows.get(name, {})
        if earlier.n_edges >= 1_000_000 and "peak_rss_bytes" in row:
            above = row["peak_rss_bytes"] - row["rss_before_build_bytes"]
            per_edge = max(per_edge, above / earlier.n_edges)
    need = 300 * 2**20 + graph.n_edges * (16 + per_edge)
    available = _memory_available_bytes()
    if available and need > 0.8 * available:
        return (
            f"needs about {need / 2**30:.1f} GiB, {available / 2**30:.1f} GiB available "
            "(shared machine)"
        )
    return None


def estimate_from(
    name: str, graph: GraphFiles, measured: list[tuple[GraphFiles, dict[str, Any]]]
) -> dict[str, Any] | None:
    """Scale *name*'s figures per edge from the largest graph it ranked in this run."""
    ran = [(g, rows[name]) for g, rows in measured if "build_s" in rows.get(name, {})]
    if not ran:
        return None
    base, row = max(ran, key=lambda pair: pair[0].n_edges)
    scale = graph.n_edges / base.n_edges
    above = row["peak_rss_bytes"] - row["rss_before_build_bytes"]
    return {
        "from": base.name,
        "from_edges": base.n_edges,
        "build_s": row["build_s"] * scale,
        "rank_s": row["rank_s"] * scale,
        "peak_rss_bytes": row["rss_before_build_bytes"] + above * scale,
    }


def goals(graph: GraphFiles, rows: dict[str, Any], bandwidth: dict[str, float]) -> dict[str, Any]:
    """Compare ours with the fastest peer, the bytes-per-edge budget and the bandwidth bound."""
    ours = rows.get("linkequity", {})
    if "total_s" not in ours:
        return {}
    found: dict[str, Any] = {}
    ran = {name: row for name, row in rows.items() if name != "linkequity" and "total_s" in row}
    same = {name: row for name, row in ran.items() if row.get("l1_vs_ours", 1.0) < SAME_VECTOR_L1}
    for key, peers in (("speedup", ran), ("speedup_same_vector", same)):
        if peers:
            fastest = min(peers, key=lambda name: peers[name]["total_s"])
            speedup = peers[fastest]["total_s"] / ours["total_s"]
            found[key] = {
                "fastest_peer": fastest,
                "peer_total_s": peers[fastest]["total_s"],
                "ratio": speedup,
                "is_met": speedup >= GOAL_SPEEDUP,
            }
    resident = _per_edge(ours, "graph_bytes", graph.n_edges)
    if resident is not None:
        found["bytes_per_edge"] = {
            "resident": resident,
            "exact_matrix": ours["matrix_bytes"] / max(graph.n_edges, 1),
            "layout": ours["layout"],
            "is_too_small": graph.n_edges < RSS_MIN_EDGES,
            "rank_high_water": _per_edge(ours, "rank_high_water_bytes", graph.n_edges),
            "is_met": resident <= GOAL_BYTES_PER_EDGE,
        }
    if ours.get("ms_per_iteration"):
        bound = bandwidth_bound(graph.n_nodes, graph.n_edges, ours, _read_gbs(bandwidth))
        ratio = ours["ms_per_iteration"] / bound["ms"]
        fits_in_cache = bound["bytes"] <= _last_level_cache_bytes()
        found["bandwidth"] = bound | {
            "ms_per_iteration": ours["ms_per_iteration"],
            "fits_in_cache": fits_in_cache,
            "ratio": ratio,
            "gather_ratio": ours["ms_per_iteration"] / bound["gather_ms"],
            "line_gather_ratio": ours["ms_per_iteration"] / bound["line_gather_ms"],
            "is_met": ratio <= GOAL_BOUND_RATIO,
        }
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build or load the graphs, measure the machine, run every contestant on every graph."""
    found = versions()
    found["load 1/5/15 min before"] = _load()
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    graphs = [generated_graph(size, seed=args.seed, cache=args.cache) for size in args.sizes]
    readers = {"hollins": hollins_graph, "uk1996": uk1996_graph}
    for name in args.real:
        real = readers[name](cache=args.cache)
        if real is None:
            notes.append(f"{name}: not found under {GRAPHS}, not measured")
        else:
            graphs.append(real)
    graphs.sort(key=lambda graph: graph.n_edges)  # estimates scale up from smaller runs
    bandwidth = measure_bandwidth(args.bandwidth_mib)
    print(
        f"  bandwidth: read {bandwidth['read_gbs']:.1f} GB/s "
        f"({bandwidth['read_2_threads_gbs']:.1f} on 2 threads), copy {bandwidth['copy_gbs']:.1f}, "
        f"triad {bandwidth['triad_gbs']:.1f}",
        flush=True,
    )
    measured: list[tuple[GraphFiles, dict[str, Any]]] = []
    tables = []
    with tempfile.TemporaryDirectory(dir=args.out, prefix="scores-") as scratch:
        for graph in graphs:
            rows: dict[str, Any] = {}
            ours_scores: npt.NDArray[np.float64] | None = None
            for name in args.contestants:
                reason = skip_reason(name, graph, measured, args)
                if reason:
                    rows[name] = {
                        "skipped": reason,
                        "estimate": estimate_from(name, graph, measured),
                    }
                    print(f"  {graph.name} {name}: skipped, {reason}", flush=True)
                    continue
                scores_path = Path(scratch) / f"{name}.npy"
                best: dict[str, Any] | None = None
                for _ in range(args.repeat):
                    row = spawn(name, graph, scores_path, timeout_s=args.timeout_s)
                    if best is None or row.get("total_s", np.inf) < best.get("total_s", np.inf):
                        best = row
                assert best is not None
                if "total_s" in best:
                    scores = np.load(scores_path)
                    scores = scores / scores.sum()
                    if name == "linkequity":
                        ours_scores = scores
                    if ours_scores is not None:
                        best["l1_vs_ours"] = float(np.abs(scores - ours_scores).sum())
                    scores_path.unlink()
                    print(
                        f"  {graph.name} {name}: build {best['build_s']:.2f} s, "
                        f"rank {best['rank_s']:.2f} s",
                        flush=True,
                    )
                else:
                    print(f"  {graph.name} {name}: {best['failed']}", flush=True)
                rows[name] = best
            measured.append((graph, rows))
            tables.append({"graph": _graph_figures(graph), "rows": rows})
    for table, (graph, rows) in zip(tables, measured, strict=True):
        table["goals"] = goals(graph, rows, bandwidth)
    found["load 1/5/15 min after"] = _load()
    return {
        "damping": DAMPING,
        "l1_tol": L1_TOL,
        "repeat": args.repeat,
        "versions": found,
        "bandwidth": bandwidth,
        "notes": notes,
        "graphs": tables,
    }


def _graph_figures(graph: GraphFiles) -> dict[str, Any]:
    figures = asdict(graph)
    figures["sources"] = str(graph.sources)
    figures["targets"] = str(graph.targets)
    return figures


def _cell(value: float | None, width: int, digits: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def render(figures: dict[str, Any]) -> str:
    """Return one table per graph, the ratios against each peer and the goal lines."""
    found, bandwidth = figures["versions"], figures["bandwidth"]
    lines = [
        ", ".join(f"{name} {value}" for name, value in found.items()),
        f"damping {figures['damping']}, L1 tolerance {figures['l1_tol']:g}, "
        f"best of {figures['repeat']}; sustained bandwidth: read {bandwidth['read_gbs']:.1f} "
        f"GB/s (2 threads {bandwidth['read_2_threads_gbs']:.1f}), "
        f"copy {bandwidth['copy_gbs']:.1f}, "
        f"triad {bandwidth['triad_gbs']:.1f} (NumPy, {bandwidth['array_mib']} MiB)",
    ]
    header = (
        f"{'':12}{'build s':>9}{'rank s':>9}{'total s':>9}{'iters':>7}{'ms/iter':>9}"
        f"{'peak MiB':>10}{'B/edge':>8}{'rank B/e':>9}{'L1 vs ours':>12}"
    )
    for table in figures["graphs"]:
        graph, rows = table["graph"], table["rows"]
        lines += [
            "",
            f"{graph['name']}: {graph['n_nodes']:,} nodes, {graph['n_edges']:,} edges, "
            f"{graph['n_dangling']:,} dangling; {graph['origin']}",
            header,
        ]
        for name, row in rows.items():
            if "total_s" not in row:
                lines.append(f"{name:12}{row.get('skipped') or row.get('failed')}")
                estimate = row.get("estimate")
                if estimate:
                    lines.append(
                        f"{'':12}estimate from {estimate['from']} "
                        f"({estimate['from_edges']:,} edges): build ~{estimate['build_s']:.0f} s, "
                        f"rank ~{estimate['rank_s']:.0f} s, "
                        f"peak ~{estimate['peak_rss_bytes'] / 2**30:.1f} GiB"
                    )
                continue
            iterations = row["iterations"]
            iters = "-" if iterations is None else str(iterations)
            if row.get("is_estimated_iterations"):
                iters = "~" + iters
            l1 = row.get("l1_vs_ours")
            lines.append(
                f"{name:12}{row['build_s']:>9.3f}{row['rank_s']:>9.3f}{row['total_s']:>9.3f}"
                f"{iters:>7}{_cell(row.get('ms_per_iteration'), 9, 2)}"
                f"{row['peak_rss_bytes'] / 2**20:>10.0f}"
                f"{_cell(_per_edge(row, 'graph_bytes', graph['n_edges']), 8, 1)}"
                f"{_cell(_per_edge(row, 'rank_high_water_bytes', graph['n_edges']), 9, 1)}"
                f"{'-' if l1 is None else f'{l1:.1e}':>12}"
            )
        warm_ups = [
            f"{name} {row['warm_up_s']:.3f}" for name, row in rows.items() if "warm_up_s" in row
        ]
        lines.append("warm-up build+rank before the timing, s: " + ", ".join(warm_ups))
        ours = rows.get("linkequity", {})
        if "set_up_s" in ours and ours.get("iterations"):
            rounds_s = ours["iterations"] * ours["ms_per_iteration"] / 1e3
            lines.append(
                f"ours' rank: set-up {ours['set_up_s']:.3f} s (one call cut at 1 round, less "
                f"a round) + {ours['iterations']} rounds x {ours['ms_per_iteration']:.2f} ms "
                f"= {ours['set_up_s'] + rounds_s:.3f} s, against {ours['rank_s']:.3f} s timed"
            )
        for name, row in rows.items():
            if name != "linkequity" and "total_s" in row and "total_s" in ours:
                lines.append(
                    f"ours vs {name}: total time {row['total_s'] / ours['total_s']:.2f}x, "
                    f"rank {row['rank_s'] / ours['rank_s']:.2f}x"
                )
        lines += _goal_lines(table["goals"], bandwidth)
    lines += [
        "",
        "B/edge: RSS the built graph adds, per edge; rank B/e: high-water RSS while ranking "
        "above the RSS before the build, per edge; peak MiB: whole child process",
        "ratios: the peer's seconds over ours (higher is better for linkequity); ~: rounds "
        "estimated from the time of a round",
        *figures["notes"],
    ]
    return "\n".join(lines)


def _verdict(is_met: bool) -> str:
    return "PASS" if is_met else "FAIL"


def _goal_lines(found: dict[str, Any], bandwidth: dict[str, float]) -> list[str]:
    lines = []
    for key, which in (
        ("speedup", "the fastest peer"),
        ("speedup_same_vector", f"the fastest peer ranking our vector (L1 < {SAME_VECTOR_L1:g})"),
    ):
        speedup = found.get(key)
        if speedup:
            lines.append(
                f"goal build+rank >= {GOAL_SPEEDUP:g}x {which} ({speedup['fastest_peer']}, "
                f"{speedup['peer_total_s']:.3f} s): {speedup['ratio']:.2f}x  "
                f"{_verdict(speedup['is_met'])}"
            )
    size = found.get("bytes_per_edge")
    if size:
        high_water = size["rank_high_water"]
        lines.append(
            f"goal <= {GOAL_BYTES_PER_EDGE:g} B/edge resident: {size['resident']:.1f} B/edge "
            f"after the build ({size['layout']} arrays {size['exact_matrix']:.1f}; while ranking "
            f"{'-' if high_water is None else f'{high_water:.1f}'})  "
            + (
                f"n/a under {RSS_MIN_EDGES:,} edges: allocator noise"
                if size["is_too_small"]
                else _verdict(size["is_met"])
            )
        )
    bound = found.get("bandwidth")
    if bound:
        gbs = _read_gbs(bandwidth)
        if bound["rows"] < bound["all_rows"]:
            lines.append(
                f"a round gathers {bound['rows']:,} rows of {bound['all_rows']:,} and "
                f"{bound['edges']:,} edges of {bound['all_edges']:,} (dangling nodes' rows skipped)"
            )
        lines += [
            f"bandwidth bound of a round at {gbs:.1f} GB/s: scores read once per node "
            f"{bound['bytes'] / 1e6:.0f} MB = {bound['ms']:.2f} ms; 8 B gathered per edge "
            f"{bound['gather_bytes'] / 1e6:.0f} MB = {bound['gather_ms']:.2f} ms; a "
            f"{CACHE_LINE_BYTES}-B line per edge {bound['line_gather_bytes'] / 1e6:.0f} MB = "
            f"{bound['line_gather_ms']:.2f} ms",
            f"goal within {GOAL_BOUND_RATIO:g}x the bandwidth bound (scores read once per node): "
            f"ours {bound['ms_per_iteration']:.2f} ms a round = {bound['ratio']:.2f}x "
            f"({bound['gather_ratio']:.2f}x the 8-B gather bound, "
            f"{bound['line_gather_ratio']:.2f}x the line bound)  "
            + (
                "n/a: a round's data fits in the cache"
                if bound["fits_in_cache"]
                else _verdict(bound["is_met"])
            ),
        ]
    return lines


def _names(text: str, allowed: tuple[str, ...]) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip() and name.strip() != "none"]
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {allowed}")
    return names


def _sizes(text: str) -> list[str]:
    sizes = [size.strip() for size in text.split(",") if size.strip() not in ("", "none")]
    for size in sizes:
        parse_size(size)
    return sizes


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="one contestant on one graph (internal)")
    parser.add_argument("--child", choices=CONTESTANTS, required=True)
    parser.add_argument("--graph-dir", type=Path, required=True)
    parser.add_argument("--scores", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    figures = run_child(args.child, _files(args.graph_dir), args.scores)
    args.result.write_text(json.dumps(figures))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child_main(argv)
        return {}
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="generated graphs, nodes with 10 edges each: 100k, 1m, 5m (default 1m)",
    )
    parser.add_argument(
        "--real",
        type=lambda text: _names(text, REAL_GRAPHS),
        default=list(REAL_GRAPHS),
        help="real graphs: hollins,uk1996 (default both; none for neither)",
    )
    parser.add_argument(
        "--peers",
        type=lambda text: _names(text, PEERS),
        default=list(PEERS),
        help="peers to run besides linkequity (default all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="100k nodes and the real graphs, in under a minute"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated graphs")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument(
        "--networkx-max-edges",
        type=int,
        default=None,
        help="skip networkx above this many edges (default 2M, 500k with --quick)",
    )
    parser.add_argument(
        "--bandwidth-mib", type=int, default=1024, help="size of the bandwidth probe's array"
    )
    parser.add_argument("--timeout-s", type=float, default=3600, help="per contestant and graph")
    parser.add_argument(
        "--cache", type=Path, default=None, help="cached edge arrays (default OUT/graphs)"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = ["100k"] if args.quick else ["1m"]
    if args.networkx_max_edges is None:
        args.networkx_max_edges = 500_000 if args.quick else 2_000_000
    args.contestants = ["linkequity", *args.peers]
    args.cache = args.cache or args.out / "graphs"
    figures = run(args)
    print(render(figures))
    label = "-".join([*args.sizes, *args.real]) or "none"
    (args.out / f"bench_graph-{label}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
