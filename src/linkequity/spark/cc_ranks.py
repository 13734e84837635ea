"""Host ranks in Common Crawl's rank-file format, harmonic centrality included when affordable.

Common Crawl publishes the ranks of its host graph as a tab-separated file,
one host a line, under the header

    #harmonicc_pos  #harmonicc_val  #pr_pos  #pr_val  #host_rev

with ``host_rev`` the host with its labels reversed (``com.example.www``) and
the lines in order of harmonic centrality. :func:`write_cc_ranks` writes the
same file for the host graph of a links dataset:

* ``pr_val`` is the host graph's PageRank (``spark.pagerank``, summing to 1),
  ``pr_pos`` its 1-based position, best first, ties by ``host_rev``;
* ``harmonicc_val`` is the exact harmonic centrality
  (``graph.centrality.harmonic_centrality``) and ``harmonicc_pos`` its 1-based
  position, ties by ``host_rev``, when the host graph is small enough:
  ``n (n + m)`` at most ``HARMONIC_MAX_WORK`` (one breadth-first search per
  host, on the driver). Common Crawl estimates it with HyperBall instead.
  Above that, both harmonic columns are empty, a first line
  ``# harmonic centrality absent: ...`` says why, and the lines are in
  PageRank order.

Values are written in Python's shortest round-tripping form (``repr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from linkequity.errors import UsageError
from linkequity.graph import LinkGraph
from linkequity.graph.centrality import harmonic_centrality

if TYPE_CHECKING:
    from pathlib import Path

    from pyspark.sql import DataFrame

    from linkequity.spark.rank import LevelGraph

__all__ = ["CC_HEADER", "CC_RANKS_FILE", "HARMONIC_MAX_WORK", "write_cc_ranks"]

#: The file name of the host ranks in the output folder.
CC_RANKS_FILE = "host_ranks.txt"
#: Common Crawl's header line, tab-separated.
CC_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev"
#: Largest ``n (n + m)`` of the host graph for an exact harmonic centrality
#: (about a minute of breadth-first searches on one core).
HARMONIC_MAX_WORK = 2_000_000_000


def write_cc_ranks(
    host_ranks: DataFrame, hosts: LevelGraph, path: Path, *, max_work: int = HARMONIC_MAX_WORK
) -> tuple[Path, bool]:
    """Write the host ranks to *path* in Common Crawl's format.

    Parameters
    ----------
    host_ranks : pyspark.sql.DataFrame
        ``id`` and ``pagerank`` of every host (``spark.rank.rank_level`` on
        the host graph).
    hosts : LevelGraph
        The host graph (``spark.rank.level_graph(..., "host")``).
    path : pathlib.Path
        The file to write, on the driver's file system; replaced if present.
    max_work : int
        Largest ``n (n + m)`` for which the harmonic centrality is computed.

    Returns
    -------
    path : pathlib.Path
        The file written.
    has_harmonic : bool
        Whether the harmonic centrality columns are filled.

    Raises
    ------
    UsageError
        If *path* cannot be written.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    reversed_hosts = hosts.pages.select(
        F.col("id").alias("host_id"), "reversed_host"
    ).dropDuplicates(["host_id"])
    ranked = host_ranks.select("id", "pagerank").join(
        reversed_hosts, F.col("id") == F.col("host_id")
    )
    n_nodes = hosts.nodes.count()
    n_edges = hosts.edges.count()
    work = n_nodes * (n_nodes + n_edges)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as lines:
            if work > max_work:
                lines.write(
                    f"# harmonic centrality absent: the host graph has {n_nodes} hosts and "
                    f"{n_edges} edges, n(n+m) = {work} above the exact limit {max_work}\n"
                )
                lines.write(CC_HEADER + "\n")
                ordered = ranked.orderBy(F.desc("pagerank"), "reversed_host")
                for position, row in enumerate(ordered.toLocalIterator(), start=1):
                    lines.write(f"\t\t{position}\t{row['pagerank']!r}\t{row['reversed_host']}\n")
                return path, False
            lines.write(CC_HEADER + "\n")
            for line in _harmonic_lines(ranked, hosts):
                lines.write(line)
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror}", hint="Check the output folder."
        ) from exc
    return path, True


def _harmonic_lines(ranked: DataFrame, hosts: LevelGraph) -> list[str]:
    """Return the file's lines with harmonic centrality, computed on the driver."""
    rows = sorted(
        (
            (row["reversed_host"], int(row["id"]), float(row["pagerank"]))
            for row in ranked.collect()
        ),
    )
    index = {host_id: position for position, (_, host_id, _) in enumerate(rows)}
    edges = hosts.edges.collect()
    graph = LinkGraph.from_arrays(
        np.asarray([index[int(edge["src"])] for edge in edges], dtype=np.int64),
        np.asarray([index[int(edge["dst"])] for edge in edges], dtype=np.int64),
        len(rows),
    )
    harmonic = harmonic_centrality(graph)
    pagerank = np.asarray([score for _, _, score in rows], dtype=np.float64)
    # Rows are sorted by reversed host, so a stable sort breaks ties by it.
    by_harmonic = np.argsort(-harmonic, kind="stable")
    by_pagerank = np.argsort(-pagerank, kind="stable")
    pr_position = np.empty(len(rows), dtype=np.int64)
    pr_position[by_pagerank] = np.arange(1, len(rows) + 1)
    return [
        f"{position}\t{float(harmonic[node])!r}\t{int(pr_position[node])}\t"
        f"{float(pagerank[node])!r}\t{rows[node][0]}\n"
        for position, node in enumerate(by_harmonic, start=1)
    ]
