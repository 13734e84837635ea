"""Use case: the toxic backlinks and referring domains of a target, each with its reasons.

Reads the target's live backlinks from other domains (``store.toxicity``), what
the latest fetch of each source page said, the referring domains' footprints
(template hashes, tracking ids) and the links among them, trust and spam mass
(from the trust seeds given, else from what ``linkequity rank`` stored), the
main texts for topic and language, and the links' first-seen dates for
spikes; ``analysis.toxicity`` scores them.

What is not known is said, never guessed: without trust seeds or stored
scores, spam mass and trust are unavailable; links whose source page was
never fetched (imported exports) have no page signals; a history too short
has no spikes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from linkequity.analysis.anchors import AnchorRules, keywords_from_titles
from linkequity.analysis.monitor import spike_velocity
from linkequity.analysis.relevance import RelevanceModel, primary_language
from linkequity.analysis.toxicity import (
    PAGE_SIGNALS,
    SIGNALS,
    TOXIC_SCORE,
    WEIGHTS,
    DomainFacts,
    LinkFacts,
    anchor_match,
    domain_reasons,
    interlinked_pairs,
    link_reasons,
    links_by_domain,
    toxicity_scores,
)
from linkequity.errors import UsageError
from linkequity.graph import LinkGraph, domain_graph, spam_mass, trustrank
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

__all__ = ["ToxicityReport", "score_toxicity", "write_toxicity_csv"]

#: Share of all pages assumed good when trust seeds stand for them (as ``linkequity rank``).
GOOD_FRACTION = 0.85
#: Most linked target pages whose titles give the keywords (as ``linkequity audit``).
TITLED_PAGES = 20
#: Characters of the target's texts that make its topic profile.
_PROFILE_CHARS = 200_000
#: Weeks of history a spike test needs (``analysis.monitor.spike_velocity``'s default).
_SPIKE_HISTORY_WEEKS = 4


@dataclass(frozen=True, slots=True)
class ToxicityReport:
    """The toxicity audit of a target: referring domains and links, worst first.

    Attributes
    ----------
    domains : list of dict
        ``domain, score, is_toxic, passes_value, no_value_reason, links,
        fetched_links`` (links whose source page the store read), ``toxic_links,
        reasons`` (each ``signal, value, weight, points, text``),
        ``signals`` (each signal's value, ``None`` when unknown) and
        ``unknown`` (the weighted signals not known for it).
    links : list of dict
        ``source, target, domain, anchor, score, is_toxic, passes_value,
        no_value_reason, is_fetched`` (whether the store read the source
        page), ``reasons, unknown`` (the weighted signals not known
        for the link).
    unavailable : list of str
        Signals that could not be computed for any link, and why.
    notes : list of str
        How the numbers were made.
    """

    snapshot_id: int
    target: tuple[str, ...]
    threshold: float
    weights: dict[str, float]
    domains: list[dict[str, Any]]
    links: list[dict[str, Any]]
    unavailable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def toxic_domains(self) -> list[str]:
        """The referring domains at or above the threshold, worst first."""
        return [row["domain"] for row in self.domains if row["is_toxic"]]

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "threshold": self.threshold,
            "weights": dict(self.weights),
            "toxic_domains": self.toxic_domains,
            "domains": self.domains,
            "links": self.links,
            "unavailable": self.unavailable,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class _Trust:
    page_spam: npt.NDArray[np.float64]
    domain_spam: npt.NDArray[np.float64]
    domain_trust: npt.NDArray[np.float64]


def score_toxicity(
    db: Path,
    target: str | Sequence[str],
    *,
    brands: Sequence[str] = (),
    keywords: Sequence[str] = (),
    snapshot_id: int | None = None,
    trust_seeds: Sequence[str] | None = None,
    damping: float = 0.85,
) -> ToxicityReport:
    """Score the target's backlinks and referring domains for toxicity, with reasons.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : str or sequence of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    brands : sequence of str
        The target's brand names (its domain's label is one already).
    keywords : sequence of str
        Its commercial keywords; taken from its page titles when not given.
    snapshot_id : int, optional
        The snapshot; the latest by default.
    trust_seeds : sequence of str, optional
        Trusted domains, hosts or URLs: spam mass and trust are computed from
        them; without them, the scores ``linkequity rank`` stored are used.
    damping : float, default 0.85
        PageRank damping for trust and spam mass.

    Returns
    -------
    ToxicityReport
        Domains and links with score and reasons, worst first.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the target is unknown or empty, or no trust seed is in the store.
    InvalidUrl
        If a target cannot be read.

    Examples
    --------
    >>> report = score_toxicity(Path("project.duckdb"), "example.com")  # doctest: +SKIP
    >>> report.toxic_domains[:3]  # doctest: +SKIP
    """
    wanted = [target] if isinstance(target, str) else list(target)
    if not wanted:
        raise UsageError("no target given", hint="Give a domain, a host or URLs to audit.")
    names, urls = parse_target(wanted)
    notes: list[str] = []
    unavailable: list[str] = []
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        target_ids = int64_column(target_rows.column("url_id"))
        rows = store.toxic_backlink_rows(snapshot, pa.array(target_ids))
        source_ids = int64_column(rows.column("source_url_id"))
        domain_names = sorted({str(name) for name in rows.column("source_domain").to_pylist()})
        domain_of_link = np.searchsorted(
            np.asarray(domain_names, dtype=object), np.asarray(rows.column("source_domain"))
        ).astype(np.int64)
        footprints = store.domain_footprints(snapshot, domain_names)
        edges = store.referring_domain_edges(snapshot, domain_names)
        trust = _trust(store, snapshot, source_ids, domain_names, trust_seeds, damping, notes)
        texts = store.page_texts(url_ids=np.union1d(source_ids, target_ids))
        titled = store.page_titles(snapshot, pa.array(_most_linked(rows, TITLED_PAGES), pa.int64()))
    target_domains = sorted({str(name) for name in target_rows.column("domain").to_pylist()})
    if trust is None:
        unavailable.append(
            "spam_mass, low_trust: no trust seeds given and `linkequity rank` stored none "
            "(give trusted domains with --trust-seeds)"
        )
        n = len(domain_names)
        trust = _Trust(np.full(rows.num_rows, np.nan), np.full(n, np.nan), np.full(n, np.nan))
    target_texts = _select_texts(texts, target_ids)
    rules = _anchor_rules(target_domains, brands, keywords, titled, notes, unavailable)
    relevance, target_language = _relevance(texts, target_texts, source_ids, notes, unavailable)
    is_fetched = _flag(rows.column("is_fetched")) == 1
    links = LinkFacts(
        domain=domain_of_link,
        anchor=[str(a) for a in rows.column("anchor").to_pylist()],
        anchor_match=(
            anchor_match(
                [str(anchor) for anchor in rows.column("anchor").to_pylist()],
                rules,
                is_image=[bool(v) for v in rows.column("is_image").to_pylist()],
                alts=rows.column("alt").to_pylist(),
            )
            if rules.keywords
            else np.full(rows.num_rows, np.nan)
        ),
        is_followed=~(
            (_flag(rows.column("is_nofollow")) == 1)
            | (_flag(rows.column("is_sponsored")) == 1)
            | (_flag(rows.column("is_ugc")) == 1)
        ),
        is_fetched=is_fetched,
        is_indexable=_flag(rows.column("is_indexable")),
        is_robots_allowed=_flag(rows.column("is_robots_allowed")),
        indexability_detail=rows.column("indexability_detail").to_pylist(),
        outbound_links=_floats(rows.column("external_links")),
        word_count=_floats(rows.column("word_count")),
        relevance=relevance,
        language=rows.column("language").to_pylist(),
        is_sitewide=_flag(rows.column("is_sitewide")),
        is_hidden=_flag(rows.column("is_hidden")),
        is_in_spike=_spikes(rows, domain_of_link, notes, unavailable),
        placement=rows.column("placement").to_pylist(),
        spam_mass=trust.page_spam,
    )
    domains = DomainFacts(
        names=domain_names,
        tracking_ids=_footprint_values(footprints, domain_names, "tracking", main_only=False),
        templates=_footprint_values(footprints, domain_names, "template", main_only=True),
        interlinked=_interlinked(edges, domain_names),
        spam_mass=trust.domain_spam,
        trust=trust.domain_trust,
        target_language=target_language,
    )
    scores = toxicity_scores(links, domains)
    never_fetched = int(np.count_nonzero(~is_fetched))
    if never_fetched:
        notes.append(
            f"page signals ({', '.join(PAGE_SIGNALS)}) and footprints are unknown for "
            f"{never_fetched} of {rows.num_rows} links whose source page was never fetched "
            "(verify or crawl them to know)"
        )
    if rows.num_rows == 0:
        notes.append("no live backlink from another domain: nothing to score")
    notes.append(
        f"score: 100 * (1 - prod(1 - weight * signal)); toxic from {TOXIC_SCORE:g}; links "
        "that pass no value (not indexable, robots-blocked, nofollow/sponsored/ugc) score 0"
    )
    return ToxicityReport(
        snapshot_id=snapshot,
        target=tuple(wanted),
        threshold=scores.threshold,
        weights={str(signal): float(WEIGHTS[signal]) for signal in SIGNALS},
        domains=_domain_rows(scores, links, domains),
        links=_link_rows(scores, links, domains, rows),
        unavailable=unavailable,
        notes=notes,
    )


def _flag(column: pa.ChunkedArray[Any]) -> npt.NDArray[np.int8]:
    """Return a nullable boolean column as int8: 1, 0, or -1 where not stated."""
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    return np.where(values == None, -1, values == True).astype(np.int8)  # noqa: E711, E712


def _floats(column: pa.ChunkedArray[Any]) -> npt.NDArray[np.float64]:
    """Return a nullable number column as float64, NaN where not stated."""
    return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)


def _select_texts(texts: pa.Table, url_ids: npt.NDArray[np.int64]) -> pa.Table:
    keep = np.isin(int64_column(texts.column("url_id")), url_ids)
    return texts.filter(pa.array(keep))


def _most_linked(rows: pa.Table, limit: int) -> list[int]:
    """Return the target pages with the most backlinks, most first (ties by URL id)."""
    pages = int64_column(rows.column("target_url_id"))
    if pages.size == 0:
        return []
    ids, counts = np.unique(pages, return_counts=True)
    return [int(i) for i in ids[np.lexsort((ids, -counts))[:limit]]]


def _anchor_rules(
    target_domains: list[str],
    brands: Sequence[str],
    keywords: Sequence[str],
    titled: pa.Table,
    notes: list[str],
    unavailable: list[str],
) -> AnchorRules:
    """Return the target's anchor rules; keywords from its most linked pages' titles if none."""
    rules = AnchorRules.for_target(target_domains, brands=brands)
    if keywords:
        return AnchorRules.for_target(target_domains, brands=brands, keywords=keywords)
    found = keywords_from_titles(
        [str(title) for title in titled.column("title").to_pylist()], rules
    )
    if not found:
        unavailable.append(
            "exact_anchor: no keywords given and the target's most linked pages have no stored "
            "title (give --keyword)"
        )
        return rules
    notes.append(
        f"keywords: {len(found)} taken from the titles of the {titled.num_rows} most linked "
        f"target pages (give --keyword for yours): {', '.join(found[:8])}"
        + (" ..." if len(found) > 8 else "")
    )
    return AnchorRules.for_target(target_domains, brands=brands, keywords=found)


def _relevance(
    texts: pa.Table,
    target_texts: pa.Table,
    source_ids: npt.NDArray[np.int64],
    notes: list[str],
    unavailable: list[str],
) -> tuple[npt.NDArray[np.float64], str | None]:
    """Relevance of each link's source page to the target's profile, and the target's language."""
    relevance = np.full(source_ids.size, np.nan)
    languages = [primary_language(code) for code in target_texts.column("language").to_pylist()]
    known = Counter(code for code in languages if code)
    target_language = known.most_common(1)[0][0] if known else None
    if target_texts.num_rows == 0:
        unavailable.append("topic_mismatch: the store holds no text of the target's pages")
        return relevance, target_language
    profile_parts: list[str] = []
    size = 0
    for title, body in zip(
        target_texts.column("title").to_pylist(),
        target_texts.column("text").to_pylist(),
        strict=True,
    ):
        part = f"{title or ''} {body or ''}"
        profile_parts.append(part)
        size += len(part)
        if size >= _PROFILE_CHARS:
            break
    source_texts = _select_texts(texts, source_ids)
    ids = int64_column(source_texts.column("url_id"))
    # The target's pages as one document: a source is on topic if it is near any of them.
    profile_id = int(max(int(ids.max()) if ids.size else 0, int(source_ids.max(initial=0)))) + 1
    documents = [
        f"{title or ''} {body or ''}"
        for title, body in zip(
            source_texts.column("title").to_pylist(),
            source_texts.column("text").to_pylist(),
            strict=True,
        )
    ]
    model = RelevanceModel.fit(
        [*documents, " ".join(profile_parts)],
        languages=[*source_texts.column("language").to_pylist(), target_language],
        ids=np.append(ids, profile_id),
    )
    pairs = model.score_ids(source_ids, np.full(source_ids.size, profile_id))
    relevance[pairs.is_measured] = pairs.scores[pairs.is_measured]
    notes.append(
        f"topic: TF-IDF relevance of each source page to the target's pages, measured for "
        f"{int(np.count_nonzero(pairs.is_measured))} of {source_ids.size} links"
    )
    return relevance, target_language


