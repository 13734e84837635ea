"""Anchor text: what each anchor says about the page it links to, and when a profile is unnatural.

Classes (``model.AnchorClass``), tried in this order for the text of a link:

empty
    Nothing but whitespace or punctuation, and not an image.
image
    An image link. Its alt text is classified as well (``text_class``): a
    search engine reads the alt of a linked image as its anchor, so an image
    whose alt is an exact keyword counts as exact match when over-optimisation
    is judged.
naked_url
    A URL or a bare host name: ``https://example.com/page``, ``www.example.com``,
    ``example.co.uk``. Any site's, not only the target's.
branded
    A brand name of the target, or a token of its registrable domain
    (``acme-widgets.co.uk`` gives ``acme widgets`` and ``acmewidgets``),
    anywhere in the anchor, spaced or not: "Acme Widgets", "AcmeWidgets shop".
exact
    The anchor is one of the target's keywords (case, accents, punctuation
    and a plural ``s`` aside).
partial
    The anchor holds every content word of a keyword, or at least half of
    them for a keyword of three words or more: "best road bikes" for "road
    bikes".
generic
    Says nothing of the target, in English, German, French or Spanish:
    "click here", "read more", "hier klicken", "en savoir plus", "leer más",
    or only words of those phrases ("click here to read more").
other
    None of these: an anchor about something else.

Keywords are the user's, or taken from the target pages' titles and H1s
(``keywords_from_titles``): the parts of a title between separators that are
not the brand.

Over-optimisation is judged on referring domains (one site repeating an anchor
on every page is one decision, not a thousand), and only when at least
``MIN_DOMAINS_TO_JUDGE`` domains link: exact match from more than
``EXACT_SHARE_LIMIT`` of them, exact plus partial match from more than
``COMMERCIAL_SHARE_LIMIT``, or one keyword-bearing anchor (exact or partial)
from more than ``REPEATED_ANCHOR_LIMIT``. These are the thresholds of the SEO
literature since Google's Penguin update (2012): natural profiles are led by
brand names, URLs and generic words, and exact match rarely passes a few per
cent.

Pure: strings and arrays in, values out.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from linkequity.model.links import AnchorClass
from linkequity.model.urls import has_known_suffix, public_suffix, registrable_domain

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "CLASS_ORDER",
    "COMMERCIAL_SHARE_LIMIT",
    "EXACT_SHARE_LIMIT",
    "GENERIC_PHRASES",
    "MIN_DOMAINS_TO_JUDGE",
    "RECOMMENDED_MIX",
    "REPEATED_ANCHOR_LIMIT",
    "AnchorAlert",
    "AnchorClassification",
    "AnchorDistribution",
    "AnchorRules",
    "AnchorShare",
    "PageAnchorPlan",
    "TopAnchor",
    "anchor_distribution",
    "brand_from_titles",
    "classify_anchor",
    "keywords_from_titles",
    "mix_sequence",
    "over_optimisation",
    "plan_page_anchors",
    "recommend_mix",
]

#: The classes in the order reports list them.
CLASS_ORDER: tuple[AnchorClass, ...] = tuple(AnchorClass)

#: Fewest referring domains on which over-optimisation is judged.
MIN_DOMAINS_TO_JUDGE = 10
#: Largest natural share of referring domains with an exact-match anchor.
EXACT_SHARE_LIMIT = 0.10
#: Largest natural share of referring domains with an exact- or partial-match anchor.
COMMERCIAL_SHARE_LIMIT = 0.30
#: Largest natural share of referring domains using one keyword-bearing anchor.
REPEATED_ANCHOR_LIMIT = 0.15

#: The anchor mix recommended for new links: led by brand names, URLs and
#: generic words, with a little partial and exact match.
RECOMMENDED_MIX: Mapping[AnchorClass, float] = {
    AnchorClass.BRANDED: 0.40,
    AnchorClass.NAKED_URL: 0.20,
    AnchorClass.GENERIC: 0.20,
    AnchorClass.PARTIAL: 0.15,
    AnchorClass.EXACT: 0.05,
}

#: Anchors that say nothing about their target, per language, folded (see ``_tokens``).
_GENERIC_BY_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "en": (
        "click here", "here", "click", "read more", "more", "learn more", "more info",
        "more information", "website", "web site", "this website", "this site", "site",
        "this page", "page", "this article", "article", "this post", "post", "link",
        "this link", "source", "visit", "visit website", "visit site", "go", "go to",
        "see more", "details", "find out more", "check it out", "continue reading",
        "homepage", "home page", "home", "official site", "official website", "view",
        "this guide", "download", "buy now", "shop now",
    ),
    "de": (
        "hier", "hier klicken", "klicken sie hier", "mehr", "weiterlesen", "weiter",
        "mehr erfahren", "mehr infos", "mehr informationen", "webseite", "website",
        "diese seite", "seite", "quelle", "link", "zum artikel", "artikel",
        "zur webseite", "hier entlang", "jetzt kaufen",
    ),
    "fr": (
        "ici", "cliquez ici", "cliquer ici", "en savoir plus", "lire la suite", "lire plus",
        "plus", "site", "site web", "site internet", "ce site", "cette page", "page",
        "source", "lien", "voir", "voir plus", "article", "cet article",
    ),
    "es": (
        "aqui", "haz clic aqui", "clic aqui", "pulsa aqui", "haga clic aqui", "leer mas",
        "mas", "mas informacion", "sitio", "sitio web", "pagina", "pagina web",
        "esta pagina", "este sitio", "fuente", "enlace", "ver", "ver mas", "articulo",
        "este articulo", "seguir leyendo",
    ),
}  # fmt: skip
#: Every generic anchor of every language.
GENERIC_PHRASES: frozenset[str] = frozenset(
    phrase for phrases in _GENERIC_BY_LANGUAGE.values() for phrase in phrases
)

#: Words that carry no topic, for partial matching (folded; en, de, fr, es).
_STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "at", "by", "with",
        "from", "best", "top", "how", "what", "your", "my", "our", "is", "are", "buy",
        "der", "die", "das", "und", "oder", "fur", "mit", "von", "zu", "im", "ein", "eine",
        "le", "la", "les", "et", "ou", "de", "des", "du", "pour", "avec", "un", "une",
        "el", "los", "las", "y", "o", "del", "para", "con", "en", "una",
    }
)  # fmt: skip
_GENERIC_WORDS = frozenset(word for phrase in GENERIC_PHRASES for word in phrase.split()) | {
    "to", "the", "this", "a", "it", "out", "our", "sie", "de", "la", "el", "en", "cet",
}  # fmt: skip
_NAKED = re.compile(r"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:/\S*)?", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·»:/]\s+|\s*[|·»]\s*|:\s+")
_BRAND_WINDOW = 4
_MIN_UNNUMBERED_BRAND = 6
_MAX_KEYWORD_WORDS = 8


@lru_cache(maxsize=65_536)
def _tokens(text: str) -> tuple[str, ...]:
    """Fold case and accents, and split on anything that is not a letter or digit."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(re.findall(r"[^\W_]+", plain))


