"""Placement's "content" against the links of trafilatura's main text, on gold articles.

Usage::

    python benchmarks/bench_placement.py [--pages 181] [--data DIR] [--out DIR]

The pages are the two article-extraction corpora of ``shared/data/html``:

* ``aeb``: ``scrapinghub_aeb``, 181 real article pages; the gold text is each
  page's ``articleBody`` in ``ground-truth.json`` and the base its ``url``;
* ``readability``: ``readability_testpages/readability``, 116 pages of
  Mozilla Readability's tests; the gold text is the text of each page's
  expected article (``GoldStandard/<name>.txt.gz``, HTML) and the base
  ``http://fakehost/test/page.html``, the URL Readability's tests use.

Scored links are the graph links of ``extract_page_links`` that are text
links (not image links) with an anchor of at least ``MIN_ANCHOR_WORDS`` words;
one-word anchors ("Home", "More") occur in most articles by accident and say
nothing about where the link sits. Anchors and gold texts are folded like
``fold_anchor`` (whitespace and case) and read as their word tokens, so that
punctuation beside an anchor does not hide it. A link is gold content when its
anchor's tokens occur as a run inside the gold text's tokens.

The two contenders predict content for the same scored links:

* ``linkequity``: the link's ``placement`` is ``Placement.CONTENT``;
* ``trafilatura``: ``bare_extraction(html, include_links=True)`` with its
  defaults keeps the link in its main text (``Document.body``, not the
  comments): some ``<ref>`` there has the link's target and anchor tokens.
  No ``url`` is passed, so each ``<ref target>`` is the page's raw ``href``,
  which is resolved like ours (``resolve_url`` against the page's first
  ``<base href>``, else its URL); trafilatura's own resolution goes against
  the host's root and would miss relative paths.

Precision, recall and F1 of "content" pool the links of all pages (micro
average). Pages fall into a tuning half and a held-out half by the parity of
the SHA-1 of ``<corpus>/<page id>``; rules are tuned on the first half only
and the second shows whether they generalise. Figures go to stdout and to
``benchmarks/out/bench_placement-<pages>.json``, with our placements of the
gold-content and other links on each half.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import platform
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkequity.errors import InvalidUrl
from linkequity.model.links import Placement, fold_anchor
from linkequity.model.urls import normalize_url, resolve_url
from linkequity.parsing.html import parse_html
from linkequity.parsing.links import extract_page_links

OUT = Path(__file__).resolve().parent / "out"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "html"
AEB = "scrapinghub_aeb"
READABILITY = "readability_testpages/readability"
READABILITY_URL = "http://fakehost/test/page.html"
#: Fewest anchor words for a link to be scored.
MIN_ANCHOR_WORDS = 2
CONTENDERS = ("linkequity", "trafilatura")
HALVES = ("tuning", "held-out")

_WORD = re.compile(r"\w+")
# Block tags of the gold HTML: a space before each keeps the words of adjacent
# blocks apart once the text nodes are joined.
_BLOCK_TAG = re.compile(
    r"(</?(?:p|div|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|br|hr|section|article"
    r"|header|footer|blockquote|pre|figure|figcaption)\b)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a corpus and the text of its gold article."""

    corpus: str
    page_id: str
    html: bytes
    url: str
    gold_text: str

    @property
    def half(self) -> str:
        """Return ``"tuning"`` or ``"held-out"``, fixed by the page's corpus and id."""
        digest = hashlib.sha1(
            f"{self.corpus}/{self.page_id}".encode(), usedforsecurity=False
        ).digest()
        return HALVES[digest[-1] % 2]


@dataclass(slots=True)
class Score:
    """Counts of one contender's "content" against the gold."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, *, predicted: bool, gold: bool) -> None:
        """Count one scored link."""
        if predicted and gold:
            self.true_positives += 1
        elif predicted:
            self.false_positives += 1
        elif gold:
            self.false_negatives += 1

    def figures(self) -> dict[str, float | int]:
        """Return the counts with precision, recall and F1 (0 when undefined)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


@dataclass(slots=True)
class Tally:
    """Scores of both contenders on one group of pages, and our placements by gold label."""

    pages: int = 0
    links: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in CONTENDERS})
    placements: dict[str, Counter[str]] = field(
        default_factory=lambda: {"content": Counter(), "other": Counter()}
    )

    def add(self, other: Tally) -> None:
        """Add the counts of *other* to this tally."""
        self.pages += other.pages
        self.links += other.links
        for name, score in other.scores.items():
            mine = self.scores[name]
            mine.true_positives += score.true_positives
            mine.false_positives += score.false_positives
            mine.false_negatives += score.false_negatives
        for gold, counts in other.placements.items():
            self.placements[gold].update(counts)

    def figures(self) -> dict[str, Any]:
        """Return the tally as plain values."""
        return {
            "pages": self.pages,
            "links": self.links,
            **{name: score.figures() for name, score in self.scores.items()},
            "our_placements": {
                gold: dict(counts.most_common()) for gold, counts in self.placements.items()
            },
        }


def words(text: str) -> str:
    """Return the word tokens of folded *text*, joined by single spaces."""
    return " ".join(_WORD.findall(fold_anchor(text)))


