"""PageRank on Spark DataFrames: the power iteration of graph/authority.py, round for round.

A graph here is two DataFrames: ``nodes`` with one ``id`` (long) per node, and
``edges`` with ``src`` and ``dst`` (long), one row per distinct edge, no
self-link (:func:`canonical_edges` makes them so, as ``LinkGraph.from_arrays``
does). Each round joins every node's score to its out-edges, sums what each
node receives (with its own row, so no second join is needed), and hands the
driver two totals: the L1 change of the round and the score now held by
dangling nodes. That is exactly the round of ``graph/_kernels.py``:

    x_new[i] = (1 - d) v[i] + d (D w[i] + sum over j -> i of x[j] / out[j])

with ``D`` the score held by the nodes without out-links, ``v`` the teleport
vector and ``w`` the dangling distribution (here always ``v``: uniform for
PageRank, the seeds for TrustRank, as graph/ uses them). Rounds
start from ``v``, stop when the L1 change is below ``tol``, and the scores are
normalised once at the end, as there; in doubles, the two engines agree to
rounding (about 1e-16 per score) when they run the same number of rounds.
(graph/ skips the dangling nodes' rows and bounds their part of the change
from above, so it may run one round more on the same tolerance.)

A round reads the scores once (each node joined with its out-edges, both
partitioned by node), so its plan holds one copy of the previous round, and
the round's totals are observed while it is materialised: one job a round.
The scores of every round are materialised with a local checkpoint, which
cuts their lineage (planning round 100 costs what round 1 does); every
``checkpoint_every`` rounds the checkpoint is a reliable one, written to the
session's checkpoint directory (``spark.session.spark_session`` sets one).
Local checkpoints live on the executors: on a cluster that may lose one, pass
``checkpoint_every=1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from linkequity.errors import NotConverged

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = [
    "SparkPageRank",
    "authority_column",
    "canonical_edges",
    "spark_pagerank",
]

#: Rounds between two checkpoints of the scores.
CHECKPOINT_EVERY = 10

#: Edges a partition holds at least: a task per round costs milliseconds
#: whatever its size, so a small graph runs in few partitions.
_EDGES_PER_PARTITION = 1_000_000

# As graph/scores.py: a best score this close to the floor is the floor.
_SAME_AS_FLOOR = 1e-6


@dataclass(frozen=True, slots=True)
class SparkPageRank:
    """A converged PageRank on Spark, and how it got there.

    Attributes
    ----------
    scores : pyspark.sql.DataFrame
        ``id`` (long) and ``pagerank`` (double) of every node, summing to 1;
        cached.
    n_nodes : int
        Number of nodes.
    iterations : int
        Rounds run.
    residual : float
        L1 change of the last round.
    dangling_mass : float
        Score (after normalisation) held by the nodes without out-links:
        ``D`` in the authority floor ``(1 - d + d D) / n``.
    """

    scores: DataFrame
    n_nodes: int
    iterations: int
    residual: float
    dangling_mass: float


def canonical_edges(edges: DataFrame) -> DataFrame:
    """Return the distinct ``(src, dst)`` edges of *edges*, self-links dropped.

    The rule of ``LinkGraph.from_arrays``: duplicates collapse into one edge
    and a link from a node to itself is no edge (the node stays a node).
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    return (
        edges.select(F.col("src").cast("long"), F.col("dst").cast("long"))
        .where(F.col("src") != F.col("dst"))
        .distinct()
    )


