"""A PageRank round as shipped against the same round without its segments, or on one thread.

Usage::

    python benchmarks/bench_rounds.py                  # 5M / 50M and the two real graphs
    python benchmarks/bench_rounds.py --sizes 1m,5m    # more generated graphs
    python benchmarks/bench_rounds.py --sizes none     # the real graphs only, seconds

Graphs are those of ``bench_graph.py`` (the same generator and cache under
``benchmarks/out/graphs/``): power-law graphs of ten edges a node with random
node ids, hollins and the UK 1996 host graph, unweighted.

Two choices of graph/_kernels.py are measured by undoing each in turn, in
the same process, on the same arrays:

* ``shipped``: the kernels as they are.
* ``one pass``: ``SEGMENT_NODES`` set to the graph's size, so that a round
  gathers every source at once (above 1M nodes the shipped round gathers one
  8 MiB segment of sources at a time, to keep them in the last-level cache).
* ``one thread``: ``_PARALLEL_ROUNDS_FROM`` above the graph's edges, so that
  the rounds run on one thread (shipped, they use every core from 10k edges).

A setting's time of a round is that of ``1 + --rounds`` rounds less that of
one round (``tol=0``: no early stop), each the best of ``--repeat``, the settings
taking turns so that a noisy neighbour hits them alike. Every setting must
rank the same vector: the L1 distance from the shipped scores after
``--rounds`` rounds is printed and must stay below 1e-12. Ratios are a
setting's ms over the shipped ms (higher: the shipped choice pays). Figures
go to stdout and to ``benchmarks/out/bench_rounds-<graphs>.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bench_graph import (
    OUT,
    GraphFiles,
    generated_graph,
    hollins_graph,
    save_rows,
    uk1996_graph,
)
from linkequity.graph import LinkGraph, _kernels

if TYPE_CHECKING:
    from collections.abc import Iterator

DAMPING = 0.85
SETTINGS = ("shipped", "one pass", "one thread")
#: The settings rank alike to rounding: the L1 distance allowed between their vectors.
SAME_VECTOR_L1 = 1e-12


@contextmanager
def setting(name: str, graph: LinkGraph) -> Iterator[None]:
    """Undo one choice of the kernels for the duration of the block."""
    saved = _kernels.SEGMENT_NODES, _kernels._PARALLEL_ROUNDS_FROM
    if name == "one pass":
        _kernels.SEGMENT_NODES = max(graph.n_nodes, 1)
    elif name == "one thread":
        _kernels._PARALLEL_ROUNDS_FROM = graph.n_edges + 1
    try:
        yield
    finally:
        _kernels.SEGMENT_NODES, _kernels._PARALLEL_ROUNDS_FROM = saved


def run_rounds(graph: LinkGraph, rounds: int) -> tuple[float, npt.NDArray[np.float64]]:
    """Run *rounds* rounds from the uniform vector; return their seconds and the scores."""
    out_weight = graph.out_weight()
    inverse_out = np.divide(1.0, out_weight, out=np.zeros(graph.n_nodes), where=out_weight > 0)
    start_x = np.full(graph.n_nodes, 1.0 / graph.n_nodes)
    empty = np.zeros(0)
    start = time.perf_counter()
    scores, _, _ = _kernels.pagerank_rounds(
        graph.in_indptr,
        graph.in_indices,
        empty,
        inverse_out,
        empty,
        empty,
        DAMPING,
        start_x,
        0.0,
        rounds,
    )
    return time.perf_counter() - start, scores


def measure(files: GraphFiles, rounds: int, repeat: int) -> dict[str, Any]:
    """Time a round of each setting on one graph; check that they rank alike."""
    src, dst = files.load()
    graph = LinkGraph.from_arrays(src, dst, files.n_nodes)
    del src, dst
    # The best of each run length, not of their difference: one slow short run
    # would make the best difference small, or negative.
    best_one = dict.fromkeys(SETTINGS, np.inf)
    best_more = dict.fromkeys(SETTINGS, np.inf)
    scores: dict[str, npt.NDArray[np.float64]] = {}
    for name in SETTINGS:  # compiles nothing new, but touches every page once
        with setting(name, graph):
            run_rounds(graph, 1)
    for _ in range(repeat):
        for name in SETTINGS:
            with setting(name, graph):
                one, _ = run_rounds(graph, 1)
                more, scores[name] = run_rounds(graph, 1 + rounds)
            best_one[name] = min(best_one[name], one)
            best_more[name] = min(best_more[name], more)
    best = {name: (best_more[name] - best_one[name]) / rounds for name in SETTINGS}
    shipped = best["shipped"]
    if not shipped > 0:
        raise SystemExit(f"{files.name}: a round is too quick to time in {rounds}: raise --rounds")
    row: dict[str, Any] = {
        "graph": files.name,
        "n_nodes": files.n_nodes,
        "n_edges": files.n_edges,
        "segments": -(-files.n_nodes // _kernels.SEGMENT_NODES),
    }
    for name in SETTINGS:
        row[name] = {
            "ms_per_round": best[name] * 1e3,
            "ratio_to_shipped": best[name] / shipped,
            "l1_vs_shipped": float(np.abs(scores[name] - scores["shipped"]).sum()),
        }
    return row


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'graph':<10}{'nodes':>12}{'edges':>13}{'segments':>10}"
        + "".join(f"{name + ' ms':>15}" for name in SETTINGS)
        + f"{'one pass / shipped':>20}{'one thread / shipped':>22}{'max L1':>10}"
    ]
    for row in rows:
        worst = max(row[name]["l1_vs_shipped"] for name in SETTINGS)
        lines.append(
            f"{row['graph']:<10}{row['n_nodes']:>12,}{row['n_edges']:>13,}{row['segments']:>10}"
            + "".join(f"{row[name]['ms_per_round']:>15.3f}" for name in SETTINGS)
            + f"{row['one pass']['ratio_to_shipped']:>19.2f}x"
            + f"{row['one thread']['ratio_to_shipped']:>21.2f}x"
            + f"{worst:>10.1e}"
        )
    return "\n".join(lines)


def graphs_for(args: argparse.Namespace) -> list[GraphFiles]:
    cache = args.out / "graphs"
    found: list[GraphFiles | None] = []
    if "hollins" in args.real.split(","):
        found.append(hollins_graph(cache=cache))
    if "uk1996" in args.real.split(","):
        found.append(uk1996_graph(cache=cache))
    if args.sizes != "none":
        found.extend(
            generated_graph(size, seed=args.seed, cache=cache) for size in args.sizes.split(",")
        )
    return [files for files in found if files is not None]


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5m", help="generated graphs (default 5m; none)")
    parser.add_argument(
        "--real", default="hollins,uk1996", help="real graphs: hollins,uk1996 (default; none)"
    )
    parser.add_argument("--rounds", type=int, default=20, help="rounds timed a run (default 20)")
    parser.add_argument("--repeat", type=int, default=5, help="runs a setting; the best counts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated graphs")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rows = []
    for files in graphs_for(args):
        print(f"  {files.name}: {files.n_nodes:,} nodes, {files.n_edges:,} edges", flush=True)
        rows.append(measure(files, args.rounds, args.repeat))
    print(render(rows))
    for row in rows:
        for name in SETTINGS:
            if not row[name]["l1_vs_shipped"] < SAME_VECTOR_L1:
                raise SystemExit(f"{row['graph']}: {name} ranks another vector than shipped")
    save_rows(args.out, "bench_rounds", rows)
    return rows


if __name__ == "__main__":
    main()
