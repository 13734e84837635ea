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

from linkequity.cli.app import app as main_app
from linkequity.cli.campaign_command import campaign_app
from linkequity.errors import UsageError
from linkequity.samples.web import generate_web, serve_web
from linkequity.samples.web.overlay import ExtraLink, WithExtraLinks
from linkequity.services.campaign_verify import verify_campaign
from linkequity.services.campaigns import campaign_summary
from linkequity.services.rank import rank_snapshot
from linkequity.settings import CrawlSettings
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from typer.testing import Result

#: How close a realised gain must be to its prediction (both solved to 1e-13).
EXACT = 1e-12
#: How close to the plan's own numbers (its solves stop at 1e-10).
PLAN_TOL = 1e-9

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
    assert [check["rule"] for check in impact["risk"]] == [
        "exact_share", "commercial_share", "repeated_anchor", "dofollow_share", "velocity",
        "network",
    ]  # fmt: skip
    for level in ("page", "domain"):
        values = impact[level]
        predicted = first[f"predicted_{level}_gain"]
        assert values["realised"] == pytest.approx(predicted, abs=EXACT)
        assert values["from_campaign"] == pytest.approx(predicted, abs=EXACT)
        assert values["predicted_joint"] == pytest.approx(predicted, abs=EXACT)
        assert abs(values["other"]) < EXACT
        [link] = impact["links"]
        assert link[f"realised_{level}_gain"] == pytest.approx(predicted, abs=EXACT)

    # The authority shown is the one `linkequity rank` stores for the target.
    rank_snapshot(project)
    with Store.open(project, read_only=True) as store:
        [(page_points,)] = store._conn.execute(
            """SELECT max(m.authority) FROM page_metrics m JOIN urls u ON u.id = m.url_id
            WHERE m.snapshot_id = ? AND u.domain = ?""",
            [impact["snapshot_id"], money],
        ).fetchall()
        [(domain_points,)] = store._conn.execute(
            "SELECT authority FROM domain_metrics WHERE snapshot_id = ? AND domain = ?",
            [impact["snapshot_id"], money],
        ).fetchall()
    assert impact["page"]["authority_with"] == pytest.approx(page_points, abs=1e-6)
    assert impact["domain"]["authority_with"] == pytest.approx(domain_points, abs=1e-6)
    assert impact["domain"]["authority_with"] > impact["domain"]["authority_without"]

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
    assert page["realised"] == pytest.approx(page["predicted_in_plan_sum"], abs=PLAN_TOL)
    assert abs(page["predicted_sum"] - page["realised"]) > 1e-6
    assert impact["domain"]["realised"] == pytest.approx(
        impact["domain"]["predicted_joint"], abs=EXACT
    )
    each = {link["prospect_id"]: link for link in impact["links"]}
    first = prospects[0]
    assert each[first["id"]]["predicted_page_gain"] == first["predicted_page_gain"]

    # What the report's campaign section reads: the same numbers, plain values.
    summary = campaign_summary(project, "spring")
    assert summary["funnel"]["live"] == 2
    assert summary["page"] == page
    realised = {link["prospect_id"]: link["realised_page_gain"] for link in summary["links"]}
    assert realised == {k: v["realised_page_gain"] for k, v in each.items()}
    json.dumps(summary)


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

    as_json = tmp_path / "spring.json"
    written = run(project, "export", "spring", "-o", str(as_json), "--json")
    assert written.exit_code == 0, written.output
    exported_json = json.loads(as_json.read_text(encoding="utf-8"))
    assert exported_json["funnel"]["new"] == 1
    assert exported_json["prospects"][0]["suggested_anchor"] == '=HYPERLINK("http://evil.example")'
    unwritable = run(project, "export", "spring", "-o", str(tmp_path / "no" / "such.csv"))
    assert isinstance(unwritable.exception, UsageError)
    assert "cannot write" in str(unwritable.exception)


