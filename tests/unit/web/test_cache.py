"""The dashboard's part cache: once per key and version, one build at a time, in schedule order."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from linkequity.web.cache import PartCache

if TYPE_CHECKING:
    from collections.abc import Iterator

WAIT_S = 30.0


class Versions:
    """A store version that a test moves by hand; tells when a given thread reads it."""

    def __init__(self) -> None:
        self.current = 1
        self.read_by: dict[threading.Thread, threading.Event] = {}

    def __call__(self) -> int:
        read = self.read_by.get(threading.current_thread())
        if read is not None:
            read.set()
        return self.current


@pytest.fixture
def versions() -> Versions:
    return Versions()


@pytest.fixture
def cache(versions: Versions) -> Iterator[PartCache]:
    parts = PartCache(versions)
    yield parts
    parts.close()


def test_a_part_is_built_once_and_kept(cache: PartCache) -> None:
    built: list[str] = []
    for _ in range(3):
        assert cache.get("audit", "a.example", lambda: built.append("audit") or 7) == 7
    assert cache.get("audit", "b.example", lambda: 8) == 8
    assert built == ["audit"]
    assert cache.computations == {"audit": 2}


def test_a_new_version_of_the_store_drops_what_was_kept(
    cache: PartCache, versions: Versions
) -> None:
    assert cache.get("audit", "a.example", lambda: "old") == "old"
    versions.current = 2
    assert cache.get("audit", "a.example", lambda: "new") == "new"
    assert cache.get("audit", "a.example", lambda: "newer") == "new"
    assert cache.computations == {"audit": 2}


def test_the_least_recent_target_is_dropped_beyond_the_bound(versions: Versions) -> None:
    cache = PartCache(versions, max_targets=2)
    try:
        for target in ("a.example", "b.example", "a.example", "c.example"):
            cache.get("audit", target, lambda: "kept")
        assert cache.computations == {"audit": 3}
        cache.get("audit", "a.example", lambda: "kept")  # kept: asked for after b
        assert cache.computations == {"audit": 3}
        cache.get("audit", "b.example", lambda: "again")  # dropped for c
        assert cache.computations == {"audit": 4}
    finally:
        cache.close()


def test_a_failed_build_is_not_kept(cache: PartCache) -> None:
    def fail() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        cache.get("plan", "a.example", fail)
    assert cache.get("plan", "a.example", lambda: 3) == 3


def test_a_second_request_waits_for_the_first_build(cache: PartCache, versions: Versions) -> None:
    building, second_asked = threading.Event(), threading.Event()
    versions.read_by[threading.current_thread()] = second_asked

    def slow_build() -> str:
        building.set()
        assert second_asked.wait(WAIT_S)  # the second request is in
        return "first"

    answers: list[str] = []
    first = threading.Thread(
        target=lambda: answers.append(cache.get("tiers", "a.example", slow_build))
    )
    first.start()
    assert building.wait(WAIT_S)
    answers.append(cache.get("tiers", "a.example", lambda: "second"))
    first.join(WAIT_S)
    assert answers == ["first", "first"]
    assert cache.computations == {"tiers": 1}


def test_a_scheduled_part_is_built_by_the_schedule_in_its_order(
    cache: PartCache, versions: Versions
) -> None:
    order: list[str] = []
    asked = threading.Event()

    def toxicity() -> object:
        return cache.get("toxicity", "a.example", lambda: order.append("toxicity") or "t")

    def plan() -> object:
        assert asked.wait(WAIT_S)  # the request below is in, waiting for this one
        return cache.get("plan", "a.example", lambda: order.append("plan") or toxicity())

    cache.schedule("a.example", [("toxicity", toxicity), ("plan", plan)])
    versions.read_by[threading.current_thread()] = asked
    assert cache.get("plan", "a.example", lambda: order.append("request") or "r") == "t"
    assert order == ["toxicity", "plan"]
    cache.schedule("a.example", [("toxicity", toxicity), ("plan", plan)])  # all kept: no work
    assert cache.computations == {"toxicity": 1, "plan": 1}