def _stem(word: str) -> str:
    """Drop a plural ``s``: "bikes" and "bike" match; "gas" and "bus" stay."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass(frozen=True, slots=True)
class _Keyword:
    stems: tuple[str, ...]
    content: frozenset[str]


@dataclass(frozen=True, slots=True)
class AnchorRules:
    """What counts as the target's brand and keywords, folded for matching.

    Build with ``AnchorRules.for_target``.

    Attributes
    ----------
    brands : tuple of str
        Folded, unspaced brand forms ("acmewidgets").
    keywords : tuple of str
        The keywords as given, for reports.
    """

    brands: tuple[str, ...]
    keywords: tuple[str, ...]
    _keywords: tuple[_Keyword, ...] = field(repr=False, compare=False)

    @classmethod
    def for_target(
        cls,
        domains: Iterable[str] = (),
        *,
        brands: Iterable[str] = (),
        keywords: Iterable[str] = (),
    ) -> AnchorRules:
        """Return the rules of a target given its domains, brand names and keywords.

        Parameters
        ----------
        domains : iterable of str
            Registrable domains or hosts of the target; each gives its label
            before the public suffix as a brand ("acme-widgets.co.uk" gives
            "acmewidgets"), and without trailing digits when six letters or
            more are left ("gardenweekly24.de" gives "gardenweekly24" and
            "gardenweekly"; "shop24.de" only "shop24").
        brands : iterable of str
            Brand names, in any spelling ("Acme Widgets").
        keywords : iterable of str
            The phrases the target wants to rank for.
        """
        forms = {"".join(_tokens(name)) for name in brands}
        for domain in domains:
            label = "".join(_tokens(_domain_label(domain)))
            forms.add(label)
            unnumbered = label.rstrip("0123456789")
            if len(unnumbered) >= _MIN_UNNUMBERED_BRAND:
                forms.add(unnumbered)
        forms.discard("")
        kept = tuple(dict.fromkeys(k.strip() for k in keywords if _tokens(k)))
        parsed = tuple(_keyword(k) for k in kept)
        return cls(tuple(sorted(forms, key=lambda f: (-len(f), f))), kept, parsed)

    def is_branded(self, tokens: Sequence[str]) -> bool:
        """Whether some run of up to four tokens, joined, is a brand form."""
        for start in range(len(tokens)):
            joined = ""
            for token in tokens[start : start + _BRAND_WINDOW]:
                joined += token
                if joined in self.brands:
                    return True
        return False

    def keyword_class(self, tokens: Sequence[str]) -> AnchorClass | None:
        """``EXACT``, ``PARTIAL`` or ``None`` for the anchor's tokens."""
        stems = tuple(_stem(t) for t in tokens)
        present = frozenset(stems)
        partial = False
        for keyword in self._keywords:
            if stems == keyword.stems:
                return AnchorClass.EXACT
            content = keyword.content
            if not content:
                continue
            found = len(content & present)
            needed = len(content) if len(content) < 3 else math.ceil(len(content) / 2)
            partial = partial or found >= needed
        return AnchorClass.PARTIAL if partial else None


