"""DuckDB store vs a competent SQLite setup: bulk link writes, two audit queries, bytes per link.

Usage::

    python benchmarks/bench_store.py [--links 10000000] [--batch 1000000] [--workdir DIR]

A synthetic link set is generated with NumPy (source pages over hosts and
registrable domains, targets over target domains, Zipf-skewed popularity and
anchors, rel flags, dates), then:

* DuckDB: written through ``Store.write_link_sightings`` (the Arrow path the
  importer uses), one transaction per batch, as one file each;
* SQLite: the same rows into an equivalent normalised schema (urls, links with a
  unique key, link_sightings) with the indexes the two queries need, WAL and
  ``synchronous=NORMAL``, ``executemany`` in batches inside one transaction;

then both answer "referring domains per target domain" and "anchor distribution
of the most linked target domain". Figures go to stdout and to
``benchmarks/out/bench_store-<links>.json``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.model.links import fold_anchor
from linkequity.store import LINK_SIGHTING_SCHEMA, Store

OUT = Path(__file__).resolve().parent / "out"
WORDS = [
    "shoes",
    "running",
    "best",
    "cheap",
    "review",
    "guide",
    "buy",
    "online",
    "sale",
    "shop",
    "news",
    "blog",
    "click",
    "here",
    "read",
    "more",
    "website",
    "home",
    "page",
    "source",
    "link",
    "official",
    "store",
    "top",
    "tips",
    "how",
    "to",
]


@dataclass(frozen=True)
class EngineFigures:
    """What one engine measured."""

    engine: str
    write_s: float
    rows_per_s: float
    referring_domains_query_s: float
    anchor_distribution_query_s: float
    file_bytes: int
    links: int
    bytes_per_link: float


def generate(n_links: int, seed: int = 7) -> tuple[pa.Table, pa.Array]:
    """Return synthetic sightings (``LINK_SIGHTING_SCHEMA``) and their folded anchors."""
    rng = np.random.default_rng(seed)
    n_pages = int(np.clip(n_links // 10, 100, 1_000_000))
    n_hosts = int(np.clip(n_pages // 20, 10, 50_000))
    n_target_domains = int(np.clip(n_links // 2_000, 5, 5_000))
    pages_per_target_domain = 20

    host_of_page = _zipf_index(rng, n_pages, n_hosts, 1.1)
    host_names = [
        f"{('www', 'blog', 'news', 'shop')[h % 4]}.site{h // 2}.com" for h in range(n_hosts)
    ]
    page_urls = pa.array(
        [f"https://{host_names[host_of_page[p]]}/article/{p}" for p in range(n_pages)]
    )
    target_urls = pa.array(
        [
            f"https://brand{d}.example/{'' if k == 0 else f'product/{k}'}"
            for d in range(n_target_domains)
            for k in range(pages_per_target_domain)
        ]
    )
    anchors_vocab = [
        " ".join(rng.choice(WORDS, size=int(rng.integers(1, 4))).tolist()) for _ in range(20_000)
    ]
    anchors_vocab[:3] = ["", "Click here", "https://brand.example/"]
    vocab = pa.array(anchors_vocab)
    vocab_keys = pa.array([fold_anchor(anchor) for anchor in anchors_vocab])

    source = _zipf_index(rng, n_links, n_pages, 1.05)
    target_domain = _zipf_index(rng, n_links, n_target_domains, 1.2)
    target_page = target_domain * pages_per_target_domain + _zipf_index(
        rng, n_links, pages_per_target_domain, 1.5
    )
    anchor = _zipf_index(rng, n_links, len(anchors_vocab), 1.1)
    first_seen = np.datetime64("2021-01-01T00:00:00", "us") + rng.integers(
        0, 3 * 365 * 86_400, n_links
    ).astype("timedelta64[s]")
    last_seen = first_seen + rng.integers(0, 365 * 86_400, n_links).astype("timedelta64[s]")
    unknown = rng.random(n_links) < 0.1
    columns: dict[str, Any] = {
        "source_url": pc.take(page_urls, pa.array(source)),
        "target_url": pc.take(target_urls, pa.array(target_page)),
        "row": pa.array(np.arange(n_links, dtype=np.int64)),
        "anchor": pc.take(vocab, pa.array(anchor)),
        "is_nofollow": pa.array(rng.random(n_links) < 0.25, mask=unknown),
        "is_sponsored": pa.array(rng.random(n_links) < 0.02, mask=unknown),
        "is_ugc": pa.array(rng.random(n_links) < 0.05, mask=unknown),
        "is_image": pa.array(rng.random(n_links) < 0.08),
        "first_seen": pa.array(first_seen),
        "last_seen": pa.array(last_seen),
    }
    arrays = [
        columns.get(field.name, pa.nulls(n_links, field.type)).cast(field.type)
        if field.name != "is_target_inferred"
        else pa.array(np.zeros(n_links, dtype=bool))
        for field in LINK_SIGHTING_SCHEMA
    ]
    table = pa.Table.from_arrays(arrays, schema=LINK_SIGHTING_SCHEMA)
    return table, pc.take(vocab_keys, pa.array(anchor))


def _zipf_index(rng: np.random.Generator, size: int, n: int, exponent: float) -> np.ndarray:
    """Indices in ``[0, n)`` with Zipf-like popularity, shuffled so rank is not id order."""
    ranks = np.arange(1, n + 1, dtype=np.float64)
    weights = ranks**-exponent
    cumulative = np.cumsum(weights / weights.sum())
    drawn = np.searchsorted(cumulative, rng.random(size), side="right").clip(0, n - 1)
    return rng.permutation(n)[drawn]


def bench_duckdb(table: pa.Table, path: Path, batch: int) -> EngineFigures:
    with Store.open(path) as store:
        started = time.perf_counter()
        for number, offset in enumerate(range(0, len(table), batch)):
            with store.transaction():
                snapshot_id = store.begin_snapshot(kind="import", source="benchmark")
                file_id, _ = store.register_file(
                    sha256=f"bench-{number}",
                    path=f"bench-{number}.csv",
                    tool="ahrefs",
                    export_format="ahrefs_backlinks",
                    kind="backlinks",
                    snapshot_id=snapshot_id,
                )
                store.write_link_sightings(snapshot_id, file_id, table.slice(offset, batch))
                store.finish_snapshot(snapshot_id)
        write_s = time.perf_counter() - started
        links = store.stats().links
        started = time.perf_counter()
        by_domain = store.referring_domains_by_target_domain()
        referring_s = time.perf_counter() - started
        top_domain = by_domain.column("target_domain")[0].as_py()
        started = time.perf_counter()
        store.anchor_distribution(top_domain)
        anchor_s = time.perf_counter() - started
    size = path.stat().st_size
    return EngineFigures(
        "duckdb", write_s, len(table) / write_s, referring_s, anchor_s, size, links, size / links
    )


SQLITE_SCHEMA = """
CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, host TEXT NOT NULL,
    domain TEXT NOT NULL);
