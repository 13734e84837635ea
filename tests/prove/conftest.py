"""The proof suite's fixtures: the ``figures`` a proof records, and their summary.

A proof is a test marked ``prove`` (pytest.ini_options deselects it by default;
``scripts/prove`` runs them all). Besides asserting, a proof records the figures
that show how far the quality bar holds::

    def test_crawl_survives_sigkill(figures: Figures) -> None:
        ...
        figures.record("crawl.sigkill.pages_lost", lost, unit="pages")

Names are dotted, area first (``crawl.sigkill.…``, ``hostile.gzip_bomb.…``,
``fuzz.…``, ``load.…``). At the end of the session every figure recorded is
printed in one table and merged, by name, into ``benchmarks/out/prove.json``:
a run of a few proofs (``scripts/prove -k hostile``) updates their figures and
keeps the others, each with the time it was recorded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _pytest.terminal import TerminalReporter

#: Where the figures of every proof run are kept (benchmarks/out is not committed).
PROVE_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "out" / "prove.json"


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured value of a proof: its name, value, unit and the test that recorded it."""

    name: str
    value: float | int | str
    unit: str
    test: str
    recorded_at: str


class Figures:
    """The figures recorded in one session, in the order they were recorded."""

    def __init__(self) -> None:
        self.recorded: dict[str, Figure] = {}

    def bind(self, test: str) -> BoundFigures:
        """Return the recorder a test uses, naming *test* as the figures' source."""
        return BoundFigures(self, test)


class BoundFigures:
    """What the ``figures`` fixture gives a test: ``record(name, value, unit=...)``."""

    def __init__(self, figures: Figures, test: str) -> None:
        self._figures = figures
        self._test = test

    def record(self, name: str, value: float | int | str, *, unit: str = "") -> None:
        """Record *value* under *name*; a second record of a name replaces the first."""
        if isinstance(value, float):
            value = round(value, 3)
        moment = datetime.now(UTC).isoformat(timespec="seconds")
        self._figures.recorded[name] = Figure(name, value, unit, self._test, moment)


_FIGURES = pytest.StashKey[Figures]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_FIGURES] = Figures()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> BoundFigures:
    """Record named figures of this proof, for the summary table and prove.json."""
    return request.config.stash[_FIGURES].bind(request.node.nodeid)


def pytest_terminal_summary(terminalreporter: TerminalReporter, config: pytest.Config) -> None:
    recorded = config.stash[_FIGURES].recorded
    if not recorded:
        return
    terminalreporter.section("proof figures")
    width = max(len(name) for name in recorded)
    for figure in recorded.values():
        value = f"{figure.value:,}" if isinstance(figure.value, int) else str(figure.value)
        terminalreporter.write_line(f"{figure.name:<{width}}  {value:>14} {figure.unit}")
    written = write_figures(PROVE_JSON, recorded.values())
    terminalreporter.write_line(f"figures merged into {written}")


def write_figures(path: Path, figures: Iterable[Figure]) -> Path:
    """Merge *figures* into the JSON file at *path* by name; return *path*."""
    kept: dict[str, dict[str, object]] = {}
    if path.exists():
        try:
            kept = {item["name"]: item for item in json.loads(path.read_text())["figures"]}
        except (ValueError, KeyError, TypeError):
            kept = {}  # a damaged file from an earlier run: start again
    kept.update({figure.name: asdict(figure) for figure in figures})
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = [kept[name] for name in sorted(kept)]
    path.write_text(json.dumps({"figures": ordered}, indent=2) + "\n")
    return path