def _spikes(
    rows: pa.Table,
    domain_of_link: npt.NDArray[np.int64],
    notes: list[str],
    unavailable: list[str],
) -> npt.NDArray[np.int8]:
    unknown = np.full(rows.num_rows, -1, dtype=np.int8)
    first_seen = np.asarray(
        rows.column("first_seen").to_numpy(zero_copy_only=False), dtype="datetime64[us]"
    )
    dated = ~np.isnat(first_seen)
    if not dated.any():
        unavailable.append("spike: no link has a first-seen date")
        return unknown
    found = spike_velocity(
        first_seen, np.full(first_seen.size, np.datetime64("NaT", "us")), domain_of_link
    )
    weeks = int(found.velocity.weeks.size)
    if weeks <= _SPIKE_HISTORY_WEEKS:
        unavailable.append(
            f"spike: the links' first-seen dates span {weeks} week(s), too short a history "
            f"to test (a spike needs {_SPIKE_HISTORY_WEEKS} weeks before it)"
        )
        return unknown
    spiking = np.where(dated, found.is_in_spike.astype(np.int8), -1).astype(np.int8)
    notes.append(
        f"spike: {int(np.count_nonzero(spiking == 1))} links arrived in spike weeks of new "
        f"links or referring domains, over {weeks} weeks"
    )
    return spiking


