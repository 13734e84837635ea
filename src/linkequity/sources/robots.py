"""Reading a saved robots.txt from disk, as bytes for ``parsing.robots``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.errors import UnreadablePage
from linkequity.parsing.robots import ROBOTS_PARSE_LIMIT_BYTES
from linkequity.sources.sniff import is_binary

if TYPE_CHECKING:
    from pathlib import Path

_HINT = "Check the path; save the robots.txt as a text file and try again."


def read_robots_file(path: Path) -> bytes:
    """Return the bytes of a saved robots.txt, one past the parse limit at most.

    An empty file is a robots.txt that allows everything (RFC 9309).

    Raises
    ------
    UnreadablePage
        If the file cannot be read, or is binary (``sources.sniff.is_binary``).
    """
    try:
        with path.open("rb") as raw:
            data = raw.read(ROBOTS_PARSE_LIMIT_BYTES + 1)
    except OSError as exc:
        raise UnreadablePage(f"cannot read {path}: {exc.strerror or exc}", hint=_HINT) from exc
    if is_binary(data):
        raise UnreadablePage(f"{path} is not a robots.txt: it holds binary data", hint=_HINT)
    return data
