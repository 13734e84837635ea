"""Crawling the sample web on loopback, robots on: linkequity against Scrapy.

Usage::

    python benchmarks/bench_crawl.py [--pages 5000] [--concurrency 16] [--per-host 8]
        [--delay 0] [--max-pages N] [--max-depth 20] [--workers N] [--repeat 1]
        [--server nginx|python] [--scrapy-route auto|resolve|proxy]
    python benchmarks/bench_crawl.py --frontier 1000000 --max-pages 2000 --scrapy-jobdir

The sample web (``generate_web(seed, sites, pages)``) is rendered once to files,
outside any timing, and served by nginx on 127.0.0.1 (one worker process, one
``server`` block per host, its redirects and 404s as the sample web answers
them); ``--server python`` serves it with the sample web's own threaded server
instead, whose ceiling is far below either crawler's. Then, in the same run:

* ``ceiling``: a bare aiohttp loop fetching every URL of the web once
  (``web.urls()``), nothing parsed: what the server gives;
* ``scrapy``: ``scrapy_sample_spider.py`` in a subprocess, Scrapy's defaults
  but for the shared crawl limits and ``LOG_LEVEL=INFO``: ``ROBOTSTXT_OBEY``,
  ``LinkExtractor`` on every page, one JSON line per extracted link;
* ``linkequity``: ``linkequity crawl`` in a subprocess with the same seeds
  (every site's home page), limits and concurrency, robots on, every link with
  its placement written to the store.

Every host is reached at its real URL (``http://www.sproutseed.example/...``):
ours by ``--resolve-to``, Scrapy through a resolver that answers 127.0.0.1 for
every name when nginx can listen on port 80, else through nginx as its HTTP
proxy. Pages/s is every response (redirect hops and error statuses included,
robots.txt not) over the crawl's own elapsed time, from each crawler's own
summary; peak RSS is the process's (``wait4``) and its tree's, sampled from
``/proc``. Ratios are linkequity's pages/s over each other's, on crawl time
and on wall time. Figures go to stdout and
``benchmarks/out/bench_crawl-<pages>.json`` (``-frontier-<N>.json``).

``--frontier N`` seeds both crawlers with N URLs of the web's hosts (its pages,
then made-up paths that answer 404) and stops them after ``--max-pages``:
the peak RSS of a crawler holding a frontier of N URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linkequity.samples.web import generate_web

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.samples.web import SampleWeb

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
REPO = HERE.parent
SPIDER = HERE / "scrapy_sample_spider.py"
LOOPBACK = "127.0.0.1"
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
#: Seconds between two samples of a crawler's memory (a scan of /proc costs about 2 ms).
SAMPLE_S = 0.2
NGINX_HINT = "nginx is not installed: apt-get install -y nginx (or pass --server python)"


# -- the web as files, served by nginx ----------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderedWeb:
    """A sample web written to a folder: one folder per host, and its redirects."""

    root: Path
    hosts: tuple[str, ...]
    redirects: dict[str, list[tuple[str, int, str]]]
    files: int
    bytes: int


def _file_of(root: Path, url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index.html"
    return root / (parts.hostname or "") / path.lstrip("/")


def render_web(web: SampleWeb, root: Path) -> RenderedWeb:
    """Write every response of *web* with status 200 under *root*; note its redirects."""
    redirects: dict[str, list[tuple[str, int, str]]] = {host: [] for host in web.hosts}
    files = size = 0
    for url in web.urls():
        response = web.respond(url)
        parts = urlsplit(url)
        if response.status in (301, 302):
            location = dict(response.headers)["Location"]
            redirects[parts.hostname or ""].append((parts.path, response.status, location))
        elif response.status == 200:
            path = _file_of(root, url)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(response.body)
            files += 1
            size += len(response.body)
    (root / "_shared").mkdir(parents=True, exist_ok=True)
    (root / "_shared" / "404.html").write_bytes(web.respond("http://unknown.invalid/").body)
    for folder in (root, *root.rglob("*")):
        if folder.is_dir():
            folder.chmod(0o755)  # nginx's workers run as nobody when started by root
    return RenderedWeb(root, tuple(web.hosts), redirects, files, size)


def nginx_config(web: RenderedWeb, prefix: Path, port: int) -> str:
    """Return an nginx.conf serving *web* on 127.0.0.1:*port*, every host by name."""
    listen = f"listen {LOOPBACK}:{port}"
    not_found = (
        f"location = /.notfound.html {{ internal; root {web.root / '_shared'}; "
        "try_files /404.html =404; }"
    )
    servers = []
    for host in web.hosts:
        moves = "".join(
            f"    location = {path} {{ return {status} {location}; }}\n"
            for path, status, location in web.redirects[host]
        )
        servers.append(
            f"  server {{\n    {listen};\n    server_name {host};\n    root {web.root / host};\n"
            f"    {not_found}\n{moves}  }}\n"
        )
    temp = "".join(
        f"  {kind}_temp_path {prefix / 'tmp'};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} error;
events {{ worker_connections 4096; }}
http {{
  types {{ text/html html; text/plain txt; application/xml xml; }}
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/plain;
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  open_file_cache max=200000 inactive=60s;
  error_page 404 /.notfound.html;
{temp}  server {{ {listen} default_server; {not_found} location / {{ return 404; }} }}
{"".join(servers)}}}
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {timeout_s} s")


@contextlib.contextmanager
def nginx_server(web: RenderedWeb, prefix: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run nginx in the foreground serving *web* on *port* while the block runs."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit(NGINX_HINT)
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(web, prefix, port))
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def python_server(args: argparse.Namespace) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Run the sample web's own server (``python -m linkequity.samples.web --serve``)."""
    command = [sys.executable, "-m", "linkequity.samples.web", "--serve", "--seed", str(args.seed)]
    command += ["--sites", str(args.sites), "--pages", str(args.pages)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)  # noqa: S603
    try:
        assert process.stdout is not None
        port = 0
        for line in process.stdout:
            if line.startswith(b"serving on "):
                port = int(line.split()[2].rstrip(b";").rsplit(b":", 1)[1])
                break
        if not port:
            raise RuntimeError("the sample web's server did not start")
        yield process, port
    finally:
        process.terminate()
        process.wait(10)


