"""Fixtures shared by the whole suite."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SPARK_TESTS = Path(__file__).resolve().parent / "spark"

# pytest-xdist starts its workers with COLUMNS=80 in their environment, and Rich
# fixes a console's width to COLUMNS when the console is made, at the import of
# linkequity.cli.render (which this file therefore leaves to the fixtures): the
# tests that set COLUMNS for one command would not be heard. Unset, it is read
# at each print.
os.environ.pop("COLUMNS", None)


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give pytest-xdist's ``--dist loadgroup`` one group per test file, and one for Spark.

    A file's tests share module fixtures that take seconds to build, so they stay
    on one worker; the Spark files share one JVM (a session fixture), so they all
    go to the same worker rather than start a second one.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        is_spark = item.path.is_relative_to(SPARK_TESTS)
        group = "spark" if is_spark else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))


@dataclass(frozen=True)
class CliResult:
    """What one run of the real ``main()`` did."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., CliResult]:
    """Run ``linkequity ARGS`` in-process through ``main()``, in an empty working directory.

    The environment is cleared of LINKEQUITY_* variables so that a developer's
    own settings cannot leak into a test.
    """
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("LINKEQUITY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")

    from linkequity.cli import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["linkequity", *map(str, args)])
        try:
            main()
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        else:
            code = 0
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def load_benchmark(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Return a loader of a script in benchmarks/ by its name, e.g. ``"bench_store"``.

    benchmarks/ goes on the import path, as for ``python benchmarks/NAME.py``,
    so that a script can import another's helpers.
    """
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # dataclasses look their module up in sys.modules.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module

    return load
