"""Use cases: rank any edge-list file, and rank a project's link graph into its store.

``rank_edge_list`` is for researchers: PageRank (optionally personalised) of a
file of ``source target [weight]`` lines. ``rank_snapshot`` scores the pages
and registrable domains of a project: PageRank and 0-100 authority, trust and
spam mass from trusted seeds, referring pages and domains; it writes them to
``page_metrics`` and ``domain_metrics`` for the snapshot, replacing earlier
scores of that snapshot.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.errors import InvalidUrl, NotConverged, StoreCorrupt, UsageError, command_line
from linkequity.graph import (
    LinkGraph,
    domain_graph,
    domain_referring_counts,
    hits,
    page_authority,
    pagerank_report,
    propose_trust_seeds,
    referring_counts,
    spam_mass,
    trustrank,
)
from linkequity.model.urls import normalize_url, registrable_domain, url_host
from linkequity.services.project import open_existing
from linkequity.sources.edge_list import read_edge_list, read_node_weights
from linkequity.store import DOMAIN_METRICS_SCHEMA, PAGE_METRICS_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from linkequity.sources.edge_list import EdgeList
    from linkequity.store import Store

#: Url ids per node above which the numbering is sparse enough for a binary search.
_SPARSE_IDS = 8
_SPARSE_SLACK = 1_000_000

#: Share of all pages assumed good when a few trusted seeds stand for them in
#: spam mass (Gyöngyi et al. 2006 took 0.85): without it, a handful of seeds
#: gives nearly every page a relative spam mass close to 1.
_GOOD_FRACTION = 0.85

#: The phases ``rank_snapshot`` reports, in order.
PHASES = ("load", "rank", "domains", "write")

__all__ = [
    "PHASES",
    "EdgeListRanking",
    "RankReport",
    "RankedItem",
    "rank_edge_list",
    "rank_snapshot",
    "read_trust_seeds",
    "stored_ranking",
]


@dataclass(frozen=True, slots=True)
class EdgeListRanking:
    """The PageRank (and optionally HITS) of every node of an edge-list file.

    ``scores`` is indexed by node id; ``edges.node_names`` turns node ids back
    into the file's ids or labels. ``hubs`` and ``authorities`` are set when
    HITS was asked for.
    """

    edges: EdgeList
    n_edges: int
    damping: float
    scores: npt.NDArray[np.float64]
    iterations: int
    is_personalized: bool
    hubs: npt.NDArray[np.float64] | None = None
    authorities: npt.NDArray[np.float64] | None = None

    def order(self, top: int | None = None) -> npt.NDArray[np.int64]:
        """Return node ids by descending score (ties by node id), the first *top* of them."""
        ranked = np.argsort(-self.scores, kind="stable")
        return ranked if top is None else ranked[:top]


@dataclass(frozen=True, slots=True)
class RankedItem:
    """One page (``name`` its URL) or domain with its stored scores."""

    name: str
    pagerank: float
    authority: float
    trust: float | None
    spam_mass: float | None
    referring_domains: int
    referring_pages: int


@dataclass(frozen=True, slots=True)
class RankReport:
    """What ``rank_snapshot`` scored, or what a store holds for a snapshot."""

    snapshot_id: int
    pages: int
    domains: int
    links: int = 0
    page_edges: int = 0
    domain_edges: int = 0
    damping: float | None = None
    iterations: int = 0
    trust_seed_pages: int = 0
    unmatched_seeds: tuple[str, ...] = ()
    proposed_seeds: tuple[str, ...] = ()
    top_pages: tuple[RankedItem, ...] = ()
    top_domains: tuple[RankedItem, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain values, for JSON output."""
        return asdict(self)


def rank_edge_list(
    path: Path,
    *,
    damping: float = 0.85,
    base: int | None = None,
    skip: int = 0,
    labels: bool = False,
    personalize: Path | None = None,
    with_hits: bool = False,
) -> EdgeListRanking:
    """Compute the PageRank of every node of an edge-list file.

    Parameters
    ----------
    path : pathlib.Path
        ``source target [weight]`` lines (see ``sources.edge_list``); weights,
        when given, split a node's score among its out-links.
    damping : float, default 0.85
        PageRank damping, in ``(0, 1)``.
    base, skip, labels
        How to read the file: see :func:`linkequity.sources.edge_list.read_edge_list`.
    personalize : pathlib.Path, optional
        A file of node ids (with optional weights) to teleport to instead of
        every node alike; dangling nodes' scores go there too.
    with_hits : bool, default False
        Also compute HITS hubs and authorities.

    Returns
    -------
    EdgeListRanking
        Scores indexed by node id.

    Raises
    ------
    UsageError
        If the file cannot be read, holds no edge, or ``damping`` is out of range.
    NotConverged
        If the power iteration does not settle.
    """
    _check_damping(damping)
    edges = read_edge_list(path, base=base, skip=skip, labels=labels)
    if edges.n_lines == 0:
        raise UsageError(f"{path} holds no edge", hint="Give a file of `source target` lines.")
    teleport = None if personalize is None else read_node_weights(personalize, edges)
    graph = LinkGraph.from_arrays(
        edges.sources, edges.targets, edges.n_nodes, weights=edges.weights
    )
    with _hinted_not_converged():
        ranked = pagerank_report(graph, damping=damping, teleport=teleport)
    hubs, authorities = hits(graph) if with_hits else (None, None)
    return EdgeListRanking(
        edges=edges,
        n_edges=graph.n_edges,
        damping=damping,
        scores=ranked.scores,
        iterations=ranked.iterations,
        is_personalized=teleport is not None,
        hubs=hubs,
        authorities=authorities,
    )


