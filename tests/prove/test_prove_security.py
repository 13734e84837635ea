"""Proof: the security suite of issue 10, run whole, with the rebinding figures.

One child pytest runs every security test, slow and browser ones included:
XSS payloads through the pipeline into the report and the dashboard in
Chromium (``tests/browser/test_hostile_in_browser.py``), CSV formula
injection (``tests/unit/report/test_csv.py``), the dashboard's token, Host
check and hostile anchors (``test_web_security.py``), path traversal and
header injection in every download and the token on every route beyond
loopback (``test_web_downloads.py``), private addresses and DNS rebinding
(``test_http_fetcher.py``, ``test_ssrf.py``). None may fail or be skipped.
Then the rebinding scenarios of ``tests/ssrf_netns.py`` are played once more
for their figures: requests that reached 127.0.0.1, ::1 or 10.9.9.9 (0), and
the controls' (1 each): the guard off, and a check-then-connect guard (TOCTOU).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest's report
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.prove.conftest import BoundFigures

pytestmark = [pytest.mark.prove, pytest.mark.loopback]

ROOT = Path(__file__).resolve().parents[2]
SECURITY_TESTS = (
    "tests/browser/test_hostile_in_browser.py",
    "tests/unit/report/test_csv.py",
    "tests/integration/test_web_security.py",
    "tests/integration/test_web_downloads.py",
    "tests/integration/test_http_fetcher.py",
    "tests/integration/test_ssrf.py",
)
#: Seconds the child suite may take (about 2 minutes here).
SUITE_S = 1800.0


def _child_env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PYTHONPATH": path}


def test_the_security_suite_passes_whole(figures: BoundFigures, tmp_path: Path) -> None:
    missing = [name for name in SECURITY_TESTS if not (ROOT / name).is_file()]
    assert missing == []
    report = tmp_path / "security.xml"
    child = subprocess.run(  # noqa: S603 - our own interpreter and tests
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-m",
            "not spark and not prove",
            f"--junitxml={report}",
            *SECURITY_TESTS,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_child_env(),
        timeout=SUITE_S,
        check=False,
    )
    suite = ET.parse(report).getroot()  # noqa: S314 - written by the child above
    totals = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert totals is not None
    tests, failures, errors, skipped = (
        int(totals.get(name, "0")) for name in ("tests", "failures", "errors", "skipped")
    )
    figures.record("security.tests", tests, unit="tests")
    figures.record("security.failed", failures + errors, unit="tests")
    figures.record("security.skipped", skipped, unit="tests")
    assert child.returncode == 0, child.stdout[-4000:]
    assert failures + errors == 0
    assert skipped == 0, "a security test was skipped: " + child.stdout[-2000:]
    assert tests > 100


def test_rebinding_never_reaches_inside(figures: BoundFigures) -> None:
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        ["unshare", "-rn", sys.executable, str(ROOT / "tests" / "ssrf_netns.py")],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_child_env(),
        timeout=SUITE_S,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    played = json.loads(child.stdout.splitlines()[-1])
    guarded = {name: outcome for name, outcome in played.items() if "control" not in name}
    inside = sum(len(outcome["hits"]["internal"]) for outcome in guarded.values())
    lookups = sum(len(outcome["lookups"]) for outcome in guarded.values())
    refused = sum(
        1
        for outcome in guarded.values()
        for state in outcome.get("states", {}).values()
        if state[0] == "failed"
    ) + sum(
        1
        for outcome in guarded.values()
        for _, address, _ in outcome.get("fetched", [])
        if address is None
    )
    control = len(played["control_allow_private"]["hits"]["internal"])
    toctou = len(played["control_check_then_connect"]["hits"]["internal"])
    figures.record("security.rebinding.scenarios", len(guarded), unit="scenarios")
    figures.record("security.rebinding.lookups", lookups, unit="lookups")
    figures.record("security.rebinding.refused_urls", refused, unit="URLs")
    figures.record("security.rebinding.requests_inside", inside, unit="requests")
    figures.record("security.rebinding.control_requests_inside", control, unit="requests")
    figures.record("security.rebinding.toctou_control_requests_inside", toctou, unit="requests")
    assert inside == 0
    assert control == 1
    assert toctou == 1
    assert refused >= 9
