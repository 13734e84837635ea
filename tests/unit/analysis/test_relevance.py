"""Topical relevance: TF-IDF/BM25 cosine, the embedding seam, language match.

Real text: the articles of shared/data/html/scrapinghub_aeb against their
ground-truth bodies, and the pages of sample webs generated on different themes.
The oracle for the default weighting is scikit-learn's own ``TfidfVectorizer``.
"""

from __future__ import annotations

import doctest
import gzip
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from tests.conftest import SHARED_DATA

from linkequity.analysis import relevance as relevance_module
from linkequity.analysis.relevance import (
    PAIRS_PER_CHUNK,
    LanguageMatch,
    RelevanceModel,
    SentenceEncoderEmbedder,
    language_match,
    primary_language,
    relevance,
)
from linkequity.parsing.page import parse_page
from linkequity.samples.web import PageKind, generate_web

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

AEB = SHARED_DATA / "html" / "scrapinghub_aeb"
#: Articles parsed for the retrieval test (parsing all 181 would take seconds).
AEB_ARTICLES = 40
#: Share of the articles whose own ground-truth body must be the most relevant one
#: (measured 1.0 with either weighting; own-body scores 0.10-1.0, others 0.03-0.06 on average).
AEB_MIN_HITS = 0.95
SAMPLE_PAGES_PER_THEME = 24

WORDS = st.sampled_from(
    ["tomato", "compost", "espresso", "crema", "gravel", "saddle", "the", "and", "été", "水"]
)
TEXTS = st.lists(WORDS, max_size=12).map(" ".join)
HOSTILE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


def dense_cosines(texts: Sequence[str], **options: Any) -> npt.NDArray[np.float64]:
    """The oracle: scikit-learn's TfidfVectorizer, sublinear tf, and a dense product."""
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, token_pattern=relevance_module.WORD_PATTERN, **options
    )
    try:
        matrix = vectorizer.fit_transform(texts).toarray()
    except ValueError:  # empty vocabulary: nothing to compare
        return np.zeros((len(texts), len(texts)))
    return np.clip(matrix @ matrix.T, 0.0, 1.0)


# --- the default weighting is scikit-learn's TF-IDF cosine ---------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=2, max_size=8))
def test_scores_are_the_cosines_of_scikit_learns_tfidf(texts: list[str]) -> None:
    model = RelevanceModel.fit(texts)
    n = len(texts)
    sources, targets = np.divmod(np.arange(n * n), n)

    scores = model.similarities(sources, targets).reshape(n, n)

    np.testing.assert_allclose(scores, dense_cosines(texts), atol=1e-12)


def test_english_stop_words_are_dropped_from_english_pages_only() -> None:
    texts = ["the cat and the hat", "the dog and the log", "the cat sat", "the dog sat"]
    english = RelevanceModel.fit(texts, languages=["en"] * 4)
    unknown = RelevanceModel.fit(texts)
    sources, targets = np.divmod(np.arange(16), 4)

    np.testing.assert_allclose(
        english.similarities(sources, targets).reshape(4, 4),
        dense_cosines(texts, stop_words="english"),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        unknown.similarities(sources, targets).reshape(4, 4), dense_cosines(texts), atol=1e-12
    )
    # Only "the" and "and" join pages 0 and 1; dropped for English, kept otherwise.
    assert english.similarity(0, 1) == 0.0
    assert unknown.similarity(0, 1) > 0.0


def test_stop_words_of_another_language_apply_to_its_pages() -> None:
    texts = ["le vélo et le col", "le café et le lait", "le vélo"]
    french = RelevanceModel.fit(
        texts, languages=["fr-FR", "fr", "fr"], stop_words={"fr": {"le", "et"}}
    )
    kept = RelevanceModel.fit(texts, languages=["fr", "fr", "fr"])

    assert french.similarity(0, 1) == 0.0
    assert kept.similarity(0, 1) > 0.0
    assert french.similarity(0, 2) > 0.0


# --- properties --------------------------------------------------------------------------


