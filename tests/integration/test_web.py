"""The dashboard, served for real on 127.0.0.1, on the sample web and on imported exports.

Each page is fetched over HTTP from a uvicorn server in a thread. The links
table is checked against the profile read straight from DuckDB and filtered,
sorted and paged in Python; the downloads against the CLI's audit, the disavow
linter and the CSV neutraliser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from tests.integration.web_server import client, served

from linkequity.analysis.anchors import AnchorRules, classify_anchor
from linkequity.report.disavow import lint_disavow
from linkequity.services import browse
from linkequity.services.disavow import proposed_entries
from linkequity.services.plan import plan_target
from linkequity.services.toxicity import score_toxicity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import httpx

pytestmark = pytest.mark.loopback

_LINK_ID = re.compile(r'data-link="(\d+)"')
_COUNT = re.compile(r'<p id="count"><b>([\d,]+)</b>')
_SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture(scope="module")
def web(web_db: Path) -> Iterator[httpx.Client]:
    with served(web_db) as base, client(base) as http:
        yield http


def money(manifest: dict[str, Any]) -> str:
    return str(manifest["target"]["domain"])


def shown_ids(page: httpx.Response) -> list[int]:
    return [int(found) for found in _LINK_ID.findall(page.text)]


def shown_count(page: httpx.Response) -> int:
    match = _COUNT.search(page.text)
    assert match is not None, page.text[:2000]
    return int(match.group(1).replace(",", ""))


def assert_secure(response: httpx.Response) -> None:
    for name, value in _SECURITY_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    if response.headers["content-type"].startswith("text/html"):
        scripts = re.findall(r"<script([^>]*)>", response.text)
        assert scripts, "the page has its inline script"
        assert all(f'nonce="{nonce.group(1)}"' in attributes for attributes in scripts)


def profile(db: Path, target: str) -> list[dict[str, Any]]:
    """The target's live links from other domains, straight from DuckDB."""
    with duckdb.connect(str(db), read_only=True) as conn:
        snapshot = conn.execute("SELECT max(id) FROM snapshots").fetchone()
        assert snapshot is not None
        cursor = conn.execute(
            """SELECT l.id, s.url, s.domain, t.url, l.anchor, l.alt, l.is_image,
                l.is_nofollow, l.is_sponsored, l.is_ugc, coalesce(l.placement, 'unknown'),
                l.first_seen
            FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
            WHERE t.domain = ? AND s.domain <> ? AND l.lost_at IS NULL
                AND l.first_snapshot_id <= ?""",
            [target, target, snapshot[0]],
        )
        names = ["id", "source", "domain", "target", "anchor", "alt", "is_image"]
        names += ["nofollow", "sponsored", "ugc", "placement", "first_seen"]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def is_followed(row: dict[str, Any]) -> bool:
    return not (row["nofollow"] or row["sponsored"] or row["ugc"])


def test_every_page_loads_on_the_sample_web(
    web: httpx.Client, web_db: Path, manifest: dict[str, Any]
) -> None:
    target = money(manifest)
    home = web.get("/")
    assert home.status_code == 200
    assert_secure(home)
    assert f'href="/t/{target}/"' in home.text
    assert web.get("/go", params={"target": f" {target.upper()} "}).headers["location"] == (
        f"/t/{target}/"
    )
    overview = web.get(f"/t/{target}/")
    assert overview.status_code == 200, overview.text[:2000]
    assert_secure(overview)
    parts = {}
    for part in ("overview", "profile", "tier-graph", "plan", "tier1"):
        assert f'data-part="/t/{target}/part/{part}"' in overview.text
        parts[part] = web.get(f"/t/{target}/part/{part}")
        assert parts[part].status_code == 200
        assert f'id="{part}"' in parts[part].text
    assert sum(answer.text.count("<svg") for answer in parts.values()) >= 3
    audit = json.loads(web.get(f"/t/{target}/audit.json").text)
    for metric in ("links", "referring_domains"):
        card = f'data-metric="audit.totals.{metric}" data-value="{audit["totals"][metric]}"'
        assert card in overview.text
        assert card in parts["overview"].text
    links = web.get(f"/t/{target}/links")
    assert links.status_code == 200
    assert shown_count(links) == len(profile(web_db, target))
    worst = web.get(f"/t/{target}/part/domains").text
    domain = re.search(rf'href="/t/{re.escape(target)}/domain/([^"]+)"', worst)
    assert domain is not None
    page = web.get(f"/t/{target}/domain/{domain.group(1)}")
    assert page.status_code == 200
    assert "Why this score" in page.text or "did not score" in page.text
    tier1 = re.search(rf'href="/t/{re.escape(target)}/page\?url=([^"]+)"', parts["tier1"].text)
    assert tier1 is not None
    page = web.get(f"/t/{target}/page?url={tier1.group(1)}")
    assert page.status_code == 200
    assert 'id="gain"' in page.text
    assert "Inbound links" in page.text
    unknown = web.get("/t/nowhere.example/")
    assert unknown.status_code == 404
    assert "nowhere.example" in unknown.text
    assert_secure(unknown)


