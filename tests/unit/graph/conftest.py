"""Test-side readers of the graphs in shared/data: graph/ itself does no I/O."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from tests.conftest import SHARED_DATA

GRAPHS = SHARED_DATA / "graphs"
HOLLINS = GRAPHS / "hollins"
UK1996_HOSTS = GRAPHS / "uk1996_hosts" / "1996-uk-web-hosts.tsv.gz"
REFERENCE_VALUES = GRAPHS / "pagerank_reference_values.json"


@dataclass(frozen=True)
class EdgeList:
    """A graph as 0-based id arrays, with a name per node."""

    sources: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int64]
    names: list[str]

    @property
    def n_nodes(self) -> int:
        return len(self.names)


def _require(path: object) -> None:
    if not GRAPHS.joinpath(str(path)).exists():
        pytest.skip(f"{GRAPHS / str(path)} is absent (shared/data not laid out here)")


@pytest.fixture(scope="session")
def hollins() -> EdgeList:
    """The hollins.edu crawl of January 2004: 1-based ids in the files, 0-based here."""
    _require("hollins")
    edges = np.loadtxt(HOLLINS / "hollins_edges.dat", skiprows=1, dtype=np.int64, ndmin=2)
    names: list[str] = []
    with (HOLLINS / "hollins_nodes_urls.dat").open(encoding="utf-8") as lines:
        next(lines)
        for expected_id, line in enumerate(lines, start=1):
            node_id, url = line.split(maxsplit=1)
            assert int(node_id) == expected_id
            names.append(url.strip())
    return EdgeList(edges[:, 0] - 1, edges[:, 1] - 1, names)


@dataclass(frozen=True)
class HostLinks:
    """A weighted host link list, as read: one row per (source host, target host)."""

    sources: list[str]
    targets: list[str]
    counts: npt.NDArray[np.float64]


@pytest.fixture(scope="session")
def uk1996_hosts() -> HostLinks:
    """The UK Web Archive host graph of 1996: ``1996|source|target<TAB>count`` lines."""
    _require("uk1996_hosts")
    sources: list[str] = []
    targets: list[str] = []
    counts: list[float] = []
    with gzip.open(UK1996_HOSTS, "rt", encoding="utf-8") as lines:
        for line in lines:
            key, count = line.rstrip("\n").split("\t")
            _, source, target = key.split("|")
            sources.append(source)
            targets.append(target)
            counts.append(float(count))
    return HostLinks(sources, targets, np.array(counts))


@pytest.fixture(scope="session")
def reference_cases() -> list[dict[str, Any]]:
    """The published cases of pagerank_reference_values.json."""
    _require("pagerank_reference_values.json")
    cases: list[dict[str, Any]] = json.loads(REFERENCE_VALUES.read_text(encoding="utf-8"))["cases"]
    return cases
