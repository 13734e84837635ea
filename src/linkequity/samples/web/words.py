"""Word lists and the plausible text built from them: no external text, no network.

Every function takes the ``random.Random`` to draw from, so the text of a page
depends only on the seed of that page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

__all__ = [
    "GENERIC_ANCHORS",
    "THEMES",
    "Theme",
    "paragraph",
    "person",
    "sentence",
    "slug",
    "title_words",
]


@dataclass(frozen=True, slots=True)
class Theme:
    """The niche of a sample web: what its money site sells and its press writes about."""

    name: str
    brand_words: tuple[str, ...]
    keywords: tuple[str, ...]
    nouns: tuple[str, ...]
    categories: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "gardening",
        ("green", "thumb", "garden", "leaf", "root", "bloom", "seed", "sprout"),
        (
            "raised garden beds", "compost bins", "pruning shears", "heirloom tomato seeds",
            "drip irrigation kits", "organic fertilizer", "greenhouse kits", "garden trowels",
            "rain barrels", "seed starting trays", "garden kneelers", "potting soil",
        ),
        (
            "garden", "soil", "compost", "seedling", "tomato", "border", "hedge", "lawn",
            "mulch", "greenhouse", "allotment", "harvest", "perennial", "shrub", "bulb",
            "pollinator", "orchard", "herb", "trellis", "planter", "frost", "root", "pond",
            "meadow", "vegetable", "bed", "season", "cutting", "hosta", "rose",
        ),
        ("vegetables", "flowers", "tools", "lawns", "trees", "howto"),
    ),
    Theme(
        "coffee",
        ("bean", "roast", "brew", "crema", "grind", "cup", "mocha", "press"),
        (
            "espresso machines", "burr grinders", "pour over kettles", "cold brew makers",
            "single origin beans", "french press", "milk frothers", "coffee scales",
            "moka pots", "decaf beans", "espresso tampers", "travel mugs",
        ),
        (
            "coffee", "bean", "roast", "grinder", "kettle", "crema", "barista", "brew",
            "filter", "aroma", "cup", "espresso", "origin", "harvest", "farm", "acidity",
            "body", "extraction", "water", "milk", "ratio", "dose", "basket", "portafilter",
            "cafe", "blend", "sample", "cherry", "drying", "tasting",
        ),
        ("brewing", "beans", "gear", "recipes", "travel", "reviews"),
    ),
    Theme(
        "cycling",
        ("spoke", "pedal", "gear", "chain", "saddle", "crank", "wheel", "climb"),
        (
            "road bikes", "gravel bikes", "bike helmets", "cycling shoes", "bike lights",
            "turbo trainers", "tubeless tyres", "bike locks", "cycling jerseys",
            "electric bikes", "bike pumps", "chain lube",
        ),
        (
            "bike", "ride", "route", "climb", "wheel", "tyre", "frame", "saddle", "chain",
            "cassette", "descent", "sprint", "club", "commute", "gravel", "trail", "pedal",
            "brake", "helmet", "jersey", "cadence", "peloton", "valley", "pass", "workshop",
            "headwind", "mileage", "training", "race", "tour",
        ),
        ("rides", "gear", "training", "maintenance", "races", "commuting"),
    ),
)  # fmt: skip

#: Anchors that say nothing about the target ("generic" anchor class).
GENERIC_ANCHORS: tuple[str, ...] = (
    "click here", "this site", "read more", "here", "website", "this article",
    "learn more", "source", "this guide", "more info",
)  # fmt: skip

_ADJECTIVES = (
    "quiet", "practical", "simple", "honest", "early", "late", "careful", "seasonal",
    "modern", "classic", "small", "large", "better", "cheap", "reliable", "local",
    "patient", "clever", "tidy", "rough", "useful", "common", "rare", "fresh", "old",
    "steady", "bright", "thorough", "surprising", "sturdy",
)  # fmt: skip
_VERBS = (
    "changes", "improves", "needs", "shapes", "protects", "reveals", "supports",
    "rewards", "follows", "explains", "shows", "keeps", "makes", "helps", "turns",
    "brings", "tests", "saves", "costs", "beats",
)  # fmt: skip
_ADVERBS = (
    "usually", "often", "rarely", "quickly", "slowly", "always", "sometimes",
    "honestly", "clearly", "mostly", "easily", "still",
)  # fmt: skip
_CONNECTORS = (
    "and", "but", "because", "while", "so", "although", "since", "yet", "whereas",
)  # fmt: skip
_PREPOSITIONS = ("with", "for", "without", "after", "before", "near", "under", "beyond")
_DETERMINERS = ("the", "a", "every", "each", "this", "that", "one", "our", "your")
_OPENERS = (
    "In practice", "For most readers", "Last season", "In our tests", "Over time",
    "At first", "On balance", "As a rule", "By spring", "Every year",
)  # fmt: skip
_FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Greta", "Hugo", "Iris", "Jonas",
    "Kai", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomas",
)  # fmt: skip
_LAST_NAMES = (
    "Abbott", "Baker", "Castro", "Dalton", "Evans", "Fischer", "Garcia", "Hale",
    "Ito", "Jensen", "Khan", "Lopez", "Moreau", "Novak", "Okafor", "Patel",
)  # fmt: skip


def person(rng: random.Random) -> str:
    """Return a made-up full name."""
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def title_words(rng: random.Random, nouns: Sequence[str]) -> list[str]:
    """Return the words of a headline: an adjective and two or three nouns and verbs."""
    words = [rng.choice(_ADJECTIVES), rng.choice(nouns)]
    if rng.random() < 0.5:
        words += [rng.choice(_VERBS), rng.choice(nouns)]
    else:
        words += [rng.choice(_PREPOSITIONS), rng.choice(_DETERMINERS), rng.choice(nouns)]
    return words


def slug(words: Sequence[str]) -> str:
    """Return the URL slug of *words*: lowercase, hyphen-joined."""
    return "-".join("-".join(word.lower().split()) for word in words)


def _clause(rng: random.Random, nouns: Sequence[str]) -> list[str]:
    words = [rng.choice(_DETERMINERS), rng.choice(_ADJECTIVES), rng.choice(nouns)]
    if rng.random() < 0.4:
        words.append(rng.choice(_ADVERBS))
    words += [rng.choice(_VERBS), rng.choice(_DETERMINERS), rng.choice(nouns)]
    if rng.random() < 0.5:
        words += [rng.choice(_PREPOSITIONS), rng.choice(_DETERMINERS), rng.choice(nouns)]
    return words


def sentence(rng: random.Random, nouns: Sequence[str]) -> str:
    """Return one sentence of eight to twenty-odd words, capitalised and full-stopped."""
    words = _clause(rng, nouns)
    if rng.random() < 0.3:
        opener = rng.choice(_OPENERS).split()
        opener[-1] += ","
        words = [*opener, *words]
    if rng.random() < 0.6:
        words += [rng.choice(_CONNECTORS), *_clause(rng, nouns)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, nouns: Sequence[str], *, sentences: int) -> str:
    """Return *sentences* sentences joined by spaces."""
    return " ".join(sentence(rng, nouns) for _ in range(sentences))
