"""`linkequity diff` end to end: imported exports, two imports a month apart, two archived crawls.

The oracles are independent of the monitoring code: the store's own merged
``links`` columns (``first_seen``, ``lost_at``, ``lost_reason``: what
``store.writes`` keeps), Python's ``isocalendar`` for weeks, and the changes
written into the hand-made exports and archives.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import typer
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkequity.cli import render
from linkequity.cli.monitor_command import diff_
from linkequity.errors import LinkEquityError, StoreError, UsageError
from linkequity.services.exchange import export_parquet, import_parquet
from linkequity.services.imports import import_exports
from linkequity.services.ingest import ingest_archives
from linkequity.services.monitor import diff_links, write_diff_csv
from linkequity.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from click.testing import Result

Key = tuple[str, str, str]
MONEY = "https://money.test/"


def links_table(db: Path) -> list[dict[str, Any]]:
    """Every backlink of the store as ``store.writes`` merged it."""
    with Store.open(db, read_only=True) as store:
        cursor = store._conn.execute(
            """SELECT s.url AS source_url, s.domain AS source_domain, t.url AS target_url,
                l.anchor, l.first_seen, l.lost_at, l.lost_reason
            FROM links l JOIN urls s ON s.id = l.source_url_id JOIN urls t ON t.id = l.target_url_id
            WHERE s.domain <> t.domain"""
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def key(row: dict[str, Any]) -> Key:
    return (row["source_url"], row["target_url"], row["anchor"])


def iso_week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def run(*args: str) -> Result:
    app = typer.Typer()
    app.command("diff")(diff_)

    @app.callback()
    def root() -> None:
        """Test app."""

    return CliRunner().invoke(app, ["diff", *args], env={"COLUMNS": "220"})


# --- the sample exports: dated first seen, last seen and lost -------------------------


def test_over_the_whole_history_the_lost_links_are_those_the_store_says_lost(
    imported_db: Path,
) -> None:
    stored = links_table(imported_db)

    report = diff_links(imported_db, since="2000-01-01")

    expected = {key(row): (row["lost_at"], row["lost_reason"]) for row in stored if row["lost_at"]}
    assert len(expected) == 24
    assert {
        key(row): (row["lost_at"], row["reason"]) for row in report.lost.to_pylist()
    } == expected
    assert {row["detail"] for row in report.lost.to_pylist()} == {"Link removed from page"}
    assert {row["origin"] for row in report.lost.to_pylist()} == {"ahrefs"}
    assert report.new.num_rows == len(stored)
    assert (report.live_before, report.live_after) == (0, len(stored) - 24)


def test_weekly_velocity_counts_first_seen_and_lost_dates_by_iso_week(imported_db: Path) -> None:
    stored = links_table(imported_db)

    velocity = diff_links(imported_db, since="2000-01-01").velocity.to_pylist()

    new = Counter(iso_week(row["first_seen"]) for row in stored)
    lost = Counter(iso_week(row["lost_at"]) for row in stored if row["lost_at"])
    assert {row["week"]: row["new_links"] for row in velocity if row["new_links"]} == new
    assert {row["week"]: row["lost_links"] for row in velocity if row["lost_links"]} == lost
    weeks = [datetime.strptime(row["week"] + "-1", "%G-W%V-%u") for row in velocity]
    assert weeks == [row["week_start"] for row in velocity]
    assert all(b - a == timedelta(weeks=1) for a, b in zip(weeks, weeks[1:], strict=False))
    domains = {row["source_domain"] for row in stored}
    live = {row["source_domain"] for row in stored if not row["lost_at"]}
    assert sum(row["new_domains"] for row in velocity) == len(domains)
    assert sum(row["lost_domains"] for row in velocity) == len(domains - live)


def test_a_window_holds_the_links_first_seen_and_lost_in_it(imported_db: Path) -> None:
    since, until = datetime(2025, 11, 1), datetime(2026, 1, 1)
    stored = links_table(imported_db)

    report = diff_links(imported_db, since=since, until=until)

    assert {key(row) for row in report.new.to_pylist()} == {
        key(row) for row in stored if since < row["first_seen"] <= until
    }
    assert {key(row) for row in report.lost.to_pylist()} == {
        key(row) for row in stored if row["lost_at"] and since < row["lost_at"] <= until
    }
    in_range = [row for row in report.velocity.to_pylist() if row["is_in_range"]]
    assert (in_range[0]["week"], in_range[-1]["week"]) == ("2025-W44", "2026-W01")


def test_by_default_the_diff_covers_the_last_four_weeks_of_the_data(imported_db: Path) -> None:
    with Store.open(imported_db, read_only=True) as store:
        (latest,) = store._conn.execute(
            "SELECT max(greatest(first_seen, last_seen, lost_at)) FROM link_sightings"
        ).fetchone()

    report = diff_links(imported_db)
    earlier_now = diff_links(imported_db, now=datetime(2026, 1, 15))

    assert (report.since, report.until) == (latest - timedelta(weeks=4), latest)
    assert (earlier_now.since, earlier_now.until) == (datetime(2025, 12, 18), datetime(2026, 1, 15))


def test_a_target_page_narrows_the_diff(imported_db: Path) -> None:
    page = "https://www.example-garden.com/old-catalogue.html"

    report = diff_links(imported_db, [page], since="2000-01-01")

    assert set(report.new.column("target_url").to_pylist()) == {page}
    assert set(report.lost.column("target_url").to_pylist()) <= {page}
    assert report.target == (page,)


# --- two imports a month apart --------------------------------------------------------

AHREFS = ("Referring page URL", "Target URL", "Anchor", "Nofollow", "UGC", "Sponsored",
          "First seen", "Last seen", "Lost", "Lost status", "Drop reason")  # fmt: skip
HOSTILE = '=HYPERLINK("http://evil.test")'


def write_ahrefs(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(AHREFS)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def two_imports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """January's export, then February's: one link turned nofollow, one lost, one new."""
    folder = tmp_path_factory.mktemp("two-imports")
    db = folder / "imports.duckdb"
    january = [
        ("https://a.test/post", MONEY, "kept", "false", "false", "false",
         "2025-12-01", "2026-01-20", "", "", ""),
        ("https://b.test/post", MONEY, "turns nofollow", "false", "false", "false",
         "2025-12-02", "2026-01-20", "", "", ""),
        ("https://c.test/post", MONEY, "to be lost", "false", "false", "false",
         "2025-12-03", "2026-01-20", "", "", ""),
    ]  # fmt: skip
    february = [
        ("https://a.test/post", MONEY, "kept", "false", "false", "false",
         "2025-12-01", "2026-02-20", "", "", ""),
        ("https://b.test/post", MONEY, "turns nofollow", "true", "false", "false",
         "2025-12-02", "2026-02-20", "", "", ""),
        ("https://c.test/post", MONEY, "to be lost", "false", "false", "false",
         "2025-12-03", "2026-02-01", "2026-02-04", "removed", "Link removed from page"),
        ("https://d.test/post", MONEY, HOSTILE, "false", "false", "false",
         "2026-02-10", "2026-02-20", "", "", ""),
    ]  # fmt: skip
    import_exports([write_ahrefs(folder / "january.csv", january)], db=db)
    import_exports([write_ahrefs(folder / "february.csv", february)], db=db)
    return db


def test_two_imports_compare_by_snapshot(two_imports: Path) -> None:
    report = diff_links(two_imports, since_snapshot=1, until_snapshot=2)

    assert [row["source_url"] for row in report.new.to_pylist()] == ["https://d.test/post"]
    lost = report.lost.to_pylist()
    assert [(row["source_url"], row["reason"], row["lost_at"]) for row in lost] == [
        ("https://c.test/post", "removed", datetime(2026, 2, 4))
    ]
    assert lost[0]["last_seen"] == datetime(2026, 2, 1)
    assert lost[0]["first_seen"] == datetime(2025, 12, 3)
    changed = report.changed.to_pylist()
    assert [(row["source_url"], row["change"]) for row in changed] == [
        ("https://b.test/post", "rel: followed -> nofollow")
    ]
    assert (report.live_before, report.live_after) == (3, 3)


def test_the_default_snapshots_are_the_last_two(two_imports: Path) -> None:
    report = diff_links(two_imports, since_snapshot=None, until_snapshot=2)

    assert (report.mode, report.since_snapshot, report.until_snapshot) == ("snapshot", 1, 2)


def test_two_imports_compare_by_date(two_imports: Path) -> None:
    report = diff_links(two_imports, since="2026-01-25", until="2026-02-28")

    assert report.new.column("source_url").to_pylist() == ["https://d.test/post"]
    assert report.lost.column("source_url").to_pylist() == ["https://c.test/post"]
    assert report.changed.column("changed_at").to_pylist() == [datetime(2026, 2, 20)]
    # Before the nofollow was seen, nothing had changed yet.
    assert diff_links(two_imports, since="2026-01-25", until="2026-02-19").changed.num_rows == 0


def test_the_cli_prints_the_tables_and_json(two_imports: Path) -> None:
    shown = run("--db", str(two_imports), "--since", "2026-01-25", "--until", "2026-02-28")

    assert shown.exit_code == 0, shown.output
    for heading in ("New backlinks (1)", "Lost backlinks (1)", "Changed backlinks (1)"):
        assert heading in shown.output
    assert "Link velocity per ISO week" in shown.output
    assert "removed" in shown.output
    assert "Link removed from page" in shown.output
    assert "rel: followed -> nofollow" in shown.output
    assert "2026-W06" in shown.output

    as_json = run("--db", str(two_imports), "--since-snapshot", "1", "--json")

    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.output)
    assert document["counts"] == {"new": 1, "lost": 1, "changed": 1}
    assert document["lost"][0]["reason"] == "removed"
    assert document["mode"] == "snapshot"


def test_the_csv_neutralises_formulas(two_imports: Path, tmp_path: Path) -> None:
    path = tmp_path / "diff.csv"

    result = run("--db", str(two_imports), "--since-snapshot", "1", "--csv", str(path))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["event"] for row in rows] == ["new", "lost", "changed"]
    assert rows[0]["anchor"] == "'" + HOSTILE
    assert (rows[0]["at"], rows[0]["status"], rows[0]["rel"]) == (
        "2026-02-10 00:00:00",
        "live",
        "followed",
    )
    assert (rows[1]["at"], rows[1]["reason"], rows[1]["origin"]) == (
        "2026-02-04 00:00:00",
        "removed",
        "ahrefs",
    )
    assert (rows[2]["change"], rows[2]["rel"]) == ("rel: followed -> nofollow", "nofollow")
    assert write_diff_csv(diff_links(two_imports, since_snapshot=1), path) == 3


@pytest.fixture(scope="module")
def burst(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two new sites a week link for eight weeks from 2026-01-05, then fifteen in one week."""
    folder = tmp_path_factory.mktemp("burst")
    db = folder / "burst.duckdb"
    start = datetime(2026, 1, 5)
    rows = []
    for week in range(8):
        for n in range(2):
            day = start + timedelta(weeks=week, days=2 * n)
            rows.append((f"https://steady{week}-{n}.test/post", MONEY, "money", *_dates(day)))
    burst_day = start + timedelta(weeks=8, days=1)
    rows += [(f"https://burst{n}.test/post", MONEY, "cheap", *_dates(burst_day)) for n in range(15)]
    import_exports([write_ahrefs(folder / "export.csv", rows)], db=db)
    return db


