"""Reading edge-list files: ``source target [weight]`` per line, as SNAP and most tools write.

A file is plain text or gzip (told by its first bytes, not its name). Lines
starting with ``#`` or ``%`` are comments, blank lines are skipped, fields are
separated by tabs or spaces (any run of them). Ids are integers numbered from
``base`` (0 by default; 1 for Matrix Market files, whose ``%%MatrixMarket``
banner and size line are recognised), or, with ``labels=True``, arbitrary names
numbered in sorted order (as ``graph.assign_ids`` numbers keys).

With integer ids the node ids are the file's ids minus ``base``, so a graph of
ids ``1..n`` read with base 1 has ``n`` nodes and an id that no line names is
an isolated node (as igraph reads such files). With labels the nodes are the
names that appear.

Parsing is pyarrow's CSV reader over the whole file: no Python work per line.
Only after it fails does a line-by-line pass look for the first bad line, to
name it in the error.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from linkequity.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["EdgeList", "read_edge_list", "read_node_weights"]

_GZIP_MAGIC = b"\x1f\x8b"
_COMMENT = (ord("#"), ord("%"))
_MATRIX_MARKET = b"%%matrixmarket"
_INTEGER = re.compile(rb"-?\d+")
_MID_FILE_COMMENT = re.compile(rb"\n[#%][^\n]*")
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
_SNIFF_BYTES = 64 * 1024
#: Most node ids allowed per id occurrence before the numbering counts as sparse.
_SPARSE_IDS_PER_EDGE = 4
_SPARSE_SLACK = 1_000_000

_FORMAT_HINT = (
    "Each line must be `source target` or `source target weight`, separated by tabs "
    "or spaces; lines starting with # or % are comments."
)
_ID_HINT = (
    "If the ids are names rather than numbers, pass --labels; "
    "if the line is a header, pass --skip with the number of header lines."
)


@dataclass(frozen=True, slots=True)
class EdgeList:
    """A graph read from an edge-list file, as dense 0-based node id arrays.

    Attributes
    ----------
    sources, targets : numpy.ndarray
        int64 node ids of each line's source and target, in file order.
    weights : numpy.ndarray or None
        float64 weight of each line, when the file has a third column.
    n_nodes : int
        Number of nodes: the largest id minus ``base`` plus one (or the Matrix
        Market size, if larger) for integer ids; the distinct names for labels.
    base : int
        The id of node 0 in the file's integer numbering.
    labels : pyarrow.StringArray or None
        The name of each node, indexed by node id, when ids are names.
    """

    sources: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64] | None
    n_nodes: int
    base: int = 0
    labels: pa.StringArray | None = None

    @property
    def n_lines(self) -> int:
        """Number of edge lines read (duplicates and self-links included)."""
        return int(self.sources.size)

    def node_names(self, nodes: npt.ArrayLike) -> pa.Array[Any]:
        """Return the file's name of each node id: its label, or its integer id.

        Parameters
        ----------
        nodes : array_like of int
            Node ids in ``[0, n_nodes)``.

        Returns
        -------
        pyarrow.Array
            Strings (labels) or int64 ids in the file's numbering.

        Examples
        --------
        >>> edges = EdgeList(np.array([0]), np.array([1]), None, 2, base=1)
        >>> edges.node_names([1, 0]).to_pylist()
        [2, 1]
        """
        ids = np.asarray(nodes, dtype=np.int64)
        if self.labels is not None:
            return self.labels.take(ids)
        return pa.array(ids + self.base, type=pa.int64())


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the edges of a file start, and what its header said."""

    body_start: int
    first_body_line: int
    base: int
    min_nodes: int


