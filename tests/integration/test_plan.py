"""`linkequity plan` on the sample web, checked against its manifest and against networkx.

The store is the sample web as a polite crawler fetches it (its WARC, robots.txt
obeyed, ingested), as in test_tiers. The trust seeds are the editorial blogs and
the money site; the competitors are the manifest's.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
from tests.integration.conftest import domain_of

from linkequity.analysis.anchors import AnchorRules, classify_anchor, mix_sequence
from linkequity.errors import InvalidUrl, UsageError
from linkequity.model.links import AnchorClass
from linkequity.services.plan import NEW_PAGE, PlanReport, plan_target, write_plan_csv
from linkequity.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import CliResult

#: networkx stops when the summed change is below n * tol.
NX_TOL = 1e-13


def roles(manifest: dict[str, Any], role: str) -> list[str]:
    return [name for name, site in manifest["domains"].items() if site["role"] == role]


@pytest.fixture(scope="module")
def plan(web_db: Path, manifest: dict[str, Any]) -> PlanReport:
    money = manifest["target"]["domain"]
    return plan_target(
        web_db,
        [money],
        budget=6,
        competitors=roles(manifest, "competitor"),
        trust_seeds=[*roles(manifest, "editorial"), money],
    )


def recommended(report: PlanReport) -> set[str]:
    urls = {row["url"] for row in report.candidates}
    urls |= {row["target"] for row in report.links} | {row["source"] for row in report.links}
    urls |= {row["source"] for row in report.options}
    urls |= {row["source"] for row in report.internal_asks}
    return urls - {NEW_PAGE}


@pytest.mark.slow
class TestPlanOfTheSampleWeb:
    def test_never_a_spam_network_noindex_or_blocked_page(
        self, plan: PlanReport, manifest: dict[str, Any]
    ) -> None:
        assert len(plan.links) == 6
        assert plan.candidates
        shown = recommended(plan)
        blocked = {
            url
            for url, entry in manifest["urls"].items()
            if entry["expected"] in ("noindex", "disallowed")
        }
        for url in shown:
            site = manifest["domains"][domain_of(url)]
            assert not site["is_spam"], url
            assert not site["is_network_member"], url
            assert site["role"] not in ("competitor", "target"), url
            assert url not in blocked, url
        # every tier-1 page is either a candidate or rejected with a reason
        tier1 = {row["url"] for row in plan.candidates} | {row["url"] for row in plan.rejected}
        assert all(row["reasons"] for row in plan.rejected)
        assert tier1 <= set(manifest["tier1"])
        spam_tier1 = {url for url in tier1 if manifest["domains"][domain_of(url)]["is_spam"]}
        assert spam_tier1  # the sample web's spam does link to the money site

    def test_adding_the_planned_links_raises_the_target_by_the_predicted_amount(
        self, plan: PlanReport, web_db: Path, manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        with Store.open(web_db, read_only=True) as store:
            snapshot = store.latest_snapshot_id()
            assert snapshot is not None
            links, nodes = store.link_graph(snapshot)
            planned = [(row["source"], row["target"]) for row in plan.links]
            ids = store.url_ids(sorted({url for pair in planned for url in pair}))
            targets = store.target_pages([money], [])
        id_of = dict(
            zip(ids.column("url").to_pylist(), ids.column("url_id").to_pylist(), strict=True)
        )
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes.column("url_id").to_pylist())
        graph.add_edges_from(
            zip(
                links.column("source_url_id").to_pylist(),
                links.column("target_url_id").to_pylist(),
                strict=True,
            )
        )
        graph.remove_edges_from(nx.selfloop_edges(graph))
        on_target = set(targets.column("url_id").to_pylist()) & set(graph.nodes)

        def target_rank(g: nx.DiGraph) -> float:
            scores = nx.pagerank(g, alpha=0.85, tol=NX_TOL, max_iter=10_000)
            return float(sum(scores[node] for node in on_target))

        before = target_rank(graph)
        assert plan.target_rank == pytest.approx(before, rel=1e-6)
        for source, target in planned:
            assert not graph.has_edge(id_of[source], id_of[target])
            graph.add_edge(id_of[source], id_of[target])
        after = target_rank(graph)
        assert plan.total_gain > 0
        assert plan.total_gain == pytest.approx(after - before, rel=1e-6)

    def test_footer_and_sponsored_links_are_rejected_with_that_reason(
        self, plan: PlanReport, manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        fetched = {u for u, e in manifest["urls"].items() if e["expected"] == "200"}
        by_page: dict[str, list[dict[str, Any]]] = {}
        for link in manifest["links"]:
            if domain_of(link["target"]) == money and domain_of(link["source"]) != money:
                by_page.setdefault(link["source"], []).append(link)
        footer = {
            page
            for page, links in by_page.items()
            if page in fetched and all(link["placement"] == "footer" for link in links)
        }
        sponsored = {
            page
            for page, links in by_page.items()
            if page in fetched
            and all(link["rel"] for link in links)
            and all(link["placement"] == "content" for link in links)
        }
        assert footer
        assert sponsored
        reasons = {row["url"]: row["reasons"] for row in plan.rejected}
        for page in footer:
            assert "link not in main content" in reasons[page]
        for page in sponsored:
            assert "link not followed" in reasons[page]

    def test_gains_are_explained_and_capped(self, plan: PlanReport) -> None:
        per_page: dict[str, list[int]] = {}
        for row in plan.links:
            per_page.setdefault(row["target"], []).append(row["nth"])
            assert row["page_share"] == pytest.approx(row["page_gain"] / plan.target_rank)
            assert "raises the target's by" in row["why"]
        assert all(nths == list(range(1, len(nths) + 1)) for nths in per_page.values())
        assert max(len(nths) for nths in per_page.values()) <= 2
        gains = [row["page_gain"] for row in plan.candidates]
        assert gains == sorted(gains, reverse=True)
        assert any("spam mass" in note for note in plan.notes)

    def test_internal_asks_come_from_the_chosen_pages_own_site(
        self, plan: PlanReport, manifest: dict[str, Any]
    ) -> None:
        assert plan.internal_asks
        chosen = {row["target"] for row in plan.links}
        existing = {(link["source"], link["target"]) for link in manifest["links"]}
        blocked = {
            u for u, e in manifest["urls"].items() if e["expected"] in ("noindex", "disallowed")
        }
        for ask in plan.internal_asks:
            assert ask["target"] in chosen
            assert domain_of(ask["source"]) == domain_of(ask["target"])
            assert ask["source"] != ask["target"]
            assert (ask["source"], ask["target"]) not in existing
            assert ask["source"] not in blocked
            assert ask["page_gain"] > 0

    def test_relevance_comes_from_the_stored_texts(
        self, web_db: Path, manifest: dict[str, Any], plan: PlanReport
    ) -> None:
        tier1 = len(plan.candidates) + len(plan.rejected)
        assert f"for {tier1} of {tier1} (the others" in " ".join(plan.notes)
        money = manifest["target"]["domain"]
        picky = plan_target(web_db, [money], budget=1, min_relevance=0.999)
        assert picky.candidates == []
        assert all("not relevant" in row["reasons"] for row in picky.rejected)
        # Sources are held to the same floor: none of the store's pages passes it.
        assert any("are off topic (relevance under 0.999" in note for note in picky.notes)

    def test_new_pages_gain_in_proportion_to_their_authority(
        self, web_db: Path, manifest: dict[str, Any]
    ) -> None:
        money = manifest["target"]["domain"]
        small = plan_target(web_db, [money], budget=3, new_source_authority=0.001)
        large = plan_target(web_db, [money], budget=3, new_source_authority=0.002)
        assert small.uses_new_pages
        assert all(row["source"] == NEW_PAGE for row in small.links)
        assert [row["target"] for row in small.links] == [row["target"] for row in large.links]
        ratios = [
            b["page_gain"] / a["page_gain"] for a, b in zip(small.links, large.links, strict=True)
        ]
        assert ratios == pytest.approx([2.0] * 3, rel=1e-9)
        assert any("spam mass: not checked" in note for note in small.notes)


@pytest.mark.slow
def test_without_trust_seeds_toxicity_keeps_spam_tier1_pages_out(
    web_db: Path, manifest: dict[str, Any]
) -> None:
    money = manifest["target"]["domain"]
    report = plan_target(web_db, [money], budget=6)
    spam = {name for name, site in manifest["domains"].items() if site["is_spam"]}
    for row in report.candidates:
        assert domain_of(row["url"]) not in spam, row["url"]
    for link in report.links:
        assert domain_of(link["target"]) not in spam, link["target"]
    assert any(note.startswith("relevance of source pages: ") for note in report.notes)
    toxic = [row for row in report.rejected if "toxic domain" in row["reasons"]]
    assert toxic
    assert {row["domain"] for row in toxic} <= spam
    assert any(note.startswith("toxicity: ") for note in report.notes)


@pytest.mark.slow
def test_each_new_link_gets_the_anchor_class_its_page_lacks_most(
    plan: PlanReport, manifest: dict[str, Any]
) -> None:
    assert plan.anchor_mix
    chosen: dict[str, list[str]] = {}
    for link in plan.links:
        chosen.setdefault(link["target"], []).append(link["anchor_class"])
    assert [mix["target"] for mix in plan.anchor_mix] == list(chosen)
    for mix in plan.anchor_mix:
        assert mix["keywords"], mix["target"]
        assert mix["brand"] == manifest["domains"][domain_of(mix["target"])]["name"]
        assert mix["brand"].casefold() not in mix["keywords"]
        current = {AnchorClass(kind): n for kind, n in mix["current"].items()}
        assert chosen[mix["target"]] == [str(c) for c in mix_sequence(current, mix["new_links"])]
        # The profile: the manifest's links into the page from other sites, by domain and class.
        site = domain_of(mix["target"])
        rules = AnchorRules.for_target([site], keywords=mix["keywords"])
        pairs = {
            (domain_of(link["source"]), classify_anchor(link["anchor"], rules).anchor_class)
            for link in manifest["links"]
            if link["target"] == mix["target"] and domain_of(link["source"]) != site
        }
        assert current == dict(Counter(kind for _, kind in pairs))


@pytest.mark.slow
def test_the_plan_is_checked_for_footprints_against_the_manifest(
    plan: PlanReport, manifest: dict[str, Any]
) -> None:
    assert max(Counter(domain_of(link["source"]) for link in plan.links).values()) <= 3
    checks = {check["rule"]: check for check in plan.footprints}
    assert list(checks) == ["all_followed", "repeated_anchor", "velocity_spike", "one_network"]
    chosen = {link["target"] for link in plan.links}
    unfollowed_rels = {"nofollow", "sponsored", "ugc"}
    for page in checks["all_followed"]["pages"]:
        assert page in chosen
        inbound = [
            link
            for link in manifest["links"]
            if link["target"] == page and domain_of(link["source"]) != domain_of(page)
        ]
        assert not any(unfollowed_rels & set(link["rel"]) for link in inbound)
    sources = Counter(domain_of(link["source"]) for link in plan.links)
    network = set(manifest["networks"][0]["domains"])
    heavy = {domain for domain, n in sources.items() if n > len(plan.links) / 2}
    assert checks["one_network"]["is_risk"] == (len(set(sources) & network) >= 2 or bool(heavy))
    assert heavy <= set(checks["one_network"]["pages"])


@pytest.mark.slow
def test_cli_plans_as_tables_json_and_csv(
    web_db: Path, manifest: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    money = manifest["target"]["domain"]
    competitors = tmp_path / "competitors.txt"
    competitors.write_text("# rivals\n" + "\n".join(roles(manifest, "competitor")) + "\n")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join([*roles(manifest, "editorial"), money]) + "\n")
    out = tmp_path / "plan.csv"
    args = ["--db", web_db, "--budget", "2", "--competitors", competitors, "--trust-seeds", seeds]
    result = cli("plan", money, *args, "--json", "--csv", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["links"]) == 2
    assert data["total_gain"] == pytest.approx(sum(row["page_gain"] for row in data["links"]))
    with out.open(newline="", encoding="utf-8") as rows:
        table = list(csv.DictReader(rows))
    sections = {row["section"] for row in table}
    assert sections == {"planned", "option", "internal", "candidate", "rejected"}
    planned = [row for row in table if row["section"] == "planned"]
    assert [row["target"] for row in planned] == [row["target"] for row in data["links"]]
    assert [row["anchor_class"] for row in planned] == [
        row["anchor_class"] for row in data["links"]
    ]
    shown = cli("plan", money, *args)
    assert shown.exit_code == 0, shown.stderr
    for title in (
        "Planned links",
        "Rejected tier-1 pages",
        "link not in main content",
        "Anchors:",
        "Footprint checks",
    ):
        assert title in shown.stdout
    bad = cli("plan", money, "--db", web_db, "--budget", "0")
    assert bad.exit_code != 0
    assert "budget" in bad.stderr


@pytest.mark.slow
def test_own_guest_posts_come_first_among_the_sources(
    web_db: Path, manifest: dict[str, Any], plan: PlanReport
) -> None:
    money = manifest["target"]["domain"]
    chosen = {link["target"] for link in plan.links}
    editorial = set(roles(manifest, "editorial"))
    own = [url for url in manifest["guest_posts"] if url not in chosen][:6]
    assert own
    report = plan_target(
        web_db,
        [money],
        budget=6,
        competitors=roles(manifest, "competitor"),
        trust_seeds=[*editorial, money],
        own_pages=[*own, "https://never-seen.example/post/"],
    )
    first_of: dict[str, dict[str, Any]] = {}
    for option in report.options:
        first_of.setdefault(option["target"], option)
        if option["is_own"]:
            assert option["source"] in own
            assert first_of[option["target"]]["is_own"], "an own page after another"
    assert any(option["is_own"] for option in report.options)
    assert any("own pages:" in note and "1 not linked" in note for note in report.notes)
    with pytest.raises(InvalidUrl, match="own page 'not a url'"):
        plan_target(web_db, [money], budget=1, own_pages=["not a url"])


def test_a_store_of_imports_plans_from_new_pages_with_cautions(imported_db: Path) -> None:
    report = plan_target(imported_db, ["example-garden.com"], budget=3)
    assert report.candidates
    assert all("unverified: never fetched" in row["cautions"] for row in report.candidates)
    assert report.uses_new_pages
    assert len(report.links) == 3
    assert any("relevance of tier-1 pages: not checked" in note for note in report.notes)
    strict = plan_target(imported_db, ["example-garden.com"], budget=3, unverified_blocks=True)
    assert strict.candidates == []
    assert strict.links == []
    assert all("unverified: never fetched" in row["reasons"] for row in strict.rejected)
    assert len(strict.rejected) == len(report.candidates) + len(report.rejected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": 2, "per_page_cap": 0}, "per-page cap"),
        ({"budget": 2, "per_domain_cap": 0}, "per-domain cap"),
        ({"budget": 2, "new_source_authority": 1.5}, "new source authority"),
        ({"budget": 2, "trust_seeds": ["nowhere.example"]}, "trust seed"),
    ],
)
def test_bad_arguments_are_usage_errors(
    imported_db: Path, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        plan_target(imported_db, ["example-garden.com"], **arguments)


def test_an_unreadable_list_or_unwritable_csv_is_a_one_line_error(
    imported_db: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    result = cli(
        "plan", "example-garden.com", "--db", imported_db, "--budget", "1", "--competitors", missing
    )
    assert result.exit_code != 0
    assert "cannot read" in result.stderr
    assert str(missing) in result.stderr
    unwritable = tmp_path / "no-such-folder" / "plan.csv"
    result = cli(
        "plan", "example-garden.com", "--db", imported_db, "--budget", "1", "--csv", unwritable
    )
    assert result.exit_code != 0
    assert "cannot write" in result.stderr


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    report = PlanReport(
        snapshot_id=1,
        target=("example.com",),
        target_rank=0.5,
        target_domain_rank=0.5,
        budget=1,
        per_page_cap=2,
        new_source_rank=0.01,
        new_domain_rank=0.1,
        uses_new_pages=True,
        total_gain=0.0,
        links=[],
        options=[],
        internal_asks=[],
        candidates=[],
        rejected=[
            {"url": "=HYPERLINK(1)", "domain": "x", "reasons": ["@a"]},
            {"url": "http://a.example/", "domain": "a.example", "reasons": ["-b", "c"]},
        ],
    )
    out = tmp_path / "plan.csv"
    assert write_plan_csv(report, out) == 2
    with out.open(newline="", encoding="utf-8") as rows:
        table = list(csv.DictReader(rows))
    assert [row["target"] for row in table] == ["'=HYPERLINK(1)", "http://a.example/"]
    assert [row["reasons"] for row in table] == ["'@a", "'-b; c"]
