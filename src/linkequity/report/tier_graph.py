"""The tier graph of a target laid out in columns and drawn as SVG.

The target is one node on the right; tier-1 pages make the next column, most
equity first, then tier 2 and tier 3, each page placed at the mean height of
the pages it links to so that edges cross little. The layout is deterministic
(ties go by URL). Only the tier-1 pages carrying most equity are drawn, and
the pages of the next tiers that link to the drawn ones, most followed links
first; the counts hidden are given.

A node's radius grows with the page's 0-100 authority that ``linkequity
rank`` stored, when the project was ranked (a page it did not score is drawn
smallest); else a tier-1 page's with the equity it passes to the target and a
tier-2 or tier-3 page's with the followed links it gives to the pages drawn.
A tier-1 page's edge to the target is as wide as the equity it carries (its
followed-link flow into the target, as ``linkequity tiers`` measures it);
deeper edges are thin, the tier map measuring no equity along them.
Unfollowed edges are dashed: they carry no equity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from linkequity.report.charts import format_value, svg_number

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["GraphEdge", "GraphNode", "TierLayout", "layout_tiers", "render_tier_svg"]

#: Most pages drawn per tier by default.
MAX_NODES = {1: 30, 2: 40, 3: 30}
TARGET = "(target)"
_COLUMN_WIDTH = 230
_ROW_HEIGHT = 26
_MARGIN = 40
_MIN_HEIGHT = 260
_TARGET_RADIUS = 16.0
_LABELLED = 8


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A drawn page (or the target): where it is, how big, and what it stands for."""

    url: str
    domain: str
    tier: int
    x: float
    y: float
    radius: float
    equity: float | None
    authority: float | None
    followed_links: int
    links: int


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """Links from one drawn page to another, collapsed: width and whether any is followed."""

    source: int
    target: int
    tier: int
    links: int
    is_followed: bool
    width: float
    equity: float | None


