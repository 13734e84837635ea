"""What keeps the dashboard local: the Host check, the access token and the security headers.

A plain ASGI middleware, so that every response carries the headers, errors
included. Bound to loopback, the dashboard answers only requests whose
``Host`` names loopback (a page on another site cannot reach it by DNS
rebinding). With a token, a request needs it: once as ``?token=`` (answered
by a redirect that drops it from the address and sets an HttpOnly,
SameSite=Strict cookie), then the cookie; both are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from collections.abc import Collection

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LOOPBACK_NAMES", "TOKEN_COOKIE", "SecurityMiddleware", "is_loopback", "new_token"]

#: Host names that mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
TOKEN_COOKIE = "linkequity_token"  # noqa: S105 - a name, not a secret
_TOKEN_PARAMETER = "token"  # noqa: S105 - a name, not a secret
_HOST_HEADER = re.compile(r"(?:\[(?P<address>[0-9a-f:.]+)\]|(?P<name>[^\[\]:@,/\s]+))(?::\d{1,5})?")


def is_loopback(host: str) -> bool:
    """Tell whether *host* (a name or an address) is this machine only."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """Return a fresh random access token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def content_security_policy(nonce: str) -> str:
    """Return the page's CSP: nothing from elsewhere, inline script only with *nonce*."""
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        f"style-src 'nonce-{nonce}'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


class SecurityMiddleware:
    """Check the Host and the token of each HTTP request, and add the security headers.

    Parameters
    ----------
    app : ASGIApp
    token : str, optional
        The access token every request must carry; none for a loopback-only dashboard.
    allowed_hosts : collection of str, optional
        Host names the ``Host`` header may give (any port); ``None`` allows any.
    """

    def __init__(
        self, app: ASGIApp, *, token: str | None, allowed_hosts: Collection[str] | None
    ) -> None:
        self._app = app
        self._token = token
        self._allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request, or refuse it, with the security headers."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce
        headers = _security_headers(nonce)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await _plain(send_with_headers, *refusal)
            return
        await self._app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        """Return ``(status, text, headers)`` of the answer that refuses the request, if any."""
        request_headers = dict(scope.get("headers", []))
        if self._allowed is not None:
            host = _host_name(request_headers.get(b"host", b"").decode("latin-1"))
            if host not in self._allowed:
                return 400, "Unexpected Host header: open the dashboard at 127.0.0.1.", []
        if self._token is None:
            return None
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [value for name, value in query if name == _TOKEN_PARAMETER]
        if given:
            if not self._matches(given[0]):
                return 403, "Wrong token.", []
            rest = urlencode([(name, value) for name, value in query if name != _TOKEN_PARAMETER])
            path: bytes = scope.get("raw_path") or scope["path"].encode()
            # "//host/..." would send the browser to another site, and so would "/\\host/...":
            # browsers read a backslash in an http URL as a slash.
            location = b"/" + path.lstrip(b"/\\") + (f"?{rest}".encode() if rest else b"")
            cookie = f"{TOKEN_COOKIE}={self._token}; HttpOnly; SameSite=Strict; Path=/".encode()
            return 303, "Signed in.", [(b"location", location), (b"set-cookie", cookie)]
        cookies = SimpleCookie()
        try:
            cookies.load(request_headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # noqa: BLE001 - a malformed cookie header is no token
            cookies = SimpleCookie()
        held = cookies.get(TOKEN_COOKIE)
        if held is None:
            return 401, "This dashboard needs its token: open the URL linkequity serve printed.", []
        if not self._matches(held.value):
            return 403, "Wrong token.", []
        return None

    def _matches(self, candidate: str) -> bool:
        if self._token is None:
            return True
        return hmac.compare_digest(candidate.encode(), self._token.encode())


def _host_name(header: str) -> str:
    """Return the host name of a ``Host`` header, without port or brackets, lower case.

    A header that is not ``name[:port]`` or ``[address][:port]`` (two hosts, a
    user part, a path, a port that is no number) comes back whole, so that it
    matches no allowed name.
    """
    header = header.strip().lower()
    found = _HOST_HEADER.fullmatch(header)
    if found is None:
        return header
    return found.group("address") or found.group("name")


def _security_headers(nonce: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(nonce).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    ]


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
