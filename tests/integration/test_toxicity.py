"""`linkequity toxic` end to end: sample webs with ground truth, imported exports, the CLI.

The oracle is the sample web's manifest: a referring domain is toxic when it
is spam (PBN, link farm, directory, spam) or a link-network member. The
floors are the figures ``benchmarks/calibrate_toxicity.py`` measured on test
seeds (precision, recall and ROC AUC all 1.000 on seeds 201-205, whose webs
the weights never saw), minus a margin.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest
import typer
from typer.testing import CliRunner

from linkequity.analysis.toxicity import TOXIC_SCORE, Signal
from linkequity.cli.toxicity_command import toxic
from linkequity.errors import StoreError, UsageError
from linkequity.samples.web import generate_web, write_warc
from linkequity.services.imports import import_exports
from linkequity.services.ingest import ingest_archives
from linkequity.services.rank import rank_snapshot
from linkequity.services.toxicity import score_toxicity, write_toxicity_csv

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import ModuleType

    from click.testing import Result

#: Floors on a test seed: the measured 1.000, minus a margin.
MIN_PRECISION = 0.9
MIN_RECALL = 0.9
MIN_AUC = 0.95
#: A test web: a seed that is not among the calibration seeds (101-105).
TEST_WEB = (201, 14, 280)
SPAM_ROLES = {"pbn", "farm", "directory", "spam"}


def _web_project(folder: Path, seed: int, sites: int, pages: int) -> tuple[Path, dict[str, Any]]:
    web = generate_web(seed, sites=sites, pages=pages)
    write_warc(web, folder / "web.warc.gz")
    db = folder / "web.duckdb"
    ingest_archives([folder / "web.warc.gz"], db=db, workers=1)
    return db, web.manifest()


@pytest.fixture(scope="session")
def test_web(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A project of a sample web of a test seed, and its manifest; tests only read it."""
    return _web_project(tmp_path_factory.mktemp("toxicity-test-web"), *TEST_WEB)


def test_on_a_test_seed_the_toxic_domains_are_the_spam_and_network_ones(
    test_web: tuple[Path, dict[str, Any]], load_benchmark: Callable[[str], ModuleType]
) -> None:
    calibrate = load_benchmark("calibrate_toxicity")
    assert TEST_WEB[0] not in {seed for seed, _, _ in calibrate.CALIBRATION}

    rows = calibrate.audit_rows(*test_web)
    found = calibrate.figures(rows, rows.scores, TOXIC_SCORE)

    assert found["toxic_truth"] >= 5
    assert found["precision"] >= MIN_PRECISION
    assert found["recall"] >= MIN_RECALL
    assert found["auc"] >= MIN_AUC


@pytest.mark.slow
def test_on_a_larger_test_seed_the_floors_hold(
    tmp_path: Path, load_benchmark: Callable[[str], ModuleType]
) -> None:
    calibrate = load_benchmark("calibrate_toxicity")
    seed, sites, pages = calibrate.TEST[2]

    rows = calibrate.audit_rows(*_web_project(tmp_path, seed, sites, pages))
    found = calibrate.figures(rows, rows.scores, TOXIC_SCORE)

    assert found["domains"] >= 25
    assert found["precision"] >= MIN_PRECISION
    assert found["recall"] >= MIN_RECALL
    assert found["auc"] >= MIN_AUC


def test_no_editorial_domain_or_link_is_toxic(web_db: Path, manifest: dict[str, Any]) -> None:
    target = manifest["target"]
    roles = {domain: info["role"] for domain, info in manifest["domains"].items()}

    report = score_toxicity(web_db, target["domain"], keywords=target["keywords"])

    toxic = report.toxic_domains
    assert toxic
    assert {roles[domain] for domain in toxic} <= SPAM_ROLES
    referring_spam = {row["domain"] for row in report.domains if roles[row["domain"]] in SPAM_ROLES}
    assert set(toxic) == referring_spam
    assert [row["domain"] for row in report.domains[: len(toxic)]] == toxic
    assert not [
        link for link in report.links if link["is_toxic"] and roles[link["domain"]] == "editorial"
    ]
    scores = [row["score"] for row in report.domains]
    assert scores == sorted(scores, reverse=True)
    for row in report.domains[: len(toxic)]:
        points = [reason["points"] for reason in row["reasons"]]
        assert points
        assert points == sorted(points, reverse=True)


