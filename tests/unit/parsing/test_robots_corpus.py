"""4,231 real robots.txt files: each parses, and each disagreement with Protego has a cause.

For every file, every agent it names (up to four) and ``linkequity`` (the ``*``
group) are asked about ``/`` and each rule's own path (``*`` as ``x``, a final
``$`` dropped). Where our decision differs from ``Protego.can_fetch``, Protego is
asked again about a copy of the file with one of our corrections applied to the
text (parsing/robots.py lists them); the first copy that brings Protego to our
answer names the cause. The corrections that cannot be written into a file
(agent selection, ``index.html``, ``$``, percent-encoding) are recognised from
the decision. No disagreement may be left without a cause.
"""

from __future__ import annotations

import re
import tarfile
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from protego import Protego
from protego._protego import (
    _ALLOW_DIRECTIVE,
    _DISALLOW_DIRECTIVE,
    _USER_AGENT_DIRECTIVE,
    _extract_directive,
)
from tests.conftest import SHARED_DATA

from linkequity.parsing.robots import ROBOTS_PARSE_LIMIT_BYTES, parse_robots, product_token

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.parsing.robots import RobotsDecision, RobotsTxt

pytestmark = pytest.mark.slow

CORPUS = SHARED_DATA / "robots" / "protego_test_data_robotstxt.tar.xz"
_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BEYOND_PLAIN = re.compile(r"[^A-Za-z0-9\-._~/*$]")

# The figures on this corpus with Protego 0.7.0. A change means Protego or our
# reading moved: look at the examples the failure prints before updating them.
EXPECTED_FILES = 4231
EXPECTED_DISAGREEMENTS = {
    "2 byte order mark": 268,
    "3 agent line read up to its first space": 1725,
    "4 agent selection": 3,
    "5 other records keep the group": 1511,
    "8 no rule invented for index.html": 3,
}


def corpus_files() -> Iterator[tuple[str, bytes]]:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not here")
    with tarfile.open(CORPUS) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                yield member.name, handle.read()


def test_the_corpus_parses_and_every_disagreement_with_protego_has_a_cause() -> None:
    files = 0
    decisions = 0
    causes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for name, data in corpus_files():
        files += 1
        ours = parse_robots(data)
        assert ours.is_truncated is (len(data) > ROBOTS_PARSE_LIMIT_BYTES), name
        oracle = _Oracle(data)
        for agent in _agents(ours):
            for path in _paths(ours):
                url = f"https://www.example.com{path}"
                decision = ours.decide(agent, url)
                decisions += 1
                if decision.is_allowed is oracle.raw.can_fetch(url, agent):
                    continue
                cause = oracle.cause(ours, decision, agent, url)
                causes[cause] += 1
                examples.setdefault(cause, []).append(f"{name} {agent} {path}")

    print(f"{files} files, {decisions} decisions, disagreements by cause: {dict(causes)}")
    assert files == EXPECTED_FILES
    assert decisions > 100_000
    assert "unexplained" not in causes, examples["unexplained"][:10]
    print({cause: found[:3] for cause, found in examples.items()})
    assert dict(causes) == EXPECTED_DISAGREEMENTS


def _agents(robots: RobotsTxt) -> list[str]:
    named = sorted({a for group in robots.groups for a in group.agents if a not in {"", "*"}})
    return ["linkequity", *named[:4]]


def _paths(robots: RobotsTxt) -> list[str]:
    paths = {"/"}
    for group in robots.groups:
        for rule in group.rules:
            if rule.pattern.startswith("/"):
                paths.add(rule.pattern.removesuffix("$").replace("*", "x"))
    return sorted(paths)[:40]


class _Oracle:
    """Protego on the file as it is, and on copies with one more correction written in."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.raw = Protego.parse(data.decode("utf-8", "replace"))
        self._steps: list[tuple[str, Protego]] | None = None

    def cause(self, ours: RobotsTxt, decision: RobotsDecision, agent: str, url: str) -> str:
        for label, corrected in self._corrected():
            if corrected.can_fetch(url, agent) is decision.is_allowed:
                return label
        path = decision.path
        chosen = self._corrected()[-1][1]._get_matching_rule_set(agent)
        chosen_token = chosen.user_agent if chosen is not None else None
        if decision.groups and chosen_token not in decision.groups[0].agents:
            return "4 agent selection"
        if any(
            rule.is_allow and rule.pattern.removesuffix("$").endswith("/index.html")
            for group in ours.groups_for(agent)
            for rule in group.rules
        ):
            return "8 no rule invented for index.html"
        if "%24" in path:
            return "7 dollar ends the pattern only at its end"
        if "%" in path or any(
            _BEYOND_PLAIN.search(rule.pattern)
            for group in ours.groups_for(agent)
            for rule in group.rules
        ):
            return "6 percent-encoding of reserved characters"
        return "unexplained"

    def _corrected(self) -> list[tuple[str, Protego]]:
        if self._steps is None:
            text = self.data.decode("utf-8", "replace")
            no_bom = text.removeprefix("\ufeff")
            one_break = _EXOTIC_BREAKS.sub(" ", no_bom)
            capped = "\n".join(_lines_within_limit(self.data))
            tokens = "\n".join(_agent_lines_as_tokens(capped.split("\n")))
            rules_only = "\n".join(_without_other_records(tokens.split("\n")))
            self._steps = [
                ("2 byte order mark", Protego.parse(no_bom)),
                ("1 lines end at CR or LF", Protego.parse(one_break)),
                ("9 parse limit", Protego.parse(capped)),
                ("3 agent line read up to its first space", Protego.parse(tokens)),
                ("5 other records keep the group", Protego.parse(rules_only)),
            ]
        return self._steps


def _lines_within_limit(data: bytes) -> list[str]:
    text = data[:ROBOTS_PARSE_LIMIT_BYTES].decode("utf-8", "replace").removeprefix("\ufeff")
    lines = [_EXOTIC_BREAKS.sub(" ", line) for line in re.split(r"\r\n|\r|\n", text)]
    return lines[:-1] if len(data) > ROBOTS_PARSE_LIMIT_BYTES else lines


def _directives(lines: list[str]) -> Iterator[tuple[str, tuple[str, str] | None]]:
    for line in lines:
        content = line.split("#", 1)[0].strip()
        yield line, _extract_directive(content) if content else None


def _agent_lines_as_tokens(lines: list[str]) -> Iterator[str]:
    for line, parsed in _directives(lines):
        if parsed is not None and parsed[0] in _USER_AGENT_DIRECTIVE:
            word = parsed[1].split()[0] if parsed[1].strip() else ""
            token = "*" if word == "*" else product_token(word.replace("*", ""))
            yield f"User-agent: {token}"
        else:
            yield line


def _without_other_records(lines: list[str]) -> Iterator[str]:
    kept = _USER_AGENT_DIRECTIVE | _ALLOW_DIRECTIVE | _DISALLOW_DIRECTIVE
    for line, parsed in _directives(lines):
        if parsed is not None and parsed[0] in kept:
            yield line
