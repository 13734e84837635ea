"""Page texts: kept beside each fetched page (``page_texts``), read back as the latest per URL."""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkequity.analysis.relevance import LanguageMatch, RelevanceModel
from linkequity.crawl.readers import read_page
from linkequity.model.pages import MAX_STORED_TEXT_CHARS, PageRecord
from linkequity.model.records import FetchedPage
from linkequity.parsing.page import parse_page
from linkequity.store import SCHEMA_VERSION, Store, pages_to_arrow
from linkequity.store.schema import migrate

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

HOSTILE_TEXTS = [
    "'); DROP TABLE pages; --",
    "Robert'); DROP TABLE page_texts;-- {0} {url} %s ?",
    '<script>alert(document.cookie)</script> =HYPERLINK("http://x") @SUM(1)',
    '\u202eevil\u202c 🚲 \\x00 \\\' "quoted" $1 ${x}',
]


def page(url: str, text: str | None, **fields: object) -> PageRecord:
    return PageRecord(url, 200, content_type="text/html", main_text=text, **fields)  # type: ignore[arg-type]


def write(store: Store, pages: list[PageRecord], *, file_id: int | None = 1) -> int:
    with store.transaction():
        snapshot_id = store.begin_snapshot(kind="crawl")
        store.write_pages(snapshot_id, file_id, pages_to_arrow(pages))
        store.finish_snapshot(snapshot_id)
    return snapshot_id


def texts_by_url(store: Store, **options: object) -> dict[str, tuple[object, ...]]:
    table = store.page_texts(**options)  # type: ignore[arg-type]
    return {
        row["url"]: (row["title"], row["language"], row["text"], row["snapshot_id"])
        for row in table.to_pylist()
    }


def test_the_text_of_each_page_is_kept_with_its_title_and_language(store: Store) -> None:
    snapshot = write(
        store,
        [
            page("https://a.example/", "Raised beds and compost.", title="Beds", language="en"),
            page("https://b.example/", None),
            page("https://c.example/", ""),
            PageRecord("https://d.example/old", 301, final_url="https://a.example/"),
        ],
    )

    assert texts_by_url(store) == {
        "https://a.example/": ("Beds", "en", "Raised beds and compost.", snapshot)
    }
    table = store.page_texts()
    assert table.column_names == [
        "url_id", "url", "snapshot_id", "fetched_at", "title", "language", "text"
    ]  # fmt: skip
    # pages keeps one row per fetch, texts or not.
    assert store._conn.execute("SELECT count(*) FROM pages").fetchall() == [(4,)]


