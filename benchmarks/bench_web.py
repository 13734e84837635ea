"""The dashboard's links table on a million-link store, against Datasette on a SQLite copy.

Usage::

    python benchmarks/bench_web.py [--links 1000000] [--batch 1000000] [--workdir DIR] [--reuse]
        [--repeat 3] [--datasette PATH]

The link set and both databases come from ``bench_store`` (its generator and
its DuckDB and SQLite loaders). The dashboard (``linkequity serve``: uvicorn,
FastAPI, the store's browse queries) runs in this process on 127.0.0.1. The
most linked target domain's overview is opened first, as a browser opens it,
from a process of its own: the page (the profile's totals), then its
sections, six requests at a time,
each timed to its arrival from the page's request; the first visit is cold
(every part is worked out: toxicity, audit, diff, tiers, plan), the second
warm (the dashboard kept them). Then three pages of its links table are timed
over HTTP, each cold (its first request) and best of ``--repeat``:

* ``first``: page 1, 50 rows, by referring domain;
* ``deep``: the page 2,000 rows before the end, 50 rows;
* ``search``: followed links whose anchor, alt text or URLs contain ``review``.

Datasette, the tool a user would otherwise browse a SQLite copy of the links
with, serves the same pages of a view of that target's links
(``target_links``: the profile, joined to its URLs) from bench_store's SQLite
twin, with its indexes: sorted by source domain, the deep page by offset
(``_next``), the search as ``anchor__contains`` (Datasette's filters are per
column) and ``is_nofollow=0``; suggested facets are off and the time limit is
a minute, so that it answers at all. Datasette runs in a subprocess from
``--datasette`` (default: ``datasette`` on the PATH). Both count the matches
on every page; the counts are compared. Figures go to stdout and to
``benchmarks/out/bench_web-<links>.json``; ratios are Datasette over the
dashboard. Run it alone: other benchmarks on the machine skew both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bench_audit import Timing, most_linked_domain, timed
from bench_store import OUT, bench_duckdb, bench_sqlite, generate
from linkequity.web.app import SECTIONS
from linkequity.web.server import dashboard_server

PAGE_ROWS = 50
BROWSER_CONNECTIONS = 6
DEEP_FROM_END = 2_000
SEARCH = "review"
_COUNT = re.compile(r'<p id="count"><b>([\d,]+)</b>')
_DATASETTE_COUNT = re.compile(r"<h3>\s*([\d,]+) rows?")


def build(n_links: int, *, batch: int, duck_path: Path, lite_path: Path) -> dict[str, Any]:
    """Generate the links and load both engines with bench_store's loaders."""
    for path in (duck_path, lite_path):
        path.unlink(missing_ok=True)
    table, anchor_keys = generate(n_links)
    duck = bench_duckdb(table, duck_path, batch)
    lite = bench_sqlite(table, anchor_keys, lite_path, batch)
    return {"duckdb_load_s": duck.write_s, "sqlite_load_s": lite.write_s, "links": duck.links}


def add_view(lite_path: Path, domain: str) -> None:
    """Give the SQLite copy a view of the target's links from other domains, as Datasette shows."""
    conn = sqlite3.connect(lite_path)
    try:
        conn.execute("DROP VIEW IF EXISTS target_links")
        conn.execute(
            f"""CREATE VIEW target_links AS
            SELECT l.id, s.url AS source, s.domain AS source_domain, t.url AS target,
                l.anchor, l.is_nofollow, l.is_sponsored, l.is_ugc, l.is_image,
                l.first_seen, l.last_seen
            FROM links l JOIN urls t ON t.id = l.target_url_id
            JOIN urls s ON s.id = l.source_url_id
            WHERE t.domain = '{domain}' AND s.domain <> '{domain}'"""  # noqa: S608 - our own name
        )
        conn.commit()
    finally:
        conn.close()


#: A visit of the overview as a browser makes it, run in a process of its own so that the
#: client does not share the server's interpreter: the page, then its sections, six
#: requests at a time (as Chromium opens six connections to a host), each timed to its
#: arrival from the page's request. Prints JSON.
_VISIT = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import httpx
base, domain, parts = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
arrived = {}
with httpx.Client(base_url=base, timeout=900) as http:
    started = time.perf_counter()
    http.get(f"/t/{domain}/").raise_for_status()
    page_s = time.perf_counter() - started
    def fetch(part):
        http.get(f"/t/{domain}/part/{part}").raise_for_status()
        arrived[part] = time.perf_counter() - started
    with ThreadPoolExecutor(max_workers=int(sys.argv[4])) as browser:
        list(browser.map(fetch, parts))
