"""Arrow schemas of export records, and the conversions the import service calls.

Bulk writes reach the store as Arrow tables, never as per-row objects (STYLE 9b).
Each schema mirrors the fields of its model dataclass, in order, so the two
cannot drift (a test compares them). Timestamps are naive UTC microseconds;
``tool_metrics`` is a JSON object in a string column, ``NULL`` when empty.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
    from linkequity.model.pages import Footprints, PageRecord

TIMESTAMP = pa.timestamp("us")


def _schema(*fields: pa.Field[Any]) -> pa.Schema:
    return pa.schema(fields)


LINK_SIGHTING_SCHEMA = _schema(
    pa.field("source_url", pa.string(), nullable=False),
    pa.field("target_url", pa.string(), nullable=False),
    pa.field("row", pa.int64(), nullable=False),
    pa.field("anchor", pa.string(), nullable=False),
    pa.field("is_nofollow", pa.bool_()),
    pa.field("is_sponsored", pa.bool_()),
    pa.field("is_ugc", pa.bool_()),
    pa.field("is_image", pa.bool_()),
    pa.field("alt", pa.string()),
    pa.field("link_type", pa.string()),
    pa.field("is_sitewide", pa.bool_()),
    pa.field("is_target_inferred", pa.bool_(), nullable=False),
    pa.field("left_context", pa.string()),
    pa.field("right_context", pa.string()),
    pa.field("source_title", pa.string()),
    pa.field("source_status", pa.int32()),
    pa.field("source_language", pa.string()),
    pa.field("first_seen", TIMESTAMP),
    pa.field("last_seen", TIMESTAMP),
    pa.field("lost_at", TIMESTAMP),
    pa.field("lost_reason", pa.string()),
    pa.field("tool_metrics", pa.string()),
    pa.field("placement", pa.string()),
    pa.field("is_hidden", pa.bool_()),
    pa.field("position", pa.int32()),
)

REFERRING_DOMAIN_SCHEMA = _schema(
    pa.field("domain", pa.string(), nullable=False),
    pa.field("row", pa.int64(), nullable=False),
    pa.field("backlinks", pa.int64()),
    pa.field("linking_pages", pa.int64()),
    pa.field("target_pages", pa.int64()),
    pa.field("authority", pa.float64()),
    pa.field("ip_address", pa.string()),
    pa.field("country", pa.string()),
    pa.field("first_seen", TIMESTAMP),
    pa.field("last_seen", TIMESTAMP),
    pa.field("tool_metrics", pa.string()),
)

TARGET_PAGE_SCHEMA = _schema(
    pa.field("target_url", pa.string(), nullable=False),
    pa.field("row", pa.int64(), nullable=False),
    pa.field("incoming_links", pa.int64()),
    pa.field("linking_sites", pa.int64()),
    pa.field("tool_metrics", pa.string()),
)

PAGE_SCHEMA = _schema(
    pa.field("url", pa.string(), nullable=False),
    pa.field("status", pa.int32()),
    pa.field("final_url", pa.string()),
    pa.field("content_type", pa.string()),
    pa.field("title", pa.string()),
    pa.field("language", pa.string()),
    pa.field("word_count", pa.int32()),
    pa.field("is_indexable", pa.bool_()),
    pa.field("non_indexable_reason", pa.string()),
    pa.field("indexability_detail", pa.string()),
    pa.field("canonical_url", pa.string()),
    pa.field("is_robots_allowed", pa.bool_()),
    pa.field("crawl_depth", pa.int32()),
    pa.field("content_hash", pa.string()),
    pa.field("template_hash", pa.string()),
    pa.field("fetched_at", TIMESTAMP),
    pa.field("robots", pa.string()),
    pa.field("internal_links", pa.int32()),
    pa.field("external_links", pa.int32()),
    pa.field("footprints", pa.string()),
    pa.field("main_text", pa.string()),
)

#: URLs a crawl found, in discovery order (``store.frontier.add_to_frontier``).
FRONTIER_ADD_SCHEMA = _schema(
    pa.field("url", pa.string(), nullable=False),
    pa.field("host", pa.string(), nullable=False),
    pa.field("depth", pa.int32(), nullable=False),
    pa.field("via", pa.string()),
    pa.field("redirect_chain", pa.list_(pa.string())),
)
#: How claimed URLs of a crawl ended, by ``seq`` (``store.frontier.settle_frontier``).
FRONTIER_SETTLE_SCHEMA = _schema(
    pa.field("seq", pa.int64(), nullable=False),
    pa.field("state", pa.string(), nullable=False),
    pa.field("attempts", pa.int32(), nullable=False),
    pa.field("not_before", TIMESTAMP),
    pa.field("status", pa.int32()),
    pa.field("outcome", pa.string()),
)


def sightings_to_arrow(sightings: Sequence[LinkSighting]) -> pa.Table:
    """Return *sightings* as a table of ``LINK_SIGHTING_SCHEMA``, one row each.

    Parameters
    ----------
    sightings
        Sightings of one export file, in file order.

    Returns
    -------
    pyarrow.Table
        One column per ``LinkSighting`` field; aware datetimes are converted to UTC.
    """
    return _records_to_arrow(sightings, LINK_SIGHTING_SCHEMA)


def shift_rows(table: pa.Table, offset: int) -> pa.Table:
    """Return *table* with *offset* added to its ``row`` column.

    Parts of one file read apart (by worker processes) number their rows from
    0; shifting each by the rows before it numbers the file as one.
    """
    index = table.schema.get_field_index("row")
    shifted = pc.add(table.column("row"), pa.scalar(offset, pa.int64()))
    return table.set_column(index, table.schema.field(index), shifted)


def referring_domains_to_arrow(reports: Sequence[ReferringDomainReport]) -> pa.Table:
    """Return *reports* as a table of ``REFERRING_DOMAIN_SCHEMA``, one row each.

    Parameters
    ----------
    reports
        Rows of one referring-domains export, in file order.

    Returns
    -------
    pyarrow.Table
        One column per ``ReferringDomainReport`` field.
    """
    return _records_to_arrow(reports, REFERRING_DOMAIN_SCHEMA)


def target_pages_to_arrow(reports: Sequence[TargetPageReport]) -> pa.Table:
    """Return *reports* as a table of ``TARGET_PAGE_SCHEMA``, one row each.

    Parameters
    ----------
    reports
        Rows of one top-linked-pages export, in file order.

    Returns
    -------
    pyarrow.Table
        One column per ``TargetPageReport`` field.
    """
    return _records_to_arrow(reports, TARGET_PAGE_SCHEMA)


def pages_to_arrow(pages: Sequence[PageRecord]) -> pa.Table:
    """Return *pages* as a table of ``PAGE_SCHEMA``, one row each.

    Parameters
    ----------
    pages
        Fetches of one file or crawl, in order.

    Returns
    -------
    pyarrow.Table
        One column per ``PageRecord`` field; footprints as a JSON object, ``NULL`` when none.
    """
    return _records_to_arrow(pages, PAGE_SCHEMA)


def conform_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Return *table* with exactly the columns of *schema*, cast to its types.

    Raises
    ------
    ValueError
        If the column names differ from the schema's: that is a bug in the caller.
    """
    if table.schema.names != schema.names:
        raise ValueError(f"expected columns {schema.names}, got {table.schema.names}")
    if table.schema.equals(schema):
        return table
    return table.cast(schema)


