"""The ``linkequity`` command line: parse arguments, call one service, print.

Commands stay thin (STYLE rule 5). Only :func:`main` turns a
``LinkEquityError`` into a one-line message and exit status 2.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from linkequity import __version__
from linkequity.cli import render
from linkequity.cli.audit_command import audit_
from linkequity.cli.campaign_command import campaign_app
from linkequity.cli.check_command import check_
from linkequity.cli.disavow_command import disavow_
from linkequity.cli.monitor_command import diff_
from linkequity.cli.opportunities_command import opportunities_
from linkequity.cli.options import (
    AllowPrivateOption,
    ConcurrencyOption,
    DampingOption,
    DbOption,
    DelayOption,
    JsonOption,
    PerHostOption,
    ResolveToOption,
    UserAgentOption,
    print_json,
    write_file,
)
from linkequity.cli.plan_command import plan_
from linkequity.cli.report_command import report_
from linkequity.cli.serve_command import serve_
from linkequity.cli.spark_extract_command import spark_extract
from linkequity.cli.spark_rank_command import spark_rank
from linkequity.cli.tiers_command import tiers_
from linkequity.cli.toxicity_command import toxic
from linkequity.errors import LinkEquityError, NothingCrawled, UsageError
from linkequity.model.urls import parse_url, url_host
from linkequity.services import crawl as crawling
from linkequity.services import exchange, imports, ingest, pages, robots, stats, verify
from linkequity.settings import LoadedSettings, Settings, load_settings

app = typer.Typer(
    name="linkequity",
    help="Backlink intelligence and tier-2 link planning, on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
parquet_app = typer.Typer(help="Exchange link tables as Parquet (the Spark jobs' format).")
app.add_typer(parquet_app, name="parquet")
graph_app = typer.Typer(help="Rank any graph given as an edge-list file.")
app.add_typer(graph_app, name="graph")
app.add_typer(campaign_app, name="campaign")
spark_app = typer.Typer(
    help="Run the extraction and ranking jobs on Apache Spark (pip install 'linkequity[spark]')."
)
app.add_typer(spark_app, name="spark")
spark_app.command("extract")(spark_extract)
spark_app.command("rank")(spark_rank)


def _settings(**flags: object) -> Settings:
    return _loaded(**flags).settings


def _loaded(**flags: object) -> LoadedSettings:
    return load_settings(flags={key.replace("__", "."): value for key, value in flags.items()})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkequity {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit", callback=_version),
    ] = False,
) -> None:
    """Backlink intelligence and tier-2 link planning, on your own machine."""


@app.command("import")
def import_(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Backlink exports (CSV/TSV from Ahrefs, Semrush, Majestic, Moz, GSC)",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            metavar="URL",
            help="Your site's root URL, for GSC 'Latest links' files [setting imports.site]",
        ),
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Import the sample exports shipped with linkequity")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import backlink exports; each file's format is recognised by its header row."""
    settings = _settings(store__db=db, imports__site=site)
    paths = list(files or [])
    if sample:
        paths.extend(imports.sample_exports())
    if not paths:
        raise UsageError("no files to import", hint="Name export files, or pass --sample.")
    report = imports.import_exports(
        paths,
        db=settings.store.db,
        site=settings.imports.site,
        on_progress=render.import_progress(enabled=settings.ui.progress and not as_json),
        on_bad_row=render.bad_row_printer(settings.ui.max_warnings),
    )
    if as_json:
        print_json(report.as_dict())
    else:
        render.import_report(report, db=settings.store.db)


