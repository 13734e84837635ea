"""A campaign run end to end on the sample web, from the CLI: plan, work, verify, measure.

The store is the sample web as ingested from its WARC (a copy per test: the
campaign writes to it). The web is served on loopback with links added to
the prospects' pages (``samples.web.overlay``), as the sites' editors would
add them; a verification then finds them, and the impact compares the
target's rank with and without them against the gains the plan predicted.
"""

from __future__ import annotations

import csv
import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest
import typer
from typer.testing import CliRunner

from linkequity.cli.campaign_command import campaign_app
from linkequity.errors import UsageError
from linkequity.samples.web import generate_web, serve_web
from linkequity.samples.web.overlay import ExtraLink, WithExtraLinks
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from typer.testing import Result

#: How close a realised gain must be to its prediction: the plan's solves stop at 1e-10.
EXACT = 1e-9

app = typer.Typer()
app.add_typer(campaign_app, name="campaign")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[WithExtraLinks, str]]:
    web = WithExtraLinks(generate_web(1, sites=14, pages=280))
    with serve_web(web, workers=8) as base:  # type: ignore[arg-type]
        yield web, base.removeprefix("http://")


@pytest.fixture
def project(web_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "campaign.duckdb"
    shutil.copyfile(web_db, db)
    return db


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["campaign", *args, "--db", str(db)], env={"COLUMNS": "220"}, catch_exceptions=True
    )