def _footprint_values(
    footprints: pa.Table, domain_names: list[str], kind: str, *, main_only: bool
) -> list[tuple[str, ...]]:
    found: dict[str, list[tuple[int, str]]] = {}
    for row in footprints.to_pylist():
        if row["kind"] == kind:
            found.setdefault(row["domain"], []).append((int(row["pages"]), str(row["value"])))
    values: list[tuple[str, ...]] = []
    for name in domain_names:
        held = sorted(found.get(name, []), key=lambda item: (-item[0], item[1]))
        values.append(tuple(value for _, value in (held[:1] if main_only else held)))
    return values


def _interlinked(edges: pa.Table, domain_names: list[str]) -> tuple[tuple[int, ...], ...]:
    index = {name: i for i, name in enumerate(domain_names)}
    return interlinked_pairs(
        len(domain_names),
        [index[str(name)] for name in edges.column("source_domain").to_pylist()],
        [index[str(name)] for name in edges.column("target_domain").to_pylist()],
        int64_column(edges.column("links")),
    )


def _trust(
    store: Store,
    snapshot: int,
    source_ids: npt.NDArray[np.int64],
    domain_names: list[str],
    trust_seeds: Sequence[str] | None,
    damping: float,
    notes: list[str],
) -> _Trust | None:
    """Spam mass of each link's source page and each domain, and relative domain trust."""
    if trust_seeds:
        return _seeded_trust(store, snapshot, source_ids, domain_names, trust_seeds, damping, notes)
    pages, domains = store.stored_trust(snapshot, pa.array(np.unique(source_ids)), domain_names)
    has_pages = pages.num_rows and pages.column("spam_mass").null_count < pages.num_rows
    has_domains = domains.num_rows and domains.column("trust").null_count < domains.num_rows
    if not (has_pages or has_domains):
        return None
    page_spam = _lookup(
        source_ids, int64_column(pages.column("url_id")), _floats(pages.column("spam_mass"))
    )
    index = {name: i for i, name in enumerate(domains.column("domain").to_pylist())}
    at = np.array([index.get(name, -1) for name in domain_names], dtype=np.int64)
    spam = _floats(domains.column("spam_mass"))
    raw = _floats(domains.column("trust"))
    n_domains = float(domains.column("n_domains")[0].as_py()) if domains.num_rows else 1.0
    notes.append("trust and spam mass: as `linkequity rank` stored them for its trust seeds")
    return _Trust(
        page_spam,
        np.where(at >= 0, spam[np.maximum(at, 0)] if spam.size else np.nan, np.nan),
        np.where(at >= 0, raw[np.maximum(at, 0)] * n_domains if raw.size else np.nan, np.nan),
    )


