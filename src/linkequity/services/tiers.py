"""Use case: the tier map of a target in a project, with URLs, rel, placement and indexability.

The target is a registrable domain (every page of it the store knows), a host
(its pages), or URLs. Tiers follow every live link of the snapshot, whatever
its rel (``store.tiers``); equity and paths follow the followed links only,
ranked over the pages that ``linkequity rank`` ranks (``store.metrics``: the
ends of followed links), so the target's rank here is the one ``rank``
stores. The maths is ``analysis.tiers``; this module loads the columns,
numbers the URLs and joins names, link details and each source page's latest
fetch back on, column by column.

Indexability comes from the page's latest fetch by the snapshot: a page the
store holds no fetch of (a link only an export reported) is ``"unknown"``,
never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.analysis import tier_map
from linkequity.errors import UsageError
from linkequity.graph import LinkGraph
from linkequity.services.project import open_existing
from linkequity.services.targets import (
    domain_ids,
    int64_column,
    parse_target,
    resolve_snapshot,
    select_target_rows,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from linkequity.analysis import TierMap
    from linkequity.graph import AuthorityPath

__all__ = ["MAX_DEPTH", "TierPath", "TiersReport", "map_tiers"]

#: Deepest tier a map may ask for: past it, nearly every page of a web is in some tier.
MAX_DEPTH = 6

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TierPath:
    """A chain of followed links into the target (URLs or domains) and its share of the rank."""

    nodes: tuple[str, ...]
    share: float


@dataclass(frozen=True, slots=True)
class TiersReport:
    """The tier map of a target, with names joined on.

    Attributes
    ----------
    snapshot_id : int
        The snapshot whose live links were mapped.
    target : tuple of str
        The target as given.
    target_pages : int
        Pages of the target.
    target_domains : tuple of str
        Their registrable domains.
    depth : int
        Deepest tier looked for.
    damping : float
        PageRank damping.
    target_rank : float
        PageRank of the target's pages (the sum), as ``linkequity rank`` computes it.
    target_domain_rank : float
        PageRank of the target's domains on the domain graph.
    tiers : pyarrow.Table
        One row per tier: ``tier, pages, external_pages, internal_pages,
        external_links, internal_links``.
    pages : pyarrow.Table
        One row per tier-1 page, most equity first: ``url, domain, equity,
        share, influence, links, followed_links, placements, rels`` and the
        page's ``indexability`` (``indexable``, ``not indexable: REASON`` or
        ``unknown``) with ``status, is_indexable, non_indexable_reason,
        is_robots_allowed`` (``NULL`` when the store holds no fetch of it).
    domains : pyarrow.Table
        One row per tier-1 domain, most equity first: ``domain, equity,
        share, influence, pages``.
    edges : pyarrow.Table
        One row per tier edge: ``tier, is_internal, source, target,
        source_domain, anchor, rel, is_followed, is_nofollow, is_sponsored,
        is_ugc, placement, is_hidden`` and the source page's indexability
        columns as in ``pages``.
    paths, domain_paths : tuple of TierPath
        The top paths of each length, page level and domain level.
    """

    snapshot_id: int
    target: tuple[str, ...]
    target_pages: int
    target_domains: tuple[str, ...]
    depth: int
    damping: float
    target_rank: float
    target_domain_rank: float
    tiers: pa.Table
    pages: pa.Table
    domains: pa.Table
    edges: pa.Table
    paths: tuple[TierPath, ...]
    domain_paths: tuple[TierPath, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "target_pages": self.target_pages,
            "target_domains": list(self.target_domains),
            "depth": self.depth,
            "damping": self.damping,
            "target_rank": self.target_rank,
            "target_domain_rank": self.target_domain_rank,
            "tier_rule": "a page is in the lowest tier it reaches",
            "tiers": self.tiers.to_pylist(),
            "pages": self.pages.to_pylist(),
            "domains": self.domains.to_pylist(),
            "paths": [{"nodes": list(p.nodes), "share": p.share} for p in self.paths],
            "domain_paths": [{"nodes": list(p.nodes), "share": p.share} for p in self.domain_paths],
            "edges": self.edges.to_pylist(),
        }


def map_tiers(
    db: Path,
    target: list[str],
    *,
    depth: int = 3,
    snapshot_id: int | None = None,
    top: int = 10,
    damping: float = 0.85,
) -> TiersReport:
    """Draw the tier map of a target in a project: tiers, equity of tier 1, top paths.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain (all its pages), a host (its pages), or URLs;
        several are joined into one target.
    depth : int, default 3
        Deepest tier, from 1 to ``MAX_DEPTH``; also the longest path.
    snapshot_id : int, optional
        The snapshot whose links to map; the latest by default.
    top : int, default 10
        Paths kept for each length, page level and domain level.
    damping : float, default 0.85
        PageRank damping, in ``(0, 1)``.

    Returns
    -------
    TiersReport
        The map with URLs, link details and indexability joined on.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the store holds no live link, the snapshot does not exist, a
        target is in no URL of the store, or ``depth``, ``top`` or
        ``damping`` is out of range.
    InvalidUrl
        If a target cannot be read as a URL, host or domain.
    NotConverged
        If PageRank or an influence solve does not settle.

    Examples
    --------
    >>> report = map_tiers(Path("project.duckdb"), ["example.com"])  # doctest: +SKIP
    >>> report.pages.column("url")[0]  # doctest: +SKIP
    """
    _check_arguments(depth=depth, top=top, damping=damping, target=target)
    names, urls = parse_target(target)
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        links, nodes = store.live_links(snapshot)
        if links.num_rows == 0:
            raise UsageError(
                f"snapshot {snapshot} of {db} holds no live link to map",
                hint="Import backlink exports, ingest archives or crawl into it first.",
            )
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        followed, followed_nodes = store.link_graph(snapshot)

        url_ids = np.union1d(
            int64_column(nodes.column("url_id")), int64_column(target_rows.column("url_id"))
        )
        domain_names, domain_of_node = domain_ids(url_ids, nodes, target_rows)
        n = int(url_ids.size)
        graph = LinkGraph.from_arrays(
            np.searchsorted(url_ids, int64_column(followed.column("source_url_id"))),
            np.searchsorted(url_ids, int64_column(followed.column("target_url_id"))),
            n,
        )
        teleport: npt.NDArray[np.float64] | None = None
        if followed_nodes.num_rows:
            # Rank the pages `linkequity rank` ranks: URLs with no followed link get no share.
            teleport = np.zeros(n)
            teleport[np.searchsorted(url_ids, int64_column(followed_nodes.column("url_id")))] = 1.0
        mapped = tier_map(
            graph,
            np.searchsorted(url_ids, int64_column(links.column("source_url_id"))),
            np.searchsorted(url_ids, int64_column(links.column("target_url_id"))),
            domain_of_node,
            np.searchsorted(url_ids, int64_column(target_rows.column("url_id"))),
            depth=depth,
            top_paths=top,
            damping=damping,
            teleport=teleport,
        )
        shown = np.unique(
            np.concatenate(
                [
                    mapped.edges.sources,
                    mapped.edges.targets,
                    mapped.pages.nodes,
                    *(np.asarray(path.nodes, dtype=np.int64) for path in mapped.pages.paths),
                ]
            )
        )
        page_rows = _page_rows(store.page_details(snapshot, pa.array(url_ids[shown])))
        link_rows = store.link_details(
            pa.array(int64_column(links.column("link_id"))[mapped.edges.links])
        )
    return TiersReport(
        snapshot_id=snapshot,
        target=tuple(target),
        target_pages=target_rows.num_rows,
        target_domains=tuple(domain_names[int(i)] for i in mapped.target_domains),
        depth=depth,
        damping=damping,
        target_rank=mapped.pages.target_rank,
        target_domain_rank=mapped.domains.target_rank,
        tiers=_tier_table(mapped),
        pages=_pages_table(mapped, shown, page_rows, link_rows),
        domains=_domains_table(mapped, domain_names, domain_of_node),
        edges=_edges_table(mapped, shown, page_rows, link_rows),
        paths=_paths(mapped.pages.paths, lambda ids: _take_urls(page_rows, shown, ids)),
        domain_paths=_paths(mapped.domains.paths, lambda ids: [domain_names[int(i)] for i in ids]),
    )


def _check_arguments(*, depth: int, top: int, damping: float, target: list[str]) -> None:
    if not target:
        raise UsageError("no target given", hint="Give a domain, a host or URLs to map.")
    if not 1 <= depth <= MAX_DEPTH:
        raise UsageError(
            f"depth must be from 1 to {MAX_DEPTH}, got {depth}",
            hint="3 maps tier-3 -> tier-2 -> tier-1 -> target, the usual depth.",
        )
    if top < 1:
        raise UsageError(f"top must be at least 1, got {top}", hint="Pass --top 10, say.")
    if not 0.0 < damping < 1.0:
        raise UsageError(
            f"damping must be between 0 and 1 (exclusive), got {damping}",
            hint="0.85 is the usual value.",
        )


def _page_rows(details: pa.Table) -> pa.Table:
    """Add the ``indexability`` column: indexable, not indexable: REASON, or unknown."""
    indexable = details.column("is_indexable")
    reason: Any = pc.coalesce(details.column("non_indexable_reason"), pa.scalar(UNKNOWN))
    label = pc.if_else(
        pc.is_null(indexable),
        pa.scalar(UNKNOWN),
        pc.if_else(
            pc.fill_null(indexable, pa.scalar(False)),
            pa.scalar("indexable"),
            pc.binary_join_element_wise(pa.scalar("not indexable"), reason, pa.scalar(": ")),
        ),
    )
    return details.append_column("indexability", label)


_SOURCE_COLUMNS = (
    "indexability",
    "status",
    "is_indexable",
    "non_indexable_reason",
    "is_robots_allowed",
)


def _rows_of(shown: npt.NDArray[np.int64], nodes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.searchsorted(shown, nodes).astype(np.int64)


def _take_urls(
    page_rows: pa.Table, shown: npt.NDArray[np.int64], nodes: tuple[int, ...]
) -> list[str]:
    rows = _rows_of(shown, np.asarray(nodes, dtype=np.int64))
    return [str(url) for url in page_rows.column("url").take(rows).to_pylist()]


def _rel(link_rows: pa.Table) -> pa.Array[Any]:
    """``nofollow``, ``sponsored``, ``ugc`` as stated, space-separated; ``followed`` for none."""
    code = np.zeros(link_rows.num_rows, dtype=np.int64)
    for bit, flag in enumerate(_REL_FLAGS):
        # NULL, a flag no source stated, counts as unset (as ``linkequity rank`` reads it).
        is_set = np.asarray(
            link_rows.column(f"is_{flag}").to_numpy(zero_copy_only=False), dtype=object
        )
        code |= (is_set == True).astype(np.int64) << bit  # noqa: E712 - None stays False
    return _REL_LABELS.take(code)


_REL_FLAGS = ("nofollow", "sponsored", "ugc")
#: The label of each combination of flags, by the bits of ``_REL_FLAGS``.
_REL_LABELS = pa.array(
    [
        " ".join(flag for bit, flag in enumerate(_REL_FLAGS) if code >> bit & 1) or "followed"
        for code in range(1 << len(_REL_FLAGS))
    ],
    pa.string(),
)


def _edges_table(
    mapped: TierMap, shown: npt.NDArray[np.int64], page_rows: pa.Table, link_rows: pa.Table
) -> pa.Table:
    edges = mapped.edges
    sources = page_rows.take(_rows_of(shown, edges.sources))
    targets = page_rows.take(_rows_of(shown, edges.targets))
    rel = _rel(link_rows)
    columns: dict[str, Any] = {
        "tier": pa.array(edges.tiers),
        "is_internal": pa.array(edges.is_internal),
        "source": sources.column("url"),
        "target": targets.column("url"),
        "source_domain": sources.column("domain"),
        "anchor": link_rows.column("anchor"),
        "rel": rel,
        "is_followed": pc.equal(rel, pa.scalar("followed")),
        "is_nofollow": link_rows.column("is_nofollow"),
        "is_sponsored": link_rows.column("is_sponsored"),
        "is_ugc": link_rows.column("is_ugc"),
        "placement": link_rows.column("placement"),
        "is_hidden": link_rows.column("is_hidden"),
    }
    for name in _SOURCE_COLUMNS:
        columns[f"source_{name}"] = sources.column(name)
    return pa.table(columns)


def _pages_table(
    mapped: TierMap, shown: npt.NDArray[np.int64], page_rows: pa.Table, link_rows: pa.Table
) -> pa.Table:
    equity = mapped.pages
    rows = page_rows.take(_rows_of(shown, equity.nodes))
    edges = mapped.edges
    tier1 = np.flatnonzero(edges.tiers == 1)
    rank_of_page = np.searchsorted(equity.nodes[np.argsort(equity.nodes)], edges.sources[tier1])
    position = np.argsort(equity.nodes)[rank_of_page]
    rel = _rel(link_rows).take(tier1)
    is_followed = np.asarray(
        pc.equal(rel, pa.scalar("followed")).to_numpy(zero_copy_only=False), dtype=np.bool_
    )
    per_edge_columns: dict[str, Any] = {
        "position": pa.array(position),
        "placement": pc.fill_null(link_rows.column("placement").take(tier1), pa.scalar(UNKNOWN)),
        "rel": rel,
    }
    per_edge = pa.table(per_edge_columns)
    placements = _distinct_by_page(per_edge, "placement", int(equity.nodes.size))
    rels = _distinct_by_page(per_edge, "rel", int(equity.nodes.size))
    n_pages = int(equity.nodes.size)
    columns: dict[str, Any] = {
        "url": rows.column("url"),
        "domain": rows.column("domain"),
        "equity": pa.array(equity.equity),
        "share": pa.array(equity.shares),
        "influence": pa.array(equity.influence),
        "links": pa.array(np.bincount(position, minlength=n_pages)),
        "followed_links": pa.array(
            np.bincount(position, weights=is_followed, minlength=n_pages).astype(np.int64)
        ),
        "placements": placements,
        "rels": rels,
    }
    for name in _SOURCE_COLUMNS:
        columns[name] = rows.column(name)
    return pa.table(columns)


def _distinct_by_page(per_edge: pa.Table, column: str, n_pages: int) -> pa.ChunkedArray[Any]:
    """Collect the sorted distinct values of *column* for each page position ``0..n_pages-1``."""
    # Sorted first and grouped on one thread, the groups come by position and
    # each list in sorted order.
    grouped = (
        per_edge.select(["position", column])
        .sort_by([("position", "ascending"), (column, "ascending")])
        .group_by("position", use_threads=False)
        .aggregate([(column, "distinct")])
    )
    if not np.array_equal(int64_column(grouped.column("position")), np.arange(n_pages)):
        raise AssertionError("a tier-1 page without a tier-1 edge")
    return grouped.column(f"{column}_distinct")


def _domains_table(
    mapped: TierMap, domain_names: list[str], domain_of_node: npt.NDArray[np.int64]
) -> pa.Table:
    equity = mapped.domains
    tier1 = np.flatnonzero(mapped.tier_of_node == 1)
    pages = np.bincount(domain_of_node[tier1], minlength=len(domain_names))
    return pa.table(
        {
            "domain": pa.array(domain_names, pa.string()).take(equity.nodes),
            "equity": pa.array(equity.equity),
            "share": pa.array(equity.shares),
            "influence": pa.array(equity.influence),
            "pages": pa.array(pages[equity.nodes]),
        }
    )


def _tier_table(mapped: TierMap) -> pa.Table:
    counts = mapped.tier_counts()
    return pa.Table.from_pylist(
        [
            {
                "tier": count.tier,
                "pages": count.pages,
                "external_pages": count.external_pages,
                "internal_pages": count.internal_pages,
                "external_links": count.external_links,
                "internal_links": count.internal_links,
            }
            for count in counts
        ]
    )


def _paths(
    paths: list[AuthorityPath], names: Callable[[tuple[int, ...]], list[str]]
) -> tuple[TierPath, ...]:
    return tuple(TierPath(tuple(names(path.nodes)), path.share) for path in paths)
