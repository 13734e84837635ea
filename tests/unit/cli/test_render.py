import io
from pathlib import Path

import pytest
from rich.console import Console

from linkequity.cli import render
from linkequity.model.records import DamagedRecord
from linkequity.parsing.exports import BadRow


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100), buffer


def test_progress_shows_file_and_rows_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    console, buffer = terminal()
    monkeypatch.setattr(render, "stderr", console)
    with render.import_progress(enabled=True)(Path("/x/backlinks.csv")) as tell:
        tell(12_345)
    assert "backlinks.csv" in buffer.getvalue()


@pytest.mark.parametrize(
    ("enabled", "is_terminal"), [(True, False), (False, True)], ids=["piped", "disabled"]
)
def test_no_progress_when_piped_or_disabled(
    monkeypatch: pytest.MonkeyPatch, *, enabled: bool, is_terminal: bool
) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(render, "stderr", Console(file=buffer, force_terminal=is_terminal))
    with render.import_progress(enabled=enabled)(Path("a.csv")) as tell:
        tell(5)
    assert buffer.getvalue() == ""


def test_bad_rows_are_printed_up_to_the_limit_then_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    console, buffer = terminal()
    monkeypatch.setattr(render, "stderr", console)
    warn = render.bad_row_printer(2)
    for line in range(2, 7):
        warn(Path("e.csv"), BadRow("source URL 'htp:/x' is not a URL", line=line))
    lines = buffer.getvalue().splitlines()
    # Located as everywhere else (BadRow.in_file): file:line: what is wrong.
    assert lines[:2] == [
        "warning: e.csv:2: source URL 'htp:/x' is not a URL (row skipped)",
        "warning: e.csv:3: source URL 'htp:/x' is not a URL (row skipped)",
    ]
    assert sum("row skipped" in line for line in lines) == 2
    assert sum("only counting" in line for line in lines) == 1


def test_safe_text_drops_controls_and_bidi_overrides() -> None:
    assert render.safe_text("a\x1b[31mb\u202ec\nd") == "a\ufffd[31mb\ufffdc d"
    assert render.safe_text("x" * 10, limit=5) == "xxxx\u2026"


def test_archive_progress_shows_bytes_and_records_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    console, buffer = terminal()
    monkeypatch.setattr(render, "stderr", console)
    with render.archive_progress(enabled=True)(Path("/x/crawl.warc.gz"), 2_000_000) as tell:
        assert tell is not None
        tell(1_234, 1_000_000)
    shown = buffer.getvalue()
    assert "crawl.warc.gz" in shown
    assert "1,234 records" in shown
    assert "records/s" in shown


@pytest.mark.parametrize(
    ("enabled", "is_terminal"), [(True, False), (False, True)], ids=["piped", "disabled"]
)
def test_no_archive_progress_when_piped_or_disabled(
    monkeypatch: pytest.MonkeyPatch, *, enabled: bool, is_terminal: bool
) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(render, "stderr", Console(file=buffer, force_terminal=is_terminal))
    with render.archive_progress(enabled=enabled)(Path("a.warc"), 10) as tell:
        assert tell is None
    assert buffer.getvalue() == ""


def test_damage_is_printed_up_to_the_limit_then_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    console, buffer = terminal()
    monkeypatch.setattr(render, "stderr", console)
    warn = render.damage_printer(2)
    for offset in range(4):
        warn(DamagedRecord("a.warc.gz", offset * 100, "record truncated\x1b[31m"))
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "warning: a.warc.gz: offset 0: record truncated\ufffd[31m (skipped)"
    assert lines[2] == "warning: a.warc.gz: more damage; only counting it now"
    assert len(lines) == 3