@dataclass(frozen=True, slots=True)
class TierLayout:
    """The drawn nodes and edges, the canvas size, and pages per tier shown and in all."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    width: float
    height: float
    shown: dict[int, int]
    total: dict[int, int]
    is_sized_by_authority: bool = False

    @property
    def hidden(self) -> dict[int, int]:
        """Pages of each tier not drawn."""
        return {tier: self.total[tier] - self.shown.get(tier, 0) for tier in self.total}


def layout_tiers(
    tiers: Mapping[str, Any],
    *,
    authority: Mapping[str, float] | None = None,
    max_nodes: Mapping[int, int] | None = None,
) -> TierLayout:
    """Lay the tier map of ``TiersReport.as_dict()`` out in columns, capped per tier.

    Parameters
    ----------
    tiers : mapping
        The plain values of a ``TiersReport`` (``pages``, ``edges``, ``tiers``).
    authority : mapping of str to float, optional
        The stored 0-100 authority of pages, by URL: the radius grows with it
        when given (not empty).
    max_nodes : mapping of int to int, optional
        Most pages drawn per tier; ``MAX_NODES`` by default.

    Returns
    -------
    TierLayout
    """
    caps = {**MAX_NODES, **(max_nodes or {})}
    total = {int(row["tier"]): int(row["pages"]) for row in tiers["tiers"]}
    edges_by_tier: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for edge in tiers["edges"]:
        edges_by_tier[int(edge["tier"])].append(edge)

    tier1 = list(tiers["pages"])[: caps.get(1, 0)]
    columns: dict[int, list[str]] = {0: [TARGET], 1: [str(page["url"]) for page in tier1]}
    equity = {str(page["url"]): float(page["equity"]) for page in tier1}
    domain = {str(page["url"]): str(page["domain"]) for page in tier1}
    domain[TARGET] = ", ".join(str(name) for name in tiers.get("target_domains", ()))
    tier_of = {TARGET: 0, **{url: 1 for url in columns[1]}}

    collapsed: dict[tuple[str, str], list[int]] = {}
    followed_out: dict[str, int] = defaultdict(int)
    for tier in sorted(edges_by_tier):
        if tier == 1:
            for edge in edges_by_tier[1]:
                source = str(edge["source"])
                if source in equity:
                    _collapse(collapsed, (source, TARGET), bool(edge["is_followed"]))
            continue
        shown_below = set(columns.get(tier - 1, ()))
        score: dict[str, list[int]] = {}
        for edge in edges_by_tier[tier]:
            target = str(edge["target"])
            if target not in shown_below:
                continue
            source = str(edge["source"])
            counts = score.setdefault(source, [0, 0])
            counts[0] += bool(edge["is_followed"])
            counts[1] += 1
            domain.setdefault(source, str(edge.get("source_domain") or ""))
        chosen = sorted(score, key=lambda url: (-score[url][0], -score[url][1], url))
        chosen = chosen[: caps.get(tier, 0)]
        columns[tier] = chosen
        tier_of.update({url: tier for url in chosen})
        keep = set(chosen)
        for edge in edges_by_tier[tier]:
            source, target = str(edge["source"]), str(edge["target"])
            if source in keep and target in shown_below:
                _collapse(collapsed, (source, target), bool(edge["is_followed"]))
    for (source, _), (links, followed) in collapsed.items():
        followed_out[source] += followed if links else 0

    ys = _place(columns, collapsed)
    depth = max(columns)
    tallest = max(len(urls) for urls in columns.values())
    height = max(_MIN_HEIGHT, 2 * _MARGIN + tallest * _ROW_HEIGHT)
    width = 2 * _MARGIN + depth * _COLUMN_WIDTH + 180
    top_equity = max(equity.values(), default=0.0)
    top_links = max((followed_out[url] for t in columns if t >= 2 for url in columns[t]), default=0)

    nodes: list[GraphNode] = []
    index: dict[str, int] = {}
    for tier in sorted(columns, reverse=True):
        x = _MARGIN + 140 + (depth - tier) * _COLUMN_WIDTH
        for url in columns[tier]:
            index[url] = len(nodes)
            nodes.append(
                GraphNode(
                    url=url,
                    domain=domain.get(url, ""),
                    tier=tier,
                    x=x,
                    y=_MARGIN + ys[url] * (height - 2 * _MARGIN),
                    radius=_radius(url, tier, equity, top_equity, followed_out, top_links)
                    if not authority
                    else _authority_radius(tier, authority.get(url)),
                    equity=equity.get(url),
                    authority=(authority or {}).get(url) if tier else None,
                    followed_links=followed_out[url],
                    links=sum(c[0] for (s, _), c in collapsed.items() if s == url),
                )
            )
    edges = [
        GraphEdge(
            source=index[source],
            target=index[target],
            tier=tier_of[source],
            links=links,
            is_followed=followed > 0,
            width=_width(tier_of[source], followed > 0, equity.get(source), top_equity),
            equity=equity.get(source) if tier_of[source] == 1 else None,
        )
        for (source, target), (links, followed) in sorted(collapsed.items())
    ]
    shown = {tier: len(urls) for tier, urls in columns.items() if tier >= 1}
    return TierLayout(
        tuple(nodes),
        tuple(edges),
        width,
        height,
        shown,
        total,
        is_sized_by_authority=bool(authority),
    )


def _collapse(
    collapsed: dict[tuple[str, str], list[int]], key: tuple[str, str], followed: bool
) -> None:
    counts = collapsed.setdefault(key, [0, 0])
    counts[0] += 1
    counts[1] += followed


def _place(
    columns: dict[int, list[str]], collapsed: dict[tuple[str, str], list[int]]
) -> dict[str, float]:
    """Return each page's height in ``[0, 1]``: tier 1 by equity, the next by their targets'."""
    ys: dict[str, float] = {TARGET: 0.5}
    ys.update(_spread(columns.get(1, [])))
    targets: dict[str, list[str]] = defaultdict(list)
    for source, target in collapsed:
        targets[source].append(target)
    for tier in sorted(t for t in columns if t >= 2):
        order = sorted(
            columns[tier],
            key=lambda url: (sum(ys[t] for t in targets[url]) / max(len(targets[url]), 1), url),
        )
        ys.update(_spread(order))
    return ys


def _spread(urls: list[str]) -> dict[str, float]:
    if len(urls) == 1:
        return {urls[0]: 0.5}
    return {url: i / (len(urls) - 1) for i, url in enumerate(urls)}


def _radius(
    url: str,
    tier: int,
    equity: Mapping[str, float],
    top_equity: float,
    followed_out: Mapping[str, int],
    top_links: int,
) -> float:
    if tier == 0:
        return _TARGET_RADIUS
    if tier == 1:
        share = equity[url] / top_equity if top_equity > 0 else 0.0
        return round(3.0 + 8.0 * math.sqrt(max(share, 0.0)), 2)
    share = followed_out[url] / top_links if top_links else 0.0
    return round(2.5 + 4.5 * math.sqrt(share), 2)


def _authority_radius(tier: int, authority: float | None) -> float:
    if tier == 0:
        return _TARGET_RADIUS
    if authority is None:
        return 2.5
    return round(2.5 + 8.5 * math.sqrt(min(max(authority, 0.0), 100.0) / 100.0), 2)


def _width(tier: int, is_followed: bool, equity: float | None, top_equity: float) -> float:
    if not is_followed:
        return 0.75
    if tier == 1 and equity is not None and top_equity > 0:
        return round(0.75 + 6.0 * equity / top_equity, 2)
    return 1.0


def render_tier_svg(layout: TierLayout, *, graph_id: str = "tier-graph-drawing") -> Markup:
    """Draw the layout as SVG: edges, then nodes with a ``<title>`` each (hover works without JS).

    Each node is a ``g.node`` with ``data-node`` (its index), ``data-tier``,
    ``data-url``, ``data-domain``, ``data-equity``, ``data-authority`` and
    ``data-followed-links``;
    each edge a ``path.edge`` with ``data-source``, ``data-target``,
    ``data-links`` and ``data-equity``. Every text is escaped.
    """
    edges = Markup("").join(
        Markup(
            '<path class="edge tier-{tier}{kind}" d="M{x1} {y1} C{mx} {y1} {mx} {y2} {x2} {y2}" '
            'stroke-width="{w}" data-source="{s}" data-target="{t}" data-links="{links}" '
            'data-equity="{eq}"/>'
        ).format(
            tier=edge.tier,
            kind="" if edge.is_followed else " unfollowed",
            x1=svg_number(layout.nodes[edge.source].x),
            y1=svg_number(layout.nodes[edge.source].y),
            x2=svg_number(layout.nodes[edge.target].x),
            y2=svg_number(layout.nodes[edge.target].y),
            mx=svg_number((layout.nodes[edge.source].x + layout.nodes[edge.target].x) / 2),
            w=edge.width,
            s=edge.source,
            t=edge.target,
            links=edge.links,
            eq="" if edge.equity is None else repr(edge.equity),
        )
        for edge in layout.edges
    )
    labelled = _labelled(layout)
    nodes = Markup("").join(
        Markup(
            '<g class="node tier-{tier}" data-node="{i}" data-tier="{tier}" data-url="{url}" '
            'data-domain="{domain}" data-equity="{eq}" data-authority="{authority}" '
            'data-followed-links="{fl}" tabindex="0">'
            '<circle cx="{x}" cy="{y}" r="{r}"/><title>{tip}</title>{label}</g>'
        ).format(
            tier=node.tier,
            i=i,
            url=node.url,
            domain=node.domain,
            eq="" if node.equity is None else repr(node.equity),
            authority="" if node.authority is None else repr(node.authority),
            fl=node.followed_links,
            x=svg_number(node.x),
            y=svg_number(node.y),
            r=node.radius,
            tip=_tip(node),
            label=Markup('<text x="{x}" y="{y}" text-anchor="{anchor}">{text}</text>').format(
                x=svg_number(node.x + (node.radius + 4) * (1 if node.tier == 0 else -1)),
                y=svg_number(node.y + 4),
                anchor="start" if node.tier == 0 else "end",
                text=node.domain or node.url,
            )
            if i in labelled
            else "",
        )
        for i, node in enumerate(layout.nodes)
    )
    headings = Markup("").join(
        Markup('<text class="column" x="{x}" y="18" text-anchor="middle">{name}</text>').format(
            x=svg_number(next(n.x for n in layout.nodes if n.tier == tier)),
            name="target" if tier == 0 else f"tier {tier}",
        )
        for tier in sorted({node.tier for node in layout.nodes})
    )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="tier-graph" '
        'viewBox="0 0 {w} {h}" data-width="{w}" data-height="{h}" role="img" '
        'aria-labelledby="{id}-title"><title id="{id}-title">Tier graph: {summary}</title>'
        '{headings}<g class="viewport"><g class="edges">{edges}</g><g class="nodes">{nodes}</g>'
        "</g></svg>"
    ).format(
        id=graph_id,
        w=svg_number(layout.width),
        h=svg_number(layout.height),
        summary=", ".join(
            f"tier {tier}: {layout.shown.get(tier, 0)} of {count} pages drawn"
            for tier, count in sorted(layout.total.items())
        ),
        headings=headings,
        edges=edges,
        nodes=nodes,
    )


def _labelled(layout: TierLayout) -> set[int]:
    """Return the nodes labelled: the target and the tier-1 pages of most equity."""
    tier1 = [i for i, node in enumerate(layout.nodes) if node.tier == 1][:_LABELLED]
    return {i for i, node in enumerate(layout.nodes) if node.tier == 0} | set(tier1)


def _tip(node: GraphNode) -> str:
    if node.tier == 0:
        return f"target: {node.domain}"
    score = "" if node.authority is None else f"; authority {node.authority:.0f}"
    if node.tier == 1:
        return f"tier 1: {node.url}; equity {format_value(node.equity)}{score}"
    return (
        f"tier {node.tier}: {node.url}; {node.followed_links} followed links to the next tier"
        f"{score}"
    )
