"""The crawler's fetcher: one GET at a time over a pool of keep-alive connections (aiohttp).

``HttpFetcher`` implements ``crawl.fetch.Fetcher``. Each fetch:

* never follows a redirect: a 3xx comes back as it came, ``Location`` kept;
* sends ``User-Agent``, an ``Accept`` built from the media types it reads
  (HTML first by default) and ``Accept-Encoding: gzip, deflate``, and undoes
  the content coding as the body streams in, counting *decoded* bytes against
  ``max_body_bytes``: past the cap it stops reading, cuts the body there and
  sets ``is_truncated`` (a gzip bomb costs the cap, not its decoded size);
* reads the body only when the ``Content-Type`` is one of the accepted media
  types (or missing, for the caller to sniff); otherwise it closes the
  connection unread and sets ``is_body_skipped``;
* connects only to public addresses unless ``allow_private``: the check runs
  on the addresses the resolver hands to the connection pool, so the address
  checked is the address connected to, whatever a redirect points at, and a
  name that answers a public address and then 127.0.0.1 (DNS rebinding) is
  refused on the lookup that answers 127.0.0.1. Checked answers are reused
  for ``dns_cache_s`` seconds; answers that fail the check are never kept.

The resolver is a seam (``Resolver``): ``SystemResolver`` asks the operating
system, ``LoopbackResolver`` sends every host (or the ones given) to one port
on 127.0.0.1, which is how the sample web is crawled at its real URLs. As
127.0.0.1 is a loopback address, ``LoopbackResolver`` needs ``allow_private``.

Accepted media types are set per fetcher (``accept_types``) and may be
overridden per call: ``fetch(url, accept_types=ROBOTS_TYPES)`` for robots.txt,
``SITEMAP_TYPES`` for sitemaps, ``None`` for every type. A component that
takes a plain ``Fetcher`` gets ``fetcher.accepting(SITEMAP_TYPES)``, a view
over the same connection pool.

A URL whose scheme is not http or https raises ``InvalidUrl`` (from
``normalize_url``), before anything is sent.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import time
from datetime import UTC, datetime
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Final, Literal, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from linkequity.crawl.addresses import AddressKind, classify_address
from linkequity.crawl.fetch import FetchResult
from linkequity.errors import AddressRefused, FetchFailed, FetchTimedOut, HostNotFound
from linkequity.model.records import FetchedPage
from linkequity.model.urls import normalize_url, url_host

if TYPE_CHECKING:
    from collections.abc import Collection
    from types import TracebackType
    from typing import Self

    from aiohttp.connector import Connection

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "FETCHER_DEFAULT",
    "HTML_TYPES",
    "ROBOTS_TYPES",
    "SITEMAP_TYPES",
    "USER_AGENT",
    "AcceptingFetcher",
    "HttpFetcher",
    "LoopbackResolver",
    "Resolver",
    "SystemResolver",
]


def _user_agent() -> str:
    try:
        release = version("linkequity")
    except PackageNotFoundError:  # running from a source tree without installing
        release = "dev"
    return f"linkequity/{release} (crawler)"


#: The ``User-Agent`` sent when none is given.
USER_AGENT: Final = _user_agent()
#: Decoded body bytes read at most, by default.
DEFAULT_MAX_BODY_BYTES: Final = 16 * 1024 * 1024
#: Media types of pages: the default ``accept_types``.
HTML_TYPES: Final = ("text/html", "application/xhtml+xml")
#: Media types of robots.txt (RFC 9309 asks for text/plain).
ROBOTS_TYPES: Final = ("text/plain",)
#: Media types of sitemaps: XML, plain-text URL lists, feeds and gzipped files.
SITEMAP_TYPES: Final = (
    "application/xml",
    "text/xml",
    "text/plain",
    "application/rss+xml",
    "application/atom+xml",
    "application/gzip",
    "application/x-gzip",
)


class _FetcherDefault(Enum):
    ACCEPT_TYPES = "the fetcher's accept_types"


#: Passed as ``accept_types`` to ``HttpFetcher.fetch``: use the fetcher's own.
FETCHER_DEFAULT: Final = _FetcherDefault.ACCEPT_TYPES

_ACCEPT_ENCODING = "gzip, deflate"
_ANY_TYPE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NOT_FOUND_ERRNOS = frozenset(
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)
)


class Resolver(Protocol):
    """Turns a host name into the addresses to connect to."""

    async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
        """Return the ``(address, port)`` pairs to try for *host*, best first.

        The port may differ from *port*: the connection goes where the
        resolver says.

        Raises
        ------
        HostNotFound
            If *host* has no address.
        """
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo`` in a thread), IPv4 and IPv6."""

    async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
        """Return the addresses the system resolver gives *host*.

        Raises
        ------
        HostNotFound
            If *host* has no address.
        FetchFailed
            If the lookup itself failed (no DNS server answered, for instance).
        """
        try:
            results = await aiohttp.ThreadedResolver().resolve(host, port, socket.AF_UNSPEC)
        except socket.gaierror as exc:
            reason = exc.strerror or str(exc)
            if exc.errno in _NOT_FOUND_ERRNOS:
                raise HostNotFound(f"{host} has no address: {reason}") from exc
            raise FetchFailed(f"cannot resolve {host}: {reason}") from exc
        except OSError as exc:
            raise FetchFailed(f"cannot resolve {host}: {exc}") from exc
        if not results:
            raise HostNotFound(f"{host} has no address")
        return list(dict.fromkeys((result["host"], result["port"]) for result in results))


