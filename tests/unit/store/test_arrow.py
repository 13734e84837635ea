from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
from linkequity.model.pages import Footprints, PageRecord
from linkequity.store import (
    LINK_SIGHTING_SCHEMA,
    PAGE_SCHEMA,
    REFERRING_DOMAIN_SCHEMA,
    TARGET_PAGE_SCHEMA,
    pages_to_arrow,
    referring_domains_to_arrow,
    sightings_to_arrow,
    target_pages_to_arrow,
)
from linkequity.store.arrow import conform_table


@pytest.mark.parametrize(
    ("record", "schema"),
    [
        (LinkSighting, LINK_SIGHTING_SCHEMA),
        (ReferringDomainReport, REFERRING_DOMAIN_SCHEMA),
        (TargetPageReport, TARGET_PAGE_SCHEMA),
        (PageRecord, PAGE_SCHEMA),
    ],
)
def test_each_schema_mirrors_its_dataclass(record: type, schema: pa.Schema) -> None:
    assert schema.names == [field.name for field in fields(record)]


def test_sightings_become_columns_with_utc_times_and_json_metrics() -> None:
    paris = timezone(timedelta(hours=2))
    table = sightings_to_arrow(
        [
            LinkSighting(
                "https://a.example/",
                "https://b.example/",
                3,
                anchor="Hi",
                is_nofollow=True,
                first_seen=datetime(2024, 5, 1, 12, 0, tzinfo=paris),
                last_seen=datetime(2024, 5, 2, 12, 0),
                tool_metrics={"dr": 71.0, "zz": "x"},
            ),
            LinkSighting("https://c.example/", "https://b.example/", 4),
        ]
    )

    assert table.schema == LINK_SIGHTING_SCHEMA
    first, second = table.to_pylist()
    assert first["first_seen"] == datetime(2024, 5, 1, 10, 0)
    assert first["last_seen"] == datetime(2024, 5, 2, 12, 0)
    assert json.loads(first["tool_metrics"]) == {"dr": 71.0, "zz": "x"}
    assert (first["is_nofollow"], second["is_nofollow"]) == (True, None)
    assert second["tool_metrics"] is None
    assert second["is_target_inferred"] is False


def test_report_rows_become_columns() -> None:
    domains = referring_domains_to_arrow(
        [
            ReferringDomainReport(
                "example.com",
                1,
                backlinks=5,
                authority=42.5,
                last_seen=datetime(2024, 1, 1, tzinfo=UTC),
            )
        ]
    )
    pages = target_pages_to_arrow([TargetPageReport("https://b.example/", 1, incoming_links=9)])

    assert domains.schema == REFERRING_DOMAIN_SCHEMA
    assert domains.to_pylist()[0]["last_seen"] == datetime(2024, 1, 1)
    assert pages.schema == TARGET_PAGE_SCHEMA
    assert pages.column("incoming_links").to_pylist() == [9]


def test_an_empty_list_is_an_empty_table() -> None:
    assert sightings_to_arrow([]).num_rows == 0


def test_conform_casts_compatible_types_and_refuses_other_columns() -> None:
    table = pa.table(
        {
            "target_url": ["https://b.example/"],
            "row": pa.array([1], pa.int32()),
            "incoming_links": [None],
            "linking_sites": [2],
            "tool_metrics": [None],
        }
    )

    assert conform_table(table, TARGET_PAGE_SCHEMA).schema == TARGET_PAGE_SCHEMA
    with pytest.raises(ValueError, match="expected columns"):
        conform_table(table.drop_columns(["row"]), TARGET_PAGE_SCHEMA)


def test_page_footprints_become_a_json_object_of_the_ids_found() -> None:
    table = pages_to_arrow(
        [
            PageRecord("https://a.example/", 200, footprints=Footprints(("G-ABC",), (), ())),
            PageRecord("https://b.example/", 200, footprints=Footprints()),
            PageRecord("https://c.example/", None),
        ]
    )

    assert table.column("footprints").to_pylist() == ['{"analytics_ids": ["G-ABC"]}', None, None]