@app.command("ingest")
def ingest_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Web archives (WARC, WAT or ARC, plain or gzip), or folders of them",
            metavar="FILE",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            metavar="N",
            help="Processes that parse pages; 0 means one per CPU [setting ingest.workers]",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest web archives: pages and their links, read the way a search engine reads them."""
    settings = _settings(store__db=db, ingest__workers=workers)
    report = ingest.ingest_archives(
        files,
        db=settings.store.db,
        workers=settings.ingest.workers,
        on_progress=render.archive_progress(enabled=settings.ui.progress and not as_json),
        on_damage=render.damage_printer(settings.ui.max_warnings),
    )
    if as_json:
        print_json(report.as_dict())
    else:
        render.ingest_report(report, db=settings.store.db)


@app.command("demo")
def demo_(
    db: Annotated[
        Path,
        typer.Option("--db", help="Project file the demo makes", metavar="PATH"),
    ] = Path("demo.duckdb"),
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML report to write", metavar="FILE"),
    ] = Path("report.html"),
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Which sample web [default: the demo's own]", show_default=False
        ),
    ] = None,
    pages: Annotated[
        int | None,
        typer.Option("--pages", help="Pages of the sample web in all", metavar="N"),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the dashboard of the project (Ctrl-C stops)")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Crawl a generated sample web, import an export, rank, audit, plan and report on it."""
    from linkequity.cli.demo_progress import DemoProgress
    from linkequity.services import demo

    settings = _settings()
    if db.exists():
        raise UsageError(
            f"{db} exists; the demo makes a new project",
            hint="Remove it, or pass --db new.duckdb.",
        )
    if not output.parent.is_dir():
        raise UsageError(
            f"cannot write {output}: {output.parent} is not a folder",
            hint="Pass -o with a path in an existing folder.",
        )
    with DemoProgress(enabled=settings.ui.progress and not as_json) as progress:
        report = demo.run_demo(
            db=db,
            report=output,
            tuning=settings.crawl,
            seed=demo.DEMO_SEED if seed is None else seed,
            pages=pages,
            on_progress=progress.crawl,
            on_phase=progress.phase,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        render.demo_report(report, db=db)
    if serve:
        serve_(db=db)


@app.command("crawl")
def crawl_(
    seeds: Annotated[
        list[str] | None,
        typer.Argument(help="URLs to start from", metavar="SEED", show_default=False),
    ] = None,
    db: DbOption = None,
    mode: Annotated[
        crawling.CrawlMode,
        typer.Option(
            "--mode",
            help="site: the seeds' hosts (and their sitemaps); web: any host, 3 links deep "
            "unless --max-depth; verify: only the seeds and their redirects",
        ),
    ] = crawling.CrawlMode.SITE,
    seeds_file: Annotated[
        Path | None,
        typer.Option("--seeds-file", help="More seeds, one URL a line", metavar="FILE"),
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="URLs visited at most", metavar="N")
    ] = None,
    max_depth: Annotated[
        int | None,
        typer.Option("--max-depth", help="Links followed from a seed at most", metavar="N"),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Another host a site crawl may visit", metavar="HOST"),
    ] = None,
    allow_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-domain", help="A domain whose every host may be visited", metavar="DOMAIN"
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Regex a URL must match (any of them)", metavar="REGEX"),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Regex a URL must not match", metavar="REGEX"),
    ] = None,
    allow_private: AllowPrivateOption = False,
    resolve_to: ResolveToOption = None,
    warc: Annotated[
        Path | None,
        typer.Option("--warc", help="Append every response to this gzip WARC file", metavar="FILE"),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Go on with the last crawl that did not finish")
    ] = False,
    concurrency: ConcurrencyOption = None,
    per_host: PerHostOption = None,
    delay: DelayOption = None,
    user_agent: UserAgentOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            metavar="N",
            help="Processes that parse pages; 0 means one per CPU [setting crawl.workers]",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Crawl pages and their links into the project, politely; resumable after any stop."""
    settings = _settings(
        store__db=db,
        crawl__concurrency=concurrency,
        crawl__per_host=per_host,
        crawl__delay_s=delay,
        crawl__user_agent=user_agent,
        crawl__workers=workers,
    )
    show = render.crawl_progress(enabled=settings.ui.progress and not as_json)
    if resume:
        if seeds or seeds_file:
            raise UsageError("--resume goes on with the saved seeds; give no SEED or --seeds-file")
        with show as tell:
            report = crawling.resume_crawl(db=settings.store.db, on_progress=tell)
    else:
        given = crawling.seed_urls(seeds or [], origin="argument")
        hosts = {url_host(url) for url in given}
        if seeds_file is not None:
            checked = crawling.check_seeds_file(seeds_file)
            if not checked.count and not given:
                raise UsageError(f"{seeds_file} holds no URL: nothing to crawl")
            hosts |= checked.hosts
        plan = crawling.CrawlPlan(
            seeds=given,
            seeds_file=str(seeds_file) if seeds_file is not None else None,
            seed_hosts=tuple(sorted(hosts)),
            mode=mode,
            max_pages=max_pages,
            max_depth=max_depth,
            hosts=tuple(allow_host or ()),
            domains=tuple(allow_domain or ()),
            include=tuple(include or ()),
            exclude=tuple(exclude or ()),
            allow_private=allow_private,
            resolve_to=resolve_to,
            warc=str(warc) if warc is not None else None,
        )
        with show as tell:
            report = crawling.crawl(
                plan, db=settings.store.db, tuning=settings.crawl, on_progress=tell
            )
    if as_json:
        print_json(report.as_dict())
    else:
        render.crawl_report(report, db=settings.store.db)
    if report.fetched_nothing:
        states = ", ".join(
            f"{count:,} {state}" for state, count in report.urls_by_state.items() if count
        )
        raise NothingCrawled(f"crawl {report.snapshot_id} fetched no URL ({states})")


@app.command("verify")
def verify_(
    db: DbOption = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", help="Only the backlinks to this domain (or host, or URL)", metavar="DOMAIN"
        ),
    ] = None,
    allow_private: AllowPrivateOption = False,
    resolve_to: ResolveToOption = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Go on with the verification that did not finish")
    ] = False,
    concurrency: ConcurrencyOption = None,
    per_host: PerHostOption = None,
    delay: DelayOption = None,
    user_agent: UserAgentOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch the linking page of every imported backlink: present, or lost and why."""
    settings = _settings(
        store__db=db,
        crawl__concurrency=concurrency,
        crawl__per_host=per_host,
        crawl__delay_s=delay,
        crawl__user_agent=user_agent,
    )
    with render.crawl_progress(enabled=settings.ui.progress and not as_json) as tell:
        if resume:
            report = verify.resume_verification(
                db=settings.store.db, target=target, on_progress=tell
            )
        else:
            report = verify.verify_backlinks(
                db=settings.store.db,
                tuning=settings.crawl,
                target=target,
                allow_private=allow_private,
                resolve_to=resolve_to,
                on_progress=tell,
            )
    if as_json:
        print_json(report.as_dict())
    else:
        render.verify_report(report, db=settings.store.db)


