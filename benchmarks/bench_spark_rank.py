"""PageRank on Spark against graph/ and networkx on the same edges, and Spark from 1x to 8x.

Usage::

    python benchmarks/bench_spark_rank.py [--pages 280] [--sites 14] [--copies 1,2,4,8]
        [--master local[2]] [--tol 1e-10] [--repeat 1] [--out DIR]

The input is built first, outside any timing: for each k in *copies*, the
sample webs of seeds 1..k (*pages* pages each) written as WARC files, ingested
by the local engine into one project and exported as the links Parquet tables
(the layout ``linkequity spark extract`` writes). Then, for each k, in the same
run and on the same followed links of that Parquet dataset:

* ``graph/``: ``LinkGraph.from_arrays`` of the link columns and
  ``graph.pagerank`` (the local engine of ``linkequity rank``);
* ``networkx``: ``networkx.pagerank`` of a ``DiGraph`` of the same edges,
  the library a Python user would otherwise pick (same damping, and its
  tolerance set so that it stops at the same L1 change);
* ``spark``: ``spark.rank.level_graph`` and ``spark.pagerank.spark_pagerank``
  on *master* (``local[2]`` by default), with the graph read from the Parquet
  files; the SparkSession starts once, before any timing.

Before the figures, a warm-up compiles graph/'s Numba kernels and runs a
Spark PageRank of a few rounds (the JVM's first jobs are several times slower).

Every engine's scores are checked against graph/'s (max abs diff printed). Each
repeat runs all three once per k; the best repeat counts. Printed: seconds,
rounds and seconds per Spark round, the ratios, and Spark's scaling curve (its
time at k over its time at 1x). Figures go to stdout and
``benchmarks/out/bench_spark_rank-<pages>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from linkequity.graph import LinkGraph, pagerank_report
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.exchange import export_parquet
from linkequity.services.ingest import ingest_archives
from linkequity.spark.pagerank import spark_pagerank
from linkequity.spark.rank import level_graph, read_ranked_links
from linkequity.spark.session import spark_session

OUT = Path(__file__).resolve().parent / "out"


def build_inputs(folder: Path, *, sizes: list[int], pages: int, sites: int) -> dict[int, Path]:
    """Write the sample webs as WARC files, ingest k of them per size, export each as Parquet."""
    warcs = []
    for seed in range(1, max(sizes) + 1):
        path = folder / f"web-{seed}.warc.gz"
        write_warc(generate_web(seed, sites=sites, pages=pages), path)
        warcs.append(path)
    exchanges = {}
    for size in sizes:
        db = folder / f"web-{size}.duckdb"
        ingest_archives(warcs[:size], db=db, workers=1)
        exchanges[size] = folder / f"exchange-{size}"
        export_parquet(db, exchanges[size])
    return exchanges


def followed_edges(exchange: Path) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], int]:
    """The followed, live links of a Parquet dataset as 0-based node ids (as `linkequity rank`)."""
    links = pq.read_table(exchange / "links.parquet")
    is_passing = pc.invert(
        pc.or_(
            pc.or_(
                pc.fill_null(links["is_nofollow"], False),
                pc.fill_null(links["is_sponsored"], False),
            ),
            pc.fill_null(links["is_ugc"], False),
        )
    )
    links = links.filter(pc.and_(pc.is_null(links["lost_at"]), is_passing))
    sources = links["source_url_id"].to_numpy()
    targets = links["target_url_id"].to_numpy()
    url_ids = np.unique(np.concatenate([sources, targets]))
    return np.searchsorted(url_ids, sources), np.searchsorted(url_ids, targets), url_ids


def time_local(exchange: Path, tol: float) -> tuple[float, np.ndarray[Any, Any], Any, int, int]:
    """Seconds of graph build + PageRank, the scores, the url ids, rounds and edges."""
    sources, targets, url_ids = followed_edges(exchange)
    start = time.perf_counter()
    graph = LinkGraph.from_arrays(sources, targets, url_ids.size)
    report = pagerank_report(graph, tol=tol)
    return time.perf_counter() - start, report.scores, url_ids, report.iterations, graph.n_edges


def time_networkx(exchange: Path, tol: float) -> tuple[float, np.ndarray[Any, Any]] | None:
    """Seconds of networkx.pagerank on the same edges, and its scores; None without networkx."""
    try:
        import networkx as nx
    except ImportError:
        return None
    sources, targets, url_ids = followed_edges(exchange)
    start = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(url_ids.size))
    graph.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
    graph.remove_edges_from(nx.selfloop_edges(graph))
    # networkx stops when the L1 change is below n * tol.
    scores = nx.pagerank(graph, alpha=0.85, tol=tol / url_ids.size, max_iter=1000)
    seconds = time.perf_counter() - start
    return seconds, np.asarray([scores[node] for node in range(url_ids.size)])


def time_spark(exchange: Path, spark: Any, tol: float) -> tuple[float, dict[int, float], int]:
    """Seconds of graph build + PageRank on Spark, the scores by url id, and the rounds."""
    start = time.perf_counter()
    graph = level_graph(read_ranked_links(spark, str(exchange)), "page")
    ranked = spark_pagerank(graph.edges, graph.nodes, tol=tol)
    scores = {int(row["id"]): float(row["pagerank"]) for row in ranked.scores.collect()}
    return time.perf_counter() - start, scores, ranked.iterations


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=280, help="pages of each sample web")
    parser.add_argument("--sites", type=int, default=14, help="sites of each sample web (14+)")
    parser.add_argument("--copies", default="1,2,4,8", help="input sizes, in sample webs")
    parser.add_argument("--master", default="local[2]", help="Spark master URL")
    parser.add_argument("--tol", type=float, default=1e-10, help="L1 tolerance of every engine")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = sorted({int(item) for item in args.copies.split(",")})

    with tempfile.TemporaryDirectory(prefix="bench-spark-rank-") as tmp:
        exchanges = build_inputs(Path(tmp), sizes=sizes, pages=args.pages, sites=args.sites)
        started = time.perf_counter()
        spark = spark_session(
            args.master,
            app_name="bench_spark_rank",
            driver_memory="1g",
            config={"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"},
        )
        session_s = time.perf_counter() - started
        print(f"SparkSession on {args.master}: {session_s:.1f} s to start (not in the figures)")
        warm_up(exchanges[sizes[0]], spark)
        rows = [run_size(size, exchanges[size], spark, args) for size in sizes]

    base = rows[0]["spark_s"]
    for row in rows:
        row["spark_scaling"] = round(row["spark_s"] / base, 2)
    print_table(rows, master=args.master)
    figures = {
        "benchmark": "bench_spark_rank",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        },
        "pages_per_copy": args.pages,
        "sites_per_copy": args.sites,
        "master": args.master,
        "tol": args.tol,
        "session_start_s": round(session_s, 2),
        "runs": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"bench_spark_rank-{args.pages}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures: {target}")
    return figures


def warm_up(exchange: Path, spark: Any) -> None:
    """Compile graph/'s kernels and run Spark's first jobs, outside the figures."""
    started = time.perf_counter()
    pagerank_report(LinkGraph.from_arrays([0, 1, 2], [1, 2, 0], 3))
    time_spark(exchange, spark, 0.5)
    print(f"warm-up (Numba compilation, Spark's first jobs): {time.perf_counter() - started:.1f} s")


def run_size(size: int, exchange: Path, spark: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Time the three engines on one input size; the best of *repeat* runs counts."""
    best = {"local": float("inf"), "networkx": float("inf"), "spark": float("inf")}
    for _ in range(args.repeat):
        local_s, expected, url_ids, rounds, n_edges = time_local(exchange, args.tol)
        theirs = time_networkx(exchange, args.tol)
        spark_s, spark_scores, spark_rounds = time_spark(exchange, spark, args.tol)
        got = np.asarray([spark_scores[int(url_id)] for url_id in url_ids])
        spark_diff = float(np.abs(got - expected).max())
        best["local"] = min(best["local"], local_s)
        best["spark"] = min(best["spark"], spark_s)
        networkx_diff = None
        if theirs is not None:
            best["networkx"] = min(best["networkx"], theirs[0])
            networkx_diff = float(np.abs(theirs[1] - expected).max())
    has_networkx = best["networkx"] < float("inf")
    return {
        "copies": size,
        "nodes": int(url_ids.size),
        "edges": n_edges,
        "rounds": rounds,
        "spark_rounds": spark_rounds,
        "local_s": round(best["local"], 4),
        "networkx_s": round(best["networkx"], 4) if has_networkx else None,
        "spark_s": round(best["spark"], 3),
        "spark_s_per_round": round(best["spark"] / max(spark_rounds, 1), 3),
        "spark_over_local": round(best["spark"] / best["local"], 1),
        "spark_over_networkx": round(best["spark"] / best["networkx"], 1) if has_networkx else None,
        "spark_max_abs_diff": spark_diff,
        "networkx_max_abs_diff": networkx_diff,
    }


