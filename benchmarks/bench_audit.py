"""The audit's queries on the DuckDB store against the same questions in a competent SQLite.

Usage::

    python benchmarks/bench_audit.py [--links 10000000] [--batch 1000000] [--workdir DIR] [--reuse]

The link set, the DuckDB store and its SQLite twin come from ``bench_store``
(its generator and both loaders). The DuckDB store is then ranked
(``linkequity rank``: the domain authority the audit buckets), and the SQLite
twin gets what the audit reads that bench_store's schema leaves out: the
columns ``placement``, ``alt`` and ``lost_at`` (``NULL``, as the imports left
them in DuckDB), ``first_snapshot_id`` (the first file that saw each link),
the domain scores copied from DuckDB, a covering index for the profile
(``links_profile``) and ``ANALYZE``.

On the most linked target domain, each part of the audit is timed on both
engines: the target's pages, the totals, the rel and placement mixes, the most
linked pages, the referring domains by authority (through the ``Store``
methods on DuckDB, SQL over the twin on SQLite), and the anchors end to end
(the grouped anchors, timed alone too, then ``analysis.anchors`` classes them
in Python). Each
is run once on a newly opened connection (cold; the OS file cache stays warm)
and then ``--repeat`` times (the best counts). Both engines' answers are
compared. ``audit_target``, which also scores toxicity, lists lost links and
finds opportunities, is timed on its own. Figures go to stdout and to
``benchmarks/out/bench_audit-<links>.json``; ratios are SQLite over DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import pyarrow as pa

from bench_store import OUT, bench_duckdb, bench_sqlite, generate
from linkequity.services.audit import _anchors, audit_target
from linkequity.services.rank import rank_snapshot
from linkequity.services.targets import int64_column
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

#: The keywords the anchors are classed with (the audit takes them from titles; none are stored).
KEYWORDS = ("running shoes", "shoes review")
#: Rows of the most linked pages, and of the anchor lists.
TOP = 10
#: Width of the authority buckets, as ``services.audit`` uses.
WIDTH = 10
#: The end of the lost-links window of the whole audit (fixed for reproducible output).
NOW = datetime(2025, 1, 1)

SQLITE_AUDIT_SETUP = """
ALTER TABLE links ADD COLUMN placement TEXT;
ALTER TABLE links ADD COLUMN alt TEXT;
ALTER TABLE links ADD COLUMN lost_at INTEGER;
ALTER TABLE links ADD COLUMN first_snapshot_id INTEGER;
CREATE TEMP TABLE merged AS
    WITH ranked AS (
        SELECT link_id, file_id, is_nofollow, is_sponsored, is_ugc, is_image,
            row_number() OVER (
                PARTITION BY link_id ORDER BY last_seen IS NULL, last_seen DESC, file_id DESC,
                    row DESC) AS nth
        FROM link_sightings)
    SELECT link_id, min(file_id) AS first_file,
        min(nth * 4 + is_nofollow + 1) % 4 - 1 AS is_nofollow,
        min(nth * 4 + is_sponsored + 1) % 4 - 1 AS is_sponsored,
        min(nth * 4 + is_ugc + 1) % 4 - 1 AS is_ugc,
        min(nth * 4 + is_image + 1) % 4 - 1 AS is_image
    FROM ranked GROUP BY link_id;
UPDATE links SET first_snapshot_id = m.first_file, is_nofollow = m.is_nofollow,
    is_sponsored = m.is_sponsored, is_ugc = m.is_ugc, is_image = m.is_image
FROM merged m WHERE m.link_id = links.id;
DROP TABLE merged;
CREATE INDEX links_profile ON links (target_url_id, source_url_id, first_snapshot_id, lost_at,
    is_nofollow, is_sponsored, is_ugc, placement);
CREATE TABLE domain_metrics (snapshot_id INTEGER NOT NULL, domain TEXT NOT NULL,
    authority REAL, PRIMARY KEY (snapshot_id, domain)) WITHOUT ROWID;