def spark_pagerank(
    edges: DataFrame,
    nodes: DataFrame,
    *,
    damping: float = 0.85,
    teleport: DataFrame | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
    checkpoint_every: int = CHECKPOINT_EVERY,
) -> SparkPageRank:
    """Compute the PageRank of every node by iterative DataFrame joins.

    Parameters
    ----------
    edges : pyspark.sql.DataFrame
        ``src``, ``dst`` (long): distinct edges without self-links (see
        :func:`canonical_edges`), both ends among ``nodes``.
    nodes : pyspark.sql.DataFrame
        ``id`` (long): every node once, edges or not.
    damping : float, default 0.85
        Probability ``d`` of following a link rather than teleporting, in ``[0, 1]``.
    teleport : pyspark.sql.DataFrame, optional
        ``id``, ``weight``: a non-negative teleport weight per node (missing
        nodes weigh 0), normalised to sum 1; the score of dangling nodes goes
        there too, as TrustRank wants. Uniform by default.
    tol : float, default 1e-10
        Stop when the L1 change of one round is below ``tol``.
    max_iter : int, default 200
        Most rounds to run.
    checkpoint_every : int, default 10
        Rounds between two checkpoints of the scores' lineage.

    Returns
    -------
    SparkPageRank
        The scores (cached) and the rounds run.

    Raises
    ------
    NotConverged
        If the L1 change still exceeds ``tol`` after ``max_iter`` rounds; its
        ``scores`` are the last iterate ordered by node id.
    ValueError
        If ``damping`` is outside ``[0, 1]``, ``checkpoint_every`` below 1, or
        the teleport weights are negative, not finite or sum to 0.
    """
    from pyspark.sql import Observation
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must be in [0, 1], got {damping}")
    if checkpoint_every < 1:
        raise ValueError(f"checkpoint_every must be >= 1, got {checkpoint_every}")
    spark = nodes.sparkSession
    n = nodes.count()
    if n == 0:
        empty = spark.createDataFrame([], "id long, pagerank double")
        return SparkPageRank(empty, 0, 0, 0.0, 0.0)
    # Edges partitioned by source, like the scores by node: the join of a
    # round then moves no data, and one shuffle (the sum per target) remains.
    edges = edges.select("src", "dst").persist()
    partitions = _partitions(spark, edges.count())
    out_edges = edges.withColumnRenamed("src", "id").repartition(partitions, "id").persist()
    out_degree = edges.groupBy(F.col("src").alias("id")).agg(F.count("*").alias("out_degree"))
    state = (
        nodes.select(F.col("id").cast("long"))
        .join(out_degree, "id", "left")
        .select(
            "id",
            F.when(F.col("out_degree").isNull(), F.lit(0.0))
            .otherwise(F.lit(1.0) / F.col("out_degree").cast("double"))
            .alias("inverse_out"),
        )
    )
    state = _with_teleport(state, teleport, n)
    state = state.select("id", "v", "inverse_out", F.col("v").alias("x"))
    state = _checkpoint(state.repartition(partitions, "id"), is_reliable=True)
    dangling_mass = _sum(state.where(F.col("inverse_out") == 0.0), "x")
    residual = float("inf")
    rounds = 0
    while rounds < max_iter:
        rounds += 1
        following = _round(
            state, out_edges, damping=damping, dangling_mass=dangling_mass, partitions=partitions
        )
        # The round's totals are observed while it is materialised: one job a round.
        totals = Observation(f"pagerank-round-{rounds}")
        following = following.observe(
            totals,
            F.expr("sum(abs(x - x_before)) AS residual"),
            F.expr("sum(CASE WHEN inverse_out = 0 THEN x ELSE 0D END) AS dangling"),
        )
        following = _checkpoint(following, is_reliable=rounds % checkpoint_every == 0)
        measured = totals.get
        state.unpersist()
        state = following.drop("x_before")
        residual = float(measured["residual"])
        dangling_mass = float(measured["dangling"] or 0.0)

        if residual < tol:
            break
    total = _sum(state, "x")
    scores = state.select("id", (F.col("x") / F.lit(total)).alias("pagerank")).persist()
    edges.unpersist()
    out_edges.unpersist()
    if not residual < tol:
        last = np.asarray(
            [row["pagerank"] for row in scores.orderBy("id").collect()], dtype=np.float64
        )
        raise NotConverged(
            f"PageRank changed by {residual:.3g} (L1) in round {rounds}, above tol={tol:g}",
            scores=last,
            iterations=rounds,
            residual=residual,
        )
    return SparkPageRank(scores, n, rounds, residual, dangling_mass / total)


