"""Spark job: ranks of pages, hosts or domains from a links Parquet dataset.

The input is the exchange layout that ``spark.extract`` and ``linkequity
parquet export`` write (``links.parquet`` and ``urls.parquet``, with
``snapshots.parquet`` when present). The graph is the one ``linkequity rank``
builds (``store.metrics`` and ``services.rank``): the links of the snapshot
(the latest unless given) that are followed (none of ``is_nofollow``,
``is_sponsored``, ``is_ugc`` true; NULL is not true) and not lost; its nodes
are the URLs at either end of one; duplicates collapse into one edge and a
self-link is no edge. Hosts and registrable domains are the ``host`` and
``domain`` columns that the extract job computed with ``model.urls``; the
host and domain graphs have one edge per linked pair of distinct hosts
(domains), as ``graph.rollup`` builds them.

On that graph, with ``spark.pagerank`` (the rounds of ``graph.authority``):
PageRank and its 0-100 authority (the floor of ``graph.scores``), and, with
trusted seeds, TrustRank and relative spam mass (``good_fraction`` 0.85, as
``linkequity rank``). Seeds are ``services.rank.read_trust_seeds`` lists: a URL
seeds its page, a domain every page of it; a host or domain level is seeded by
the hosts or domains of the seed pages.

Output: ``OUT/<level>_ranks.parquet`` (a folder of Spark part files), and with
``cc_ranks`` the host ranks in Common Crawl's format (``spark.cc_ranks``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from linkequity.errors import UsageError
from linkequity.services.rank import read_trust_seeds
from linkequity.spark.pagerank import authority_column, canonical_edges, spark_pagerank
from linkequity.spark.session import DEFAULT_MASTER, spark_session

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyspark.sql import Column, DataFrame, SparkSession

    from linkequity.spark.pagerank import SparkPageRank

__all__ = [
    "LEVELS",
    "GOOD_FRACTION",
    "LevelGraph",
    "RankedLinks",
    "SparkRankReport",
    "level_graph",
    "rank_level",
    "rank_links",
    "read_ranked_links",
]

Level = Literal["page", "host", "domain"]
#: The levels a graph is ranked at, finest first.
LEVELS: tuple[Level, ...] = ("page", "host", "domain")
#: Share of all nodes assumed good in spam mass, as ``linkequity rank`` assumes.
GOOD_FRACTION = 0.85

#: The name column of each level's output.
_NAME = {"page": "url", "host": "host", "domain": "domain"}


@dataclass(frozen=True, slots=True)
class RankedLinks:
    """The links a snapshot ranks, and the URLs of the dataset.

    Attributes
    ----------
    links : pyspark.sql.DataFrame
        ``src``, ``dst``: source and target URL ids of each ranked link.
    urls : pyspark.sql.DataFrame
        ``id``, ``url``, ``host``, ``reversed_host``, ``domain`` of every URL.
    snapshot_id : int or None
        The snapshot ranked; None when the dataset has no snapshots table.
    """

    links: DataFrame
    urls: DataFrame
    snapshot_id: int | None


@dataclass(frozen=True, slots=True)
class LevelGraph:
    """A graph at one level, ready for ``spark_pagerank``.

    Attributes
    ----------
    level : str
        ``page``, ``host`` or ``domain``.
    edges : pyspark.sql.DataFrame
        ``src``, ``dst``: distinct edges between distinct nodes.
    nodes : pyspark.sql.DataFrame
        ``id`` and ``name`` (the URL, host or domain) of every node; a host's
        or domain's id is the least URL id among its pages.
    pages : pyspark.sql.DataFrame
        ``url_id``, ``url``, ``host``, ``domain`` and ``id`` (the node the page
        rolls up to) of every page of the page graph.
    """

    level: Level
    edges: DataFrame
    nodes: DataFrame
    pages: DataFrame


@dataclass(frozen=True, slots=True)
class SparkRankReport:
    """What ``rank_links`` ranked and wrote."""

    level: str
    snapshot_id: int | None
    links: int
    nodes: int
    edges: int
    iterations: int
    trust_iterations: int = 0
    trust_seeds: int = 0
    unmatched_seeds: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    harmonic: bool | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain values, for JSON output."""
        return asdict(self)


