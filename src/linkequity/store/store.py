"""The ``Store``: one open DuckDB project file, its lock, transactions and error translation.

DuckDB errors are translated here and only here (STYLE rule 4): a lock held by
another process becomes ``StoreLocked``, a file that is not a store
``StoreCorrupt``, anything else ``StoreError``, each ``from`` the original.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import duckdb

from linkequity.errors import StoreCorrupt, StoreError, StoreLocked
from linkequity.store import (
    audit,
    browse,
    campaigns,
    consistency,
    frontier,
    inbound,
    metrics,
    monitor,
    opportunities,
    parquet,
    queries,
    texts,
    tiers,
    toxicity,
    verification,
    writes,
)
from linkequity.store.schema import SCHEMA_VERSION, check_schema_version, migrate
from linkequity.store.schema import stored_schema_version as _stored_schema_version

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from datetime import datetime
    from types import TracebackType

    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from linkequity.store.consistency import ConsistencyReport
    from linkequity.store.parquet import ParquetImportCounts
    from linkequity.store.queries import StoreStats
    from linkequity.store.writes import LinkWriteCounts

_LOCK_PID = re.compile(r"\(PID (\d+)\)")
# A DuckDB file starts with an 8-byte checksum, then the magic bytes.
_MAGIC = b"DUCK"
_MAGIC_END = 12
# DuckDB 2.0.1 races when threads of one process open and close connections
# while another thread queries: the query fails now and then with "Table
# Function with name python_arrow_scan does not exist". The dashboard opens a
# store per request thread, so connections are opened and closed one at a time.
_CONNECTING = threading.Lock()


class Store:
    """A linkequity project file, open for reading or for writing.

    Use ``Store.open`` as a context manager. Every write method is atomic on its
    own; wrap several in ``transaction()`` to make them one unit (one imported
    file is one transaction: all of it or none).
    """

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
        self._conn = conn
        self.path = path
        self.is_read_only = read_only
        self._transaction_depth = 0

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Store:
        """Open the store at *path*, creating it and migrating its schema as needed.

        Parameters
        ----------
        path
            The project file; created with the current schema if missing.
        read_only
            Open without the write lock; the schema must be current.

        Raises
        ------
        StoreLocked
            If another process holds the file.
        StoreCorrupt
            If the file is not a linkequity store.
        SchemaTooNew
            If a newer linkequity wrote the file.
        """
        path = Path(path)
        if read_only and not path.exists():
            raise StoreError(f"no store at {path}")
        _require_duckdb_header(path)
        try:
            with _CONNECTING:
                conn = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise _open_error(path, exc) from exc
        try:
            # DuckDB draws a progress bar on stdout for a query that runs past
            # two seconds: it would land in the middle of --json output.
            conn.execute("SET enable_progress_bar = false")
            _require_file_database(conn, path)
            if read_only:
                _require_current_schema(conn, path)
            else:
                migrate(conn, path)
        except duckdb.Error as exc:
            _close(conn)
            raise StoreCorrupt(f"cannot read the schema of {path}: {exc}") from exc
        except BaseException:
            _close(conn)
            raise
        return cls(conn, path, read_only=read_only)

    def close(self) -> None:
        """Close the file and release its lock; an open transaction is rolled back."""
        _close(self._conn)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make everything written inside the block one transaction: all of it or none.

        Nested blocks join the outermost transaction.
        """
        if self._transaction_depth:
            self._transaction_depth += 1
            try:
                yield
            finally:
                self._transaction_depth -= 1
            return
        with self._translated_errors():
            self._conn.execute("BEGIN TRANSACTION")
        self._transaction_depth = 1
        try:
            yield
        except BaseException:
            self._transaction_depth = 0
            with self._translated_errors():
                self._conn.execute("ROLLBACK")
            raise
        self._transaction_depth = 0
        with self._translated_errors():
            self._conn.execute("COMMIT")

    def begin_snapshot(
        self, *, kind: str, source: str | None = None, settings: Mapping[str, Any] | None = None
    ) -> int:
        """Record the start of an import or crawl run and return its snapshot id."""
        with self._writing():
            return writes.begin_snapshot(self._conn, kind=kind, source=source, settings=settings)

    def finish_snapshot(self, snapshot_id: int) -> None:
        """Record that the run *snapshot_id* finished."""
        with self._writing():
            writes.finish_snapshot(self._conn, snapshot_id)

    def imported_file_id(self, sha256: str) -> int | None:
        """Return the id of the export file with this *sha256*, if it was imported before."""
        with self._translated_errors():
            return queries.imported_file_id(self._conn, sha256)

    def register_file(
        self,
        *,
        sha256: str,
        path: str,
        tool: str,
        export_format: str | None,
        kind: str,
        snapshot_id: int,
    ) -> tuple[int, bool]:
        """Return the file id for the export with this *sha256*, and whether it is new.

        A file already registered keeps its id and first path; importing it
        again should then add nothing.
        """
        with self._writing():
            return writes.register_file(
                self._conn,
                sha256=sha256,
                path=path,
                tool=tool,
                export_format=export_format,
                kind=kind,
                snapshot_id=snapshot_id,
            )

    def write_link_sightings(
        self, snapshot_id: int, file_id: int, table: pa.Table
    ) -> LinkWriteCounts:
        """Store link sightings (``LINK_SIGHTING_SCHEMA``) and merge them into links.

        Parameters
        ----------
        snapshot_id, file_id
            The run and the registered file the rows come from.
        table
            One row per sighting; ``row`` identifies it within the file.

        Returns
        -------
        LinkWriteCounts
            Links added and merged, sightings added and skipped as already stored.
        """
        with self._writing():
            return writes.write_link_sightings(self._conn, snapshot_id, file_id, table)

    def write_referring_domains(self, snapshot_id: int, file_id: int, table: pa.Table) -> int:
        """Store referring-domain rows (``REFERRING_DOMAIN_SCHEMA``); return how many were new."""
        with self._writing():
            return writes.write_referring_domains(self._conn, snapshot_id, file_id, table)

    def write_target_pages(self, snapshot_id: int, file_id: int, table: pa.Table) -> int:
        """Store top-linked-page rows (``TARGET_PAGE_SCHEMA``); return how many were new."""
        with self._writing():
            return writes.write_target_pages(self._conn, snapshot_id, file_id, table)

    def write_pages(self, snapshot_id: int, file_id: int | None, table: pa.Table) -> int:
        """Store fetched pages (``PAGE_SCHEMA``) of the archive or crawl file *file_id*.

        Returns
        -------
        int
            Rows added: every fetch is kept, one row each.
        """
        with self._writing():
            return writes.write_pages(self._conn, snapshot_id, file_id, table)

    def page_texts(
        self,
        *,
        url_ids: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
        snapshot_id: int | None = None,
    ) -> pa.Table:
        """Return the latest stored main text of each page (of *url_ids*, of *snapshot_id*).

        See ``texts.page_texts_of``: one row per URL, ordered by ``url_id``, with
        columns ``url_id, url, snapshot_id, fetched_at, title, language, text``.
        """
        with self._translated_errors():
            return texts.page_texts_of(self._conn, url_ids=url_ids, snapshot_id=snapshot_id)

    def mark_sitewide(self, file_id: int, *, min_share: float, min_pages: int) -> int:
        """Flag the links of *file_id* that recur across the pages of their host.

        See ``writes.mark_sitewide``; returns the sightings marked sitewide.
        """
        with self._writing():
            return writes.mark_sitewide(
                self._conn, file_id, min_share=min_share, min_pages=min_pages
            )

    def mark_lost(self, file_id: int) -> int:
        """Lose the links that the latest fetch of their source page no longer shows.

        See ``writes.mark_lost``: run once a crawl or an archive *file_id* is
        stored; returns the links lost.
        """
        with self._writing():
            return writes.mark_lost(self._conn, file_id)

    def add_to_frontier(self, snapshot_id: int, table: pa.Table) -> int:
        """Queue the URLs of *table* (``FRONTIER_ADD_SCHEMA``) new to the crawl; return how many."""
        with self._writing():
            return frontier.add_to_frontier(self._conn, snapshot_id, table)

    def claim_frontier(
        self,
        snapshot_id: int,
        *,
        limit: int,
        per_host: int,
        now: datetime,
        skip_hosts: list[str],
    ) -> pa.Table:
        """Mark up to *limit* due URLs in flight, fairly across hosts, and return them.

        See ``frontier.claim_frontier``.
        """
        with self._writing():
            return frontier.claim_frontier(
                self._conn,
                snapshot_id,
                limit=limit,
                per_host=per_host,
                now=now,
                skip_hosts=skip_hosts,
            )

    def commit_crawl_batch(
        self,
        snapshot_id: int,
        file_id: int,
        *,
        pages: pa.Table,
        sightings: pa.Table,
        settled: pa.Table,
        found: pa.Table,
    ) -> tuple[LinkWriteCounts, int]:
        """Store what a crawl fetched and settle its URLs, as one transaction.

        Parameters
        ----------
        snapshot_id, file_id
            The crawl and the file its sightings are numbered in.
        pages, sightings
            The fetches (``PAGE_SCHEMA``) and their links (``LINK_SIGHTING_SCHEMA``).
        settled
            How each claimed URL ended (``FRONTIER_SETTLE_SCHEMA``).
        found
            URLs to queue (``FRONTIER_ADD_SCHEMA``); those seen before are skipped.

        Returns
        -------
        tuple of (LinkWriteCounts, int)
            What the sightings changed, and the URLs queued.
        """
        with self._writing():
            if len(pages):
                writes.write_pages(self._conn, snapshot_id, file_id, pages)
            counts = writes.write_link_sightings(self._conn, snapshot_id, file_id, sightings)
            frontier.settle_frontier(self._conn, snapshot_id, settled)
            queued = frontier.add_to_frontier(self._conn, snapshot_id, found)
            return counts, queued

    def requeue_in_flight(self, snapshot_id: int) -> int:
        """Put the URLs a stopped crawl held in flight back in its queue; return how many."""
        with self._writing():
            return frontier.requeue_in_flight(self._conn, snapshot_id)

    def frontier_counts(self, snapshot_id: int) -> dict[str, int]:
        """Return the crawl's URLs by state."""
        with self._translated_errors():
            return frontier.frontier_counts(self._conn, snapshot_id)

    def earliest_retry(self, snapshot_id: int) -> datetime | None:
        """Return when the crawl's earliest queued retry is due, if one waits."""
        with self._translated_errors():
            return frontier.earliest_retry(self._conn, snapshot_id)

    def frontier_outcomes(self, snapshot_id: int) -> pa.Table:
        """Return every URL of the crawl with its state, status and outcome, in discovery order."""
        with self._translated_errors():
            return frontier.frontier_outcomes(self._conn, snapshot_id)

    def failed_urls(self, snapshot_id: int, *, limit: int) -> list[tuple[str, str]]:
        """Return the first *limit* URLs the crawl gave up on, and why."""
        with self._translated_errors():
            return frontier.failed_urls(self._conn, snapshot_id, limit=limit)

    def unfinished_crawl(self) -> tuple[int, str] | None:
        """Return the id and settings (JSON) of the latest crawl that did not finish, if any."""
        with self._translated_errors():
            return frontier.unfinished_crawl(self._conn)

    def next_sighting_row(self, file_id: int) -> int:
        """Return the ``row`` the next sighting of *file_id* takes (one past the highest stored)."""
        with self._translated_errors():
            return queries.fetch_int(
                self._conn,
                "SELECT coalesce(max(row), -1) + 1 FROM link_sightings WHERE file_id = ?",
                [file_id],
            )

    def stats(self) -> StoreStats:
        """Count what the store holds."""
        with self._translated_errors():
            return queries.store_stats(self._conn)

    def check_consistency(self) -> ConsistencyReport:
        """Run every rule of ``store.consistency`` on the store; read-only is enough."""
        with self._translated_errors():
            return consistency.check_consistency(self._conn)

    def referring_domains_by_target_domain(self) -> pa.Table:
        """Return ``(target_domain, referring_domains, links)``, most referring domains first."""
        with self._translated_errors():
            return queries.referring_domains_by_target_domain(self._conn)

    def anchor_distribution(self, target_domain: str) -> pa.Table:
        """Return ``(anchor_key, anchor, links, referring_domains)`` for *target_domain*."""
        with self._translated_errors():
            return queries.anchor_distribution(self._conn, target_domain)

    def export_parquet(self, directory: Path) -> list[Path]:
        """Write the link tables as Parquet files into *directory*; return their paths."""
        with self._translated_errors():
            return parquet.export_tables(self._conn, Path(directory))

    def import_parquet(self, directory: Path) -> ParquetImportCounts:
        """Add the link tables of a Parquet directory, remapping ids; nothing is duplicated."""
        with self._writing():
            return parquet.import_tables(self._conn, Path(directory))

    def verification_seeds(self, *, target_domain: str | None = None) -> list[str]:
        """Return the source pages of the imported links (of those to *target_domain*)."""
        with self._translated_errors():
            return verification.verification_seeds(self._conn, target_domain=target_domain)

    def record_link_checks(
        self, snapshot_id: int, *, checked_at: datetime, target_domain: str | None = None
    ) -> int:
        """Classify the imported links the verify crawl *snapshot_id* fetched; return how many.

        See ``verification.record_link_checks``: one ``link_checks`` row per
        link, and each link's ``lost_at`` and ``lost_reason`` set or cleared.
        """
        with self._writing():
            return verification.record_link_checks(
                self._conn, snapshot_id, checked_at=checked_at, target_domain=target_domain
            )

    def link_check_counts(self, snapshot_id: int) -> dict[str, int]:
        """Return the links the verification *snapshot_id* checked, by outcome."""
        with self._translated_errors():
            return verification.link_check_counts(self._conn, snapshot_id)

    def link_check_rows(self, snapshot_id: int) -> pa.Table:
        """Return every link check of the verification *snapshot_id*, with URLs and anchors."""
        with self._translated_errors():
            return verification.link_check_rows(self._conn, snapshot_id)

    def latest_snapshot_id(self) -> int | None:
        """Return the id of the most recent snapshot, or ``None`` if the store has none."""
        with self._translated_errors():
            return metrics.latest_snapshot_id(self._conn)

    def snapshot_exists(self, snapshot_id: int) -> bool:
        """Tell whether the snapshot *snapshot_id* was recorded."""
        with self._translated_errors():
            return metrics.snapshot_exists(self._conn, snapshot_id)

    def link_graph(self, snapshot_id: int) -> tuple[pa.Table, pa.Table]:
        """Return the followed, live links of *snapshot_id* and the URLs at their ends.

        See ``metrics.link_graph``: ``(source_url_id, target_url_id)`` rows, and
        ``(url_id, domain)`` ordered by ``url_id``.
        """
        with self._translated_errors():
            return metrics.link_graph(self._conn, snapshot_id)

    def url_ids(self, urls: list[str]) -> pa.Table:
        """Return ``(url, url_id)`` of those of the normalised *urls* the store holds."""
        with self._translated_errors():
            return metrics.url_ids(self._conn, urls)

    def replace_metrics(self, snapshot_id: int, pages: pa.Table, domains: pa.Table) -> None:
        """Replace the page and domain scores of *snapshot_id*, as one transaction.

        *pages* and *domains* follow ``PAGE_METRICS_SCHEMA`` and ``DOMAIN_METRICS_SCHEMA``.
        """
        with self._writing():
            metrics.replace_metrics(self._conn, snapshot_id, pages, domains)

    def ranked_snapshot_id(self) -> int | None:
        """Return the latest snapshot with scores, or ``None`` if nothing was ranked."""
        with self._translated_errors():
            return metrics.ranked_snapshot_id(self._conn)

    def metrics_counts(self, snapshot_id: int) -> tuple[int, int]:
        """Return how many pages and domains have scores in *snapshot_id*."""
        with self._translated_errors():
            return metrics.metrics_counts(self._conn, snapshot_id)

    def top_pages(self, snapshot_id: int, *, limit: int) -> pa.Table:
        """Return the scores of the *limit* pages of highest PageRank, ``name`` the URL.

        Columns: ``name, pagerank, authority, trust, spam_mass, referring_domains,
        referring_pages``.
        """
        with self._translated_errors():
            return metrics.top_pages(self._conn, snapshot_id, limit=limit)

    def top_domains(self, snapshot_id: int, *, limit: int) -> pa.Table:
        """Return the scores of the *limit* domains of highest PageRank, as ``top_pages``."""
        with self._translated_errors():
            return metrics.top_domains(self._conn, snapshot_id, limit=limit)

    def live_links(self, snapshot_id: int) -> tuple[pa.Table, pa.Table]:
        """Return every live link of *snapshot_id*, any rel, and the URLs at their ends.

        See ``tiers.live_links``: ``(link_id, source_url_id, target_url_id)`` rows,
        and ``(url_id, domain)`` ordered by ``url_id``.
        """
        with self._translated_errors():
            return tiers.live_links(self._conn, snapshot_id)

    def target_pages(self, names: Sequence[str], urls: Sequence[str]) -> pa.Table:
        """Return ``(url_id, url, host, domain)`` of the URLs on the domains or hosts, or listed."""
        with self._translated_errors():
            return tiers.target_pages(self._conn, names, urls)

    def link_details(self, link_ids: pa.Array[Any]) -> pa.Table:
        """Return anchor, rel flags, placement and hidden of each link id, in order."""
        with self._translated_errors():
            return tiers.link_details(self._conn, link_ids)

    def page_details(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return URL, domain and the latest fetch's status and indexability of each URL id."""
        with self._translated_errors():
            return tiers.page_details(self._conn, snapshot_id, url_ids)

    def inbound_anchors(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return the anchors of live links from other domains into the URLs, grouped.

        See ``inbound.inbound_anchors``: ``(target_url_id, anchor, is_image,
        alt, source_domain, links, followed_links)``.
        """
        with self._translated_errors():
            return inbound.inbound_anchors(self._conn, snapshot_id, url_ids)

    def inbound_first_seen(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return ``(first_seen, source_domain)`` of live links from other sites to the URLs."""
        with self._translated_errors():
            return inbound.inbound_first_seen(self._conn, snapshot_id, url_ids)

    def page_titles(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return ``(url_id, title)`` of the URLs whose latest fetch had a title."""
        with self._translated_errors():
            return inbound.page_titles(self._conn, snapshot_id, url_ids)

    def audit_totals(self, snapshot_id: int, url_ids: pa.Array[Any]) -> dict[str, int]:
        """Return the profile's counts of links, referring pages and domains (``audit``)."""
        with self._translated_errors():
            row: dict[str, int] = audit.profile_totals(
                self._conn, snapshot_id, url_ids
            ).to_pylist()[0]
            return row

    def audit_rel_mix(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return ``(rel, links, referring_domains)`` of the profile (``audit.rel_mix``)."""
        with self._translated_errors():
            return audit.rel_mix(self._conn, snapshot_id, url_ids)

    def audit_placement_mix(self, snapshot_id: int, url_ids: pa.Array[Any]) -> pa.Table:
        """Return ``(placement, links, referring_domains)`` of the profile."""
        with self._translated_errors():
            return audit.placement_mix(self._conn, snapshot_id, url_ids)

    def audit_top_pages(self, snapshot_id: int, url_ids: pa.Array[Any], *, limit: int) -> pa.Table:
        """Return the target's pages with the most referring domains (``audit``)."""
        with self._translated_errors():
            return audit.top_linked_pages(self._conn, snapshot_id, url_ids, limit=limit)

    def audit_authority(
        self, snapshot_id: int, url_ids: pa.Array[Any], *, width: int = 10
    ) -> tuple[int | None, pa.Table]:
        """Return the referring domains by authority bucket (``audit.authority_buckets``)."""
        with self._translated_errors():
            return audit.authority_buckets(self._conn, snapshot_id, url_ids, width=width)

    def fetch_counts(self, snapshot_id: int) -> tuple[int, int, int]:
        """Return the fetches and page texts up to the snapshot, and the link targets fetched."""
        with self._translated_errors():
            return opportunities.fetch_counts(self._conn, snapshot_id)

    def dead_link_rows(self, snapshot_id: int) -> pa.Table:
        """Return the live links whose target's latest fetch failed or was 404/410."""
        with self._translated_errors():
            return opportunities.dead_link_rows(self._conn, snapshot_id)

    def brand_text_pages(
        self, snapshot_id: int, needles: Sequence[str], target_domains: Sequence[str]
    ) -> pa.Table:
        """Return the pages whose text names a brand, and whether they link to the target."""
        with self._translated_errors():
            return opportunities.brand_text_pages(self._conn, snapshot_id, needles, target_domains)

    def domain_link_pairs(self, snapshot_id: int, linked_domains: Sequence[str]) -> pa.Table:
        """Return the (source domain, linked domain) pairs of live links to the domains."""
        with self._translated_errors():
            return opportunities.domain_link_pairs(self._conn, snapshot_id, linked_domains)

    def stored_page_authority(
        self, snapshot_id: int, url_ids: pa.Array[Any]
    ) -> tuple[int | None, pa.Table]:
        """Return the ranked snapshot and the stored authority of the pages."""
        with self._translated_errors():
            return opportunities.page_authority(self._conn, snapshot_id, url_ids)

    def stored_domain_authority(
        self, snapshot_id: int, domains: Sequence[str]
    ) -> tuple[int | None, pa.Table]:
        """Return the ranked snapshot and the stored authority of the domains."""
        with self._translated_errors():
            return opportunities.domain_authority(self._conn, snapshot_id, domains)

    def link_events(self, target_url_ids: pa.Array[Any] | None) -> tuple[pa.Table, pa.Table]:
        """Return the backlinks to the target URLs (all with ``None``) and their events.

        See ``monitor.link_events``.
        """
        with self._translated_errors():
            return monitor.link_events(self._conn, target_url_ids)

    def snapshot_times(self) -> pa.Table:
        """Return ``(snapshot_id, kind, started_at, finished_at)`` of every snapshot, by id."""
        with self._translated_errors():
            return monitor.snapshot_times(self._conn)

    def toxic_backlink_rows(self, snapshot_id: int, target_url_ids: pa.Array[Any]) -> pa.Table:
        """Return the live links to the target pages from other domains, with their sources' fetch.

        See ``toxicity.backlink_rows``.
        """
        with self._translated_errors():
            return toxicity.backlink_rows(self._conn, snapshot_id, target_url_ids)

    def domain_footprints(self, snapshot_id: int, domains: Sequence[str]) -> pa.Table:
        """Return ``(domain, kind, value, pages)``: template hashes and tracking ids of domains."""
        with self._translated_errors():
            return toxicity.domain_footprints(self._conn, snapshot_id, domains)

    def referring_domain_edges(self, snapshot_id: int, domains: Sequence[str]) -> pa.Table:
        """Return ``(source_domain, target_domain, links)``: followed links among the domains."""
        with self._translated_errors():
            return toxicity.referring_domain_edges(self._conn, snapshot_id, domains)

    def stored_trust(
        self, snapshot_id: int, url_ids: pa.Array[Any], domains: Sequence[str]
    ) -> tuple[pa.Table, pa.Table]:
        """Return the stored trust and spam mass of pages and domains (``toxicity``)."""
        with self._translated_errors():
            return toxicity.stored_scores(self._conn, snapshot_id, url_ids, domains)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        if self.is_read_only:
            raise StoreError(f"store {self.path} is open read-only")
        with self._translated_errors(), self.transaction():
            yield

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except duckdb.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    def browse_links(
        self,
        snapshot_id: int,
        url_ids: pa.Array[Any],
        wanted: browse.LinkFilter,
        *,
        anchor_classes: pa.Table,
        toxic_domains: Sequence[str],
    ) -> tuple[int, pa.Table]:
        """Return the count and one page of the target's links that match (``browse``)."""
        with self._translated_errors():
            return browse.profile_links(
                self._conn,
                snapshot_id,
                url_ids,
                wanted,
                anchor_classes=anchor_classes,
                toxic_domains=toxic_domains,
            )

    def browse_page_links(
        self, snapshot_id: int, url: str, *, is_inbound: bool, limit: int
    ) -> tuple[int, pa.Table]:
        """Return the count and the first live links into (or out of) a page (``browse``)."""
        with self._translated_errors():
            return browse.page_links(
                self._conn, snapshot_id, url, is_inbound=is_inbound, limit=limit
            )

    def create_campaign(
        self, name: str, target: Sequence[str], *, created_at: datetime, notes: str | None = None
    ) -> int | None:
        """Create a campaign and return its id; ``None`` if one of that name exists."""
        with self._writing():
            return campaigns.create_campaign(
                self._conn, name, target, created_at=created_at, notes=notes
            )

    def campaign(self, name: str) -> dict[str, Any] | None:
        """Return the campaign called *name* (``id, name, target, created_at, notes``)."""
        with self._translated_errors():
            return campaigns.campaign_row(self._conn, name)

    def campaigns(self) -> list[dict[str, Any]]:
        """Return every campaign with its prospects and live links counted."""
        with self._translated_errors():
            return campaigns.campaign_rows(self._conn)

    def add_prospects(
        self, campaign_id: int, prospects: Sequence[dict[str, Any]], *, created_at: datetime
    ) -> tuple[int, int]:
        """Add the prospects not stored yet; return how many were added and known already."""
        with self._writing():
            return campaigns.insert_prospects(
                self._conn, campaign_id, prospects, created_at=created_at
            )

    def prospects(
        self, campaign_id: int, *, prospect_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the campaign's prospects (or the one *prospect_id*) with their latest check."""
        with self._translated_errors():
            return campaigns.prospect_rows(self._conn, campaign_id, prospect_id=prospect_id)

    def set_prospect_status(
        self,
        prospect_id: int,
        status: str,
        *,
        at: datetime,
        changed_by: str,
        note: str | None = None,
        lost_reason: str | None = None,
    ) -> None:
        """Change a prospect's status and record the change (``campaigns.set_status``)."""
        with self._writing():
            campaigns.set_status(
                self._conn,
                prospect_id,
                status,
                at=at,
                changed_by=changed_by,
                note=note,
                lost_reason=lost_reason,
            )

    def add_prospect_note(self, prospect_id: int, *, at: datetime, note: str) -> None:
        """Append a note to a prospect, recorded as an event that keeps its status."""
        with self._writing():
            campaigns.add_note(self._conn, prospect_id, at, note)

    def campaign_events(self, campaign_id: int) -> list[dict[str, Any]]:
        """Return the status history of the campaign's prospects, oldest first."""
        with self._translated_errors():
            return campaigns.campaign_events(self._conn, campaign_id)

    def record_prospect_checks(self, checks: Sequence[dict[str, Any]]) -> int:
        """Store what a campaign verification found of each prospect."""
        with self._writing():
            return campaigns.record_prospect_checks(self._conn, checks)

    def crawl_pages(self, snapshot_id: int) -> list[dict[str, Any]]:
        """Return the latest fetch of each URL the crawl *snapshot_id* fetched."""
        with self._translated_errors():
            return campaigns.crawl_pages(self._conn, snapshot_id)

    def crawl_page_links(self, snapshot_id: int, source_urls: Sequence[str]) -> pa.Table:
        """Return the links the crawl *snapshot_id* read on the pages *source_urls*."""
        with self._translated_errors():
            return campaigns.crawl_page_links(self._conn, snapshot_id, source_urls)

    def mark_links_lost(
        self, source_url: str, target_url: str, *, at: datetime, reason: str
    ) -> int:
        """Mark the live links from *source_url* to *target_url* lost; return how many."""
        with self._writing():
            return campaigns.mark_links_lost(
                self._conn, source_url, target_url, at=at, reason=reason
            )


def _open_error(path: Path, exc: duckdb.Error) -> StoreError:
    message = str(exc)
    if "lock" in message.lower():
        pid = _LOCK_PID.search(message)
        holder = f"process {pid.group(1)}" if pid else "another process"
        return StoreLocked(f"store {path} is in use by {holder}")
    if "not a valid DuckDB database file" in message:
        return StoreCorrupt(f"{path} is not a linkequity store (not a DuckDB database file)")
    return StoreError(f"cannot open store {path}: {message}")


def _close(conn: duckdb.DuckDBPyConnection) -> None:
    """Close *conn* while no other thread opens or closes one (see ``_CONNECTING``)."""
    with _CONNECTING:
        conn.close()


def _require_duckdb_header(path: Path) -> None:
    """Refuse an existing file without DuckDB's magic bytes before DuckDB touches it."""
    try:
        with path.open("rb") as file:
            header = file.read(_MAGIC_END)
    except FileNotFoundError:
        return
    except IsADirectoryError as exc:
        raise StoreCorrupt(f"{path} is a directory, not a linkequity store") from exc
    if header[_MAGIC_END - len(_MAGIC) :] != _MAGIC:
        raise StoreCorrupt(f"{path} is not a linkequity store (not a DuckDB database file)")


def _require_file_database(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a connection that is not backed by *path* itself.

    duckdb 2 opens some existing files by extension (``.csv``) as in-memory
    databases, where every write would silently vanish.
    """
    rows = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not rows or rows[0][0] is None:
        raise StoreCorrupt(f"{path} is not a linkequity store (not a DuckDB database file)")


def _require_current_schema(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = _stored_schema_version(conn, path)
    check_schema_version(version, path)
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"store {path} has schema version {version} and is open read-only; "
            f"open it once for writing to upgrade it to version {SCHEMA_VERSION}"
        )
