"""Opening a project file the way every use case needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.errors import StoreError
from linkequity.store import Store

if TYPE_CHECKING:
    from pathlib import Path


def open_existing(db: Path, *, read_only: bool = False) -> Store:
    """Open a project that must already exist; a missing file is the user's mistake.

    Raises
    ------
    StoreError
        When ``db`` does not exist, with the command that creates it as hint.
    """
    if not db.is_file():
        raise StoreError(
            f"no project at {db}",
            hint="Create one with `linkequity import EXPORT.csv --db PATH`, or pass --db.",
        )
    return Store.open(db, read_only=read_only)
