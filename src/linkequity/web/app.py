"""The local dashboard: the audit, tiers and plan of a target live, and its links to browse.

``create_app`` builds the FastAPI application of one project file. Routes
parse the request, call a service and render a Jinja2 template (autoescaped:
anchors and titles from the web are text, never markup); the services run in
FastAPI's threadpool (every endpoint is a plain ``def``), so a slow audit
never blocks the event loop.

A target's overview answers at once with what one query counts (the
profile's totals) and starts the costly parts in worker threads: the
toxicity, the audit, the tier map, the diff and the plan. The page then
fetches each of its sections from ``/t/{target}/part/{name}`` and shows it
when it arrives. Every costly part and every rendered section is kept per
version of the store (``web.cache``): a second visit finds them, a write to
the project drops them. A page of the links table is one query.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import asynccontextmanager, suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.background import BackgroundTask

from linkequity.errors import InvalidUrl, LinkEquityError, StoreError, UsageError
from linkequity.report.disavow import write_disavow
from linkequity.report.html import (
    render_anchors,
    render_opportunities,
    render_overview,
    render_plan,
    render_profile,
    render_tier_graph,
    render_tiers,
    render_toxicity,
    render_velocity,
    report_script,
    report_stylesheet,
)
from linkequity.services import browse
from linkequity.services.audit import audit_target
from linkequity.services.campaigns import target_campaigns
from linkequity.services.disavow import proposed_entries
from linkequity.services.monitor import diff_links
from linkequity.services.plan import plan_target
from linkequity.services.tiers import map_tiers
from linkequity.services.toxicity import score_toxicity
from linkequity.web.cache import PartCache
from linkequity.web.campaigns import add_campaign_routes
from linkequity.web.security import LOOPBACK_NAMES, SecurityMiddleware

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Collection

    from linkequity.services.audit import AuditReport
    from linkequity.services.monitor import LinkDiffReport
    from linkequity.services.plan import PlanReport
    from linkequity.services.tiers import TiersReport
    from linkequity.services.toxicity import ToxicityReport

__all__ = ["COSTLY_PARTS", "PAGE_SIZES", "SECTIONS", "create_app"]

#: Rows per page of the links table: the smallest, the default and the largest.
PAGE_SIZES = (10, 50, 100)
#: Links the overview's plan proposes (as ``linkequity plan --budget 10``).
PLAN_BUDGET = 10
#: Rows of each list on the overview.
OVERVIEW_ROWS = 10

#: Referring domains listed, worst first, under the overview.
DOMAIN_ROWS = 20
#: The overview's sections, in page order, each fetched from ``/t/{target}/part/{name}``.
SECTIONS = (
    "overview",
    "profile",
    "anchors",
    "velocity",
    "toxicity",
    "tier-graph",
    "tiers",
    "plan",
    "opportunities",
    "tier1",
    "domains",
)
#: The costly parts of a target, built once its overview is asked for: one line of work
#: (side by side they took longer on two cores: 34 s against 32 s at 1M links, the audit's
#: sections at 27 s against 15 s), the audit's sections first, the plan (slowest) and
#: the links table's anchor classes last.
SCHEDULE = (("toxicity", "audit", "diff", "tiers", "plan", "view"),)
COSTLY_PARTS = tuple(part for line in SCHEDULE for part in line)
#: The cards the overview shows at once: the profile's totals (``audit.totals``).
_TOTAL_CARDS = (
    ("links", "live backlinks"),
    ("referring_pages", "referring pages"),
    ("referring_domains", "referring domains"),
    ("followed_links", "followed links"),
    ("followed_domains", "domains giving a followed link"),
    ("linked_pages", "of {:,} pages linked to"),
)


def _web_link(url: object, text: object = None) -> Markup:
    """Return a link to *url* if it is http(s), else the escaped text: web URLs are hostile."""
    shown = url if text is None else text
    if isinstance(url, str) and urlsplit(url).scheme.lower() in {"http", "https"}:
        return Markup(
            '<a href="{}" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">{}</a>'
        ).format(url, shown)
    return escape(shown)


def _number(value: object, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _percent(value: object) -> str:
    return "-" if not isinstance(value, (int, float)) else f"{value:.0%}"


def _templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("linkequity.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["weblink"] = _web_link
    environment.filters["num"] = _number
    environment.filters["pct"] = _percent
    environment.filters["q"] = lambda text: quote(str(text), safe="")
    return environment


def create_app(
    db: Path,
    *,
    token: str | None = None,
    allowed_hosts: Collection[str] | None = LOOPBACK_NAMES,
) -> FastAPI:
    """Build the dashboard of the project *db*.

    Parameters
    ----------
    db : pathlib.Path
        The project file, opened read-only by each request.
    token : str, optional
        The access token every request must carry (``?token=`` once, then a
        cookie); needed whenever the dashboard listens beyond loopback.
    allowed_hosts : collection of str, optional
        Host names the ``Host`` header may name; loopback names by default
        (against DNS rebinding); ``None`` allows any (with a token).

    Returns
    -------
    fastapi.FastAPI
    """
    db = Path(db)
    cache = PartCache(lambda: browse.data_version(db))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        cache.close()

    app = FastAPI(
        title="linkequity", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=allowed_hosts)
    #: The kept parts and their ``computations`` counter, for tests and benchmarks.
    app.state.cache = cache
    templates = _templates()

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = templates.get_template(name).render(
            nonce=request.state.nonce,
            db=db.name,
            # Our own files from the package, not data; allowed by the page's nonce.
            report_css=Markup(report_stylesheet()),  # noqa: S704
            report_js=Markup(report_script()),  # noqa: S704
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def summary_of(name: str) -> browse.TargetSummary:
        return cache.get("summary", name, lambda: browse.target_summary(db, [name]))

    def toxicity_of(name: str) -> ToxicityReport:
        return cache.get("toxicity", name, lambda: score_toxicity(db, [name]))

    def audit_report_of(name: str) -> AuditReport:
        return cache.get(
            "audit", name, lambda: audit_target(db, [name], toxicity=toxicity_of(name))
        )

    def view_of(target: str) -> browse.TargetView:
        name = _target_name(target)
        return cache.get(
            "view",
            name,
            lambda: browse.load_target(
                db, [name], toxicity=toxicity_of(name), audit=audit_report_of(name)
            ),
        )

    def tiers_of(target: str) -> TiersReport:
        name = _target_name(target)
        return cache.get("tiers", name, lambda: map_tiers(db, [name]))

    def diff_of(target: str) -> LinkDiffReport:
        name = _target_name(target)
        return cache.get("diff", name, lambda: diff_links(db, [name]))

    def plan_of(target: str) -> PlanReport:
        name = _target_name(target)
        return cache.get(
            "plan",
            name,
            lambda: plan_target(db, [name], budget=PLAN_BUDGET, toxicity=toxicity_of(name)),
        )

    def gains_of(target: str) -> browse.PageGains:
        name = _target_name(target)
        return cache.get(
            "page-gains", name, lambda: browse.page_gains(db, view_of(name), plan_of(name))
        )

    costly: dict[str, Callable[[str], object]] = {
        "toxicity": toxicity_of,
        "audit": audit_report_of,
        "tiers": tiers_of,
        "diff": diff_of,
        "view": view_of,
        "plan": plan_of,
    }

    # The reports as plain values, as the renderers take them: converting the tier map
    # (every tier-1 page and edge) takes seconds at a million links, so it is done once.
    def audit_of(name: str) -> dict[str, Any]:
        return cache.get("audit-dict", name, lambda: audit_report_of(name).as_dict())

    def tier_map_of(name: str) -> dict[str, Any]:
        return cache.get("tiers-dict", name, lambda: tiers_of(name).as_dict())

    def planned_of(name: str) -> dict[str, Any]:
        return cache.get("plan-dict", name, lambda: plan_of(name).as_dict())

    def section_html(name: str, part: str) -> Markup:
        """Render one section of the overview (the report's renderers: the same numbers)."""
        if part == "overview":
            return render_overview(audit_of(name), tier_map_of(name), planned_of(name))
        if part == "velocity":
            return render_velocity(diff_of(name).as_dict(), audit_of(name)["lost"])
        if part in {"tier-graph", "tiers"}:
            draw = render_tier_graph if part == "tier-graph" else render_tiers
            return draw(tier_map_of(name))
        if part == "plan":
            return render_plan(planned_of(name))
        if part == "opportunities":
            return render_opportunities(audit_of(name)["opportunities"])
        if part == "tier1":
            rows = tiers_of(name).pages.slice(0, OVERVIEW_ROWS).to_pylist()
            # Our own template, autoescaped: the URLs in it are text.
            return Markup(  # noqa: S704
                templates.get_template("part_tier1.html").render(target=name, tier1=rows)
            )
        if part == "domains":
            return Markup(  # noqa: S704 - our own autoescaped template
                templates.get_template("part_domains.html").render(
                    target=name, toxicity=toxicity_of(name), rows=DOMAIN_ROWS
                )
            )
        audit_renderers = {
            "profile": render_profile,
            "anchors": render_anchors,
            "toxicity": render_toxicity,
        }
        return audit_renderers[part](audit_of(name))

    @app.exception_handler(LinkEquityError)
    def explain(request: Request, error: LinkEquityError) -> HTMLResponse:
        unknown = isinstance(error, (UsageError, InvalidUrl)) and "is not a" in str(error)
        status = 404 if unknown else 500 if isinstance(error, StoreError) else 400
        if "part" in request.path_params:
            # A section fetched into the overview: the message alone, not a page.
            fragment = templates.get_template("part_error.html")
            return HTMLResponse(
                fragment.render(message=str(error), hint=error.hint), status_code=status
            )
        return render(request, "error.html", status, message=str(error), hint=error.hint)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", targets=browse.list_targets(db))

    @app.get("/go")
    def go(target: Annotated[str, Query(max_length=300)] = "") -> RedirectResponse:
        name = target.strip().lower()
        if not name:
            return RedirectResponse("/", status_code=303)
        return RedirectResponse(f"/t/{quote(name, safe='')}/", status_code=303)

    @app.get("/t/{target}/", response_class=HTMLResponse)
    def overview(request: Request, target: str) -> HTMLResponse:
        name = _target_name(target)
        summary = summary_of(name)
        for line in SCHEDULE:
            cache.schedule(name, [(part, partial(costly[part], name)) for part in line])
        return render(
            request,
            "overview.html",
            target=target,
            summary=summary,
            parts=SECTIONS,
            cards=[(metric, label.format(summary.target_pages)) for metric, label in _TOTAL_CARDS],
            campaigns=target_campaigns(db, [name]),
        )

    @app.get("/t/{target}/part/{part}", response_class=HTMLResponse)
    def section(target: str, part: str) -> HTMLResponse:
        if part not in SECTIONS:
            raise UsageError(
                f"{part!r} is not a section of the overview",
                hint="Use one of: " + ", ".join(SECTIONS),
            )
        name = _target_name(target)
        html = cache.get(f"section:{part}", name, lambda: section_html(name, part))
        return HTMLResponse(html)

    @app.get("/t/{target}/links", response_class=HTMLResponse)
    def links_table(request: Request, target: str) -> HTMLResponse:
        view = view_of(target)
        wanted, page, size = _link_filter(request)
        found = browse.link_page(db, view, wanted)
        pages = max(1, -(-found.count // size))
        return render(
            request,
            "links.html",
            target=target,
            view=view,
            found=found,
            page=page,
            pages=pages,
            size=size,
            query=_query_without(request, {"page"}),
            csv_query=_query_without(request, {"page", "size"}),
            rels=list(browse.RELS),
            sorts=list(browse.LINK_SORTS),
            placements=[row["placement"] for row in view.audit.placement_mix],
            classes=[row["class"] for row in view.audit.anchors["classes"]],
            params=dict(request.query_params),
        )

    @app.get("/t/{target}/links.csv")
    def links_csv(request: Request, target: str) -> FileResponse:
        view = view_of(target)
        wanted, _, _ = _link_filter(request)
        with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as file:
            path = Path(file.name)
        browse.write_links_csv(db, view, wanted, path)
        return FileResponse(
            path,
            media_type="text/csv; charset=utf-8",
            filename=f"{_file_stem(target)}-links.csv",
            background=BackgroundTask(path.unlink, missing_ok=True),
        )

    @app.get("/t/{target}/audit.json")
    def audit_json(target: str) -> Response:
        audit = audit_report_of(_target_name(target))
        text = json.dumps(audit.as_dict(), indent=2, ensure_ascii=False, default=str)
        return Response(
            text,
            media_type="application/json",
            headers=_attachment(f"{_file_stem(target)}-audit.json"),
        )

    @app.get("/t/{target}/disavow.txt")
    def disavow(target: str) -> Response:
        view = view_of(target)
        entries = proposed_entries(db, [target.strip().lower()], snapshot_id=view.snapshot_id)
        text = write_disavow(
            entries,
            header=[
                f"Disavow file for {target} proposed by linkequity's toxicity audit",
                f"of snapshot {view.snapshot_id}; review it before uploading it.",
            ],
        )
        return Response(
            text,
            media_type="text/plain; charset=utf-8",
            headers=_attachment(f"{_file_stem(target)}-disavow.txt"),
        )

    @app.get("/t/{target}/domain/{domain}", response_class=HTMLResponse)
    def referring_domain(request: Request, target: str, domain: str) -> HTMLResponse:
        view = view_of(target)
        found = browse.domain_view(db, view, domain)
        if found["toxicity"] is None and not found["links"].count:
            raise UsageError(
                f"{found['domain']!r} is not a referring domain of {_target_name(target)}",
                hint="Open one from the overview's referring domains.",
            )
        return render(request, "domain.html", target=target, view=view, found=found)

    @app.get("/t/{target}/page", response_class=HTMLResponse)
    def tier1_page(
        request: Request, target: str, url: Annotated[str, Query(max_length=4096)]
    ) -> HTMLResponse:
        view = view_of(target)
        plan = plan_of(target)
        return render(
            request,
            "page.html",
            target=target,
            view=view,
            links=browse.page_links(db, view, url),
            gain=browse.page_gain(db, view, url, plan, gains_of(target)),
            plan=plan,
        )

    add_campaign_routes(
        app, db=db, cache=cache, templates=templates, render=render, file_stem=_file_stem
    )
    return app


def _target_name(target: str) -> str:
    return target.strip().lower()


def _link_filter(request: Request) -> tuple[browse.LinkFilter, int, int]:
    """Read the links table's filters, sort and page from the query; bad values are refused."""
    params = request.query_params

    def choice(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value or None

    try:
        page = max(1, int(params.get("page", "1")))
        size = int(params.get("size", str(PAGE_SIZES[1])))
    except ValueError as err:
        raise UsageError(
            "page and size must be whole numbers", hint="Use the table's pager."
        ) from err
    size = min(max(size, PAGE_SIZES[0]), PAGE_SIZES[2])
    toxic = choice("toxic")
    if toxic not in {None, "yes", "no"}:
        raise UsageError(f"toxic must be yes or no, not {toxic!r}", hint="Use the table's filter.")
    wanted = browse.LinkFilter(
        rel=choice("rel"),
        placement=choice("placement"),
        anchor_class=choice("class"),
        is_toxic=None if toxic is None else toxic == "yes",
        search=params.get("q", "")[:200],
        sort=choice("sort") or "domain",
        is_descending=params.get("desc", "") == "1",
        limit=size,
        offset=(page - 1) * size,
    )
    return wanted, page, size


def _query_without(request: Request, names: set[str]) -> str:
    return urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in names and k != "token"]
    )


def _file_stem(target: str) -> str:
    """Return the ASCII file name stem of *target*: a header is Latin-1, a name no path."""
    name = target.strip().lower()
    with suppress(UnicodeError):
        name = name.encode("idna").decode("ascii")
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-") else "_" for ch in name)


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}
