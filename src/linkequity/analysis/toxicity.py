"""Toxicity of backlinks and referring domains: a 0-100 score with the reasons behind it.

Each link gets a value in ``[0, 1]`` per signal (NaN when the store cannot
know it: a page never fetched has no outbound-link count), and each signal a
weight ``w`` in ``[0, 1]``. The score is a noisy-OR,

    ``score = 100 * (1 - prod_i (1 - w_i * s_i))``,

so a signal alone gives at most ``100 * w_i`` (the weight reads as "how
likely this alone makes a link unnatural"), several signals add up without
passing 100, and an unknown signal counts as absent (never guessed). The
reasons are the signals with ``w_i * s_i > 0``, strongest first, each with a
sentence that says what was seen.

Signals, and the value each takes
---------------------------------
spam_mass
    Relative spam mass ``m`` of the source page (of its domain when the page
    has none): ``clip((m - 0.5) / 0.5, 0, 1)``; needs trust seeds.
low_trust
    TrustRank of the source domain relative to an average domain, ``r``:
    ``clip(-log10(r) / 3, 0, 1)`` (1 at a thousandth of the average, or none).
link_farm
    Outbound (external) links ``n`` on the source page:
    ``clip((n - 25) / 75, 0, 1)``, full at 100.
thin_content
    Words ``w`` on the source page: ``clip((150 - w) / 100, 0, 1)``, full at 50.
exact_anchor
    Anchor text (an image's alt) that is one of the target's commercial
    keywords: 1; a partial match: 0.5 (``analysis.anchors``).
topic_mismatch
    TF-IDF relevance ``r`` of the source page to the target's pages:
    ``clip((0.15 - r) / 0.1, 0, 1)``, full at 0.05 (``analysis.relevance``).
language_mismatch
    The source page's primary language differs from the target's: 1.
shared_tracking, shared_template, interlinking
    Link network (a property of the referring domain, that each of its links
    carries): ``k`` other referring domains of the target share an
    Analytics, Tag Manager or AdSense id with it, share its page template,
    or are linked with it both ways by at least ``INTERLINK_MIN_LINKS``
    followed links each way (a blogroll or footer exchange, not one
    citation); the value is ``1 - 0.5 ** k``.
sitewide
    The link repeats across the source site's pages (footer, sidebar,
    blogroll): 1.
hidden
    The link is hidden on its page: 1.
spike
    The link, or its referring domain, arrived in a week that is a spike of
    new links or domains (``analysis.monitor.spike_velocity``): 1.

A referring domain takes, for each signal, the largest value among its links
that pass value, and its own domain-level values; its score is the same
noisy-OR. A link or domain is toxic at ``TOXIC_SCORE`` or above.

Passing no value is not toxicity
--------------------------------
A link whose source page is not indexable (noindex, an error status, a
redirect, a canonical elsewhere) or robots-blocked, or whose rel is nofollow,
sponsored or ugc, passes no PageRank: it is reported as "passes no value" with
its reason, scores 0 and is never toxic, whatever its signals (there is
nothing to disavow). A domain passes no value when none of its links does.

Weights and threshold
---------------------
``WEIGHTS`` and ``TOXIC_SCORE`` were fitted by
``python benchmarks/calibrate_toxicity.py`` on five sample webs of
calibration seeds (101-105) only: a MAP fit of the noisy-OR at domain level
(ground truth: spam or link-network member), pulled towards documented
priors and bounded to ``[0.05, 0.95]`` so that every signal stays a reason
and none alone is certain; the threshold of best F1, in the middle of the
gap between the classes (90.5 lowest toxic, 47.3 highest clean). On five
webs of other seeds (201-205: 95 referring domains, 33 toxic) precision,
recall and ROC AUC are all 1.000, as on the calibration webs: the sample
web's spam is told apart by its network footprints and farm pages, so this
says the signals work, not how the weights fare on the open web. Signals the
sample web does not exercise (spam mass and trust need seeds; no hidden
link, history, other topic or language) keep their priors, marked below.

Pure: arrays and strings in, values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from linkequity.analysis.anchors import classify_anchor
from linkequity.analysis.relevance import primary_language
from linkequity.model.links import AnchorClass

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from linkequity.analysis.anchors import AnchorRules

__all__ = [
    "DOMAIN_SIGNALS",
    "INTERLINK_MIN_LINKS",
    "PAGE_SIGNALS",
    "SIGNALS",
    "TOXIC_SCORE",
    "WEIGHTS",
    "DomainFacts",
    "LinkFacts",
    "NetworkEvidence",
    "Reason",
    "Signal",
    "ToxicityScores",
    "anchor_match",
    "combine",
    "domain_reasons",
    "links_by_domain",
    "interlinked_pairs",
    "link_reasons",
    "network_evidence",
    "toxicity_scores",
]

Ids = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Tri = npt.NDArray[np.int8]
Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]


class Signal(StrEnum):
    """One piece of evidence that a link is unnatural; the columns of the signal matrices."""

    SPAM_MASS = "spam_mass"
    LOW_TRUST = "low_trust"
    LINK_FARM = "link_farm"
    THIN_CONTENT = "thin_content"
    EXACT_ANCHOR = "exact_anchor"
    TOPIC_MISMATCH = "topic_mismatch"
    LANGUAGE_MISMATCH = "language_mismatch"
    SHARED_TRACKING = "shared_tracking"
    SHARED_TEMPLATE = "shared_template"
    INTERLINKING = "interlinking"
    SITEWIDE = "sitewide"
    HIDDEN = "hidden"
    SPIKE = "spike"


#: Every signal, in the column order of the signal matrices.
SIGNALS: tuple[Signal, ...] = tuple(Signal)
#: Signals of the referring domain, carried by each of its links.
DOMAIN_SIGNALS: tuple[Signal, ...] = (
    Signal.LOW_TRUST,
    Signal.SHARED_TRACKING,
    Signal.SHARED_TEMPLATE,
    Signal.INTERLINKING,
)
#: Signals read from the source page's fetch: unknown when it was never fetched.
PAGE_SIGNALS: tuple[Signal, ...] = (
    Signal.LINK_FARM,
    Signal.THIN_CONTENT,
    Signal.TOPIC_MISMATCH,
    Signal.LANGUAGE_MISMATCH,
)

#: Weight of each signal: the score it gives alone, over 100.
WEIGHTS: Mapping[Signal, float] = MappingProxyType(
    {
        Signal.SPAM_MASS: 0.6,  # prior: needs trust seeds
        Signal.LOW_TRUST: 0.3,  # prior: needs trust seeds
        Signal.LINK_FARM: 0.95,
        Signal.THIN_CONTENT: 0.26,
        Signal.EXACT_ANCHOR: 0.05,
        Signal.TOPIC_MISMATCH: 0.4,  # prior: one theme per sample web
        Signal.LANGUAGE_MISMATCH: 0.3,  # prior: the sample web is in English
        Signal.SHARED_TRACKING: 0.95,
        Signal.SHARED_TEMPLATE: 0.05,
        Signal.INTERLINKING: 0.65,
        Signal.SITEWIDE: 0.08,
        Signal.HIDDEN: 0.7,  # prior: the sample web hides no link
        Signal.SPIKE: 0.3,  # prior: the sample web has no history
    }
)
#: Score from which a link or a referring domain is toxic.
TOXIC_SCORE = 69.0
#: Followed links each way that make two referring domains interlinked.
INTERLINK_MIN_LINKS = 3

_NO_VALUE_RELS = "rel nofollow, sponsored or ugc: passes no PageRank"
_ROBOTS_BLOCKED = "robots.txt blocks the source page"
_NAMES_SHOWN = 3


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """What the store knows of each backlink, one entry per link.

    Tri-state arrays (int8) hold 1 (yes), 0 (no) or -1 (not known); float
    arrays NaN where not known.

    Attributes
    ----------
    domain : numpy.ndarray
        int64 index of the link's referring domain in ``DomainFacts.names``.
    anchor : sequence of str
        The anchor text (or alt text), for the reasons.
    anchor_match : numpy.ndarray
        float64 ``anchor_match`` value: 1 exact keyword, 0.5 partial, 0 otherwise.
    is_followed : numpy.ndarray
        bool: no nofollow, sponsored or ugc (a flag not stated counts as unset).
    is_fetched : numpy.ndarray
        bool: the store holds a fetch of the source page.
    is_indexable, is_robots_allowed : numpy.ndarray
        int8 tri-state, from the source page's latest fetch.
    indexability_detail : sequence of str or None
        Why the source page is not indexable, in words.
    outbound_links, word_count, relevance : numpy.ndarray
        float64 of the source page: external links, words, relevance to the target.
    language : sequence of str or None
        The source page's language.
    is_sitewide, is_hidden, is_in_spike : numpy.ndarray
        int8 tri-state.
    placement : sequence of str or None
        Where the link sits on its page (``footer``, ``content``...).
    spam_mass : numpy.ndarray
        float64 relative spam mass of the source page.
    """

    domain: Ids
    anchor: Sequence[str]
    anchor_match: Vector
    is_followed: Mask
    is_fetched: Mask
    is_indexable: Tri
    is_robots_allowed: Tri
    indexability_detail: Sequence[str | None]
    outbound_links: Vector
    word_count: Vector
    relevance: Vector
    language: Sequence[str | None]
    is_sitewide: Tri
    is_hidden: Tri
    is_in_spike: Tri
    placement: Sequence[str | None]
    spam_mass: Vector

    @property
    def n_links(self) -> int:
        """The number of links."""
        return int(self.domain.size)


@dataclass(frozen=True, slots=True)
class DomainFacts:
    """What the store knows of each referring domain.

    Attributes
    ----------
    names : sequence of str
        Registrable domains, in index order.
    tracking_ids : sequence of tuple of str
        Analytics, Tag Manager and AdSense ids seen on each domain's pages.
    templates : sequence of tuple of str
        Template hashes of each domain's pages (the main one, or all).
    interlinked : sequence of tuple of int
        Indices of the other referring domains each is linked with both ways
        (``interlinked_pairs``).
    spam_mass : numpy.ndarray
        float64 relative spam mass of each domain, NaN without trust seeds.
    trust : numpy.ndarray
        float64 TrustRank relative to an average domain (1 = average), NaN without seeds.
    target_language : str or None
        The target's language, for the language signal.
    """

    names: Sequence[str]
    tracking_ids: Sequence[tuple[str, ...]]
    templates: Sequence[tuple[str, ...]]
    interlinked: Sequence[tuple[int, ...]]
    spam_mass: Vector
    trust: Vector
    target_language: str | None = None

    @property
    def n_domains(self) -> int:
        """The number of referring domains."""
        return len(self.names)


@dataclass(frozen=True, slots=True)
class NetworkEvidence:
    """Which other referring domains each domain shares a footprint with.

    Attributes
    ----------
    tracking, template, interlinked : tuple of dict
        Per domain: the shared id (or template hash, or ``""`` for links)
        mapped to the sorted indices of the other domains that share it.
    """

    tracking: tuple[dict[str, tuple[int, ...]], ...]
    template: tuple[dict[str, tuple[int, ...]], ...]
    interlinked: tuple[dict[str, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a score.

    Attributes
    ----------
    signal : Signal
        Which signal.
    value : float
        Its value in ``[0, 1]``.
    weight : float
        Its weight.
    text : str
        What was seen, in words.
    """

    signal: Signal
    value: float
    weight: float
    text: str

    @property
    def points(self) -> float:
        """The score this reason gives alone, 0-100."""
        return 100.0 * self.weight * self.value

    def as_dict(self) -> dict[str, object]:
        """Return the reason as plain values."""
        return {
            "signal": str(self.signal),
            "value": self.value,
            "weight": self.weight,
            "points": self.points,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class ToxicityScores:
    """Scores, signals and value flags of every link and referring domain.

    Attributes
    ----------
    link_signals : numpy.ndarray
        float64 ``(n_links, len(SIGNALS))``, NaN where unknown.
    link_score : numpy.ndarray
        float64 0-100; 0 for a link that passes no value.
    link_passes_value : numpy.ndarray
        bool.
    link_no_value_reason : tuple of str or None
        Why a link passes no value.
    domain_signals : numpy.ndarray
        float64 ``(n_domains, len(SIGNALS))``.
    domain_score : numpy.ndarray
        float64 0-100.
    domain_passes_value : numpy.ndarray
        bool: some link of the domain passes value.
    domain_no_value_reason : tuple of str or None
        The commonest reason of its links, when none passes value.
    network : NetworkEvidence
        The shared footprints behind the network signals.
    threshold : float
        The toxic score.
    weights : numpy.ndarray
        float64 weight of each signal, in ``SIGNALS`` order.
    """

    link_signals: Matrix
    link_score: Vector
    link_passes_value: Mask
    link_no_value_reason: tuple[str | None, ...]
    domain_signals: Matrix
    domain_score: Vector
    domain_passes_value: Mask
    domain_no_value_reason: tuple[str | None, ...]
    network: NetworkEvidence
    threshold: float
    weights: Vector = field(repr=False)

    @property
    def is_toxic_link(self) -> Mask:
        """Links at or above the threshold (never one that passes no value)."""
        return self.link_passes_value & (self.link_score >= self.threshold)

    @property
    def is_toxic_domain(self) -> Mask:
        """Referring domains at or above the threshold."""
        return self.domain_passes_value & (self.domain_score >= self.threshold)


def anchor_match(
    anchors: Sequence[str],
    rules: AnchorRules,
    *,
    is_image: Sequence[bool] | None = None,
    alts: Sequence[str | None] | None = None,
) -> Vector:
    """Return 1 for an anchor that is a keyword of the target, 0.5 for a partial match, else 0.

    The words read are those a search engine reads as the anchor: an image
    link's alt text (``analysis.anchors.classify_anchor``'s ``text_class``).
    """
    values = np.zeros(len(anchors))
    for i, anchor in enumerate(anchors):
        image = bool(is_image[i]) if is_image is not None else False
        alt = alts[i] if alts is not None else None
        text_class = classify_anchor(anchor or "", rules, is_image=image, alt=alt).text_class
        if text_class is AnchorClass.EXACT:
            values[i] = 1.0
        elif text_class is AnchorClass.PARTIAL:
            values[i] = 0.5
    return values


def interlinked_pairs(
    n_domains: int,
    sources: npt.ArrayLike,
    targets: npt.ArrayLike,
    links: npt.ArrayLike,
    *,
    min_links: int = INTERLINK_MIN_LINKS,
) -> tuple[tuple[int, ...], ...]:
    """Return, per domain, the other domains linked with it both ways by ``min_links`` each way.

    Parameters
    ----------
    n_domains : int
        Referring domains.
    sources, targets : array_like of int
        Domain indices of each ordered pair with followed links.
    links : array_like of int
        Followed links of each pair.
    min_links : int
        Least links each way.
    """
    src = np.asarray(sources, dtype=np.int64)
    dst = np.asarray(targets, dtype=np.int64)
    count = np.asarray(links, dtype=np.int64)
    strong = {(int(a), int(b)) for a, b, c in zip(src, dst, count, strict=True) if c >= min_links}
    partners: list[set[int]] = [set() for _ in range(n_domains)]
    for a, b in strong:
        if a != b and (b, a) in strong:
            partners[a].add(b)
    return tuple(tuple(sorted(found)) for found in partners)


def network_evidence(domains: DomainFacts) -> NetworkEvidence:
    """Group the referring domains by shared tracking id, template and two-way links."""

    def shared(keys: Sequence[tuple[str, ...]]) -> tuple[dict[str, tuple[int, ...]], ...]:
        holders: dict[str, list[int]] = {}
        for index, values in enumerate(keys):
            for value in set(values):
                holders.setdefault(value, []).append(index)
        return tuple(
            {
                value: tuple(other for other in holders[value] if other != index)
                for value in sorted(set(values))
                if len(holders[value]) > 1
            }
            for index, values in enumerate(keys)
        )

    return NetworkEvidence(
        tracking=shared(domains.tracking_ids),
        template=shared(domains.templates),
        interlinked=tuple(({"": found} if found else {}) for found in domains.interlinked),
    )


def combine(signals: Matrix, weights: npt.ArrayLike) -> Vector:
    """Return the noisy-OR score, 0-100, of each row of signal values (NaN counts as 0).

    Examples
    --------
    >>> combine(np.array([[1.0, 0.0], [1.0, 1.0], [np.nan, 0.5]]), [0.5, 0.5]).tolist()
    [50.0, 75.0, 25.0]
    """
    values = np.nan_to_num(np.asarray(signals, dtype=np.float64), nan=0.0)
    w = np.asarray(weights, dtype=np.float64)
    kept = np.prod(1.0 - np.clip(values * w, 0.0, 1.0), axis=1)
    return np.asarray(100.0 * (1.0 - kept), dtype=np.float64)


def toxicity_scores(
    links: LinkFacts,
    domains: DomainFacts,
    *,
    weights: Mapping[Signal, float] = WEIGHTS,
    threshold: float = TOXIC_SCORE,
) -> ToxicityScores:
    """Score every link and referring domain, 0-100, from their signals.

    Parameters
    ----------
    links : LinkFacts
        The backlinks.
    domains : DomainFacts
        Their referring domains.
    weights : mapping of Signal to float, default WEIGHTS
        The weight of each signal, in ``[0, 1]``; a signal left out weighs 0.
    threshold : float, default TOXIC_SCORE
        Score from which a link or domain is toxic.

    Returns
    -------
    ToxicityScores

    Raises
    ------
    ValueError
        If a weight is outside ``[0, 1]`` or a link's domain index is out of range.
    """
    w = np.array([float(weights.get(signal, 0.0)) for signal in SIGNALS])
    if np.any((w < 0) | (w > 1)) or not np.all(np.isfinite(w)):
        raise ValueError("signal weights must be in [0, 1]")
    n, d = links.n_links, domains.n_domains
    if n and (int(links.domain.min()) < 0 or int(links.domain.max()) >= d):
        raise ValueError(f"a link's domain index is outside the {d} referring domains")
    network = network_evidence(domains)
    per_domain = _domain_level(domains, network)
    values = np.full((n, len(SIGNALS)), np.nan)
    column = {signal: i for i, signal in enumerate(SIGNALS)}

    def put(signal: Signal, value: Vector) -> None:
        values[:, column[signal]] = value

    page_spam = links.spam_mass
    domain_spam = domains.spam_mass[links.domain] if n else np.zeros(0)
    put(Signal.SPAM_MASS, _ramp(np.where(np.isnan(page_spam), domain_spam, page_spam), 0.5, 1.0))
    put(Signal.LINK_FARM, _ramp(links.outbound_links, 25.0, 100.0))
    put(Signal.THIN_CONTENT, _ramp(-links.word_count, -150.0, -50.0))
    put(Signal.EXACT_ANCHOR, np.asarray(links.anchor_match, dtype=np.float64))
    put(Signal.TOPIC_MISMATCH, _ramp(-links.relevance, -0.15, -0.05))
    put(Signal.LANGUAGE_MISMATCH, _language_mismatch(links, domains.target_language))
    put(Signal.SITEWIDE, _tri_value(links.is_sitewide))
    put(Signal.HIDDEN, _tri_value(links.is_hidden))
    put(Signal.SPIKE, _tri_value(links.is_in_spike))
    for signal in DOMAIN_SIGNALS:
        put(signal, per_domain[:, column[signal]][links.domain] if n else np.zeros(0))

    no_value = tuple(_no_value_reason(links, i) for i in range(n))
    passes = np.array([reason is None for reason in no_value], dtype=np.bool_)
    link_score = np.where(passes, combine(values, w), 0.0)

    domain_values = per_domain.copy()
    link_level = [column[s] for s in SIGNALS if s not in DOMAIN_SIGNALS]
    for j in link_level:
        domain_values[:, j] = _group_max(values[:, j], links.domain, passes, d)
    own_spam = column[Signal.SPAM_MASS]
    domain_values[:, own_spam] = np.where(
        np.isnan(domains.spam_mass),
        domain_values[:, own_spam],
        _ramp(domains.spam_mass, 0.5, 1.0),
    )
    domain_passes = np.zeros(d, dtype=np.bool_)
    np.logical_or.at(domain_passes, links.domain, passes)
    domain_score = np.where(domain_passes, combine(domain_values, w), 0.0)
    domain_reason = _domain_no_value(links.domain, no_value, domain_passes)
    return ToxicityScores(
        link_signals=values,
        link_score=link_score,
        link_passes_value=passes,
        link_no_value_reason=no_value,
        domain_signals=domain_values,
        domain_score=domain_score,
        domain_passes_value=domain_passes,
        domain_no_value_reason=domain_reason,
        network=network,
        threshold=threshold,
        weights=w,
    )


def _ramp(x: npt.ArrayLike, zero_at: float, one_at: float) -> Vector:
    """0 at or below ``zero_at``, 1 at or above ``one_at``, linear between; NaN stays NaN."""
    values = np.asarray(x, dtype=np.float64)
    return np.asarray(np.clip((values - zero_at) / (one_at - zero_at), 0.0, 1.0), np.float64)


def _tri_value(flags: Tri) -> Vector:
    values = np.asarray(flags, dtype=np.float64)
    return np.where(values < 0, np.nan, values)


def _language_mismatch(links: LinkFacts, target_language: str | None) -> Vector:
    target = primary_language(target_language)
    values = np.full(links.n_links, np.nan)
    if target is None:
        return values
    for i, language in enumerate(links.language):
        source = primary_language(language)
        if source is not None:
            values[i] = float(source != target)
    return values


def _domain_level(domains: DomainFacts, network: NetworkEvidence) -> Matrix:
    """Values of the domain signals per domain (other columns NaN)."""
    values = np.full((domains.n_domains, len(SIGNALS)), np.nan)
    column = {signal: i for i, signal in enumerate(SIGNALS)}
    for signal, groups in (
        (Signal.SHARED_TRACKING, network.tracking),
        (Signal.SHARED_TEMPLATE, network.template),
        (Signal.INTERLINKING, network.interlinked),
    ):
        others = np.array([len(_others(group)) for group in groups], dtype=np.float64)
        values[:, column[signal]] = 1.0 - 0.5**others
    # A domain with no fetched page has no footprint to compare and no known
    # out-links: unknown, not clean. A fetched page always has a template hash.
    is_seen = np.array([bool(t) for t in domains.templates], dtype=np.bool_)
    is_seen |= np.array([bool(t) for t in domains.tracking_ids], dtype=np.bool_)
    for signal in (Signal.SHARED_TEMPLATE, Signal.SHARED_TRACKING, Signal.INTERLINKING):
        values[:, column[signal]] = np.where(is_seen, values[:, column[signal]], np.nan)
    trust = np.asarray(domains.trust, dtype=np.float64)
    with np.errstate(divide="ignore"):
        low = np.clip(-np.log10(np.maximum(trust, 0.0)) / 3.0, 0.0, 1.0)
    values[:, column[Signal.LOW_TRUST]] = np.where(np.isnan(trust), np.nan, low)
    return values


def _others(group: dict[str, tuple[int, ...]]) -> set[int]:
    found: set[int] = set()
    for members in group.values():
        found.update(members)
    return found


def _group_max(values: Vector, groups: Ids, where: Mask, n_groups: int) -> Vector:
    """Largest known value per group among the rows of *where*; NaN for a group with none."""
    out = np.full(n_groups, -np.inf)
    known = where & ~np.isnan(values)
    np.maximum.at(out, groups[known], values[known])
    return np.where(np.isneginf(out), np.nan, out)


def _no_value_reason(links: LinkFacts, i: int) -> str | None:
    if links.is_robots_allowed[i] == 0:
        return _ROBOTS_BLOCKED
    if links.is_indexable[i] == 0:
        detail = links.indexability_detail[i]
        return f"source page not indexable: {detail}" if detail else "source page not indexable"
    if not links.is_followed[i]:
        return _NO_VALUE_RELS
    return None


def _domain_no_value(
    domain: Ids, reasons: tuple[str | None, ...], passes: Mask
) -> tuple[str | None, ...]:
    counts: list[dict[str, int]] = [{} for _ in range(passes.size)]
    for d, reason in zip(domain.tolist(), reasons, strict=True):
        if reason is not None:
            counts[d][_reason_kind(reason)] = counts[d].get(_reason_kind(reason), 0) + 1
    return tuple(
        None if passes[d] or not counts[d] else max(counts[d].items(), key=lambda kv: kv[1])[0]
        for d in range(passes.size)
    )


def _reason_kind(reason: str) -> str:
    """Drop a page's own detail from a reason, to count the commonest over a domain's links."""
    return reason.split(":", 1)[0] if reason.startswith("source page not indexable") else reason


def link_reasons(
    scores: ToxicityScores, links: LinkFacts, domains: DomainFacts, i: int
) -> list[Reason]:
    """Return the reasons behind link *i*'s score, strongest first."""
    row = scores.link_signals[i]
    reasons = []
    for j, signal in enumerate(SIGNALS):
        value = float(row[j])
        if math.isnan(value) or value * scores.weights[j] <= 0:
            continue
        text = _link_text(signal, value, links, domains, scores.network, i)
        reasons.append(Reason(signal, value, float(scores.weights[j]), text))
    return sorted(reasons, key=lambda r: (-r.points, r.signal))


def domain_reasons(
    scores: ToxicityScores,
    links: LinkFacts,
    domains: DomainFacts,
    d: int,
    *,
    mine: Ids | None = None,
) -> list[Reason]:
    """Return the reasons behind referring domain *d*'s score, strongest first.

    A link-level reason quotes the link that gives the domain its value, and
    counts how many of the domain's links show the signal. ``mine``, the
    domain's links that pass value in ascending order, saves a scan of every
    link when the caller has them (``links_by_domain``).
    """
    if mine is None:
        mine = np.flatnonzero((links.domain == d) & scores.link_passes_value)
    reasons = []
    for j, signal in enumerate(SIGNALS):
        value = float(scores.domain_signals[d, j])
        if math.isnan(value) or value * scores.weights[j] <= 0:
            continue
        if signal in DOMAIN_SIGNALS or (signal is Signal.SPAM_MASS and not mine.size):
            text = _domain_text(signal, value, domains, scores.network, d)
        else:
            column = scores.link_signals[mine, j]
            showing = int(np.count_nonzero(np.nan_to_num(column) > 0))
            best = int(mine[int(np.nanargmax(column))]) if showing else -1
            if best < 0:
                text = _domain_text(signal, value, domains, scores.network, d)
            else:
                text = _link_text(signal, value, links, domains, scores.network, best)
                text += f" ({showing} of {mine.size} links)"
        reasons.append(Reason(signal, value, float(scores.weights[j]), text))
    return sorted(reasons, key=lambda r: (-r.points, r.signal))


def links_by_domain(scores: ToxicityScores, links: LinkFacts, n_domains: int) -> list[Ids]:
    """Return each domain's links that pass value, ascending: one sort for all domains."""
    passing = np.flatnonzero(scores.link_passes_value)
    order = passing[np.argsort(links.domain[passing], kind="stable")]
    bounds = np.searchsorted(links.domain[order], np.arange(n_domains + 1))
    return [order[bounds[d] : bounds[d + 1]] for d in range(n_domains)]


def _names(domains: DomainFacts, members: Sequence[int]) -> str:
    shown = [domains.names[m] for m in list(members)[:_NAMES_SHOWN]]
    more = len(members) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _domain_text(
    signal: Signal, value: float, domains: DomainFacts, network: NetworkEvidence, d: int
) -> str:
    if signal is Signal.SHARED_TRACKING:
        group = network.tracking[d]
        ids = ", ".join(sorted(group))
        others = sorted(_others(group))
        return (
            f"same tracking id {ids} as {_plural(len(others), 'other referring domain')} "
            f"({_names(domains, others)}): link network"
        )
    if signal is Signal.SHARED_TEMPLATE:
        group = network.template[d]
        others = sorted(_others(group))
        return (
            f"same page template {', '.join(sorted(group))} as "
            f"{_plural(len(others), 'other referring domain')} ({_names(domains, others)})"
        )
    if signal is Signal.INTERLINKING:
        others = sorted(_others(network.interlinked[d]))
        return (
            f"linked both ways with {_plural(len(others), 'other referring domain')} "
            f"({_names(domains, others)}): dense interlinking, link network"
        )
    if signal is Signal.LOW_TRUST:
        return f"low trust: TrustRank {domains.trust[d]:.3g} times an average domain's"
    if signal is Signal.SPAM_MASS:
        return f"spam mass {domains.spam_mass[d]:.2f} of the domain"
    return f"{signal} {value:.2f}"


def _link_text(
    signal: Signal,
    value: float,
    links: LinkFacts,
    domains: DomainFacts,
    network: NetworkEvidence,
    i: int,
) -> str:
    if signal is Signal.SPAM_MASS:
        mass = links.spam_mass[i]
        if math.isnan(mass):
            mass = domains.spam_mass[links.domain[i]]
        return f"spam mass {mass:.2f}: most of its PageRank does not come from trusted sites"
    if signal is Signal.LINK_FARM:
        return f"page has {int(links.outbound_links[i])} outbound links: link farm pattern"
    if signal is Signal.THIN_CONTENT:
        return f"thin content: {int(links.word_count[i])} words on the page"
    if signal is Signal.EXACT_ANCHOR:
        kind = "exact" if value >= 1 else "partial"
        return f'commercial {kind}-match anchor "{links.anchor[i]}"'
    if signal is Signal.TOPIC_MISMATCH:
        return f"off topic: relevance {links.relevance[i]:.2f} to the target's pages"
    if signal is Signal.LANGUAGE_MISMATCH:
        return (
            f"page in {links.language[i]}, the target in {domains.target_language}: "
            "language mismatch"
        )
    if signal is Signal.SITEWIDE:
        where = links.placement[i]
        return f"sitewide {where} link" if where and where != "content" else "sitewide link"
    if signal is Signal.HIDDEN:
        return "hidden link: not visible on the page"
    if signal is Signal.SPIKE:
        return "part of a sudden spike of new links or referring domains"
    return _domain_text(signal, value, domains, network, int(links.domain[i]))
