"""The DuckDB project store: schema, bulk writes, named queries and Parquet exchange.

The only package that imports duckdb (an import-linter contract says so).
"""

from linkequity.store.arrow import (
    FRONTIER_ADD_SCHEMA,
    FRONTIER_SETTLE_SCHEMA,
    LINK_SIGHTING_SCHEMA,
    PAGE_SCHEMA,
    REFERRING_DOMAIN_SCHEMA,
    TARGET_PAGE_SCHEMA,
    pages_to_arrow,
    referring_domains_to_arrow,
    shift_rows,
    sighting_columns_to_arrow,
    sightings_to_arrow,
    target_pages_to_arrow,
)
from linkequity.store.consistency import CheckResult, ConsistencyReport
from linkequity.store.metrics import DOMAIN_METRICS_SCHEMA, PAGE_METRICS_SCHEMA
from linkequity.store.parquet import LINK_TABLES as PARQUET_TABLES
from linkequity.store.parquet import ParquetImportCounts
from linkequity.store.queries import StoreStats
from linkequity.store.schema import SCHEMA_VERSION
from linkequity.store.store import Store
from linkequity.store.writes import LinkWriteCounts

__all__ = [
    "DOMAIN_METRICS_SCHEMA",
    "FRONTIER_ADD_SCHEMA",
    "FRONTIER_SETTLE_SCHEMA",
    "LINK_SIGHTING_SCHEMA",
    "PAGE_METRICS_SCHEMA",
    "PAGE_SCHEMA",
    "PARQUET_TABLES",
    "REFERRING_DOMAIN_SCHEMA",
    "SCHEMA_VERSION",
    "TARGET_PAGE_SCHEMA",
    "CheckResult",
    "ConsistencyReport",
    "LinkWriteCounts",
    "ParquetImportCounts",
    "Store",
    "StoreStats",
    "pages_to_arrow",
    "referring_domains_to_arrow",
    "shift_rows",
    "sighting_columns_to_arrow",
    "sightings_to_arrow",
    "target_pages_to_arrow",
]