print(json.dumps({"page_s": page_s, "arrived": arrived}))
"""


def first_visit(base: str, domain: str) -> dict[str, Any]:
    """Open the target's overview as a browser does (``_VISIT``), from another process.

    Returns ``page_s`` (the overview's answer), ``all_s`` (the last section in)
    and ``sections_s`` (when each arrived), in seconds from the page's request.
    """
    visit = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _VISIT, base, domain, ",".join(SECTIONS), str(BROWSER_CONNECTIONS)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(visit.stdout)
    arrived: dict[str, float] = found["arrived"]
    ordered = dict(sorted(arrived.items(), key=lambda item: item[1]))
    return {"page_s": found["page_s"], "all_s": max(arrived.values()), "sections_s": ordered}


def dashboard_pages(duck_path: Path, domain: str, repeat: int) -> dict[str, Any]:
    """Time the target's first overview (cold, then warm), then the three pages of its links."""
    dashboard = dashboard_server(duck_path, host="127.0.0.1", port=0, token=None)
    app = dashboard.server.config.app
    assert isinstance(app, FastAPI)
    with (
        dashboard.running_in_thread() as base,
        httpx.Client(base_url=base, timeout=600) as http,
    ):
        figures: dict[str, Any] = {
            "overview_cold": first_visit(base, domain),
            "overview_warm": first_visit(base, domain),
        }
        figures["computations"] = dict(app.state.cache.computations)
        started = time.perf_counter()
        first = http.get(f"/t/{domain}/links", params={"size": PAGE_ROWS})
        first.raise_for_status()
        figures["links_first_request_s"] = time.perf_counter() - started
        count = _count(_COUNT, first.text)
        deep_page = max(1, (count - DEEP_FROM_END) // PAGE_ROWS + 1)
        pages = {
            "first": {"size": PAGE_ROWS},
            "deep": {"size": PAGE_ROWS, "page": deep_page},
            "search": {"size": PAGE_ROWS, "q": SEARCH, "rel": "followed"},
        }
        for name, params in pages.items():
            page, timing = timed(
                lambda params=params: _get(http, f"/t/{domain}/links", params), repeat
            )
            figures[name] = {"timing": timing, "count": _count(_COUNT, page), "params": params}
        source = re.search(r'<td class="url"><a href="([^"]+)" rel="noopener', first.text)
        if source is not None:
            params = {"url": source.group(1).replace("&amp;", "&")}
            _, timing = timed(lambda: _get(http, f"/t/{domain}/page", params), repeat)
            figures["tier1_page"] = {"timing": timing, "params": params}
    return figures


def datasette_pages(datasette: str, lite_path: Path, count: int, repeat: int) -> dict[str, Any]:
    """Time the same three pages served by Datasette from the SQLite copy."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            datasette,
            "serve",
            str(lite_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "60000",
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "default_page_size",
            str(PAGE_ROWS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/{lite_path.stem}/target_links"
    try:
        with httpx.Client(timeout=600) as http:
            _wait_for(http, base)
            pages = {
                "first": {"_sort": "source_domain", "_size": PAGE_ROWS},
                "deep": {
                    "_sort": "source_domain",
                    "_size": PAGE_ROWS,
                    "_next": max(0, count - DEEP_FROM_END),
                },
                # Datasette filters one column at a time: the anchor only.
                "search": {"anchor__contains": SEARCH, "is_nofollow": 0, "_size": PAGE_ROWS},
            }
            figures: dict[str, Any] = {}
            for name, params in pages.items():
                page, timing = timed(lambda params=params: _get(http, base, params), repeat)
                figures[name] = {
                    "timing": timing,
                    "count": _count(_DATASETTE_COUNT, page),
                    "params": params,
                }
    finally:
        process.terminate()
        process.wait(30)
    return figures


def _get(http: httpx.Client, url: str, params: dict[str, Any]) -> str:
    response = http.get(url, params=params)
    response.raise_for_status()
    return response.text


def _count(pattern: re.Pattern[str], text: str) -> int:
    match = pattern.search(text)
    return -1 if match is None else int(match.group(1).replace(",", ""))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(http: httpx.Client, url: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            http.get(url.rsplit("/", 2)[0] + "/-/versions.json").raise_for_status()
        except httpx.HTTPError:
            time.sleep(0.2)
        else:
            return
    raise RuntimeError("Datasette did not start")


def run(
    n_links: int, *, batch: int, workdir: Path, reuse: bool, repeat: int, datasette: str | None
) -> dict[str, Any]:
    """Build or reuse the databases, time both servers, compare their counts."""
    duck_path = workdir / f"bench_web-{n_links}.duckdb"
    lite_path = workdir / f"bench_web-{n_links}.sqlite"
    built: dict[str, Any] = {"reused": True}
    if not (reuse and duck_path.exists() and lite_path.exists()):
        built = build(n_links, batch=batch, duck_path=duck_path, lite_path=lite_path)
    domain = most_linked_domain(duck_path)
    load_before = os.getloadavg()[0]
    dashboard = dashboard_pages(duck_path, domain, repeat)
    figures: dict[str, Any] = {
        "sightings": n_links,
        "target_domain": domain,
        "repeat": repeat,
        "build": built,
        "dashboard": dashboard,
    }
    if datasette is None:
        figures["datasette"] = "not installed (pip install datasette)"
    else:
        add_view(lite_path, domain)
        lite = datasette_pages(datasette, lite_path, dashboard["first"]["count"], repeat)
        figures["datasette"] = lite
        figures["ratios_datasette_over_dashboard"] = {
            name: {
                "cold": lite[name]["timing"].cold_s / dashboard[name]["timing"].cold_s,
                "best": lite[name]["timing"].best_s / dashboard[name]["timing"].best_s,
            }
            for name in ("first", "deep", "search")
        }
        figures["counts_agree"] = all(
            lite[name]["count"] == dashboard[name]["count"] for name in ("first", "deep")
        )
    figures["load_before"] = load_before
    figures["load_after"] = os.getloadavg()[0]
    return figures


def _visit_line(visit: str, figures: dict[str, Any]) -> str:
    arrivals = ", ".join(f"{part} {at:.2f}" for part, at in figures["sections_s"].items())
    return (
        f"overview, {visit} visit: the page in {figures['page_s']:.3f} s, "
        f"every section in {figures['all_s']:.2f} s ({arrivals})"
    )


def render(figures: dict[str, Any]) -> str:
    """Return the timings as a plain-text table."""
    dashboard = figures["dashboard"]
    lines = [
        f"links table of {figures['target_domain']} ({dashboard['first']['count']:,} links) "
        f"in a store of {figures['sightings']:,} sightings; best of {figures['repeat']}",
        *(_visit_line(visit, dashboard[f"overview_{visit}"]) for visit in ("cold", "warm")),
        "each part worked out once: "
        + ", ".join(f"{part} {n}" for part, n in dashboard["computations"].items()),
        f"links table's first request (after the overview): "
        f"{dashboard['links_first_request_s']:.3f} s",
        f"{'page':<8}{'dashboard cold':>16}{'best':>10}{'datasette cold':>16}{'best':>10}"
        f"{'ratio best':>12}",
    ]
    lite = figures["datasette"]
    for name in ("first", "deep", "search"):
        ours: Timing = dashboard[name]["timing"]
        row = f"{name:<8}{ours.cold_s:>15.3f}s{ours.best_s:>9.3f}s"
        if isinstance(lite, dict):
            theirs: Timing = lite[name]["timing"]
            ratio = figures["ratios_datasette_over_dashboard"][name]["best"]
            row += f"{theirs.cold_s:>15.3f}s{theirs.best_s:>9.3f}s{ratio:>11.1f}x"
        lines.append(row)
    if "tier1_page" in dashboard:
        page: Timing = dashboard["tier1_page"]["timing"]
        lines.append(
            f"a tier-1 page (its links and exact what-if gain): cold {page.cold_s:.3f} s, "
            f"best {page.best_s:.3f} s"
        )
    if isinstance(lite, dict):
        lines.append(
            "matches: dashboard "
            + ", ".join(f"{n} {dashboard[n]['count']:,}" for n in ("first", "search"))
            + "; datasette "
            + ", ".join(f"{n} {lite[n]['count']:,}" for n in ("first", "search"))
            + f"; counts agree: {figures['counts_agree']}"
        )
    else:
        lines.append(f"datasette: {lite}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table, write the JSON; return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1_000_000, help="sightings to generate")
    parser.add_argument("--batch", type=int, default=1_000_000, help="rows per imported file")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse the databases in --workdir")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the cold one")
    parser.add_argument("--datasette", help="the datasette command (default: from the PATH)")
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    datasette = args.datasette or shutil.which("datasette")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = run(
            args.links,
            batch=args.batch,
            workdir=workdir,
            reuse=args.reuse,
            repeat=args.repeat,
            datasette=datasette,
        )
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench_web-{args.links}.json").write_text(
        json.dumps(figures, indent=2, default=lambda value: getattr(value, "__dict__", str(value)))
    )
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