def test_the_network_and_the_farm_are_named_with_their_reasons(
    web_db: Path, manifest: dict[str, Any]
) -> None:
    network = manifest["networks"][0]
    report = score_toxicity(web_db, manifest["target"]["domain"])
    by_domain = {row["domain"]: row for row in report.domains}

    for member in network["domains"]:
        signals = {reason["signal"] for reason in by_domain[member]["reasons"]}
        assert {Signal.SHARED_TRACKING, Signal.INTERLINKING} <= signals
        texts = " ".join(reason["text"] for reason in by_domain[member]["reasons"])
        assert f"same tracking id {network['analytics_id']} as 3 other referring domains" in texts
    farm = next(d for d, info in manifest["domains"].items() if info["role"] == "farm")
    assert by_domain[farm]["reasons"][0]["signal"] == Signal.LINK_FARM
    assert "outbound links: link farm pattern" in by_domain[farm]["reasons"][0]["text"]


def test_a_noindex_source_passes_no_value_and_is_not_toxic(
    web_db: Path, manifest: dict[str, Any]
) -> None:
    noindex = {url for url, info in manifest["urls"].items() if info["expected"] == "noindex"}

    report = score_toxicity(web_db, manifest["target"]["domain"])

    from_noindex = [link for link in report.links if link["source"] in noindex]
    assert from_noindex
    for link in from_noindex:
        assert not link["passes_value"]
        assert not link["is_toxic"]
        assert link["score"] == 0.0
        assert link["no_value_reason"] == "source page not indexable: noindex in meta robots"


def test_spam_mass_needs_trust_seeds_then_comes_from_them_or_from_rank(
    web_db: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    target = manifest["target"]["domain"]
    editorial = [d for d, info in manifest["domains"].items() if info["role"] == "editorial"]
    pbn = manifest["networks"][0]["domains"][0]

    without = score_toxicity(web_db, target)
    seeded = score_toxicity(web_db, target, trust_seeds=[*editorial, target])

    assert any(line.startswith("spam_mass, low_trust:") for line in without.unavailable)
    assert {row["signals"]["spam_mass"] for row in without.domains} == {None}
    assert not any(line.startswith("spam_mass") for line in seeded.unavailable)
    by_domain = {row["domain"]: row for row in seeded.domains}
    assert by_domain[pbn]["signals"]["spam_mass"] > 0.9
    assert by_domain[editorial[0]]["signals"]["spam_mass"] == 0.0
    # With `linkequity rank --trust-seeds`, the stored scores serve instead.
    ranked = tmp_path / "ranked.duckdb"
    shutil.copy(web_db, ranked)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join([*editorial, target]), encoding="utf-8")
    rank_snapshot(ranked, trust_seeds=seeds)
    stored = score_toxicity(ranked, target)
    assert not any(line.startswith("spam_mass") for line in stored.unavailable)
    assert {row["domain"]: row["signals"]["spam_mass"] for row in stored.domains}[pbn] > 0.9
    with pytest.raises(UsageError, match="no trust seed"):
        score_toxicity(web_db, target, trust_seeds=["nowhere.example"])


def test_on_imported_exports_the_page_signals_are_unknown(imported_db: Path) -> None:
    report = score_toxicity(imported_db, "example-garden.com", keywords=["raised beds"])

    assert report.links
    assert any(
        note.startswith("page signals (link_farm, thin_content, topic_mismatch")
        and f"unknown for {len(report.links)} of {len(report.links)} links" in note
        for note in report.notes
    )
    page_signals = {"link_farm", "thin_content", "topic_mismatch", "language_mismatch"}
    for link in report.links:
        assert page_signals <= set(link["unknown"])
        assert not page_signals & {reason["signal"] for reason in link["reasons"]}
    for row in report.domains:
        assert {"shared_tracking", "shared_template", "interlinking"} <= set(row["unknown"])
    exact = [link for link in report.links if link["reasons"]]
    assert exact
    assert {r["signal"] for link in exact for r in link["reasons"]} <= {
        Signal.EXACT_ANCHOR,
        Signal.SPIKE,
        Signal.SITEWIDE,
    }


def test_cli_marks_domains_never_fetched_unverified(imported_db: Path) -> None:
    result = run("example-garden.com", "--db", str(imported_db))

    assert result.exit_code == 0, result.output
    assert "unverified" in result.output
    assert " ok " not in result.output
    assert "Signals unknown for some rows (counted as absent): " in result.output


# --- a hand-made export: a spike of new links, a hostile anchor -----------------------

AHREFS = ("Referring page URL", "Target URL", "Anchor", "Nofollow", "UGC", "Sponsored",
          "First seen", "Last seen")  # fmt: skip
MONEY = "https://money.test/"
HOSTILE = '=HYPERLINK("http://evil.test")'
SPIKE_LINKS = 15


