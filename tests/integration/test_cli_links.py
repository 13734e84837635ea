"""``linkequity links``: one saved page through the real extractor."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from conftest import CliResult

    Cli = Callable[..., CliResult]

PAGE = """<!doctype html><html><head><title>t</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<article><p>We tested twenty trowels over a wet spring and one stood out from the
rest: <a href="https://tools.example/trowel" rel="Sponsored">the ash-handled trowel</a>
kept its edge and its handle through every bed we dug this year.</p>
<a href="mailto:a@b.example">mail</a> <a href="#top">top</a>
<a href="https://x.example/"><img src="x.png" alt="X logo"></a></article>
<footer><a href="/about" style="display:none">About</a></footer>
</body></html>"""


def test_links_of_a_saved_page_as_json(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")

    result = cli("links", page, "--base-url", "https://garden.example/post", "--json")

    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    by_url = {link["url"]: link for link in found["links"]}
    assert by_url["https://garden.example/"]["placement"] == "navigation"
    trowel = by_url["https://tools.example/trowel"]
    assert (trowel["placement"], trowel["rel"], trowel["passes_equity"]) == (
        "content",
        ["sponsored"],
        False,
    )
    assert by_url["https://x.example/"]["is_image"] is True
    assert by_url["https://x.example/"]["alt"] == "X logo"
    assert by_url["https://garden.example/about"]["hidden"] is True
    assert found["kept_out_of_graph"]["mailto"] == 1
    assert found["kept_out_of_graph"]["self"] == 1


def test_gzipped_page_and_table_output(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(PAGE.encode()))
    result = cli("links", page, "--base-url", "https://garden.example/post")
    assert result.exit_code == 0, result.stderr
    assert "tools.example/trowel" in result.stdout
    assert "kept out: 1 mailto, 1 self" in result.stdout


def test_hostile_anchor_cannot_drive_the_terminal(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    page.write_text('<a href="/x">\x1b]0;owned\x07[bold]click\x1b[2J</a>', encoding="utf-8")
    result = cli("links", page, "--base-url", "https://evil.example/")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "[bold]click" in result.stdout  # shown as text, not taken as markup


def test_missing_and_damaged_files_are_one_line_errors(cli: Cli, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.html.gz"
    damaged.write_bytes(gzip.compress(PAGE.encode())[:40])
    for path in (tmp_path / "none.html", damaged):
        result = cli("links", path, "--base-url", "https://garden.example/")
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert str(path) in result.stderr


def test_bad_base_url_is_named(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = cli("links", page, "--base-url", "garden.example/post")
    assert result.exit_code == 2
    assert "garden.example/post" in result.stderr


def test_a_saved_page_without_its_url_is_refused_in_one_line(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")

    result = cli("links", page)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "a saved page needs --base-url" in result.stderr