def read_edge_list(
    path: Path, *, base: int | None = None, skip: int = 0, labels: bool = False
) -> EdgeList:
    r"""Read an edge-list file into node id arrays.

    Parameters
    ----------
    path : pathlib.Path
        The file, plain text or gzip.
    base : {0, 1}, optional
        The id of the first node of integer ids: 0 unless the file is Matrix
        Market (then 1).
    skip : int, default 0
        Header lines to skip at the top of the file (comments are skipped anyway).
    labels : bool, default False
        Read ids as names (any text without blanks), numbered in sorted order.

    Returns
    -------
    EdgeList
        One entry per edge line, in file order.

    Raises
    ------
    UsageError
        If the file cannot be read, or a line is not ``source target [weight]``
        with integer ids at least ``base`` (unless ``labels``) and a finite,
        non-negative weight; the message names the file and the first bad line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "edges.txt"
    >>> _ = path.write_text("# a comment\n1 2\n2 3\n")
    >>> edges = read_edge_list(path, base=1)
    >>> edges.sources.tolist(), edges.targets.tolist(), edges.n_nodes
    ([0, 1], [1, 2], 3)
    """
    if base not in (None, 0, 1):
        raise UsageError(f"base must be 0 or 1, got {base}")
    if skip < 0:
        raise UsageError(f"skip must be >= 0, got {skip}")
    data = _read_bytes(path)
    layout = _layout(data, path, skip=skip, base=base)
    table = _parse(data, layout, path, labels=labels)
    if table.num_rows == 0:
        return EdgeList(
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            None,
            0 if labels else layout.min_nodes,
            base=layout.base,
            labels=pa.array([], type=pa.string()) if labels else None,
        )
    weights = None
    if table.num_columns == 3:
        weights = _float64(table.column(2))
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            _raise_first_bad_line(data, layout, path, labels=labels)
    if labels:
        sources, targets, names = _number_labels(table.column(0), table.column(1))
        return EdgeList(sources, targets, weights, len(names), base=layout.base, labels=names)
    sources = _int64(table.column(0)) - layout.base
    targets = _int64(table.column(1)) - layout.base
    if min(int(sources.min()), int(targets.min())) < 0:
        _raise_first_bad_line(data, layout, path, labels=labels)
    n_nodes = max(int(sources.max()), int(targets.max())) + 1
    if n_nodes > _SPARSE_IDS_PER_EDGE * 2 * sources.size + _SPARSE_SLACK:
        raise UsageError(
            f"{path}: ids run up to {n_nodes - 1 + layout.base:,} on {sources.size:,} lines; "
            "nearly every node would be an id that no line names",
            hint="Pass --labels to number only the ids that appear.",
        )
    return EdgeList(sources, targets, weights, max(n_nodes, layout.min_nodes), base=layout.base)


def read_node_weights(path: Path, edges: EdgeList) -> npt.NDArray[np.float64]:
    r"""Read a file of node ids (one a line, with an optional weight) as a vector over *edges*.

    The ids are in the numbering of the edge list (integers from its base, or
    its labels); a node listed twice adds up its weights. This is the teleport
    vector of a personalised PageRank.

    Parameters
    ----------
    path : pathlib.Path
        The file, plain text or gzip; ``#`` and ``%`` lines are comments.
    edges : EdgeList
        The graph the ids belong to.

    Returns
    -------
    numpy.ndarray
        float64 weight of each node, indexed by node id (1.0 per listed line
        without a weight), not normalised.

    Raises
    ------
    UsageError
        If a line is not ``id [weight]``, an id is not a node of *edges*, or
        no weight is positive.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "seeds.txt"
    >>> _ = path.write_text("2 1\n0 3\n")
    >>> edges = EdgeList(np.array([0, 1]), np.array([1, 2]), None, 3)
    >>> read_node_weights(path, edges).tolist()
    [3.0, 0.0, 1.0]
    """
    data = _read_bytes(path)
    layout = _layout(data, path, skip=0, base=edges.base)
    is_labels = edges.labels is not None
    table = _parse(data, layout, path, labels=is_labels, n_fields=(1, 2))
    if table.num_rows == 0:
        raise UsageError(f"{path} lists no node", hint="List one node id a line.")
    if table.num_columns == 2:
        values = _float64(table.column(1))
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            _raise_first_bad_line(data, layout, path, labels=is_labels, n_fields=(1, 2))
    else:
        values = np.ones(table.num_rows, dtype=np.float64)
    if edges.labels is not None:
        found = pc.index_in(table.column(0), value_set=edges.labels)
        nodes = _int64(found.fill_null(-1))
        missing = pc.filter(table.column(0), pc.is_null(found))
    else:
        nodes = _int64(table.column(0)) - edges.base
        outside = (nodes < 0) | (nodes >= edges.n_nodes)
        missing = pc.filter(table.column(0), pa.array(outside))
        nodes[outside] = -1
    if len(missing):
        shown = ", ".join(str(value) for value in missing.slice(0, 5).to_pylist())
        raise UsageError(
            f"{path}: {len(missing):,} ids are not nodes of the graph (first: {shown})",
            hint="List nodes of the edge list, numbered as in it (mind --base and --labels).",
        )
    vector = np.bincount(nodes, weights=values, minlength=edges.n_nodes).astype(np.float64)
    if not vector.sum() > 0:
        raise UsageError(f"{path}: every weight is 0", hint="Give at least one positive weight.")
    return vector


