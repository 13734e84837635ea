"""Page texts reach the store from an ingested WARC and from a crawl of the sample web."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType
from tests.conftest import SHARED_DATA

from linkequity.analysis.relevance import RelevanceModel
from linkequity.model.pages import MAX_STORED_TEXT_CHARS
from linkequity.model.records import FetchedPage
from linkequity.parsing.http_body import decode_body
from linkequity.parsing.page import parse_page
from linkequity.samples.web import generate_web, serve_web
from linkequity.services.crawl import CrawlMode, CrawlPlan, crawl, seed_urls
from linkequity.services.ingest import ingest_archives
from linkequity.settings import CrawlSettings
from linkequity.sources.warc import WarcReader
from linkequity.store import Store

if TYPE_CHECKING:
    from pathlib import Path

WHIRLWIND = SHARED_DATA / "warc" / "whirlwind_cc"
#: Relevance of our main text of the archived page to Common Crawl's own WET
#: extraction of it (which keeps the menus and footers): measured 0.75, while
#: pages of the sample web score under 0.004 against it.
MIN_WET_RELEVANCE = 0.6
#: Pages of the crawled sample web: 14 sites, the fewest pages a web of 14 sites takes and some.
CRAWL_PAGES = 160


def stored_texts(db: Path) -> dict[str, tuple[str | None, str | None, str]]:
    with Store.open(db, read_only=True) as store:
        rows = store.page_texts().to_pylist()
    return {row["url"]: (row["title"], row["language"], row["text"]) for row in rows}


@pytest.mark.skipif(not WHIRLWIND.is_dir(), reason=f"shared WARC samples not at {WHIRLWIND}")
def test_the_text_of_an_archived_page_is_stored_beside_its_page(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    ingest_archives([WHIRLWIND / "whirlwind.warc.gz"], db=db)
    (fetch,) = list(WarcReader(WHIRLWIND / "whirlwind.warc.gz").items())
    assert isinstance(fetch, FetchedPage)
    signals = parse_page(decode_body(fetch.body, fetch.headers).data, fetch.url, fetch.headers)

    texts = stored_texts(db)

    assert texts == {
        fetch.url: (signals.title, signals.language, signals.main_text[:MAX_STORED_TEXT_CHARS])
    }
    with duckdb.connect(str(db), read_only=True) as conn:
        joined = conn.execute(
            """SELECT p.title = t.title, p.language = t.language, p.fetched_at = t.fetched_at
            FROM pages p JOIN page_texts t USING (snapshot_id, file_id, url_id)"""
        ).fetchall()
    assert joined == [(True, True, True)]

    # Common Crawl's own text extraction of the page (its WET record) says the same.
    with (WHIRLWIND / "whirlwind.warc.wet.gz").open("rb") as wet:
        (converted,) = [
            record.reader.read().decode()
            for record in ArchiveIterator(wet, record_types=WarcRecordType.conversion)
        ]
    corpus = [text for _, _, text in sample_web_texts()]
    model = RelevanceModel.fit([texts[fetch.url][2], converted, *corpus])
    assert model.similarity(0, 1) >= MIN_WET_RELEVANCE
    assert model.similarity(0, 1) > max(
        model.similarities([0] * len(corpus), range(2, len(corpus) + 2))
    )


def sample_web_texts() -> list[tuple[str, str | None, str]]:
    web = generate_web(2, sites=14, pages=CRAWL_PAGES)
    found = []
    for url in web.urls(include_disallowed=False):
        response = web.respond(url)
        if response.status == 200 and b"<html" in response.body[:200].lower():
            signals = parse_page(response.body, url, response.headers)
            found.append((url, signals.language, signals.main_text))
        if len(found) == 10:
            break
    return found


@pytest.mark.loopback
@pytest.mark.slow
def test_a_crawl_of_the_sample_web_stores_each_pages_main_text(tmp_path: Path) -> None:
    web = generate_web(3, sites=14, pages=CRAWL_PAGES)
    db = tmp_path / "web.duckdb"
    with serve_web(web, workers=16) as base:
        plan = CrawlPlan(
            seeds=seed_urls([site.base for site in web.sites], origin="argument"),
            mode=CrawlMode.WEB,
            max_depth=50,
            allow_private=True,
            resolve_to=base.removeprefix("http://"),
        )
        # Two parsing processes: the text crosses from them to the store.
        crawl(plan, db=db, tuning=CrawlSettings(delay_s=0.0, workers=2))

    texts = stored_texts(db)
    with duckdb.connect(str(db), read_only=True) as conn:
        html_pages = {
            url
            for (url,) in conn.execute(
                """SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id
                WHERE p.status = 200 AND p.content_type = 'text/html' AND p.word_count > 0"""
            ).fetchall()
        }

    assert set(texts) == html_pages
    assert len(texts) >= CRAWL_PAGES // 2
    for url, (title, language, text) in texts.items():
        response = web.respond(url)
        signals = parse_page(response.body, url, response.headers)
        assert (title, language, text) == (
            signals.title,
            signals.language,
            signals.main_text[:MAX_STORED_TEXT_CHARS],
        ), url
