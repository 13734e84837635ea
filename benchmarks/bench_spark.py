"""The Spark extraction against the local ingest, and Spark's run time from 1x to 8x the input.

Usage::

    python benchmarks/bench_spark.py [--pages 1000] [--sites 20] [--copies 1,2,4,8]
        [--master local[2]] [--repeat 1] [--out DIR]

The input is built first, outside any timing: sample webs of *pages* pages
each (seeds 1, 2, ...), each written as one WARC file the way the crawler
writes them, so that k copies are k different files of the same size (the
same bytes twice would be read once, by either engine). Then, for each k in
*copies*, in the same run:

* ``local ingest``: ``ingest_archives`` of the k files into a new DuckDB
  project, with one worker process per CPU the machine lends it;
* ``spark extract``: ``extract_archives`` of the same k files on *master*
  (``local[2]`` by default), the Parquet tables written to a new folder. The
  SparkSession is started once and runs one untimed job first (both printed
  on their own), so each figure is one job on a warm session.

Both read every record with the same parser and write the same link rows (the
Spark tests check it); the local ingest also builds the DuckDB project, Spark
also writes Parquet. Each repeat runs both once per k; the best repeat counts.
Printed: seconds and records/s per engine and k, Spark's time over the local
ingest's, and Spark's scaling curve (its time at k over its time at 1x, against
k). Figures go to stdout and ``benchmarks/out/bench_spark-<pages>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from linkequity.samples.web import generate_web, write_warc
from linkequity.services.ingest import ingest_archives
from linkequity.spark.extract import extract_archives
from linkequity.spark.session import spark_session

OUT = Path(__file__).resolve().parent / "out"


def build_inputs(folder: Path, *, copies: int, pages: int, sites: int) -> list[Path]:
    """Write *copies* sample webs of *pages* pages as WARC files; return their paths."""
    paths = []
    for seed in range(1, copies + 1):
        path = folder / f"web-{seed}.warc.gz"
        write_warc(generate_web(seed, sites=sites, pages=pages), path)
        paths.append(path)
    return paths


def time_local(paths: list[Path], folder: Path) -> tuple[float, int, int]:
    """Seconds, records and sightings of one local ingest of *paths*."""
    db = folder / "local.duckdb"
    db.unlink(missing_ok=True)
    start = time.perf_counter()
    report = ingest_archives(paths, db=db, workers=0)
    seconds = time.perf_counter() - start
    db.unlink()
    records = sum(item.records for item in report.files)
    return seconds, records, sum(item.sightings_added for item in report.files)


def time_spark(paths: list[Path], folder: Path, spark: Any) -> tuple[float, int, int]:
    """Seconds, records and sightings of one Spark extraction of *paths*."""
    out = folder / "spark-out"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    report = extract_archives([str(path) for path in paths], str(out), session=spark)
    seconds = time.perf_counter() - start
    shutil.rmtree(out)
    return seconds, report.records, report.sightings


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages of each sample web")
    parser.add_argument(
        "--sites", type=int, default=20, help="sites of each sample web (14 at least)"
    )
    parser.add_argument("--copies", default="1,2,4,8", help="input sizes, in sample webs")
    parser.add_argument("--master", default="local[2]", help="Spark master URL")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = sorted({int(item) for item in args.copies.split(",")})

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        folder = Path(tmp)
        paths = build_inputs(folder, copies=max(sizes), pages=args.pages, sites=args.sites)
        input_bytes = [path.stat().st_size for path in paths]
        is_ours = SparkSession.getActiveSession() is None  # a caller's session stays up
        started = time.perf_counter()
        spark = spark_session(
            args.master,
            app_name="bench_spark",
            driver_memory="1g",
            config={"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"},
        )
        session_s = time.perf_counter() - started
        started = time.perf_counter()
        time_spark(paths[:1], folder, spark)  # the first job warms the JVM and Python workers
        warmup_s = time.perf_counter() - started
        print(
            f"SparkSession on {args.master}: {session_s:.1f} s to start, "
            f"{warmup_s:.1f} s for a first, untimed job (neither in the figures)",
            flush=True,
        )
        rows: list[dict[str, Any]] = []
        for size in sizes:
            chosen = paths[:size]
            best_local = best_spark = float("inf")
            for _ in range(args.repeat):
                local_s, records, local_sightings = time_local(chosen, folder)
                spark_s, spark_records, sightings = time_spark(chosen, folder, spark)
                if (spark_records, sightings) != (records, local_sightings):
                    raise SystemExit(
                        f"{size}x: Spark read {spark_records} records and {sightings} sightings, "
                        f"the local ingest {records} and {local_sightings}"
                    )
                best_local = min(best_local, local_s)
                best_spark = min(best_spark, spark_s)
                print(f"{size}x: local {local_s:.2f} s, spark {spark_s:.2f} s", flush=True)
            rows.append(
                {
                    "copies": size,
                    "bytes": sum(input_bytes[:size]),
                    "records": records,
                    "sightings": sightings,
                    "local_s": round(best_local, 3),
                    "spark_s": round(best_spark, 3),
                    "local_records_per_s": round(records / best_local, 1),
                    "spark_records_per_s": round(records / best_spark, 1),
                    "spark_over_local": round(best_spark / best_local, 2),
                }
            )
        if is_ours:
            spark.stop()

    base = rows[0]["spark_s"]
    for row in rows:
        row["spark_scaling"] = round(row["spark_s"] / base, 2)
    print_table(rows, master=args.master)
    figures = {
        "benchmark": "bench_spark",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        },
        "pages_per_copy": args.pages,
        "sites_per_copy": args.sites,
        "master": args.master,
        "session_start_s": round(session_s, 2),
        "warmup_job_s": round(warmup_s, 2),
        "runs": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"bench_spark-{args.pages}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures: {target}")
    return figures


def print_table(rows: list[dict[str, Any]], *, master: str) -> None:
    """Print seconds and rates side by side, then Spark's scaling curve."""
    print(
        f"{'copies':>6} {'records':>8} {'sightings':>9} {'local s':>8} {'spark s':>8} "
        f"{'local rec/s':>11} {'spark rec/s':>11} {'spark/local':>11}"
    )
    for row in rows:
        print(
            f"{row['copies']:>6} {row['records']:>8} {row['sightings']:>9} "
            f"{row['local_s']:>8.2f} {row['spark_s']:>8.2f} {row['local_records_per_s']:>11,.0f} "
            f"{row['spark_records_per_s']:>11,.0f} {row['spark_over_local']:>10.2f}x"
        )
    print(f"Spark ({master}) scaling: time at k copies over time at {rows[0]['copies']}x")
    widest = max(row["spark_scaling"] for row in rows)
    for row in rows:
        bar = "#" * max(1, round(40 * row["spark_scaling"] / widest))
        print(f"{row['copies']:>4}x {row['spark_scaling']:>6.2f} {bar}")


if __name__ == "__main__":
    main(sys.argv[1:])