def _keyword(text: str) -> _Keyword:
    stems = tuple(_stem(t) for t in _tokens(text))
    return _Keyword(stems, frozenset(s for s in stems if s not in _STOPWORDS))


def _domain_label(domain: str) -> str:
    """Return the registrable domain's label before its public suffix: "acme-widgets"."""
    host = domain.strip().lower().rstrip(".")
    registrable = registrable_domain(host) or host
    suffix = public_suffix(registrable)
    if suffix and registrable.endswith("." + suffix):
        return registrable[: -len(suffix) - 1]
    return registrable.split(".", 1)[0]


def _is_naked_url(text: str) -> bool:
    stripped = text.strip().strip("<>\"'()[]")
    if not _NAKED.fullmatch(stripped):
        return False
    if stripped.lower().startswith(("http://", "https://", "www.")):
        return True
    return has_known_suffix(stripped.split("/", 1)[0].split(":", 1)[0])


def _is_generic(tokens: tuple[str, ...]) -> bool:
    return " ".join(tokens) in GENERIC_PHRASES or all(t in _GENERIC_WORDS for t in tokens)


def _text_class(text: str, rules: AnchorRules) -> AnchorClass:
    tokens = _tokens(text)
    if not tokens:
        return AnchorClass.EMPTY
    if _is_naked_url(text):
        return AnchorClass.NAKED_URL
    if rules.is_branded(tokens):
        return AnchorClass.BRANDED
    keyword = rules.keyword_class(tokens)
    if keyword is not None:
        return keyword
    if _is_generic(tokens):
        return AnchorClass.GENERIC
    return AnchorClass.OTHER


@dataclass(frozen=True, slots=True)
class AnchorClassification:
    """The class of one link's anchor.

    Attributes
    ----------
    anchor_class : AnchorClass
        The link's class (``IMAGE`` for every image link).
    text_class : AnchorClass
        The class of the words a search engine reads as the anchor: the alt
        text of an image link (``EMPTY`` without one), else ``anchor_class``.
    """

    anchor_class: AnchorClass
    text_class: AnchorClass


def classify_anchor(
    anchor: str, rules: AnchorRules, *, is_image: bool = False, alt: str | None = None
) -> AnchorClassification:
    """Classify one link's anchor for a target (the module docstring gives the rules).

    Parameters
    ----------
    anchor : str
        The link's text (for an image link, any text beside the image).
    rules : AnchorRules
        The target's brands and keywords.
    is_image : bool
        Whether the link is an image link.
    alt : str or None
        The image's alt text.
    """
    if is_image:
        words = alt if alt and alt.strip() else anchor
        return AnchorClassification(AnchorClass.IMAGE, _text_class(words, rules))
    text_class = _text_class(anchor, rules)
    return AnchorClassification(text_class, text_class)


def brand_from_titles(titles: Iterable[str], rules: AnchorRules) -> str | None:
    """Return the brand as the titles spell it: the first part of a title that is the brand.

    "Road Bikes | Acme Widgets" gives "Acme Widgets"; ``None`` when no part is.
    """
    for title in titles:
        for part in _TITLE_SEPARATORS.split(title or ""):
            tokens = _tokens(part)
            if tokens and len(tokens) <= _BRAND_WINDOW and rules.is_branded(tokens):
                return " ".join(part.split())
    return None