def sighting_columns_to_arrow(columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """Return sightings given column by column as a table of ``LINK_SIGHTING_SCHEMA``.

    Parameters
    ----------
    columns
        One sequence of values per ``LinkSighting`` field, all of one length:
        the form in which a crawl's worker processes hand sightings over,
        far cheaper to move between processes than one object per link.
    """
    return _columns_to_arrow(columns, LINK_SIGHTING_SCHEMA)


def _records_to_arrow(records: Sequence[Any], schema: pa.Schema) -> pa.Table:
    return _columns_to_arrow(
        {field.name: [getattr(record, field.name) for record in records] for field in schema},
        schema,
    )


def _columns_to_arrow(given: Mapping[str, Sequence[Any]], schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        values = given[field.name]
        convert = _CONVERTERS.get(field.type)
        if field.name == "tool_metrics":
            values = [_metrics_json(value) for value in values]
        elif field.name == "footprints":
            values = [_footprints_json(value) for value in values]
        elif convert is not None:
            values = [convert(value) for value in values]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _metrics_json(metrics: Mapping[str, float | str]) -> str | None:
    return json.dumps(dict(metrics), sort_keys=True, ensure_ascii=False) if metrics else None


def _footprints_json(footprints: Footprints | None) -> str | None:
    if footprints is None:
        return None
    ids = {name: list(value) for name, value in asdict(footprints).items() if value}
    return json.dumps(ids, sort_keys=True) if ids else None


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


_CONVERTERS: dict[pa.DataType, Callable[[Any], Any]] = {TIMESTAMP: _naive_utc}
