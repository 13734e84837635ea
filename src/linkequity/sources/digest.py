"""Content digests of input files: how an import knows a file it has seen."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from linkequity.errors import UnreadableExport

if TYPE_CHECKING:
    from pathlib import Path

_CHUNK_BYTES = 1 << 20


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file's bytes, read in chunks.

    Raises
    ------
    UnreadableExport
        If the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as exc:
        raise UnreadableExport(f"cannot read {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()
