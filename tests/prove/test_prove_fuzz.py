"""Proof: five parsers of hostile input, fuzzed, raise nothing but their documented errors.

Each proof runs a stated number of hypothesis cases (``*_CASES`` below; seeds
fixed by ``derandomize``) through one target of ``tests/fuzz_strategies.py``,
which holds the strategies and the contract each answer must keep, and records
the cases that ran and the crashes found. A crash, or an answer that breaks the
contract, fails the proof with hypothesis's falsifying example (shrunk, or for
the WARC damage its seed: ``damage_warc(seed)`` rebuilds it); so the crash
figure is recorded, as 0, only once a run has passed.

1. URLs: ``normalize_url`` and friends on arbitrary and URL-shaped text.
2. Links: ``extract_links``, ``parse_page`` and ``read_page`` on hostile HTML.
3. robots.txt: rules matched on random bodies; ``RobotsPolicy`` against a
   fuzzed origin; ``Disallow: /x`` always refusing ``/x…``.
4. Export import: CSVs of a real header and hostile cells, read as
   ``linkequity import`` reads them.
5. The WARC reader on damaged copies of the real files of ``shared/data/warc``.

``tests/unit/test_fuzz_smoke.py`` runs the same targets a few hundred cases
each in the default suite.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from tests.fuzz_strategies import (
    BASE_URLS,
    DISALLOWED_PREFIXES,
    EXPORT_FILES,
    HTML_PAGES,
    NOISE_LINES,
    PAGE_HEADERS,
    PAGE_STATUSES,
    ROBOTS_BODIES,
    ROBOTS_REPLIES,
    ROBOTS_TARGETS,
    URL_TEXTS,
    USER_AGENTS,
    WARC_DAMAGE,
    WARC_DATA,
    CaseCounter,
    check_disallowed_prefix,
    check_export,
    check_links,
    check_robots,
    check_robots_policy,
    check_url,
    check_warc,
    fuzz_settings,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tests.prove.conftest import BoundFigures

pytestmark = pytest.mark.prove

#: Cases of each target.
URL_CASES = 20_000
LINK_CASES = 5_000
ROBOTS_CASES = 10_000
ROBOTS_PROPERTY_CASES = 3_000
ROBOTS_POLICY_CASES = 2_000
EXPORT_CASES = 3_000
WARC_CASES = 8_000


def record(figures: BoundFigures, name: str, counter: CaseCounter, cases: int) -> None:
    """Record the cases *counter* saw and, when all *cases* ran, no crash.

    A crash fails the run before this is reached, with its falsifying example.
    """
    figures.record(f"fuzz.{name}.cases", counter.cases, unit="cases")
    assert counter.cases >= cases
    figures.record(f"fuzz.{name}.crashes", 0, unit="crashes")


def test_urls_raise_only_invalid_url_and_normalise_idempotently(figures: BoundFigures) -> None:
    counter = CaseCounter()
    run = given(URL_TEXTS, BASE_URLS)(fuzz_settings(URL_CASES)(counter.counted(check_url)))
    run()
    record(figures, "urls", counter, URL_CASES)


def test_link_extraction_never_raises_on_hostile_html(figures: BoundFigures) -> None:
    counter = CaseCounter()
    check = counter.counted(check_links)
    run = given(HTML_PAGES, BASE_URLS, PAGE_HEADERS, PAGE_STATUSES)(
        fuzz_settings(LINK_CASES)(check)
    )
    run()
    record(figures, "links", counter, LINK_CASES)


def test_robots_rules_always_give_a_verdict(figures: BoundFigures) -> None:
    counter = CaseCounter()
    check = counter.counted(check_robots)
    given(ROBOTS_BODIES, USER_AGENTS, ROBOTS_TARGETS)(fuzz_settings(ROBOTS_CASES)(check))()
    record(figures, "robots", counter, ROBOTS_CASES)


def test_robots_disallow_refuses_every_path_under_it(figures: BoundFigures) -> None:
    counter = CaseCounter()
    check = counter.counted(check_disallowed_prefix)
    strategies = (DISALLOWED_PREFIXES, NOISE_LINES, USER_AGENTS, ROBOTS_TARGETS)
    given(*strategies)(fuzz_settings(ROBOTS_PROPERTY_CASES)(check))()
    record(figures, "robots_disallow", counter, ROBOTS_PROPERTY_CASES)


def test_robots_policy_answers_any_origin(figures: BoundFigures) -> None:
    counter = CaseCounter()
    check = counter.counted(check_robots_policy)
    given(ROBOTS_REPLIES, USER_AGENTS, URL_TEXTS)(fuzz_settings(ROBOTS_POLICY_CASES)(check))()
    record(figures, "robots_policy", counter, ROBOTS_POLICY_CASES)


def test_export_import_fails_only_with_a_one_line_error(
    tmp_path: Path, figures: BoundFigures
) -> None:
    counter = CaseCounter()
    check = counter.counted(functools.partial(check_export, tmp_path))
    given(EXPORT_FILES)(fuzz_settings(EXPORT_CASES)(check))()
    figures.record("fuzz.exports.rows", counter.total, unit="rows read")
    record(figures, "exports", counter, EXPORT_CASES)


@pytest.mark.skipif(not WARC_DATA.is_dir(), reason=f"no WARC samples at {WARC_DATA}")
def test_warc_reader_reports_damage_and_reads_the_rest(
    tmp_path: Path, figures: BoundFigures
) -> None:
    counter = CaseCounter()
    check = counter.counted(functools.partial(check_warc, tmp_path))
    given(WARC_DAMAGE)(fuzz_settings(WARC_CASES)(check))()
    figures.record("fuzz.warc.damage_reports", counter.total, unit="damaged records")
    record(figures, "warc", counter, WARC_CASES)
