"""What the tiers and plan commands share: reading a target, a snapshot and domain ids.

A target is domains or hosts (bare names) and pages (whole URLs); a name is
a registrable domain if any stored URL has it as one, else a host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkequity.errors import InvalidUrl, UsageError
from linkequity.model.urls import normalize_url, url_host

if TYPE_CHECKING:
    from pathlib import Path

    from linkequity.store import Store

__all__ = ["domain_ids", "int64_column", "parse_target", "resolve_snapshot", "select_target_rows"]


def parse_target(target: list[str]) -> tuple[list[str], list[str]]:
    """Split the target into domain-or-host names and normalised URLs."""
    names: list[str] = []
    urls: list[str] = []
    for text in target:
        if "://" not in text and "/" in text.strip().rstrip("/"):
            raise UsageError(
                f"target {text!r} has a path but no scheme",
                hint="Give a page as a whole URL (https://example.com/page/), or a bare domain.",
            )
        try:
            if "://" in text:
                urls.append(normalize_url(text))
            else:
                names.append(url_host(normalize_url(f"http://{text.strip()}/")))
        except InvalidUrl as err:
            raise InvalidUrl(
                f"target {text!r}: {err}",
                hint="Give a domain (example.com), a host (blog.example.com) or a URL.",
            ) from err
    return names, urls


def select_target_rows(found: pa.Table, names: list[str], urls: list[str], db: Path) -> pa.Table:
    """Keep the target's pages: a name is a domain if any URL has it as one, else a host."""
    domains = found.column("domain")
    hosts = found.column("host")
    keep = pc.is_in(found.column("url"), value_set=pa.array(urls, pa.string()))
    for name in names:
        on_domain = pc.equal(domains, pa.scalar(name))
        matched = on_domain if pc.any(on_domain).as_py() else pc.equal(hosts, pa.scalar(name))
        if not pc.any(matched).as_py():
            raise _unknown_target(name, db)
        keep = pc.or_(keep, matched)
    missing = set(urls) - set(found.column("url").to_pylist())
    if missing:
        raise _unknown_target(sorted(missing)[0], db)
    return found.filter(keep)


def _unknown_target(name: str, db: Path) -> UsageError:
    return UsageError(
        f"{name} is not a domain, host or URL of {db}",
        hint="Check the spelling; `linkequity stats` counts what the project holds, "
        "and a site must be linked or crawled to be in it.",
    )


def resolve_snapshot(store: Store, snapshot_id: int | None, db: Path) -> int:
    """Return the snapshot asked for, or the latest; a one-line error if there is none."""
    if snapshot_id is None:
        latest = store.latest_snapshot_id()
        if latest is None:
            raise UsageError(
                f"{db} is empty: no import, ingest or crawl yet",
                hint="Import backlink exports, ingest archives or crawl into it first.",
            )
        return latest
    if not store.snapshot_exists(snapshot_id):
        raise UsageError(
            f"{db} has no snapshot {snapshot_id}", hint="Leave out --snapshot to map the latest."
        )
    return snapshot_id


def domain_ids(
    url_ids: npt.NDArray[np.int64], nodes: pa.Table, target_rows: pa.Table
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Domain names, sorted, and the domain id of each node."""
    ids = np.concatenate(
        [int64_column(nodes.column("url_id")), int64_column(target_rows.column("url_id"))]
    )
    names = pa.chunked_array(
        [*nodes.column("domain").chunks, *target_rows.column("domain").chunks], pa.string()
    )
    _, first = np.unique(ids, return_index=True)
    domain_of_url = names.take(first)
    unique = pc.unique(domain_of_url)
    unique = unique.take(pc.sort_indices(unique))
    domain_of_node = int64_column(pc.index_in(domain_of_url, value_set=unique))
    if domain_of_node.size != url_ids.size:
        raise AssertionError("a node without a domain")
    return [str(name) for name in unique.to_pylist()], domain_of_node


def int64_column(column: pa.ChunkedArray[Any] | pa.Array[Any]) -> npt.NDArray[np.int64]:
    """Return an Arrow integer column as an int64 NumPy array."""
    return np.asarray(column.to_numpy(), dtype=np.int64)
