"""Google's disavow file: write it, lint it, and compare two of them.

The format (https://support.google.com/webmasters/answer/2648487): a text
file named ``*.txt`` in UTF-8 or 7-bit ASCII, one entry a line: a whole URL
(``https://spam.example/page.html``) or a domain or subdomain with the
``domain:`` prefix (``domain:spam.example``, which also covers its
subdomains); a line starting with ``#`` is a comment that Google ignores.
Google cannot disavow a subpath (``example.com/blog/``): an entry is a whole
domain or one exact URL. At most 100,000 lines (blank and comment lines
count), 2 MB, and 2,048 characters a URL.

"2 MB" is read as 2,000,000 bytes, the smaller reading, so that a file
written here is under the limit whichever Google means.

Text from the web (anchors, titles) may end up in a reason; a comment is one
line whatever it holds: line breaks of every kind, control and bidi
characters become spaces. Pure: text in, text out.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from linkequity.errors import InvalidUrl, UsageError
from linkequity.model.urls import normalize_url, registrable_domain, url_host

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

__all__ = [
    "DOMAIN_PREFIX",
    "MAX_FILE_BYTES",
    "MAX_LINES",
    "MAX_URL_CHARS",
    "DisavowDiff",
    "DisavowEntry",
    "DisavowLint",
    "LintProblem",
    "diff_disavow",
    "lint_disavow",
    "parse_entry_list",
    "write_disavow",
]

#: Most lines Google reads in one file, blank and comment lines included.
MAX_LINES = 100_000
#: Largest file Google reads: 2 MB, taken as 2,000,000 bytes (the smaller reading).
MAX_FILE_BYTES = 2_000_000
#: Longest URL entry Google reads, in characters.
MAX_URL_CHARS = 2_048
#: The prefix of a domain entry.
DOMAIN_PREFIX = "domain:"

#: Longest reason kept in a comment, in characters; longer ones are cut.
MAX_REASON_CHARS = 300

Severity = Literal["error", "warning"]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Characters a domain entry may not hold before its host is read: they would
# make a URL of it (path, port, user, query) or are not host characters at all.
_NOT_IN_HOST = re.compile(r"[/\\:@?#\s]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DisavowEntry:
    """One line of a disavow file: a whole domain (or subdomain) or one exact URL.

    The value is normalised on construction: a host in lowercase IDNA ASCII
    form for a domain, ``normalize_url`` form for a URL.

    Attributes
    ----------
    value : str
        The host of a domain entry, or the URL.
    is_domain : bool
        Whether the entry disavows every page of ``value`` and its subdomains.
    reasons : tuple of str
        Why, one comment line each (any text; it is made safe when written).

    Raises
    ------
    InvalidUrl
        If ``value`` is not a host (a domain entry: no path, port or
        wildcard; not a public suffix) or not an http(s) URL.
    """

    value: str
    is_domain: bool = False
    reasons: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        value = _domain_host(self.value) if self.is_domain else normalize_url(self.value)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "reasons", tuple(self.reasons))

    @classmethod
    def parse(cls, line: str, reasons: Iterable[str] = ()) -> DisavowEntry:
        """Read ``domain:NAME`` or a URL, as written in a disavow file.

        Raises
        ------
        InvalidUrl
            If the line is neither.
        """
        text = line.strip()
        if text[: len(DOMAIN_PREFIX)].lower() == DOMAIN_PREFIX:
            return cls(text[len(DOMAIN_PREFIX) :].strip(), True, tuple(reasons))
        return cls(text, False, tuple(reasons))

    @property
    def line(self) -> str:
        """The entry as a line of the file, without its comments."""
        return f"{DOMAIN_PREFIX}{self.value}" if self.is_domain else self.value

    @property
    def host(self) -> str:
        """The host the entry disavows pages of (all of its pages for a domain entry)."""
        return self.value if self.is_domain else url_host(self.value)

    def covers(self, other: DisavowEntry) -> bool:
        """Whether disavowing this entry already disavows everything *other* does."""
        if self == other:
            return True
        return self.is_domain and _is_within(other.host, self.value)


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One thing wrong, or worth a look, in a disavow file.

    Attributes
    ----------
    line : int
        1-based line number; 0 for the file as a whole.
    severity : str
        ``"error"``: Google rejects the file or ignores the line, or the line
        does not do what it seems to; ``"warning"``: valid, but likely not what
        was meant.
    code : str
        A short name of the rule: ``encoding``, ``bom``, ``file-name``,
        ``too-many-lines``, ``too-large``, ``bad-line``, ``domain-scheme``,
        ``domain-path``, ``wildcard``, ``subpath``, ``url-too-long``,
        ``duplicate``, ``covered``, ``comment-indented``, ``spacing``.
    message : str
        What is wrong and what to do.
    """

    line: int
    severity: Severity
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class DisavowLint:
    """What ``lint_disavow`` found in a file.

    Attributes
    ----------
    name : str
        The file's name, as given.
    lines : int
        Lines, as Google counts them (a final newline starts no new line).
    size_bytes : int
        Size of the file.
    entries : tuple of DisavowEntry
        The entries Google would read, in file order, each with the comment
        lines right above it as reasons; duplicates included.
    entry_lines : tuple of int
        The line of each entry.
    problems : tuple of LintProblem
        Every problem, by line.
    """

    name: str
    lines: int
    size_bytes: int
    entries: tuple[DisavowEntry, ...]
    entry_lines: tuple[int, ...]
    problems: tuple[LintProblem, ...]

    @property
    def errors(self) -> tuple[LintProblem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[LintProblem, ...]:
        """The problems of severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def is_clean(self) -> bool:
        """Whether no problem at all was found."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class DisavowDiff:
    """Two disavow files compared entry by entry (the same domain or the same URL).

    Attributes
    ----------
    added : tuple of DisavowEntry
        In the proposed file only (with the proposed reasons).
    removed : tuple of DisavowEntry
        In the existing file only.
    kept : tuple of DisavowEntry
        In both (with the proposed reasons).
    """

    added: tuple[DisavowEntry, ...]
    removed: tuple[DisavowEntry, ...]
    kept: tuple[DisavowEntry, ...]


def write_disavow(entries: Iterable[DisavowEntry], *, header: Sequence[str] = ()) -> str:
    """Write entries in Google's disavow format, each after its reasons as ``#`` comments.

    Entries are deduplicated (the reasons of duplicates joined), an entry
    that a domain entry already covers (a URL on it, a subdomain of it) is
    dropped, and the rest come sorted: domains, then URLs.

    Parameters
    ----------
    entries : iterable of DisavowEntry
        What to disavow.
    header : sequence of str, default ()
        Comment lines for the top of the file (what, for whom, by what).

    Returns
    -------
    str
        The file's text, one line per comment or entry, ending with a newline;
        encode it as UTF-8.

    Raises
    ------
    UsageError
        If a URL is longer than ``MAX_URL_CHARS``, or the file would have more
        than ``MAX_LINES`` lines or ``MAX_FILE_BYTES`` bytes: Google would
        reject it.

    Examples
    --------
    >>> print(write_disavow([DisavowEntry("Spam.example", True, ("link farm",))]), end="")
    # link farm
    domain:spam.example
    """
    kept = _canonical(entries)
    for entry in kept:
        if not entry.is_domain and len(entry.value) > MAX_URL_CHARS:
            raise UsageError(
                f"the URL {entry.value[:100]}… has {len(entry.value):,} characters; "
                f"Google reads URLs of at most {MAX_URL_CHARS:,}",
                hint=f"Disavow its domain instead: {DOMAIN_PREFIX}{entry.host}",
            )
    lines = [comment for text in header if (comment := _comment(text))]
    if lines and kept:
        lines.append("")
    for entry in kept:
        lines.extend(comment for text in entry.reasons if (comment := _comment(text)))
        lines.append(entry.line)
    text = "".join(f"{line}\n" for line in lines)
    size = len(text.encode("utf-8"))
    if len(lines) > MAX_LINES or size > MAX_FILE_BYTES:
        raise UsageError(
            f"the disavow file would have {len(lines):,} lines and {size:,} bytes; Google reads "
            f"at most {MAX_LINES:,} lines and {MAX_FILE_BYTES:,} bytes",
            hint="Disavow whole domains rather than their pages, or give fewer reasons.",
        )
    return text


def lint_disavow(content: str | bytes, name: str) -> DisavowLint:
    r"""Find every problem of a disavow file, each with its line number.

    Errors: not UTF-8 (or UTF-16), a file name not ending in ``.txt``, over
    ``MAX_LINES`` lines or ``MAX_FILE_BYTES`` bytes, a line that is neither a
    comment, a ``domain:`` entry nor an absolute http(s) URL, a ``domain:``
    entry with a scheme, a path (a subpath, which Google ignores), a port or
    a wildcard, a URL over ``MAX_URL_CHARS`` characters, a comment not at
    the start of its line. Warnings: a byte order mark, a URL ending in
    ``/`` (Google disavows that one URL, never the pages under it), a
    wildcard in a URL, a duplicate, an entry a domain entry already covers,
    spacing Google's help never shows.

    Parameters
    ----------
    content : str or bytes
        The file; bytes are checked for their encoding too.
    name : str
        The file's name (Google takes ``.txt`` files only), shown in problems.

    Returns
    -------
    DisavowLint
        The problems and the entries Google would read.

    Examples
    --------
    >>> lint = lint_disavow(b"domain:example.com/blog\n", "disavow.txt")
    >>> [(p.line, p.code) for p in lint.problems]
    [(1, 'domain-path')]
    """
    problems: list[LintProblem] = []
    raw = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    if not name.lower().endswith(".txt"):
        problems.append(
            _problem(0, "error", "file-name", "Google takes only .txt files: rename it to *.txt")
        )
    lines = _decoded_lines(raw, problems)
    _check_limits(raw, problems)
    entries: list[DisavowEntry] = []
    entry_lines: list[int] = []
    comments: list[str] = []
    for number, line in enumerate(lines, start=1):
        entry = _lint_line(number, line, problems)
        if line.startswith("#"):
            comments.append(line[1:].strip())
            continue
        if entry is not None:
            entries.append(DisavowEntry(entry.value, entry.is_domain, tuple(comments)))
            entry_lines.append(number)
        comments = []
    problems.extend(_overlaps(entries, entry_lines))
    problems.sort(key=lambda p: (p.line, p.severity != "error"))
    return DisavowLint(
        name=name,
        lines=len(lines),
        size_bytes=len(raw),
        entries=tuple(entries),
        entry_lines=tuple(entry_lines),
        problems=tuple(problems),
    )


def diff_disavow(existing: Iterable[DisavowEntry], proposed: Iterable[DisavowEntry]) -> DisavowDiff:
    """Compare an existing disavow file's entries with proposed ones, entry by entry.

    Parameters
    ----------
    existing : iterable of DisavowEntry
        The entries of the file in use (say ``lint_disavow(...).entries``).
    proposed : iterable of DisavowEntry
        The entries the audit would write.

    Returns
    -------
    DisavowDiff
        Added, removed and kept entries, each sorted as ``write_disavow`` writes them.

    Examples
    --------
    >>> old = [DisavowEntry("a.example", True), DisavowEntry("b.example", True)]
    >>> new = [DisavowEntry("b.example", True), DisavowEntry("http://c.example/x")]
    >>> diff = diff_disavow(old, new)
    >>> [e.line for e in diff.added], [e.line for e in diff.removed], len(diff.kept)
    (['http://c.example/x'], ['domain:a.example'], 1)
    """
    old = {_key(entry): entry for entry in existing}
    new = _merged(proposed)
    added = [entry for key, entry in new.items() if key not in old]
    removed = [entry for key, entry in old.items() if key not in new]
    kept = [entry for key, entry in new.items() if key in old]
    return DisavowDiff(_sorted(added), _sorted(removed), _sorted(kept))


def parse_entry_list(text: str, name: str) -> list[DisavowEntry]:
    r"""Read a list of what to disavow: a disavow file, or bare domains and URLs, one a line.

    A line is ``domain:NAME``, a bare domain or host (``spam.example``) or an
    http(s) URL; blank lines are skipped and ``#`` comment lines right above
    an entry become its reasons.

    Parameters
    ----------
    text : str
        The list.
    name : str
        Its file name, for errors.

    Returns
    -------
    list of DisavowEntry
        The entries in list order.

    Raises
    ------
    UsageError
        At the first line that is none of these, naming the file and line.

    Examples
    --------
    >>> [e.line for e in parse_entry_list("# PBN\nspam.example\nhttp://x.example/a", "l")]
    ['domain:spam.example', 'http://x.example/a']
    """
    entries: list[DisavowEntry] = []
    comments: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped[1:].strip())
            continue
        if stripped:
            is_entry = "://" in stripped or stripped.lower().startswith(DOMAIN_PREFIX)
            try:
                if is_entry:
                    entries.append(DisavowEntry.parse(stripped, comments))
                else:
                    entries.append(DisavowEntry(stripped, True, tuple(comments)))
            except InvalidUrl as err:
                raise UsageError(
                    f"{name}:{number}: {err}",
                    hint="Give one domain (spam.example), domain:NAME or http(s) URL a line.",
                ) from err
        comments = []
    return entries


