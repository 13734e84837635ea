"""Use case: exchange a project's link tables as Parquet files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkequity.errors import UsageError
from linkequity.services.project import open_existing
from linkequity.store import PARQUET_TABLES, Store

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.store import StoreStats


def export_parquet(db: Path, directory: Path) -> list[Path]:
    """Write the link tables of ``db`` into ``directory``; return the files written."""
    with open_existing(db, read_only=True) as store:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(
                f"cannot make the folder {directory}: {err.strerror or err}",
                hint="Pass a folder path (new or existing), not a file.",
            ) from err
        return store.export_parquet(directory)


def import_parquet(db: Path, directory: Path) -> StoreStats:
    """Merge the Parquet link tables in ``directory`` into ``db`` (created if new)."""
    if not directory.is_dir():
        raise UsageError(
            f"{directory} is not a folder",
            hint="Pass the folder that `linkequity parquet export` wrote.",
        )
    # Checked before the project is opened, which would make a new one.
    missing = [table for table in PARQUET_TABLES if not (directory / f"{table}.parquet").is_file()]
    if missing:
        raise UsageError(
            f"{directory} holds no {', '.join(f'{table}.parquet' for table in missing)}",
            hint="Pass the folder that `linkequity parquet export` or `linkequity spark extract` "
            "wrote.",
        )
    with Store.open(db) as store:
        store.import_parquet(directory)
        return store.stats()