def read_trust_seeds(path: Path) -> tuple[list[str], list[str]]:
    """Read a file of trusted URLs and domains, one a line (``#`` starts a comment).

    Returns
    -------
    urls, domains : list of str
        Normalised URLs (lines with ``://``) and registrable domains (the
        other lines, a host standing for its registrable domain).

    Raises
    ------
    UsageError
        If the file cannot be read, a URL cannot be normalised, or it lists nothing.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read trust seeds {path}: {exc}", hint="Check the path.") from exc
    urls: list[str] = []
    domains: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if "://" in line:
                urls.append(normalize_url(line))
            else:
                host = url_host(normalize_url(f"http://{line}/"))
                domains.append(registrable_domain(host) or host)
        except InvalidUrl as exc:
            raise UsageError(
                f"{path}, line {number}: {line!r} is neither a URL nor a domain",
                hint="List trusted sites as domains (example.org) or URLs (https://example.org/).",
            ) from exc
    if not urls and not domains:
        raise UsageError(f"{path} lists no trusted URL or domain", hint="List one a line.")
    return urls, domains


def rank_snapshot(
    db: Path,
    *,
    snapshot_id: int | None = None,
    trust_seeds: Path | None = None,
    damping: float = 0.85,
    top: int = 10,
    propose_seeds: int = 0,
    on_phase: Callable[[str], None] | None = None,
) -> RankReport:
    """Score the pages and domains of a project's link graph and store the scores.

    The graph is the links that the snapshot ranks (see ``store.metrics``):
    followed, not lost, known by the snapshot. Its nodes are every URL at
    either end of one; domains are registrable domains.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    snapshot_id : int, optional
        The snapshot to score; the latest by default.
    trust_seeds : pathlib.Path, optional
        Trusted URLs and domains (see :func:`read_trust_seeds`): with them,
        TrustRank and relative spam mass are computed and stored, at page
        level from the seed pages (every page of a seed domain) and at domain
        level from their domains.
    damping : float, default 0.85
        PageRank damping, in ``(0, 1)``.
    top : int, default 10
        Pages and domains of highest PageRank the report lists, read back
        from the store.
    propose_seeds : int, default 0
        Domains to propose as trust seeds for a person to review: the best by
        inverse PageRank of the domain graph (Gyöngyi et al. 2004).
    on_phase : callable, optional
        Told the name of each phase of :data:`PHASES` as it starts.

    Returns
    -------
    RankReport
        Counts, what the seeds matched, the top pages and domains, and the
        seconds each phase took.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the snapshot does not exist, it has no followed link, no trust
        seed is in the graph, or ``damping`` is out of range.
    NotConverged
        If a power iteration does not settle.
    """
    _check_damping(damping)
    seeds = read_trust_seeds(trust_seeds) if trust_seeds is not None else None
    tell = on_phase or _ignore_phase
    timer = _PhaseTimer(tell)
    with open_existing(db) as store:
        timer.start("load")
        snapshot = _snapshot(store, snapshot_id, db)
        links, nodes = store.link_graph(snapshot)
        if links.num_rows == 0:
            raise UsageError(
                f"snapshot {snapshot} of {db} has no followed link to rank",
                hint="Import backlink exports, ingest archives or crawl first; nofollow, "
                "sponsored, ugc and lost links do not count.",
            )
        url_ids = _int64(nodes.column("url_id"))
        node_of = _node_numbering(url_ids)
        sources = node_of(_int64(links.column("source_url_id")))
        targets = node_of(_int64(links.column("target_url_id")))
        if sources.size and min(int(sources.min()), int(targets.min())) < 0:
            raise StoreCorrupt(
                f"links of {db} refer to URLs that its urls table does not hold",
                hint="The project file is damaged; import or crawl into a new one.",
            )
        graph = LinkGraph.from_arrays(sources, targets, url_ids.size)
        domain_names = pc.unique(nodes.column("domain"))
        domain_names = domain_names.take(pc.sort_indices(domain_names))
        domain_of_page = _int64(pc.index_in(nodes.column("domain"), value_set=domain_names))
        n_domains = len(domain_names)
        seed_pages, unmatched = (
            _seed_pages(store, url_ids, nodes.column("domain"), *seeds)
            if seeds is not None
            else (np.zeros(0, np.int64), ())
        )

        timer.start("rank")
        with _hinted_not_converged():
            ranked = pagerank_report(graph, damping=damping)
        pages = page_authority(graph, damping=damping, pagerank_scores=ranked.scores)
        page_counts = referring_counts(graph, domain_of_page, n_domains)
        page_trust = page_spam = None
        if seed_pages.size:
            page_trust = trustrank(graph, seed_pages, damping=damping)
            page_spam = spam_mass(
                graph,
                seed_pages,
                damping=damping,
                good_fraction=_GOOD_FRACTION,
                pagerank_scores=pages.pagerank,
            ).relative

        timer.start("domains")
        domain_links = domain_graph(graph, domain_of_page, n_domains)
        # The domain graph is a graph like any other: the page formulas rank it
        # (what domain_authority does, without building the graph twice).
        domains = page_authority(domain_links, damping=damping)
        domain_counts = domain_referring_counts(graph, domain_of_page, n_domains)
        proposed = domain_names.take(propose_trust_seeds(domain_links, propose_seeds))
        domain_trust = domain_spam = None
        if seed_pages.size:
            seed_domains = np.unique(domain_of_page[seed_pages])
            domain_trust = trustrank(domain_links, seed_domains, damping=damping)
            domain_spam = spam_mass(
                domain_links,
                seed_domains,
                damping=damping,
                good_fraction=_GOOD_FRACTION,
                pagerank_scores=domains.pagerank,
            ).relative

        timer.start("write")
        store.replace_metrics(
            snapshot,
            _metrics_table(
                PAGE_METRICS_SCHEMA,
                nodes.column("url_id"),
                pages.pagerank,
                pages.authority,
                page_trust,
                page_spam,
                page_counts.referring_domains,
                page_counts.referring_pages,
            ),
            _metrics_table(
                DOMAIN_METRICS_SCHEMA,
                domain_names,
                domains.pagerank,
                domains.authority,
                domain_trust,
                domain_spam,
                domain_counts.referring_domains,
                domain_counts.referring_pages,
            ),
        )
        top_pages, top_domains = _top(store, snapshot, top)
        timer.stop()
    return RankReport(
        snapshot_id=snapshot,
        pages=graph.n_nodes,
        domains=n_domains,
        links=links.num_rows,
        page_edges=graph.n_edges,
        domain_edges=domain_links.n_edges,
        damping=damping,
        iterations=ranked.iterations,
        trust_seed_pages=int(seed_pages.size),
        unmatched_seeds=unmatched,
        proposed_seeds=tuple(str(domain) for domain in proposed.to_pylist()),
        top_pages=top_pages,
        top_domains=top_domains,
        timings_s=timer.seconds,
    )


def stored_ranking(db: Path, *, snapshot_id: int | None = None, top: int = 10) -> RankReport:
    """Read back the scores a project holds: the latest ranked snapshot unless given.

    Raises
    ------
    StoreError
        If the project is missing or not a store.
    UsageError
        If no snapshot (or not *snapshot_id*) has scores.
    """
    with open_existing(db, read_only=True) as store:
        snapshot = snapshot_id if snapshot_id is not None else store.ranked_snapshot_id()
        n_pages, n_domains = store.metrics_counts(snapshot) if snapshot is not None else (0, 0)
        if snapshot is None or n_pages == 0:
            which = "no snapshot" if snapshot_id is None else f"snapshot {snapshot_id}"
            raise UsageError(
                f"{which} of {db} has scores",
                hint=f"Compute them with `{command_line('rank', '--db', db)}`.",
            )
        top_pages, top_domains = _top(store, snapshot, top)
    return RankReport(
        snapshot_id=snapshot,
        pages=n_pages,
        domains=n_domains,
        top_pages=top_pages,
        top_domains=top_domains,
    )


class _PhaseTimer:
    def __init__(self, tell: Callable[[str], None]) -> None:
        self._tell = tell
        self._phase: str | None = None
        self._started = 0.0
        self.seconds: dict[str, float] = {}

    def start(self, phase: str) -> None:
        self.stop()
        self._tell(phase)
        self._phase, self._started = phase, _now()

    def stop(self) -> None:
        if self._phase is not None:
            self.seconds[self._phase] = round(_now() - self._started, 3)
            self._phase = None


def _now() -> float:
    return time.perf_counter()


def _ignore_phase(phase: str) -> None:
    del phase


@contextmanager
def _hinted_not_converged() -> Iterator[None]:
    try:
        yield
    except NotConverged as err:
        err.hint = (
            "Lower --damping: the closer it is to 1, the more rounds PageRank takes "
            "(0.85 settles in well under 200 on web graphs)."
        )
        raise


def _check_damping(damping: float) -> None:
    if not 0.0 < damping < 1.0:
        raise UsageError(
            f"damping must be between 0 and 1 (exclusive), got {damping}",
            hint="0.85 is the usual value.",
        )


def _snapshot(store: Store, snapshot_id: int | None, db: Path) -> int:
    if snapshot_id is None:
        latest = store.latest_snapshot_id()
        if latest is None:
            raise UsageError(
                f"{db} holds no snapshot to rank",
                hint="Import backlink exports, ingest archives or crawl into it first.",
            )
        return latest
    if not store.snapshot_exists(snapshot_id):
        raise UsageError(
            f"{db} has no snapshot {snapshot_id}",
            hint="Leave out --snapshot to rank the latest one.",
        )
    return snapshot_id


def _node_numbering(
    url_ids: npt.NDArray[np.int64],
) -> Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]]:
    """Return the map from url ids to node ids ``0..n-1``, the positions in the sorted *url_ids*.

    The map gives -1 for an id that *url_ids* lacks.
    """
    highest = int(url_ids[-1]) if url_ids.size else -1
    if highest >= _SPARSE_IDS * url_ids.size + _SPARSE_SLACK:

        def search(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
            found = np.searchsorted(url_ids, ids).astype(np.int64)
            clipped = np.minimum(found, url_ids.size - 1)
            return np.where(url_ids[clipped] == ids, found, -1)

        return search
    # The store numbers URLs densely: a lookup table is one gather per link,
    # where a binary search is some twenty cache misses.
    lookup = np.full(highest + 2, -1, dtype=np.int64)
    lookup[url_ids] = np.arange(url_ids.size, dtype=np.int64)
    return lambda ids: lookup[np.clip(ids, -1, highest + 1)]


def _seed_pages(
    store: Store,
    url_ids: npt.NDArray[np.int64],
    domain_of_node: pa.ChunkedArray[Any],
    urls: list[str],
    domains: list[str],
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Return the pages a seed list names (its URLs, every page of its domains), and the misses."""
    known = store.url_ids(urls)
    known_ids = _int64(known.column("url_id"))
    nodes = np.searchsorted(url_ids, known_ids)
    is_node = url_ids[np.minimum(nodes, max(url_ids.size - 1, 0))] == known_ids
    found_urls = set(pc.filter(known.column("url"), pa.array(is_node)).to_pylist())
    is_seed = np.asarray(
        pc.is_in(domain_of_node, value_set=pa.array(domains, pa.string())).to_numpy(
            zero_copy_only=False
        ),
        dtype=np.bool_,
    )
    is_seed[nodes[is_node]] = True
    found_domains = set(pc.unique(pc.filter(domain_of_node, pa.array(is_seed))).to_pylist())
    unmatched = tuple(
        [url for url in urls if url not in found_urls]
        + [domain for domain in domains if domain not in found_domains]
    )
    seeds = np.flatnonzero(is_seed).astype(np.int64)
    if seeds.size == 0:
        raise UsageError(
            f"none of the {len(urls) + len(domains)} trust seeds is a page or domain of the graph",
            hint="List URLs or domains that link or are linked in the project.",
        )
    return seeds, unmatched