def read_ranked_links(
    spark: SparkSession, directory: str, *, snapshot_id: int | None = None
) -> RankedLinks:
    """Read the links a snapshot ranks from an exchange directory.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session to read with.
    directory : str
        The folder holding ``links.parquet`` and ``urls.parquet`` (and
        ``snapshots.parquet``): a local path or a URL Spark reads.
    snapshot_id : int, optional
        The snapshot to rank: links known by it count. The latest by default.

    Returns
    -------
    RankedLinks

    Raises
    ------
    UsageError
        If a table is missing or lacks a column, or the snapshot does not exist.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    links = _read_table(spark, directory, "links", _LINK_COLUMNS)
    urls = _read_table(spark, directory, "urls", _URL_COLUMNS)
    snapshots = _read_optional(spark, directory, "snapshots")
    ranked_snapshot: int | None = None
    if snapshots is not None:
        known = sorted(int(row["id"]) for row in snapshots.select("id").collect())
        if snapshot_id is not None and snapshot_id not in known:
            raise UsageError(
                f"{directory} has no snapshot {snapshot_id} (it has {known or 'none'})",
                hint="Leave out --snapshot to rank the latest one.",
            )
        ranked_snapshot = snapshot_id if snapshot_id is not None else (known[-1] if known else None)
    elif snapshot_id is not None:
        raise UsageError(
            f"{directory} holds no snapshots.parquet to pick snapshot {snapshot_id} from",
            hint="Leave out --snapshot, or export the snapshots table too.",
        )
    never = F.lit(_FALSE)
    is_ranked = (
        F.col("lost_at").isNull()
        & ~F.coalesce(F.col("is_nofollow"), never)
        & ~F.coalesce(F.col("is_sponsored"), never)
        & ~F.coalesce(F.col("is_ugc"), never)
    )
    if ranked_snapshot is not None:
        is_ranked = is_ranked & (F.col("first_snapshot_id") <= F.lit(ranked_snapshot))
    ranked = links.where(is_ranked).select(
        F.col("source_url_id").cast("long").alias("src"),
        F.col("target_url_id").cast("long").alias("dst"),
    )
    return RankedLinks(
        ranked,
        urls.select(F.col("id").cast("long"), "url", "host", "reversed_host", "domain"),
        ranked_snapshot,
    )


def level_graph(ranked: RankedLinks, level: Level) -> LevelGraph:
    """Build the page, host or domain graph of the ranked links, as graph/ does.

    Parameters
    ----------
    ranked : RankedLinks
        The links and URLs (see :func:`read_ranked_links`).
    level : str
        ``page``, ``host`` or ``domain``.

    Returns
    -------
    LevelGraph
        The page graph: a node per URL at either end of a ranked link, an edge
        per distinct pair, self-links dropped (``LinkGraph.from_arrays``).
        The host and domain graphs: a node per host (domain) of those pages,
        an unweighted edge per linked pair of distinct ones (``graph.rollup``).

    Raises
    ------
    UsageError
        If *level* is not one of :data:`LEVELS`.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    level = _checked_level(level)
    ends = (
        ranked.links.select(F.col("src").alias("url_id"))
        .union(ranked.links.select(F.col("dst").alias("url_id")))
        .distinct()
    )
    pages = ends.join(
        ranked.urls.select(F.col("id").alias("url_id"), "url", "host", "reversed_host", "domain"),
        "url_id",
    )
    if level == "page":
        pages = pages.withColumn("id", F.col("url_id"))
        nodes = pages.select("id", F.col("url").alias("name"))
    else:
        key = _NAME[level]
        groups = pages.groupBy(key).agg(F.min("url_id").alias("id"))
        pages = pages.join(groups, key)
        nodes = groups.select("id", F.col(key).alias("name"))
    pages = pages.persist()
    node_of = pages.select("url_id", "id")
    edges = (
        ranked.links.join(node_of.withColumnRenamed("url_id", "src"), "src")
        .select(F.col("id").alias("src"), "dst")
        .join(node_of.withColumnRenamed("url_id", "dst"), "dst")
        .select("src", F.col("id").alias("dst"))
    )
    return LevelGraph(level, canonical_edges(edges).persist(), nodes.persist(), pages)


