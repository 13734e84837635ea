"""The text-side signals of a page.

The main-text heuristic, word counting, language detection, the template and
content hashes, and the footprint ids; decoding and bounding the page is
``parsing.html``'s. Every function here is pure and total: hostile input gives
a value, never an error.

Caps (each bounds the time or memory one page can take):

- ``MAX_MAIN_TEXT_CHARS``: the main text kept on the result, 100,000 characters;
  the word count is taken before the cut.
- ``LANGUAGE_SAMPLE_CHARS``: detection reads the first 2,000 characters of main
  text, enough for a stable answer at a millisecond or so.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from linkequity.model.pages import Footprints

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "LANGUAGE_SAMPLE_CHARS",
    "MAX_MAIN_TEXT_CHARS",
    "content_hash",
    "count_words",
    "detect_language",
    "extract_main_text",
    "find_footprints",
    "fold_whitespace",
    "template_hash",
]

MAX_MAIN_TEXT_CHARS = 100_000
LANGUAGE_SAMPLE_CHARS = 2_000
#: Fewer letters than this and detection is a guess; we say nothing instead.
MIN_DETECTION_LETTERS = 24
#: Levels below <body> the template skeleton reads, and the most elements it takes.
TEMPLATE_DEPTH = 6
TEMPLATE_MAX_ELEMENTS = 4000

_DROPPED_TAGS = [
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "svg", "iframe", "object", "select", "button", "form",
]  # fmt: skip
_BOILERPLATE = re.compile(
    r"(?<![a-z])(?:menu|nav|navbar|navigation|footer|sidebar|side-bar|breadcrumbs?|"
    r"comments?|share|sharing|social)(?![a-z])"
)
_KEPT_CONTAINERS = frozenset({"html", "body", "main", "article"})
_DROP_MARK = "data-linkequity-drop"
# A layout box named "two-col-sidebar" that wraps the article is not a sidebar.
_CONTENT_MARKERS = "article, main, h1, [role=main], [itemprop=articleBody]"

# One word per Han ideograph or kana, as CJK word counters do; Hangul is spaced.
_CJK_CHAR = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_SPACED_WORD = re.compile(r"[^\w\s]*\w\S*")
_LETTER = re.compile(r"[^\W\d_]")

# Each pattern starts with its literal so that the regex engine can skip ahead
# to it; the character before a match is checked in Python.
_UA_ID = re.compile(r"UA-\d{4,10}-\d{1,4}(?![\w-])")
_GA4_ID = re.compile(r"G-(?=[A-Z0-9]*\d)[A-Z0-9]{6,12}(?![\w-])")
_GTM_ID = re.compile(r"GTM-[A-Z0-9]{4,9}(?![\w-])")
_ADSENSE_ID = re.compile(r"pub-\d{10,20}(?![\w-])")
_GA4_AFTER = frozenset("'\"=/")

_STRUCTURAL_TAGS = frozenset({
    "div", "section", "header", "footer", "nav", "aside", "main", "article", "form",
    "body", "table", "ul", "ol", "menu", "dialog", "details", "figure",
})  # fmt: skip
_SKELETON_CLASS = re.compile(r"[a-z][a-z_\-]*")
_TAXONOMY_CLASS = re.compile(r"(?:category|tag|author|format|post|page|term|postid)-")
_MAX_CLASS_TOKENS = 8


def fold_whitespace(text: str) -> str:
    """Return *text* with runs of whitespace turned into one space, trimmed."""
    return " ".join(text.split())


def extract_main_text(tree: LexborHTMLParser) -> str:
    """Return the page's main text, whitespace folded; *tree* is modified.

    Drops ``script``, ``style``, ``noscript``, ``template``, ``nav``, ``header``,
    ``footer``, ``aside`` and form controls, then every element whose class or
    id names a menu, navigation, footer, sidebar, breadcrumb, comment or share
    box, unless it is or holds ``html``, ``body``, ``main``, ``article``, an
    ``h1`` or an element marked as the main content, and
    returns the text of what is left of ``<body>``.
    """
    tree.strip_tags(_DROPPED_TAGS)
    body = tree.body
    if body is None:
        return ""
    marked = False
    for node in body.css("[class], [id]"):
        if node.tag in _KEPT_CONTAINERS:
            continue
        attrs = node.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if _BOILERPLATE.search(names) and node.css_first(_CONTENT_MARKERS) is None:
            node.attrs[_DROP_MARK] = ""
            marked = True
    if marked:
        # Only the outermost marked elements: destroying a parent frees its children.
        for node in body.css(f"[{_DROP_MARK}]:not([{_DROP_MARK}] *)"):
            node.decompose()
    return fold_whitespace(body.text(separator=" "))


def count_words(text: str) -> int:
    """Return the number of words in *text*.

    A word is a whitespace-delimited run holding a letter or digit; each Han
    ideograph and each kana counts as one word, as CJK word counters do, since
    those scripts put no spaces between words. Thai, Lao, Khmer and Burmese runs
    count as one word per spaced run (an undercount).
    """
    cjk = len(_CJK_CHAR.findall(text))
    if cjk:
        text = _CJK_CHAR.sub(" ", text)
    return cjk + len(_SPACED_WORD.findall(text))


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of the language of *text*, or ``None``.

    Uses py3langid (langid.py's naive Bayes model, bundled in the wheel) on the
    first ``LANGUAGE_SAMPLE_CHARS`` characters; texts with fewer than
    ``MIN_DETECTION_LETTERS`` letters get ``None``.
    """
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(_LETTER.findall(sample, 0, 4 * MIN_DETECTION_LETTERS)) < MIN_DETECTION_LETTERS:
        return None
    label, _score = _classify(sample)
    return None if label in ("zxx", "und") else str(label)