def test_every_page_loads_on_imported_exports(imported_db: Path) -> None:
    with served(imported_db) as base, client(base) as http:
        home = http.get("/")
        assert home.status_code == 200
        target = re.search(r'href="/t/([^"/]+)/"', home.text)
        assert target is not None
        name = target.group(1)
        overview = http.get(f"/t/{name}/")
        assert overview.status_code == 200, overview.text[:2000]
        links = http.get(f"/t/{name}/links", params={"size": 10, "page": 2})
        assert links.status_code == 200
        assert shown_count(links) == len(profile(imported_db, name))
        first = shown_ids(http.get(f"/t/{name}/links", params={"size": 10}))
        assert first
        assert not set(first) & set(shown_ids(links))
        domain = re.search(rf'href="/t/{re.escape(name)}/domain/([^"]+)"', links.text)
        assert domain is not None
        assert http.get(f"/t/{name}/domain/{domain.group(1)}").status_code == 200
        source = re.search(r'<td class="url"><a href="([^"]+)" rel="noopener', links.text)
        assert source is not None
        page = http.get(f"/t/{name}/page", params={"url": source.group(1).replace("&amp;", "&")})
        assert page.status_code == 200
        for download in ("links.csv", "audit.json", "disavow.txt"):
            assert http.get(f"/t/{name}/{download}").status_code == 200


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"rel": "followed"}, is_followed),
        ({"rel": "sponsored"}, lambda row: bool(row["sponsored"])),
        ({"placement": "footer"}, lambda row: row["placement"] == "footer"),
        (
            {"q": "TOMATO"},
            lambda row: (
                "tomato"
                in " ".join(
                    str(row[k] or "").lower() for k in ("anchor", "alt", "source", "target")
                )
            ),
        ),
    ],
)
def test_filters_and_paging_match_a_direct_query(
    web: httpx.Client,
    web_db: Path,
    manifest: dict[str, Any],
    params: dict[str, str],
    keep: Callable[[dict[str, Any]], bool],
) -> None:
    target = money(manifest)
    rows = [row for row in profile(web_db, target) if keep(row)]
    assert rows, "the filter keeps some links of the sample web"
    by_domain = sorted(rows, key=lambda row: row["id"])
    by_domain.sort(key=lambda row: (row["domain"], row["source"]), reverse=True)
    page = web.get(
        f"/t/{target}/links",
        params={**params, "sort": "domain", "desc": "1", "size": 10, "page": 2},
    )
    assert shown_count(page) == len(rows)
    assert shown_ids(page) == [row["id"] for row in _stable_desc(rows)][10:20]
    dated = sorted(
        rows, key=lambda row: (row["first_seen"] or datetime.max, row["domain"], row["id"])
    )
    first = web.get(f"/t/{target}/links", params={**params, "sort": "first_seen", "size": 10})
    assert shown_ids(first) == [row["id"] for row in dated[:10]]


