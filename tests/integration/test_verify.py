"""`linkequity verify`: an Ahrefs export of the sample web's backlinks, checked live on loopback."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from linkequity.model.urls import registrable_domain
from linkequity.samples.web import Response, generate_web, serve_web
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl
from linkequity.settings import CrawlSettings
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.conftest import CliResult

    from linkequity.samples.web import SampleWeb


AHREFS_HEADER = ("Referring page URL", "Target URL", "Anchor", "Nofollow", "UGC", "Sponsored")
CHANGED_ANCHOR = "an anchor the page no longer has"
Key = tuple[str, str, str]


class ServedWeb:
    """The sample web plus a few URLs it does not serve: a redirect off-site and a 403."""

    def __init__(self, web: SampleWeb, extra: dict[str, Response]) -> None:
        self.web = web
        self.extra = extra

    def respond(self, url: str) -> Response:
        return self.extra.get(url) or self.web.respond(url)


class Scenario:
    """An export built from the manifest, and the outcome each of its links must get."""

    def __init__(self, web: SampleWeb) -> None:
        manifest = web.manifest()
        self.money = manifest["target"]["domain"]
        domains = manifest["domains"]
        urls = manifest["urls"]
        editorial = sorted(d for d, info in domains.items() if info["role"] == "editorial")
        competitor = next(d for d, info in domains.items() if info["role"] == "competitor")
        host = domains[editorial[0]]["host"]
        self.away = f"http://{host}/go/partner/"
        self.away_to = f"http://{domains[competitor]['host']}/"
        self.forbidden = f"http://{host}/members/"
        self.extra = {
            self.away: Response(301, "Moved Permanently", (("Location", self.away_to),), b""),
            self.forbidden: Response(403, "Forbidden", (("Content-Type", "text/html"),), b"no"),
        }
        self.rows: list[tuple[str, str, str, bool]] = []  # source, target, anchor, sponsored
        self.expected: dict[Key, str] = {}

        backlinks = [
            link
            for link in manifest["links"]
            if self.domain(link["target"]) == self.money
            and self.domain(link["source"]) != self.money
        ]
        sponsored = [link for link in backlinks if link["rel"] == ["sponsored"]]
        assert len(sponsored) >= 2, "the sample web should have two sponsored backlinks"
        for link in backlinks:
            source, target, anchor = link["source"], link["target"], link["anchor"]
            expected = {"noindex": "page_noindex", "disallowed": "blocked_by_robots"}.get(
                urls[source]["expected"], "present"
            )
            if link is sponsored[0]:
                self._add(source, target, anchor, "now_nofollow", sponsored=False)
            elif link["rel"]:
                self._add(source, target, anchor, "present_nofollow", sponsored=True)
            else:
                self._add(source, target, anchor, expected)
        self.changed = next(key for key, outcome in self.expected.items() if outcome == "present")
        self.rows = [row for row in self.rows if row[:3] != self.changed]
        del self.expected[self.changed]
        self._add(self.changed[0], self.changed[1], CHANGED_ANCHOR, "present")

        money_base = f"http://{manifest['target']['host']}/"
        linking = {link["source"] for link in backlinks}
        self.removed = min(
            source
            for source in {link["source"] for link in manifest["links"]}
            if self.domain(source) == editorial[-1]
            and source not in linking
            and urls[source]["expected"] == "200"
        )
        self._add(self.removed, money_base, "SeedBloom", "link_removed")
        self.gone = min(
            url
            for url, info in urls.items()
            if info["expected"] == "404" and self.domain(url) != self.money
        )
        self._add(self.gone, money_base, "SeedBloom", "page_gone")
        self._add(self.away, money_base, "SeedBloom", "redirected_away")
        self._add(self.forbidden, money_base, "SeedBloom", "http_error")
        self.moved, info = min(
            (url, info)
            for url, info in urls.items()
            if info["expected"] == "301" and self.domain(url) != self.money
        )
        self.moved_to = info["location"]
        kept = next(
            link
            for link in manifest["links"]
            if link["source"] == self.moved_to and not link["rel"]
        )
        self.moved_key = (self.moved, kept["target"], kept["anchor"])
        self._add(*self.moved_key, "present")

    def _add(
        self, source: str, target: str, anchor: str, outcome: str, *, sponsored: bool = False
    ) -> None:
        if (source, target, anchor) not in self.expected:
            self.rows.append((source, target, anchor, sponsored))
        self.expected[(source, target, anchor)] = outcome

    @staticmethod
    def domain(url: str) -> str:
        return registrable_domain(urlsplit(url).hostname or "") or ""

    def write_export(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(AHREFS_HEADER)
            for source, target, anchor, sponsored in self.rows:
                writer.writerow((source, target, anchor, "false", "false", str(sponsored).lower()))
        return path


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(3, sites=14, pages=300)


@pytest.fixture(scope="module")
def scenario(web: SampleWeb) -> Scenario:
    return Scenario(web)


@pytest.fixture(scope="module")
def resolve_to(web: SampleWeb, scenario: Scenario) -> Iterator[str]:
    with serve_web(ServedWeb(web, scenario.extra), workers=64) as base:  # type: ignore[arg-type]
        yield base.removeprefix("http://")


@pytest.fixture
def project(tmp_path: Path, scenario: Scenario, cli: Callable[..., CliResult]) -> Path:
    db = tmp_path / "project.duckdb"
    export = scenario.write_export(tmp_path / "ahrefs-backlinks.csv")
    imported = cli("import", str(export), "--db", str(db), "--json")
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(imported.stdout)["files"][0]["format_name"] == "ahrefs_backlinks"
    return db


def verify(cli: Callable[..., CliResult], db: Path, resolve_to: str, *args: str) -> CliResult:
    return cli(
        "verify", "--db", str(db), "--allow-private", "--resolve-to", resolve_to,
        "--delay", "0", *args,
    )  # fmt: skip


def by_key(checks: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {(check["source_url"], check["target_url"], check["anchor"]): check for check in checks}


def stored_losses(db: Path) -> dict[Key, str | None]:
    with Store.open(db, read_only=True) as store:
        rows = store._conn.execute(
            """SELECT s.url, t.url, l.anchor, l.lost_reason, l.lost_at IS NOT NULL
            FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
            WHERE l.id IN (SELECT link_id FROM link_checks)"""
        ).fetchall()
    assert all((reason is not None) == has_date for *_, reason, has_date in rows)
    return {(source, target, anchor): reason for source, target, anchor, reason, _ in rows}


@pytest.mark.loopback
@pytest.mark.slow
def test_every_imported_backlink_gets_its_outcome(
    project: Path, scenario: Scenario, resolve_to: str, cli: Callable[..., CliResult]
) -> None:
    result = verify(cli, project, resolve_to, "--json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    checks = by_key(report["checks"])
    assert {key: check["outcome"] for key, check in checks.items()} == scenario.expected
    assert report["checked"] == len(scenario.expected)
    assert sum(report["by_outcome"].values()) == len(scenario.expected)
    assert report["crawl"]["urls_by_state"]["queued"] == 0

    changed = checks[(*scenario.changed[:2], CHANGED_ANCHOR)]
    assert (changed["anchor_now"], changed["is_anchor_changed"]) == (scenario.changed[2], True)
    moved = checks[scenario.moved_key]
    assert (moved["final_url"], moved["redirects"], moved["status"]) == (scenario.moved_to, 1, 200)
    away = next(check for key, check in checks.items() if key[0] == scenario.away)
    assert away["detail"] == f"redirects to {scenario.away_to}"
    forbidden = next(check for key, check in checks.items() if key[0] == scenario.forbidden)
    assert (forbidden["status"], forbidden["detail"]) == (403, "HTTP 403")
    gone = next(check for key, check in checks.items() if key[0] == scenario.gone)
    assert (gone["status"], gone["is_present"]) == (404, False)
    blocked = [check for check in checks.values() if check["outcome"] == "blocked_by_robots"]
    assert blocked
    assert all(check["detail"].startswith("robots.txt") for check in blocked)
    now_nofollow = next(c for c in checks.values() if c["outcome"] == "now_nofollow")
    assert (now_nofollow["rel_now"], now_nofollow["was_followed"]) == (["sponsored"], True)
    present = [check for check in checks.values() if check["outcome"] == "present"]
    assert all(check["placement"] and check["is_indexable"] for check in present)

    lost = {"present", "present_nofollow"}
    assert stored_losses(project) == {
        key: None if outcome in lost else outcome for key, outcome in scenario.expected.items()
    }


@pytest.mark.loopback
@pytest.mark.slow
def test_the_table_counts_outcomes_and_names_the_lost_links(
    project: Path, scenario: Scenario, resolve_to: str, cli: Callable[..., CliResult]
) -> None:
    result = verify(cli, project, resolve_to, "--target", f"https://www.{scenario.money}/")

    assert result.exit_code == 0, result.stderr
    to_money = [key for key in scenario.expected if scenario.domain(key[1]) == scenario.money]
    assert f"Verified {len(to_money):,} imported backlinks to {scenario.money}" in result.stdout
    assert "Backlinks by outcome" in result.stdout
    assert "Lost backlinks" in result.stdout
    for outcome in ("link_removed", "page_gone", "redirected_away", "blocked_by_robots"):
        assert outcome in result.stdout
    assert scenario.gone in result.stdout


@pytest.mark.loopback
@pytest.mark.slow
def test_a_verification_that_finds_nothing_lost_says_so(
    project: Path, scenario: Scenario, resolve_to: str, cli: Callable[..., CliResult]
) -> None:
    target = scenario.moved_key[1]
    assert scenario.domain(target) != scenario.money

    result = verify(cli, project, resolve_to, "--target", target)

    assert result.exit_code == 0, result.stderr
    assert "Verified 1 imported backlink to" in result.stdout
    assert "No backlink was found lost." in result.stdout


@pytest.mark.loopback
@pytest.mark.slow
def test_a_target_with_no_imported_backlinks_is_refused(
    project: Path, resolve_to: str, cli: Callable[..., CliResult]
) -> None:
    result = verify(cli, project, resolve_to, "--target", "nobody-links-here.example")

    assert result.exit_code == 2
    assert "no imported backlinks to nobody-links-here.example" in result.stderr
    assert "linkequity import" in result.stderr


@pytest.mark.loopback
@pytest.mark.slow
def test_a_stopped_verification_resumes_and_then_checks_the_links(
    project: Path,
    scenario: Scenario,
    resolve_to: str,
    cli: Callable[..., CliResult],
) -> None:
    class Stop(Exception):
        pass

    def stop(progress: object) -> None:
        raise Stop

    with Store.open(project) as store:
        seeds = tuple(store.verification_seeds())
    plan = CrawlPlan(seeds, mode=CrawlMode.VERIFY, allow_private=True, resolve_to=resolve_to)
    with pytest.raises(Stop):
        crawl(plan, db=project, tuning=CrawlSettings(delay_s=0.0), on_progress=stop)

    result = cli("verify", "--db", str(project), "--resume", "--json")

    assert result.exit_code == 0, result.stderr
    checks = by_key(json.loads(result.stdout)["checks"])
    assert {key: check["outcome"] for key, check in checks.items()} == scenario.expected
    again = cli("verify", "--db", str(project), "--resume")
    assert again.exit_code == 2
    assert "no unfinished verification" in again.stderr


@pytest.mark.loopback
@pytest.mark.slow
def test_an_unfinished_crawl_of_another_mode_is_not_resumed_as_a_verification(
    project: Path, resolve_to: str, cli: Callable[..., CliResult]
) -> None:
    with Store.open(project) as store:
        store.begin_snapshot(
            kind="crawl",
            settings={
                "plan": CrawlPlan(("http://a.example/",), resolve_to=resolve_to).as_dict(),
                "tuning": asdict(CrawlSettings()),
            },
        )

    result = cli("verify", "--db", str(project), "--resume")

    assert result.exit_code == 2
    assert "is a site crawl, not a verification" in result.stderr
    assert "linkequity crawl --resume" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "holds no imported backlinks to verify"),
        (("--target", "http://"), "--target 'http://'"),
        (("--resume",), "holds no unfinished verification to resume"),
    ],
)
def test_what_cannot_be_verified_is_refused_before_any_fetch(
    tmp_path: Path, cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = cli("verify", "--db", str(tmp_path / "empty.duckdb"), *args)

    assert result.exit_code == 2
    assert message in result.stderr