def _number_labels(
    sources: pa.ChunkedArray[Any], targets: pa.ChunkedArray[Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], pa.StringArray]:
    """Give the labels of both columns ids in sorted order: one hash pass, one sort of names."""
    both = pa.chunked_array(sources.chunks + targets.chunks, type=pa.string())
    encoded = both.dictionary_encode()
    chunks: list[Any] = encoded.chunks
    # The chunks share one dictionary, the names in order of first appearance;
    # fall back to a lookup should an Arrow version ever give each its own.
    if chunks and all(len(chunk.dictionary) == len(chunks[-1].dictionary) for chunk in chunks):
        first_seen = chunks[-1].dictionary
        order = _int64(pc.sort_indices(first_seen))
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size, dtype=np.int64)
        ids = rank[np.concatenate([_int64(chunk.indices) for chunk in chunks])]
        names = cast("pa.StringArray", first_seen.take(order))
    else:
        unique = pc.unique(both)
        names = cast("pa.StringArray", unique.take(pc.sort_indices(unique)))
        ids = _int64(pc.index_in(both, value_set=names))
    return ids[: len(sources)], ids[len(sources) :], names


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read()
    except OSError as exc:
        raise UsageError(
            f"cannot read {path}: {exc.strerror or exc}", hint="Check the path."
        ) from exc
    if data.startswith(_GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise UsageError(
                f"{path} starts like a gzip file but cannot be unpacked: {exc}",
                hint="The file is damaged or cut short; download or compress it again.",
            ) from exc
    return data


def _layout(data: bytes, path: Path, *, skip: int, base: int | None) -> _Layout:
    """Skip the header lines, comments and blank lines at the top; read a Matrix Market size."""
    position, line_number = 0, 0
    is_matrix_market = data[: len(_MATRIX_MARKET)].lower() == _MATRIX_MARKET
    needs_size = is_matrix_market
    min_nodes = 0
    while position < len(data):
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end
        line = data[position:end].strip()
        if line_number < skip or not line or line[0] in _COMMENT:
            pass
        elif needs_size:
            fields = line.split()
            if len(fields) != 3 or not all(_INTEGER.fullmatch(field) for field in fields):
                raise UsageError(
                    f"{path}, line {line_number + 1}: a Matrix Market file needs "
                    f"`rows columns entries` here, found {_shown(line)}",
                    hint="Check that the file is a Matrix Market coordinate file.",
                )
            min_nodes = max(int(fields[0]), int(fields[1]))
            needs_size = False
        else:
            break
        position, line_number = end + 1, line_number + 1
    if base is None:
        base = 1 if is_matrix_market else 0
    return _Layout(min(position, len(data)), line_number, base, min_nodes)


def _parse(
    data: bytes,
    layout: _Layout,
    path: Path,
    *,
    labels: bool,
    n_fields: tuple[int, int] = (2, 3),
) -> pa.Table:
    """Parse the lines after the header: as they are, else with blanks and comments cleaned."""
    if not _NON_BLANK.search(data, layout.body_start):
        return pa.table({})
    body = memoryview(data)[layout.body_start :]
    # A comment line, a carriage return, or a blank of the other kind than the
    # delimiter parses as part of a label, but never as part of an integer id.
    needs_cleaning = labels and any(
        data.find(mark, layout.body_start) >= 0 for mark in (b"\n#", b"\n%", b"\r")
    )
    needs_cleaning |= labels and all(
        data.find(mark, layout.body_start) >= 0 for mark in (b"\t", b" ")
    )
    table = None if needs_cleaning else _read_table(body, labels=labels, n_ids=n_fields[0])
    if table is None or not _is_well_formed(table, n_fields, labels=labels):
        cleaned = _MID_FILE_COMMENT.sub(b"", _squeeze_blanks(body))
        if not _NON_BLANK.search(cleaned):
            return pa.table({})
        table = _read_table(cleaned, labels=labels, n_ids=n_fields[0])
        if table is None or not _is_well_formed(table, n_fields, labels=labels):
            _raise_first_bad_line(data, layout, path, labels=labels, n_fields=n_fields)
            raise UsageError(f"{path}: cannot read it as an edge list", hint=_FORMAT_HINT)
    return table


def _read_table(body: bytes | memoryview, *, labels: bool, n_ids: int) -> pa.Table | None:
    id_type = pa.string() if labels else pa.int64()
    column_types: dict[str, pa.DataType] = {f"f{i}": id_type for i in range(n_ids)}
    column_types[f"f{n_ids}"] = pa.float64()
    head = bytes(body[:_SNIFF_BYTES])
    try:
        return pcsv.read_csv(
            cast("IO[bytes]", pa.BufferReader(pa.py_buffer(body))),
            read_options=pcsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pcsv.ParseOptions(
                delimiter="\t" if b"\t" in head else " ", quote_char=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=column_types, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        return None


def _is_well_formed(table: pa.Table, n_fields: tuple[int, int], *, labels: bool) -> bool:
    if table.num_columns not in n_fields or any(column.null_count for column in table.columns):
        return False
    return not labels or not any(
        pc.any(pc.equal(table.column(i), pa.scalar(""))).as_py() for i in range(n_fields[0])
    )


def _squeeze_blanks(body: bytes | memoryview) -> bytes:
    """Turn each run of blanks into one tab and drop blanks at line ends, with array operations."""
    raw = np.frombuffer(body, dtype=np.uint8)
    is_blank = (raw == ord(" ")) | (raw == ord("\t")) | (raw == ord("\r"))
    ends_run = np.ones(raw.size, dtype=np.bool_)
    ends_run[:-1] = ~is_blank[1:] & (raw[1:] != ord("\n"))
    keep = ~is_blank | ends_run
    keep[-1] &= not is_blank[-1]
    squeezed = np.where(is_blank, np.uint8(ord("\t")), raw)[keep]
    starts_line = np.ones(squeezed.size, dtype=np.bool_)
    starts_line[1:] = squeezed[:-1] == ord("\n")
    return bytes(squeezed[~(starts_line & (squeezed == ord("\t")))].tobytes())


def _raise_first_bad_line(
    data: bytes,
    layout: _Layout,
    path: Path,
    *,
    labels: bool,
    n_fields: tuple[int, int] = (2, 3),
) -> None:
    """Find the first line the fast parse refused and raise an error naming it.

    Runs only after a parse failed, and stops at the first bad line.
    """
    n_ids = n_fields[0]
    expected_fields = 0
    position, line_number = layout.body_start, layout.first_body_line
    while position < len(data):
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end
        line = data[position:end].strip()
        position, line_number = end + 1, line_number + 1
        if not line or line[0] in _COMMENT:
            continue
        fields = line.split()
        where = f"{path}, line {line_number}"
        if len(fields) not in n_fields or expected_fields not in (0, len(fields)):
            wanted = (
                f"{expected_fields} fields as on the lines before"
                if expected_fields
                else f"{n_fields[0]} or {n_fields[1]} fields"
            )
            hint = (
                _FORMAT_HINT if n_ids == 2 else "List one node id a line, then an optional weight."
            )
            raise UsageError(
                f"{where}: {len(fields)} field{'' if len(fields) == 1 else 's'} where {wanted} "
                f"were expected: {_shown(line)}",
                hint=hint,
            )
        expected_fields = len(fields)
        if not labels:
            for field in fields[:n_ids]:
                if not _INTEGER.fullmatch(field):
                    raise UsageError(
                        f"{where}: {_shown(field)} is not an integer id", hint=_ID_HINT
                    )
                if not -(2**63) <= int(field) < 2**63:
                    raise UsageError(
                        f"{where}: id {_shown(field)} does not fit in 64 bits",
                        hint="Pass --labels to read ids as names.",
                    )
                if int(field) < layout.base:
                    hint = (
                        "The file numbers its nodes from 0: drop --base 1."
                        if layout.base == 1 and int(field) == 0
                        else "Ids are numbered from 0 (or 1 with --base 1); none is negative."
                    )
                    raise UsageError(
                        f"{where}: id {int(field)} is below the base {layout.base}", hint=hint
                    )
        if len(fields) > n_ids:
            weight = _float(fields[n_ids])
            if weight is None or not np.isfinite(weight) or weight < 0:
                raise UsageError(
                    f"{where}: weight {_shown(fields[n_ids])} is not a finite number >= 0",
                    hint="Weights are numbers such as 1, 0.5 or 2e3; drop the column for none.",
                )


def _float(text: bytes) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _int64(column: pa.ChunkedArray[Any] | pa.Array[Any]) -> npt.NDArray[np.int64]:
    return np.asarray(column.to_numpy(), dtype=np.int64)


def _float64(column: pa.ChunkedArray[Any] | pa.Array[Any]) -> npt.NDArray[np.float64]:
    return np.asarray(column.to_numpy(), dtype=np.float64)


def _shown(text: bytes, limit: int = 80) -> str:
    shown = text.decode("utf-8", "replace")
    return repr(shown if len(shown) <= limit else shown[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}")