def test_hostile_text_round_trips_as_data(store: Store) -> None:
    urls = [f"https://h.example/{k}" for k in range(len(HOSTILE_TEXTS))]
    write(
        store, [page(url, text, title=text) for url, text in zip(urls, HOSTILE_TEXTS, strict=True)]
    )

    stored = texts_by_url(store)

    assert {url: stored[url][2] for url in urls} == dict(zip(urls, HOSTILE_TEXTS, strict=True))
    assert {url: stored[url][0] for url in urls} == dict(zip(urls, HOSTILE_TEXTS, strict=True))
    tables = {
        name for (name,) in store._conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    assert {"pages", "page_texts"} <= tables


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.text(
            alphabet=st.characters(
                codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"
            ),
            min_size=1,
            max_size=300,
        ),
        min_size=1,
        max_size=25,
    )
)
def test_any_text_round_trips(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    urls = [f"https://x.example/{k}" for k in range(len(texts))]
    with Store.open(tmp_path_factory.mktemp("t") / "p.duckdb") as store:
        write(store, [page(url, text) for url, text in zip(urls, texts, strict=True)])

        stored = {url: row[2] for url, row in texts_by_url(store).items()}

    assert stored == dict(zip(urls, texts, strict=True))


def test_the_latest_text_of_a_url_is_read_and_filters_apply(store: Store) -> None:
    first = write(
        store,
        [
            page("https://a.example/", "old text", fetched_at=datetime(2024, 1, 1)),
            page("https://b.example/", "b text"),
        ],
    )
    second = write(
        store,
        [
            page("https://a.example/", "newest text", fetched_at=datetime(2024, 1, 3)),
            page("https://a.example/", "refetched earlier", fetched_at=datetime(2024, 1, 2)),
        ],
    )
    a_id, b_id = (
        store.url_ids(["https://a.example/", "https://b.example/"])
        .sort_by("url")
        .column("url_id")
        .to_pylist()
    )

    assert texts_by_url(store) == {
        "https://a.example/": (None, None, "newest text", second),
        "https://b.example/": (None, None, "b text", first),
    }
    assert texts_by_url(store, snapshot_id=first) == {
        "https://a.example/": (None, None, "old text", first),
        "https://b.example/": (None, None, "b text", first),
    }
    assert list(texts_by_url(store, url_ids=[b_id, 999])) == ["https://b.example/"]
    assert list(texts_by_url(store, url_ids=np.array([a_id]))) == ["https://a.example/"]
    assert texts_by_url(store, url_ids=[]) == {}
    assert store.page_texts().column("url_id").to_pylist() == sorted([a_id, b_id])


def test_a_version_5_store_gains_page_texts_and_keeps_its_pages(store_path: Path) -> None:
    with duckdb.connect(str(store_path)) as conn:
        assert migrate(conn, store_path, target=5) == 5
        conn.execute("INSERT INTO snapshots VALUES (1, 'crawl', now()::TIMESTAMP, NULL, 'x', '{}')")
        conn.execute("INSERT INTO pages (snapshot_id, url_id, status) VALUES (1, 1, 200)")

    with Store.open(store_path) as store:
        assert SCHEMA_VERSION >= 6
        assert store.page_texts().num_rows == 0
        write(store, [page("https://a.example/", "now with text")])
        assert store.page_texts().column("text").to_pylist() == ["now with text"]
        assert store._conn.execute("SELECT count(*) FROM pages").fetchall() == [(2,)]


# --- what the parser already read is what is kept ----------------------------------------


ARTICLE = """<html lang="en"><head><title>Pruning roses</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<article><h1>Pruning roses</h1><p>Cut   above an outward bud,
in late winter.</p><p>Feed after pruning.</p></article>
<footer>Copyright Green Thumb</footer></body></html>"""


def test_a_record_keeps_the_main_text_the_parser_found_capped() -> None:
    signals = parse_page(ARTICLE, "https://g.example/roses")
    record = PageRecord.from_signals(signals)

    assert record.main_text == signals.main_text
    assert (
        record.main_text
        == "Pruning roses Cut above an outward bud, in late winter. Feed after pruning."
    )
    long = parse_page(f"<p>{'word ' * 30_000}</p>", "https://g.example/long")
    assert len(PageRecord.from_signals(long).main_text or "") == MAX_STORED_TEXT_CHARS


def test_the_crawl_reader_hands_the_text_over_between_processes() -> None:
    fetched = FetchedPage(
        "https://g.example/roses",
        datetime(2024, 5, 1),
        200,
        (("Content-Type", "text/html; charset=utf-8"),),
        ARTICLE.encode(),
        0,
    )

    read = read_page(fetched)
    crossed = pickle.loads(pickle.dumps(read))  # noqa: S301  # our own bytes, as the pool does

    assert crossed.page.main_text == read.page.main_text
    assert read.page.main_text is not None
    assert "outward bud" in read.page.main_text
    assert "Copyright" not in read.page.main_text


def test_a_redirect_or_an_error_has_no_text() -> None:
    moved = read_page(
        FetchedPage(
            "https://g.example/old", datetime(2024, 5, 1), 301, (("Location", "/roses"),), b"", 0
        )
    )
    missing = read_page(
        FetchedPage("https://g.example/gone", datetime(2024, 5, 1), 404, (), b"<p>Not found</p>", 0)
    )

    assert moved.page.main_text is None
    assert missing.page.main_text is None


def test_page_texts_travel_through_parquet_once(store: Store, tmp_path: Path) -> None:
    write(
        store, [page(f"https://p.example/{k}", HOSTILE_TEXTS[k], language="en") for k in range(3)]
    )
    write(store, [page("https://p.example/0", "fetched again")], file_id=None)
    store.export_parquet(tmp_path / "exchange")

    with Store.open(tmp_path / "copy.duckdb") as copy:
        first = copy.import_parquet(tmp_path / "exchange")
        again = copy.import_parquet(tmp_path / "exchange")
        copied = texts_by_url(copy)
        rows = copy._conn.execute("SELECT count(*) FROM page_texts").fetchall()

    assert (first.texts_added, again.texts_added) == (4, 0)
    assert rows == [(4,)]
    assert {url: row[:3] for url, row in copied.items()} == {
        url: row[:3] for url, row in texts_by_url(store).items()
    }


def test_a_relevance_model_reads_the_stored_texts_by_url_id(store: Store) -> None:
    write(
        store,
        [
            page("https://g.example/beds", "Raised beds, compost and mulch.", language="en"),
            page("https://g.example/soil", "Compost and mulch feed the soil.", language="en-GB"),
            page("https://c.example/", "Espresso, crema and grinders.", language="it"),
            page("https://c.example/empty", None),
        ],
    )
    table = store.page_texts()
    urls = ["https://g.example/beds", "https://g.example/soil", "https://c.example/"]
    found = store.url_ids([*urls, "https://c.example/empty"]).to_pydict()
    ids = dict(zip(found["url"], found["url_id"], strict=True))

    model = RelevanceModel.fit(
        table.column("text").to_pylist(),
        languages=table.column("language").to_pylist(),
        ids=table.column("url_id").to_numpy(),
    )
    beds, soil, cafe, empty = (
        ids["https://g.example/beds"],
        ids["https://g.example/soil"],
        ids["https://c.example/"],
        ids["https://c.example/empty"],
    )
    result = model.score_ids([beds, beds, beds], [soil, cafe, empty])

    assert result.scores[0] > result.scores[1] == 0.0
    assert result.scores[2] == 0.0
    assert [result.language_match(k) for k in range(3)] == [
        LanguageMatch.SAME,
        LanguageMatch.DIFFERENT,
        LanguageMatch.UNKNOWN,
    ]
