"""Use case: link opportunities of a target: broken links, reclamation, brand mentions, gap.

Reads the snapshot's live links, the latest fetch of each page and the stored
page texts (``store.opportunities``), applies the rules of
``analysis.opportunities`` and joins URLs, anchors and authority back on.
Each part runs alone (``parts``); what the store cannot tell (no fetch, no
text, no ranking, no competitor) is said in the notes, never guessed.

Broken link building
    Live links from pages outside the target's domains to a dead URL
    (404, 410 or a DNS failure, by the URL's latest fetch) of another site.
    A prospect page is live (its latest fetch 2xx) or never fetched (then
    unverified), relevant to the target (best TF-IDF cosine to a page of
    the target at least ``min_relevance``; not measured without words) and
    ranked by ``authority / 100 * relevance``.

Reclamation
    Live links from other sites to the target's dead URLs; for each dead URL
    the live, indexable page of the target to 301 it to, chosen by the words
    of its slug and of the anchors pointing to it.

Unlinked brand mentions
    Pages outside the target's domains whose latest stored text or title
    names a brand and that have no live link (any rel) to the target's domains.

Competitor gap
    Registrable domains with live links to at least ``min_competitors`` of
    the competitors and none to the target's domains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.analysis.opportunities import (
    RedirectChoice,
    brand_pattern,
    brand_tokens,
    choose_redirects,
    competitor_gap,
    dead_reasons,
    derived_brand,
    find_mentions,
    prospect_order,
    slug_words,
)
from linkequity.analysis.relevance import RelevanceModel
from linkequity.errors import InvalidUrl, UsageError
from linkequity.model.urls import normalize_url, registrable_domain, url_host
from linkequity.report.csv import write_csv
from linkequity.services.project import open_existing
from linkequity.services.targets import (
    int64_column,
    parse_target,
    resolve_snapshot,
    select_target_rows,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from linkequity.store import Store

__all__ = [
    "PARTS",
    "OpportunitiesReport",
    "find_opportunities",
    "write_opportunities_csv",
]

#: The parts of a report, in the order they are shown.
PARTS = ("broken", "reclaim", "mentions", "gap")
#: Pairs of pages scored for relevance at a time.
_PAIRS_PER_BLOCK = 1_000_000


@dataclass(frozen=True, slots=True)
class OpportunitiesReport:
    """The link opportunities of a target; every row a plain dict.

    Attributes
    ----------
    snapshot_id : int
        The snapshot read.
    target : tuple of str
        The target as given; ``target_domains`` its registrable domains.
    parts : tuple of str
        The parts looked for (of ``PARTS``).
    authority_snapshot_id : int or None
        The ranked snapshot authority comes from; ``None`` when none was ranked.
    broken : list of dict
        Broken-link prospects, best first: ``url, domain, authority,
        relevance, priority, status, dead_links`` (each ``url, reason,
        anchor``) and ``why``.
    reclaim : list of dict
        The target's dead URLs, most referring domains first: ``url, reason,
        referring_domains, links`` (each ``source, domain, anchor,
        authority``), ``redirect_to, redirect_score, redirect_why``.
    mentions : list of dict
        Pages naming a brand without linking, highest authority first:
        ``url, domain, title, authority, mentions, matched, snippet``.
    gap : list of dict
        Domains linking to competitors and not to the target, most
        competitors first: ``domain, competitors, competitors_linked,
        authority, links, followed_links, pages``.
    found : dict of str to int
        How many of each part were found before ``top`` cut the lists.
    brands, competitors : tuple of str
        The brands looked for and the competitors' domains.
    min_competitors : int
        Fewest competitors a gap domain links to.
    notes : list of str
        What was not checked, and how the numbers are made.
    """

    snapshot_id: int
    target: tuple[str, ...]
    target_domains: tuple[str, ...]
    parts: tuple[str, ...]
    authority_snapshot_id: int | None
    broken: list[dict[str, Any]]
    reclaim: list[dict[str, Any]]
    mentions: list[dict[str, Any]]
    gap: list[dict[str, Any]]
    found: dict[str, int]
    brands: tuple[str, ...]
    competitors: tuple[str, ...]
    min_competitors: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "target_domains": list(self.target_domains),
            "parts": list(self.parts),
            "authority_snapshot_id": self.authority_snapshot_id,
            "brands": list(self.brands),
            "competitors": list(self.competitors),
            "min_competitors": self.min_competitors,
            "found": dict(self.found),
            "broken": self.broken,
            "reclaim": self.reclaim,
            "mentions": self.mentions,
            "gap": self.gap,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class _Context:
    store: Store
    snapshot: int
    target_ids: npt.NDArray[np.int64]
    target_domains: tuple[str, ...]
    fetches: int
    fetched_targets: int
    texts: int
    top: int
    notes: list[str]


def find_opportunities(
    db: Path,
    target: list[str],
    *,
    competitors: Sequence[str] | None = None,
    brands: Sequence[str] | None = None,
    min_competitors: int = 2,
    snapshot_id: int | None = None,
    top: int = 20,
    min_relevance: float = 0.2,
    parts: Sequence[str] = PARTS,
) -> OpportunitiesReport:
    """Find the link opportunities of a target in a project.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    competitors : sequence of str, optional
        Competitors' domains (or hosts, or URLs: their registrable domains count).
    brands : sequence of str, optional
        Brand names; the first label of each target domain when not given.
    min_competitors : int, default 2
        Fewest competitors a gap domain must link to.
    snapshot_id : int, optional
        The snapshot; the latest by default.
    top : int, default 20
        Rows kept in each part.
    min_relevance : float, default 0.2
        Least relevance of a broken-link prospect to the target, in ``[0, 1]``.
    parts : sequence of str, default all
        Which of ``PARTS`` to look for.

    Returns
    -------
    OpportunitiesReport
        The prospects, dead URLs with redirects, mentions and gap domains, with notes.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the target is unknown, a part is unknown, a competitor is a target
        domain, fewer competitors than ``min_competitors`` are given, or an
        argument is out of range.
    InvalidUrl
        If a target or competitor cannot be read.

    Examples
    --------
    >>> report = find_opportunities(Path("p.duckdb"), ["example.com"])  # doctest: +SKIP
    >>> report.reclaim[0]["redirect_to"]  # doctest: +SKIP
    """
    chosen = _check_arguments(target, top, min_relevance, min_competitors, parts)
    competitor_domains = _competitor_domains(competitors or [])
    if competitor_domains and len(competitor_domains) < min_competitors:
        raise UsageError(
            f"{len(competitor_domains)} competitors given, fewer than --min-competitors "
            f"{min_competitors}",
            hint=f"List more competitors, or pass --min-competitors {len(competitor_domains)}.",
        )
    names, urls = parse_target(target)
    notes: list[str] = []
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        target_domains = tuple(sorted({str(d) for d in target_rows.column("domain").to_pylist()}))
        clash = sorted(set(competitor_domains) & set(target_domains))
        if clash:
            raise UsageError(
                f"competitor {clash[0]} is a domain of the target",
                hint="Leave the target's own domains out of the competitors file.",
            )
        fetches, fetched_targets, texts = store.fetch_counts(snapshot)
        context = _Context(
            store,
            snapshot,
            int64_column(target_rows.column("url_id")),
            target_domains,
            fetches,
            fetched_targets,
            texts,
            top,
            notes,
        )
        authority_snapshot, _ = store.stored_page_authority(snapshot, pa.array([], pa.int64()))
        if authority_snapshot is None:
            notes.append(
                "authority: no snapshot up to this one is ranked (run `linkequity rank`), so "
                "none is shown and broken-link prospects are ordered by relevance alone"
            )
        dead = (
            _dead_links(context)
            if {"broken", "reclaim"} & set(chosen)
            else pa.table({"reason": pa.array([], pa.string())})
        )
        broken = _broken(context, dead, min_relevance) if "broken" in chosen else ([], 0)
        reclaim = _reclaim(context, dead) if "reclaim" in chosen else ([], 0)
        brand_names = tuple(brands) if brands else tuple(derived_brand(d) for d in target_domains)
        mentions = _mentions(context, brand_names) if "mentions" in chosen else ([], 0)
        gap = _gap(context, competitor_domains, min_competitors) if "gap" in chosen else ([], 0)
    return OpportunitiesReport(
        snapshot_id=snapshot,
        target=tuple(target),
        target_domains=target_domains,
        parts=chosen,
        authority_snapshot_id=authority_snapshot,
        broken=broken[0],
        reclaim=reclaim[0],
        mentions=mentions[0],
        gap=gap[0],
        found={"broken": broken[1], "reclaim": reclaim[1], "mentions": mentions[1], "gap": gap[1]},
        brands=brand_names,
        competitors=tuple(competitor_domains),
        min_competitors=min_competitors,
        notes=notes,
    )


def _check_arguments(
    target: list[str], top: int, min_relevance: float, min_competitors: int, parts: Sequence[str]
) -> tuple[str, ...]:
    if not target:
        raise UsageError("no target given", hint="Give a domain, a host or URLs.")
    if top < 1:
        raise UsageError(f"top must be at least 1, got {top}", hint="Pass --top 20, say.")
    if min_competitors < 1:
        raise UsageError(
            f"min competitors must be at least 1, got {min_competitors}",
            hint="2 finds the domains that link to two competitors but not to you.",
        )
    if not 0.0 <= min_relevance <= 1.0:
        raise UsageError(
            f"min relevance must be from 0 to 1, got {min_relevance}",
            hint="0.2 keeps pages on the target's theme (TF-IDF cosine).",
        )
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise UsageError(
            f"unknown part {unknown[0]!r}" if unknown else "no part asked for",
            hint=f"Parts are {', '.join(PARTS)}.",
        )
    return tuple(part for part in PARTS if part in parts)


def _competitor_domains(competitors: Sequence[str]) -> list[str]:
    """Registrable domains of the competitors as given (domains, hosts or URLs), in order."""
    domains: list[str] = []
    for text in competitors:
        stripped = text.strip()
        if not stripped:
            continue
        try:
            host = url_host(normalize_url(stripped if "://" in stripped else f"http://{stripped}/"))
        except InvalidUrl as err:
            raise InvalidUrl(
                f"competitor {stripped!r}: {err}", hint="List competitors' domains, one a line."
            ) from err
        domain = registrable_domain(host) or host
        if domain not in domains:
            domains.append(domain)
    return domains


def _dead_links(context: _Context) -> pa.Table:
    """Return the live links to dead URLs, with the reason each target is dead."""
    rows = context.store.dead_link_rows(context.snapshot)
    reasons = dead_reasons(
        rows.column("target_status").to_pylist(), rows.column("target_detail").to_pylist()
    )
    rows = rows.append_column("reason", pa.array(reasons, pa.string()))
    return rows.filter(pc.is_valid(rows.column("reason")))


def _is_live_or_unknown(status: int | None) -> bool:
    """Tell whether a latest fetch answered 2xx, or none is stored."""
    return status is None or 200 <= status < 300


def _no_fetch_note(context: _Context, part: str) -> bool:
    if context.fetches == 0:
        context.notes.append(
            f"{part}: the store holds no fetched page (imports only), so no URL is known "
            "to be dead; crawl or ingest the linked pages first"
        )
        return True
    return False


def _authority(context: _Context, url_ids: Sequence[int]) -> list[float | None]:
    _, table = context.store.stored_page_authority(context.snapshot, pa.array(url_ids, pa.int64()))
    return list(table.column("authority").to_pylist())


def _broken(
    context: _Context, dead: pa.Table, min_relevance: float
) -> tuple[list[dict[str, Any]], int]:
    part = "broken link building"
    if _no_fetch_note(context, part):
        return [], 0
    targets = set(context.target_domains)
    links = [
        link
        for link in dead.to_pylist()
        if link["target_domain"] not in targets
        and link["source_domain"] not in targets
        and link["source_domain"] != link["target_domain"]
        and _is_live_or_unknown(link["source_status"])
    ]
    context.notes.append(
        f"{part}: {context.fetched_targets} live link targets have a fetch; a link to a URL "
        "never fetched is not checked. Dead: 404, 410 or a DNS failure; other failures "
        "(timeouts, refused connections) are not taken for dead"
    )
    if not links:
        return [], 0
    pages: dict[int, dict[str, Any]] = {}
    for link in links:
        page = pages.setdefault(
            int(link["source_url_id"]),
            {
                "url": link["source_url"],
                "domain": link["source_domain"],
                "status": link["source_status"],
                "dead_links": [],
            },
        )
        page["dead_links"].append(
            {"url": link["target_url"], "reason": link["reason"], "anchor": link["anchor"]}
        )
    ids = list(pages)
    relevance = _relevance_to_target(context, ids)
    authority = _authority(context, ids)
    is_kept = ~(relevance < min_relevance)
    dropped = int(np.count_nonzero(~is_kept))
    kept = np.flatnonzero(is_kept)
    order, priority = prospect_order(
        np.asarray([np.nan if a is None else a for a in authority], dtype=np.float64)[kept],
        relevance[kept],
    )
    measured = int(np.count_nonzero(~np.isnan(relevance)))
    context.notes.append(
        f"{part}: relevance is the best TF-IDF cosine to a page of the target, measured for "
        f"{measured} of {len(ids)} pages; {dropped} below {min_relevance} left out; ranked by "
        "authority / 100 x relevance, pages without words after, by authority"
    )
    rows: list[dict[str, Any]] = []
    for position in order[: context.top]:
        at = int(kept[position])
        page = pages[ids[at]]
        related = relevance[at]
        score = priority[position]
        rows.append(
            {
                **page,
                "authority": authority[at],
                "relevance": None if np.isnan(related) else float(related),
                "priority": None if np.isnan(score) else float(score),
                "why": _prospect_why(authority[at], related, len(page["dead_links"])),
            }
        )
    return rows, int(kept.size)


def _prospect_why(authority: float | None, relevance: float, dead: int) -> str:
    links = f"{dead} dead link{'s' if dead > 1 else ''} to offer a replacement for"
    if np.isnan(relevance):
        shown = "not ranked" if authority is None else f"{authority:.0f}"
        return f"{links}; authority {shown}; relevance not measured (no stored words)"
    if authority is None:
        return f"{links}; relevance {relevance:.2f} (authority not ranked)"
    return f"{links}; authority {authority:.0f} x relevance {relevance:.2f}"


def _relevance_to_target(context: _Context, page_ids: list[int]) -> npt.NDArray[np.float64]:
    """Best TF-IDF cosine of each page to a page of the target; NaN when not measured."""
    relevance = np.full(len(page_ids), np.nan)
    texts = context.store.page_texts(
        url_ids=np.unique(np.concatenate([np.asarray(page_ids, np.int64), context.target_ids]))
    )
    if texts.num_rows == 0:
        return relevance
    ids = int64_column(texts.column("url_id"))
    model = RelevanceModel.fit(
        [
            f"{title or ''} {body}"
            for title, body in zip(
                texts.column("title").to_pylist(), texts.column("text").to_pylist(), strict=True
            )
        ],
        languages=texts.column("language").to_pylist(),
        ids=ids,
    )
    target_ids = np.intersect1d(ids, context.target_ids)
    if target_ids.size == 0:
        return relevance
    pages = np.asarray(page_ids, dtype=np.int64)
    best = np.full(pages.size, -np.inf)
    # A block of pages at a time: pages x target pages pairs would not fit at once.
    step = max(1, _PAIRS_PER_BLOCK // target_ids.size)
    for start in range(0, pages.size, step):
        block = pages[start : start + step]
        pairs = model.score_ids(np.repeat(block, target_ids.size), np.tile(target_ids, block.size))
        scores = np.where(pairs.is_measured, pairs.scores, -np.inf).reshape(block.size, -1)
        best[start : start + step] = scores.max(axis=1)
    return np.where(np.isfinite(best), best, np.nan)


def _reclaim(context: _Context, dead: pa.Table) -> tuple[list[dict[str, Any]], int]:
    part = "reclamation"
    if _no_fetch_note(context, part):
        return [], 0
    on_target = pc.is_in(dead.column("target_url_id"), value_set=pa.array(context.target_ids))
    external = pc.invert(
        pc.is_in(dead.column("source_domain"), value_set=pa.array(list(context.target_domains)))
    )
    links = dead.filter(pc.and_(on_target, external)).to_pylist()
    if not links:
        context.notes.append(f"{part}: no live link from another site to a dead URL of the target")
        return [], 0
    authority = _authority(context, [int(link["source_url_id"]) for link in links])
    groups: dict[int, dict[str, Any]] = {}
    for link, score in zip(links, authority, strict=True):
        group = groups.setdefault(
            int(link["target_url_id"]),
            {"url": link["target_url"], "host": link["target_host"], "reason": link["reason"]},
        )
        group.setdefault("links", []).append(
            {
                "source": link["source_url"],
                "domain": link["source_domain"],
                "anchor": link["anchor"],
                "authority": score,
            }
        )
    dead_urls = list(groups.values())
    live = _live_target_pages(context)
    slugs = [slug_words(d["url"]) for d in dead_urls]
    anchors = [
        " ".join(dict.fromkeys(" ".join(lk["anchor"] for lk in d["links"]).lower().split()))
        for d in dead_urls
    ]
    choices = choose_redirects(
        slugs,
        live["texts"],
        dead_anchors=anchors,
        live_languages=live["languages"],
        fallbacks=[_fallback(live, d["host"]) for d in dead_urls],
    )
    rows: list[dict[str, Any]] = []
    for group, slug, said, choice in zip(dead_urls, slugs, anchors, choices, strict=True):
        found = group["links"]
        rows.append(
            {
                "url": group["url"],
                "reason": group["reason"],
                "referring_domains": len({lk["domain"] for lk in found}),
                "links": sorted(found, key=lambda lk: -(lk["authority"] or 0.0)),
                "redirect_to": live["urls"][choice.page] if choice.page >= 0 else None,
                "redirect_score": choice.score,
                "redirect_basis": choice.basis,
                "redirect_why": _redirect_why(slug, said, choice),
            }
        )
    rows.sort(
        key=lambda r: (
            -r["referring_domains"],
            -len(r["links"]),
            -sum(lk["authority"] or 0.0 for lk in r["links"]),
        )
    )
    context.notes.append(
        f"{part}: each dead URL's 301 goes to the live, indexable page of the target whose "
        "slug, title and text best match its slug words (TF-IDF cosine); when they match "
        "nothing, its slug and the anchors pointing to it; when nothing matches, the home "
        "page of its host, else the live "
        "page of highest authority"
    )
    return rows[: context.top], len(rows)


def _live_target_pages(context: _Context) -> dict[str, Any]:
    """Return the target's pages whose latest fetch is 2xx and indexable, with their words."""
    details = context.store.page_details(context.snapshot, pa.array(context.target_ids))
    is_live = [
        _is_live_or_unknown(status) and status is not None and indexable is True
        for status, indexable in zip(
            details.column("status").to_pylist(),
            details.column("is_indexable").to_pylist(),
            strict=True,
        )
    ]
    live = details.filter(pa.array(is_live, pa.bool_()))
    ids = int64_column(live.column("url_id"))
    texts = context.store.page_texts(url_ids=ids)
    text_of = {
        int(row["url_id"]): (f"{row['title'] or ''} {row['text']}", row["language"])
        for row in texts.to_pylist()
    }
    urls = [str(url) for url in live.column("url").to_pylist()]
    words = [
        (
            f"{slug_words(url)} {text_of.get(int(i), ('', None))[0]}",
            text_of.get(int(i), ("", None))[1],
        )
        for i, url in zip(ids, urls, strict=True)
    ]
    authority = _authority(context, [int(i) for i in ids])
    return {
        "urls": urls,
        "texts": [text for text, _ in words],
        "languages": [language for _, language in words],
        "authority": authority,
    }