"""
SQLITE_INDEXES = (
    "links_by_target (target_url_id, source_url_id) and urls_by_domain (domain) from bench_store; "
    "links_profile (target_url_id, source_url_id, first_snapshot_id, lost_at, is_nofollow, "
    "is_sponsored, is_ugc, placement), covering the profile; domain_metrics keyed by "
    "(snapshot_id, domain); ANALYZE"
)
#: The profile: live links known by ``:snapshot`` into ``:domain`` from other domains.
_PROFILE = """
    SELECT l.source_url_id, l.target_url_id, s.domain AS source_domain,
        l.is_nofollow, l.is_sponsored, l.is_ugc, l.placement
    FROM links l JOIN urls s ON s.id = l.source_url_id
    WHERE l.target_url_id IN (SELECT id FROM urls WHERE domain = :domain)
        AND l.first_snapshot_id <= :snapshot AND l.lost_at IS NULL AND s.domain <> :domain"""
_FOLLOWED = "NOT (coalesce(is_nofollow, 0) OR coalesce(is_sponsored, 0) OR coalesce(is_ugc, 0))"
_RELS = {
    "followed": _FOLLOWED,
    "nofollow": "is_nofollow",
    "sponsored": "is_sponsored",
    "ugc": "is_ugc",
    "unknown": "(is_nofollow IS NULL AND is_sponsored IS NULL AND is_ugc IS NULL)",
}
SQLITE_QUERIES = {
    "target_pages": "SELECT id, url, host, domain FROM urls WHERE domain = :domain ORDER BY url",
    "totals": f"""WITH profile AS ({_PROFILE})
        SELECT count(*) AS links, count(DISTINCT source_url_id) AS referring_pages,
            count(DISTINCT source_domain) AS referring_domains,
            count(DISTINCT target_url_id) AS linked_pages,
            count(*) FILTER (WHERE {_FOLLOWED}) AS followed_links,
            count(DISTINCT source_domain) FILTER (WHERE {_FOLLOWED}) AS followed_domains
        FROM profile""",
    "rel_mix": f"""WITH profile AS ({_PROFILE}) SELECT """
    + ", ".join(
        f"count(*) FILTER (WHERE {test}), count(DISTINCT source_domain) FILTER (WHERE {test})"
        for test in _RELS.values()
    )
    + " FROM profile",
    "placement_mix": f"""WITH profile AS ({_PROFILE})
        SELECT coalesce(placement, 'unknown') AS placement, count(*) AS links,
            count(DISTINCT source_domain) AS referring_domains
        FROM profile GROUP BY 1 ORDER BY links DESC, placement""",
    "top_pages": f"""WITH profile AS ({_PROFILE})
        SELECT u.url, count(*) AS links, count(DISTINCT source_domain) AS referring_domains,
            count(DISTINCT source_domain) FILTER (WHERE {_FOLLOWED}) AS followed_domains
        FROM profile JOIN urls u ON u.id = profile.target_url_id
        GROUP BY u.url ORDER BY referring_domains DESC, links DESC, u.url LIMIT :limit""",
    "ranked_snapshot": "SELECT max(snapshot_id) FROM domain_metrics WHERE snapshot_id <= :snapshot",
    "authority": f"""WITH profile AS ({_PROFILE}),
        referring AS (SELECT DISTINCT source_domain FROM profile)
        SELECT CASE WHEN m.authority IS NOT NULL
                THEN min(CAST(m.authority / :width AS INTEGER), 100 / :width - 1) * :width
                END AS bucket,
            count(*) AS referring_domains
        FROM referring r LEFT JOIN domain_metrics m
            ON m.domain = r.source_domain AND m.snapshot_id = :ranked
        GROUP BY 1 ORDER BY bucket IS NULL, bucket""",
    # inbound_anchors: each group's commonest spelling, ties to the first in order.
    "anchors": """WITH spelled AS (
            SELECT l.target_url_id, l.anchor_key, coalesce(l.is_image, 0) AS is_image,
                CASE WHEN l.is_image THEN coalesce(l.alt, '') ELSE '' END AS alt,
                s.domain AS source_domain, l.anchor, count(*) AS links,
                sum(NOT (coalesce(l.is_nofollow, 0) OR coalesce(l.is_sponsored, 0)
                    OR coalesce(l.is_ugc, 0))) AS followed_links
            FROM links l JOIN urls s ON s.id = l.source_url_id
            JOIN urls t ON t.id = l.target_url_id
            WHERE l.target_url_id IN (SELECT id FROM urls WHERE domain = :domain)
                AND l.first_snapshot_id <= :snapshot AND l.lost_at IS NULL
                AND s.domain <> t.domain
            GROUP BY 1, 2, 3, 4, 5, 6),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY target_url_id, anchor_key, is_image, alt,
                    source_domain ORDER BY links DESC, anchor) AS nth,
                sum(links) OVER (PARTITION BY target_url_id, anchor_key, is_image, alt,
                    source_domain) AS all_links,
                sum(followed_links) OVER (PARTITION BY target_url_id, anchor_key, is_image, alt,
                    source_domain) AS all_followed
            FROM spelled)
        SELECT target_url_id, anchor, is_image, alt, source_domain, all_links, all_followed
        FROM ranked WHERE nth = 1
        ORDER BY target_url_id, anchor_key, is_image, alt, source_domain""",
}
PARTS = (
    "target_pages",
    "totals",
    "rel_mix",
    "placement_mix",
    "top_pages",
    "authority",
    "anchor_groups",
    "anchors",
)
#: The columns of ``Store.inbound_anchors``.
ANCHOR_COLUMNS = (
    "target_url_id",
    "anchor",
    "is_image",
    "alt",
    "source_domain",
    "links",
    "followed_links",
)


@dataclass(frozen=True)
class Timing:
    """One question on one engine: the cold run and the best warm one, in seconds."""

    cold_s: float
    best_s: float


def build(
    n_links: int, *, batch: int, duck_path: Path, lite_path: Path, figures_path: Path
) -> dict[str, Any]:
    """Generate the links, load both engines, rank DuckDB and complete the twin; return timings."""
    for path in (duck_path, lite_path, figures_path):
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    table, anchor_keys = generate(n_links)
    generate_s = time.perf_counter() - started
    duck = bench_duckdb(table, duck_path, batch)
    lite = bench_sqlite(table, anchor_keys, lite_path, batch)
    del table, anchor_keys
    started = time.perf_counter()
    ranking = rank_snapshot(duck_path)
    rank_s = time.perf_counter() - started
    with Store.open(duck_path, read_only=True) as store:
        ranked_id = store.ranked_snapshot_id()
        assert ranked_id is not None
        scores = store.top_domains(ranked_id, limit=ranking.domains)
    started = time.perf_counter()
    conn = sqlite3.connect(lite_path)
    try:
        conn.executescript(SQLITE_AUDIT_SETUP)
        with conn:
            conn.executemany(
                "INSERT INTO domain_metrics VALUES (?, ?, ?)",
                [
                    (ranked_id, name, authority)
                    for name, authority in zip(
                        scores.column("name").to_pylist(),
                        scores.column("authority").to_pylist(),
                        strict=True,
                    )
                ],
            )
        conn.execute("ANALYZE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    built = {
        "generate_s": generate_s,
        "duckdb_load": asdict(duck),
        "sqlite_load": asdict(lite),
        "duckdb_rank_s": rank_s,
        "ranked_domains": ranking.domains,
        "sqlite_audit_setup_s": time.perf_counter() - started,
    }
    figures_path.write_text(json.dumps(built, indent=2))
    return built


def most_linked_domain(duck_path: Path) -> str:
    """Return the target domain with the most links."""
    with Store.open(duck_path, read_only=True) as store:
        rows = store.referring_domains_by_target_domain().to_pylist()
    return str(max(rows, key=lambda row: (row["links"], row["target_domain"]))["target_domain"])


def timed(run: Callable[[], T], repeat: int) -> tuple[T, Timing]:
    """Run once cold, then *repeat* times; return the last answer and the timings."""
    started = time.perf_counter()
    answer = run()
    cold_s = time.perf_counter() - started
    best_s = cold_s if repeat == 0 else float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        answer = run()
        best_s = min(best_s, time.perf_counter() - started)
    return answer, Timing(cold_s, best_s)


def duckdb_parts(path: Path, domain: str, repeat: int) -> dict[str, tuple[Any, Timing]]:
    """Time each part of the audit through the Store, each on a newly opened connection."""
    with Store.open(path, read_only=True) as store:
        snapshot = store.latest_snapshot_id()
        pages = store.target_pages([domain], [])
    assert snapshot is not None
    ids = pa.array(int64_column(pages.column("url_id")))
    url_of = dict(zip(int64_column(ids).tolist(), pages.column("url").to_pylist(), strict=True))
    questions: dict[str, Callable[[Store], Any]] = {
        "target_pages": lambda store: store.target_pages([domain], []),
        "totals": lambda store: store.audit_totals(snapshot, ids),
        "rel_mix": lambda store: store.audit_rel_mix(snapshot, ids),
        "placement_mix": lambda store: store.audit_placement_mix(snapshot, ids),
        "top_pages": lambda store: store.audit_top_pages(snapshot, ids, limit=TOP),
        "authority": lambda store: store.audit_authority(snapshot, ids, width=WIDTH),
        "anchor_groups": lambda store: store.inbound_anchors(snapshot, ids),
        "anchors": lambda store: classed_anchors(store.inbound_anchors(snapshot, ids), domain),
    }
    results: dict[str, tuple[Any, Timing]] = {}
    for part, question in questions.items():
        with Store.open(path, read_only=True) as store:
            answer, timing = timed(lambda q=question, s=store: q(s), repeat)  # type: ignore[misc]
        results[part] = (comparable(part, answer, url_of), timing)
    return results


def sqlite_parts(
    path: Path, domain: str, snapshot: int, repeat: int
) -> dict[str, tuple[Any, Timing]]:
    """Time the same questions in SQL over the SQLite twin, each on a new connection."""
    params = {"domain": domain, "snapshot": snapshot, "limit": TOP, "width": WIDTH}

    def ask(conn: sqlite3.Connection, part: str, **extra: Any) -> list[tuple[Any, ...]]:
        return conn.execute(SQLITE_QUERIES[part], {**params, **extra}).fetchall()

    def authority(conn: sqlite3.Connection) -> tuple[int | None, list[tuple[Any, ...]]]:
        [(ranked,)] = ask(conn, "ranked_snapshot")
        return ranked, ask(conn, "authority", ranked=ranked)

    questions: dict[str, Callable[[sqlite3.Connection], Any]] = {
        **{part: lambda conn, p=part: ask(conn, p) for part in PARTS[:5]},  # type: ignore[misc]
        "authority": authority,
        "anchor_groups": lambda conn: ask(conn, "anchors"),
        "anchors": lambda conn: classed_anchors(anchor_table(ask(conn, "anchors")), domain),
    }
    conn = sqlite3.connect(path)
    url_of = dict(conn.execute("SELECT id, url FROM urls WHERE domain = ?", [domain]).fetchall())
    conn.close()
    results: dict[str, tuple[Any, Timing]] = {}
    for part, question in questions.items():
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA cache_size = -1000000")
            answer, timing = timed(lambda q=question, c=conn: q(c), repeat)  # type: ignore[misc]
        finally:
            conn.close()
        results[part] = (comparable_sqlite(part, answer, url_of), timing)
    return results


def anchor_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    """Return SQLite's grouped anchors as the table ``Store.inbound_anchors`` gives."""
    columns = list(zip(*rows, strict=True)) or [()] * len(ANCHOR_COLUMNS)
    table = dict(zip(ANCHOR_COLUMNS, map(list, columns), strict=True))
    table["is_image"] = [bool(flag) for flag in table["is_image"]]
    return pa.table(table)


