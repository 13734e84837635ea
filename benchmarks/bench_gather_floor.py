"""How near a PageRank round can come to the bandwidth bound when every gather hits the cache.

Usage::

    python benchmarks/bench_gather_floor.py                  # 1M / 10M and 5M / 50M
    python benchmarks/bench_gather_floor.py --sizes 100k     # seconds

bench_graph prints three models of the bandwidth bound of a round: the bytes
a round must move (each score read once), 8 more bytes per edge gathered,
and a 64-byte cache line per edge gathered. This script asks which of them a
pull round can reach at all on this machine, whatever the cache does.

On the graphs of ``bench_graph.py`` (same generator and cache), it times a
round that gathers over exactly the rows and edges the shipped round
gathers (the rows of nodes with out-links), in parallel, with every source id
masked to ``2**k - 1``, so that the gathered vector is 32 KiB (L1), 512 KiB
(L2), 8 MiB (L3) or the whole score vector ("real ids"). Masked, every gather
is a cache hit and the round's cost is its computation and its streaming of
the index arrays; the first column is therefore a floor under any pull round
written this way. Each round is the best of ``--repeat``, the masks taking
turns. Ratios are the round's ms over each model's ms at the read bandwidth
bench_graph measures (higher: further from the bound). Figures go to stdout
and to ``benchmarks/out/bench_gather_floor-<graphs>.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np

from bench_graph import (
    OUT,
    _read_gbs,
    bandwidth_bound,
    generated_graph,
    measure_bandwidth,
    save_rows,
)
from linkequity.graph import LinkGraph

#: The gathered vector's size by cache level: ids masked to this many bits.
MASKS = {"L1": 12, "L2": 16, "L3": 20, "real ids": 31}
MODELS = {"first": "ms", "8-B gather": "gather_ms", "line": "line_gather_ms"}
DAMPING = 0.85


@numba.njit(parallel=True, nogil=True, cache=True)
def masked_round(
    indptr: Any, indices: Any, rows: Any, passed: Any, out: Any, mask: int
) -> None:  # pragma: no cover - compiled; run through time_round
    """One pull round over ``rows``, each source id cut to ``mask`` (0x7FFFFFFF: all of them)."""
    teleport = (1.0 - DAMPING) / out.size
    for t in numba.prange(rows.size):
        i = rows[t]
        gathered = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            gathered += passed[indices[k] & mask]
        out[i] = teleport + DAMPING * gathered


def time_round(graph: LinkGraph, rows: Any, mask: int) -> float:
    passed = np.full(graph.n_nodes, 1.0 / graph.n_nodes)
    out = np.zeros(graph.n_nodes)
    start = time.perf_counter()
    masked_round(graph.in_indptr, graph.in_indices, rows, passed, out, mask)
    return time.perf_counter() - start


def measure(size: str, seed: int, out: Path, repeat: int, read_gbs: float) -> dict[str, Any]:
    """Time the masked rounds on one generated graph; compare each with the three models."""
    files = generated_graph(size, seed=seed, cache=out / "graphs")
    sources, targets = files.load()
    graph = LinkGraph.from_arrays(sources, targets, files.n_nodes)
    del sources, targets
    rows = np.flatnonzero(graph.out_weight() > 0).astype(np.int32)
    edges = int(np.sum(graph.in_indptr[rows + 1] - graph.in_indptr[rows]))
    layout = {
        "index_bytes": graph.in_indices.itemsize,
        "value_bytes": 0,
        "indptr_bytes": graph.in_indptr.itemsize,
        "rows_gathered": rows.size,
        "edges_gathered": edges,
    }
    bound = bandwidth_bound(graph.n_nodes, graph.n_edges, layout, read_gbs)
    best = dict.fromkeys(MASKS, np.inf)
    for bits in MASKS.values():  # compile, and touch every page once
        time_round(graph, rows, (1 << bits) - 1)
    for _ in range(repeat):
        for level, bits in MASKS.items():
            best[level] = min(best[level], time_round(graph, rows, (1 << bits) - 1))
    return {
        "graph": files.name,
        "n_nodes": files.n_nodes,
        "rows_gathered": rows.size,
        "edges_gathered": edges,
        "bound_ms": {model: bound[key] for model, key in MODELS.items()},
        "round_ms": {level: seconds * 1e3 for level, seconds in best.items()},
        "ratio": {
            level: {model: seconds * 1e3 / bound[key] for model, key in MODELS.items()}
            for level, seconds in best.items()
        },
    }


def render(rows: list[dict[str, Any]], read_gbs: float, threads: int) -> str:
    lines = [
        f"read bandwidth {read_gbs:.1f} GB/s, {threads} threads; a round's ms, and its ratio "
        "to the first / 8-B gather / line model"
    ]
    for row in rows:
        bounds = " / ".join(f"{ms:.2f}" for ms in row["bound_ms"].values())
        lines.append(
            f"{row['graph']}: {row['rows_gathered']:,} rows, {row['edges_gathered']:,} edges "
            f"gathered; bounds {bounds} ms"
        )
        for level, ms in row["round_ms"].items():
            ratios = " / ".join(f"{ratio:.2f}x" for ratio in row["ratio"][level].values())
            lines.append(f"  gathers within {level:<9}{ms:>10.2f} ms   {ratios}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,5m", help="generated graphs (default 1m,5m)")
    parser.add_argument("--repeat", type=int, default=7, help="rounds a mask; the best counts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated graphs")
    parser.add_argument("--bandwidth-mib", type=int, default=256, help="array of the read test")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    read_gbs = _read_gbs(measure_bandwidth(args.bandwidth_mib))
    rows = [
        measure(size, args.seed, args.out, args.repeat, read_gbs) for size in args.sizes.split(",")
    ]
    print(render(rows, read_gbs, numba.get_num_threads()))
    print(f"figures: {save_rows(args.out, 'bench_gather_floor', rows)}")
    return rows


if __name__ == "__main__":
    main()
