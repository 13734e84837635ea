"""Link extraction with placement against the libraries a user would otherwise pick.

Usage::

    python benchmarks/bench_links.py [--pages 181] [--repeat 3] [--out DIR]

The pages are the real articles of ``shared/data/html/scrapinghub_aeb`` (each
one's URL from ``ground-truth.json`` is its base), read and decompressed into
memory before any timing. Every contender gets the same raw bytes, as a
crawler would, and decodes them its own way:

* ``linkequity``: ``extract_page_links``, every link with rel, image and alt,
  hidden flag, placement, position and context;
* ``lxml``: ``lxml.html`` parse, ``make_links_absolute`` and ``iterlinks``,
  keeping ``<a>``/``<area>`` hrefs (targets and nothing else);
* ``bs4``: ``BeautifulSoup(html, "lxml")``, every ``a[href]`` resolved with
  ``urljoin`` (targets and anchors);
* ``lxml+trafilatura``: the lxml links, then ``trafilatura.bare_extraction``
  on the same tree with ``include_links=True`` to tell content links from the
  rest, the nearest thing to placement a user could assemble.

Each repeat times every contender once over all pages, in turn, so a noisy
machine slows them alike; the best repeat counts. Ratios are linkequity's
pages/s over each contender's, so higher is better for linkequity. Figures go
to stdout and to ``benchmarks/out/bench_links-<pages>.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from linkequity.parsing.links import extract_page_links

if TYPE_CHECKING:
    from collections.abc import Callable

OUT = Path(__file__).resolve().parent / "out"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AEB = DATA / "html" / "scrapinghub_aeb"

Page = tuple[bytes, str]


def load_pages(limit: int, *, root: Path = AEB) -> list[Page]:
    """Return up to *limit* (html bytes, url) pairs, decompressed, in id order."""
    truth = json.loads((root / "ground-truth.json").read_text())
    pages = []
    for page_id in sorted(truth)[:limit]:
        path = root / "html" / f"{page_id}.html.gz"
        pages.append((gzip.decompress(path.read_bytes()), truth[page_id]["url"]))
    return pages


def linkequity_links(html: bytes, url: str) -> int:
    """Return how many graph links ``extract_page_links`` finds, placement included."""
    return len(extract_page_links(html, url).links)


def _lxml_links(tree: Any, url: str) -> list[str]:
    tree.make_links_absolute(url, handle_failures="discard")
    return [
        link
        for element, attribute, link, _ in tree.iterlinks()
        if attribute == "href" and element.tag in ("a", "area")
    ]


def lxml_links(html: bytes, url: str) -> int:
    """Return how many ``<a>``/``<area>`` hrefs lxml finds, made absolute."""
    import lxml.html

    return len(_lxml_links(lxml.html.document_fromstring(html, base_url=url), url))


def bs4_links(html: bytes, url: str) -> int:
    """Return how many ``a[href]`` BeautifulSoup finds, resolved with urljoin."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    links = [
        (urljoin(url, str(a["href"])), a.get_text(" ", strip=True))
        for a in soup.find_all("a", href=True)
    ]
    return len(links)


def lxml_trafilatura_links(html: bytes, url: str) -> int:
    """Return how many links lxml finds, after marking those trafilatura keeps as content."""
    import lxml.html
    import trafilatura

    tree = lxml.html.document_fromstring(html, base_url=url)
    links = _lxml_links(tree, url)
    document = trafilatura.bare_extraction(
        tree, url=url, include_links=True, with_metadata=False, fast=False
    )
    body = getattr(document, "body", None)
    content = {ref.get("target") for ref in body.iter("ref")} if body is not None else set()
    placed = [(link, link in content) for link in links]
    return len(placed)


CONTENDERS: dict[str, Callable[[bytes, str], int]] = {
    "linkequity": linkequity_links,
    "lxml": lxml_links,
    "bs4": bs4_links,
    "lxml+trafilatura": lxml_trafilatura_links,
}


def run(pages: list[Page], *, repeat: int) -> dict[str, Any]:
    """Time every contender over *pages*, *repeat* times in turn; keep each one's best."""
    best_s = dict.fromkeys(CONTENDERS, float("inf"))
    links = dict.fromkeys(CONTENDERS, 0)
    for _ in range(repeat):
        for name, extract in CONTENDERS.items():
            found = 0
            start = time.perf_counter()
            for html, url in pages:
                found += extract(html, url)
            best_s[name] = min(best_s[name], time.perf_counter() - start)
            links[name] = found
    ours = len(pages) / best_s["linkequity"]
    contenders = {}
    for name in CONTENDERS:
        pages_per_s = len(pages) / best_s[name]
        contenders[name] = {
            "seconds": best_s[name],
            "pages_per_s": pages_per_s,
            "links": links[name],
            "ratio": ours / pages_per_s,
        }
    return {
        "pages": len(pages),
        "repeat": repeat,
        "html_bytes": sum(len(html) for html, _ in pages),
        "python": platform.python_version(),
        "versions": _versions(),
        "contenders": contenders,
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ["selectolax", "lxml", "beautifulsoup4", "trafilatura"]
    return {name: version(name) for name in names}


def render(figures: dict[str, Any]) -> str:
    """Return the figures as a small table."""
    lines = [
        f"{figures['pages']} pages, {figures['html_bytes'] / 1e6:.1f} MB of HTML, "
        f"best of {figures['repeat']}",
        f"{'':20}{'pages/s':>10}{'links':>10}{'ours/it':>10}",
    ]
    for name, row in figures["contenders"].items():
        lines.append(f"{name:20}{row['pages_per_s']:>10.1f}{row['links']:>10}{row['ratio']:>9.1f}x")
    lines.append("ours/it: how many times faster linkequity is (higher is better for linkequity)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=181, help="pages to read (at most 181)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--data", type=Path, default=AEB, help="the scrapinghub_aeb folder")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no benchmark pages at {args.data}", file=sys.stderr)
        return None
    # trafilatura logs every page it finds too short; that is not what is measured.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    figures = run(load_pages(args.pages, root=args.data), repeat=args.repeat)
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_links-{figures['pages']}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