def classed_anchors(rows: pa.Table, domain: str) -> dict[str, Any]:
    """Class grouped anchors as the audit does (``services.audit``), keywords given."""
    no_titles = pa.table({"title": pa.array([], pa.string())})
    classes = _anchors(rows, no_titles, [domain], (), KEYWORDS, TOP, [])
    return {"rows": rows.num_rows, **classes}


def comparable(part: str, answer: Any, url_of: dict[int, str]) -> Any:
    """Return a DuckDB answer as plain values that do not depend on URL ids."""
    if part == "target_pages":
        return sorted(answer.column("url").to_pylist())
    if part == "totals":
        return answer
    if part == "authority":
        ranked, buckets = answer
        return ranked, [tuple(row.values()) for row in buckets.to_pylist()]
    if part == "anchor_groups":
        return _grouped(answer, url_of)
    if part == "anchors":
        return answer
    return [tuple(row.values()) for row in answer.to_pylist()]


def comparable_sqlite(part: str, answer: Any, url_of: dict[int, str]) -> Any:
    """Return a SQLite answer in the shape ``comparable`` gives DuckDB's."""
    if part == "target_pages":
        return sorted(row[1] for row in answer)
    if part == "totals":
        names = (
            "links",
            "referring_pages",
            "referring_domains",
            "linked_pages",
            "followed_links",
            "followed_domains",
        )
        return dict(zip(names, answer[0], strict=True))
    if part == "rel_mix":
        wide = answer[0]
        return [(rel, wide[2 * k], wide[2 * k + 1]) for k, rel in enumerate(_RELS)]
    if part == "authority":
        ranked, buckets = answer
        return ranked, [tuple(row) for row in buckets]
    if part == "anchor_groups":
        return _grouped(anchor_table(answer), url_of)
    if part == "anchors":
        return answer
    return [tuple(row) for row in answer]