# -- measuring a process tree -------------------------------------------------------


def _tree_rss_kib(root_pid: int) -> int:
    """Return the summed resident set of *root_pid* and its descendants, in KiB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(entry.path, "stat").read_bytes()
                fields = stat[stat.rindex(b")") + 2 :].split()
                parents[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int(fields[21]) * PAGE_KIB
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)


@dataclass(slots=True)
class Measured:
    """What a crawler's process did: exit status, output, wall time, memory, CPU."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mib: float
    peak_tree_rss_mib: float
    cpu_s: float


def run_measured(command: list[str], *, env: dict[str, str] | None = None) -> Measured:
    """Run *command*, sampling its process tree's RSS every ``SAMPLE_S`` until it exits."""
    peak_tree = 0
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=REPO)  # noqa: S603
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(SAMPLE_S):
                peak_tree = max(peak_tree, _tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall_s = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=process.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            wall_s=wall_s,
            peak_rss_mib=usage.ru_maxrss / 1024,
            peak_tree_rss_mib=max(peak_tree, usage.ru_maxrss) / 1024,
            cpu_s=usage.ru_utime + usage.ru_stime,
        )


# -- the contenders ----------------------------------------------------------------


@dataclass(slots=True)
class Result:
    """One crawler's figures in one run."""

    name: str
    pages: int
    elapsed_s: float
    wall_s: float
    peak_rss_mib: float
    peak_tree_rss_mib: float
    cpu_s: float
    links: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s else 0.0


async def _fetch_all(urls: list[str], port: int, concurrency: int) -> tuple[int, int]:
    import aiohttp

    queue = list(reversed(urls))
    fetched = size = 0
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def worker() -> None:
            nonlocal fetched, size
            while queue:
                parts = urlsplit(queue.pop())
                async with session.get(
                    f"http://{LOOPBACK}:{port}{parts.path}",
                    headers={"Host": parts.netloc},
                    allow_redirects=False,
                ) as response:
                    size += len(await response.read())
                    fetched += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return fetched, size


def measure_ceiling(web: SampleWeb, port: int, concurrency: int) -> Result:
    """Fetch every URL of *web* once with a bare aiohttp loop (nothing parsed)."""
    urls = list(web.urls())
    start = time.perf_counter()
    cpu = time.process_time()
    fetched, size = asyncio.run(_fetch_all(urls, port, concurrency))
    elapsed_s = time.perf_counter() - start
    return Result(
        name="ceiling (aiohttp, fetch only)",
        pages=fetched,
        elapsed_s=elapsed_s,
        wall_s=elapsed_s,
        peak_rss_mib=0.0,
        peak_tree_rss_mib=0.0,
        cpu_s=time.process_time() - cpu,
        detail={"bytes": size},
    )


