"""The dashboard's campaign pages: a target's campaigns, and each one's funnel, gains and prospects.

``add_campaign_routes`` adds, to the app ``web.app.create_app`` builds:

``/t/{target}/campaigns``
    The campaigns for the target, with their prospects and live links counted.
``/t/{target}/campaign/{name}``
    The funnel by status and the risk watch at once (``campaign_status``:
    a few queries), and a slot for the gains.
``/t/{target}/campaign/{name}/part/gains``
    The predicted and realised gains (chart and totals, the report's
    renderers) and the prospects table: ``campaign_summary``, whose impact
    ranks the graph twice or more, computed once per version of the store
    through the ``PartCache``, like the overview's costly sections.
``/t/{target}/campaign/{name}/prospects.csv``
    The prospects as ``campaign export`` writes them (``report.csv``: formula
    cells neutralised).

A name may hold a slash ("q3/outreach"): the pages percent-encode it in every
link (``%2F``), and one route reads the name and the view asked for from the
request's raw path, where an encoded slash is still part of the name
(:func:`campaign_view`). Each campaign has that one address: a slash left
as it is separates the name from its view, so ``/campaign/q3/outreach`` is
not found.

Names, URLs, anchors and notes are escaped by the autoescaped templates.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from fastapi import Request  # noqa: TC002 - FastAPI reads the annotations at run time
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from linkequity.errors import UsageError
from linkequity.report.campaigns import (
    NOT_MEASURED,
    render_campaign_funnel,
    render_gain_chart,
    render_gain_totals,
    render_risk,
)
from linkequity.services.campaigns import (
    campaign_status,
    campaign_summary,
    export_campaign,
    target_campaigns,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from fastapi import FastAPI
    from jinja2 import Environment

    from linkequity.web.cache import PartCache

__all__ = ["CAMPAIGN_PARTS", "CampaignView", "add_campaign_routes", "campaign_view"]

#: The lazy parts of a campaign's page, each from ``/t/{target}/campaign/{name}/part/{part}``.
CAMPAIGN_PARTS = ("gains",)
#: The status dates a prospect's row shows, in funnel order.
_DATES = ("created", "contacted", "replied", "agreed", "live", "lost", "declined")
#: The raw path's segments before the campaign's: "", "t", the target, "campaign".
_PREFIX_SEGMENTS = 4


@dataclass(frozen=True, slots=True)
class CampaignView:
    """What a request under ``/t/{target}/campaign/`` asks for: a campaign and one of its views.

    ``view`` is ``page``, ``part`` (then ``part`` names it) or ``csv``.
    """

    name: str
    view: str
    part: str = ""


def campaign_view(segments: Sequence[str]) -> CampaignView:
    """Return the campaign and the view that the path *segments* after ``/campaign/`` name.

    Each segment is already percent-decoded: a slash inside one (sent as
    ``%2F``) belongs to the name, which is always the first segment. The
    rest say the view: nothing (the page), ``prospects.csv`` or ``part/PART``.

    >>> campaign_view(["q3/outreach", "part", "gains"])
    CampaignView(name='q3/outreach', view='part', part='gains')

    Raises
    ------
    UsageError
        If the segments are none of those (shown as "not found").
    """
    match segments:
        case [name]:
            return CampaignView(name, "page")
        case [name, "prospects.csv"]:
            return CampaignView(name, "csv")
        case [name, "part", part]:
            return CampaignView(name, "part", part)
    raise UsageError(
        f"{'/'.join(segments)!r} is not a campaign's page, part or file",
        hint="A slash in a campaign's name is written %2F in its address (q3%2Foutreach).",
    )


def _segments_after_campaign(request: Request, rest: str) -> list[str]:
    """Return the path segments after ``/t/{target}/campaign/``, each percent-decoded.

    Read from the raw path, where a name's encoded slash is still ``%2F``;
    without one (or under a root path), from the decoded *rest*.
    """
    raw: bytes | None = request.scope.get("raw_path")
    if raw is None or request.scope.get("root_path"):
        return rest.split("/")
    return [
        unquote_to_bytes(segment).decode("utf-8", "replace")
        for segment in raw.split(b"/")[_PREFIX_SEGMENTS:]
    ]


def add_campaign_routes(
    app: FastAPI,
    *,
    db: Path,
    cache: PartCache,
    templates: Environment,
    render: Callable[..., HTMLResponse],
    file_stem: Callable[[str], str],
) -> None:
    """Add the campaign pages (module docstring) to the dashboard *app* of the project *db*.

    Parameters
    ----------
    app : fastapi.FastAPI
        The dashboard.
    db : pathlib.Path
        Its project file.
    cache : PartCache
        Where the costly parts are kept: the campaign's summary is one.
    templates : jinja2.Environment
        The dashboard's templates (autoescaped).
    render : callable
        ``render(request, template, **context)``: a page of the dashboard.
    file_stem : callable
        Turns a target into a safe file name.
    """

    def campaign_of(target: str, name: str) -> dict[str, Any]:
        """Return the campaign *name* of *target*; another target's or none is a 404."""
        for row in target_campaigns(db, [target]):
            if row["name"] == name:
                return row
        raise UsageError(
            f"{name!r} is not a campaign of {target}",
            hint=f"The campaigns of {target} are listed at /t/{target}/campaigns.",
        )

    @app.get("/t/{target}/campaigns", response_class=HTMLResponse)
    def campaigns(request: Request, target: str) -> HTMLResponse:
        name = target.strip().lower()
        return render(
            request, "campaigns.html", target=target, campaigns=target_campaigns(db, [name])
        )

    def campaign_page(request: Request, target: str, campaign: str) -> HTMLResponse:
        name = target.strip().lower()
        campaign_of(name, campaign)
        status = cache.get(
            f"campaign-status:{campaign}", name, lambda: campaign_status(db, campaign)
        )
        return render(
            request,
            "campaign.html",
            target=target,
            campaign=status.campaign,
            prospects=len(status.prospects),
            funnel=render_campaign_funnel(status.funnel, chart_id="chart-campaign-funnel"),
            risk=render_risk([check.as_dict() for check in status.risk]),
            parts=CAMPAIGN_PARTS,
        )

    def campaign_part(target: str, campaign: str, part: str) -> HTMLResponse:
        if part not in CAMPAIGN_PARTS:
            raise UsageError(
                f"{part!r} is not a part of a campaign's page",
                hint="Use one of: " + ", ".join(CAMPAIGN_PARTS),
            )
        name = target.strip().lower()
        campaign_of(name, campaign)
        summary = cache.get(
            f"campaign-summary:{campaign}", name, lambda: campaign_summary(db, campaign)
        )
        # An autoescaped template; the report's renderers escape what they draw.
        html = templates.get_template("part_campaign.html").render(
            summary=summary,
            chart=render_gain_chart(summary, key="page"),
            totals=render_gain_totals(summary, key="page"),
            prospects=[_prospect_row(link) for link in summary["links"]],
            not_measured=NOT_MEASURED,
        )
        return HTMLResponse(html)

    def prospects_csv(target: str, campaign: str) -> FileResponse:
        campaign_of(target.strip().lower(), campaign)
        with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as file:
            path = Path(file.name)
        export_campaign(db, campaign, path)
        return FileResponse(
            path,
            media_type="text/csv; charset=utf-8",
            filename=f"{file_stem(target)}-{file_stem(campaign)}-prospects.csv",
            background=BackgroundTask(path.unlink, missing_ok=True),
        )

    # One route for the three views: which one is asked for, and of which
    # campaign, only the raw path can tell when the name holds a slash.
    @app.get("/t/{target}/campaign/{rest:path}", response_model=None)
    def campaign_route(request: Request, target: str, rest: str) -> Response:
        wanted = campaign_view(_segments_after_campaign(request, rest))
        if wanted.view == "csv":
            return prospects_csv(target, wanted.name)
        if wanted.view == "part":
            return campaign_part(target, wanted.name, wanted.part)
        return campaign_page(request, target, wanted.name)


def _prospect_row(link: dict[str, Any]) -> dict[str, Any]:
    """Return a prospect as its row shows it: status dates set, first to last; exact gains."""
    dates = [(name, link[f"{name}_at"]) for name in _DATES if link.get(f"{name}_at")]
    return {
        **link,
        "dates": [(name, str(at)[:10]) for name, at in dates],
        "predicted_value": _exact(link["predicted_page_gain"]),
        "realised_value": _exact(link["realised_page_gain"]),
    }


def _exact(value: float | None) -> str:
    """Return a gain as ``data-value`` holds it: every digit (``repr``), or empty for none."""
    return "" if value is None else repr(value)