@pytest.mark.parametrize("weighting", ["tfidf", "bm25"])
@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.one_of(TEXTS, HOSTILE), min_size=2, max_size=8), data=st.data())
def test_scores_are_symmetric_bounded_and_the_batch_equals_each_pair(
    weighting: str, texts: list[str], data: st.DataObject
) -> None:
    model = RelevanceModel.fit(texts, weighting=weighting)  # type: ignore[arg-type]
    pages = st.integers(0, len(texts) - 1)
    pairs = data.draw(st.lists(st.tuples(pages, pages), max_size=20))
    sources = np.array([s for s, _ in pairs], dtype=np.int64)
    targets = np.array([t for _, t in pairs], dtype=np.int64)

    batch = model.similarities(sources, targets)
    has_words = [any(relevance_module._TOKEN.finditer(text)) for text in texts]

    assert batch.dtype == np.float64
    assert batch.shape == (len(pairs),)
    assert ((batch >= 0.0) & (batch <= 1.0)).all()
    assert batch.tolist() == [model.similarity(s, t) for s, t in pairs]
    np.testing.assert_allclose(batch, model.similarities(targets, sources), atol=1e-15)
    assert model.score_pairs(sources, targets).is_measured.tolist() == [
        has_words[s] and has_words[t] for s, t in pairs
    ]


@pytest.mark.parametrize("weighting", ["tfidf", "bm25"])
@settings(max_examples=40, deadline=None)
@given(text=TEXTS.filter(lambda text: text.strip()), others=st.lists(TEXTS, max_size=5))
def test_identical_texts_score_1(weighting: str, text: str, others: list[str]) -> None:
    model = RelevanceModel.fit([text, text, *others], weighting=weighting)  # type: ignore[arg-type]

    assert model.similarity(0, 1) == pytest.approx(1.0, abs=1e-12)
    assert model.similarity(0, 0) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("empty", ["", "   \n\t ", "!! -- ?", "a b c"])
def test_an_empty_text_scores_0_with_anything_even_itself(empty: str) -> None:
    model = RelevanceModel.fit([empty, "coffee grinder", empty])

    result = model.score_pairs([0, 0, 1, 0, 1], [1, 0, 0, 2, 1])

    assert result.scores.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert result.is_measured.tolist() == [False, False, False, False, True]


def test_a_corpus_with_no_word_at_all_scores_0() -> None:
    model = RelevanceModel.fit(["", "  ", "?"])

    assert model.similarities([0, 1], [1, 2]).tolist() == [0.0, 0.0]
    assert relevance("", "").score == 0.0


def test_words_on_fewer_pages_than_min_df_are_left_out() -> None:
    texts = ["gravel saddle", "gravel tyres", "espresso crema"]

    pruned = RelevanceModel.fit(texts, min_df=2)
    nothing_common = RelevanceModel.fit(texts, min_df=3)

    assert pruned.similarity(0, 1) == pytest.approx(1.0)
    assert pruned.score_pairs([0], [2]).is_measured.tolist() == [False]
    assert nothing_common.similarities([0, 0], [0, 1]).tolist() == [0.0, 0.0]


def test_an_embedder_giving_non_finite_values_is_named() -> None:
    class Broken:
        def embed(self, texts: Sequence[str], /) -> npt.NDArray[np.float64]:
            return np.full((len(texts), 2), np.nan)

    with pytest.raises(ValueError, match="Broken.embed gave non-finite values"):
        RelevanceModel.fit(["one", "two"], embedder=Broken())


def test_hostile_text_is_only_counted() -> None:
    hostile = [
        "'); DROP TABLE pages; -- {__import__('os').system('echo x')}",
        "<script>alert(1)</script> ${7*7} {{7*7}} %s %n \u202e\u0000",
        "'); DROP TABLE pages; -- {__import__('os').system('echo x')}",
    ]
    model = RelevanceModel.fit(hostile)

    assert model.similarity(0, 2) == pytest.approx(1.0)
    assert 0.0 <= model.similarity(0, 1) < 1.0


