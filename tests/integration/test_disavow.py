"""`linkequity disavow` on the sample web and on imported exports.

The equity a disavow removes is checked against a full PageRank recompute by
networkx without the disavowed links, page level and domain level; the
entries are the manifest's spam domains.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
import typer
from tests.integration.conftest import domain_of
from typer.testing import CliRunner

from linkequity.cli.disavow_command import disavow_
from linkequity.errors import StoreError, UsageError
from linkequity.report.disavow import DisavowEntry, lint_disavow, write_disavow
from linkequity.services.disavow import (
    build_disavow,
    check_disavow,
    disavow_equity,
    read_entries,
    run_disavow,
)
from linkequity.store import Store

if TYPE_CHECKING:
    from pathlib import Path

#: networkx stops when the summed change is below n * tol.
NX_TOL = 1e-13


def spam_entries(manifest: dict[str, Any]) -> list[DisavowEntry]:
    return [
        DisavowEntry(name, True, (f"{site['role']} in the sample web",))
        for name, site in manifest["domains"].items()
        if site["is_spam"]
    ]


class Recompute:
    """The snapshot's followed-link graph in networkx, ranked as `linkequity rank` ranks it."""

    def __init__(self, db: Path, target_domain: str) -> None:
        with Store.open(db, read_only=True) as store:
            snapshot = store.latest_snapshot_id()
            assert snapshot is not None
            links, nodes = store.link_graph(snapshot)
            pages = store.target_pages(nodes.column("domain").unique().to_pylist(), [])
        self.domain = dict(
            zip(nodes.column("url_id").to_pylist(), nodes.column("domain").to_pylist(), strict=True)
        )
        self.host = dict(
            zip(pages.column("url_id").to_pylist(), pages.column("host").to_pylist(), strict=True)
        )
        self.url = dict(
            zip(pages.column("url_id").to_pylist(), pages.column("url").to_pylist(), strict=True)
        )
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(self.domain)
        self.graph.add_edges_from(
            zip(
                links.column("source_url_id").to_pylist(),
                links.column("target_url_id").to_pylist(),
                strict=True,
            )
        )
        self.graph.remove_edges_from(nx.selfloop_edges(self.graph))
        self.target_domain = target_domain

    def covered(self, entry: DisavowEntry, node: int) -> bool:
        if self.domain[node] == self.target_domain:
            return False
        if entry.is_domain:
            host = self.host[node]
            return host == entry.value or host.endswith("." + entry.value)
        return self.url[node] == entry.value

    def without(self, entries: list[DisavowEntry], *, links_to: str = "site") -> nx.DiGraph:
        kept = self.graph.copy()
        kept.remove_edges_from(
            [
                (source, target)
                for source, target in self.graph.edges
                if any(self.covered(entry, source) for entry in entries)
                and (links_to == "anywhere" or self.domain[target] == self.target_domain)
            ]
        )
        return kept

    def page_rank(self, graph: nx.DiGraph) -> float:
        scores = nx.pagerank(graph, alpha=0.85, tol=NX_TOL, max_iter=10_000)
        return float(
            sum(score for node, score in scores.items() if self.domain[node] == self.target_domain)
        )

    def domain_rank(self, graph: nx.DiGraph) -> float:
        domains = nx.DiGraph()
        domains.add_nodes_from(set(self.domain.values()))
        domains.add_edges_from(
            (self.domain[a], self.domain[b])
            for a, b in graph.edges
            if self.domain[a] != self.domain[b]
        )
        scores = nx.pagerank(domains, alpha=0.85, tol=NX_TOL, max_iter=10_000)
        return float(scores[self.target_domain])


@pytest.fixture(scope="module")
def recompute(web_db: Path, manifest: dict[str, Any]) -> Recompute:
    return Recompute(web_db, manifest["target"]["domain"])