@app.command("stats")
def stats_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Count links, referring pages and domains, targets and sources in a project."""
    settings = _settings(store__db=db)
    project = stats.project_stats(settings.store.db)
    if as_json:
        print_json(project.as_dict())
    else:
        render.project_stats(project, db=settings.store.db)


app.command("check")(check_)


@app.command("rank")
def rank_(
    db: DbOption = None,
    trust_seeds: Annotated[
        Path | None,
        typer.Option(
            "--trust-seeds",
            help="Trusted domains or URLs, one a line: adds TrustRank and spam mass",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    damping: DampingOption = 0.85,
    snapshot: Annotated[
        int | None,
        typer.Option("--snapshot", help="Snapshot to rank (the latest by default)", metavar="ID"),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="Pages and domains listed", metavar="N", min=0)
    ] = 10,
    propose_seeds: Annotated[
        int,
        typer.Option(
            "--propose-seeds",
            help="Also propose N domains to review as trust seeds (inverse PageRank)",
            metavar="N",
            min=0,
        ),
    ] = 0,
    show: Annotated[
        bool, typer.Option("--show", help="Show the stored scores instead of computing them")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Score every page and domain of a project: authority, trust, spam mass, referring counts."""
    from linkequity.services import rank as ranking

    settings = _settings(store__db=db)
    if show:
        if trust_seeds is not None or propose_seeds:
            raise UsageError(
                "--show reads stored scores; --trust-seeds and --propose-seeds need a new ranking"
            )
        report = ranking.stored_ranking(settings.store.db, snapshot_id=snapshot, top=top)
    else:
        with render.rank_progress(enabled=settings.ui.progress and not as_json) as tell:
            report = ranking.rank_snapshot(
                settings.store.db,
                snapshot_id=snapshot,
                trust_seeds=trust_seeds,
                damping=damping,
                top=top,
                propose_seeds=propose_seeds,
                on_phase=tell,
            )
    if as_json:
        print_json(report.as_dict())
    else:
        render.rank_report(report, db=settings.store.db)


app.command("tiers")(tiers_)
app.command("plan")(plan_)
app.command("audit")(audit_)
app.command("toxic")(toxic)
app.command("disavow")(disavow_)
app.command("diff")(diff_)
app.command("opportunities")(opportunities_)
app.command("report")(report_)
app.command("serve")(serve_)


class RankFormat(StrEnum):
    """How ``graph rank`` writes its scores."""

    TSV = "tsv"
    JSON = "json"


