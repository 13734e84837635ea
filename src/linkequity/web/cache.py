"""What the dashboard keeps of each target: every costly part, once per version of the store.

A part (the audit, the toxicity, the tier map, the plan, a rendered section)
is kept under ``(part, target, version)``, the version being what
``version_of`` reads from the project file (``services.browse.data_version``:
its size and mtime, and its write-ahead log's). A write to the store changes
the version, and what was kept of the old one is dropped at the next request.
Two requests for the same key compute it once: the second waits on the key's
lock and takes the first one's value. ``schedule`` builds a target's parts
one after another in a worker thread; a request for a scheduled part waits
for it there. ``computations`` counts the parts
built, by part, so that tests see a cache hit without timing anything.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence

__all__ = ["PartCache"]

_T = TypeVar("_T")
_Key = tuple[str, str, "Hashable"]


class PartCache:
    """The costly parts of each target, each computed once per version of the store.

    Parameters
    ----------
    version_of : callable
        Returns the store's current version (any hashable); read at each ``get``.
    workers : int, default 2
        Threads that build scheduled parts (each target's parts one after another).
    max_targets : int, default 8
        Targets whose parts are kept; the one asked for least recently is
        dropped for a new one (a million-link target's parts weigh hundreds of MB).
    """

    def __init__(
        self, version_of: Callable[[], Hashable], *, workers: int = 2, max_targets: int = 8
    ) -> None:
        self._version_of = version_of
        self._max_targets = max_targets
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._guard = threading.Lock()
        self._version: Hashable = None
        self._locks: dict[_Key, threading.Lock] = {}
        self._values: dict[_Key, object] = {}
        self._scheduled: dict[_Key, Future[None]] = {}
        self._in_worker = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkequity-part")
        #: Parts built so far, by part name (a part found kept is not counted).
        self.computations: Counter[str] = Counter()

    def get(self, part: str, target: str, build: Callable[[], _T]) -> _T:
        """Return *part* of *target* at the store's current version, built by *build* if need be.

        If the part is scheduled and not built yet, wait for the schedule
        rather than build it beside it (on two cores, side by side is slower).
        """
        version = self._version_of()
        key: _Key = (part, target, version)
        with self._guard:
            self._follow(version)
            self._touch(target)
            lock = self._locks.setdefault(key, threading.Lock())
            scheduled = self._scheduled.get(key)
        if scheduled is not None and not getattr(self._in_worker, "is_set", False):
            wait([scheduled])
        with lock:
            with self._guard:
                if key in self._values:
                    value: _T = self._values[key]  # type: ignore[assignment]
                    return value
            built = build()
            with self._guard:
                self.computations[part] += 1
                if version == self._version and target in self._recent:
                    self._values[key] = built
            return built

    def schedule(self, target: str, fetches: Sequence[tuple[str, Callable[[], object]]]) -> None:
        """Build parts of *target* one after another in a worker thread, in the order given.

        Each of *fetches* is ``(part, fetch)``, ``fetch`` being a function that
        asks for the part with ``get`` (a part may need one scheduled before it,
        never one after). Parts kept or scheduled already are left out. A part
        whose build fails is not kept: the next ``get`` builds it again and
        meets the error itself.
        """
        version = self._version_of()
        pending: list[tuple[Callable[[], object], Future[None]]] = []
        with self._guard:
            self._follow(version)
            for part, fetch in fetches:
                key: _Key = (part, target, version)
                if key not in self._values and key not in self._scheduled:
                    done: Future[None] = Future()
                    self._scheduled[key] = done
                    pending.append((fetch, done))
        if pending:
            self._pool.submit(self._build_in_turn, pending)

    def close(self) -> None:
        """Stop the worker threads: parts not started are dropped, running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _follow(self, version: Hashable) -> None:
        """Drop what was kept of another version (called holding the guard)."""
        if version != self._version:
            # The store was written: what was kept describes data that is gone.
            self._values.clear()
            self._locks.clear()
            self._scheduled.clear()
            self._recent.clear()
            self._version = version

    def _touch(self, target: str) -> None:
        """Mark *target* as asked for; drop the least recent one's parts beyond the bound."""
        self._recent[target] = None
        self._recent.move_to_end(target)
        while len(self._recent) > self._max_targets:
            dropped, _ = self._recent.popitem(last=False)
            for key in [key for key in self._values if key[1] == dropped]:
                del self._values[key]

    def _build_in_turn(self, pending: list[tuple[Callable[[], object], Future[None]]]) -> None:
        self._in_worker.is_set = True
        for fetch, done in pending:
            try:
                fetch()
            except Exception:  # noqa: BLE001, S110 - the request that asks for it meets the error
                pass
            finally:
                done.set_result(None)
