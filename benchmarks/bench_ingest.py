"""WARC ingestion into the store against the pipeline a user would otherwise write.

Usage::

    python benchmarks/bench_ingest.py [--pages 181] [--copies 3] [--repeat 3] [--out DIR]

The archive is built first, outside any timing: the real article pages of
``shared/data/html/scrapinghub_aeb``, each stored *copies* times under its own
URL (``?copy=N``) as an HTTP response record, gzip per record as Common Crawl
writes them, with a request record before each response as crawlers write
them. Then, in the same run:

* ``linkequity``: ``ingest_archives`` into a new DuckDB project: FastWARC
  reading, page signals (indexability, canonical, language, word count,
  hashes), every link with rel, placement, hidden flag, position and context,
  and the writes of pages, URLs, links and sightings;
* ``warcio+lxml``: warcio's ``ArchiveIterator``, ``content_stream()`` for each
  response, ``lxml.html`` with ``make_links_absolute``, and a list of
  ``(page, target, anchor text)`` for every ``<a>``/``<area>``: links
  without placement or page signals, kept in memory, stored nowhere;
* ``fastwarc`` and ``warcio`` (reading only): every record's block read and
  dropped, the floor under each pipeline.

Each repeat runs every contender once, in turn; the best repeat counts.
Ratios are linkequity's records/s over each contender's (higher is better for
linkequity). Figures go to stdout and ``benchmarks/out/bench_ingest-<records>.json``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkequity.services.ingest import ingest_archives

if TYPE_CHECKING:
    from collections.abc import Callable

OUT = Path(__file__).resolve().parent / "out"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AEB = DATA / "html" / "scrapinghub_aeb"


def build_archive(path: Path, *, pages: int, copies: int, root: Path = AEB) -> int:
    """Write the benchmark WARC to *path*; return the number of response records."""
    truth = json.loads((root / "ground-truth.json").read_text())
    chosen = sorted(truth)[:pages]
    responses = 0
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for copy in range(copies):
            for page_id in chosen:
                body = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
                url = f"{truth[page_id]['url']}{'&' if '?' in truth[page_id]['url'] else '?'}"
                url += f"copy={copy}"
                _write_pair(writer, url, body)
                responses += 1
    return responses


def _write_pair(writer: WARCWriter, url: str, body: bytes) -> None:
    date = datetime(2024, 5, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    request = StatusAndHeaders("GET / HTTP/1.1", [("User-Agent", "bench")], is_http_request=True)
    writer.write_record(
        writer.create_warc_record(
            url, "request", http_headers=request, warc_headers_dict={"WARC-Date": date}
        )
    )
    headers = StatusAndHeaders(
        "200 OK",
        [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # without it warcio buffers the body in a temp file it leaves open
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date},
        )
    )


def linkequity_ingest(archive: Path, workdir: Path) -> int:
    """Ingest *archive* into a new project; return the sightings stored."""
    db = workdir / f"bench-{time.monotonic_ns()}.duckdb"
    report = ingest_archives([archive], db=db)
    db.unlink()
    return report.stats.sightings


def warcio_lxml(archive: Path, workdir: Path) -> int:
    """Read *archive* with warcio and each response's links with lxml; return the links."""
    del workdir
    import lxml.html
    from warcio.archiveiterator import ArchiveIterator

    links: list[tuple[str, str, str]] = []
    with archive.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            body = record.content_stream().read()
            if not body:
                continue
            tree = lxml.html.document_fromstring(body, base_url=url)
            tree.make_links_absolute(url, handle_failures="discard")
            links.extend(
                (url, element.get("href"), element.text_content())
                for element in tree.iter("a", "area")
                if element.get("href")
            )
    return len(links)


def fastwarc_read(archive: Path, workdir: Path) -> int:
    """Read every record block of *archive* with FastWARC; return the records."""
    del workdir
    from fastwarc.warc import ArchiveIterator

    records = 0
    with archive.open("rb") as stream:
        for record in ArchiveIterator(stream, parse_http=False):
            record.reader.read()
            records += 1
    return records


def warcio_read(archive: Path, workdir: Path) -> int:
    """Read every record block of *archive* with warcio; return the records."""
    del workdir
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    with archive.open("rb") as stream:
        for record in ArchiveIterator(stream):
            record.raw_stream.read()
            records += 1
    return records


CONTENDERS: dict[str, Callable[[Path, Path], int]] = {
    "linkequity": linkequity_ingest,
    "warcio+lxml": warcio_lxml,
    "fastwarc (read only)": fastwarc_read,
    "warcio (read only)": warcio_read,
}


def run(archive: Path, responses: int, *, repeat: int, workdir: Path) -> dict[str, Any]:
    """Time every contender over *archive*, *repeat* times in turn; keep each one's best."""
    best_s = dict.fromkeys(CONTENDERS, float("inf"))
    found = dict.fromkeys(CONTENDERS, 0)
    for _ in range(repeat):
        for name, contender in CONTENDERS.items():
            start = time.perf_counter()
            found[name] = contender(archive, workdir)
            best_s[name] = min(best_s[name], time.perf_counter() - start)
    size = archive.stat().st_size
    ours = responses / best_s["linkequity"]
    contenders = {
        name: {
            "seconds": best_s[name],
            "pages_per_s": responses / best_s[name],
            "mb_per_s": size / best_s[name] / 1e6,
            "found": found[name],
            "ratio": ours / (responses / best_s[name]),
        }
        for name in CONTENDERS
    }
    return {
        "responses": responses,
        "archive_bytes": size,
        "repeat": repeat,
        "python": platform.python_version(),
        "versions": _versions(),
        "contenders": contenders,
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("duckdb", "fastwarc", "warcio", "lxml", "selectolax")}


def render(figures: dict[str, Any]) -> str:
    """Return the figures as a small table."""
    lines = [
        f"{figures['responses']} HTML responses, {figures['archive_bytes'] / 1e6:.1f} MB of "
        f"gzip WARC, best of {figures['repeat']}",
        f"{'':22}{'pages/s':>10}{'MB/s':>8}{'found':>10}{'ours/it':>10}",
    ]
    for name, row in figures["contenders"].items():
        lines.append(
            f"{name:22}{row['pages_per_s']:>10.1f}{row['mb_per_s']:>8.2f}"
            f"{row['found']:>10}{row['ratio']:>9.2f}x"
        )
    lines.append(
        "found: sightings stored (linkequity), links listed (warcio+lxml), records read (others)"
    )
    lines.append("ours/it: how many times faster linkequity is (higher is better for linkequity)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=181, help="distinct pages (at most 181)")
    parser.add_argument("--copies", type=int, default=3, help="times each page is archived")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--data", type=Path, default=AEB, help="the scrapinghub_aeb folder")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no benchmark pages at {args.data}", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="bench_ingest-") as scratch:
        workdir = Path(scratch)
        archive = workdir / "pages.warc.gz"
        responses = build_archive(archive, pages=args.pages, copies=args.copies, root=args.data)
        figures = run(archive, responses, repeat=args.repeat, workdir=workdir)
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench_ingest-{figures['responses']}.json"
    path.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