def rank_level(
    graph: LevelGraph,
    *,
    damping: float = 0.85,
    seed_pages: DataFrame | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
    checkpoint_every: int = 10,
) -> tuple[DataFrame, SparkPageRank, SparkPageRank | None]:
    """Rank the nodes of *graph*: PageRank, authority, and TrustRank and spam mass from seeds.

    Parameters
    ----------
    graph : LevelGraph
        The graph (see :func:`level_graph`).
    damping : float, default 0.85
        PageRank damping, in ``[0, 1)``.
    seed_pages : pyspark.sql.DataFrame, optional
        ``url_id`` of the trusted pages; the level's seeds are the nodes they
        roll up to, each weighing the same.
    tol, max_iter, checkpoint_every
        As for :func:`linkequity.spark.pagerank.spark_pagerank`.

    Returns
    -------
    ranks : pyspark.sql.DataFrame
        ``id``, ``name``, ``pagerank``, ``authority``, ``trust`` and
        ``spam_mass`` (NULL without seeds) of every node.
    pagerank, trust : SparkPageRank
        The two runs (``trust`` None without seeds).

    Raises
    ------
    NotConverged
        If a power iteration does not reach ``tol`` in ``max_iter`` rounds.
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    ranked = spark_pagerank(
        graph.edges,
        graph.nodes,
        checkpoint_every=checkpoint_every,
        damping=damping,
        tol=tol,
        max_iter=max_iter,
    )
    top = _max(ranked.scores, "pagerank")
    ranks = graph.nodes.join(ranked.scores, "id").withColumn(
        "authority",
        authority_column(
            F.col("pagerank"),
            n_nodes=ranked.n_nodes,
            top=top,
            dangling_mass=ranked.dangling_mass,
            damping=damping,
        ),
    )
    if seed_pages is None:
        nothing = F.lit(None).cast("double")
        return ranks.select("*", nothing.alias("trust"), nothing.alias("spam_mass")), ranked, None
    seeds = (
        graph.pages.join(seed_pages.select("url_id").distinct(), "url_id")
        .select("id")
        .distinct()
        .withColumn("weight", F.lit(1.0))
    )
    trusted = spark_pagerank(
        graph.edges,
        graph.nodes,
        teleport=seeds,
        checkpoint_every=checkpoint_every,
        damping=damping,
        tol=tol,
        max_iter=max_iter,
    )
    # graph.authority.spam_mass with good_fraction: x+ = gamma s_x / s_t t.
    scale = (
        GOOD_FRACTION
        * (1.0 - damping + damping * ranked.dangling_mass)
        / (1.0 - damping + damping * trusted.dangling_mass)
    )
    core = F.lit(scale) * F.col("trust")
    spam = F.when(F.col("pagerank") > 0, (F.col("pagerank") - core) / F.col("pagerank")).otherwise(
        0.0
    )
    ranks = ranks.join(trusted.scores.withColumnRenamed("pagerank", "trust"), "id")
    return ranks.withColumn("spam_mass", spam), ranked, trusted


def rank_links(
    directory: str,
    out: str,
    *,
    level: str = "page",
    master: str = DEFAULT_MASTER,
    trust_seeds: Path | None = None,
    cc_ranks: bool = False,
    snapshot_id: int | None = None,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
    harmonic_max_work: int | None = None,
    checkpoint_every: int = 10,
    config: Mapping[str, str] | None = None,
    session: SparkSession | None = None,
) -> SparkRankReport:
    """Rank a links Parquet dataset with Spark and write the ranks.

    Parameters
    ----------
    directory : str
        The exchange folder (``links.parquet``, ``urls.parquet``).
    out : str
        Output folder; ``<level>_ranks.parquet`` (and ``host_ranks.txt``) in it
        are replaced.
    level : str, default "page"
        ``page``, ``host`` or ``domain``.
    master : str, default "local[*]"
        Spark master URL (ignored when *session* is given).
    trust_seeds : pathlib.Path, optional
        Trusted URLs and domains, one a line: TrustRank and spam mass from them.
    cc_ranks : bool, default False
        Also write the host ranks in Common Crawl's format (``host_ranks.txt``).
    snapshot_id : int, optional
        The snapshot to rank; the latest by default.
    damping : float, default 0.85
        PageRank damping, in ``(0, 1)``.
    tol : float, default 1e-10
        L1 tolerance of each power iteration, as ``linkequity rank``.
    max_iter : int, default 200
        Most rounds of each power iteration.
    harmonic_max_work : int, optional
        Largest ``n (n + m)`` of the host graph for which ``cc_ranks`` computes
        the exact harmonic centrality (``spark.cc_ranks.HARMONIC_MAX_WORK``).
    checkpoint_every : int, default 10
        Rounds between two reliable checkpoints (``spark.pagerank``); 1 on a
        cluster that may lose executors.
    config : Mapping[str, str], optional
        Further Spark settings.
    session : pyspark.sql.SparkSession, optional
        A running session to use instead of building one.

    Returns
    -------
    SparkRankReport

    Raises
    ------
    UsageError
        For a bad level or damping, a missing table, an unknown snapshot, no
        ranked link, or seeds that match nothing.
    NotConverged
        If a power iteration does not settle.
    """
    from linkequity.spark import cc_ranks as cc

    level = _checked_level(level)
    if not 0.0 < damping < 1.0:
        raise UsageError(
            f"damping must be between 0 and 1 (exclusive), got {damping}",
            hint="0.85 is the usual value.",
        )
    seeds = read_trust_seeds(trust_seeds) if trust_seeds is not None else None
    if "://" not in directory and not (Path(directory) / "links.parquet").exists():
        raise _no_table(directory, "links")  # said before Spark takes seconds to start
    timings: dict[str, float] = {}
    started = time.perf_counter()
    spark = session or spark_session(master, app_name="linkequity rank", config=config)
    ranked = read_ranked_links(spark, directory, snapshot_id=snapshot_id)
    links = ranked.links.count()
    if links == 0:
        raise UsageError(
            f"{directory} holds no followed, live link to rank",
            hint="Extract archives with `linkequity spark extract` or export a project "
            "that has links; nofollow, sponsored, ugc and lost links do not count.",
        )
    graph = level_graph(ranked, level)
    seed_pages, unmatched = (None, ()) if seeds is None else _seed_pages(graph.pages, *seeds)
    timings["load"] = _lap(started)
    ranks, pagerank, trust = rank_level(
        graph,
        damping=damping,
        seed_pages=seed_pages,
        tol=tol,
        max_iter=max_iter,
        checkpoint_every=checkpoint_every,
    )
    written = [_write_ranks(ranks, graph, out)]
    timings["rank"] = _lap(started) - timings["load"]
    harmonic: bool | None = None
    if cc_ranks:
        hosts = graph if level == "host" else level_graph(ranked, "host")
        host_ranks = (
            ranks
            if level == "host"
            else rank_level(
                hosts,
                damping=damping,
                tol=tol,
                max_iter=max_iter,
                checkpoint_every=checkpoint_every,
            )[0]
        )
        path, harmonic = cc.write_cc_ranks(
            host_ranks.join(hosts.nodes.select("id"), "id"),
            hosts,
            Path(out) / cc.CC_RANKS_FILE,
            max_work=cc.HARMONIC_MAX_WORK if harmonic_max_work is None else harmonic_max_work,
        )
        written.append(str(path))
        timings["cc_ranks"] = _lap(started) - timings["load"] - timings["rank"]
    return SparkRankReport(
        level=level,
        snapshot_id=ranked.snapshot_id,
        links=links,
        nodes=pagerank.n_nodes,
        edges=graph.edges.count(),
        iterations=pagerank.iterations,
        trust_iterations=0 if trust is None else trust.iterations,
        trust_seeds=0 if seed_pages is None else seed_pages.count(),
        unmatched_seeds=unmatched,
        written=tuple(written),
        harmonic=harmonic,
        timings_s={phase: round(seconds, 3) for phase, seconds in timings.items()},
    )


_LINK_COLUMNS = (
    "source_url_id",
    "target_url_id",
    "is_nofollow",
    "is_sponsored",
    "is_ugc",
    "lost_at",
    "first_snapshot_id",
)
_URL_COLUMNS = ("id", "url", "host", "reversed_host", "domain")
_FALSE = False


def _checked_level(level: str) -> Level:
    for known in LEVELS:
        if level == known:
            return known
    raise UsageError(f"unknown level {level!r}", hint="Use page, host or domain.")


def _read_table(
    spark: SparkSession, directory: str, table: str, columns: tuple[str, ...]
) -> DataFrame:
    frame = _read_optional(spark, directory, table)
    if frame is None:
        raise _no_table(directory, table)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise UsageError(
            f"{directory}/{table}.parquet lacks the column(s) {', '.join(missing)}",
            hint="Write the dataset with `linkequity spark extract` or `linkequity parquet "
            "export`.",
        )
    return frame


def _no_table(directory: str, table: str) -> UsageError:
    return UsageError(
        f"{directory} holds no {table}.parquet",
        hint="Point at the folder `linkequity spark extract` or `linkequity parquet export` wrote.",
    )


def _read_optional(spark: SparkSession, directory: str, table: str) -> DataFrame | None:
    from pyspark.errors import AnalysisException

    try:
        return spark.read.parquet(f"{directory.rstrip('/')}/{table}.parquet")
    except AnalysisException:
        return None


def _seed_pages(
    pages: DataFrame, urls: list[str], domains: list[str]
) -> tuple[DataFrame, tuple[str, ...]]:
    """Return the ``url_id`` of the pages the seeds name, and the seeds that match none."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    is_seed = F.col("url").isin(urls) | F.col("domain").isin(domains)
    seeds = pages.where(is_seed).select("url_id", "url", "domain").persist()
    found = seeds.select("url", "domain").collect()
    found_urls = {row["url"] for row in found}
    found_domains = {row["domain"] for row in found}
    unmatched = tuple(
        [url for url in urls if url not in found_urls]
        + [domain for domain in domains if domain not in found_domains]
    )
    if not found:
        raise UsageError(
            f"none of the {len(urls) + len(domains)} trust seeds is a page or domain of the graph",
            hint="List URLs or domains that link or are linked in the dataset.",
        )
    return seeds.select("url_id"), unmatched


def _write_ranks(ranks: DataFrame, graph: LevelGraph, out: str) -> str:
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    name = _NAME[graph.level]
    columns: list[Column | str] = [
        F.col("name").alias(name),
        "pagerank",
        "authority",
        "trust",
        "spam_mass",
    ]
    if graph.level == "page":
        columns.insert(0, F.col("id").alias("url_id"))
    elif graph.level == "host":
        reversed_hosts = graph.pages.select("host", "reversed_host").distinct()
        ranks = ranks.join(reversed_hosts, ranks["name"] == reversed_hosts["host"]).drop("host")
        columns.insert(1, "reversed_host")
    path = f"{out.rstrip('/')}/{graph.level}_ranks.parquet"
    ranks.select(*columns).orderBy(F.desc("pagerank"), name).write.mode("overwrite").parquet(path)
    return path


def _max(frame: DataFrame, column: str) -> float:
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    row = frame.agg(F.max(column).alias("top")).first()
    return 0.0 if row is None or row["top"] is None else float(row["top"])


def _lap(started: float) -> float:
    return time.perf_counter() - started