def _metrics_table(
    schema: pa.Schema,
    keys: pa.ChunkedArray[Any] | pa.Array[Any],
    pagerank_scores: npt.NDArray[np.float64],
    authority: npt.NDArray[np.float64],
    trust: npt.NDArray[np.float64] | None,
    spam: npt.NDArray[np.float64] | None,
    referring_domains: npt.NDArray[np.int64],
    referring_pages: npt.NDArray[np.int64],
) -> pa.Table:
    n = len(keys)
    missing = pa.nulls(n, pa.float64())
    return pa.Table.from_arrays(
        [
            keys,
            pa.array(pagerank_scores),
            pa.array(authority),
            missing if trust is None else pa.array(trust),
            missing if spam is None else pa.array(spam),
            pa.array(referring_domains),
            pa.array(referring_pages),
        ],
        schema=schema,
    )


def _top(
    store: Store, snapshot_id: int, limit: int
) -> tuple[tuple[RankedItem, ...], tuple[RankedItem, ...]]:
    return (
        _items(store.top_pages(snapshot_id, limit=limit)),
        _items(store.top_domains(snapshot_id, limit=limit)),
    )


def _items(table: pa.Table) -> tuple[RankedItem, ...]:
    return tuple(RankedItem(**row) for row in table.to_pylist())


def _int64(column: pa.ChunkedArray[Any] | pa.Array[Any]) -> npt.NDArray[np.int64]:
    return np.asarray(column.to_numpy(), dtype=np.int64)
