"""parse_page over real pages, and over a hostile 50 MB one."""

from __future__ import annotations

import gzip
import json
import statistics
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from linkequity.parsing.links import extract_page_links
from linkequity.parsing.page import parse_page, read_page
from linkequity.parsing.page_text import count_words

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
READABILITY = SHARED_DATA / "html" / "readability_testpages" / "readability"
AEB = SHARED_DATA / "html" / "scrapinghub_aeb"

pytestmark = pytest.mark.slow


def _readability_pages() -> list[tuple[bytes, str, str | None]]:
    pages = []
    for path in sorted((READABILITY / "input").glob("*.html.gz")):
        gold_path = READABILITY / "GoldStandard" / path.name.replace(".html.gz", ".txt.gz")
        gold = None
        if gold_path.exists():
            # The gold standard is readability's cleaned HTML: its text is the main text.
            gold_html = gzip.decompress(gold_path.read_bytes()).decode("utf-8", "replace")
            gold = LexborHTMLParser(gold_html).text(separator=" ")
        url = f"https://readability.example/{path.name.removesuffix('.html.gz')}"
        pages.append((gzip.decompress(path.read_bytes()), url, gold))
    return pages


def _aeb_pages() -> list[tuple[bytes, str, str | None]]:
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((AEB / "html").glob("*.html.gz")):
        record = truth.get(path.name.removesuffix(".html.gz"), {})
        url = record.get("url") or "https://aeb.example/"
        pages.append((gzip.decompress(path.read_bytes()), url, record.get("articleBody")))
    return pages


@pytest.mark.parametrize(
    ("corpus", "load", "ratio_range"),
    [
        (READABILITY / "input", _readability_pages, (0.8, 1.4)),
        (AEB / "html", _aeb_pages, (0.9, 1.6)),
    ],
    ids=["readability", "aeb"],
)
def test_real_pages_parse_to_sane_signals(
    corpus: Path, load: object, ratio_range: tuple[float, float]
) -> None:
    if not corpus.is_dir():
        pytest.skip(f"shared test pages not found at {corpus} (they live beside the repo)")
    assert callable(load)
    pages = load()
    results = [parse_page(html, url) for html, url, _ in pages]
    n = len(results)
    assert n > 100
    assert sum(bool(r.title) for r in results) >= 0.95 * n
    assert sum(r.word_count > 0 for r in results) >= 0.95 * n
    assert sum(r.language is not None for r in results) >= 0.95 * n
    assert all(len(r.template_hash) == len(r.content_hash) == 16 for r in results)
    assert all(r.internal_links >= 0 and r.external_links >= 0 for r in results)
    assert (
        sum(r.internal_links + r.external_links > 0 for r in results) >= 0.6 * n
    )  # readability pages are often trimmed of links
    ratios = [
        r.word_count / count_words(gold)
        for (_, _, gold), r in zip(pages, results, strict=True)
        if gold and count_words(gold) > 0
    ]
    low, high = ratio_range
    assert low <= statistics.median(ratios) <= high


def test_fifty_megabyte_deeply_nested_page_is_bounded() -> None:
    html = b"<html><head><title>deep</title></head><body>" + b"<div class=x>word " * 2_800_000
    assert len(html) > 50_000_000
    signals = parse_page(html, "https://deep.example/")
    assert signals.title == "deep"
    # The nesting cap cut the page: what was parsed is bounded, whatever the input.
    assert 0 < signals.word_count <= 1100


def test_fifty_megabyte_flat_page_is_bounded() -> None:
    html = b"<html><body>" + b"<p>some words <a href=/x>here</a></p>" * 1_400_000
    assert len(html) > 50_000_000
    signals = parse_page(html, "https://flat.example/")
    assert signals.internal_links == 1
    assert signals.word_count > 100_000


def test_one_parse_gives_what_two_give_on_every_real_page() -> None:
    pages = _readability_pages() + _aeb_pages()
    if not pages:
        pytest.skip(f"shared pages are absent at {SHARED_DATA}")
    for html, url, _ in pages:
        signals, links = read_page(html, url)

        assert signals == parse_page(html, url), url
        assert links == extract_page_links(html, url), url
