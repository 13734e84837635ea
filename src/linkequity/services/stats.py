"""Use case: the headline counts of a project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.services.project import open_existing

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.store import StoreStats


def project_stats(db: Path) -> StoreStats:
    """Links, referring pages and domains, targets and sources stored in ``db``."""
    with open_existing(db, read_only=True) as store:
        return store.stats()
