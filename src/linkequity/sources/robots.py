"""Reading a saved robots.txt from disk, as bytes for ``parsing.robots``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.errors import UnreadablePage
from linkequity.parsing.robots import ROBOTS_PARSE_LIMIT_BYTES

if TYPE_CHECKING:
    from pathlib import Path


def read_robots_file(path: Path) -> bytes:
    """Return the bytes of a saved robots.txt, one past the parse limit at most.

    Raises
    ------
    UnreadablePage
        If the file cannot be read.
    """
    try:
        with path.open("rb") as raw:
            return raw.read(ROBOTS_PARSE_LIMIT_BYTES + 1)
    except OSError as exc:
        raise UnreadablePage(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="Check the path; save the robots.txt as a text file and try again.",
        ) from exc