class LoopbackResolver:
    """Sends every host, or only *hosts*, to 127.0.0.1 on *port*.

    Parameters
    ----------
    port : int
        The loopback port, the sample web's for instance.
    hosts : collection of str, optional
        The host names to answer (case-insensitive); any other raises
        ``HostNotFound``. ``None`` answers every name.

    Notes
    -----
    127.0.0.1 is a loopback address: an ``HttpFetcher`` refuses it unless
    ``allow_private=True``.
    """

    def __init__(self, port: int, hosts: Collection[str] | None = None) -> None:
        if not 0 < port < 65536:
            raise ValueError(f"port must be between 1 and 65535, not {port}")
        self.port = port
        self.hosts = None if hosts is None else frozenset(host.lower() for host in hosts)

    async def resolve(self, host: str, port: int, /) -> list[tuple[str, int]]:
        """Return ``[("127.0.0.1", self.port)]`` for a host it answers; *port* is ignored.

        Raises
        ------
        HostNotFound
            If *hosts* was given and *host* is not among them.
        """
        if self.hosts is not None and host.lower().rstrip(".") not in self.hosts:
            raise HostNotFound(f"{host} is not served on loopback")
        return [("127.0.0.1", self.port)]


class HttpFetcher:
    """Fetches URLs over HTTP(S) without following redirects; a ``crawl.fetch.Fetcher``.

    Use it as ``async with HttpFetcher(...) as fetcher:``, or call ``aclose``
    when done. Its connection pool is created in the running event loop on the
    first fetch and belongs to that loop.

    Parameters
    ----------
    user_agent : str
        The ``User-Agent`` header.
    connect_timeout_s : float
        Seconds a TCP (and TLS) connect may take, per address tried.
    read_timeout_s : float
        Seconds each read may wait for data, headers or body.
    total_timeout_s : float
        Seconds the whole fetch may take, from asking for a connection to the
        end of the body.
    max_body_bytes : int
        Decoded body bytes kept at most; past it the body is cut and
        ``is_truncated`` set.
    accept_types : collection of str or None
        Media types whose body is read, such as ``"text/html"``, ``"text/*"``
        or ``"*/*"``; ``None`` reads every body. A response without a
        ``Content-Type`` is always read. Also builds the ``Accept`` header.
    allow_private : bool
        Connect to loopback, private, link-local and other non-public
        addresses too (``crawl.addresses``).
    resolver : Resolver or None
        Where host names resolve; ``None`` is the ``SystemResolver``.
    max_connections : int
        Connections open at once, over all hosts.
    max_connections_per_host : int
        Connections open at once to one host and port.
    dns_cache_s : int
        Seconds the addresses of a host, once checked, serve new connections
        before it is looked up again; 0 looks it up for every new connection.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 20.0,
        total_timeout_s: float = 60.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        accept_types: Collection[str] | None = HTML_TYPES,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        max_connections: int = 64,
        max_connections_per_host: int = 8,
        dns_cache_s: int = 10,
    ) -> None:
        for name, value in (
            ("connect_timeout_s", connect_timeout_s),
            ("read_timeout_s", read_timeout_s),
            ("total_timeout_s", total_timeout_s),
            ("max_body_bytes", max_body_bytes),
            ("max_connections", max_connections),
            ("max_connections_per_host", max_connections_per_host),
        ):
            if value <= 0:
                raise ValueError(f"{name} must be positive, not {value}")
        if dns_cache_s < 0:
            raise ValueError(f"dns_cache_s must be 0 or more, not {dns_cache_s}")
        self.user_agent = user_agent
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.max_body_bytes = max_body_bytes
        self.accept_types = _media_types(accept_types)
        self.allow_private = allow_private
        self.resolver: Resolver = resolver if resolver is not None else SystemResolver()
        self.max_connections = max_connections
        self.max_connections_per_host = max_connections_per_host
        self.dns_cache_s = dns_cache_s
        self._client: aiohttp.ClientSession | None = None
        self._is_closed = False

    async def __aenter__(self) -> Self:
        self._session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection; the fetcher is not used after this."""
        self._is_closed = True
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    def accepting(self, accept_types: Collection[str] | None) -> AcceptingFetcher:
        """Return a ``Fetcher`` over this fetcher's pool that reads *accept_types* instead.

        For a component that takes a plain ``Fetcher`` and needs other bodies
        than pages: ``SitemapReader(fetcher.accepting(SITEMAP_TYPES))``.
        """
        return AcceptingFetcher(self, accept_types)

    async def fetch(
        self,
        url: str,
        /,
        *,
        accept_types: Collection[str]
        | None
        | Literal[_FetcherDefault.ACCEPT_TYPES] = FETCHER_DEFAULT,
    ) -> FetchResult:
        """Return the response to a GET of *url*, redirects not followed.

        Parameters
        ----------
        url : str
            An absolute http or https URL; it is normalised first.
        accept_types : collection of str or None, optional
            The media types whose body is read for this call only (see the
            class); ``ROBOTS_TYPES`` and ``SITEMAP_TYPES`` are ready-made.
            By default, the fetcher's own.

        Returns
        -------
        FetchResult
            ``page.url`` is the normalised *url*; ``page.body`` is decoded.

        Raises
        ------
        InvalidUrl
            If *url* is not an http(s) URL.
        AddressRefused
            If the host is, or resolves only to, addresses that are not public
            and ``allow_private`` is off.
        HostNotFound
            If the host has no address.
        FetchTimedOut
            If the connect, a read or the whole fetch took too long.
        FetchFailed
            If no complete HTTP response came for any other reason: refused or
            reset connection, a malformed response, TLS, a body that breaks
            off or cannot be decoded.
        """
        target = normalize_url(url)
        if not self.allow_private:
            self._check_literal_address(target)
        types = self.accept_types if accept_types is FETCHER_DEFAULT else _media_types(accept_types)
        session = self._session()
        started_s = time.perf_counter()
        timer = asyncio.timeout(self.total_timeout_s)
        try:
            async with timer:
                return await self._get(session, target, types, started_s)
        except aiohttp.ConnectionTimeoutError as exc:
            raise FetchTimedOut(
                f"cannot fetch {target}: no connection within {self.connect_timeout_s:g} s"
            ) from exc
        except aiohttp.SocketTimeoutError as exc:
            raise FetchTimedOut(
                f"cannot fetch {target}: no data for {self.read_timeout_s:g} s"
            ) from exc
        except TimeoutError as exc:
            raise FetchTimedOut(
                f"cannot fetch {target}: not done within {self.total_timeout_s:g} s"
            ) from exc
        except FetchFailed as exc:  # raised by the resolver, without the URL
            raise type(exc)(f"cannot fetch {target}: {exc}") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise HostNotFound(f"cannot fetch {target}: {_one_line(exc.os_error)}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchFailed(f"cannot fetch {target}: body broke off: {_one_line(exc)}") from exc
        except aiohttp.ClientResponseError as exc:
            raise FetchFailed(
                f"cannot fetch {target}: malformed response: {_one_line(exc.message)}"
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchFailed(f"cannot fetch {target}: {_one_line(exc)}") from exc

    async def _get(
        self,
        session: aiohttp.ClientSession,
        target: str,
        types: frozenset[str] | None,
        started_s: float,
    ) -> FetchResult:
        async with session.get(
            URL(target, encoded=True),
            allow_redirects=False,
            headers={"Accept": _accept_header(types)},
        ) as response:
            fetched_at = datetime.now(UTC)
            is_read = _is_accepted(response.headers.get("Content-Type"), types)
            body, is_truncated = b"", False
            if is_read:
                body, is_truncated = await self._read_body(response)
            if is_truncated or not is_read:
                response.close()
            address = response.peer_address if isinstance(response, _PeerResponse) else None
            page = FetchedPage(
                url=target,
                fetched_at=fetched_at,
                status=response.status,
                headers=tuple(
                    (_header_text(name), _header_text(value))
                    for name, value in response.raw_headers
                ),
                body=body,
                record_offset=0,
            )
        return FetchResult(
            page,
            is_truncated=is_truncated,
            is_body_skipped=not is_read,
            address=address,
            elapsed_s=time.perf_counter() - started_s,
        )

    async def _read_body(self, response: aiohttp.ClientResponse) -> tuple[bytes, bool]:
        """Read the decoded body up to the cap; return it and whether it went past the cap."""
        body = bytearray()
        while chunk := await response.content.readany():
            body += chunk
            if len(body) > self.max_body_bytes:
                del body[self.max_body_bytes :]
                return bytes(body), True
        return bytes(body), False

    def _check_literal_address(self, target: str) -> None:
        """Refuse a URL whose host is an IP address that is not public (no resolver sees it)."""
        host = url_host(target).strip("[]")
        try:
            kind = classify_address(host)
        except ValueError:
            return
        if kind is not AddressKind.PUBLIC:
            raise AddressRefused(f"cannot fetch {target}: {host} is {_a(kind)} address")

    def _session(self) -> aiohttp.ClientSession:
        if self._is_closed:
            raise RuntimeError("this HttpFetcher is closed")
        if self._client is None:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=self.max_connections_per_host,
                use_dns_cache=self.dns_cache_s > 0,
                ttl_dns_cache=self.dns_cache_s or None,
                resolver=_GuardedResolver(self.resolver, allow_private=self.allow_private),
            )
            self._client = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self.connect_timeout_s, sock_read=self.read_timeout_s
                ),
                headers={"User-Agent": self.user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
                cookie_jar=aiohttp.DummyCookieJar(),
                response_class=_PeerResponse,
                trust_env=False,
                auto_decompress=True,
            )
        return self._client


