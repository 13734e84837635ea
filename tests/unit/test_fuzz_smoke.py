"""The fuzz targets of ``tests/prove/test_prove_fuzz.py``, a few hundred cases each.

The same strategies and contracts (``tests/fuzz_strategies.py``) as the long
proof, with fixed seeds, so that the default suite fails when one of the five
parsers of hostile input regresses; ``scripts/prove`` runs thousands of cases.
"""

from __future__ import annotations

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
    ExportFile,
    RobotsReply,
    WarcDamage,
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


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz_settings(200)
@given(URL_TEXTS, BASE_URLS)
def test_urls(text: str, base: str) -> None:
    check_url(text, base)


@fuzz_settings(50)
@given(HTML_PAGES, BASE_URLS, PAGE_HEADERS, PAGE_STATUSES)
def test_links(page: str | bytes, base: str, headers: list[tuple[str, str]], status: int) -> None:
    check_links(page, base, headers, status)


@fuzz_settings(200)
@given(ROBOTS_BODIES, USER_AGENTS, ROBOTS_TARGETS)
def test_robots(body: str | bytes, agent: str, target: str) -> None:
    check_robots(body, agent, target)


@fuzz_settings(150)
@given(DISALLOWED_PREFIXES, NOISE_LINES, USER_AGENTS, ROBOTS_TARGETS)
def test_robots_disallow(prefix: str, noise: list[str], agent: str, suffix: str) -> None:
    check_disallowed_prefix(prefix, noise, agent, suffix)


@fuzz_settings(80)
@given(ROBOTS_REPLIES, USER_AGENTS, URL_TEXTS)
def test_robots_policy(replies: list[RobotsReply], agent: str, target: str) -> None:
    check_robots_policy(replies, agent, target)


@fuzz_settings(80)
@given(EXPORT_FILES)
def test_exports(folder: Path, export: ExportFile) -> None:
    check_export(folder, export)


@pytest.mark.skipif(not WARC_DATA.is_dir(), reason=f"no WARC samples at {WARC_DATA}")
@fuzz_settings(200)
@given(WARC_DAMAGE)
def test_warc(folder: Path, damage: WarcDamage) -> None:
    check_warc(folder, damage)
