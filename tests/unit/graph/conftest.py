"""Test-side readers of the graphs in shared/data: graph/ itself does no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from tests.conftest import SHARED_DATA

GRAPHS = SHARED_DATA / "graphs"
HOLLINS = GRAPHS / "hollins"
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


@pytest.fixture(scope="session")
def reference_cases() -> list[dict[str, Any]]:
    """The published cases of pagerank_reference_values.json."""
    _require("pagerank_reference_values.json")
    cases: list[dict[str, Any]] = json.loads(REFERENCE_VALUES.read_text(encoding="utf-8"))["cases"]
    return cases