def ok(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def verify(db: Path, resolve_to: str) -> Any:
    return ok(db, "verify", "spring", "--allow-private", "--resolve-to", resolve_to, "--delay", "0")


def start(db: Path, money: str, top: int) -> list[dict[str, Any]]:
    ok(db, "new", "spring", "--target", money)
    added = ok(db, "add", "spring", "--from", "plan", "--top", str(top))
    assert (added["added"], added["known"]) == (top, 0)
    again = ok(db, "add", "spring", "--from", "plan", "--top", str(top))
    assert (again["added"], again["known"]) == (0, top)
    status = ok(db, "status", "spring")
    assert status["funnel"]["new"] == top
    prospects: list[dict[str, Any]] = status["prospects"]
    return prospects


def link_on_page(served: tuple[WithExtraLinks, str], prospect: dict[str, Any]) -> None:
    web, _ = served
    web.add(prospect["source_url"], ExtraLink(prospect["target_url"], prospect["suggested_anchor"]))


@pytest.mark.slow
@pytest.mark.loopback
def test_a_link_goes_live_gains_what_was_predicted_then_is_lost(
    project: Path, served: tuple[WithExtraLinks, str], manifest: dict[str, Any]
) -> None:
    web, resolve_to = served
    money = manifest["target"]["domain"]
    first, second = start(project, money, top=2)
    assert first["predicted_page_gain"] > 0
    assert first["suggested_anchor"]
    for status in ("contacted", "replied", "agreed"):
        assert ok(project, "update", str(first["id"]), "--status", status)["status"] == status
    ok(
        project,
        "update",
        str(second["id"]),
        "--status",
        "contacted",
        "--note",
        "wrote to the editor",
    )
    refused = run(project, "update", str(first["id"]), "--status", "new")
    assert isinstance(refused.exception, UsageError)
    assert "agreed -> new is not allowed" in str(refused.exception)

    link_on_page(served, first)
    try:
        found = verify(project, resolve_to)
    finally:
        web.remove(first["source_url"])

    assert found["changes"] == [
        {
            "prospect_id": first["id"],
            "source_url": first["source_url"],
            "target_url": first["target_url"],
            "old_status": "agreed",
            "new_status": "live",
            "reason": None,
        }
    ]
    checks = {check["prospect_id"]: check for check in found["checks"]}
    live = checks[first["id"]]
    assert live["outcome"] == "present"
    assert (live["anchor_now"], live["is_exact_anchor"], live["is_same_class"]) == (
        first["suggested_anchor"],
        True,
        True,
    )
    assert (live["placement"], live["is_indexable"], live["is_nofollow"]) == (
        "content",
        True,
        False,
    )
    assert (checks[second["id"]]["outcome"], checks[second["id"]]["detail"]) == (
        "link_removed",
        "no link to the target",
    )

    impact = ok(project, "impact", "spring")
    assert impact["live_links"] == 1
    for level in ("page", "domain"):
        values = impact[level]
        predicted = first[f"predicted_{level}_gain"]
        assert values["realised"] == pytest.approx(predicted, abs=EXACT)
        assert values["from_campaign"] == pytest.approx(predicted, abs=EXACT)
        assert values["predicted_joint"] == pytest.approx(predicted, abs=EXACT)
        assert abs(values["other"]) < EXACT
        [link] = impact["links"]
        assert link[f"realised_{level}_gain"] == pytest.approx(predicted, abs=EXACT)

    status = ok(project, "status", "spring")
    assert status["funnel"] == {
        "new": 0, "contacted": 1, "replied": 0, "agreed": 0, "live": 1, "lost": 0, "declined": 0,
    }  # fmt: skip
    assert {check["rule"] for check in status["risk"]} == {
        "exact_share", "commercial_share", "repeated_anchor", "dofollow_share", "velocity",
        "network",
    }  # fmt: skip

    # The editor takes the link down: the next verification marks it lost, with why.
    gone = verify(project, resolve_to)

    assert [(c["prospect_id"], c["new_status"], c["reason"]) for c in gone["changes"]] == [
        (first["id"], "lost", "link_removed")
    ]
    after = ok(project, "impact", "spring")
    assert after["live_links"] == 0
    assert after["page"]["from_campaign"] == 0.0
    assert abs(after["page"]["realised"] or 0.0) < EXACT
    with Store.open(project, read_only=True) as store:
        [(lost_at,)] = store._conn.execute(
            """SELECT l.lost_at FROM links l
            JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
            WHERE s.url = ? AND t.url = ?""",
            [first["source_url"], first["target_url"]],
        ).fetchall()
    assert lost_at is not None
    history = [
        (e["prospect_id"], e["old_status"], e["new_status"], e["changed_by"])
        for e in ok(project, "status", "spring")["events"]
        if e["prospect_id"] == first["id"]
    ]
    assert history == [
        (first["id"], None, "new", "add"),
        (first["id"], "new", "contacted", "hand"),
        (first["id"], "contacted", "replied", "hand"),
        (first["id"], "replied", "agreed", "hand"),
        (first["id"], "agreed", "live", "verify"),
        (first["id"], "live", "lost", "verify"),
    ]


@pytest.mark.slow
@pytest.mark.loopback
def test_the_whole_plan_live_gains_its_joint_prediction(
    project: Path, served: tuple[WithExtraLinks, str], manifest: dict[str, Any]
) -> None:
    web, resolve_to = served
    prospects = start(project, manifest["target"]["domain"], top=2)
    for prospect in prospects:
        link_on_page(served, prospect)
    try:
        found = verify(project, resolve_to)
    finally:
        for prospect in prospects:
            web.remove(prospect["source_url"])
    assert sorted(c["new_status"] for c in found["changes"]) == ["live", "live"]

    impact = ok(project, "impact", "spring")

    page = impact["page"]
    assert impact["live_links"] == 2
    # Single-link predictions do not add up; the plan's gains in its order do, and
    # the joint prediction (both links added to the plan's graph) is what happened.
    assert page["realised"] == pytest.approx(page["predicted_joint"], abs=EXACT)
    assert page["realised"] == pytest.approx(page["predicted_in_plan_sum"], abs=EXACT)
    assert abs(page["predicted_sum"] - page["realised"]) > 1e-6
    assert impact["domain"]["realised"] == pytest.approx(
        impact["domain"]["predicted_joint"], abs=EXACT
    )
    each = {link["prospect_id"]: link for link in impact["links"]}
    first = prospects[0]
    assert each[first["id"]]["predicted_page_gain"] == first["predicted_page_gain"]


@pytest.mark.slow
def test_prospects_from_a_csv_with_a_bad_line_and_a_formula_safe_export(
    project: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    money = manifest["target"]["domain"]
    target = next(
        link["target"]
        for link in manifest["links"]
        if link["target"].split("/")[2].endswith(money) and not link["rel"]
    )
    source = next(
        url
        for url, entry in manifest["urls"].items()
        if entry["expected"] == "200" and money not in url and url != target
        and any(link["source"] == url for link in manifest["links"])
    )  # fmt: skip
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        "source_url,target_url,anchor,notes\n"
        f'{source},{target},=HYPERLINK("http://evil.example"),met at a fair\n'
        f"nope,{target},,\n",
        encoding="utf-8",
    )
    ok(project, "new", "spring", "--target", money)

    result = run(project, "add", "spring", "--from-csv", str(prospects), "--json")

    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert (added["added"], added["origin"]) == (1, "csv")
    assert added["skipped"] == [
        f"{prospects}:3: source_url 'nope' is no URL" + added["skipped"][0].split("is no URL", 1)[1]
    ]
    [row] = ok(project, "status", "spring")["prospects"]
    assert row["predicted_page_gain"] is not None
    assert row["predicted_page_gain"] > 0

    exported = tmp_path / "spring.csv"
    written = run(project, "export", "spring", "-o", str(exported))
    assert written.exit_code == 0, written.output
    with exported.open(encoding="utf-8", newline="") as file:
        [line] = list(csv.DictReader(file))
    assert line["suggested_anchor"] == '\'=HYPERLINK("http://evil.example")'
    assert line["status"] == "new"
