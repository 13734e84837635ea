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

Names, URLs, anchors and notes are escaped by the autoescaped templates.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request  # noqa: TC002 - FastAPI reads the annotations at run time
from fastapi.responses import FileResponse, HTMLResponse
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
    from collections.abc import Callable

    from fastapi import FastAPI
    from jinja2 import Environment

    from linkequity.web.cache import PartCache

__all__ = ["CAMPAIGN_PARTS", "add_campaign_routes"]

#: The lazy parts of a campaign's page, each from ``/t/{target}/campaign/{name}/part/{part}``.
CAMPAIGN_PARTS = ("gains",)
#: The status dates a prospect's row shows, in funnel order.
_DATES = ("created", "contacted", "replied", "agreed", "live", "lost", "declined")


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

    @app.get("/t/{target}/campaign/{campaign}", response_class=HTMLResponse)
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

    @app.get("/t/{target}/campaign/{campaign}/part/{part}", response_class=HTMLResponse)
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

    @app.get("/t/{target}/campaign/{campaign}/prospects.csv")
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