def print_table(rows: list[dict[str, Any]], *, master: str) -> None:
    """Print seconds and ratios side by side, then Spark's scaling curve."""
    print(
        f"{'copies':>6} {'nodes':>7} {'edges':>8} {'rounds':>6} {'graph/ s':>9} "
        f"{'networkx s':>10} {'spark s':>8} {'s/round':>7} {'spark/graph':>11} "
        f"{'spark/nx':>8} {'spark diff':>10}"
    )
    for row in rows:
        networkx_s = "-" if row["networkx_s"] is None else f"{row['networkx_s']:.3f}"
        over_networkx = (
            "-" if row["spark_over_networkx"] is None else f"{row['spark_over_networkx']}x"
        )
        print(
            f"{row['copies']:>6} {row['nodes']:>7} {row['edges']:>8} {row['rounds']:>6} "
            f"{row['local_s']:>9.4f} {networkx_s:>10} {row['spark_s']:>8.1f} "
            f"{row['spark_s_per_round']:>7.2f} {row['spark_over_local']:>10}x "
            f"{over_networkx:>8} {row['spark_max_abs_diff']:>10.1e}"
        )
    print(f"Spark ({master}) scaling: time at k copies over time at {rows[0]['copies']}x")
    widest = max(row["spark_scaling"] for row in rows)
    for row in rows:
        bar = "#" * max(1, round(40 * row["spark_scaling"] / widest))
        print(f"{row['copies']:>4}x {row['spark_scaling']:>6.2f} {bar}")


if __name__ == "__main__":
    main(sys.argv[1:])