def crawl_limits(args: argparse.Namespace) -> list[str]:
    """Return the flags both crawlers share (the spider and ``linkequity crawl`` alike)."""
    limits = ["--concurrency", str(args.concurrency), "--per-host", str(args.per_host)]
    limits += ["--delay", str(args.delay)]
    if args.max_pages:
        limits += ["--max-pages", str(args.max_pages)]
    if args.max_depth is not None:
        limits += ["--max-depth", str(args.max_depth)]
    return limits


def run_scrapy(
    args: argparse.Namespace, port: int, seeds: Path, hosts: Path, workdir: Path, *, jobdir: bool
) -> Result:
    """Crawl with ``scrapy_sample_spider.py`` in a subprocess; figures from its stats."""
    feed = workdir / "scrapy-links.jsonl"
    stats = workdir / "scrapy-stats.json"
    command = [sys.executable, str(SPIDER), "--seeds-file", str(seeds), "--hosts-file", str(hosts)]
    command += ["--feed", str(feed), "--stats", str(stats), *crawl_limits(args)]
    command += ["--route", args.scrapy_route, "--address", f"{LOOPBACK}:{port}"]
    if jobdir:
        command += ["--jobdir", str(workdir / "scrapy-job")]
    measured = run_measured(command)
    if measured.returncode != 0 or not stats.exists():
        raise RuntimeError(f"scrapy failed ({measured.returncode}):\n{measured.stderr[-3000:]}")
    figures = json.loads(stats.read_text())
    links = _count_lines(feed)
    feed.unlink()
    if jobdir:
        shutil.rmtree(workdir / "scrapy-job", ignore_errors=True)
    return Result(
        name="scrapy" + (" (JOBDIR)" if jobdir else ""),
        # Every response, redirect hops and error statuses included, as ours counts;
        # response_received_count leaves out the redirects RedirectMiddleware takes.
        pages=int(figures.get("downloader/response_count", 0))
        - int(figures.get("robotstxt/response_count", 0)),
        elapsed_s=float(figures["elapsed_time_seconds"]),
        wall_s=measured.wall_s,
        peak_rss_mib=measured.peak_rss_mib,
        peak_tree_rss_mib=measured.peak_tree_rss_mib,
        cpu_s=measured.cpu_s,
        links=links,
        detail={
            key: figures[key]
            for key in sorted(figures)
            if key.startswith(("downloader/response_status", "robotstxt/", "finish_reason"))
            or key
            in ("item_scraped_count", "request_depth_max", "scheduler/enqueued", "memusage/max")
        },
    )


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