def test_large_batches_match_the_dense_oracle() -> None:
    texts = [
        "espresso crema grinder", "espresso kettle", "tomato compost", "compost bins",
        "gravel saddle climb", "saddle", "", "crema milk",
    ]  # fmt: skip
    model = RelevanceModel.fit(texts)
    rng = np.random.default_rng(6)
    sources = rng.integers(0, len(texts), PAIRS_PER_CHUNK + 1000)
    targets = rng.integers(0, len(texts), PAIRS_PER_CHUNK + 1000)

    scores = model.similarities(sources, targets)

    np.testing.assert_allclose(scores, dense_cosines(texts)[sources, targets], atol=1e-12)


def test_pairs_outside_the_model_or_of_two_lengths_are_refused() -> None:
    model = RelevanceModel.fit(["a page", "another page"])

    with pytest.raises(IndexError, match="page 2 is outside the model's 2 pages"):
        model.similarities([0, 1], [1, 2])
    with pytest.raises(IndexError, match="page -1"):
        model.similarity(-1, 0)
    with pytest.raises(ValueError, match="1-D of one length"):
        model.similarities([0, 1], [1])
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        RelevanceModel.fit(["a page", "another page"], languages=["en"])
    with pytest.raises(ValueError, match="unknown weighting 'bm26'"):
        RelevanceModel.fit(["a page"], weighting="bm26")  # type: ignore[arg-type]
    assert model.similarities([], []).shape == (0,)


# --- real text ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def articles() -> tuple[list[str], list[str]]:
    """Main texts of the first AEB_ARTICLES articles, and every article's true body."""
    if not AEB.is_dir():
        pytest.skip(f"shared HTML samples not at {AEB}")
    truth = json.loads((AEB / "ground-truth.json").read_text())
    ids = sorted(truth)
    parsed = [
        parse_page(gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes()),
            truth[key]["url"]).main_text
        for key in ids[:AEB_ARTICLES]
    ]  # fmt: skip
    return parsed, [truth[key]["articleBody"] for key in ids]


@pytest.mark.parametrize("weighting", ["tfidf", "bm25"])
def test_an_articles_main_text_is_most_relevant_to_its_own_body(
    articles: tuple[list[str], list[str]], weighting: str
) -> None:
    parsed, bodies = articles
    model = RelevanceModel.fit([*parsed, *bodies], weighting=weighting)  # type: ignore[arg-type]
    n, m = len(parsed), len(bodies)
    sources, bodies_index = np.divmod(np.arange(n * m), m)

    scores = model.similarities(sources, n + bodies_index).reshape(n, m)

    hits = np.mean(scores.argmax(axis=1) == np.arange(n))
    assert hits >= AEB_MIN_HITS
    own = scores[np.arange(n), np.arange(n)]
    others = (scores.sum(axis=1) - own) / (m - 1)
    assert (own > others).all()


@pytest.fixture(scope="module")
def themed_pages() -> dict[str, list[str]]:
    """Main texts of article pages of sample webs of each theme (one web per theme)."""
    pages: dict[str, list[str]] = {}
    for seed in range(40):
        web = generate_web(seed, sites=14)
        theme = web.spec.theme.name
        if theme in pages:
            continue
        texts = []
        for url in web.urls(include_disallowed=False):
            page = web.page(url)
            if page is None or page.kind is not PageKind.ARTICLE:
                continue
            response = web.respond(url)
            texts.append(parse_page(response.body, url, response.headers).main_text)
            if len(texts) == SAMPLE_PAGES_PER_THEME:
                break
        pages[theme] = texts
        if len(pages) == 3:
            break
    return pages


@pytest.mark.parametrize("weighting", ["tfidf", "bm25"])
def test_pages_on_one_theme_are_more_relevant_to_each_other_than_to_other_themes(
    themed_pages: dict[str, list[str]], weighting: str
) -> None:
    assert len(themed_pages) >= 2
    texts = [text for group in themed_pages.values() for text in group]
    theme = np.repeat(np.arange(len(themed_pages)), [len(g) for g in themed_pages.values()])
    model = RelevanceModel.fit(texts, languages=["en"] * len(texts), weighting=weighting)  # type: ignore[arg-type]
    n = len(texts)
    sources, targets = np.divmod(np.arange(n * n), n)
    scores = model.similarities(sources, targets).reshape(n, n)
    np.fill_diagonal(scores, np.nan)
    same = theme[:, None] == theme[None, :]

    same_mean = np.nanmean(np.where(same, scores, np.nan), axis=1)
    other_mean = np.nanmean(np.where(~same, scores, np.nan), axis=1)

    # Every page is closer, on average, to its own theme; and its least related
    # page of its theme beats the average page of the others for most pages.
    assert (same_mean > other_mean).all()
    least_same = np.nanmin(np.where(same, scores, np.nan), axis=1)
    assert np.mean(least_same > other_mean) >= 0.95  # measured 1.0 with either weighting