@pytest.fixture(scope="module")
def spike_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new backlink a week for eight weeks, then fifteen in one week, one of a formula."""
    folder = tmp_path_factory.mktemp("toxicity-spike")
    rows = [
        (f"https://steady{week}.test/post", MONEY, "a good read", "false", "false", "false",
         f"2025-01-{6 + 7 * week:02d}" if week < 4 else f"2025-02-{3 + 7 * (week - 4):02d}",
         "2025-03-31")
        for week in range(8)
    ]  # fmt: skip
    rows += [
        (f"https://burst{i}.test/post", MONEY, HOSTILE if i == 0 else "money tips",
         "false", "false", "false", "2025-03-04", "2025-03-31")
        for i in range(SPIKE_LINKS)
    ]  # fmt: skip
    path = folder / "ahrefs.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(AHREFS)
        writer.writerows(rows)
    db = folder / "spike.duckdb"
    import_exports([path], db=db)
    return db


def test_links_of_a_sudden_spike_carry_that_reason(spike_db: Path) -> None:
    report = score_toxicity(spike_db, "money.test")

    spiking = {
        link["domain"]
        for link in report.links
        if Signal.SPIKE in {reason["signal"] for reason in link["reasons"]}
    }
    assert spiking == {f"burst{i}.test" for i in range(SPIKE_LINKS)}
    burst = next(link for link in report.links if link["domain"] == "burst1.test")
    assert burst["reasons"][0]["text"] == "part of a sudden spike of new links or referring domains"
    assert not burst["is_toxic"]  # a spike alone is a caution, not a verdict
    assert any(note.startswith(f"spike: {SPIKE_LINKS} links arrived") for note in report.notes)


def run(*args: str) -> Result:
    app = typer.Typer()
    app.command("toxic")(toxic)

    @app.callback()
    def root() -> None:
        """Test app."""

    return CliRunner().invoke(app, ["toxic", *args], env={"COLUMNS": "220"})


def test_cli_prints_the_worst_domains_with_reasons_then_links(
    web_db: Path, manifest: dict[str, Any]
) -> None:
    member = manifest["networks"][0]["domains"][0]

    result = run(manifest["target"]["domain"], "--db", str(web_db))

    assert result.exit_code == 0, result.output
    assert "Referring domains, worst first" in result.output
    assert "Backlinks, worst first" in result.output
    assert member in result.output
    assert "TOXIC" in result.output
    assert "same tracking id" in result.output
    assert "links pass no value (not indexable" in result.output
    assert "more; --json or --csv lists all" in result.output
    assert result.output.index("Referring domains") < result.output.index("Backlinks, worst")


def test_cli_json_and_min_score(web_db: Path, manifest: dict[str, Any]) -> None:
    target = manifest["target"]["domain"]

    result = run(target, "--db", str(web_db), "--json", "--min-score", str(TOXIC_SCORE))

    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    report = score_toxicity(web_db, target)
    assert shown["toxic_domains"] == report.toxic_domains
    assert [row["domain"] for row in shown["domains"]] == report.toxic_domains
    assert all(link["score"] >= TOXIC_SCORE for link in shown["links"])
    assert shown["threshold"] == TOXIC_SCORE


def test_cli_csv_neutralises_formulas(spike_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "toxic.csv"

    result = run("money.test", "--db", str(spike_db), "--csv", str(path))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    hostile = [row for row in rows if row["domain"] == "burst0.test" and row["level"] == "link"]
    assert [row["anchor"] for row in hostile] == ["'" + HOSTILE]
    assert {row["level"] for row in rows} == {"domain", "link"}
    report = score_toxicity(spike_db, "money.test")
    assert write_toxicity_csv(report, path) == len(report.domains) + len(report.links)


def test_a_page_without_backlinks_gives_an_empty_report(
    web_db: Path, manifest: dict[str, Any]
) -> None:
    robots = f"http://{manifest['target']['host']}/robots.txt"

    report = score_toxicity(web_db, [robots])

    assert (report.domains, report.links, report.toxic_domains) == ([], [], [])
    assert "no live backlink from another domain: nothing to score" in report.notes


def test_bad_input_is_a_one_line_error(web_db: Path, spike_db: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a domain, host or URL"):
        score_toxicity(web_db, "nowhere.example")
    with pytest.raises(UsageError, match="no target"):
        score_toxicity(web_db, [])
    with pytest.raises(StoreError, match="no project"):
        score_toxicity(tmp_path / "missing.duckdb", "example.com")
    result = run("example.com", "--db", str(web_db), "--min-score", "120")
    assert isinstance(result.exception, UsageError)
    assert "--min-score must be between 0 and 100" in str(result.exception)
    result = run("money.test", "--db", str(spike_db), "--csv", str(tmp_path / "no" / "x.csv"))
    assert isinstance(result.exception, UsageError)
    assert "cannot write" in str(result.exception)
    empty = tmp_path / "seeds.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    result = run("example.com", "--db", str(web_db), "--trust-seeds", str(empty))
    assert isinstance(result.exception, UsageError)
    assert f"{empty} holds no entry" in str(result.exception)