def _classify(text: str) -> tuple[Any, Any]:
    """Return py3langid's ``(label, score)`` for *text*, loading the model on first use."""
    import py3langid  # type: ignore[import-untyped]  # loads a 4.6 MB model: import lazily

    result: tuple[Any, Any] = py3langid.classify(text)
    return result


def content_hash(main_text: str) -> str:
    """Return a 16-hex-digit hash of *main_text* case-folded and whitespace-folded."""
    folded = fold_whitespace(main_text).casefold()
    return hashlib.blake2b(folded.encode("utf-8", "replace"), digest_size=8).hexdigest()


def template_hash(tree: LexborHTMLParser) -> str:
    """Return a 16-hex-digit hash of the page's DOM skeleton.

    The skeleton is, in document order, the depth, tag name and class tokens of
    each structural element (``div``, ``section``, ``header``, ``nav``, ``ul``,
    ``table``...) down to ``TEMPLATE_DEPTH`` levels below ``<body>``. Text, ids
    and other attributes are left out, and so are class tokens holding a digit
    or naming a post, category, tag or author (``post-123``, ``category-news``),
    the insides of ``<article>`` and ``<main>``, and repeats of a sibling.
    Pages built from one template therefore share the hash whatever they say.
    Call it before ``extract_main_text``, which edits the tree.
    """
    body = tree.body
    parts: list[str] = []
    if body is not None:
        stack: list[tuple[LexborNode, int]] = [(body, 0)]
        last_at_depth: dict[int, str] = {}
        while stack and len(parts) < TEMPLATE_MAX_ELEMENTS:
            node, depth = stack.pop()
            signature = _skeleton_signature(node)
            if signature is None:
                continue
            line = f"{depth} {signature}"
            if last_at_depth.get(depth) == line:
                continue
            parts.append(line)
            last_at_depth[depth] = line
            for deeper in [d for d in last_at_depth if d > depth]:
                del last_at_depth[deeper]
            if depth < TEMPLATE_DEPTH and node.tag not in ("article", "main"):
                children = [child for child in node.iter() if child.tag in _STRUCTURAL_TAGS]
                stack.extend((child, depth + 1) for child in reversed(children))
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


def _skeleton_signature(node: LexborNode) -> str | None:
    """Return ``tag.class.class`` for a structural element, or ``None``."""
    tag = node.tag
    if tag not in _STRUCTURAL_TAGS:
        return None
    classes = (node.attributes.get("class") or "").lower().split()
    kept = sorted(
        {
            token
            for token in classes[: 4 * _MAX_CLASS_TOKENS]
            if _SKELETON_CLASS.fullmatch(token) and not _TAXONOMY_CLASS.match(token)
        }
    )[:_MAX_CLASS_TOKENS]
    return ".".join([tag, *kept])


def find_footprints(text: str) -> Footprints:
    """Return the Analytics, Tag Manager and AdSense ids found in the raw HTML *text*.

    Ids are read from the whole source, scripts and attributes included;
    ``ca-pub-N`` and ``pub-N`` both give ``pub-N``.
    GA4 ids (``G-...``) must hold a digit and follow a quote, ``=`` or ``/``,
    so that product names like "G-SHOCK" in the text do not count.
    """
    analytics = _ids_after(_UA_ID, text, None) | _ids_after(_GA4_ID, text, _GA4_AFTER)
    return Footprints(
        analytics_ids=tuple(sorted(analytics)),
        tag_manager_ids=tuple(sorted(_ids_after(_GTM_ID, text, None))),
        adsense_publishers=tuple(sorted(_ids_after(_ADSENSE_ID, text, None))),
    )


def _ids_after(pattern: re.Pattern[str], text: str, allowed: frozenset[str] | None) -> set[str]:
    """Return the matches of *pattern* that start a word, or follow one of *allowed*."""
    found: set[str] = set()
    for match in pattern.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if before in allowed if allowed is not None else not (before.isalnum() or before == "_"):
            found.add(match.group())
    return found