# --- the embedding seam ------------------------------------------------------------------


class LetterCounts:
    """A TextEmbedder: how often each letter a-z occurs. Records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def embed(self, texts: Sequence[str], /) -> npt.NDArray[np.float64]:
        self.asked.append(list(texts))
        return np.array(
            [[text.lower().count(chr(ord("a") + k)) for k in range(26)] for text in texts],
            dtype=np.float64,
        )


class Opposites:
    """A TextEmbedder whose vectors point opposite ways for texts starting with "-"."""

    def embed(self, texts: Sequence[str], /) -> npt.NDArray[np.float64]:
        return np.array([[-1.0, 0.0] if text.startswith("-") else [1.0, 0.0] for text in texts])


class WrongShape:
    """A TextEmbedder that forgets a text."""

    def embed(self, texts: Sequence[str], /) -> npt.NDArray[np.float64]:
        return np.ones((len(texts) - 1, 3))


def test_an_embedder_replaces_tfidf_and_is_not_asked_about_empty_texts() -> None:
    texts = ["abc", "cab cab", "", "zzz", "abd"]
    embedder = LetterCounts()
    model = RelevanceModel.fit(texts, embedder=embedder)
    vectors = np.array(LetterCounts().embed(texts))
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-300)
    sources, targets = np.divmod(np.arange(25), 5)

    scores = model.similarities(sources, targets)

    assert embedder.asked == [["abc", "cab cab", "zzz", "abd"]]
    np.testing.assert_allclose(scores, (unit @ unit.T)[sources, targets], atol=1e-12)
    assert model.similarity(0, 1) == pytest.approx(1.0)
    assert model.similarity(0, 2) == 0.0


def test_embedded_batches_longer_than_a_chunk_match_the_dense_cosines() -> None:
    texts = ["abc", "cab cab", "", "zzz", "abd", "hello world"]
    model = RelevanceModel.fit(texts, embedder=LetterCounts())
    vectors = LetterCounts().embed(texts)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-300)
    rng = np.random.default_rng(8)
    sources = rng.integers(0, len(texts), PAIRS_PER_CHUNK + 1000)
    targets = rng.integers(0, len(texts), PAIRS_PER_CHUNK + 1000)

    scores = model.similarities(sources, targets)

    np.testing.assert_allclose(scores, (unit @ unit.T)[sources, targets], atol=1e-12)


def test_negative_embedding_cosines_count_as_unrelated() -> None:
    model = RelevanceModel.fit(["up", "-down", "up again"], embedder=Opposites())

    assert model.similarities([0, 0], [1, 2]).tolist() == [0.0, 1.0]


def test_an_embedder_of_the_wrong_shape_is_named() -> None:
    with pytest.raises(ValueError, match=r"WrongShape.embed gave shape \(1, 3\) for 2 texts"):
        RelevanceModel.fit(["one", "two"], embedder=WrongShape())


class KeywordModel:
    """A sentence-transformers look-alike: encode() with its options, unit vectors."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def encode(self, sentences: list[str], **options: Any) -> npt.NDArray[np.float64]:
        self.options.append(options)
        return np.array([[s.count("coffee"), s.count("garden"), 1.0] for s in sentences])


def test_a_sentence_encoder_is_asked_for_normalised_numpy_vectors_in_batches() -> None:
    model = KeywordModel()
    embedder = SentenceEncoderEmbedder(model, batch_size=7)

    result = relevance("coffee coffee", "coffee", embedder=embedder)

    assert model.options == [
        {
            "batch_size": 7,
            "convert_to_numpy": True,
            "normalize_embeddings": True,
            "show_progress_bar": False,
        }
    ]
    assert 0.0 < result.score < 1.0