def linkequity_command() -> list[str] | None:
    """Return how to run ``linkequity crawl``, or ``None`` while the command does not exist."""
    probe = subprocess.run(
        [sys.executable, "-m", "linkequity", "crawl", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    return [sys.executable, "-m", "linkequity", "crawl"] if probe.returncode == 0 else None


def run_linkequity(
    args: argparse.Namespace, command: list[str], port: int, seeds: Path, workdir: Path
) -> Result:
    """Crawl with ``linkequity crawl`` in a subprocess; figures from its ``--json`` summary."""
    db = workdir / f"crawl-{time.monotonic_ns()}.duckdb"
    full = [*command, "--seeds-file", str(seeds), "--db", str(db), "--allow-private"]
    full += ["--resolve-to", f"{LOOPBACK}:{port}", "--mode", "web", "--json", *crawl_limits(args)]
    if args.workers is not None:
        full += ["--workers", str(args.workers)]
    measured = run_measured(full)
    if measured.returncode != 0:
        raise RuntimeError(
            f"linkequity crawl failed ({measured.returncode}):\n{measured.stderr[-3000:]}"
        )
    summary = json.loads(measured.stdout)
    for path in workdir.glob(f"{db.name}*"):
        path.unlink()
    progress = summary.get("progress", summary)
    stats = summary.get("stats", {})
    return Result(
        name="linkequity",
        pages=int(_first(progress, "fetched", "pages")),
        elapsed_s=float(_first(progress, "elapsed_s") or measured.wall_s),
        wall_s=measured.wall_s,
        peak_rss_mib=measured.peak_rss_mib,
        peak_tree_rss_mib=measured.peak_tree_rss_mib,
        cpu_s=measured.cpu_s,
        links=int(_first(stats, "sightings", "link_sightings", "links")),
        detail=summary,
    )


def _first(summary: dict[str, Any], *keys: str) -> Any:
    return next((summary[key] for key in keys if key in summary), 0)


# -- the run -----------------------------------------------------------------------


def frontier_seeds(web: SampleWeb, count: int) -> Iterator[str]:
    """Yield *count* URLs on the web's hosts: its pages, site by site in turn, then 404s."""
    pages = [[url for url in web.urls() if urlsplit(url).hostname == host] for host in web.hosts]
    produced = 0
    for row in range(max(len(urls) for urls in pages)):
        for urls in pages:
            if row < len(urls) and produced < count:
                produced += 1
                yield urls[row]
    hosts = web.hosts
    for number in range(count - produced):
        yield f"http://{hosts[number % len(hosts)]}/archive/{number // len(hosts)}/"


def choose_route(requested: str) -> tuple[str, int]:
    """Return Scrapy's route and the server's port: port 80 to resolve, else any."""
    if requested == "proxy":
        return "proxy", free_port()
    try:
        with socket.socket() as sock:
            sock.bind((LOOPBACK, 80))
    except OSError:
        if requested == "resolve":
            raise SystemExit("--scrapy-route resolve needs 127.0.0.1:80 free (and root)") from None
        return "proxy", free_port()
    return "resolve", 80


def versions() -> dict[str, str]:
    """Return the versions and the machine the figures were measured with."""
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    found |= {name: version(name) for name in ("aiohttp", "scrapy", "twisted", "lxml")}
    found["linkequity"] = version("linkequity")
    commit = subprocess.run(  # noqa: S603 - our own command line
        [shutil.which("git") or "git", "describe", "--always", "--dirty", "--abbrev=7"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    found["commit"] = commit.stdout.strip() or "unknown"
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if Path(nginx).exists():
        banner = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        found["nginx"] = banner.stderr.strip().rpartition("/")[2]
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    found["cpu"] = f"{os.cpu_count()} x {model.partition(':')[2].strip()}"
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    found["memory"] = f"{pages / 2**30:.1f} GiB"
    found["load 1/5/15 min"] = " ".join(f"{load:.2f}" for load in os.getloadavg())
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Serve the web, run every contender in turn *repeat* times, keep each one's best."""
    found = versions()  # before the runs: the load average says how busy the machine was
    web = generate_web(args.seed, sites=args.sites, pages=args.pages)
    ours = linkequity_command()
    route, port = choose_route(args.scrapy_route) if args.server == "nginx" else ("proxy", 0)
    args.scrapy_route = route
    results: dict[str, Result] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_crawl-") as scratch:
        workdir = Path(scratch)
        workdir.chmod(0o755)
        seeds = workdir / "seeds.txt"
        hosts = workdir / "hosts.txt"
        hosts.write_text("\n".join(web.hosts) + "\n")
        with seeds.open("w", encoding="utf-8") as stream:
            if args.frontier:
                stream.writelines(url + "\n" for url in frontier_seeds(web, args.frontier))
            else:
                stream.writelines(site.base + "\n" for site in web.sites)
        with contextlib.ExitStack() as stack:
            if args.server == "nginx":
                rendered = render_web(web, workdir / "web")
                stack.enter_context(nginx_server(rendered, workdir / "nginx", port))
            else:
                _, port = stack.enter_context(python_server(args))
            contenders: dict[str, Any] = {}
            if not args.frontier:
                contenders["ceiling"] = lambda: measure_ceiling(web, port, args.concurrency)
            if not args.skip_scrapy:
                contenders["scrapy"] = lambda: run_scrapy(
                    args, port, seeds, hosts, workdir, jobdir=False
                )
                if args.scrapy_jobdir:
                    contenders["scrapy (JOBDIR)"] = lambda: run_scrapy(
                        args, port, seeds, hosts, workdir, jobdir=True
                    )
            if ours is None:
                notes.append("linkequity crawl: no such command at this commit, not measured")
            else:
                contenders["linkequity"] = lambda: run_linkequity(args, ours, port, seeds, workdir)
            for _ in range(args.repeat):
                for name, contender in contenders.items():
                    result = contender()
                    print(f"  {name}: {result.pages} pages in {result.elapsed_s:.1f} s", flush=True)
                    if name not in results or result.pages_per_s > results[name].pages_per_s:
                        results[name] = result
    return {
        "web": {
            "seed": args.seed,
            "sites": len(web.sites),
            "pages": web.page_count,
            "urls": sum(1 for _ in web.urls()),
        },
        "seeds": args.frontier or len(web.sites),
        "limits": {
            "concurrency": args.concurrency,
            "per_host": args.per_host,
            "delay_s": args.delay,
            "max_pages": args.max_pages or None,
            "max_depth": args.max_depth,
            "workers": args.workers,
        },
        "server": args.server,
        "scrapy_route": route,
        "repeat": args.repeat,
        "versions": found,
        "notes": notes,
        "results": {
            name: asdict(result) | {"pages_per_s": result.pages_per_s}
            for name, result in results.items()
        },
    }


def render(figures: dict[str, Any]) -> str:
    """Return the figures as a small table, ratios as linkequity's pages/s over each one's."""
    web, limits, found = figures["web"], figures["limits"], figures["versions"]
    lines = [
        f"{web['pages']}-page sample web (seed {web['seed']}), {web['sites']} hosts, "
        f"{figures['seeds']} seeds, robots on; concurrency {limits['concurrency']}, "
        f"{limits['per_host']} per host, delay {limits['delay_s']} s, max pages "
        f"{limits['max_pages'] or '-'}, max depth {limits['max_depth'] or '-'}",
        f"server: {figures['server']}"
        f"; Scrapy reaches the hosts by {figures['scrapy_route']}; best of {figures['repeat']}",
        ", ".join(f"{name} {value}" for name, value in found.items()),
        "",
        f"{'':32}{'pages':>8}{'pages/s':>9}{'links':>10}{'crawl s':>9}{'wall s':>8}"
        f"{'CPU s':>8}{'RSS MiB':>9}{'tree MiB':>9}{'ours/it':>9}{'on wall':>9}",
    ]
    results = figures["results"]
    ours = results.get("linkequity")
    for name, row in results.items():
        ratios = f"{'-':>9}{'-':>9}"
        if ours and name != "ceiling" and row["pages"]:
            crawl_ratio = ours["pages_per_s"] / row["pages_per_s"]
            wall_ratio = (ours["pages"] / ours["wall_s"]) / (row["pages"] / row["wall_s"])
            ratios = f"{crawl_ratio:>8.2f}x{wall_ratio:>8.2f}x"
        rss = (
            f"{row['peak_rss_mib']:>9.0f}{row['peak_tree_rss_mib']:>9.0f}"
            if name != "ceiling"
            else f"{'-':>9}{'-':>9}"
        )
        lines.append(
            f"{row['name']:32}{row['pages']:>8}{row['pages_per_s']:>9.1f}{row['links']:>10}"
            f"{row['elapsed_s']:>9.1f}{row['wall_s']:>8.1f}{row['cpu_s']:>8.1f}{rss}{ratios}"
        )
    lines += [
        "pages: every response, redirect hops and errors included, robots.txt not; pages/s "
        "over each crawl's own elapsed time",
        "links: JSON lines written (Scrapy), links stored (linkequity); RSS: peak of the "
        "main process; tree: peak sum over its processes",
        "ours/it: linkequity's pages/s over each one's (crawl time; on wall: whole process, "
        "start-up and report included)",
        *figures["notes"],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample web")
    parser.add_argument("--sites", type=int, default=20, help="sites (hosts) of the web")
    parser.add_argument("--pages", type=int, default=5000, help="pages across all sites")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--per-host", type=int, default=8, help="requests in flight per host")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between requests")
    parser.add_argument("--max-pages", type=int, default=0, help="stop after N pages (0: none)")
    parser.add_argument("--max-depth", type=int, default=20, help="links followed from a seed")
    parser.add_argument("--workers", type=int, default=None, help="linkequity's parse workers")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument(
        "--frontier", type=int, default=0, help="seed N URLs instead of the home pages"
    )
    parser.add_argument("--scrapy-jobdir", action="store_true", help="also Scrapy with JOBDIR")
    parser.add_argument("--skip-scrapy", action="store_true", help="run linkequity only")
    parser.add_argument(
        "--server", choices=("nginx", "python"), default="nginx", help="what serves the web"
    )
    parser.add_argument(
        "--scrapy-route",
        choices=("auto", "resolve", "proxy"),
        default="auto",
        help="resolve when 127.0.0.1:80 is free, else proxy",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="directory of the JSON figures")
    args = parser.parse_args(argv)
    figures = run(args)
    print(render(figures))
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"frontier-{args.frontier}" if args.frontier else f"{figures['web']['pages']}"
    (args.out / f"bench_crawl-{name}.json").write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