@graph_app.command("rank")
def graph_rank(
    edges: Annotated[
        Path,
        typer.Argument(
            help="Edge list: `source target [weight]` lines, plain or gzip; # or % comments",
            metavar="EDGES",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        RankFormat, typer.Option("--format", help="Output format")
    ] = RankFormat.TSV,
    damping: DampingOption = 0.85,
    personalize: Annotated[
        Path | None,
        typer.Option(
            "--personalize",
            help="Node ids to teleport to, one a line with an optional weight",
            metavar="SEEDS",
            show_default=False,
        ),
    ] = None,
    base: Annotated[
        int | None,
        typer.Option(
            "--base",
            help="Id of the first node, 0 or 1 [default: 0; 1 for Matrix Market files]",
            metavar="BASE",
            show_default=False,
            min=0,
            max=1,
        ),
    ] = None,
    skip: Annotated[
        int, typer.Option("--skip", help="Header lines to skip", metavar="N", min=0)
    ] = 0,
    labels: Annotated[bool, typer.Option("--labels", help="Ids are names, not integers")] = False,
    with_hits: Annotated[
        bool, typer.Option("--hits", help="Add HITS hub and authority columns")
    ] = False,
    top: Annotated[
        int | None,
        typer.Option("--top", help="Only the N best nodes", metavar="N", min=0, show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Write here instead of stdout", metavar="FILE", show_default=False
        ),
    ] = None,
) -> None:
    """PageRank of every node of an edge-list file, best first (node ids as in the file)."""
    from linkequity.services import rank as ranking

    ranking_ = ranking.rank_edge_list(
        edges,
        damping=damping,
        base=base,
        skip=skip,
        labels=labels,
        personalize=personalize,
        with_hits=with_hits,
    )
    data = render.edge_list_scores(ranking_, top=top, as_json=output_format is RankFormat.JSON)
    if output is None:
        sys.stdout.write(data.decode())
        sys.stdout.flush()
    else:
        write_file(lambda path: path.write_bytes(data), output)


@app.command("formats")
def formats(as_json: JsonOption = False) -> None:
    """List the backlink export formats that `import` recognises."""
    known = imports.known_formats()
    if as_json:
        print_json([item.as_dict() for item in known])
    else:
        render.formats(known)


@app.command("url")
def url(
    urls: Annotated[list[str], typer.Argument(help="URLs to normalise", metavar="URL")],
    as_json: JsonOption = False,
) -> None:
    """Show the normalised form, host, registrable domain and reversed host of URLs."""
    parsed = [parse_url(text) for text in urls]
    if as_json:
        print_json([render.url_as_dict(item) for item in parsed])
    else:
        render.urls(parsed)


@app.command("links")
def links(
    page: Annotated[
        str,
        typer.Argument(
            help="A page's http(s) URL, fetched once, or a saved page: .html or .html.gz",
            metavar="FILE_OR_URL",
        ),
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="The URL the page was fetched from; needed for a file",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List every link of one page with its placement, rel and flags."""
    report = pages.links_of_page(page, base_url=base_url)
    if as_json:
        print_json(render.page_links_as_dict(report))
    else:
        render.page_links(report)


@app.command("robots")
def robots_(
    url: Annotated[
        str, typer.Argument(help="The http(s) URL a crawler would fetch", metavar="URL")
    ],
    agent: Annotated[
        str,
        typer.Option(
            "--agent", metavar="UA", help="The crawler's product token or User-Agent string"
        ),
    ] = "linkequity",
    robots_file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help="Read this robots.txt instead of fetching the URL's",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain whether robots.txt lets a crawler fetch URL: the group and rule that decided."""
    check = robots.check_robots(url, agent=agent, robots_file=robots_file)
    if as_json:
        print_json(render.robots_check_as_dict(check))
    else:
        render.robots_check(check)


@app.command("settings")
def settings_(as_json: JsonOption = False) -> None:
    """Show every setting, its value and where the value came from."""
    described = _loaded().describe()
    if as_json:
        print_json(
            [
                {
                    "key": info.key,
                    "value": str(info.value) if isinstance(info.value, Path) else info.value,
                    "source": str(info.source),
                    "env": info.env_var,
                    "help": info.help,
                }
                for info in described
            ]
        )
    else:
        render.settings_table(described)


@parquet_app.command("export")
def parquet_export(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the Parquet files into", metavar="DIR")
    ],
    db: DbOption = None,
) -> None:
    """Write the link tables of a project as Parquet files."""
    written = exchange.export_parquet(_settings(store__db=db).store.db, directory)
    render.written_files(written)


@parquet_app.command("import")
def parquet_import(
    directory: Annotated[
        Path, typer.Argument(help="Folder of Parquet files from `export`", metavar="DIR")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge link tables from Parquet files into a project."""
    settings = _settings(store__db=db)
    project = exchange.import_parquet(settings.store.db, directory)
    if as_json:
        print_json(project.as_dict())
    else:
        render.project_stats(project, db=settings.store.db)


# The name issue 9 gives the Spark hand-off; the same command as `parquet import`.
app.command(
    "import-parquet", help="Merge link tables from Parquet files (`parquet import`) into a project."
)(parquet_import)


def main() -> None:
    """Run the CLI; expected errors become one line on stderr and exit status 2."""
    try:
        app()
    except LinkEquityError as err:
        render.error(err)
        raise SystemExit(2) from None