def editorial_pages(manifest: dict[str, Any], domain: str) -> list[str]:
    """Pages of *domain* served 200 that link with a followed link (so the graph holds them)."""
    linking = {link["source"] for link in manifest["links"] if not link["rel"]}
    return sorted(
        url
        for url, entry in manifest["urls"].items()
        if entry["expected"] == "200" and f"//{domain}/" in url and url in linking
    )


@pytest.mark.slow
@pytest.mark.loopback
def test_nofollow_robots_a_deleted_page_and_other_changes(
    project: Path, served: tuple[WithExtraLinks, str], manifest: dict[str, Any], tmp_path: Path
) -> None:
    web, resolve_to = served
    money = manifest["target"]["domain"]
    target = f"http://{manifest['target']['host']}/"
    nofollow_page, deleted_page, *_ = editorial_pages(manifest, "meadow-blog-4.example")
    other_page = editorial_pages(manifest, "vegetable-niche-5.example")[0]
    blocked_page = next(
        url
        for url, entry in manifest["urls"].items()
        if entry["expected"] == "disallowed" and money not in url
    )
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        "source_url,target_url,anchor,anchor_class\n"
        + "".join(
            f"{page},{target},SproutRoot,branded\n"
            for page in (nofollow_page, deleted_page, blocked_page)
        ),
        encoding="utf-8",
    )
    ok(project, "new", "spring", "--target", money)
    ok(project, "add", "spring", "--from-csv", str(prospects))
    ids = {row["source_url"]: row for row in ok(project, "status", "spring")["prospects"]}
    deleted = ids[deleted_page]
    assert deleted["predicted_page_gain"] > 0

    web.add(nofollow_page, ExtraLink(target, "SproutRoot", rel="nofollow"))
    web.add(deleted_page, ExtraLink(target, "click here"))
    try:
        found = verify(project, resolve_to)
        checks = {check["source_url"]: check for check in found["checks"]}

        nofollow = checks[nofollow_page]
        assert (nofollow["outcome"], nofollow["is_nofollow"]) == ("present_nofollow", True)
        assert checks[blocked_page]["outcome"] == "blocked_by_robots"
        anchor = checks[deleted_page]
        assert (anchor["anchor_class_now"], anchor["is_same_class"], anchor["is_exact_anchor"]) == (
            "generic",
            False,
            False,
        )
        statuses = {
            row["source_url"]: row["status"] for row in ok(project, "status", "spring")["prospects"]
        }
        assert statuses == {nofollow_page: "live", deleted_page: "live", blocked_page: "new"}

        # Something else changes in the graph: another site links to the target, and a
        # crawl of that page brings the link in. The campaign's part stays what was
        # predicted; the rest is "other".
        web.add(other_page, ExtraLink(target, "SproutRoot"))
        recrawled = CliRunner().invoke(
            main_app,
            ["crawl", other_page, "--db", str(project), "--max-depth", "0", "--allow-private",
             "--resolve-to", resolve_to, "--delay", "0", "--json"],
        )  # fmt: skip
        assert recrawled.exit_code == 0, recrawled.output
    finally:
        web.remove(nofollow_page)
        web.remove(other_page)

    impact = ok(project, "impact", "spring")
    page = impact["page"]
    assert impact["live_links"] == 1  # the nofollow link passes nothing
    assert any("no followed link" in note for note in impact["notes"])
    assert page["from_campaign"] == pytest.approx(deleted["predicted_page_gain"], rel=1e-3)
    assert page["other"] > 1e-4
    assert page["realised"] == pytest.approx(page["from_campaign"] + page["other"], abs=EXACT)

    # The page is deleted: lost, with the reason.
    web.gone.add(deleted_page)
    try:
        gone = verify(project, resolve_to)
    finally:
        web.gone.discard(deleted_page)
        web.remove(deleted_page)
    changes = {change["source_url"]: change for change in gone["changes"]}
    assert (changes[deleted_page]["new_status"], changes[deleted_page]["reason"]) == (
        "lost",
        "page_gone",
    )
    # The nofollow link is gone too (the overlay dropped it): a live prospect is lost.
    assert changes[nofollow_page]["reason"] == "link_removed"

    refused = run(project, "update", str(ids[blocked_page]["id"]), "--status", "live")
    assert isinstance(refused.exception, UsageError)
    assert "needs a note" in str(refused.exception)
    marked = ok(
        project, "update", str(ids[blocked_page]["id"]), "--status", "live",
        "--note", "seen by the editor behind the login",
    )  # fmt: skip
    assert marked["status"] == "live"
    assert marked["notes"].endswith("seen by the editor behind the login")


