"""An HTTP payload as archived to the bytes a browser would read: de-chunked and decompressed.

Web archives store the payload as it came off the wire. ``decode_body`` undoes
``Transfer-Encoding: chunked`` and the ``Content-Encoding`` codings zlib knows
(``gzip``, ``x-gzip``, ``deflate``), never producing more than
``MAX_DECODED_BYTES``: a gzip bomb stops at the cap.

It is total, like the rest of parsing/. Damage is answered the way warcio
answers it: a body that says chunked but does not parse as chunks, or says
gzip but does not start as gzip, is taken as it is (servers get the headers
wrong, and archives such as ClueWeb store decoded bodies under the original
``Content-Encoding``); a decompression that fails part way keeps what came
out before the damage. Only
a coding nothing here can undo (``br``, ``zstd``, ``compress``) gives no body,
with the reason in ``DecodedBody.problem``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkequity.parsing.html import MAX_HTML_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_DECODED_BYTES", "DecodedBody", "decode_body"]

#: Bytes of decoded body kept at most: what ``parsing.html`` reads of a page.
MAX_DECODED_BYTES = MAX_HTML_BYTES

_FEED_BYTES = 64 * 1024
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
#: zlib's ``wbits`` per coding: gzip header, zlib header; raw deflate is tried after zlib.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


@dataclass(frozen=True, slots=True)
class DecodedBody:
    """A payload after its transfer and content codings were undone.

    Attributes
    ----------
    data : bytes
        The decoded body, at most ``MAX_DECODED_BYTES``; ``b""`` when a coding
        could not be undone.
    is_truncated : bool
        Decoding stopped at ``MAX_DECODED_BYTES`` or at damage in the stream.
    problem : str or None
        Why no body could be had, e.g. ``"content coding br is not supported"``.
    """

    data: bytes
    is_truncated: bool = False
    problem: str | None = None


def decode_body(body: bytes, headers: Iterable[tuple[str, str]]) -> DecodedBody:
    """Return *body* with its chunking and content codings undone.

    Parameters
    ----------
    body : bytes
        The HTTP payload as archived.
    headers : iterable of (str, str)
        The response headers; names are case-insensitive.

    Returns
    -------
    DecodedBody
    """
    transfer: list[str] = []
    content: list[str] = []
    for name, value in headers:
        lowered = name.strip().lower()
        if lowered == "transfer-encoding":
            transfer += _codings(value)
        elif lowered == "content-encoding":
            content += _codings(value)
    data = body
    if "chunked" in transfer:
        dechunked = _dechunk(body)
        data = body if dechunked is None else dechunked
    is_truncated = False
    # Codings are listed in the order they were applied; undo the last first.
    for coding in reversed(content):
        if coding == "identity":
            continue
        if coding not in _WBITS:
            return DecodedBody(b"", problem=f"content coding {coding} is not supported")
        data, was_cut = _decompress(data, coding)
        is_truncated = is_truncated or was_cut
    if len(data) > MAX_DECODED_BYTES:
        return DecodedBody(data[:MAX_DECODED_BYTES], is_truncated=True)
    return DecodedBody(data, is_truncated=is_truncated)


def _codings(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",") if token.strip()]


def _dechunk(body: bytes) -> bytes | None:
    """Return the chunks of *body* joined, or ``None`` when it is not chunked after all.

    A body cut inside its last chunk keeps what it has.
    """
    pieces: list[bytes] = []
    position = size = 0
    while position < len(body):
        match = _CHUNK_SIZE.match(body, position)
        if match is None:
            return None
        size = int(match.group(1), 16)
        if size == 0:
            break
        start = match.end()
        pieces.append(body[start : start + size])
        position = start + size
        if body.startswith(b"\r\n", position):
            position += 2
        elif body.startswith(b"\n", position):
            position += 1
        elif position < len(body):
            return None
        if sum(map(len, pieces)) > MAX_DECODED_BYTES:
            break
    if not pieces and size != 0:
        return None
    return b"".join(pieces)


def _decompress(data: bytes, coding: str) -> tuple[bytes, bool]:
    """Decompress *data* up to the cap; return it and whether it was cut short.

    The input is fed in pieces so that damage part way keeps the output before
    it; input that fails from its first bytes is returned as it is.
    """
    wbits = _WBITS[coding]
    # "deflate" is a zlib stream by the RFC and raw deflate on many servers.
    attempts = (wbits, -zlib.MAX_WBITS) if coding == "deflate" else (wbits,)
    out = bytearray()
    for attempt in attempts:
        decompressor = zlib.decompressobj(attempt)
        out = bytearray()
        try:
            for start in range(0, len(data), _FEED_BYTES):
                room = MAX_DECODED_BYTES + 1 - len(out)
                out += decompressor.decompress(data[start : start + _FEED_BYTES], room)
                if len(out) > MAX_DECODED_BYTES or decompressor.eof:
                    break
        except zlib.error:
            if out:
                return bytes(out), True
            continue
        is_cut = len(out) > MAX_DECODED_BYTES or not decompressor.eof
        return bytes(out[:MAX_DECODED_BYTES]), is_cut
    # Not compressed at all, whatever the header says.
    return data, False
