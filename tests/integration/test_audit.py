"""`linkequity audit` on the sample web, checked against its manifest, and on imported exports."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.conftest import domain_of

from linkequity.errors import UsageError
from linkequity.services.audit import AuditReport, audit_target

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult


def roles(manifest: dict[str, Any], role: str) -> list[str]:
    return [name for name, site in manifest["domains"].items() if site["role"] == role]


@pytest.fixture(scope="module")
def audit(web_db: Path, manifest: dict[str, Any]) -> AuditReport:
    return audit_target(
        web_db,
        [manifest["target"]["domain"]],
        brands=[manifest["target"]["brand"]],
        keywords=manifest["target"]["keywords"],
        competitors=roles(manifest, "competitor"),
    )


def profile_links(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's links into the money site from other sites, on pages a crawl fetches."""
    money = manifest["target"]["domain"]
    statuses = manifest["urls"]
    return [
        link
        for link in manifest["links"]
        if domain_of(link["target"]) == money
        and domain_of(link["source"]) != money
        and statuses[link["source"]]["expected"] != "disallowed"
    ]


def distinct(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One link per (source, target, anchor), as the store keeps them."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for link in links:
        seen.setdefault((link["source"], link["target"], link["anchor"].casefold()), link)
    return list(seen.values())


@pytest.mark.slow
class TestAuditOfTheSampleWeb:
    def test_totals_match_the_manifest(self, audit: AuditReport, manifest: dict[str, Any]) -> None:
        links = distinct(profile_links(manifest))
        assert audit.totals["links"] == len(links)
        assert audit.totals["referring_pages"] == len({link["source"] for link in links})
        assert audit.totals["referring_domains"] == len(
            {domain_of(link["source"]) for link in links}
        )
        assert audit.totals["linked_pages"] == len({link["target"] for link in links})

    def test_rel_and_placement_mixes_match_the_manifest(
        self, audit: AuditReport, manifest: dict[str, Any]
    ) -> None:
        links = distinct(profile_links(manifest))
        rels = {row["rel"]: row["links"] for row in audit.rel_mix}
        for rel in ("nofollow", "sponsored", "ugc"):
            assert rels[rel] == sum(rel in link["rel"] for link in links), rel
        unfollowed = {"nofollow", "sponsored", "ugc"}
        assert rels["followed"] == sum(not unfollowed & set(link["rel"]) for link in links)
        placements = {row["placement"]: row["links"] for row in audit.placement_mix}
        assert placements == dict(Counter(link["placement"] for link in links))

    def test_anchors_are_classed_with_the_given_brand_and_keywords(
        self, audit: AuditReport, manifest: dict[str, Any]
    ) -> None:
        classes = {row["class"]: row["links"] for row in audit.anchors["classes"]}
        assert sum(classes.values()) == audit.totals["links"]
        brand = manifest["target"]["brand"].casefold()
        keywords = {k.casefold() for k in manifest["target"]["keywords"]}
        links = distinct(profile_links(manifest))
        assert classes["exact"] >= sum(link["anchor"].casefold() in keywords for link in links)
        assert classes["branded"] >= sum(link["anchor"].casefold() == brand for link in links)
        assert audit.anchors["keywords"] == manifest["target"]["keywords"]

    def test_toxic_domains_are_the_spam_and_network_ones(
        self, audit: AuditReport, manifest: dict[str, Any]
    ) -> None:
        toxic = [row["domain"] for row in audit.toxicity["domains"] if row["is_toxic"]]
        assert toxic
        spam = {name for name, site in manifest["domains"].items() if site["is_spam"]}
        assert set(toxic) <= spam

    def test_opportunities_and_lost_links_are_summed_up(self, audit: AuditReport) -> None:
        assert audit.opportunities["found"]["reclaim"] >= 1
        assert audit.lost["count"] == 0  # one crawl: nothing was lost
        assert audit.authority["ranked_snapshot_id"] is None
        assert any("never ranked" in note for note in audit.notes)


def test_an_imported_project_is_audited_and_says_what_it_cannot_tell(imported_db: Path) -> None:
    report = audit_target(
        imported_db, ["example-garden.com"], now=datetime(2026, 3, 1), lost_days=365
    )
    assert report.totals["links"] > 0
    assert report.placement_mix == [
        {
            "placement": "unknown",
            "links": report.totals["links"],
            "referring_domains": report.totals["referring_domains"],
        }
    ]
    assert any("placement: unknown" in note for note in report.notes)
    assert report.lost["count"] > 0
    json.dumps(report.as_dict(), default=str)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"lost_days": 0}, "--lost-days"), ({"top": 0}, "--top")],
)
def test_bad_arguments_are_usage_errors(
    imported_db: Path, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        audit_target(imported_db, ["example-garden.com"], **arguments)


@pytest.mark.slow
def test_cli_audits_as_tables_and_json(
    web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    money = manifest["target"]["domain"]
    rivals = tmp_path / "rivals.txt"
    rivals.write_text("\n".join(roles(manifest, "competitor")) + "\n")
    result = cli("audit", money, "--db", web_db, "--competitors", rivals, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["referring_domains"] > 0
    shown = cli("audit", money, "--db", web_db, "--top", "3")
    assert shown.exit_code == 0, shown.stderr
    for title in ("Links by rel", "Anchor classes", "Most linked pages", "Worst referring domains"):
        assert title in shown.stdout
    missing = cli("audit", "nowhere.example", "--db", web_db)
    assert missing.exit_code != 0
    assert "nowhere.example" in missing.stderr


def test_cli_lists_lost_links_with_their_pages(
    imported_db: Path, cli: Callable[..., CliResult]
) -> None:
    args = ("audit", "example-garden.com", "--db", imported_db, "--lost-days", "1000")
    data = json.loads(cli(*args, "--json").stdout)
    assert data["lost"]["links"]
    shown = cli(*args, "--top", "3")
    assert shown.exit_code == 0, shown.stderr
    assert "Lost links" in shown.stdout
    first = data["lost"]["links"][0]
    assert first["source_url"][:40] in shown.stdout.replace("\n", "")