def load_pages(limit: int, *, root: Path = DATA) -> list[Page]:
    """Return up to *limit* pages of each corpus found under *root*, in id order."""
    pages: list[Page] = []
    aeb = root / AEB
    if (aeb / "ground-truth.json").is_file():
        truth = json.loads((aeb / "ground-truth.json").read_text())
        for page_id in sorted(truth)[:limit]:
            html = gzip.decompress((aeb / "html" / f"{page_id}.html.gz").read_bytes())
            entry = truth[page_id]
            pages.append(Page("aeb", page_id, html, entry["url"], entry["articleBody"]))
    readability = root / READABILITY
    if (readability / "input").is_dir():
        for path in sorted((readability / "input").glob("*.html.gz"))[:limit]:
            name = path.name.removesuffix(".html.gz")
            gold = gzip.decompress((readability / "GoldStandard" / f"{name}.txt.gz").read_bytes())
            html = gzip.decompress(path.read_bytes())
            pages.append(Page("readability", name, html, READABILITY_URL, html_text(gold)))
    return pages


def html_text(html: bytes) -> str:
    """Return the text of an HTML fragment, blocks kept apart by spaces."""
    spaced = _BLOCK_TAG.sub(r" \1", html.decode("utf-8", errors="replace"))
    tree = parse_html(spaced).tree
    top = tree.body or tree.root
    return top.text(deep=True, separator="") if top is not None else ""


def document_base(html: bytes, url: str) -> str:
    """Return what relative links of *html* resolve against: its first ``<base href>`` or *url*."""
    base = parse_html(html).tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    if not href:
        return normalize_url(url)
    try:
        return resolve_url(normalize_url(url), href)
    except InvalidUrl:
        return normalize_url(url)


def trafilatura_links(html: bytes, url: str) -> set[tuple[str, str]]:
    """Return the (target, anchor words) of the links in trafilatura's main text."""
    import trafilatura

    document = trafilatura.bare_extraction(html, include_links=True)
    body = getattr(document, "body", None)
    if body is None:
        return set()
    base = document_base(html, url)
    kept = set()
    for ref in body.iter("ref"):
        target = ref.get("target")
        if not target:
            continue
        try:
            resolved = resolve_url(base, target)
        except InvalidUrl:
            continue
        kept.add((resolved, words("".join(ref.itertext()))))
    return kept


def score_page(page: Page) -> Tally:
    """Return the tally of the scored links of one page."""
    gold = f" {words(page.gold_text)} "
    theirs = trafilatura_links(page.html, page.url)
    tally = Tally(pages=1)
    for link in extract_page_links(page.html, page.url).links:
        anchor = words(link.anchor_text)
        if link.is_image or len(anchor.split()) < MIN_ANCHOR_WORDS:
            continue
        is_gold = f" {anchor} " in gold
        tally.links += 1
        tally.scores["linkequity"].add(predicted=link.placement is Placement.CONTENT, gold=is_gold)
        tally.scores["trafilatura"].add(predicted=(link.url, anchor) in theirs, gold=is_gold)
        tally.placements["content" if is_gold else "other"][link.placement.value] += 1
    return tally


def run(pages: list[Page]) -> dict[str, Any]:
    """Score both contenders on *pages* by half and corpus, each also pooled."""
    groups = {
        half: {corpus: Tally() for corpus in (*sorted({p.corpus for p in pages}), "overall")}
        for half in (*HALVES, "all")
    }
    for page in pages:
        tally = score_page(page)
        for half in (page.half, "all"):
            for corpus in (page.corpus, "overall"):
                groups[half][corpus].add(tally)
    return {
        "min_anchor_words": MIN_ANCHOR_WORDS,
        "python": platform.python_version(),
        "versions": _versions(),
        "halves": {
            half: {corpus: tally.figures() for corpus, tally in corpora.items()}
            for half, corpora in groups.items()
        },
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("linkequity", "selectolax", "trafilatura")}


def render(figures: dict[str, Any]) -> str:
    """Return precision, recall and F1 of both contenders as a small table."""
    lines = [
        f"{'':10}{'':13}{'pages':>6}{'links':>7}"
        + "".join(f"{name + ' P/R/F1':>24}" for name in CONTENDERS)
    ]
    for half, corpora in figures["halves"].items():
        for corpus, row in corpora.items():
            cells = "".join(
                f"{row[name]['precision']:>10.3f}{row[name]['recall']:>7.3f}{row[name]['f1']:>7.3f}"
                for name in CONTENDERS
            )
            lines.append(f"{half:10}{corpus:13}{row['pages']:>6}{row['links']:>7}{cells}")
    lines.append(
        f"links with anchors of {figures['min_anchor_words']}+ words; "
        "gold content: the anchor lies inside the gold article text"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=181, help="pages to read of each corpus")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared html folder")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    pages = load_pages(args.pages, root=args.data)
    if not pages:
        print(f"skipped: no benchmark pages at {args.data}", file=sys.stderr)
        return None
    # trafilatura logs every page it finds too short; that is not what is measured.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    figures = {"pages": args.pages, **run(pages)}
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_placement-{args.pages}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