CREATE TABLE links (id INTEGER PRIMARY KEY, source_url_id INTEGER NOT NULL,
    target_url_id INTEGER NOT NULL, anchor_key TEXT NOT NULL, anchor TEXT NOT NULL,
    is_nofollow INTEGER, is_sponsored INTEGER, is_ugc INTEGER, is_image INTEGER,
    first_seen INTEGER, last_seen INTEGER,
    UNIQUE (source_url_id, target_url_id, anchor_key));
CREATE TABLE link_sightings (link_id INTEGER NOT NULL, file_id INTEGER NOT NULL,
    row INTEGER NOT NULL, tool TEXT NOT NULL, anchor TEXT NOT NULL,
    is_nofollow INTEGER, is_sponsored INTEGER, is_ugc INTEGER, is_image INTEGER,
    first_seen INTEGER, last_seen INTEGER, PRIMARY KEY (file_id, row)) WITHOUT ROWID;
CREATE INDEX links_by_target ON links (target_url_id, source_url_id);
CREATE INDEX urls_by_domain ON urls (domain);
"""
SQLITE_REFERRING_DOMAINS = """
SELECT t.domain, count(DISTINCT s.domain) AS referring_domains, count(*) AS links
FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
GROUP BY t.domain ORDER BY referring_domains DESC, links DESC, t.domain
"""
SQLITE_ANCHORS = """
SELECT l.anchor_key, min(l.anchor), count(*) AS links, count(DISTINCT s.domain)
FROM urls t JOIN links l ON l.target_url_id = t.id JOIN urls s ON s.id = l.source_url_id
WHERE t.domain = ? GROUP BY l.anchor_key ORDER BY links DESC, l.anchor_key
"""
SQLITE_UPSERT_LINK = """
INSERT INTO links (source_url_id, target_url_id, anchor_key, anchor, is_nofollow, is_sponsored,
    is_ugc, is_image, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_url_id, target_url_id, anchor_key) DO UPDATE SET
    is_nofollow = coalesce(excluded.is_nofollow, is_nofollow),
    is_sponsored = coalesce(excluded.is_sponsored, is_sponsored),
    is_ugc = coalesce(excluded.is_ugc, is_ugc),
    is_image = coalesce(excluded.is_image, is_image),
    first_seen = min(first_seen, excluded.first_seen),
    last_seen = max(last_seen, excluded.last_seen)