@pytest.mark.slow
class TestEquityOfTheSampleWebsSpam:
    def test_the_loss_is_a_full_recompute_without_the_links(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        spam = spam_entries(manifest)
        equity = disavow_equity(web_db, [money], spam)
        before = recompute.page_rank(recompute.graph)
        after = recompute.page_rank(recompute.without(spam))
        assert equity.target_rank == pytest.approx(before, rel=1e-6)
        assert equity.loss > 0
        assert equity.loss == pytest.approx(before - after, rel=1e-6)
        assert equity.relative_loss == pytest.approx(equity.loss / equity.target_rank)
        domain_before = recompute.domain_rank(recompute.graph)
        domain_after = recompute.domain_rank(recompute.without(spam))
        assert equity.domain_rank == pytest.approx(domain_before, rel=1e-6)
        assert equity.domain_loss > 0
        assert equity.domain_loss == pytest.approx(domain_before - domain_after, rel=1e-6)

    def test_every_link_of_the_pages_when_asked(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        spam = spam_entries(manifest)
        site = disavow_equity(web_db, [money], spam)
        anywhere = disavow_equity(web_db, [money], spam, links_to="anywhere")
        before = recompute.page_rank(recompute.graph)
        after = recompute.page_rank(recompute.without(spam, links_to="anywhere"))
        assert anywhere.loss == pytest.approx(before - after, rel=1e-6)
        assert anywhere.links_removed > site.links_removed
        # Pages without links spread their rank over every page, the target's included,
        # so taking the spam network's own links away *raises* the target: not what a
        # disavow does, hence links to the site by default.
        assert anywhere.loss < 0 < site.loss

    def test_each_entry_alone_is_its_own_recompute(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        equity = disavow_equity(web_db, [money], spam_entries(manifest))
        losses = [item.loss for item in equity.entries]
        assert losses == sorted(losses, reverse=True)
        before = recompute.page_rank(recompute.graph)
        for item in (equity.entries[0], equity.entries[-1]):
            after = recompute.page_rank(recompute.without([item.entry]))
            assert item.loss == pytest.approx(before - after, rel=1e-6)
            assert item.share == pytest.approx(item.loss / equity.target_rank)
        # The PBN's members link to each other: together they remove more than apart.
        assert equity.loss > sum(losses)

    def test_an_entry_with_no_followed_link_to_the_site_is_unmatched(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        spam = spam_entries(manifest)
        equity = disavow_equity(web_db, [money], spam)
        matched = {item.entry for item in equity.entries}
        assert matched | set(equity.unmatched) == set(spam)
        for entry in equity.unmatched:
            assert recompute.without([entry]).number_of_edges() == recompute.graph.number_of_edges()
        for item in equity.entries:
            assert item.pages > 0
            assert item.links > 0
        assert equity.links_removed == recompute.graph.number_of_edges() - (
            recompute.without(spam).number_of_edges()
        )

    def test_urls_subdomains_and_the_targets_own_site(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        pbn = next(name for name, site in manifest["domains"].items() if site["role"] == "pbn")
        page = next(
            link["source"]
            for link in manifest["links"]
            if domain_of(link["source"]) == pbn and domain_of(link["target"]) == money
        )
        entries = [
            DisavowEntry(page),
            DisavowEntry(manifest["domains"][pbn]["host"], True),
            DisavowEntry(money, True),
        ]
        equity = disavow_equity(web_db, [money], entries)
        by_line = {item.entry.line: item for item in equity.entries}
        assert (
            by_line[f"domain:{manifest['domains'][pbn]['host']}"].pages
            == (manifest["domains"][pbn]["pages"])
        )
        assert by_line[entries[0].line].pages == 1
        assert f"domain:{money}" in {entry.line for entry in equity.unmatched}
        before = recompute.page_rank(recompute.graph)
        after = recompute.page_rank(recompute.without(entries))
        assert equity.loss == pytest.approx(before - after, rel=1e-6)

    def test_one_page_of_a_domain_that_keeps_linking_costs_nothing_at_domain_level(
        self, web_db: Path, manifest: dict[str, Any], recompute: Recompute
    ) -> None:
        money = manifest["target"]["domain"]
        equity = disavow_equity(web_db, [money], spam_entries(manifest))
        pbn = next(item for item in equity.entries if item.pages > 1)
        page = next(
            recompute.url[source]
            for source, target in recompute.graph.edges
            if recompute.covered(pbn.entry, source) and recompute.domain[target] == money
        )
        one_page = disavow_equity(web_db, [money], [DisavowEntry(page)])
        assert one_page.loss > 0
        assert one_page.domain_loss == 0.0
        assert one_page.domain_rank == pytest.approx(equity.domain_rank)

    def test_build_writes_the_file_atomically(
        self, web_db: Path, manifest: dict[str, Any], tmp_path: Path
    ) -> None:
        money = manifest["target"]["domain"]
        spam = spam_entries(manifest)
        output = tmp_path / "disavow.txt"
        output.write_text("the old file\n", encoding="utf-8")
        built = build_disavow(web_db, [money], spam, output)
        text = output.read_text(encoding="utf-8")
        lint = lint_disavow(output.read_bytes(), output.name)
        assert lint.is_clean
        assert set(lint.entries) == set(spam)
        assert text.endswith(write_disavow(spam))
        assert text.startswith(f"# Disavow file for {money}")
        assert built.size_bytes == len(output.read_bytes())
        assert built.equity.loss == disavow_equity(web_db, [money], spam).loss
        too_long = DisavowEntry("https://spam.example/" + "a" * 3000)
        with pytest.raises(UsageError, match="3,021 characters"):
            build_disavow(web_db, [money], [*spam, too_long], output)
        assert output.read_text(encoding="utf-8") == text
        assert sorted(path.name for path in tmp_path.iterdir()) == ["disavow.txt"]
        folder = tmp_path / "folder.txt"
        folder.mkdir()
        with pytest.raises(UsageError, match="cannot write"):
            build_disavow(web_db, [money], spam, folder)
        assert sorted(path.name for path in tmp_path.iterdir()) == ["disavow.txt", "folder.txt"]

    def test_check_diffs_a_file_against_proposed_entries(
        self, web_db: Path, manifest: dict[str, Any], tmp_path: Path
    ) -> None:
        money = manifest["target"]["domain"]
        spam = spam_entries(manifest)
        existing = tmp_path / "disavow.txt"
        existing.write_text(
            "domain:forgotten.example\nhttps://www.example.org/\n"
            + "".join(f"{entry.line}\n" for entry in spam[1:]),
            encoding="utf-8",
        )
        report = check_disavow(existing, web_db, [money], spam)
        assert report.diff is not None
        assert [entry.line for entry in report.diff.added] == [spam[0].line]
        assert [entry.line for entry in report.diff.removed] == [
            "domain:forgotten.example",
            "https://www.example.org/",
        ]
        assert len(report.diff.kept) == len(spam) - 1
        assert [(p.line, p.code) for p in report.lint.problems] == [(2, "subpath")]
        assert report.equity is not None
        assert report.equity.loss == pytest.approx(
            disavow_equity(web_db, [money], spam[1:]).loss, rel=1e-12
        )


@pytest.mark.slow
def test_cli_writes_checks_and_prints_json(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    app = typer.Typer()
    app.command("disavow")(disavow_)
    runner = CliRunner()
    money = manifest["target"]["domain"]
    domains = tmp_path / "spam.txt"
    domains.write_text(
        "".join(f"# {e.reasons[0]}\n{e.value}\n" for e in spam_entries(manifest)), encoding="utf-8"
    )
    output = tmp_path / "disavow.txt"
    args = ["--db", str(web_db), "--domains", str(domains)]
    written = runner.invoke(app, [money, *args, "-o", str(output)], env={"COLUMNS": "200"})
    assert written.exit_code == 0, written.output
    assert f"Wrote {output}" in written.stdout
    assert "falls by" in written.stdout
    assert "pro-bed-8.example" in written.stdout
    assert lint_disavow(output.read_bytes(), output.name).is_clean

    as_json = runner.invoke(app, [money, *args, "--check", str(output), "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["check"]["errors"] == 0
    assert data["check"]["diff"]["added"] == []
    assert data["check"]["diff"]["removed"] == []
    assert data["equity"]["loss"] == pytest.approx(data["check"]["equity"]["loss"])
    assert data["written"] is None

    bad = tmp_path / "bad.txt"
    bad.write_text("domain:a.example\ndomain:b.example/blog\nspam.example\n", encoding="utf-8")
    shown = runner.invoke(app, [money, *args, "--check", str(bad)], env={"COLUMNS": "200"})
    assert shown.exit_code == 1
    assert f"What {bad} removes" in shown.stdout
    assert "+ domain:pro-bed-8.example  # pbn in the sample web" in shown.stdout
    assert "- domain:a.example" in shown.stdout
    assert "No followed link to remove in this snapshot: domain:a.example" in shown.stdout
    assert "What the disavow removes" in shown.stdout

    checked = runner.invoke(app, ["--check", str(bad)])
    assert checked.exit_code == 1
    assert f"{bad}:2: error: a domain entry with a path is a subpath" in checked.stdout
    assert f"{bad}:3: error:" in checked.stdout
    assert "1 entries" not in checked.stdout
    assert "2 errors, 0 warnings" in checked.stdout


@pytest.mark.slow
def test_by_default_the_file_disavows_the_toxic_domains_with_their_reasons(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    money = manifest["target"]["domain"]
    output = tmp_path / "disavow.txt"
    run = run_disavow([money], db=web_db, output=output)
    assert run.written is not None
    text = output.read_text(encoding="utf-8")
    disavowed = {
        line.removeprefix("domain:") for line in text.splitlines() if line.startswith("domain:")
    }
    spam = {name for name, site in manifest["domains"].items() if site["is_spam"]}
    assert disavowed
    assert disavowed <= spam
    assert "# toxicity " in text
    assert lint_disavow(text, "disavow.txt").problems == ()
    assert run.equity is not None
    assert run.equity.loss > 0
    again = run_disavow([money], db=web_db, check=output)
    assert again.check is not None
    assert again.check.diff is not None
    assert not again.check.diff.added
    assert not again.check.diff.removed


def test_cli_usage_errors(tmp_path: Path, imported_db: Path) -> None:
    app = typer.Typer()
    app.command("disavow")(disavow_)

    @app.callback()
    def root() -> None:
        """Test app."""

    runner = CliRunner()
    domains = tmp_path / "spam.txt"
    domains.write_text("spam.example\n", encoding="utf-8")
    for args, message in [
        ([], "nothing to do"),
        (["--domains", str(domains)], "--domains needs TARGET"),
        (["--check", str(tmp_path / "missing.txt")], "cannot read"),
        (
            ["example-garden.com", "--db", str(imported_db), "--domains", str(domains), "-o", "x"],
            ".txt",
        ),
    ]:
        result = runner.invoke(app, ["disavow", *args])
        assert isinstance(result.exception, UsageError), (args, result.output)
        assert message in str(result.exception)


def test_imported_exports_end_to_end(imported_db: Path, tmp_path: Path) -> None:
    domains = tmp_path / "spam.txt"
    domains.write_text(
        "# many pages\nexample.org\nexample.net\nhttp://elsewhere.example/\n", encoding="utf-8"
    )
    output = tmp_path / "disavow.txt"
    run = run_disavow(["example-garden.com"], db=imported_db, domains=domains, output=output)
    assert run.written is not None
    assert run.equity is not None
    assert [(p.line, p.code) for p in run.written.problems] == [(7, "subpath")]
    assert [entry.line for entry in run.equity.unmatched] == ["http://elsewhere.example/"]
    assert 0 < run.equity.loss < run.equity.target_rank
    assert {item.entry.line for item in run.equity.entries} == {
        "domain:example.org",
        "domain:example.net",
    }
    assert output.read_text(encoding="utf-8").splitlines()[-4:] == [
        "domain:example.net",
        "# many pages",
        "domain:example.org",
        "http://elsewhere.example/",
    ]


def test_read_errors_are_one_line_and_name_the_file(tmp_path: Path, imported_db: Path) -> None:
    with pytest.raises(UsageError, match="cannot read .*missing.txt"):
        check_disavow(tmp_path / "missing.txt")
    with pytest.raises(UsageError, match="cannot read"):
        check_disavow(tmp_path)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9.example\n")
    with pytest.raises(UsageError, match=r"latin\.txt: not UTF-8"):
        read_entries(latin)
    bad = tmp_path / "bad.txt"
    bad.write_text("ok.example\nnot a domain\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"bad\.txt:2:"):
        read_entries(bad)
    spam = [DisavowEntry("spam.example", True)]
    with pytest.raises(UsageError, match="cannot write"):
        build_disavow(imported_db, ["example-garden.com"], spam, tmp_path / "no" / "d.txt")
    with pytest.raises(UsageError, match="not a domain, host or URL"):
        disavow_equity(imported_db, ["nowhere.example"], spam)
    with pytest.raises(StoreError, match="no project"):
        disavow_equity(tmp_path / "none.duckdb", ["example-garden.com"], spam)
    with pytest.raises(UsageError, match="no target"):
        disavow_equity(imported_db, [], spam)
    with pytest.raises(UsageError, match="damping"):
        disavow_equity(imported_db, ["example-garden.com"], spam, damping=1.0)
    with pytest.raises(UsageError, match="links_to"):
        disavow_equity(imported_db, ["example-garden.com"], spam, links_to="nowhere")  # type: ignore[arg-type]
    listed = tmp_path / "disavow.txt"
    listed.write_text("domain:spam.example\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs a project"):
        check_disavow(listed, None, ["example-garden.com"])
    with pytest.raises(UsageError, match="nothing to disavow"):
        build_disavow(imported_db, ["example-garden.com"], [], tmp_path / "d.txt")