def _dates(first: datetime) -> tuple[str, ...]:
    seen = f"{first:%Y-%m-%d}"
    return ("false", "false", "false", seen, seen, "", "", "")


def test_a_burst_of_new_links_is_a_spike_in_the_table_and_json(burst: Path) -> None:
    report = diff_links(burst, since="2026-01-01", until="2026-03-08")

    spikes = [row["week"] for row in report.velocity.to_pylist() if row["is_link_spike"]]
    assert spikes == report.spike_weeks == ["2026-W10"]
    week = report.velocity.to_pylist()[-1]
    assert (week["new_links"], week["link_baseline"], week["is_domain_spike"]) == (15, 2.0, True)
    assert week["link_score"] == pytest.approx((15 - 2) / 2**0.5)
    assert report.links_in_spikes == 15
    # The first four weeks have too little history to be tested.
    assert [row["link_score"] is not None for row in report.velocity.to_pylist()] == [False] * 4 + [
        True
    ] * 5

    shown = run("--db", str(burst), "--since", "2026-01-01", "--until", "2026-03-08")

    assert shown.exit_code == 0, shown.output
    assert "SPIKE: links, domains" in shown.output
    assert "Spike weeks: 2026-W10 (15 backlinks came in them)" in shown.output


# --- errors ---------------------------------------------------------------------------