"""
SQLITE_INSERT_SIGHTING = """
INSERT OR IGNORE INTO link_sightings SELECT
    (SELECT id FROM links WHERE source_url_id = ? AND target_url_id = ? AND anchor_key = ?),
    ?, ?, 'ahrefs', ?, ?, ?, ?, ?, ?, ?
"""


def bench_sqlite(
    table: pa.Table, anchor_keys: pa.Array, path: Path, batch: int, chunk: int = 100_000
) -> EngineFigures:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.executescript(SQLITE_SCHEMA)
    url_ids: dict[str, int] = {}
    started = time.perf_counter()
    for number, offset in enumerate(range(0, len(table), batch)):
        conn.execute("BEGIN")
        for start in range(offset, min(offset + batch, len(table)), chunk):
            size = min(chunk, offset + batch - start)
            rows = _sqlite_rows(table.slice(start, size), anchor_keys.slice(start, size))
            _intern_sqlite_urls(conn, url_ids, rows)
            keyed = [(url_ids[row[0]], url_ids[row[1]], row[2], row) for row in rows]
            conn.executemany(
                SQLITE_UPSERT_LINK, [(s, t, k, row[4], *row[5:]) for s, t, k, row in keyed]
            )
            conn.executemany(
                SQLITE_INSERT_SIGHTING,
                [(s, t, k, number + 1, row[3], row[4], *row[5:]) for s, t, k, row in keyed],
            )
        conn.execute("COMMIT")
    write_s = time.perf_counter() - started
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    [(links,)] = conn.execute("SELECT count(*) FROM links").fetchall()
    started = time.perf_counter()
    by_domain = conn.execute(SQLITE_REFERRING_DOMAINS).fetchall()
    referring_s = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute(SQLITE_ANCHORS, [by_domain[0][0]]).fetchall()
    anchor_s = time.perf_counter() - started
    conn.close()
    size = path.stat().st_size
    return EngineFigures(
        "sqlite", write_s, len(table) / write_s, referring_s, anchor_s, size, links, size / links
    )


def _sqlite_rows(table: pa.Table, anchor_keys: pa.Array) -> list[tuple[Any, ...]]:
    """Rows as tuples: source, target, anchor key, row, anchor, then the six attributes."""
    columns = [table.column(name).to_pylist() for name in ("source_url", "target_url")]
    columns.append(anchor_keys.to_pylist())
    columns += [table.column(name).to_pylist() for name in ("row", "anchor", *_ATTRIBUTES[:4])]
    columns += [pc.cast(table.column(name), pa.int64()).to_pylist() for name in _ATTRIBUTES[4:]]
    return list(zip(*columns, strict=True))


_ATTRIBUTES = ("is_nofollow", "is_sponsored", "is_ugc", "is_image", "first_seen", "last_seen")


def _intern_sqlite_urls(
    conn: sqlite3.Connection, url_ids: dict[str, int], rows: list[tuple[Any, ...]]
) -> None:
    new = {url for row in rows for url in row[:2]} - url_ids.keys()
    if not new:
        return
    conn.executemany(
        "INSERT OR IGNORE INTO urls (url, host, domain) VALUES (?, ?, ?)",
        [(url, *_sqlite_host_and_domain(url)) for url in new],
    )
    for url in new:
        [(url_id,)] = conn.execute("SELECT id FROM urls WHERE url = ?", [url]).fetchall()
        url_ids[url] = url_id


def _sqlite_host_and_domain(url: str) -> tuple[str, str]:
    host = url.split("/", 3)[2]
    return host, ".".join(host.split(".")[-2:])


def run(n_links: int, *, batch: int, workdir: Path) -> dict[str, Any]:
    """Generate, load and query with both engines; return the figures."""
    started = time.perf_counter()
    table, anchor_keys = generate(n_links)
    generate_s = time.perf_counter() - started
    duck = bench_duckdb(table, workdir / "bench.duckdb", batch)
    lite = bench_sqlite(table, anchor_keys, workdir / "bench.sqlite", batch)
    return {
        "sightings": n_links,
        "generate_s": generate_s,
        "duckdb": asdict(duck),
        "sqlite": asdict(lite),
        "ratios_sqlite_over_duckdb": {
            "rows_per_s (duckdb/sqlite)": duck.rows_per_s / lite.rows_per_s,
            "referring_domains_query_s": lite.referring_domains_query_s
            / duck.referring_domains_query_s,
            "anchor_distribution_query_s": lite.anchor_distribution_query_s
            / duck.anchor_distribution_query_s,
            "bytes_per_link": lite.bytes_per_link / duck.bytes_per_link,
        },
    }


def render(figures: dict[str, Any]) -> str:
    """Return the figures as a plain-text table."""
    duck, lite = figures["duckdb"], figures["sqlite"]
    lines = [
        f"{figures['sightings']:,} sightings -> {duck['links']:,} links "
        f"(generated in {figures['generate_s']:.1f} s)",
        f"{'':32}{'DuckDB':>14}{'SQLite':>14}{'ratio':>10}",
    ]
    rows = [
        ("write rows/s", "rows_per_s", "{:,.0f}", duck["rows_per_s"] / lite["rows_per_s"]),
        ("write s", "write_s", "{:.2f}", lite["write_s"] / duck["write_s"]),
        ("referring domains query s", "referring_domains_query_s", "{:.3f}", None),
        ("anchor distribution query s", "anchor_distribution_query_s", "{:.3f}", None),
        ("bytes per link", "bytes_per_link", "{:.1f}", None),
    ]
    for label, key, number, ratio in rows:
        ratio = ratio if ratio is not None else lite[key] / duck[key]
        lines.append(
            f"{label:32}{number.format(duck[key]):>14}{number.format(lite[key]):>14}{ratio:>9.1f}x"
        )
    lines.append("ratio: how many times better DuckDB is (higher is better for DuckDB)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000_000, help="sightings to generate")
    parser.add_argument("--batch", type=int, default=1_000_000, help="rows per imported file")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        figures = run(args.links, batch=args.batch, workdir=Path(workdir))
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_store-{args.links}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
