"""The demo's progress: a line per phase on a terminal, the crawl's counts on its line."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console

from linkequity.cli import demo_progress
from linkequity.cli.demo_progress import PHASE_TITLES, DemoProgress
from linkequity.crawl.crawler import CrawlProgress
from linkequity.services.demo import PHASES, DemoPhase

if TYPE_CHECKING:
    import pytest


def _terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200, color_system=None)
    monkeypatch.setattr(demo_progress, "stderr", console)
    return out


def test_every_phase_has_a_title() -> None:
    assert set(PHASE_TITLES) == set(PHASES)


def test_each_phase_gets_a_line_marked_done(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _terminal(monkeypatch)
    with DemoProgress(enabled=True) as progress:
        for name in PHASES:
            progress.phase(DemoPhase(name))
            if name == "crawl":
                progress.crawl(CrawlProgress(stored=123, queued=45))
            progress.phase(DemoPhase(name, 0.5))
    shown = out.getvalue()
    for name in PHASES:
        assert PHASE_TITLES[name] in shown
    assert "123 done, 45 queued" in shown
    assert shown.count("\N{CHECK MARK}") >= len(PHASES)


def test_nothing_is_drawn_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _terminal(monkeypatch)
    with DemoProgress(enabled=False) as progress:
        progress.phase(DemoPhase("crawl"))
        progress.crawl(CrawlProgress(stored=1))
        progress.phase(DemoPhase("crawl", 0.1))
    assert out.getvalue() == ""


def test_nothing_is_drawn_when_stderr_is_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(demo_progress, "stderr", Console(file=out, force_terminal=False))
    with DemoProgress(enabled=True) as progress:
        progress.phase(DemoPhase("rank"))
        progress.phase(DemoPhase("rank", 0.1))
    assert out.getvalue() == ""
