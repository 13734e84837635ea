"""Use cases: the headline counts of a project, and whether it is consistent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.services.project import open_existing

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.store import ConsistencyReport, StoreStats


def project_stats(db: Path) -> StoreStats:
    """Links, referring pages and domains, targets and sources stored in ``db``."""
    with open_existing(db, read_only=True) as store:
        return store.stats()


def check_project(db: Path) -> ConsistencyReport:
    """Check every consistency rule of the store on ``db`` (``store.consistency``).

    After a crash, a full disk or a copy by hand, this says whether the
    project still holds what every write leaves true: no duplicate URL, link
    or sighting, nothing naming what does not exist, no crawl URL lost or
    claimed forever.
    """
    with open_existing(db, read_only=True) as store:
        return store.check_consistency()
