"""URLs in one canonical form, and the sites they belong to.

``normalize_url`` turns any absolute http(s) URL into the form the store keys on
(RFC 3986 section 6 syntax-based normalisation plus the scheme-based rules for
http), so that two spellings of one page become one row. ``registrable_domain``
answers "which site is this?" from the Public Suffix List bundled in the
``publicsuffixlist`` wheel; nothing is fetched at run time.

Everything here is pure and never raises on hostile text except
``InvalidUrl``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

import idna
from publicsuffixlist import PublicSuffixList

from linkequity.errors import InvalidUrl

__all__ = [
    "MAX_URL_BYTES",
    "Url",
    "has_known_suffix",
    "normalize_url",
    "parse_url",
    "public_suffix",
    "registrable_domain",
    "resolve_url",
    "reversed_host",
    "unreversed_host",
    "url_host",
]

#: Longest URL, in UTF-8 bytes before and after normalisation, that we accept.
MAX_URL_BYTES = 8192

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_MAX_LABEL_CHARS = 63
_MAX_HOST_CHARS = 253
_SHOWN_CHARS = 100
_CACHED_HOST_CHARS = 256

# RFC 3986 appendix B: matches every string, so it never fails on hostile text.
_URI_PARTS = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_PORT = re.compile(r"[0-9]*")
_ASCII_LABEL = re.compile(r"[a-z0-9_\-]+")
_DIGITS = re.compile(r"[0-9]+")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# One alternative for a percent-escape, one for any character the component may
# not hold literally (a lone "%" included, so it becomes "%25").
_PATH_FIX = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]")
_QUERY_FIX = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]")
_JOINERS = frozenset("\u200c\u200d")
_TRIM_CHARS = "".join(map(chr, range(0x21))) + "".join(
    ch for ch in map(chr, range(0x80, 0x3001)) if ch.isspace()
)
_HREF_DROPPED = str.maketrans("", "", "\t\n\r")
# A URL already in normal form, before its fragment: lowercase http(s), a host
# of lowercase ASCII labels, no port or userinfo, a path and an optional
# non-empty query of characters normalising leaves alone (no escapes).
_NORMAL_FORM = re.compile(
    r"https?://([a-z0-9_.\-]+)(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|\Z)")
_NORMAL_ABSOLUTE_PATH = re.compile(
    r"/(?!/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
)


class _HostError(ValueError):
    """A host that cannot be normalised; the message says why."""


@dataclass(frozen=True, slots=True)
class Url:
    """One normalised URL with the host and registrable domain it belongs to.

    Build it with ``parse_url``; the fields are not re-checked here.

    Attributes
    ----------
    url : str
        The URL in ``normalize_url`` form.
    host : str
        Its host: lowercase ASCII, IPv6 literals in brackets.
    domain : str or None
        Its registrable domain (private PSL section included), or ``None`` for
        IP addresses and hosts that are themselves public suffixes.
    """

    url: str
    host: str
    domain: str | None

    def __str__(self) -> str:
        return self.url


def normalize_url(text: str) -> str:
    """Return *text* as an absolute http(s) URL in canonical form.

    Scheme and host are lowercased, the host converted to IDNA ASCII form
    (UTS-46 mapping) without a trailing dot, default ports and userinfo
    dropped, dot segments resolved, the fragment dropped, and percent-encoding
    normalised per RFC 3986 section 6.2.2. The query keeps its order.

    Parameters
    ----------
    text : str
        The URL; surrounding whitespace is ignored.

    Returns
    -------
    str
        The normalised URL; ``normalize_url`` of it returns it unchanged.

    Raises
    ------
    InvalidUrl
        If *text* is not an absolute http or https URL with a valid host, or is
        longer than ``MAX_URL_BYTES``.

    Notes
    -----
    Where RFC 3986 and browsers differ, the RFC wins: a ``%`` that starts no
    escape becomes ``%25``, square brackets and backslashes in the path or
    query are encoded, and a backslash is never read as a slash. Hosts follow
    browsers rather than IDNA 2008 alone: ASCII labels may hold ``_`` and
    hyphens anywhere, and Unicode labels that UTS-46 accepts but IDNA 2008
    rejects are punycoded as they are, unless they fail the bidi or joiner
    rules. A host whose last label is a number must be a dotted-quad IPv4
    address; IPv6 literals are written compressed in lowercase.

    Examples
    --------
    >>> normalize_url("HTTP://User@Bücher.Example:80/a/./b/../c?q=%7e#top")
    'http://xn--bcher-kva.example/a/c?q=~'
    """
    return _normalize(text)[0]


def resolve_url(base: str, href: str) -> str:
    """Return *href* resolved against *base* (RFC 3986 section 5.2), normalised.

    Tabs and newlines inside *href* are removed first, as browsers do for
    attribute values. A reference whose scheme equals the base's and that has
    no authority (``http:page``) is taken as relative, the non-strict choice
    RFC 3986 section 5.2.2 allows and browsers make.

    Parameters
    ----------
    base : str
        Absolute http(s) URL of the document the reference appears in.
    href : str
        The reference: absolute, scheme-relative, absolute-path or relative.

    Returns
    -------
    str
        The target URL in ``normalize_url`` form.

    Raises
    ------
    InvalidUrl
        If *base* is not a valid URL, or the target is not an http(s) URL.
    """
    resolved = _resolved_normal_form(base, href)
    if resolved is not None:
        return resolved
    return _resolve_fully(base, href)


def _resolved_normal_form(base: str, href: str) -> str | None:
    """Return what ``_resolve_fully`` would, when *href* is cheaply seen to need no work.

    That is an absolute http(s) URL already in normal form, or an absolute
    path (``/a/b?q``) in normal form against a base in normal form; anything
    else is None.
    """
    if not href.isascii() or len(href) > MAX_URL_BYTES:
        return None
    if href.startswith("/"):
        ref = href.partition("#")[0]
        if (
            _NORMAL_ABSOLUTE_PATH.fullmatch(ref) is None
            or _DOT_SEGMENT.search(ref.partition("?")[0]) is not None
        ):
            return None
        normal_base = _normal_form(base)
        if normal_base is None:
            return None
        base_url = normal_base[0]
        resolved = base_url[: base_url.index("/", base_url.index("//") + 2)] + ref
        return resolved if len(resolved) <= MAX_URL_BYTES else None
    if href.startswith(("http://", "https://")):
        normal = _normal_form(href)
        if normal is None or _normal_form(base) is None:
            return None
        return normal[0]
    return None


def _resolve_fully(base: str, href: str) -> str:
    """Return ``resolve_url(base, href)`` by the general path of RFC 3986 section 5.2."""
    base_url = normalize_url(base)
    cleaned = href.translate(_HREF_DROPPED).strip(_TRIM_CHARS)
    if len(cleaned) > MAX_URL_BYTES:
        raise _invalid(href, f"it is longer than {MAX_URL_BYTES} bytes")
    base_parts = _URI_PARTS.fullmatch(base_url)
    ref_parts = _URI_PARTS.fullmatch(cleaned)
    if base_parts is None or ref_parts is None:  # pragma: no cover - the pattern matches all
        raise _invalid(href, "it cannot be split into URL parts")
    b_scheme, b_authority, b_path, b_query, _ = base_parts.groups()
    scheme, authority, path, query, _ = ref_parts.groups()
    if scheme is not None and scheme.lower() == b_scheme and authority is None:
        scheme = None
    if scheme is not None:
        return normalize_url(cleaned)
    if authority is None:
        authority = b_authority
        if not path:
            path = b_path
            if query is None:
                query = b_query
        elif not path.startswith("/"):
            path = b_path[: b_path.rfind("/") + 1] + path
        path = _remove_dot_segments(path)
    target = f"{b_scheme}://{authority}{path}"
    if query is not None:
        target += f"?{query}"
    try:
        return normalize_url(target)
    except InvalidUrl as exc:
        raise _invalid(href, f"resolved against {base_url!r}: {_reason(exc)}") from exc


def url_host(url: str) -> str:
    """Return the host of *url*, normalised (see ``normalize_url``).

    Raises
    ------
    InvalidUrl
        If *url* is not a valid http(s) URL.
    """
    return _normalize(url)[1]


def parse_url(text: str) -> Url:
    """Return *text* normalised, with its host and registrable domain.

    Raises
    ------
    InvalidUrl
        If *text* is not a valid http(s) URL (see ``normalize_url``).
    """
    url, host = _normalize(text)
    return Url(url=url, host=host, domain=_psl_parts(host, True)[1])


def registrable_domain(host: str, *, include_private: bool = True) -> str | None:
    """Return the registrable domain of *host*: its public suffix plus one label.

    Parameters
    ----------
    host : str
        A host name, in any case, Unicode or ASCII, with or without a trailing
        dot. Pass a host, not a URL (use ``parse_url`` for URLs).
    include_private : bool
        Honour the private section of the Public Suffix List, so that
        ``user.github.io`` is its own site. ``False`` uses ICANN rules only.

    Returns
    -------
    str or None
        The domain in ASCII (punycode) form, or ``None`` when there is none:
        IP addresses, single labels, public suffixes themselves and text that
        is not a valid host (such as ``.example.com``).

    Examples
    --------
    >>> registrable_domain("a.b.example.co.uk")
    'example.co.uk'
    """
    return _psl_parts(host, include_private)[1]


def public_suffix(host: str, *, include_private: bool = True) -> str | None:
    """Return the public suffix of *host* per the Public Suffix List.

    Hosts under a TLD the list does not know fall back to its implicit ``*``
    rule, so the suffix of ``a.example`` is ``example``.

    Parameters
    ----------
    host : str
        A host name, as for ``registrable_domain``.
    include_private : bool
        Honour the private section of the list (``github.io``, ``blogspot.com``).

    Returns
    -------
    str or None
        The suffix in ASCII form, or ``None`` for IP addresses and invalid hosts.
    """
    return _psl_parts(host, include_private)[0]


def has_known_suffix(host: str) -> bool:
    """Return whether *host* ends in a suffix the Public Suffix List names.

    Unlike ``public_suffix``, the implicit ``*`` rule does not count: ``a.com``
    and ``a.co.uk`` have known suffixes, ``readme.txt`` and ``node.js`` do not.

    >>> has_known_suffix("example.co.uk"), has_known_suffix("readme.txt")
    (True, False)
    """
    try:
        canonical = _canonical_host(host)
    except _HostError:
        return False
    return _known_suffixes().publicsuffix(canonical) is not None


@functools.cache
def _known_suffixes() -> PublicSuffixList:
    """Return the bundled list, ICANN section, without the implicit ``*`` rule."""
    return PublicSuffixList(accept_unknown=False, only_icann=True)


def reversed_host(host: str) -> str:
    """Return *host* with its labels in reverse order, as Common Crawl ranks hosts.

    Sorting reversed hosts keeps each domain's subdomains together:
    ``www.example.com`` becomes ``com.example.www``. The operation is its own
    inverse; ``unreversed_host`` names the way back.
    """
    return ".".join(reversed(host.split(".")))


def unreversed_host(reversed_name: str) -> str:
    """Return the host that ``reversed_host`` turned into *reversed_name*."""
    return ".".join(reversed(reversed_name.split(".")))


def _normalize(text: str) -> tuple[str, str]:
    """Return the normalised URL and its host, or raise ``InvalidUrl``."""
    normal = _normal_form(text)
    if normal is not None:
        return normal
    return _normalize_fully(text)


def _normal_form(text: str) -> tuple[str, str] | None:
    """Return what ``_normalize_fully`` would, when *text* is cheaply seen to be normal.

    Most links on real pages are already normal; this checks that with one
    pattern and the host cache, and returns None for anything it cannot vouch for.
    """
    if len(text) > MAX_URL_BYTES or not text.isascii():
        return None
    url = text.partition("#")[0]
    parts = _NORMAL_FORM.fullmatch(url)
    if parts is None or _DOT_SEGMENT.search(parts.group(2)) is not None:
        return None
    host = parts.group(1)
    try:
        if _canonical_host(host) != host:
            return None
    except _HostError:
        return None
    return url, host


def _normalize_fully(text: str) -> tuple[str, str]:
    """Return the normalised URL and its host, or raise ``InvalidUrl``: the general path."""
    if len(text) > MAX_URL_BYTES:
        raise _invalid(text, f"it is longer than {MAX_URL_BYTES} bytes")
    stripped = text.strip(_TRIM_CHARS)
    try:
        size = len(stripped.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise _invalid(text, "it holds a lone surrogate, which is not text") from exc
    if size > MAX_URL_BYTES:
        raise _invalid(text, f"it is longer than {MAX_URL_BYTES} bytes")
    parts = _URI_PARTS.fullmatch(stripped)
    if parts is None:  # pragma: no cover - the pattern matches every string
        raise _invalid(text, "it cannot be split into URL parts")
    scheme, authority, path, query, _ = parts.groups()
    if scheme is None:
        if authority is not None:
            raise _invalid(text, "it has no scheme (resolve it against a base with resolve_url)")
        raise _invalid(text, "it has no scheme such as https://")
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        shown = scheme if _SCHEME.fullmatch(scheme) else "(none)"
        raise _invalid(text, f"its scheme {shown[:20]!r} is not http or https")
    if not authority:
        raise _invalid(text, "it has no host")
    try:
        host, port = _split_authority(authority)
        host = _canonical_host(host)
    except _HostError as exc:
        raise _invalid(text, str(exc)) from exc
    netloc = host if port in ("", _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _remove_dot_segments(_fix_percent(path, _PATH_FIX)) if path else "/"
    url = f"{scheme}://{netloc}{path}"
    if query:
        url += "?" + _fix_percent(query, _QUERY_FIX)
    if len(url) > MAX_URL_BYTES:
        raise _invalid(text, f"it is longer than {MAX_URL_BYTES} bytes once percent-encoded")
    return url, host


def _split_authority(authority: str) -> tuple[str, str]:
    """Return the host and the port (``""`` if none) of *authority*, without userinfo."""
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise _HostError("its IPv6 address has no closing ']'")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise _HostError("text follows its IPv6 address")
        port = rest[1:]
    else:
        host, _, port = hostport.partition(":")
    if not _PORT.fullmatch(port):
        raise _HostError(f"its port {port[:20]!r} is not a number")
    if port:
        port = port.lstrip("0") or "0"
        if len(port) > 5 or int(port) > 65535:
            raise _HostError(f"its port {port[:20]} is above 65535")
    if not host:
        raise _HostError("it has no host")
    return host, port


def _canonical_host(host: str) -> str:
    """Return *host* in canonical form, from the cache when it is short.

    Only short hosts are cached, so hostile text cannot fill memory: a few
    thousand characters of ignorable code points can still map to a valid host.
    """
    if len(host) > _CACHED_HOST_CHARS:
        return _canonical_host_uncached(host)
    return _canonical_host_cached(host)


def _canonical_host_uncached(host: str) -> str:
    """Return *host* lowercase, in IDNA ASCII form, without a trailing dot.

    Hosts are percent-decoded and mapped with UTS-46 (non-transitional). Each
    label must pass IDNA 2008, except where browsers are laxer: ASCII labels may
    hold ``_`` and hyphens anywhere, and Unicode labels that UTS-46 accepts but
    IDNA 2008 does not (symbols, emoji, hyphen rules) are punycoded as they
    are. Labels with bidi characters or joiners get no such leniency.
    """
    if host.startswith("["):
        return _canonical_ipv6(host)
    if "%" in host:
        host = _percent_decode_host(host)
    if host.isascii():
        mapped = host.lower()
    else:
        try:
            mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        except (idna.IDNAError, ValueError) as exc:
            raise _HostError(f"its host has a character IDNA disallows ({exc})") from exc
    if mapped.endswith("."):
        mapped = mapped[:-1]
    labels = mapped.split(".")
    if "" in labels:
        raise _HostError("its host has an empty label")
    if _DIGITS.fullmatch(labels[-1]):
        try:
            return str(ipaddress.IPv4Address(mapped))
        except ValueError as exc:
            raise _HostError("its host ends in a number but is not an IPv4 address") from exc
    ascii_host = ".".join(_ascii_label(label) for label in labels)
    if len(ascii_host) > _MAX_HOST_CHARS:
        raise _HostError(f"its host is longer than {_MAX_HOST_CHARS} characters")
    return ascii_host


_canonical_host_cached = functools.lru_cache(maxsize=65536)(_canonical_host_uncached)


def _canonical_ipv6(host: str) -> str:
    """Return a bracketed IPv6 literal in compressed lowercase form."""
    literal = host[1:-1]
    if "%" in literal or literal[:1] in ("v", "V"):
        raise _HostError("its IPv6 address has a zone id or is an IPvFuture literal")
    try:
        return f"[{ipaddress.IPv6Address(literal).compressed}]"
    except ValueError as exc:
        raise _HostError("its host is not a valid IPv6 address") from exc


def _percent_decode_host(host: str) -> str:
    """Return *host* with its percent-escapes decoded as UTF-8."""
    parts = host.split("%")
    try:
        data = bytearray(parts[0].encode("utf-8"))
        for part in parts[1:]:
            escape = part[:2]
            if len(escape) < 2 or not all(ch in "0123456789abcdefABCDEF" for ch in escape):
                raise _HostError("its host has a '%' that is not a percent-escape")
            data.append(int(escape, 16))
            data.extend(part[2:].encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise _HostError("its host holds a lone surrogate, which is not text") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _HostError("its host's percent-escapes are not UTF-8") from exc


def _ascii_label(label: str) -> str:
    """Return one UTS-46-mapped label in ASCII form, or raise ``_HostError``."""
    if label.isascii():
        if not _ASCII_LABEL.fullmatch(label):
            raise _HostError(f"its host label {label[:70]!r} has a character hosts cannot hold")
        if label.startswith("xn--"):
            _check_a_label(label)
    else:
        label = _unicode_to_a_label(label)
    if len(label) > _MAX_LABEL_CHARS:
        raise _HostError(f"its host has a label longer than {_MAX_LABEL_CHARS} characters")
    return label


def _check_a_label(label: str) -> None:
    """Raise ``_HostError`` unless *label* is the canonical A-label of a Unicode label."""
    try:
        unicode_label = label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError, IndexError) as exc:
        raise _HostError(f"its host label {label[:70]!r} is not valid punycode") from exc
    if unicode_label.isascii():
        raise _HostError(f"its host label {label[:70]!r} is punycode for plain ASCII")
    try:
        remapped = idna.uts46_remap(unicode_label, std3_rules=False, transitional=False)
    except (idna.IDNAError, ValueError) as exc:
        raise _HostError(f"its host label {label[:70]!r} decodes to disallowed text") from exc
    if remapped != unicode_label or _unicode_to_a_label(unicode_label) != label:
        raise _HostError(f"its host label {label[:70]!r} is not in canonical IDNA form")


def _unicode_to_a_label(label: str) -> str:
    """Return the ``xn--`` form of a mapped Unicode *label*, or raise ``_HostError``."""
    bad_ascii = {ch for ch in label if ch.isascii() and not _ASCII_LABEL.fullmatch(ch)}
    if bad_ascii:
        raise _HostError(f"its host label {label[:70]!r} has a character hosts cannot hold")
    try:
        return idna.alabel(label).decode("ascii")
    except idna.IDNABidiError as exc:
        raise _HostError(f"its host label {label[:70]!r} breaks the IDNA bidi rule") from exc
    except (idna.IDNAError, ValueError) as exc:
        if _JOINERS.intersection(label):
            raise _HostError(f"its host label {label[:70]!r} misuses a joiner") from exc
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except (UnicodeError, ValueError) as exc:  # pragma: no cover - punycode encodes any str
        raise _HostError(f"its host label {label[:70]!r} cannot be punycoded") from exc


def _fix_percent(component: str, pattern: re.Pattern[str]) -> str:
    """Return *component* with RFC 3986 6.2.2.2 percent-encoding normalisation."""
    return pattern.sub(_fix_one, component)


def _fix_one(match: re.Match[str]) -> str:
    """Return the canonical spelling of one escape or one character to encode."""
    found = match.group()
    if len(found) == 3:
        char = chr(int(found[1:], 16))
        return char if char in _UNRESERVED else found.upper()
    return "".join(f"%{byte:02X}" for byte in found.encode("utf-8"))


def _remove_dot_segments(path: str) -> str:
    """Return *path* with ``.`` and ``..`` segments resolved (RFC 3986 5.2.4).

    *path* is empty or absolute, as every path after an authority is.
    """
    if "." not in path:
        return path
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    result = "/" + "/".join(kept)
    if segments[-1] in (".", "..") and not result.endswith("/"):
        result += "/"
    return result


def _psl_parts(host: str, include_private: bool) -> tuple[str | None, str | None]:
    """Return the public suffix and registrable domain of *host*, either may be None."""
    if len(host) > _CACHED_HOST_CHARS:
        return _psl_parts_uncached(host, include_private)
    return _psl_parts_cached(host, include_private)


def _psl_parts_uncached(host: str, include_private: bool) -> tuple[str | None, str | None]:
    """Return the public suffix and registrable domain of *host*, either may be None."""
    try:
        canonical = _canonical_host(host)
    except _HostError:
        return None, None
    if canonical.startswith("[") or _DIGITS.fullmatch(canonical.rpartition(".")[2]):
        return None, None
    psl = _public_suffix_list(include_private)
    suffix: str | None = psl.publicsuffix(canonical)
    domain: str | None = psl.privatesuffix(canonical)
    return suffix, domain


_psl_parts_cached = functools.lru_cache(maxsize=65536)(_psl_parts_uncached)


@functools.cache
def _public_suffix_list(include_private: bool) -> PublicSuffixList:
    """Return the bundled Public Suffix List, parsed once per section choice."""
    return PublicSuffixList(only_icann=not include_private)


def _invalid(text: str, reason: str) -> InvalidUrl:
    """Return the ``InvalidUrl`` for *text*, naming it (shortened) and *reason*."""
    shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    return InvalidUrl(f"{shown!r} is not a URL we can use: {reason}")


def _reason(exc: InvalidUrl) -> str:
    """Return the reason part of an ``InvalidUrl`` made by ``_invalid``."""
    return str(exc).partition(": ")[2]
