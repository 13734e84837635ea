"""The command line end to end: real stores, real exports, the real ``main()``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import CliResult

    Cli = Callable[..., CliResult]

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


def stats_of(cli: Cli, db: Path) -> dict[str, object]:
    result = cli("stats", "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("linkequity ")


def test_sample_import_is_the_readme_main_job(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    imported = cli("import", "--sample", "--db", db)
    assert imported.exit_code == 0, imported.stderr
    stats = stats_of(cli, db)
    assert stats["links"] > 100  # type: ignore[operator]
    assert stats["referring_domains"] > 10  # type: ignore[operator]
    assert stats["files"] == 2
    # the two sample exports see many of the same links: one link, two sightings
    assert stats["sightings"] > stats["links"]  # type: ignore[operator]
    assert set(stats["links_by_tool"]) == {"ahrefs", "majestic"}  # type: ignore[arg-type]


def test_importing_the_same_file_twice_adds_nothing(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    export = EXPORTS / "ahrefs_backlinks_utf8.csv"
    assert cli("import", export, "--db", db).exit_code == 0
    before = stats_of(cli, db)

    again = cli("import", export, "--db", db, "--json")

    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["files"][0]["is_duplicate"] is True
    assert stats_of(cli, db) == before


def test_same_links_from_two_encodings_merge(cli: Cli, tmp_path: Path) -> None:
    # The UTF-16 and UTF-8 Ahrefs fixtures hold the same rows: different files, same links.
    db = tmp_path / "p.duckdb"
    result = cli(
        "import",
        EXPORTS / "ahrefs_backlinks_utf8.csv",
        EXPORTS / "ahrefs_backlinks_utf16le.tsv",
        "--db",
        db,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    first, second = json.loads(result.stdout)["files"]
    assert first["links_added"] > 0
    assert second["links_added"] == 0
    assert second["links_merged"] == first["links_added"]


def test_unknown_format_is_one_line_and_stores_nothing(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    good = EXPORTS / "semrush_backlinks.csv"
    result = cli("import", good, EXPORTS / "unknown_format.csv", "--db", db)

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown_format.csv" in lines[0]
    assert "Keyword" in lines[0]
    assert "ahrefs_backlinks" in lines[0]
    assert "Traceback" not in result.stderr
    assert not db.exists(), "formats are checked before anything is written"


def test_bad_rows_are_warned_with_file_and_line_and_skipped(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    export = EXPORTS / "semrush_backlinks.csv"
    result = cli("import", export, "--db", db, "--json")

    assert result.exit_code == 0
    report = json.loads(result.stdout)["files"][0]
    assert report["bad_rows"] >= 1
    assert report["records_imported"] == report["rows_read"] - report["bad_rows"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == report["bad_rows"]
    located = re.compile(rf"warning: {re.escape(str(export))}:\d+: \S")  # file:line: what
    assert all(located.match(line) for line in warnings), warnings


def test_gsc_latest_links_need_the_site(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    export = EXPORTS / "gsc_latest_links.csv"

    refused = cli("import", export, "--db", db)
    accepted = cli("import", export, "--db", db, "--site", "https://www.example-garden.com/")

    assert refused.exit_code == 2
    assert "--site" in refused.stderr
    assert accepted.exit_code == 0, accepted.stderr
    assert stats_of(cli, db)["target_pages"] == 1


def test_site_setting_from_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKEQUITY_IMPORTS_SITE", "https://www.example-garden.com/")
    db = tmp_path / "p.duckdb"
    assert cli("import", EXPORTS / "gsc_latest_links.csv", "--db", db).exit_code == 0


def test_db_setting_from_config_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "linkequity.toml").write_text('[store]\ndb = "from-toml.duckdb"\n')
    assert cli("import", EXPORTS / "semrush_backlinks.csv").exit_code == 0
    assert (tmp_path / "from-toml.duckdb").is_file()
    shown = json.loads(cli("settings", "--json").stdout)
    db_setting = next(item for item in shown if item["key"] == "store.db")
    assert db_setting == {**db_setting, "value": "from-toml.duckdb", "source": "file"}


def test_stats_of_a_missing_project_says_how_to_make_one(cli: Cli, tmp_path: Path) -> None:
    result = cli("stats", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "linkequity import" in result.stderr


def test_no_files_is_a_usage_error(cli: Cli) -> None:
    result = cli("import")
    assert result.exit_code == 2
    assert "--sample" in result.stderr


def test_bad_setting_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKEQUITY_UI_MAX_WARNINGS", "lots")
    result = cli("stats")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: LINKEQUITY_UI_MAX_WARNINGS")
    assert result.stderr.count("\n") == 1


def test_hostile_text_in_a_warning_cannot_drive_the_terminal(cli: Cli, tmp_path: Path) -> None:
    export = tmp_path / "evil.csv"
    export.write_text(
        "Source url,Target url,Anchor\n"
        "\x1b]0;owned\x07http://\x1b[31mx,https://www.example-garden.com/,hi\n"
        "https://ok.example/,https://www.example-garden.com/,hi\n",
        encoding="utf-8",
    )
    result = cli("import", export, "--db", tmp_path / "p.duckdb")
    assert result.exit_code == 0, result.stderr
    assert "warning:" in result.stderr
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr


def test_formats_lists_every_tool(cli: Cli) -> None:
    listed = json.loads(cli("formats", "--json").stdout)
    assert {item["tool"] for item in listed} == {"ahrefs", "semrush", "majestic", "moz", "gsc"}


def test_url_shows_normal_form_and_domain(cli: Cli) -> None:
    result = cli("url", "HTTP://WWW.Example.co.uk:80/a/./b/../c#frag", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "url": "http://www.example.co.uk/a/c",
            "host": "www.example.co.uk",
            "registrable_domain": "example.co.uk",
            "reversed_host": "uk.co.example.www",
        }
    ]


def test_url_refuses_a_non_url(cli: Cli) -> None:
    result = cli("url", "mailto:someone@example.com")
    assert result.exit_code == 2
    assert "mailto:someone@example.com" in result.stderr


def test_parquet_round_trip_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    source, copy, folder = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "parquet"
    assert cli("import", "--sample", "--db", source).exit_code == 0
    exported = cli("parquet", "export", folder, "--db", source)
    assert exported.exit_code == 0, exported.stderr
    assert list(folder.glob("*.parquet"))
    imported = cli("parquet", "import", folder, "--db", copy, "--json")
    assert imported.exit_code == 0, imported.stderr
    assert stats_of(cli, copy) == stats_of(cli, source)


@pytest.mark.slow
def test_a_second_process_gets_store_in_use(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    assert cli("import", EXPORTS / "semrush_backlinks.csv", "--db", db).exit_code == 0
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import time
                from pathlib import Path
                from linkequity.store import Store
                with Store.open(Path({str(db)!r})):
                    print("ready", flush=True)
                    time.sleep(30)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "ready"
            result = cli("import", EXPORTS / "majestic_backlinks.csv", "--db", db)
        finally:
            holder.kill()
    assert result.exit_code == 2
    assert f"in use by process {holder.pid}" in result.stderr
    assert stats_of(cli, db)["files"] == 1


@pytest.mark.slow
def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKEQUITY_")}
    done = subprocess.run(
        [sys.executable, "-m", "linkequity", "stats", "--db", str(tmp_path / "x.duckdb")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: no project at")


def test_damage_past_the_header_leaves_that_file_out_and_keeps_the_earlier_ones(
    cli: Cli, tmp_path: Path
) -> None:
    db = tmp_path / "p.duckdb"
    damaged = tmp_path / "damaged.csv"
    rows = [
        f"https://site{n}.example/page,https://www.example-garden.com/,anchor {n}"
        for n in range(30_000)
    ]
    # Encoding is sniffed on the first MiB; the bad bytes come after it.
    damaged.write_bytes(
        ("Source url,Target url,Anchor\n" + "\n".join(rows) + "\n").encode() + b"\xff\xfe\xfa,x,y\n"
    )
    result = cli("import", EXPORTS / "semrush_backlinks.csv", damaged, "--db", db)

    assert result.exit_code == 2
    assert f"{damaged}:30002" in result.stderr
    assert "nothing of this file was stored; 1 file(s) before it were" in result.stderr
    stats = stats_of(cli, db)
    assert stats["files"] == 1
    assert stats["snapshots"] == 1
    assert stats["links_by_tool"] == {"semrush": stats["links"]}


def test_a_file_that_fails_alone_leaves_no_snapshot(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    assert cli("import", EXPORTS / "semrush_backlinks.csv", "--db", db).exit_code == 0
    damaged = tmp_path / "damaged.csv"
    rows = [f"https://s{n}.example/,https://www.example-garden.com/,a" for n in range(40_000)]
    damaged.write_bytes(("Source url,Target url,Anchor\n" + "\n".join(rows)).encode() + b"\n\xff\n")

    assert cli("import", damaged, "--db", db).exit_code == 2
    assert stats_of(cli, db)["snapshots"] == 1