def keywords_from_titles(titles: Iterable[str], rules: AnchorRules) -> tuple[str, ...]:
    """Return keywords taken from page titles and H1s: the parts that are not the brand.

    "Road Bikes | AcmeWidgets" gives "road bikes". Parts of more than eight
    words (a sentence, not a keyword) and generic parts are left out.
    """
    found: dict[str, None] = {}
    for title in titles:
        for part in _TITLE_SEPARATORS.split(title or ""):
            tokens = _tokens(part)
            if not tokens or len(tokens) > _MAX_KEYWORD_WORDS:
                continue
            if rules.is_branded(tokens) or _is_generic(tokens):
                continue
            found.setdefault(" ".join(part.split()).casefold(), None)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class AnchorShare:
    """One class's part of a profile.

    Attributes
    ----------
    anchor_class : AnchorClass
    links : int
        Links whose anchor is of the class.
    referring_domains : int
        Domains with at least one such link.
    link_share, domain_share : float
        ``links`` over all links; ``referring_domains`` over all referring
        domains (a domain can count in several classes, so these need not sum to 1).
    """

    anchor_class: AnchorClass
    links: int
    referring_domains: int
    link_share: float
    domain_share: float


@dataclass(frozen=True, slots=True)
class TopAnchor:
    """One of the most used anchors: its text, class and reach."""

    anchor: str
    anchor_class: AnchorClass
    links: int
    referring_domains: int
    domain_share: float