def _seeded_trust(
    store: Store,
    snapshot: int,
    source_ids: npt.NDArray[np.int64],
    domain_names: list[str],
    trust_seeds: Sequence[str],
    damping: float,
    notes: list[str],
) -> _Trust:
    followed, nodes = store.link_graph(snapshot)
    url_ids = int64_column(nodes.column("url_id"))
    n = int(url_ids.size)
    seed_names, seed_urls = parse_target(list(trust_seeds))
    seed_rows = store.target_pages(seed_names, seed_urls)
    seed_ids = int64_column(seed_rows.column("url_id"))
    seeds = np.flatnonzero(np.isin(url_ids, seed_ids)).astype(np.int64)
    if seeds.size == 0:
        raise UsageError(
            "no trust seed is a page, host or domain of the store's link graph",
            hint="List trusted domains or URLs that link or are linked in the project.",
        )
    graph = LinkGraph.from_arrays(
        np.searchsorted(url_ids, int64_column(followed.column("source_url_id"))),
        np.searchsorted(url_ids, int64_column(followed.column("target_url_id"))),
        n,
    )
    node_domains = np.asarray(nodes.column("domain").to_pylist(), dtype=object)
    all_domains, domain_of_page = np.unique(node_domains, return_inverse=True)
    page_spam = spam_mass(graph, seeds, damping=damping, good_fraction=GOOD_FRACTION).relative
    domain_links = domain_graph(graph, domain_of_page.astype(np.int64), int(all_domains.size))
    seed_domains = np.unique(domain_of_page[seeds]).astype(np.int64)
    domain_spam = spam_mass(
        domain_links, seed_domains, damping=damping, good_fraction=GOOD_FRACTION
    ).relative
    domain_trust = trustrank(domain_links, seed_domains, damping=damping) * all_domains.size
    at = np.searchsorted(all_domains, np.asarray(domain_names, dtype=object))
    inside = (at < all_domains.size) & (
        all_domains[np.minimum(at, all_domains.size - 1)] == np.asarray(domain_names, dtype=object)
    )
    notes.append(
        f"trust and spam mass: from {seeds.size} trusted pages of {seed_domains.size} domains "
        f"(good fraction {GOOD_FRACTION})"
    )
    return _Trust(
        _lookup(source_ids, url_ids, page_spam),
        np.where(inside, domain_spam[np.minimum(at, all_domains.size - 1)], np.nan),
        np.where(inside, domain_trust[np.minimum(at, all_domains.size - 1)], np.nan),
    )