class AcceptingFetcher:
    """An ``HttpFetcher`` that reads other media types; see ``HttpFetcher.accepting``.

    It shares the fetcher's connection pool and settings; closing it closes
    nothing (the ``HttpFetcher`` owns the connections).
    """

    def __init__(self, fetcher: HttpFetcher, accept_types: Collection[str] | None) -> None:
        self.fetcher = fetcher
        self.accept_types = _media_types(accept_types)

    async def fetch(self, url: str, /) -> FetchResult:
        """Return ``HttpFetcher.fetch`` of *url* with this view's accepted types."""
        return await self.fetcher.fetch(url, accept_types=self.accept_types)

    async def aclose(self) -> None:
        """Do nothing: the ``HttpFetcher`` this view reads through owns the connections."""


class _GuardedResolver(AbstractResolver):
    """The ``Resolver`` seam as aiohttp's resolver, keeping public addresses only.

    aiohttp connects to exactly the addresses this returns, so the check has
    no gap between the lookup and the connect.
    """

    def __init__(self, resolver: Resolver, *, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._resolver.resolve(host, port)
        if not answers:
            raise HostNotFound(f"{host} has no address")
        kept: list[ResolveResult] = []
        refused: list[tuple[str, AddressKind]] = []
        for address, answer_port in answers:
            ip = ipaddress.ip_address(address)
            ip_family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            if family in (socket.AF_INET, socket.AF_INET6) and ip_family != family:
                continue
            if not self._allow_private:
                kind = classify_address(ip)
                if kind is not AddressKind.PUBLIC:
                    refused.append((address, kind))
                    continue
            kept.append(
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=answer_port,
                    family=ip_family,
                    proto=0,
                    flags=_NUMERIC_FLAGS,
                )
            )
        if kept:
            return kept
        if refused:
            address, kind = refused[0]
            more = f" (and {len(refused) - 1} more not public)" if len(refused) > 1 else ""
            raise AddressRefused(f"{host} resolves to {address}, {_a(kind)} address{more}")
        raise HostNotFound(f"{host} has no address of the family asked for")

    async def close(self) -> None:
        """Release nothing: the seam owns no resources."""


