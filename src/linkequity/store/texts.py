"""The main text of stored pages, for topical relevance (``analysis.relevance``).

``write_pages`` fills ``page_texts`` as it stores the pages; this module reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from linkequity.store.queries import fetch_arrow

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb
    import numpy as np
    import numpy.typing as npt

#: Columns of ``page_texts_of``, in order.
PAGE_TEXT_COLUMNS = ("url_id", "url", "snapshot_id", "fetched_at", "title", "language", "text")


def page_texts_of(
    conn: duckdb.DuckDBPyConnection,
    *,
    url_ids: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
    snapshot_id: int | None = None,
) -> pa.Table:
    """Return the latest stored main text of each page, one row per URL, by ``url_id``.

    The latest is the text of the most recent snapshot, then the most recent
    fetch (undated fetches count as oldest), then the highest file id.

    Parameters
    ----------
    conn
        An open store connection.
    url_ids
        Only these pages (a list or an integer array); all pages with a text
        when ``None``. Ids without a stored text give no row.
    snapshot_id
        Only texts of this snapshot.

    Returns
    -------
    pyarrow.Table
        Columns ``PAGE_TEXT_COLUMNS``.
    """
    conditions = ["true"]
    parameters: list[object] = []
    if snapshot_id is not None:
        conditions.append("t.snapshot_id = ?")
        parameters.append(snapshot_id)
    wanted = pa.table({"url_id": pa.array([] if url_ids is None else url_ids, type=pa.int64())})
    if url_ids is not None:
        conditions.append("t.url_id IN (SELECT url_id FROM wanted_text_ids)")
    conn.register("wanted_text_ids", wanted)
    try:
        return fetch_arrow(
            conn,
            f"""SELECT t.url_id, u.url, t.snapshot_id, t.fetched_at, t.title, t.language, t.text
            FROM page_texts t JOIN urls u ON u.id = t.url_id
            WHERE {" AND ".join(conditions)}
            QUALIFY row_number() OVER (
                PARTITION BY t.url_id
                ORDER BY t.snapshot_id DESC, t.fetched_at DESC NULLS LAST, t.file_id DESC NULLS LAST
            ) = 1
            ORDER BY t.url_id""",  # noqa: S608
            parameters,
        )
    finally:
        conn.unregister("wanted_text_ids")