def _lookup(
    wanted: npt.NDArray[np.int64], keys: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Values of the sorted *keys* at each of *wanted*, NaN where absent."""
    if keys.size == 0:
        return np.full(wanted.size, np.nan)
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    return np.where(keys[at] == wanted, values[at], np.nan)


def _signal_values(row: npt.NDArray[np.float64]) -> dict[str, float | None]:
    return {
        str(signal): None if np.isnan(value) else float(value)
        for signal, value in zip(SIGNALS, row.tolist(), strict=True)
    }


def _domain_rows(scores: Any, links: LinkFacts, domains: DomainFacts) -> list[dict[str, Any]]:
    counts = np.bincount(links.domain, minlength=domains.n_domains)
    fetched = np.bincount(
        links.domain, weights=links.is_fetched.astype(np.float64), minlength=domains.n_domains
    )
    toxic = np.bincount(
        links.domain, weights=scores.is_toxic_link.astype(np.float64), minlength=domains.n_domains
    )
    is_toxic = scores.is_toxic_domain.tolist()
    mine = links_by_domain(scores, links, domains.n_domains)
    rows = [
        {
            "domain": domains.names[d],
            "score": float(scores.domain_score[d]),
            "is_toxic": is_toxic[d],
            "passes_value": bool(scores.domain_passes_value[d]),
            "no_value_reason": scores.domain_no_value_reason[d],
            "links": int(counts[d]),
            "fetched_links": int(fetched[d]),
            "toxic_links": int(toxic[d]),
            "reasons": [
                r.as_dict() for r in domain_reasons(scores, links, domains, d, mine=mine[d])
            ],
            "signals": _signal_values(scores.domain_signals[d]),
            "unknown": [
                str(signal)
                for j, signal in enumerate(SIGNALS)
                if scores.weights[j] > 0 and np.isnan(scores.domain_signals[d, j])
            ],
        }
        for d in range(domains.n_domains)
    ]
    return sorted(rows, key=lambda row: (-row["score"], not row["passes_value"], row["domain"]))


def _link_rows(
    scores: Any, links: LinkFacts, domains: DomainFacts, table: pa.Table
) -> list[dict[str, Any]]:
    weighted = [j for j, signal in enumerate(SIGNALS) if scores.weights[j] > 0]
    sources = table.column("source_url").to_pylist()
    targets = table.column("target_url").to_pylist()
    # Once, not per link: each is a whole-array expression.
    is_toxic = scores.is_toxic_link.tolist()
    unknown = np.isnan(scores.link_signals[:, weighted])
    names = [str(SIGNALS[j]) for j in weighted]
    rows = []
    for i in range(links.n_links):
        rows.append(
            {
                "source": sources[i],
                "target": targets[i],
                "domain": domains.names[int(links.domain[i])],
                "anchor": links.anchor[i],
                "score": float(scores.link_score[i]),
                "is_toxic": is_toxic[i],
                "passes_value": bool(scores.link_passes_value[i]),
                "no_value_reason": scores.link_no_value_reason[i],
                "is_fetched": bool(links.is_fetched[i]),
                "reasons": [r.as_dict() for r in link_reasons(scores, links, domains, i)],
                "unknown": [name for name, gap in zip(names, unknown[i], strict=True) if gap],
            }
        )
    return sorted(
        rows, key=lambda row: (-row["score"], not row["passes_value"], row["source"], row["target"])
    )


def write_toxicity_csv(report: ToxicityReport, path: Path, *, min_score: float = 0.0) -> int:
    """Write the referring domains, then the links, as CSV; count the rows.

    Cells a spreadsheet would run as formulas get a leading apostrophe
    (``report.csv``): text from the web is never run.

    Parameters
    ----------
    report : ToxicityReport
        The audit.
    path : pathlib.Path
        The file to write (replaced).
    min_score : float, default 0
        Leave out rows scoring less.

    Returns
    -------
    int
        Rows written, header excluded.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    header = [
        "level",
        "domain",
        "source",
        "target",
        "anchor",
        "score",
        "is_toxic",
        "passes_value",
        "no_value_reason",
        "reasons",
    ]
    rows: list[list[object]] = []
    for domain in report.domains:
        if domain["score"] >= min_score:
            rows.append(
                [
                    "domain",
                    domain["domain"],
                    "",
                    "",
                    "",
                    round(domain["score"], 2),
                    domain["is_toxic"],
                    domain["passes_value"],
                    domain["no_value_reason"] or "",
                    "; ".join(reason["text"] for reason in domain["reasons"]),
                ]
            )
    for link in report.links:
        if link["score"] >= min_score:
            rows.append(
                [
                    "link",
                    link["domain"],
                    link["source"],
                    link["target"],
                    link["anchor"],
                    round(link["score"], 2),
                    link["is_toxic"],
                    link["passes_value"],
                    link["no_value_reason"] or "",
                    "; ".join(reason["text"] for reason in link["reasons"]),
                ]
            )
    return write_csv(path, header, rows)