def _fallback(live: dict[str, Any], host: str) -> int:
    """Return the live home page of *host*, else the strongest live page, else -1."""
    urls: list[str] = live["urls"]
    for index, url in enumerate(urls):
        if url_host(url) == host and url.split("/", 3)[3:] in ([], [""]):
            return index
    if not urls:
        return -1
    scores = [score or 0.0 for score in live["authority"]]
    return int(np.argmax(scores))


def _redirect_why(slug: str, anchors: str, choice: RedirectChoice) -> str:
    if choice.page < 0:
        return "no live, indexable page of the target is known (none fetched with a 2xx)"
    if choice.basis == "slug":
        return f"best match of its slug words '{slug}' (TF-IDF cosine {choice.score:.2f})"
    if choice.basis == "slug and anchors":
        return (
            f"its slug '{slug}' matches no page; best match of it with the anchors "
            f"'{anchors}' (TF-IDF cosine {choice.score:.2f})"
        )
    return (
        f"no live page shares the words of its slug '{slug}' or anchors: the home page "
        "of its host, else the live page of highest authority"
    )


def _mentions(context: _Context, brands: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    part = "brand mentions"
    try:
        pattern = brand_pattern(brands)
    except ValueError as err:
        raise UsageError(
            f"no brand to look for in {list(brands)!r}",
            hint="Pass --brand NAME with letters or digits.",
        ) from err
    needles = sorted({brand_tokens(brand)[0] for brand in brands if brand_tokens(brand)})
    rows = context.store.brand_text_pages(context.snapshot, needles, list(context.target_domains))
    if context.texts == 0:
        context.notes.append(
            f"{part}: the store holds no page text (imports only); crawl or ingest pages first"
        )
        return [], 0
    found = find_mentions(
        [
            f"{title or ''} {text}"
            for title, text in zip(
                rows.column("title").to_pylist(), rows.column("text").to_pylist(), strict=True
            )
        ],
        pattern,
    )
    hits = [i for i, mention in enumerate(found) if mention.count]
    context.notes.append(
        f"{part}: pages outside the target's domains whose stored text names "
        f"{', '.join(repr(b) for b in brands)} (whole words, any case) and that have no live "
        "link to the target's domains; only pages whose text the store holds are read"
    )
    if not hits:
        return [], 0
    table = rows.to_pylist()
    authority = _authority(context, [int(table[i]["url_id"]) for i in hits])
    result = [
        {
            "url": table[i]["url"],
            "domain": table[i]["domain"],
            "title": table[i]["title"],
            "authority": score,
            "mentions": found[i].count,
            "matched": found[i].matched,
            "snippet": found[i].snippet,
        }
        for i, score in zip(hits, authority, strict=True)
    ]
    result.sort(key=lambda r: (-(r["authority"] or 0.0), -r["mentions"], r["url"]))
    return result[: context.top], len(result)


def _gap(
    context: _Context, competitors: list[str], min_competitors: int
) -> tuple[list[dict[str, Any]], int]:
    part = "competitor gap"
    if not competitors:
        context.notes.append(f"{part}: no competitors given (--competitors FILE)")
        return [], 0
    targets = list(context.target_domains)
    pairs = context.store.domain_link_pairs(context.snapshot, [*competitors, *targets])
    pairs = pairs.filter(
        pc.invert(
            pc.is_in(pairs.column("source_domain"), value_set=pa.array([*competitors, *targets]))
        )
    )
    linked_names = set(pairs.column("linked_domain").to_pylist())
    unlinked = [c for c in competitors if c not in linked_names]
    if unlinked:
        context.notes.append(
            f"{part}: no live link to {', '.join(unlinked)} in the store (is it spelt as stored?)"
        )
    sources = pc.unique(pairs.column("source_domain"))
    source_names = [str(name) for name in sources.to_pylist()]
    index_of_competitor = {name: i for i, name in enumerate(competitors)}
    linked = np.asarray(
        [
            index_of_competitor.get(str(name), -1)
            for name in pairs.column("linked_domain").to_pylist()
        ],
        dtype=np.intp,
    )
    source_index = int64_column(pc.index_in(pairs.column("source_domain"), value_set=sources))
    _, authority_table = context.store.stored_domain_authority(context.snapshot, source_names)
    authority = authority_table.column("authority").to_pylist()
    gap = competitor_gap(
        source_index,
        linked,
        len(source_names),
        len(competitors),
        min_competitors=min_competitors,
        authority=np.asarray([np.nan if a is None else a for a in authority], dtype=np.float64),
    )
    totals: dict[int, list[int]] = {}
    for pair, at, to in zip(pairs.to_pylist(), source_index.tolist(), linked.tolist(), strict=True):
        if to >= 0:
            total = totals.setdefault(at, [0, 0, 0])
            total[0] += pair["links"]
            total[1] += pair["followed_links"]
            total[2] = max(total[2], pair["pages"])
    rows: list[dict[str, Any]] = []
    for domain, linked_competitors in zip(gap.domains.tolist(), gap.competitors, strict=True):
        links, followed, pages = totals[domain]
        rows.append(
            {
                "domain": source_names[domain],
                "competitors": [competitors[c] for c in linked_competitors],
                "competitors_linked": len(linked_competitors),
                "authority": authority[domain],
                "links": links,
                "followed_links": followed,
                "pages": pages,
            }
        )
    context.notes.append(
        f"{part}: domains with live links (any rel) to at least {min_competitors} of "
        f"{len(competitors)} competitors and none to the target; pages is the most pages "
        "linking to one competitor"
    )
    return rows[: context.top], len(rows)


def write_opportunities_csv(report: OpportunitiesReport, path: Path) -> int:
    """Write the opportunities as CSV, one row per link, mention or domain; count them.

    Cells a spreadsheet would run as formulas get a leading apostrophe
    (``report.csv``): text from the web is never run.

    Parameters
    ----------
    report : OpportunitiesReport
        The opportunities.
    path : pathlib.Path
        The file to write (replaced).

    Returns
    -------
    int
        Rows written, header excluded.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    header = ["section", "page", "domain", "url", "reason", "anchor", "authority", "score", "why"]
    rows: list[list[object]] = []
    for page in report.broken:
        for link in page["dead_links"]:
            rows.append(
                [
                    "broken",
                    page["url"],
                    page["domain"],
                    link["url"],
                    link["reason"],
                    link["anchor"],
                    page["authority"],
                    page["priority"],
                    page["why"],
                ]
            )
    for dead in report.reclaim:
        for link in dead["links"]:
            rows.append(
                [
                    "reclaim",
                    link["source"],
                    link["domain"],
                    dead["url"],
                    dead["reason"],
                    link["anchor"],
                    link["authority"],
                    dead["redirect_score"],
                    f"301 to {dead['redirect_to']}: {dead['redirect_why']}",
                ]
            )
    for mention in report.mentions:
        rows.append(
            [
                "mention",
                mention["url"],
                mention["domain"],
                "",
                f"{mention['mentions']} mention(s) of {mention['matched']}",
                "",
                mention["authority"],
                "",
                mention["snippet"],
            ]
        )
    for domain in report.gap:
        rows.append(
            [
                "gap",
                "",
                domain["domain"],
                "",
                f"links to {domain['competitors_linked']} competitors, not to the target",
                "",
                domain["authority"],
                domain["competitors_linked"],
                " ".join(domain["competitors"]),
            ]
        )
    return write_csv(path, header, rows)