def _domain_host(name: str) -> str:
    """Return the host of a domain entry in canonical form; InvalidUrl if it is not one."""
    text = name.strip()
    shown = text[:100]
    if not text:
        raise InvalidUrl("an empty domain")
    if "*" in text:
        raise InvalidUrl(
            f"{shown!r} holds a wildcard; a domain entry already covers every subdomain"
        )
    bad = _NOT_IN_HOST.search(text)
    if bad is not None:
        raise InvalidUrl(f"{shown!r} is not a bare domain or host (it holds {bad.group()!r})")
    host = url_host(normalize_url(f"http://{text}/"))
    if registrable_domain(host) is None and not _is_ip(host):
        raise InvalidUrl(f"{shown!r} is a public suffix or a single label, not a site")
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_within(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}")


def _key(entry: DisavowEntry) -> tuple[bool, str]:
    return (not entry.is_domain, entry.value)


def _merged(entries: Iterable[DisavowEntry]) -> dict[tuple[bool, str], DisavowEntry]:
    """Entries by key, the reasons of duplicates joined in order."""
    merged: dict[tuple[bool, str], DisavowEntry] = {}
    for entry in entries:
        key = _key(entry)
        if key in merged:
            first = merged[key]
            reasons = first.reasons + tuple(r for r in entry.reasons if r not in first.reasons)
            merged[key] = DisavowEntry(first.value, first.is_domain, reasons)
        else:
            merged[key] = entry
    return merged


