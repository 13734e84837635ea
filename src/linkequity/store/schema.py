"""The tables of a linkequity store, and the migrations that build them.

One DuckDB file per project. Ids are dense ``BIGINT`` s assigned by the store
(``max(id) + row_number()`` inside the writing transaction, which the file lock
makes the only one), so the graph layer builds CSR matrices straight from id
columns. Timestamps are naive UTC.

Tables
------
meta
    ``key``/``value`` pairs: ``application`` (``linkequity``) and ``schema_version``.
snapshots
    One row per import or crawl run: ``id``, ``kind``, ``started_at``,
    ``finished_at`` (``NULL`` while running or after a crash), ``source``,
    ``settings`` (JSON).
urls
    Every URL seen, crawled or only linked to: ``id``, normalised ``url``
    (unique by construction: new URLs are found by anti-join), ``host``,
    ``reversed_host`` (``com.example.www``, for host-graph sorting) and
    ``domain``, the registrable domain (the host itself for IP addresses and
    bare public suffixes, so that each counts as one referring domain). Ids
    follow ``reversed_host``: the URLs of a host interned together are neighbours.
files
    One row per imported export file: ``id``, ``sha256`` (unique; a file seen
    before is not imported again), ``path``, ``tool``, ``export_format``,
    ``kind``, ``snapshot_id``, ``imported_at``, ``rows_stored``.
links
    One row per distinct link ``(source_url_id, target_url_id, anchor_key)``,
    ``anchor_key`` being the folded anchor. Merged attributes: ``anchor`` as
    first stored; each flag, ``alt``, ``link_type``, context and loss field from
    the most recent sighting that states it (by ``last_seen``, undated sightings
    oldest, then by insertion); ``first_seen`` the minimum and ``last_seen`` the
    maximum; ``lost_at`` cleared when a sighting saw the link after it; crawl
    fields ``placement``, ``is_hidden``, ``position`` (``NULL`` for imports);
    ``first_snapshot_id`` and ``last_snapshot_id``.
link_sightings
    Provenance: one row per link per report, unique per ``(file_id, row)``,
    with everything the source said (flags, dates, ``source_title``,
    ``source_status``, ``source_language``, ``tool_metrics`` JSON) and, for
    links read from a page's HTML, ``placement``, ``is_hidden`` and ``position``.
referring_domain_reports, target_page_reports
    Rows of aggregate exports (Semrush referring domains, GSC top linking sites
    and top linked pages) with their file, row and tool.
pages
    One row per fetched URL per snapshot and file: status, final URL, content
    type, title, language, word count, indexability and its reason, canonical,
    robots permission, crawl depth, content and template hashes; since version
    3 also the ``file_id`` it was read from (an archive, or the file a crawl
    numbers its sightings in),
    ``fetched_at``, the ``robots`` directives (space-separated), the internal
    and external link counts, the analytics ``footprints`` (JSON) and
    ``indexability_detail``, the human reason beside ``non_indexable_reason``.
crawl_frontier
    Since version 4: one row per URL per crawl (``snapshot_id``, ``seq`` in
    discovery order): ``url``, ``host``, ``depth``, the page it was found on
    (``via``), the URLs of the redirect chain that led to it, ``state``
    (``queued``, ``in_flight``, ``done``, ``failed``, ``excluded``),
    ``attempts``, ``not_before`` (a retry's due time), the last ``status``
    and ``outcome`` (why it ended so), ``settled_at``. See ``store.frontier``.
link_checks
    Since version 5: one row per imported link per verification (``snapshot_id``
    of the verify-mode crawl, ``link_id``, ``checked_at``): the ``outcome``
    (a ``LinkOutcome`` value), ``lost_reason`` (the outcome when it is a loss),
    a human ``detail``, the source page's ``status``, where its redirects ended
    (``final_url_id``, ``redirects`` followed), ``is_robots_allowed``,
    ``is_indexable`` and ``non_indexable_reason``; of the link on the page now:
    ``is_present``, ``anchor_now``, ``is_anchor_changed``, ``target_now_url_id``,
    the rel flags ``is_nofollow``, ``is_sponsored``, ``is_ugc``, ``placement``,
    ``is_hidden`` and ``links_to_target`` (links of the page to the target);
    ``was_followed``, what the exports said. See ``store.verification``.
page_texts
    Since version 6: the main text of each fetched HTML page whose main text is
    not empty, one row per ``pages`` row (``snapshot_id``, ``file_id``,
    ``url_id``, ``fetched_at``), with its ``title`` and ``language`` beside the
    ``text``: whitespace folded, at most ``MAX_STORED_TEXT_CHARS`` (20,000)
    characters, what the parser took for the page's main content. Text from the
    web is data: it travels as a parameter or an Arrow column, never as SQL.
page_metrics, domain_metrics
    Authority, trust, spam mass and referring counts per snapshot, by URL id and
    by registrable domain.
campaigns, prospects, prospect_events, prospect_checks
    Since version 7: link-building campaigns (``id``, unique ``name``, the
    ``target`` as a JSON list, ``created_at``, ``notes``); their prospects, one
    per ``(campaign_id, source_url, target_url)`` (the page to get a link on and
    the page it should link to, the suggested anchor with its class and hint,
    the ``origin`` recommendation, the predicted page and domain gains with the
    snapshot, time and target ranks they were predicted against, the
    ``status`` with the time of each status, ``lost_reason`` and ``notes``);
    every status change or note (``prospect_events``: ``changed_at``,
    ``old_status``, ``new_status``, ``changed_by`` hand or verify, ``note``);
    and what each campaign verification found on each prospect's page
    (``prospect_checks``, keyed by the verify crawl's ``snapshot_id``). See
    ``store.campaigns``.

No primary key or unique constraint sits on the bulk tables (``urls``,
``links``, ``link_sightings``): measured at 10M links, DuckDB's ART index made
bulk inserts 13x slower and the file 18x larger, while the anti-joins that keep
rows unique cost well under a second per million rows without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkequity.errors import SchemaTooNew, StoreCorrupt

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

APPLICATION = "linkequity"


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: the statements that take version - 1 to version."""

    version: int
    summary: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "link tables: snapshots, urls, files, links, link_sightings",
        (
            "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
            """CREATE TABLE snapshots (
                id BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP, source VARCHAR, settings JSON)""",
            """CREATE TABLE urls (
                id BIGINT NOT NULL, url VARCHAR NOT NULL, host VARCHAR NOT NULL,
                reversed_host VARCHAR NOT NULL, domain VARCHAR NOT NULL)""",
            """CREATE TABLE files (
                id BIGINT PRIMARY KEY, sha256 VARCHAR NOT NULL UNIQUE, path VARCHAR NOT NULL,
                tool VARCHAR NOT NULL, export_format VARCHAR, kind VARCHAR NOT NULL,
                snapshot_id BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL,
                rows_stored BIGINT NOT NULL DEFAULT 0)""",
            """CREATE TABLE links (
                id BIGINT NOT NULL, source_url_id BIGINT NOT NULL, target_url_id BIGINT NOT NULL,
                anchor_key VARCHAR NOT NULL, anchor VARCHAR NOT NULL,
                is_nofollow BOOLEAN, is_sponsored BOOLEAN, is_ugc BOOLEAN, is_image BOOLEAN,
                alt VARCHAR, link_type VARCHAR, is_sitewide BOOLEAN,
                is_target_inferred BOOLEAN NOT NULL,
                left_context VARCHAR, right_context VARCHAR,
                placement VARCHAR, is_hidden BOOLEAN, position INTEGER,
                first_seen TIMESTAMP, last_seen TIMESTAMP, lost_at TIMESTAMP, lost_reason VARCHAR,
                first_snapshot_id BIGINT NOT NULL, last_snapshot_id BIGINT NOT NULL)""",
            """CREATE TABLE link_sightings (
                link_id BIGINT NOT NULL, snapshot_id BIGINT NOT NULL, file_id BIGINT NOT NULL,
                row BIGINT NOT NULL, tool VARCHAR NOT NULL, anchor VARCHAR NOT NULL,
                is_nofollow BOOLEAN, is_sponsored BOOLEAN, is_ugc BOOLEAN, is_image BOOLEAN,
                alt VARCHAR, link_type VARCHAR, is_sitewide BOOLEAN,
                is_target_inferred BOOLEAN NOT NULL,
                left_context VARCHAR, right_context VARCHAR,
                source_title VARCHAR, source_status INTEGER, source_language VARCHAR,
                first_seen TIMESTAMP, last_seen TIMESTAMP, lost_at TIMESTAMP, lost_reason VARCHAR,
                tool_metrics JSON)""",
        ),
    ),
    Migration(
        2,
        "aggregate export reports, pages and metrics",
        (
            """CREATE TABLE referring_domain_reports (
                snapshot_id BIGINT NOT NULL, file_id BIGINT NOT NULL, row BIGINT NOT NULL,
                tool VARCHAR NOT NULL, domain VARCHAR NOT NULL,
                backlinks BIGINT, linking_pages BIGINT, target_pages BIGINT, authority DOUBLE,
                ip_address VARCHAR, country VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP,
                tool_metrics JSON)""",
            """CREATE TABLE target_page_reports (
                snapshot_id BIGINT NOT NULL, file_id BIGINT NOT NULL, row BIGINT NOT NULL,
                tool VARCHAR NOT NULL, target_url_id BIGINT NOT NULL,
                incoming_links BIGINT, linking_sites BIGINT, tool_metrics JSON)""",
            """CREATE TABLE pages (
                snapshot_id BIGINT NOT NULL, url_id BIGINT NOT NULL, status INTEGER,
                final_url_id BIGINT, content_type VARCHAR, title VARCHAR, language VARCHAR,
                word_count INTEGER, is_indexable BOOLEAN, non_indexable_reason VARCHAR,
                canonical_url_id BIGINT, is_robots_allowed BOOLEAN, crawl_depth INTEGER,
                content_hash VARCHAR, template_hash VARCHAR)""",
            """CREATE TABLE page_metrics (
                snapshot_id BIGINT NOT NULL, url_id BIGINT NOT NULL, pagerank DOUBLE,
                authority DOUBLE, trust DOUBLE, spam_mass DOUBLE,
                referring_domains BIGINT, referring_pages BIGINT)""",
            """CREATE TABLE domain_metrics (
                snapshot_id BIGINT NOT NULL, domain VARCHAR NOT NULL, pagerank DOUBLE,
                authority DOUBLE, trust DOUBLE, spam_mass DOUBLE,
                referring_domains BIGINT, referring_pages BIGINT)""",
        ),
    ),
    Migration(
        3,
        "crawl fields of sightings, and what each fetched page said",
        (
            "ALTER TABLE link_sightings ADD COLUMN placement VARCHAR",
            "ALTER TABLE link_sightings ADD COLUMN is_hidden BOOLEAN",
            "ALTER TABLE link_sightings ADD COLUMN position INTEGER",
            "ALTER TABLE pages ADD COLUMN file_id BIGINT",
            "ALTER TABLE pages ADD COLUMN fetched_at TIMESTAMP",
            "ALTER TABLE pages ADD COLUMN robots VARCHAR",
            "ALTER TABLE pages ADD COLUMN internal_links INTEGER",
            "ALTER TABLE pages ADD COLUMN external_links INTEGER",
            "ALTER TABLE pages ADD COLUMN footprints JSON",
            "ALTER TABLE pages ADD COLUMN indexability_detail VARCHAR",
        ),
    ),
    Migration(
        4,
        "the frontier of resumable crawls",
        (
            """CREATE TABLE crawl_frontier (
                snapshot_id BIGINT NOT NULL, seq BIGINT NOT NULL, url VARCHAR NOT NULL,
                host VARCHAR NOT NULL, depth INTEGER NOT NULL, via VARCHAR,
                redirect_chain VARCHAR[], state VARCHAR NOT NULL, attempts INTEGER NOT NULL,
                not_before TIMESTAMP, status INTEGER, outcome VARCHAR, settled_at TIMESTAMP)""",
        ),
    ),
    Migration(
        5,
        "link checks: what a verification found of each imported link",
        (
            """CREATE TABLE link_checks (
                snapshot_id BIGINT NOT NULL, link_id BIGINT NOT NULL,
                checked_at TIMESTAMP NOT NULL, outcome VARCHAR NOT NULL, lost_reason VARCHAR,
                detail VARCHAR, status INTEGER, final_url_id BIGINT, redirects INTEGER NOT NULL,
                is_robots_allowed BOOLEAN, is_indexable BOOLEAN, non_indexable_reason VARCHAR,
                is_present BOOLEAN, was_followed BOOLEAN, anchor_now VARCHAR,
                is_anchor_changed BOOLEAN, target_now_url_id BIGINT,
                is_nofollow BOOLEAN, is_sponsored BOOLEAN, is_ugc BOOLEAN,
                placement VARCHAR, is_hidden BOOLEAN, links_to_target INTEGER)""",
        ),
    ),
    Migration(
        6,
        "page texts: the main text of each fetched HTML page",
        (
            """CREATE TABLE page_texts (
                snapshot_id BIGINT NOT NULL, file_id BIGINT, url_id BIGINT NOT NULL,
                fetched_at TIMESTAMP, title VARCHAR, language VARCHAR, text VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        7,
        "campaigns: prospects, their status history and verifications",
        (
            """CREATE TABLE campaigns (
                id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, target JSON NOT NULL,
                created_at TIMESTAMP NOT NULL, notes VARCHAR)""",
            """CREATE TABLE prospects (
                id BIGINT PRIMARY KEY, campaign_id BIGINT NOT NULL,
                source_url VARCHAR NOT NULL, target_url VARCHAR NOT NULL,
                suggested_anchor VARCHAR, anchor_class VARCHAR, anchor_hint VARCHAR,
                anchor_keywords JSON, origin VARCHAR NOT NULL,
                predicted_page_gain DOUBLE, predicted_domain_gain DOUBLE,
                predicted_page_gain_in_plan DOUBLE, plan_position INTEGER,
                predicted_snapshot_id BIGINT, predicted_at TIMESTAMP,
                predicted_target_rank DOUBLE, predicted_domain_rank DOUBLE,
                status VARCHAR NOT NULL, status_at TIMESTAMP NOT NULL,
                created_at TIMESTAMP NOT NULL, contacted_at TIMESTAMP, replied_at TIMESTAMP,
                agreed_at TIMESTAMP, live_at TIMESTAMP, lost_at TIMESTAMP,
                declined_at TIMESTAMP, lost_reason VARCHAR, notes VARCHAR,
                UNIQUE (campaign_id, source_url, target_url))""",
            """CREATE TABLE prospect_events (
                prospect_id BIGINT NOT NULL, changed_at TIMESTAMP NOT NULL,
                old_status VARCHAR, new_status VARCHAR NOT NULL, changed_by VARCHAR NOT NULL,
                note VARCHAR)""",
            """CREATE TABLE prospect_checks (
                snapshot_id BIGINT NOT NULL, prospect_id BIGINT NOT NULL,
                checked_at TIMESTAMP NOT NULL, outcome VARCHAR NOT NULL, detail VARCHAR,
                status INTEGER, final_url VARCHAR, is_robots_allowed BOOLEAN,
                is_indexable BOOLEAN, non_indexable_reason VARCHAR, is_present BOOLEAN,
                anchor_now VARCHAR, anchor_class_now VARCHAR, is_same_class BOOLEAN,
                is_exact_anchor BOOLEAN, is_nofollow BOOLEAN, is_sponsored BOOLEAN,
                is_ugc BOOLEAN, placement VARCHAR, is_hidden BOOLEAN)""",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def stored_schema_version(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Return the schema version of the open store; 0 for a database with no tables.

    Raises
    ------
    StoreCorrupt
        If the database holds tables but is not a linkequity store.
    """
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if not tables:
        return 0
    if "meta" not in tables:
        raise StoreCorrupt(f"{path} is a DuckDB database but not a linkequity store")
    rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if rows.get("application") != APPLICATION or not rows.get("schema_version", "").isdigit():
        raise StoreCorrupt(f"{path} is a DuckDB database but not a linkequity store")
    return int(rows["schema_version"])


def check_schema_version(version: int, path: Path) -> None:
    """Raise ``SchemaTooNew`` if *version* is newer than this linkequity knows."""
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"store {path} has schema version {version}; "
            f"this linkequity reads up to version {SCHEMA_VERSION}"
        )


def migrate(conn: duckdb.DuckDBPyConnection, path: Path, *, target: int = SCHEMA_VERSION) -> int:
    """Apply every migration after the stored version up to *target*, one transaction each.

    Returns
    -------
    int
        The schema version of the store afterwards.
    """
    version = stored_schema_version(conn, path)
    check_schema_version(version, path)
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            conn.execute("BEGIN TRANSACTION")
            try:
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('application', ?), ('schema_version', ?)",
                    [APPLICATION, str(migration.version)],
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            version = migration.version
    return version
