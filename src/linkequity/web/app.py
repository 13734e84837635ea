"""The local dashboard: the audit, tiers and plan of a target live, and its links to browse.

``create_app`` builds the FastAPI application of one project file. Routes
parse the request, call a service and render a Jinja2 template (autoescaped:
anchors and titles from the web are text, never markup); the services run in
FastAPI's threadpool (every endpoint is a plain ``def``), so a slow audit
never blocks the event loop. A target's audit, toxicity, tier map and plan
are computed once per process and kept (``_TargetCache``); a page of the
links table is one query.
"""

from __future__ import annotations

import json
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
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
from linkequity.services.disavow import proposed_entries
from linkequity.services.monitor import diff_links
from linkequity.services.plan import plan_target
from linkequity.services.tiers import map_tiers
from linkequity.web.security import LOOPBACK_NAMES, SecurityMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from linkequity.services.monitor import LinkDiffReport
    from linkequity.services.plan import PlanReport
    from linkequity.services.tiers import TiersReport

__all__ = ["PAGE_SIZES", "create_app"]

#: Rows per page of the links table: the smallest, the default and the largest.
PAGE_SIZES = (10, 50, 100)
#: Links the overview's plan proposes (as ``linkequity plan --budget 10``).
PLAN_BUDGET = 10
#: Rows of each list on the overview.
OVERVIEW_ROWS = 10

_T = TypeVar("_T")


class _TargetCache:
    """The expensive parts of each target, computed once per process, one computation at a time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._values: dict[tuple[str, str], object] = {}

    def get(self, part: str, target: str, build: Callable[[], _T]) -> _T:
        key = (part, target)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
            value: _T = self._values[key]  # type: ignore[assignment]
            return value


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
    app = FastAPI(title="linkequity", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=allowed_hosts)
    templates = _templates()
    cache = _TargetCache()

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

    def view_of(target: str) -> browse.TargetView:
        name = target.strip().lower()
        return cache.get("view", name, lambda: browse.load_target(db, [name]))

    def tiers_of(target: str) -> TiersReport:
        name = target.strip().lower()
        return cache.get("tiers", name, lambda: map_tiers(db, [name]))

    def diff_of(target: str) -> LinkDiffReport:
        name = target.strip().lower()
        return cache.get("diff", name, lambda: diff_links(db, [name]))

    def plan_of(target: str) -> PlanReport:
        name = target.strip().lower()
        return cache.get(
            "plan",
            name,
            lambda: plan_target(db, [name], budget=PLAN_BUDGET, toxicity=view_of(name).toxicity),
        )

    @app.exception_handler(LinkEquityError)
    def explain(request: Request, error: LinkEquityError) -> HTMLResponse:
        unknown = isinstance(error, (UsageError, InvalidUrl)) and "is not a" in str(error)
        status = 404 if unknown else 500 if isinstance(error, StoreError) else 400
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
        # A first visit computes the parts side by side; later ones find them cached.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="linkequity-overview") as pool:
            tiers_later = pool.submit(tiers_of, target)
            plan_later = pool.submit(plan_of, target)
            diff_later = pool.submit(diff_of, target)
            view = view_of(target)
            tiers, plan, diff = tiers_later.result(), plan_later.result(), diff_later.result()
        return render(
            request,
            "overview.html",
            target=target,
            view=view,
            sections=_report_sections(view, tiers, plan, diff),
            tier1=tiers.pages.slice(0, OVERVIEW_ROWS).to_pylist(),
        )

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
        view = view_of(target)
        text = json.dumps(view.audit.as_dict(), indent=2, ensure_ascii=False, default=str)
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
        return render(
            request,
            "domain.html",
            target=target,
            view=view,
            found=browse.domain_view(db, view, domain),
        )

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
            gain=browse.page_gain(db, view, url, plan),
            plan=plan,
        )

    return app


def _report_sections(
    view: browse.TargetView, tiers: TiersReport, plan: PlanReport, diff: LinkDiffReport
) -> list[Markup]:
    """Return the report's parts for the overview: the same renderers, the same numbers."""
    audit = view.audit.as_dict()
    tier_map = tiers.as_dict()
    planned = plan.as_dict()
    return [
        render_overview(audit, tier_map, planned),
        render_profile(audit),
        render_anchors(audit),
        render_velocity(diff.as_dict(), audit["lost"]),
        render_toxicity(audit),
        render_tier_graph(tier_map),
        render_tiers(tier_map),
        render_plan(planned),
        render_opportunities(audit["opportunities"]),
    ]


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
    return "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in target.strip().lower())


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}