# --- language match ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("en", "en-GB", LanguageMatch.SAME),
        ("EN", " en ", LanguageMatch.SAME),
        ("pt-BR", "pt_PT", LanguageMatch.SAME),
        ("en", "de", LanguageMatch.DIFFERENT),
        ("en", None, LanguageMatch.UNKNOWN),
        (None, None, LanguageMatch.UNKNOWN),
        ("", "en", LanguageMatch.UNKNOWN),
        ("not a language", "en", LanguageMatch.UNKNOWN),
    ],
)
def test_language_match(source: str | None, target: str | None, expected: LanguageMatch) -> None:
    assert language_match(source, target) is expected
    assert language_match(target, source) is expected


def test_the_batch_gives_each_pairs_language_verdict() -> None:
    languages = ["en", "de", None, "en-US", "x-klingon-1"]
    model = RelevanceModel.fit(["bike"] * 5, languages=languages)
    n = len(languages)
    sources, targets = np.divmod(np.arange(n * n), n)

    result = model.score_pairs(sources, targets)

    assert result.language.dtype == np.int8
    assert [result.language_match(k) for k in range(n * n)] == [
        language_match(languages[s], languages[t]) for s, t in zip(sources, targets, strict=True)
    ]
    assert model.languages == ("de", "en")
    assert [model.language_of(k) for k in range(n)] == ["en", "de", None, "en", None]
    assert primary_language("x-klingon-1") is None


def test_relevance_of_two_texts_uses_the_corpus_for_word_weights() -> None:
    alone = relevance("coffee grinder review", "coffee kettle review")
    weighted = relevance(
        "coffee grinder review",
        "coffee kettle review",
        source_language="en",
        target_language="en-GB",
        corpus=["a coffee review", "coffee review", "coffee review of beans"],
    )

    assert weighted.language is LanguageMatch.SAME
    assert alone.language is LanguageMatch.UNKNOWN
    # "coffee" and "review" are on every page of the corpus: they count for less.
    assert 0.0 < weighted.score < alone.score < 1.0


def test_the_docstring_examples_hold() -> None:
    failures, tried = doctest.testmod(relevance_module, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0


# --- pages by id ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=8),
    data=st.data(),
)
def test_pairs_of_ids_score_as_their_rows_and_unknown_ids_score_0(
    texts: list[str], data: st.DataObject
) -> None:
    ids = data.draw(
        st.lists(st.integers(-5, 50), min_size=len(texts), max_size=len(texts), unique=True)
    )
    model = RelevanceModel.fit(texts, languages=["en"] * len(texts), ids=ids)
    row_of = {page_id: row for row, page_id in enumerate(ids)}
    some_ids = st.one_of(st.sampled_from(ids), st.integers(-10, 60))
    pairs = data.draw(st.lists(st.tuples(some_ids, some_ids), max_size=15))
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]

    result = model.score_ids(sources, targets)

    assert model.rows_of(sources).tolist() == [row_of.get(s, -1) for s in sources]
    for k, (source, target) in enumerate(pairs):
        if source in row_of and target in row_of:
            rows = [row_of[source]], [row_of[target]]
            assert result.scores[k] == model.similarity(row_of[source], row_of[target])
            assert result.language_match(k) is LanguageMatch.SAME
            assert result.is_measured[k] == model.score_pairs(*rows).is_measured[0]
        else:
            assert result.scores[k] == 0.0
            assert result.language_match(k) is LanguageMatch.UNKNOWN
            assert not result.is_measured[k]


def test_ids_must_be_one_per_text_and_distinct() -> None:
    with pytest.raises(ValueError, match="page id 7 is given to more than one text"):
        RelevanceModel.fit(["a page", "b page", "c page"], ids=[7, 3, 7])
    with pytest.raises(ValueError, match=r"2 texts but ids of shape \(1,\)"):
        RelevanceModel.fit(["a page", "b page"], ids=[7])
    with pytest.raises(ValueError, match="fitted without ids"):
        RelevanceModel.fit(["a page"]).score_ids([1], [1])
    with pytest.raises(ValueError, match="1-D of one length"):
        RelevanceModel.fit(["a page"], ids=[1]).score_ids([1, 1], [1])
