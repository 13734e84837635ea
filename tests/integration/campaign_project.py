"""A sample-web project with two campaigns, for the report's and the dashboard's campaign views.

``spring`` holds the plan's two best links: the first went live (the sample
web served on loopback with the link added to its page, as the editor would
add it, then ``campaign verify``: a crawl after the prediction, so its gain is
measured); the second was contacted, with a note carrying markup. ``autumn``
holds one prospect from a CSV, predicted on that latest crawl and marked live
by hand: no crawl came after, so its realised gain is not measured yet.
Built once per test module that asks for it (a copy of ``web_db``).
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest
import typer
from typer.testing import CliRunner

from linkequity.cli.campaign_command import campaign_app
from linkequity.samples.web import generate_web, serve_web
from linkequity.samples.web.overlay import ExtraLink, WithExtraLinks

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["HOSTILE_NOTE", "campaign_db", "campaign_json"]

#: A note on the contacted prospect: markup a page must show as text.
HOSTILE_NOTE = '<script>alert("note")</script><img src=x onerror=alert(2)>'

_APP = typer.Typer()
_APP.add_typer(campaign_app, name="campaign")


def campaign_json(db: Path, *args: str) -> Any:
    """Run ``linkequity campaign ARGS --db DB --json``; return what it printed."""
    result = CliRunner().invoke(_APP, ["campaign", *args, "--db", str(db), "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def campaign_db(
    web_db: Path, manifest: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The project described in the module docstring."""
    db = tmp_path_factory.mktemp("campaigns") / "campaigns.duckdb"
    shutil.copyfile(web_db, db)
    money = manifest["target"]["domain"]
    campaign_json(db, "new", "spring", "--target", money)
    campaign_json(db, "add", "spring", "--from", "plan", "--top", "2")
    first, second = campaign_json(db, "status", "spring")["prospects"]
    campaign_json(db, "update", str(second["id"]), "--status", "contacted", "--note", HOSTILE_NOTE)
    web = WithExtraLinks(generate_web(1, sites=14, pages=280))
    web.add(first["source_url"], ExtraLink(first["target_url"], first["suggested_anchor"]))
    with serve_web(web, workers=4) as base:  # type: ignore[arg-type]
        found = campaign_json(
            db, "verify", "spring", "--allow-private", "--resolve-to",
            base.removeprefix("http://"), "--delay", "0",
        )  # fmt: skip
    assert [change["new_status"] for change in found["changes"]] == ["live"]

    campaign_json(db, "new", "autumn", "--target", money)
    prospects = db.parent / "autumn.csv"
    prospects.write_text(
        f"source_url,target_url,anchor\n{second['source_url']},{second['target_url']},=SUM(1+1)\n",
        encoding="utf-8",
    )
    campaign_json(db, "add", "autumn", "--from-csv", str(prospects))
    [row] = campaign_json(db, "status", "autumn")["prospects"]
    campaign_json(db, "update", str(row["id"]), "--status", "live", "--note", "seen by hand")
    return db