def authority_column(
    pagerank: Column, *, n_nodes: int, top: float, dangling_mass: float, damping: float
) -> Column:
    """Return the 0-100 authority of a PageRank column, as ``graph.scores`` scales it.

    ``100 ln(x / f) / ln(x_max / f)`` clipped to ``[0, 100]``, with the floor
    ``f = (1 - d + d D) / n`` the PageRank of a node nobody links to; every
    node is at 0 when the best is within one part in a million of the floor.

    Parameters
    ----------
    pagerank : pyspark.sql.Column
        The PageRank ``x`` of each node.
    n_nodes : int
        Number of nodes ``n``.
    top : float
        The best PageRank ``x_max``.
    dangling_mass : float
        PageRank ``D`` held by the nodes without out-links.
    damping : float
        The damping ``d`` of the PageRank.

    Returns
    -------
    pyspark.sql.Column
        The authority, a double in ``[0, 100]``.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    floor = (1.0 - damping + damping * dangling_mass) / n_nodes
    if top <= floor * (1.0 + _SAME_AS_FLOOR):
        return F.lit(0.0)
    ratio = F.greatest(pagerank, F.lit(floor)) / F.lit(floor)
    scaled = F.lit(100.0) * (F.log(ratio) / F.lit(float(np.log(top / floor))))
    return F.least(F.greatest(scaled, F.lit(0.0)), F.lit(100.0))


def _round(
    state: DataFrame,
    out_edges: DataFrame,
    *,
    damping: float,
    dangling_mass: float,
    partitions: int,
) -> DataFrame:
    """One power-iteration round: the next ``x`` of every node beside its ``x_before``.

    The scores are read once (each node with its out-edges, ``out_edges``
    being ``id``, ``dst`` with ``id`` the source), so that the plan of round
    ``k`` holds ``k`` rounds, not ``2**k``: each node's row emits what it
    passes along every out-edge, and itself. The round is written as SQL
    expressions: a few calls into the JVM per round rather than dozens.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    emitted = state.join(out_edges, "id", "left").selectExpr(
        "inline(array("
        "named_struct('id', dst, 'passed', x * inverse_out, 'v', CAST(NULL AS DOUBLE),"
        " 'inverse_out', CAST(NULL AS DOUBLE), 'x', CAST(NULL AS DOUBLE)),"
        "named_struct('id', id, 'passed', CAST(0 AS DOUBLE), 'v', v,"
        " 'inverse_out', inverse_out, 'x', x)))"
    )
    gathered = (
        emitted.where("id IS NOT NULL")
        .repartition(partitions, "id")
        .groupBy("id")
        .agg(
            F.expr("sum(passed) AS gathered"),
            F.expr("max(v) AS v"),
            F.expr("max(inverse_out) AS inverse_out"),
            F.expr("max(x) AS x_before"),
        )
    )
    d, mass = _double(damping), _double(dangling_mass)
    return gathered.selectExpr(
        "id",
        "v",
        "inverse_out",
        f"(1.0D - {d}) * v + {d} * ({mass} * v + gathered) AS x",
        "x_before",
    )


def _double(value: float) -> str:
    """Return a SQL double literal of exactly *value*."""
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _partitions(spark: SparkSession, n_edges: int) -> int:
    """Partitions of the edges and scores: the session's, fewer for a small graph."""
    configured = int(spark.conf.get("spark.sql.shuffle.partitions") or "8")
    return max(1, min(configured, n_edges // _EDGES_PER_PARTITION + 1))


def _checkpoint(frame: DataFrame, *, is_reliable: bool) -> DataFrame:
    """Materialise *frame* and cut its lineage, reliably if asked and a directory is set."""
    if is_reliable and frame.sparkSession.sparkContext.getCheckpointDir() is not None:
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint(eager=True)


def _with_teleport(state: DataFrame, teleport: DataFrame | None, n: int) -> DataFrame:
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    if teleport is None:
        return state.withColumn("v", F.lit(1.0 / n))
    weights = (
        teleport.groupBy(F.col("id").cast("long").alias("id"))
        .agg(F.sum(F.col("weight").cast("double")).alias("weight"))
        .join(state.select("id"), "id")
    )
    checked = weights.agg(
        F.sum("weight").alias("total"),
        F.min("weight").alias("least"),
        F.max(F.isnan("weight").cast("int")).alias("has_nan"),
    ).first()
    if checked is None or checked["total"] is None:
        raise ValueError("teleport names no node of the graph; give at least one node id")
    if checked["has_nan"] or checked["least"] < 0 or checked["total"] == float("inf"):
        raise ValueError("teleport weights must be finite and >= 0")
    total = float(checked["total"])
    if total <= 0:
        raise ValueError("teleport sums to 0; give at least one positive weight")
    return state.join(weights, "id", "left").select(
        "id",
        "inverse_out",
        (F.coalesce(F.col("weight"), F.lit(0.0)) / F.lit(total)).alias("v"),
    )


def _sum(frame: DataFrame, column: str) -> float:
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    row = frame.agg(F.sum(column).alias("total")).first()
    return 0.0 if row is None or row["total"] is None else float(row["total"])