@pytest.mark.slow
def test_prospects_from_every_recommendation_list_and_the_tables(
    project: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    home = f"http://{manifest['target']['host']}/"
    ok(project, "new", "spring", "--target", money)

    internal = ok(project, "add", "spring", "--from", "internal", "--top", "2")
    broken = ok(project, "add", "spring", "--from", "broken", "--top", "3")
    reclaim = ok(project, "add", "spring", "--from", "reclaim", "--top", "3")

    assert internal["added"] > 0
    assert broken["added"] > 0
    assert reclaim["added"] > 0
    rows = ok(project, "status", "spring")["prospects"]
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_origin.setdefault(row["origin"], []).append(row)
    assert sorted(by_origin) == ["broken", "internal", "reclaim"]
    for row in by_origin["internal"]:
        # an editor's internal link: both pages on the tier-1 page's own site
        assert row["source_url"].split("/")[2] == row["target_url"].split("/")[2]
        assert row["predicted_domain_gain"] == 0.0
        assert row["predicted_page_gain"] > 0
    for row in by_origin["broken"]:
        assert row["target_url"] == home
        assert "in place of its dead link to" in row["notes"]
        assert row["suggested_anchor"] is None
    for row in by_origin["reclaim"]:
        assert row["target_url"].startswith(home)
        assert row["suggested_anchor"]
    assert all(row["predicted_snapshot_id"] == 1 for row in rows)

    table = run(project, "status", "spring")
    assert table.exit_code == 0, table.output
    assert f"{len(rows)} prospects: new {len(rows)} · contacted 0" in table.stdout
    assert "Risk watch" in table.stdout
    assert "not verified" in table.stdout
    impact = run(project, "impact", "spring")
    assert impact.exit_code == 0, impact.output
    assert "0 live links in snapshot" in impact.stdout
    missing = run(project, "status", "autumn")
    assert isinstance(missing.exception, UsageError)
    assert "no campaign called 'autumn'" in str(missing.exception)
    assert "(campaigns: spring)" in str(missing.exception)
    spaced = run(project, "status", "q3 outreach")
    assert isinstance(spaced.exception, UsageError)
    assert "linkequity campaign new 'q3 outreach' --target" in spaced.exception.hint


@pytest.mark.slow
@pytest.mark.loopback
def test_a_stopped_verification_resumes_then_checks(
    project: Path, served: tuple[WithExtraLinks, str], manifest: dict[str, Any]
) -> None:
    web, resolve_to = served
    first, _ = start(project, manifest["target"]["domain"], top=2)
    refused = run(project, "verify", "spring", "--resume")
    assert isinstance(refused.exception, UsageError)
    assert "no unfinished verification of campaign 'spring'" in str(refused.exception)

    class Stop(Exception):
        pass

    def stop(progress: object) -> None:
        raise Stop

    link_on_page(served, first)
    try:
        with pytest.raises(Stop):
            verify_campaign(
                project,
                "spring",
                tuning=CrawlSettings(delay_s=0.0),
                allow_private=True,
                resolve_to=resolve_to,
                on_progress=stop,
            )
        assert ok(project, "status", "spring")["funnel"]["live"] == 0
        resumed = ok(project, "verify", "spring", "--resume")
    finally:
        web.remove(first["source_url"])

    assert [(c["prospect_id"], c["new_status"]) for c in resumed["changes"]] == [
        (first["id"], "live")
    ]
    assert resumed["crawl"]["is_resumed"] is True