def _grouped(rows: pa.Table, url_of: dict[int, str]) -> list[tuple[Any, ...]]:
    """Return grouped anchors as sorted rows, the target page by its URL."""
    return sorted((url_of[row.pop("target_url_id")], *row.values()) for row in rows.to_pylist())


def whole_audit(path: Path, domain: str, repeat: int) -> dict[str, Any]:
    """Time ``audit_target`` on DuckDB: the first call, then the best of *repeat*."""
    report, timing = timed(
        lambda: audit_target(path, [domain], keywords=KEYWORDS, top=TOP, now=NOW), repeat
    )
    return {
        **asdict(timing),
        "toxic_domains": report.toxicity["toxic_domains"],
        "domains_scored": report.toxicity["domains_scored"],
        "lost": report.lost["count"],
        "opportunities": report.opportunities.get("found"),
    }


def run(
    n_links: int, *, batch: int, workdir: Path, reuse: bool, repeat: int, whole_repeat: int
) -> dict[str, Any]:
    """Build or reuse the two databases, time every part on both, compare their answers."""
    duck_path = workdir / f"bench_audit-{n_links}.duckdb"
    lite_path = workdir / f"bench_audit-{n_links}.sqlite"
    built_path = workdir / f"bench_audit-{n_links}.built.json"
    if reuse and duck_path.exists() and lite_path.exists() and built_path.exists():
        built = {**json.loads(built_path.read_text()), "reused": True}
    else:
        built = build(
            n_links, batch=batch, duck_path=duck_path, lite_path=lite_path, figures_path=built_path
        )
    load_before = os.getloadavg()[0]
    domain = most_linked_domain(duck_path)
    duck = duckdb_parts(duck_path, domain, repeat)
    lite = sqlite_parts(lite_path, domain, _latest_snapshot(duck_path), repeat)
    whole = whole_audit(duck_path, domain, whole_repeat) if whole_repeat >= 0 else None
    parts = {
        part: {
            "duckdb": asdict(duck[part][1]),
            "sqlite": asdict(lite[part][1]),
            "ratio_best": lite[part][1].best_s / duck[part][1].best_s,
            "ratio_cold": lite[part][1].cold_s / duck[part][1].cold_s,
            "agree": duck[part][0] == lite[part][0],
        }
        for part in PARTS
    }
    totals = duck["totals"][0]
    return {
        "sightings": n_links,
        "links": built["duckdb_load"]["links"],
        "target_domain": domain,
        "target_pages": len(duck["target_pages"][0]),
        "profile": totals,
        "anchor_rows": duck["anchors"][0]["rows"],
        "repeat": repeat,
        "parts": parts,
        "engines_agree": all(part["agree"] for part in parts.values()),
        "audit_target": whole,
        "build": built,
        "sqlite_indexes": SQLITE_INDEXES,
        "machine": _machine(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def _latest_snapshot(path: Path) -> int:
    with Store.open(path, read_only=True) as store:
        snapshot = store.latest_snapshot_id()
    assert snapshot is not None
    return int(snapshot)


def _machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - the repository's own git
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sqlite": sqlite3.sqlite_version,
        "pyarrow": pa.__version__,
        "commit": commit,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def render(figures: dict[str, Any]) -> str:
    """Return the figures as a plain-text table."""
    profile = figures["profile"]
    lines = [
        f"{figures['sightings']:,} sightings -> {figures['links']:,} links; target "
        f"{figures['target_domain']} ({figures['target_pages']} pages): {profile['links']:,} "
        f"links from {profile['referring_domains']:,} domains, "
        f"{figures['anchor_rows']:,} anchor groups",
        f"{'':16}{'DuckDB best':>12}{'cold':>9}{'SQLite best':>13}{'cold':>9}"
        f"{'ratio':>9}{'cold':>8}  agree",
    ]
    for part, row in figures["parts"].items():
        duck, lite = row["duckdb"], row["sqlite"]
        lines.append(
            f"{part:16}{duck['best_s']:>12.3f}{duck['cold_s']:>9.3f}{lite['best_s']:>13.3f}"
            f"{lite['cold_s']:>9.3f}{row['ratio_best']:>8.1f}x{row['ratio_cold']:>7.1f}x"
            f"  {'yes' if row['agree'] else 'NO'}"
        )
    lines.append(
        f"seconds; best of {figures['repeat']} after the cold run; ratio SQLite/DuckDB "
        "(higher is better for DuckDB)"
    )
    lines.append(
        "engines agree on every part"
        if figures["engines_agree"]
        else "ENGINES DISAGREE on: "
        + ", ".join(part for part, row in figures["parts"].items() if not row["agree"])
    )
    whole = figures["audit_target"]
    if whole is not None:
        lines.append(
            f"audit_target on DuckDB (all parts, toxicity, lost links, opportunities): "
            f"{whole['cold_s']:.2f} s first, {whole['best_s']:.2f} s best"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000_000, help="sightings to generate")
    parser.add_argument("--batch", type=int, default=1_000_000, help="rows per imported file")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temp dir)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the databases an earlier run left in --workdir"
    )
    parser.add_argument("--repeat", type=int, default=3, help="warm runs after the cold one")
    parser.add_argument(
        "--whole-repeat",
        type=int,
        default=0,
        help="runs of audit_target after the first, best counted (-1: do not run it)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    if args.reuse and args.workdir is None:
        parser.error("--reuse needs --workdir")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = run(
            args.links,
            batch=args.batch,
            workdir=workdir,
            reuse=args.reuse,
            repeat=args.repeat,
            whole_repeat=args.whole_repeat,
        )
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_audit-{args.links}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