class _PeerResponse(aiohttp.ClientResponse):
    """A response that remembers the address of the connection it came on.

    An empty body hands the connection back to the pool while the headers are
    still being read, so the address is taken when the response starts.
    """

    peer_address: str | None = None

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if isinstance(peer, tuple) and peer:
            self.peer_address = str(peer[0])
        return await super().start(connection)


def _media_types(types: Collection[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    if isinstance(types, str):
        raise TypeError("accept_types is a collection of media types, not one string")
    return frozenset(media.partition(";")[0].strip().lower() for media in types)


def _is_accepted(content_type: str | None, types: frozenset[str] | None) -> bool:
    """Whether a body of *content_type* is read; one without a type is, for sniffing."""
    if types is None or "*/*" in types:
        return True
    media = (content_type or "").partition(";")[0].strip().lower()
    if not media:
        return True
    return media in types or f"{media.partition('/')[0]}/*" in types


@functools.lru_cache(maxsize=64)
def _accept_header(types: frozenset[str] | None) -> str:
    if types is None or "*/*" in types:
        return _ANY_TYPE_ACCEPT
    # HTML first, then the rest in a stable order; anything else is still
    # welcome at a low weight so that servers negotiating content do not 406.
    ordered = sorted(types, key=lambda media: (media not in HTML_TYPES, media))
    return ",".join([*ordered, "*/*;q=0.1"])


def _header_text(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _a(kind: AddressKind) -> str:
    """Return *kind* after its article: "a loopback", "an unspecified"."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _one_line(reason: object) -> str:
    text = " ".join(str(reason).split())
    return text or type(reason).__name__