@dataclass(frozen=True, slots=True)
class AnchorDistribution:
    """A link profile's anchors by class and by text.

    Attributes
    ----------
    classes : tuple of AnchorShare
        Every class in ``CLASS_ORDER``, empty ones included.
    top : tuple of TopAnchor
        The anchors used by the most referring domains, then links.
    links, referring_domains : int
        Totals.
    text_domain_shares : dict
        Share of referring domains per text class (alt text counted for
        images), which over-optimisation is judged on.
    """

    classes: tuple[AnchorShare, ...]
    top: tuple[TopAnchor, ...]
    links: int
    referring_domains: int
    text_domain_shares: Mapping[AnchorClass, float]

    def share(self, anchor_class: AnchorClass) -> AnchorShare:
        """Return the share of one class."""
        return next(s for s in self.classes if s.anchor_class is anchor_class)

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON."""
        return {
            "links": self.links,
            "referring_domains": self.referring_domains,
            "classes": [
                {
                    "class": str(s.anchor_class),
                    "links": s.links,
                    "referring_domains": s.referring_domains,
                    "link_share": s.link_share,
                    "domain_share": s.domain_share,
                }
                for s in self.classes
            ],
            "top": [
                {
                    "anchor": t.anchor,
                    "class": str(t.anchor_class),
                    "links": t.links,
                    "referring_domains": t.referring_domains,
                    "domain_share": t.domain_share,
                }
                for t in self.top
            ],
        }


def anchor_distribution(
    anchors: Sequence[str],
    is_image: Sequence[bool] | npt.ArrayLike,
    alts: Sequence[str | None],
    domains: npt.ArrayLike,
    rules: AnchorRules,
    *,
    links: npt.ArrayLike | None = None,
    top: int = 20,
) -> AnchorDistribution:
    """Classify a target's links and count them by class and by anchor.

    Anchors are classified once per distinct (text, image, alt), so a profile
    of millions of links costs one classification per distinct anchor.

    Parameters
    ----------
    anchors, is_image, alts : sequences
        One entry per link.
    domains : array_like
        The referring domain of each link (ids or names).
    links : array_like, optional
        How many links each entry stands for (a store can group its links by
        anchor and domain first); 1 each by default.
    rules : AnchorRules
        The target's brands and keywords.
    top : int
        How many anchors to list.
    """
    n = len(anchors)
    weight = np.ones(n, np.int64) if links is None else np.asarray(links, np.int64).reshape(-1)
    image = np.asarray(is_image, dtype=bool).reshape(-1) if n else np.zeros(0, dtype=bool)
    keys = [
        (" ".join(a.split()).casefold(), bool(i), (alt or "").strip() if i else "")
        for a, i, alt in zip(anchors, image, alts, strict=True)
    ]
    codes: dict[tuple[str, bool, str], int] = {}
    link_code = np.fromiter((codes.setdefault(k, len(codes)) for k in keys), np.int64, n)
    distinct = list(codes)
    found = [classify_anchor(a, rules, is_image=i, alt=alt) for a, i, alt in distinct]
    order = {c: index for index, c in enumerate(CLASS_ORDER)}
    link_class = np.array([order[f.anchor_class] for f in found], np.int64)[link_code]
    link_text = np.array([order[f.text_class] for f in found], np.int64)[link_code]
    _, domain_code = np.unique(np.asarray(domains), return_inverse=True)
    domain_code = domain_code.reshape(-1).astype(np.int64)
    total_domains = int(domain_code.max()) + 1 if n else 0

    def reach(kind: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
        pairs = np.unique(kind * max(total_domains, 1) + domain_code)
        return np.bincount(pairs // max(total_domains, 1), minlength=size)

    class_links = np.bincount(link_class, weights=weight, minlength=len(CLASS_ORDER))
    total_links = int(weight.sum())
    class_domains = reach(link_class, len(CLASS_ORDER))
    text_domains = reach(link_text, len(CLASS_ORDER))
    shares = tuple(
        AnchorShare(
            c,
            int(class_links[k]),
            int(class_domains[k]),
            _ratio(int(class_links[k]), total_links),
            _ratio(int(class_domains[k]), total_domains),
        )
        for k, c in enumerate(CLASS_ORDER)
    )
    anchor_links = np.bincount(link_code, weights=weight, minlength=len(distinct))
    anchor_domains = reach(link_code, len(distinct))
    ranked = sorted(
        range(len(distinct)), key=lambda a: (-anchor_domains[a], -anchor_links[a], distinct[a])
    )[:top]
    spelling = _spellings(anchors, link_code, weight, ranked)
    top_anchors = tuple(
        TopAnchor(
            spelling[a],
            found[a].anchor_class,
            int(anchor_links[a]),
            int(anchor_domains[a]),
            _ratio(int(anchor_domains[a]), total_domains),
        )
        for a in ranked
    )
    text_shares = {
        c: _ratio(int(text_domains[k]), total_domains) for k, c in enumerate(CLASS_ORDER)
    }
    return AnchorDistribution(shares, top_anchors, total_links, total_domains, text_shares)


def _spellings(
    anchors: Sequence[str],
    link_code: npt.NDArray[np.int64],
    weight: npt.NDArray[np.int64],
    wanted: list[int],
) -> dict[int, str]:
    """Return the commonest spelling of each wanted distinct anchor (ties: alphabetical)."""
    wanted_set = set(wanted)
    counts: dict[int, Counter[str]] = {code: Counter() for code in wanted}
    for anchor, code, count in zip(anchors, link_code.tolist(), weight.tolist(), strict=True):
        if code in wanted_set:
            counts[code][" ".join(anchor.split())] += count
    return {code: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for code, c in counts.items()}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True, slots=True)
class AnchorAlert:
    """An unnatural anchor profile: what was measured, the limit, and what it means.

    Attributes
    ----------
    rule : str
        ``"exact_share"``, ``"commercial_share"`` or ``"repeated_anchor"``.
    value, limit : float
        The measured share of referring domains, and the largest natural one.
    message : str
        One sentence for people.
    """

    rule: str
    value: float
    limit: float
    message: str


def over_optimisation(distribution: AnchorDistribution) -> tuple[AnchorAlert, ...]:
    """Return the over-optimisation alerts of a profile (the module docstring states the rules).

    No alert is raised on fewer than ``MIN_DOMAINS_TO_JUDGE`` referring domains.
    """
    if distribution.referring_domains < MIN_DOMAINS_TO_JUDGE:
        return ()
    shares = distribution.text_domain_shares
    exact = shares[AnchorClass.EXACT]
    commercial = exact + shares[AnchorClass.PARTIAL]
    alerts: list[AnchorAlert] = []
    if exact > EXACT_SHARE_LIMIT:
        alerts.append(
            AnchorAlert(
                "exact_share",
                exact,
                EXACT_SHARE_LIMIT,
                f"{exact:.0%} of referring domains use an exact-match anchor "
                f"(natural profiles stay under {EXACT_SHARE_LIMIT:.0%})",
            )
        )
    if commercial > COMMERCIAL_SHARE_LIMIT:
        alerts.append(
            AnchorAlert(
                "commercial_share",
                commercial,
                COMMERCIAL_SHARE_LIMIT,
                f"{commercial:.0%} of referring domains use a keyword anchor, exact or partial "
                f"(natural profiles stay under {COMMERCIAL_SHARE_LIMIT:.0%})",
            )
        )
    keyword_classes = (AnchorClass.EXACT, AnchorClass.PARTIAL)
    for anchor in distribution.top:
        if anchor.anchor_class in keyword_classes and anchor.domain_share > REPEATED_ANCHOR_LIMIT:
            alerts.append(
                AnchorAlert(
                    "repeated_anchor",
                    anchor.domain_share,
                    REPEATED_ANCHOR_LIMIT,
                    f"{anchor.domain_share:.0%} of referring domains use the anchor "
                    f"{anchor.anchor!r} (natural profiles repeat no keyword anchor on more "
                    f"than {REPEATED_ANCHOR_LIMIT:.0%})",
                )
            )
    return tuple(alerts)


def recommend_mix(
    current: Mapping[AnchorClass, int],
    new_links: int,
    mix: Mapping[AnchorClass, float] = RECOMMENDED_MIX,
) -> dict[AnchorClass, int]:
    """Share ``new_links`` among anchor classes so the profile moves towards ``mix``.

    Each new link goes, one at a time, to the class furthest below its share
    of the grown profile (ties: the order of ``mix``). A profile already heavy
    in exact match gets none, however many links are planned, until the rest
    has caught up.

    Parameters
    ----------
    current : mapping
        Links (or referring domains) per class now; classes outside ``mix``
        (image, empty, other) count in the total.
    new_links : int
        How many links to plan.
    mix : mapping
        The wanted share of each class (summing to at most 1).

    Returns
    -------
    dict
        The number of new links per class of ``mix`` (zeros included).
    """
    planned = dict.fromkeys(mix, 0)
    for pick in mix_sequence(current, new_links, mix):
        planned[pick] += 1
    return planned


def mix_sequence(
    current: Mapping[AnchorClass, int],
    new_links: int,
    mix: Mapping[AnchorClass, float] = RECOMMENDED_MIX,
) -> tuple[AnchorClass, ...]:
    """Return the class of each new link in turn, as ``recommend_mix`` picks them.

    The first link gets the class the profile lacks most, so a plan built
    only partly still moves the profile the right way.
    """
    if new_links < 0:
        raise ValueError(f"new_links must be at least 0, got {new_links}")
    counts = {c: current.get(c, 0) for c in mix}
    total = sum(current.values())
    picks: list[AnchorClass] = []
    for step in range(1, new_links + 1):
        grown = total + step
        pick = max(mix, key=lambda c: mix[c] * grown - counts[c])
        counts[pick] += 1
        picks.append(pick)
    return tuple(picks)


@dataclass(frozen=True, slots=True)
class PageAnchorPlan:
    """The anchors recommended for new links to one page, given the anchors it has.

    Attributes
    ----------
    keywords : tuple of str
        The page's keywords, from its title (empty when it has none stored).
    brand : str or None
        Its site's name as its title spells it.
    current : dict
        Referring domains per class now.
    sequence : tuple of AnchorClass
        The class of each new link, first link first (``mix_sequence``).
    alerts : tuple of AnchorAlert
        Over-optimisation of the page's profile now.
    """

    keywords: tuple[str, ...]
    brand: str | None
    current: Mapping[AnchorClass, int]
    sequence: tuple[AnchorClass, ...]
    alerts: tuple[AnchorAlert, ...]


def plan_page_anchors(
    profile: AnchorDistribution | None,
    *,
    new_links: int,
    keywords: Sequence[str] = (),
    brand: str | None = None,
) -> PageAnchorPlan:
    """Recommend the anchor classes of ``new_links`` links to a page with this profile.

    Parameters
    ----------
    profile : AnchorDistribution or None
        The page's inbound anchors, classified with its site's brand and its
        keywords (``None``: no link from another site yet).
    new_links : int
        How many links are planned to it.
    keywords : sequence of str
        The keywords the profile was classified with.
    brand : str or None
        The site's name, for the hints of branded anchors.
    """
    current = (
        {} if profile is None else {s.anchor_class: s.referring_domains for s in profile.classes}
    )
    return PageAnchorPlan(
        tuple(keywords),
        brand,
        current,
        mix_sequence(current, new_links),
        () if profile is None else over_optimisation(profile),
    )