def _sorted(entries: Iterable[DisavowEntry]) -> tuple[DisavowEntry, ...]:
    return tuple(sorted(entries, key=_key))


def _canonical(entries: Iterable[DisavowEntry]) -> tuple[DisavowEntry, ...]:
    """Deduplicated, sorted, without the entries a domain entry covers."""
    merged = _sorted(_merged(entries).values())
    domains = {entry.value for entry in merged if entry.is_domain}
    return tuple(entry for entry in merged if _covering_domain(entry, domains) is None)


def _covering_domain(entry: DisavowEntry, domains: Collection[str]) -> str | None:
    """Return the widest of the other domain entries on *entry*'s host or a parent of it."""
    labels = entry.host.split(".")
    for start in range(len(labels) - 1, -1, -1):
        name = ".".join(labels[start:])
        if name in domains and not (entry.is_domain and name == entry.value):
            return name
    return None


def _comment(text: str) -> str:
    """One comment line holding *text*, or ``""`` when nothing printable is left."""
    cleaned = "".join(" " if _is_breaking(ch) else ch for ch in text)
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if len(cleaned) > MAX_REASON_CHARS:
        cleaned = cleaned[: MAX_REASON_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return f"# {cleaned}" if cleaned else ""


def _is_breaking(ch: str) -> bool:
    """Line breaks of any kind, control characters, bidi controls and lone surrogates."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in _BIDI_CONTROLS


def _problem(line: int, severity: Severity, code: str, message: str) -> LintProblem:
    return LintProblem(line, severity, code, message)


def _decoded_lines(raw: bytes, problems: list[LintProblem]) -> list[str]:
    """Return the lines as Google counts them, decoded; record encoding problems."""
    if raw.startswith(_UTF16_BOMS):
        problems.append(
            _problem(
                1,
                "error",
                "encoding",
                "the file is UTF-16; Google reads only UTF-8 or 7-bit ASCII: save it as UTF-8",
            )
        )
        raw = raw.decode("utf-16", "replace").encode("utf-8", "surrogatepass")
    if raw.startswith(_UTF8_BOM):
        problems.append(
            _problem(
                1,
                "warning",
                "bom",
                "the file starts with a UTF-8 byte order mark; Google's help asks for UTF-8 "
                "or 7-bit ASCII and does not say it skips one, so a strict reader sees an "
                "invisible character before the first line: save it without BOM",
            )
        )
        raw = raw[len(_UTF8_BOM) :]
    lines: list[str] = []
    for number, chunk in enumerate(_split_lines(raw), start=1):
        try:
            lines.append(chunk.decode("utf-8"))
        except UnicodeDecodeError as err:
            problems.append(
                _problem(
                    number,
                    "error",
                    "encoding",
                    f"not UTF-8 (byte 0x{chunk[err.start]:02x} at column {err.start + 1}); "
                    "Google reads only UTF-8 or 7-bit ASCII: save the file as UTF-8",
                )
            )
            lines.append(chunk.decode("utf-8", "replace"))
    return lines


def _split_lines(raw: bytes) -> list[bytes]:
    """Split on line feeds (a final one starts no line) and drop each line's carriage return."""
    parts = raw.split(b"\n")
    if parts and not parts[-1]:
        parts.pop()
    return [part.removesuffix(b"\r") for part in parts]


def _check_limits(raw: bytes, problems: list[LintProblem]) -> None:
    """Over ``MAX_LINES`` lines or ``MAX_FILE_BYTES`` bytes, at the line that crosses."""
    if raw.count(b"\n") + (not raw.endswith(b"\n") and bool(raw)) > MAX_LINES:
        problems.append(
            _problem(
                MAX_LINES + 1,
                "error",
                "too-many-lines",
                f"over {MAX_LINES:,} lines (blank and comment lines count); Google rejects "
                "the file: disavow whole domains instead of pages, or drop comments",
            )
        )
    if len(raw) > MAX_FILE_BYTES:
        crossing = raw.count(b"\n", 0, MAX_FILE_BYTES) + 1
        problems.append(
            _problem(
                crossing,
                "error",
                "too-large",
                f"the file has {len(raw):,} bytes, over Google's {MAX_FILE_BYTES:,}; it "
                "crosses the limit on this line: disavow whole domains, or drop comments",
            )
        )


def _lint_line(number: int, line: str, problems: list[LintProblem]) -> DisavowEntry | None:
    """Check one line; return the entry Google reads from it, if any."""
    stripped = line.strip()
    if not stripped or line.startswith("#"):
        return None
    if stripped.startswith("#"):
        problems.append(
            _problem(
                number,
                "error",
                "comment-indented",
                "a comment must start with # at the very start of the line; "
                "otherwise Google reads it as an entry",
            )
        )
        return None
    if stripped != line:
        problems.append(
            _problem(number, "warning", "spacing", "spaces around the entry: remove them")
        )
    if stripped[: len(DOMAIN_PREFIX)].lower() == DOMAIN_PREFIX:
        return _lint_domain(number, stripped, problems)
    if _SCHEME.match(stripped):
        return _lint_url(number, stripped, problems)
    problems.append(_bad_line(number, stripped))
    return None


def _bad_line(number: int, text: str) -> LintProblem:
    shown = text[:80]
    if "/" in text or "." not in text:
        why = (
            f"{shown!r} is neither a comment, a domain: entry nor an http(s) URL: write a "
            "page as its whole URL (https://…), or a site as domain:NAME (Google cannot "
            "disavow a subpath)"
        )
    else:
        why = (
            f"{shown!r} has no domain: prefix, so Google reads nothing from it: "
            f"write domain:{shown}"
        )
    return _problem(number, "error", "bad-line", why)


def _lint_domain(number: int, text: str, problems: list[LintProblem]) -> DisavowEntry | None:
    prefix, rest = text[: len(DOMAIN_PREFIX)], text[len(DOMAIN_PREFIX) :]
    if prefix != DOMAIN_PREFIX or rest[:1].isspace():
        problems.append(
            _problem(
                number,
                "warning",
                "spacing",
                f"write the prefix as {DOMAIN_PREFIX!r}, lowercase and followed directly "
                "by the name, as Google's help does",
            )
        )
    name = rest.strip()
    if _SCHEME.match(name):
        problems.append(
            _problem(
                number,
                "error",
                "domain-scheme",
                f"a domain entry has no scheme: write {DOMAIN_PREFIX}NAME, "
                f"or the page's whole URL without {DOMAIN_PREFIX!r}",
            )
        )
        return None
    if "*" in name:
        problems.append(
            _problem(
                number,
                "error",
                "wildcard",
                "Google does not expand wildcards, and a domain entry already covers "
                f"every subdomain: write {DOMAIN_PREFIX}{name.lstrip('*.') or 'NAME'}",
            )
        )
        return None
    if "/" in name:
        problems.append(
            _problem(
                number,
                "error",
                "domain-path",
                "a domain entry with a path is a subpath, which Google ignores: "
                f"use {DOMAIN_PREFIX}{name.split('/', 1)[0]} for the whole site, "
                "or list each page's URL",
            )
        )
        return None
    try:
        return DisavowEntry(name, True)
    except InvalidUrl as err:
        problems.append(_problem(number, "error", "bad-line", f"not a domain entry: {err}"))
        return None


def _lint_url(number: int, text: str, problems: list[LintProblem]) -> DisavowEntry | None:
    if len(text) > MAX_URL_CHARS:
        problems.append(
            _problem(
                number,
                "error",
                "url-too-long",
                f"the URL has {len(text):,} characters; Google reads at most {MAX_URL_CHARS:,}: "
                "disavow its domain instead",
            )
        )
        return None
    if not text[:8].lower().startswith(("http://", "https://")):
        problems.append(
            _problem(number, "error", "bad-line", "not an http(s) URL: Google disavows web pages")
        )
        return None
    if any(ch.isspace() for ch in text):
        problems.append(
            _problem(
                number,
                "error",
                "bad-line",
                "the URL holds a space: Google reads only whole-line # comments, "
                "so text after an entry makes it another URL",
            )
        )
        return None
    try:
        entry = DisavowEntry(text)
    except InvalidUrl as err:
        problems.append(_problem(number, "error", "bad-line", f"not a URL Google reads: {err}"))
        return None
    if "*" in text:
        problems.append(
            _problem(
                number,
                "warning",
                "wildcard",
                "Google matches URLs exactly and does not expand '*': list each page, "
                f"or {DOMAIN_PREFIX}{entry.host} for the whole site",
            )
        )
    path = entry.value.partition("://")[2].partition("/")[2]
    if "?" not in entry.value and (path == "" or path.endswith("/")):
        what = "the home page only" if path == "" else "only this one URL"
        problems.append(
            _problem(
                number,
                "warning",
                "subpath",
                f"ends in '/': Google disavows {what}, never the pages under it "
                f"(it cannot disavow a subpath): list each page, or {DOMAIN_PREFIX}"
                f"{entry.host} for the whole site",
            )
        )
    return entry


def _overlaps(entries: Sequence[DisavowEntry], lines: Sequence[int]) -> list[LintProblem]:
    """Duplicates, and entries a domain entry already covers."""
    problems: list[LintProblem] = []
    first_line: dict[tuple[bool, str], int] = {}
    line_of_domain: dict[str, int] = {}
    for entry, line in zip(entries, lines, strict=True):
        if entry.is_domain:
            line_of_domain.setdefault(entry.value, line)
    for entry, line in zip(entries, lines, strict=True):
        key = _key(entry)
        if key in first_line:
            problems.append(
                _problem(
                    line,
                    "warning",
                    "duplicate",
                    f"duplicate of line {first_line[key]} (the same entry once normalised)",
                )
            )
            continue
        first_line[key] = line
        parent = _covering_domain(entry, line_of_domain)
        if parent is not None:
            problems.append(
                _problem(
                    line,
                    "warning",
                    "covered",
                    f"already covered by {DOMAIN_PREFIX}{parent} on line "
                    f"{line_of_domain[parent]}: this line changes nothing",
                )
            )
    return problems
