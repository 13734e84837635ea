"""robots.txt read as RFC 9309 says, with the rule that decided each URL.

Built on Protego: its line reader (``_extract_directive``, lenient about
spacing, a missing colon and the common misspellings of ``disallow``) and its
``*``/``$`` pattern matcher are used as they are. Protego's grouping, agent
matching and percent-encoding depart from RFC 9309, and none of them can be
corrected through its public API (``Protego.parse`` then ``can_fetch``); nor
does that API say which rule decided, on which line. So this module groups the
lines, picks the groups for a product token, normalises paths and applies the
longest match itself. The departures of Protego 0.7 corrected here, each with a
test in ``tests/unit/parsing/test_robots.py``:

1. §2.2: a line ends at CR, LF or CR LF only. Protego's ``str.splitlines``
   also splits at NEL, LS, PS, VT, FF and FS/GS/RS, cutting a rule short.
2. A UTF-8 byte order mark is not part of the first line; Protego reads
   ``User-agent`` behind U+FEFF as an unknown record and loses the first agent.
3. §2.2.1: a user-agent line names a product token, read up to its first space
   (or any character a token cannot hold: ``Googlebot/2.1`` is ``googlebot``,
   ``* (all)`` is ``*``). Protego keys the group by the whole value.
4. §2.2.1: the groups whose token equals the crawler's, ignoring case, are
   obeyed, else the ``*`` groups. Protego scores each group by the length of
   its name found in the crawler's name at a word start, so ``foobot-news``
   obeys ``foobot`` and ``linkequity`` obeys ``link``; and a one-letter name
   ties with ``*`` and loses to it when ``*`` comes first.
5. §2.2.4: records other than user-agent, allow and disallow (crawl-delay,
   sitemap, unknown lines) must not end a group. Protego starts a new group
   at a user-agent line after any of them.
6. §2.2.2: a percent-encoded reserved character stays encoded and is not the
   raw character (RFC 3986 §2.2). Protego decodes every escape but ``%2F`` and
   ``%25`` and encodes reserved characters, so ``/a%3Fb`` is ``/a?b`` and a
   rule with reserved characters counts as longer than it is.
7. §2.2.3: ``$`` ends the pattern only as its last character. Protego also
   adds the pattern with a literal ``$``, so ``/foo$`` disallows ``/foo$bar``.
8. §2.2.2: only the rules written apply. Protego adds ``Allow: /dir/$`` for
   ``Allow: /dir/index.html``.
9. §2.5: the first 500 KiB are parsed (Protego has no limit).

Pure: text in, values out.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from protego._protego import (
    _ALLOW_DIRECTIVE,
    _CRAWL_DELAY_DIRECTIVE,
    _DISALLOW_DIRECTIVE,
    _SITEMAP_DIRECTIVE,
    _USER_AGENT_DIRECTIVE,
    _extract_directive,
)
from protego._urlpattern import _URLPattern

__all__ = [
    "ROBOTS_PARSE_LIMIT_BYTES",
    "RobotsDecision",
    "RobotsGroup",
    "RobotsRule",
    "RobotsTxt",
    "explain_robots",
    "normalize_robots_path",
    "parse_robots",
    "product_token",
    "robots_allowed",
]

#: Bytes of a robots.txt parsed at most: RFC 9309 §2.5 asks for at least 500 KiB.
ROBOTS_PARSE_LIMIT_BYTES = 500 * 1024

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# RFC 9309 tokens hold letters, "_" and "-"; digits are let in too, as names such as
# MJ12bot and 360Spider are written, and would otherwise all read as "mj" or "".
_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_RESERVED = frozenset(":/?#[]@!$&'()*+,;=")
_HEX = frozenset(string.hexdigits)
# Paths made only of these need no work: no escape, no byte to encode, no * or $.
_PLAIN = re.compile(r"[A-Za-z0-9\-._~/:?\[\]@!&'()+,;=]*")
_URL_PARTS = re.compile(r"(?:[^:/?#]+:)?(?://[^/?#]*)?([^?#]*)(?:\?([^#]*))?", re.S)


@dataclass(frozen=True, slots=True)
class RobotsRule:
    """One allow or disallow line of a group.

    Attributes
    ----------
    line : int
        Line number in the file, from 1.
    is_allow : bool
        ``True`` for ``Allow``, ``False`` for ``Disallow``.
    pattern : str
        The path pattern as written.
    text : str
        The whole line as written, without its line break.
    normalized : str
        The pattern as matched: percent-encoding normalised (RFC 9309 §2.2.2),
        ``*`` a wildcard, a final ``$`` the end of the path.
    """

    line: int
    is_allow: bool
    pattern: str
    text: str
    normalized: str

    @property
    def directive(self) -> str:
        """``allow`` or ``disallow``."""
        return "allow" if self.is_allow else "disallow"

    @property
    def length(self) -> int:
        """Octets of the normalised pattern: the longest matching rule wins."""
        return len(self.normalized)

    def matches(self, path: str) -> bool:
        """Whether this rule matches *path*, normalised by :func:`normalize_robots_path`."""
        return _matcher(self.normalized).match(path)


@dataclass(frozen=True, slots=True)
class RobotsGroup:
    """User-agent lines and the rules that follow them.

    Attributes
    ----------
    agents : tuple of str
        Product tokens, lowercased; ``*`` for the group of every crawler, ``""``
        for a line that names no usable token.
    agent_lines : tuple of int
        Line numbers of the user-agent lines.
    rules : tuple of RobotsRule
        Allow and disallow rules in file order (empty values left out).
    crawl_delay_s : float or None
        The group's ``Crawl-delay``, a non-standard record, when it is a number.
    """

    agents: tuple[str, ...]
    agent_lines: tuple[int, ...]
    rules: tuple[RobotsRule, ...]
    crawl_delay_s: float | None = None


@dataclass(frozen=True, slots=True)
class RobotsDecision:
    """Whether a crawler may fetch a URL, and why.

    Attributes
    ----------
    is_allowed : bool
        The verdict.
    agent : str
        The product token the groups were chosen for.
    path : str
        The URL's path and query as matched (normalised).
    groups : tuple of RobotsGroup
        The groups obeyed, merged when several name the agent; empty when none applies.
    rule : RobotsRule or None
        The longest matching rule; ``None`` when no rule matched.
    is_robots_txt : bool
        ``True`` when the URL is ``/robots.txt`` itself, always allowed.
    """

    is_allowed: bool
    agent: str
    path: str
    groups: tuple[RobotsGroup, ...]
    rule: RobotsRule | None
    is_robots_txt: bool = False

    @property
    def explanation(self) -> str:
        """One sentence: the rule that decided, or why none did."""
        if self.is_robots_txt:
            return "/robots.txt itself is always allowed (RFC 9309 §2.2.2)"
        if not self.groups:
            return f"no group names {self.agent!r} and there is no '*' group: no rules apply"
        if self.rule is None:
            return f"no rule of {_describe_groups(self.groups)} matches {self.path}: allowed"
        verdict = "allowed" if self.is_allowed else "disallowed"
        return (
            f"{verdict} by line {self.rule.line} {self.rule.text.strip()!r} "
            f"of {_describe_groups(self.groups)}, the longest rule matching {self.path}"
        )


@dataclass(frozen=True, slots=True)
class RobotsTxt:
    """A parsed robots.txt.

    Attributes
    ----------
    groups : tuple of RobotsGroup
        Groups in file order, as written (not merged).
    sitemaps : tuple of str
        ``Sitemap`` values in file order.
    lines : int
        Lines read (within the parse limit).
    is_truncated : bool
        The file was longer than ``ROBOTS_PARSE_LIMIT_BYTES``; the rest was not read.
    """

    groups: tuple[RobotsGroup, ...]
    sitemaps: tuple[str, ...] = ()
    lines: int = 0
    is_truncated: bool = False

    def groups_for(self, user_agent: str) -> tuple[RobotsGroup, ...]:
        """Return the groups a crawler obeys: those naming its token, else the ``*`` groups."""
        token = product_token(user_agent)
        named = tuple(g for g in self.groups if token not in {"", "*"} and token in g.agents)
        return named or tuple(g for g in self.groups if "*" in g.agents)

    def decide(self, user_agent: str, url: str) -> RobotsDecision:
        """Whether *user_agent* may fetch *url*, with the rule that decided.

        Parameters
        ----------
        user_agent : str
            The crawler's product token, or a User-Agent string that starts with
            it (``Googlebot/2.1 (+http://…)`` is ``googlebot``).
        url : str
            An absolute URL, or a path (``/a/b?c``).
        """
        token = product_token(user_agent)
        path = normalize_robots_path(url)
        if path.split("?", 1)[0] == "/robots.txt":
            return RobotsDecision(True, token, path, (), None, is_robots_txt=True)
        groups = self.groups_for(user_agent)
        best: RobotsRule | None = None
        for group in groups:
            for rule in group.rules:
                if (best is None or _outranks(rule, best)) and rule.matches(path):
                    best = rule
        return RobotsDecision(best is None or best.is_allow, token, path, groups, best)

    def crawl_delay_s(self, user_agent: str) -> float | None:
        """Return the largest ``Crawl-delay`` of the groups *user_agent* obeys, if any."""
        delays = [g.crawl_delay_s for g in self.groups_for(user_agent) if g.crawl_delay_s]
        return max(delays, default=None)


def parse_robots(source: str | bytes) -> RobotsTxt:
    """Parse a robots.txt: its first 500 KiB, UTF-8, a byte order mark ignored.

    Parameters
    ----------
    source : str or bytes
        The file's text, or its bytes as fetched (decoded as UTF-8, bad bytes replaced).

    Returns
    -------
    RobotsTxt
        Groups, rules with their line numbers, sitemaps.
    """
    data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    is_truncated = len(data) > ROBOTS_PARSE_LIMIT_BYTES
    text = data[:ROBOTS_PARSE_LIMIT_BYTES].decode("utf-8", "replace").removeprefix("\ufeff")
    lines = _LINE_BREAK.split(text)
    if is_truncated:
        lines.pop()  # cut mid-line: a shortened pattern would forbid more than written
    builders: list[_GroupBuilder] = []
    sitemaps: list[str] = []
    current: _GroupBuilder | None = None
    for number, raw in enumerate(lines, 1):
        content = raw.split("#", 1)[0].strip()
        parsed = _extract_directive(content) if content else None
        if parsed is None:
            continue
        field, value = parsed
        if field in _USER_AGENT_DIRECTIVE:
            if current is None or current.has_rule_lines:
                current = _GroupBuilder()
                builders.append(current)
            current.agents.append(_line_token(value))
            current.agent_lines.append(number)
        elif field in _ALLOW_DIRECTIVE or field in _DISALLOW_DIRECTIVE:
            if current is None:
                continue  # a rule before any user-agent line belongs to no group
            current.has_rule_lines = True
            if value:
                is_allow = field in _ALLOW_DIRECTIVE
                current.rules.append(
                    RobotsRule(number, is_allow, value, raw.strip(), _normalize_pattern(value))
                )
        elif field in _SITEMAP_DIRECTIVE:
            if value:
                sitemaps.append(value)
        elif field in _CRAWL_DELAY_DIRECTIVE and current is not None:
            current.crawl_delay_s = _delay_s(value, current.crawl_delay_s)
    return RobotsTxt(
        groups=tuple(b.build() for b in builders),
        sitemaps=tuple(sitemaps),
        lines=len(lines),
        is_truncated=is_truncated,
    )


def explain_robots(robots_txt: str, user_agent: str, url: str) -> RobotsDecision:
    r"""Whether *user_agent* may fetch *url* under *robots_txt*, and the rule that decided.

    Examples
    --------
    >>> rules = "User-agent: *\nDisallow: /private/\nAllow: /private/press/\n"
    >>> explain_robots(rules, "linkequity", "https://a.example/private/press/1").rule.line
    3
    """
    return parse_robots(robots_txt).decide(user_agent, url)


def robots_allowed(robots_txt: str, user_agent: str, url: str) -> bool:
    r"""Whether *user_agent* may fetch *url* under *robots_txt* (RFC 9309).

    Examples
    --------
    >>> robots_allowed("User-agent: *\nDisallow: /private/\n", "linkequity", "/private/a")
    False
    """
    return explain_robots(robots_txt, user_agent, url).is_allowed


def product_token(user_agent: str) -> str:
    """Return the product token of a crawler's name, lowercased (RFC 9309 §2.2.1).

    Read up to the first character a token cannot hold (letters, digits, ``_``
    and ``-``): ``"Googlebot/2.1 (+http://www.google.com/bot.html)"`` gives
    ``"googlebot"``. ``"*"`` stays ``"*"``.
    """
    text = user_agent.strip()
    if text == "*" or text.startswith(("* ", "*\t")):
        return "*"
    match = _TOKEN.match(text)
    return match.group().lower() if match else ""


def normalize_robots_path(url: str) -> str:
    """Return the path and query of *url* as rules are matched against it (RFC 9309 §2.2.2).

    Escapes of unreserved characters are decoded (``%7A`` is ``z``), other
    escapes keep their octet in upper case, characters outside ASCII are
    percent-encoded as UTF-8, and ``*`` and ``$`` are encoded so that only a
    pattern's ``%2A`` and ``%24`` match them (§2.2.3). The fragment is dropped.
    """
    if url.startswith("/") and not url.startswith("//"):
        path, _, rest = url.partition("?")
        query = f"?{rest}" if "?" in url else ""
        path_and_query = (path + query).partition("#")[0]
    else:
        path_and_query = _path_and_query(url.partition("#")[0])
    return _normalize(path_and_query, is_pattern=False)


def _path_and_query(url: str) -> str:
    """Return the path (``/`` when empty) and query of an absolute or scheme-relative *url*."""
    try:
        parts = urlsplit(url)
    except ValueError:
        # urlsplit refuses a bracketed host it cannot read ("http://[x/"); the
        # path and query are still where RFC 3986 appendix B puts them.
        found = _URL_PARTS.fullmatch(url)
        path, query = (found.group(1), found.group(2)) if found else ("", None)
    else:
        path, query = parts.path, parts.query
    return (path or "/") + (f"?{query}" if "?" in url and query is not None else "")


class _GroupBuilder:
    __slots__ = ("agent_lines", "agents", "crawl_delay_s", "has_rule_lines", "rules")

    def __init__(self) -> None:
        self.agents: list[str] = []
        self.agent_lines: list[int] = []
        self.rules: list[RobotsRule] = []
        self.crawl_delay_s: float | None = None
        self.has_rule_lines = False

    def build(self) -> RobotsGroup:
        return RobotsGroup(
            tuple(self.agents), tuple(self.agent_lines), tuple(self.rules), self.crawl_delay_s
        )


def _line_token(value: str) -> str:
    word = value.split(None, 1)[0] if value.strip() else ""
    if word == "*":
        return "*"
    # Protego's leniency, kept: "foo*" names foo.
    return product_token(word.replace("*", ""))


def _delay_s(value: str, current: float | None) -> float | None:
    try:
        delay = float(value)
    except ValueError:
        return current
    return delay if 0 <= delay < float("inf") else current


def _outranks(rule: RobotsRule, best: RobotsRule) -> bool:
    # Longest match wins; of two as long, allow wins; then the earlier line.
    return (rule.length, rule.is_allow) > (best.length, best.is_allow)


def _describe_groups(groups: tuple[RobotsGroup, ...]) -> str:
    agents = sorted({agent for group in groups for agent in group.agents if agent})
    lines = ", ".join(str(line) for group in groups for line in group.agent_lines)
    noun = "line" if lines.count(",") == 0 else "lines"
    return f"the group of user-agent {' '.join(agents) or '?'} ({noun} {lines})"


def _normalize_pattern(pattern: str) -> str:
    if pattern.endswith("$"):
        return _normalize(pattern[:-1], is_pattern=True) + "$"
    return _normalize(pattern, is_pattern=True)


def _normalize(text: str, *, is_pattern: bool) -> str:
    if _PLAIN.fullmatch(text):
        return text
    data = text.encode("utf-8", "surrogatepass")
    out: list[str] = []
    index = 0
    while index < len(data):
        byte = data[index]
        char = chr(byte)
        if char == "%" and index + 2 < len(data) and _is_escape(data, index):
            octet = int(data[index + 1 : index + 3], 16)
            out.append(chr(octet) if chr(octet) in _UNRESERVED else f"%{octet:02X}")
            index += 3
            continue
        if char == "*" and is_pattern:
            out.append("*")
        elif char in _UNRESERVED or (char in _RESERVED and char not in "*$") or char == "%":
            out.append(char)
        else:
            out.append(f"%{byte:02X}")
        index += 1
    return "".join(out)


def _is_escape(data: bytes, index: int) -> bool:
    return chr(data[index + 1]) in _HEX and chr(data[index + 2]) in _HEX


@lru_cache(maxsize=8192)
def _matcher(normalized: str) -> _URLPattern:
    return _URLPattern(normalized)
