"""Compiled loops behind the graph builds and the PageRank rounds (Numba).

SciPy's sparse products run on one core and read a float64 value beside each
column index; a PageRank round over an unweighted graph needs neither. These
kernels read only the index arrays, run on every core (``prange``) and fuse a
whole round (gather, teleport, residual, next round's inputs) into one pass
over memory, which is what bounds the speed of a round. benchmarks/bench_graph.py
measures them against SciPy's power iteration (scikit-network) and the others.

Every kernel is compiled once per process on first call, or loaded from
Numba's on-disk cache (``cache=True``). The callers in link_graph.py and
authority.py pass fixed dtypes (int64 row pointers, int32 column indices,
float64 values), so each kernel has exactly one compiled signature. Each
parallel kernel also has a one-thread twin, compiled from the same source,
that small work runs (`_compiled_for`): a demo or a test suite of small
graphs never waits for the parallel ones to compile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import FunctionType, SimpleNamespace
from typing import Any, TypeVar, cast

import numba
import numpy as np

__all__ = ["build_csr", "pagerank_rounds", "source_totals", "transpose_pattern"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(function: _F) -> _F:
    return cast("_F", numba.njit(cache=True, nogil=True)(function))


# Every kernel compiled with `_parallel_jit`, in order: `_one_thread_twins` compiles each again.
_PARALLEL_KERNELS: list[Any] = []


def _parallel_jit(function: _F) -> _F:
    kernel = numba.njit(cache=True, nogil=True, parallel=True)(function)
    _PARALLEL_KERNELS.append(kernel)
    return cast("_F", kernel)


# Below this many edges one thread finishes a build before the others would wake.
_PARALLEL_FROM = 200_000
# PageRank rounds gain from a second thread much sooner. Counted in the edges a
# round gathers: on the UK 1996 host graph (15.5k of its 174k edges, the rest
# into dangling nodes) a round takes 0.068 ms on one thread and 0.042 on two,
# on hollins (19.7k of 23.9k) 0.031 and 0.021 (benchmarks/bench_rounds.py, two
# cores, at 632f263).
_PARALLEL_ROUNDS_FROM = 10_000


def _chunks_within(budget_bytes: int, n_threads: int, vector_size: int) -> int:
    """Return how many chunks of work to count in, each into a vector of 8-byte counts.

    One a thread, but no more vectors than ``budget_bytes`` (the input's own
    size) holds: 64 threads over a graph of few edges per node would
    otherwise need 64 node-sized vectors.
    """
    return max(1, min(n_threads, budget_bytes // max(8 * vector_size, 1)))


def _compiled_for(n_work: int, parallel_from: int = _PARALLEL_FROM) -> tuple[SimpleNamespace, int]:
    """Return the kernels to run work of this size with, and the threads they share it among.

    Small work, or a single thread in all, takes the one-thread twins
    (`_one_thread_twins`), which also compile in a third of the time.
    """
    n_threads = numba.get_num_threads()
    if n_work < parallel_from or n_threads == 1:
        return _ONE_THREAD, 1
    return _EVERY_CORE, n_threads


@numba.njit(inline="always", nogil=True)
def _cursor_starts(cursors: Any) -> Any:
    """Turn per-chunk counts of each row into each chunk's first slot; return row pointers.

    ``cursors[c, r]`` counts chunk ``c``'s entries of row ``r`` and becomes the
    first slot they take: a row's chunks follow each other in chunk order,
    which keeps a counting sort stable.
    """
    n_chunks, n_rows = cursors.shape
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    total = 0
    for r in range(n_rows):
        indptr[r] = total
        for c in range(n_chunks):
            count = cursors[c, r]
            cursors[c, r] = total
            total += count
    indptr[n_rows] = total
    return indptr


@_parallel_jit
def _counting_sort(
    rows: Any, cols: Any, values: Any, keep: Any, n_rows: int, n_chunks: int
) -> tuple[Any, Any, Any]:
    """Group the kept entries by row, returning row pointers, columns and values.

    Each thread counts and then places one contiguous chunk of the entries,
    the chunks' slots within a row following each other, so the grouping is
    stable.
    """
    is_weighted = values.size > 0
    chunk = (rows.size + n_chunks - 1) // n_chunks
    cursors = np.zeros((n_chunks, n_rows), dtype=np.int64)
    for c in numba.prange(n_chunks):
        for e in range(c * chunk, min(rows.size, (c + 1) * chunk)):
            if keep[e]:
                cursors[c, rows[e]] += 1
    indptr = _cursor_starts(cursors)
    total = indptr[n_rows]
    grouped_cols = np.empty(total, dtype=np.int32)
    grouped_values = np.empty(total if is_weighted else 0, dtype=np.float64)
    for c in numba.prange(n_chunks):
        for e in range(c * chunk, min(rows.size, (c + 1) * chunk)):
            if keep[e]:
                slot = cursors[c, rows[e]]
                grouped_cols[slot] = cols[e]
                if is_weighted:
                    grouped_values[slot] = values[e]
                cursors[c, rows[e]] += 1
    return indptr, grouped_cols, grouped_values


@_parallel_jit
def _regroup(indptr: Any, members: Any, values: Any, n_groups: int, n_chunks: int) -> Any:
    """Regroup a grouping by its members: row ``j`` of the result lists the groups holding ``j``.

    ``indptr`` and ``members`` (int32) group the entries, ``values`` (float64
    or empty) rides along. Each thread takes a run of groups holding about
    as many entries as the others' and places them in increasing order, the
    runs' slots within a row following each other, so every row of the result
    lists its groups in increasing order. Returns ``(indptr, groups, values)``.
    """
    is_weighted = values.size > 0
    n_entries = indptr[-1]
    bounds = np.searchsorted(indptr, np.linspace(0, n_entries, n_chunks + 1).astype(np.int64))
    bounds[-1] = indptr.size - 1
    cursors = np.zeros((n_chunks, n_groups), dtype=np.int64)
    for c in numba.prange(n_chunks):
        for k in range(indptr[bounds[c]], indptr[bounds[c + 1]]):
            cursors[c, members[k]] += 1
    new_indptr = _cursor_starts(cursors)
    total = new_indptr[n_groups]
    groups = np.empty(total, dtype=np.int32)
    new_values = np.empty(total if is_weighted else 0, dtype=np.float64)
    for c in numba.prange(n_chunks):
        for g in range(bounds[c], bounds[c + 1]):
            for k in range(indptr[g], indptr[g + 1]):
                slot = cursors[c, members[k]]
                groups[slot] = g
                if is_weighted:
                    new_values[slot] = values[k]
                cursors[c, members[k]] += 1
    return new_indptr, groups, new_values


@_parallel_jit
def _merge_repeats(indptr: Any, cols: Any, values: Any) -> Any:
    """Merge each row's repeated columns (sorted, so side by side), adding their values.

    Works in place; returns the number of distinct columns of each row, shifted
    by one like a row pointer array before its running sum.
    """
    is_weighted = values.size > 0
    n_rows = indptr.size - 1
    distinct = np.zeros(n_rows + 1, dtype=np.int64)
    for i in numba.prange(n_rows):
        start, end = indptr[i], indptr[i + 1]
        last = start - 1
        for k in range(start, end):
            if last >= start and cols[k] == cols[last]:
                if is_weighted:
                    values[last] += values[k]
            else:
                last += 1
                cols[last] = cols[k]
                if is_weighted:
                    values[last] = values[k]
        distinct[i + 1] = last - start + 1
    return distinct


@_parallel_jit
def _compact(indptr: Any, cols: Any, values: Any, distinct: Any) -> tuple[Any, Any, Any]:
    is_weighted = values.size > 0
    n_rows = indptr.size - 1
    new_indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for i in range(n_rows):
        new_indptr[i + 1] = new_indptr[i] + distinct[i + 1]
    new_cols = np.empty(new_indptr[n_rows], dtype=np.int32)
    new_values = np.empty(new_indptr[n_rows] if is_weighted else 0, dtype=np.float64)
    for i in numba.prange(n_rows):
        start, length = indptr[i], distinct[i + 1]
        at = new_indptr[i]
        # Element by element: a slice assignment compiles shape checks that
        # took 1.6 of the 2.1 s this kernel's first compile took.
        for k in range(length):
            new_cols[at + k] = cols[start + k]
            if is_weighted:
                new_values[at + k] = values[start + k]
    return new_indptr, new_cols, new_values


def build_csr(rows: Any, cols: Any, values: Any, keep: Any, n_nodes: int) -> tuple[Any, Any, Any]:
    """Build canonical CSR arrays (sorted columns, no repeats) from the kept entries.

    ``rows`` and ``cols`` are int64 ids in ``[0, n_nodes)`` and ``keep`` bool,
    all of one length; ``values`` is float64 of the same length, whose entries
    for repeated ``(row, col)`` pairs add up, or empty for a pattern without
    values. Returns ``(indptr int64, indices int32, data float64)``, ``data``
    empty when ``values`` is.

    Two stable counting sorts, by column and then by row (a radix sort of two
    digits), leave every row's columns in increasing order with repeats side by
    side, in linear time: sorting each row instead took 70 % of the build of a
    power-law graph, whose hubs' rows hold thousands of entries.
    """
    kernels, n_threads = _compiled_for(rows.size)
    n_chunks = _chunks_within(rows.nbytes, n_threads, n_nodes)
    by_col_indptr, by_col_rows, by_col_values = kernels.counting_sort(
        cols, rows, values, keep, n_nodes, n_chunks
    )
    indptr, grouped_cols, grouped_values = kernels.regroup(
        by_col_indptr, by_col_rows, by_col_values, n_nodes, n_chunks
    )
    del by_col_indptr, by_col_rows, by_col_values
    distinct = kernels.merge_repeats(indptr, grouped_cols, grouped_values)
    built: tuple[Any, Any, Any] = kernels.compact(indptr, grouped_cols, grouped_values, distinct)
    return built


@_parallel_jit
def _source_totals(indices: Any, weights: Any, n_nodes: int, n_chunks: int) -> Any:
    is_weighted = weights.size > 0
    chunk = (indices.size + n_chunks - 1) // n_chunks
    partial = np.zeros((n_chunks, n_nodes), dtype=np.float64)
    for c in numba.prange(n_chunks):
        for k in range(c * chunk, min(indices.size, (c + 1) * chunk)):
            partial[c, indices[k]] += weights[k] if is_weighted else 1.0
    totals = partial[0]
    for c in range(1, n_chunks):
        for j in numba.prange(n_nodes):
            totals[j] += partial[c, j]
    return totals


def source_totals(indices: Any, weights: Any, n_nodes: int) -> Any:
    """Sum the weights of each source's entries (count them if ``weights`` is empty).

    ``indices`` is the int32 column index array of a CSR pattern, ``weights``
    float64 beside it or empty. Returns float64 totals indexed by node id.
    NumPy's ``bincount`` does this on one core after widening every index to
    int64; here each thread counts a chunk into a vector of its own.
    """
    kernels, n_threads = _compiled_for(indices.size)
    n_chunks = _chunks_within(indices.nbytes, n_threads, n_nodes)
    return kernels.source_totals(indices, weights, n_nodes, n_chunks)


@_jit
def transpose_pattern(indptr: Any, indices: Any, n_cols: int) -> tuple[Any, Any, Any]:
    """Transpose a canonical CSR pattern; also return where each transposed entry came from.

    Returns ``(indptr int64, indices int32, origin int64)``: row ``j`` of the
    result lists, in increasing order, the rows ``i`` that have column ``j``,
    and ``origin[k]`` is the position in the input of the entry moved to ``k``
    (to carry values along).
    """
    n_rows = indptr.size - 1
    counts = np.zeros(n_cols + 1, dtype=np.int64)
    for k in range(indices.size):
        counts[indices[k] + 1] += 1
    for j in range(n_cols):
        counts[j + 1] += counts[j]
    cursor = counts[:-1].copy()
    t_indices = np.empty(indices.size, dtype=np.int32)
    origin = np.empty(indices.size, dtype=np.int64)
    for i in range(n_rows):
        for k in range(indptr[i], indptr[i + 1]):
            slot = cursor[indices[k]]
            t_indices[slot] = i
            origin[slot] = k
            cursor[indices[k]] += 1
    return counts, t_indices, origin


#: Sources per segment of a round: their previous scores, 8 MiB of float64,
#: stay in the last-level cache while the segment's in-links gather them
#: (benchmarks/bench_rounds.py: 282 -> 236 ms a round at 5M nodes / 50M edges,
#: where one 40 MB vector does not fit a 32 MiB L3; 1.2x to 1.6x from run to
#: run on a shared machine). Fixed, not read from the machine,
#: so that every machine adds the same partial sums and ranks alike.
SEGMENT_NODES = 1 << 20
# The splits of a graph in one segment: none (only the row count is read).
_NO_SPLITS = np.zeros((0, 0), dtype=np.int32)


def pagerank_rounds(
    in_indptr: Any,
    in_indices: Any,
    in_share: Any,
    inverse_out: Any,
    teleport: Any,
    dangling: Any,
    damping: float,
    x: Any,
    tol: float,
    max_iter: int,
) -> tuple[Any, int, float]:
    """Run PageRank rounds from ``x`` until the L1 change is below ``tol``.

    Row ``i`` of the in-link pattern (``in_indptr``, ``in_indices``) lists the
    nodes linking to ``i``. For an unweighted graph ``in_share`` is empty and a
    node passes ``x_j * inverse_out[j]`` along each out-link; otherwise
    ``in_share[k]`` is the fraction of its source's score that in-link ``k``
    carries. ``inverse_out[j]`` is 0 exactly for dangling nodes, whose score goes
    to the ``dangling`` distribution. ``teleport`` and ``dangling`` are either
    length-n distributions or empty for uniform ones.

    A dangling node passes nothing along links, so no round needs its score,
    only the total that dangling nodes hold. Its row is gathered in the first
    round and once at the end; in between, that total follows from what the
    other nodes pass to dangling nodes (their ``to_dangling`` shares), and the
    L1 change over dangling nodes is bounded from above by the triangle
    inequality (``residual`` is then that bound plus the exact change over
    the others). A crawl's frontier is dangling: on the UK 1996 host graph
    89 % of the nodes and 91 % of the links, which a round then skips.

    Above `SEGMENT_NODES` nodes a round gathers one segment of sources at a
    time (the in-links of every node are sorted by source, so a segment's are
    a run of each row, found once here), adding each node's partial sums.

    Returns ``(x, rounds, residual)``; the caller compares the residual with
    ``tol`` to tell convergence from running out of rounds.
    """
    # The score vectors come from NumPy, which asks Linux for huge pages for
    # large arrays (Numba's allocator does not): the gathers of a round land
    # all over `passed`, and with 4 KiB pages each would also miss the TLB.
    n_segments = max(1, -(-x.size // SEGMENT_NODES))
    work = np.empty((4 if n_segments == 1 else 5, x.size), dtype=np.float64)
    work[0] = x
    is_dangling = inverse_out == 0.0
    rows = np.flatnonzero(~is_dangling).astype(np.int32)
    dangling_rows = np.flatnonzero(is_dangling).astype(np.int32)
    links_to_dangling = int(np.sum(in_indptr[dangling_rows + 1] - in_indptr[dangling_rows]))
    kernels, n_threads = _compiled_for(in_indices.size - links_to_dangling, _PARALLEL_ROUNDS_FROM)
    n_chunks = _chunks_within(4 * links_to_dangling, n_threads, x.size)
    to_dangling = kernels.dangling_shares(in_indptr, in_indices, in_share, dangling_rows, n_chunks)
    splits = (
        kernels.segment_splits(in_indptr, in_indices, SEGMENT_NODES, n_segments)
        if n_segments > 1
        else _NO_SPLITS
    )
    ranked: tuple[Any, int, float] = kernels.pagerank_rounds(
        in_indptr,
        in_indices,
        splits,
        in_share,
        inverse_out,
        teleport,
        dangling,
        damping,
        rows,
        dangling_rows,
        to_dangling,
        work,
        tol,
        max_iter,
    )
    return ranked


@_parallel_jit
def _dangling_shares(
    in_indptr: Any, in_indices: Any, in_share: Any, dangling_rows: Any, n_chunks: int
) -> Any:
    """Return, for each node, how much of what it passes on lands on dangling nodes.

    Per unit passed: the number of its links to dangling nodes for an
    unweighted graph (``in_share`` empty), the sum of their shares otherwise.
    Each thread counts a chunk of the dangling rows into a vector of its own.
    """
    is_weighted = in_share.size > 0
    n_nodes = in_indptr.size - 1
    chunk = (dangling_rows.size + n_chunks - 1) // n_chunks
    partial = np.zeros((n_chunks, n_nodes), dtype=np.float64)
    for c in numba.prange(n_chunks):
        for t in range(c * chunk, min(dangling_rows.size, (c + 1) * chunk)):
            i = dangling_rows[t]
            for k in range(in_indptr[i], in_indptr[i + 1]):
                partial[c, in_indices[k]] += in_share[k] if is_weighted else 1.0
    shares = partial[0]
    for c in range(1, n_chunks):
        for j in numba.prange(n_nodes):
            shares[j] += partial[c, j]
    return shares


@_parallel_jit
def _segment_splits(indptr: Any, indices: Any, segment_nodes: int, n_segments: int) -> Any:
    """Return where each segment after the first starts in each row, as offsets in the row.

    Entry ``[s - 1, i]``: the in-links of row ``i`` from sources below
    ``s * segment_nodes`` number that many (rows are sorted by source).
    """
    n_rows = indptr.size - 1
    splits = np.empty((n_segments - 1, n_rows), dtype=np.int32)
    for i in numba.prange(n_rows):
        k = indptr[i]
        for s in range(1, n_segments):
            while k < indptr[i + 1] and indices[k] < s * segment_nodes:
                k += 1
            splits[s - 1, i] = k - indptr[i]
    return splits


@_parallel_jit
def _pagerank_rounds(
    in_indptr: Any,
    in_indices: Any,
    splits: Any,
    in_share: Any,
    inverse_out: Any,
    teleport: Any,
    dangling: Any,
    damping: float,
    rows: Any,
    dangling_rows: Any,
    to_dangling: Any,
    work: Any,
    tol: float,
    max_iter: int,
) -> tuple[Any, int, float]:
    """Run the rounds of `pagerank_rounds`, compiled, in ``work`` (the start in row 0).

    ``rows`` lists the nodes with out-links, the rows every round gathers, and
    ``dangling_rows`` the others. ``splits`` holds the segment starts of
    `_segment_splits` (no row for a single segment); ``work`` has a fifth row
    for the partial sums when there are several.
    """
    n = work.shape[1]
    is_weighted = in_share.size > 0
    uniform_teleport = teleport.size == 0
    uniform_dangling = dangling.size == 0
    last = splits.shape[0]
    x, x_new, passed, passed_new = work[0], work[1], work[2], work[3]
    partial = work[4] if last > 0 else work[0, :0]
    # Each round the dangling nodes get these shares of the teleport and of
    # the dangling mass back, besides what links pass them.
    teleport_kept = dangling_rows.size / n if uniform_teleport else teleport[dangling_rows].sum()
    dangling_kept = dangling_rows.size / n if uniform_dangling else dangling[dangling_rows].sum()
    dangling_mass = 0.0
    for j in numba.prange(n):
        passed[j] = x[j] if is_weighted else x[j] * inverse_out[j]
        if inverse_out[j] == 0.0:
            dangling_mass += x[j]
    previous_mass = dangling_mass
    # Of the last round's output: what it passed to dangling nodes along links,
    # and how much that differs from the round before (the triangle bound).
    linked = 0.0
    link_change = 0.0
    residual = np.inf
    rounds = 0
    while rounds < max_iter:
        rounds += 1
        # Every segment but the last: add its gathers to each node's partial sum.
        for s in range(last):
            for t in numba.prange(rows.size):
                i = rows[t]
                start = in_indptr[i] + (splits[s - 1, i] if s > 0 else 0)
                gathered = _gather(in_indices, in_share, passed, start, in_indptr[i] + splits[s, i])
                partial[i] = gathered if s == 0 else partial[i] + gathered
        # The last segment, and the round's new scores.
        residual = 0.0
        next_linked = 0.0
        next_link_change = 0.0
        # Where both distributions are uniform, every node restarts alike.
        restart = (1.0 - damping) / n + damping * dangling_mass / n
        for t in numba.prange(rows.size):
            i = rows[t]
            # One segment (up to SEGMENT_NODES nodes) is the common case: its loops
            # are written out, which an A/B against `_gather` here before 58d7e45
            # found 1.28x faster on the UK 1996 graph (0.262 against 0.335 ms a
            # round, best of 20).
            gathered = 0.0
            if last > 0:
                start, end = in_indptr[i] + splits[last - 1, i], in_indptr[i + 1]
                gathered = partial[i] + _gather(in_indices, in_share, passed, start, end)
            elif is_weighted:
                for k in range(in_indptr[i], in_indptr[i + 1]):
                    gathered += in_share[k] * passed[in_indices[k]]
            else:
                for k in range(in_indptr[i], in_indptr[i + 1]):
                    gathered += passed[in_indices[k]]
            if uniform_teleport and uniform_dangling:
                value = restart + damping * gathered
            else:
                v_i = 1.0 / n if uniform_teleport else teleport[i]
                w_i = 1.0 / n if uniform_dangling else dangling[i]
                value = (1.0 - damping) * v_i + damping * (dangling_mass * w_i + gathered)
            residual += abs(value - x[i])
            x_new[i] = value
            sent = value if is_weighted else value * inverse_out[i]
            passed_new[i] = sent
            next_linked += sent * to_dangling[i]
            next_link_change += abs(sent - passed[i]) * to_dangling[i]
        if rounds == 1:
            # The start may hold anything on dangling nodes: gather their rows.
            change, next_mass = _dangling_round(
                in_indptr, in_indices, in_share, teleport, dangling, damping,
                dangling_rows, passed, dangling_mass, x, x_new,
            )  # fmt: skip
            residual += change
        else:
            next_mass = (1.0 - damping) * teleport_kept + damping * (
                dangling_mass * dangling_kept + linked
            )
            residual += damping * (abs(dangling_mass - previous_mass) * dangling_kept + link_change)
        linked, link_change = next_linked, next_link_change
        previous_mass, dangling_mass = dangling_mass, next_mass
        x, x_new = x_new, x
        passed, passed_new = passed_new, passed
        if residual < tol:
            break
    if rounds > 0:
        # The dangling nodes' scores of the last round, from the round's input.
        _dangling_round(
            in_indptr, in_indices, in_share, teleport, dangling, damping,
            dangling_rows, passed_new, previous_mass, x, x,
        )  # fmt: skip
    return x, rounds, residual


# A function of its own, not inlined: inlined at its two call sites it made the
# first compile of the rounds 3 s longer (12.7 against 9.4 s, on a clean cache).
@_parallel_jit
def _dangling_round(
    in_indptr: Any,
    in_indices: Any,
    in_share: Any,
    teleport: Any,
    dangling: Any,
    damping: float,
    dangling_rows: Any,
    passed: Any,
    dangling_mass: float,
    previous: Any,
    out: Any,
) -> tuple[float, float]:
    """Write the dangling nodes' round into ``out``.

    Returns its L1 change from ``previous`` and the score it gives them in all.
    """
    n = previous.size
    change = 0.0
    total = 0.0
    for t in numba.prange(dangling_rows.size):
        i = dangling_rows[t]
        gathered = _gather(in_indices, in_share, passed, in_indptr[i], in_indptr[i + 1])
        v_i = 1.0 / n if teleport.size == 0 else teleport[i]
        w_i = 1.0 / n if dangling.size == 0 else dangling[i]
        value = (1.0 - damping) * v_i + damping * (dangling_mass * w_i + gathered)
        change += abs(value - previous[i])
        total += value
        out[i] = value
    return change, total


@numba.njit(inline="always", nogil=True)
def _gather(in_indices: Any, in_share: Any, passed: Any, start: int, end: int) -> float:
    """Sum what in-links ``start`` to ``end`` pass on (weighted by ``in_share`` when given)."""
    gathered = 0.0
    if in_share.size > 0:
        for k in range(start, end):
            gathered += in_share[k] * passed[in_indices[k]]
    else:
        for k in range(start, end):
            gathered += passed[in_indices[k]]
    return gathered


def _one_thread_twins(kernels: list[Any]) -> SimpleNamespace:
    """Compile each parallel kernel again without ``parallel``, for work too small to share out.

    A twin runs the same source on one thread, its ``prange`` loops as plain
    loops, and the kernels it calls are twins too. It also compiles in a third
    of the time: on a clean Numba cache, ``linkequity demo`` spent 13.9 s
    ranking with the parallel kernels and 4.4 s with the twins (the demo in
    all: 20.1 and 10.2 s). A twin's name ends in ``_one_thread``, which is
    what Numba names its cache files after, so the two never share one.
    """
    namespace = dict(globals())
    twins = {}
    for kernel in kernels:
        source = kernel.py_func
        twin = FunctionType(
            source.__code__, namespace, source.__name__, source.__defaults__, source.__closure__
        )
        twin.__qualname__ = f"{source.__qualname__}_one_thread"
        twins[source.__name__] = namespace[source.__name__] = _jit(twin)
    return _kernel_set(twins.values())


def _kernel_set(kernels: Iterable[Any]) -> SimpleNamespace:
    """Name each kernel without its leading underscore: ``kernels.pagerank_rounds``."""
    return SimpleNamespace(**{kernel.py_func.__name__.lstrip("_"): kernel for kernel in kernels})


_EVERY_CORE = _kernel_set(_PARALLEL_KERNELS)
_ONE_THREAD = _one_thread_twins(_PARALLEL_KERNELS)