def one_line(error: BaseException | None, capsys: pytest.CaptureFixture[str]) -> str:
    assert isinstance(error, LinkEquityError)
    capsys.readouterr()
    render.error(error)
    printed = capsys.readouterr().err
    assert printed.count("\n") == 1
    return printed


def test_a_bad_date_is_a_one_line_error_giving_the_format(
    two_imports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run("--db", str(two_imports), "--since", "last tuesday")

    assert result.exit_code != 0
    assert isinstance(result.exception, UsageError)
    line = one_line(result.exception, capsys)
    assert "--since 'last tuesday' is not a date" in line
    assert "YYYY-MM-DD" in line


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"since": "2026-02-01", "until": "2026-01-01"}, "is not before --until"),
        ({"since": "2026-01-01", "since_snapshot": 1}, "not both"),
        ({"since_snapshot": 7}, "has no snapshot 7"),
        ({"since_snapshot": 2, "until_snapshot": 1}, "is not before --until-snapshot"),
        ({"until_snapshot": 1}, "is the first of"),
        ({"target": ["nowhere.test"]}, "nowhere.test is not a domain"),
    ],
)
def test_bad_points_and_targets_are_usage_errors(
    two_imports: Path, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        diff_links(two_imports, **arguments)


def test_an_empty_or_missing_project_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no project"):
        diff_links(tmp_path / "missing.duckdb")
    empty = tmp_path / "empty.duckdb"
    Store.open(empty).close()
    with pytest.raises(UsageError, match="is empty"):
        diff_links(empty)


# --- two archived crawls --------------------------------------------------------------

FIRST_CRAWL = datetime(2026, 1, 5, 10, 0)
SECOND_CRAWL = datetime(2026, 2, 2, 10, 0)


def page(*links: str, head: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    body = f"<html><head><title>t</title>{head}</head><body><main><p>{'words ' * 60}</p>"
    body += "".join(f"<p>{link}</p>" for link in links) + "</main></body></html>"
    return 200, [("Content-Type", "text/html; charset=utf-8")], body.encode()


def to_money(anchor: str, rel: str = "") -> str:
    return f'<a href="{MONEY}"{f" rel={rel!r}" if rel else ""}>{anchor}</a>'


FIRST = {
    "https://removed.test/post": page(to_money("removed")),
    "https://gone.test/post": page(to_money("gone")),
    "https://noindex.test/post": page(to_money("noindex")),
    "https://nofollow.test/post": page(to_money("nofollow")),
    "https://away.test/post": page(to_money("away")),
    "https://anchor.test/post": page(to_money("old anchor")),
    "https://kept.test/post": page(to_money("kept")),
    "https://both.test/post": page(to_money("old")),
}
SECOND = {
    "https://removed.test/post": page("no link here now"),
    "https://gone.test/post": (404, [("Content-Type", "text/html")], b"<html>not found</html>"),
    "https://noindex.test/post": page(
        to_money("noindex"), head='<meta name="robots" content="noindex">'
    ),
    "https://nofollow.test/post": page(to_money("nofollow", "nofollow")),
    "https://away.test/post": (301, [("Location", "https://buyer.test/")], b""),
    "https://anchor.test/post": page(to_money("new anchor")),
    "https://kept.test/post": page(to_money("kept")),
    "https://new.test/post": page(to_money("new")),
    "https://both.test/post": page(
        to_money("new anchor"), head='<meta name="robots" content="noindex">'
    ),
}


def write_archive(path: Path, pages: dict[str, Any], at: datetime) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for offset, (url, (status, headers, body)) in enumerate(pages.items()):
            http = StatusAndHeaders(
                f"{status} X", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
            )
            date = (at + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": date},
                )
            )
    return path


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("two-crawls")
    db = folder / "crawls.duckdb"
    ingest_archives([write_archive(folder / "first.warc.gz", FIRST, FIRST_CRAWL)], db=db, workers=1)
    ingest_archives(
        [write_archive(folder / "second.warc.gz", SECOND, SECOND_CRAWL)], db=db, workers=1
    )
    return db


@pytest.mark.parametrize(
    "points",
    [{"since_snapshot": 1, "until_snapshot": 2}, {"since": "2026-01-10", "until": "2026-02-10"}],
)
def test_a_second_crawl_finds_each_loss_and_its_reason(
    two_crawls: Path, points: dict[str, Any]
) -> None:
    report = diff_links(two_crawls, ["money.test"], **points)

    lost = {(row["source_url"], row["anchor"]): row for row in report.lost.to_pylist()}
    assert {link: row["reason"] for link, row in lost.items()} == {
        ("https://removed.test/post", "removed"): "link_removed",
        ("https://gone.test/post", "gone"): "page_gone",
        ("https://noindex.test/post", "noindex"): "page_noindex",
        ("https://away.test/post", "away"): "redirected_away",
        # A new anchor on a page gone noindex replaces nothing: the old one is lost.
        ("https://both.test/post", "old"): "link_removed",
    }
    assert lost[("https://away.test/post", "away")]["detail"] == "redirects to https://buyer.test/"
    assert lost[("https://gone.test/post", "gone")]["detail"] == "HTTP 404"
    assert {row["origin"] for row in lost.values()} == {"fetch"}
    # Last seen live: the noindex page still shows its link, but it no longer counts.
    assert all(row["last_seen"].date() == FIRST_CRAWL.date() for row in lost.values())
    assert all(row["lost_at"].date() == SECOND_CRAWL.date() for row in lost.values())
    new = {(row["source_url"], row["anchor"]): row["status"] for row in report.new.to_pylist()}
    assert new == {
        ("https://new.test/post", "new"): "live",
        ("https://both.test/post", "new anchor"): "lost: page_noindex",
    }
    # A new anchor on the same page is one changed link, not a lost and a new one.
    changed = {row["source_url"]: row for row in report.changed.to_pylist()}
    assert {url: row["change"] for url, row in changed.items()} == {
        "https://nofollow.test/post": "rel: followed -> nofollow",
        "https://anchor.test/post": "anchor: 'old anchor' -> 'new anchor'",
    }
    assert changed["https://anchor.test/post"]["anchor_before"] == "old anchor"
    assert changed["https://anchor.test/post"]["changed_at"].date() == SECOND_CRAWL.date()
    # 8 - 6 lost (the old anchor among them) + 2 new (the new anchor among them).
    assert (report.live_before, report.live_after) == (8, 4)
    assert (report.domains_before, report.domains_after) == (8, 4)


def test_the_store_itself_loses_the_links_a_later_crawl_shows_gone(two_crawls: Path) -> None:
    # rank, tiers and plan read links.lost_at: the second crawl's losses must be
    # there too, each at the fetch that showed it. A noindex page keeps its link
    # (it stops passing value, which rank reads from the page, not the link).
    rows = [row for row in links_table(two_crawls) if row["lost_at"] is not None]

    assert {(row["source_url"], row["anchor"]): row["lost_reason"] for row in rows} == {
        ("https://removed.test/post", "removed"): "link_removed",
        ("https://gone.test/post", "gone"): "page_gone",
        ("https://away.test/post", "away"): "redirected_away",
        ("https://anchor.test/post", "old anchor"): "link_removed",
        ("https://both.test/post", "old"): "link_removed",
    }
    assert {row["lost_at"].date() for row in rows} == {SECOND_CRAWL.date()}


def test_a_link_seen_again_after_its_loss_is_live_again(tmp_path: Path) -> None:
    pages = {"https://x.test/p": page(to_money("m"))}
    db = tmp_path / "back.duckdb"
    ingest_archives([write_archive(tmp_path / "a.warc.gz", pages, FIRST_CRAWL)], db=db, workers=1)
    gone = {"https://x.test/p": page("none")}
    report = ingest_archives(
        [write_archive(tmp_path / "b.warc.gz", gone, SECOND_CRAWL)], db=db, workers=1
    )
    assert [item.lost_links for item in report.files] == [1]

    ingest_archives(
        [write_archive(tmp_path / "c.warc.gz", pages, SECOND_CRAWL + timedelta(days=7))],
        db=db,
        workers=1,
    )
    # An archive older than the loss says nothing new: the link stays live.
    ingest_archives(
        [write_archive(tmp_path / "d.warc.gz", gone, FIRST_CRAWL - timedelta(days=7))],
        db=db,
        workers=1,
    )

    lost = [(row["lost_at"], row["lost_reason"]) for row in links_table(db)]
    assert lost == [(None, None)]


def test_the_crawls_velocity_has_the_new_and_lost_links_of_each_week(two_crawls: Path) -> None:
    velocity = diff_links(two_crawls, ["money.test"], since="2026-01-01").velocity.to_pylist()

    by_week = {row["week"]: (row["new_links"], row["lost_links"]) for row in velocity}
    assert by_week[iso_week(FIRST_CRAWL)] == (8, 0)
    assert by_week[iso_week(SECOND_CRAWL)] == (3, 6)
    assert sum(row["new_domains"] for row in velocity) == 9
    assert sum(row["lost_domains"] for row in velocity) == 5


def test_two_archives_of_one_ingest_are_two_fetches(tmp_path: Path) -> None:
    # One ingest, one snapshot: the page's second capture, in the second archive, lacks the link.
    first = write_archive(
        tmp_path / "a.warc.gz", {"https://x.test/p": page(to_money("m"))}, FIRST_CRAWL
    )
    second = write_archive(tmp_path / "b.warc.gz", {"https://x.test/p": page("none")}, SECOND_CRAWL)
    db = tmp_path / "one.duckdb"
    ingest_archives([first, second], db=db, workers=1)

    report = diff_links(db, since="2026-01-01")

    assert [(row["reason"], row["lost_at"]) for row in report.lost.to_pylist()] == [
        ("link_removed", SECOND_CRAWL)
    ]


def test_a_parquet_copy_keeps_the_crawls_losses(two_crawls: Path, tmp_path: Path) -> None:
    # The losses a crawl finds live in links, not in any sighting: the exchange
    # must carry them, or a project moved by export and import revives them.
    copy = tmp_path / "copy.duckdb"
    export_parquet(two_crawls, tmp_path / "exchange")
    import_parquet(copy, tmp_path / "exchange")

    def losses(db: Path) -> dict[Key, tuple[Any, Any]]:
        return {key(row): (row["lost_at"], row["lost_reason"]) for row in links_table(db)}

    assert losses(copy) == losses(two_crawls)
    assert sum(reason is not None for _, reason in losses(copy).values()) == 5