def _stable_desc(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Domain then source URL descending, link id ascending: the dashboard's order."""
    ordered = sorted(rows, key=lambda row: row["id"])
    return sorted(ordered, key=lambda row: (row["domain"], row["source"]), reverse=True)


def test_toxic_and_anchor_class_filters_match_the_audit(
    web: httpx.Client, web_db: Path, manifest: dict[str, Any]
) -> None:
    target = money(manifest)
    rows = profile(web_db, target)
    toxic = set(score_toxicity(web_db, [target]).toxic_domains)
    assert toxic, "the sample web has spam domains linking to the money site"
    expected = [row["id"] for row in rows if row["domain"] in toxic]
    page = web.get(f"/t/{target}/links", params={"toxic": "yes", "size": 100})
    assert shown_count(page) == len(expected)
    assert len(shown_ids(page)) == min(100, len(expected))
    assert set(shown_ids(page)) <= set(expected)
    audit = json.loads(web.get(f"/t/{target}/audit.json").text)
    rules = AnchorRules.for_target(
        [target], brands=audit["anchors"]["brands"], keywords=audit["anchors"]["keywords"]
    )
    classes = {
        row["id"]: str(
            classify_anchor(row["anchor"], rules, is_image=bool(row["is_image"])).anchor_class
        )
        for row in rows
    }
    for name in ("branded", "generic"):
        wanted = sorted(link for link, found in classes.items() if found == name)
        page = web.get(f"/t/{target}/links", params={"class": name, "size": 100, "sort": "source"})
        assert shown_count(page) == len(wanted)
        assert len(shown_ids(page)) == min(100, len(wanted))
        assert set(shown_ids(page)) <= set(wanted)
    bad = web.get(f"/t/{target}/links", params={"rel": "bogus"})
    assert bad.status_code == 400
    assert "bogus" in bad.text


def test_downloads_are_the_audit_the_disavow_and_the_filtered_links(
    web: httpx.Client,
    web_db: Path,
    manifest: dict[str, Any],
    cli: Callable[..., Any],
) -> None:
    target = money(manifest)
    served_json = json.loads(web.get(f"/t/{target}/audit.json").text)
    printed = cli("audit", target, "--db", web_db, "--json")
    assert printed.exit_code == 0, printed.stderr
    expected = json.loads(printed.stdout)
    for report in (served_json, expected):
        report["lost"].pop("since")  # "now" minus 90 days, to the microsecond
    assert served_json == expected
    disavow = web.get(f"/t/{target}/disavow.txt")
    assert "attachment" in disavow.headers["content-disposition"]
    lint = lint_disavow(disavow.content, "disavow.txt")
    assert not [problem for problem in lint.problems if problem.severity == "error"]
    assert {entry.value for entry in lint.entries} == {
        entry.value for entry in proposed_entries(web_db, [target])
    }
    assert lint.entries
    rows = [row for row in profile(web_db, target) if is_followed(row)]
    download = web.get(f"/t/{target}/links.csv", params={"rel": "followed", "page": "3"})
    assert download.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert len(table) == len(rows)
    assert {(row["source"], row["target"]) for row in table} == {
        (row["source"], row["target"]) for row in rows
    }
    assert {row["rel"] for row in table} == {"followed"}


def test_a_tier1_page_gain_is_the_plans_exact_value(web_db: Path, manifest: dict[str, Any]) -> None:
    target = money(manifest)
    view = browse.load_target(web_db, [target])
    plan = plan_target(web_db, [target], budget=3)
    assert plan.candidates
    for candidate in plan.candidates[:5]:
        found = browse.page_gain(web_db, view, candidate["url"], plan)
        assert found["status"] == "candidate"
        assert found["gain"] == pytest.approx(candidate["page_gain"], rel=1e-9)
    chosen = {row["target"] for row in plan.links}
    for url in chosen:
        options = browse.page_gain(web_db, view, url, plan)["options"]
        assert options
        assert options == sorted(options, key=lambda row: -row["page_gain"])
    for rejected in plan.rejected[:3]:
        found = browse.page_gain(web_db, view, rejected["url"], plan)
        assert found["status"] == "rejected"
        assert found["reasons"] == rejected["reasons"]
        assert found["gain"] is not None
        assert found["gain"] >= 0
