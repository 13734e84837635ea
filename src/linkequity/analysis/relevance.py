r"""Topical relevance of two pages: how far their main texts are about the same thing.

A ``RelevanceModel`` is fitted once on the main texts of the pages in play
(``Store.page_texts``), each page a row; the planner then scores any number of
``(source, target)`` pairs of row indices at once (``RelevanceModel.score_pairs``):
a score in ``[0, 1]`` and a language verdict per pair. ``relevance`` is the same
for two texts on their own.

Why TF-IDF cosine by default
----------------------------
The question is symmetric ("are these two pages about the same thing?") and
its answer must be comparable across pairs. The cosine of L2-normalised TF-IDF
vectors is the standard answer (Salton's vector space model): symmetric,
exactly 1 for two texts with the same words in the same proportions, 0 for
texts sharing no weighted word, independent of length, and as fast as a sparse
dot product. Term frequency is sublinear (``1 + log tf``) so that a word
repeated fifty times does not drown the rest; inverse document frequency,
taken over the fitted pages, makes the words every page has (a site's template,
function words in any language) weigh little. The weights are those of
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (words counted by its
``CountVectorizer``; the tests compare the two), computed on the counts so that
stop words can be dropped per page. BM25 is a ranking function for a
short query against long documents; used as a symmetric term weighting (its
saturated tf and length normalisation, BM25 idf, then the cosine) it is offered
as ``weighting="bm25"``, at the same cost.

Tokens are lowercased runs of two or more Unicode word characters, as
scikit-learn's default ``(?u)\b\w\w+\b`` takes them, except that each Han
ideograph and kana is a token of its own: Chinese and Japanese put no spaces
between words, and one ideograph is often a word (character bigrams would
match better; single characters are simple and never miss). Thai, Lao, Khmer
and Burmese give one token per spaced run. Stop words are dropped only from
the pages whose language is known and has a list: English (scikit-learn's list)
by default, more through ``stop_words``. A page of unknown language keeps every
word; its IDF still weighs down the common ones.

A ``TextEmbedder`` (``embed(texts) -> (n, dim) array``) replaces TF-IDF when the
caller has one, such as a local sentence-transformers model
(``SentenceEncoderEmbedder``); nothing here loads or downloads a model. Embedding
cosines below 0 count as 0 (unrelated).

Language match compares the pages' primary language subtags (``en-GB`` is
``en``): the same, different, or unknown when either page has none. Text from
the web is data: it is tokenised and counted, never evaluated.

Pure: values in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numba
import numpy as np
import numpy.typing as npt
from scipy import sparse

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence
    from typing import TypeAlias

    Matrix: TypeAlias = sparse.csr_array[np.float64]
    #: Page vectors: sparse term weights, or dense embeddings.
    Vectors: TypeAlias = Matrix | npt.NDArray[np.float64]

__all__ = [
    "WORD_PATTERN",
    "LanguageMatch",
    "PairRelevance",
    "Relevance",
    "RelevanceModel",
    "SentenceEncoderEmbedder",
    "TextEmbedder",
    "Weighting",
    "language_match",
    "primary_language",
    "relevance",
]

#: Han ideographs and kana: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
#: A token: one Han ideograph or kana, or a run of two or more other word characters.
WORD_PATTERN = f"[{_CJK}]|[^\\W{_CJK}]{{2,}}"
#: Pairs scored at a time from dense embeddings: bounds the memory of the
#: gathered rows, whatever the number of pairs.
PAIRS_PER_CHUNK = 65_536
#: BM25 term-frequency saturation and length normalisation (the usual values).
BM25_K1 = 1.2
BM25_B = 0.75

Weighting = Literal["tfidf", "bm25"]

_TOKEN = re.compile(WORD_PATTERN)
_LANGUAGE_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*")


class LanguageMatch(IntEnum):
    """Whether two pages are in the same language; the codes of ``PairRelevance.language``."""

    UNKNOWN = -1
    DIFFERENT = 0
    SAME = 1


class TextEmbedder(Protocol):
    """A text embedding backend: one vector per text."""

    def embed(self, texts: Sequence[str], /) -> npt.NDArray[Any]:
        """Return a ``(len(texts), dim)`` array of finite floats, one row per text."""
        ...


class SentenceEncoderEmbedder:
    """A ``TextEmbedder`` over a loaded sentence-transformers model (or anything alike).

    Parameters
    ----------
    model
        An object with ``encode(texts, batch_size=..., convert_to_numpy=True,
        normalize_embeddings=True, show_progress_bar=False)``, such as
        ``sentence_transformers.SentenceTransformer(path, local_files_only=True)``.
        Loading it (from a local folder: nothing is downloaded) is the caller's.
    batch_size
        Texts encoded per call of the model.

    Examples
    --------
    >>> import numpy as np
    >>> class Letters:
    ...     def encode(self, texts, **options):
    ...         return np.array([[t.count("a"), t.count("b")] for t in texts], dtype=float)
    >>> SentenceEncoderEmbedder(Letters()).embed(["ab", "bb"]).tolist()
    [[1.0, 1.0], [0.0, 2.0]]
    """

    def __init__(self, model: Any, *, batch_size: int = 32) -> None:
        self._model = model
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str], /) -> npt.NDArray[Any]:
        """Return the model's embedding of each text, one row each."""
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors)


@dataclass(frozen=True, slots=True)
class PairRelevance:
    """The relevance of many ``(source, target)`` pairs, one entry per pair.

    Attributes
    ----------
    scores : numpy.ndarray
        float64 in ``[0, 1]``: the cosine of the pages' vectors (0 when either
        page has no text).
    language : numpy.ndarray
        int8 ``LanguageMatch`` values.
    is_measured : numpy.ndarray
        bool: whether both pages have words to compare. Where not, the score
        is 0 for want of text, not for a text on another subject; a caller that
        must tell the two apart (say, to show "no text") reads this.
    """

    scores: npt.NDArray[np.float64]
    language: npt.NDArray[np.int8]
    is_measured: npt.NDArray[np.bool_]

    def language_match(self, pair: int) -> LanguageMatch:
        """Return the language verdict of the pair at position *pair*."""
        return LanguageMatch(int(self.language[pair]))


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance of one pair of pages: a score in ``[0, 1]`` and the language verdict."""

    score: float
    language: LanguageMatch


@dataclass(frozen=True, slots=True)
class RelevanceModel:
    """Page vectors and languages for scoring pairs of pages by row index.

    Build it with ``RelevanceModel.fit``.

    Attributes
    ----------
    vectors : scipy.sparse.csr_array or numpy.ndarray
        One L2-normalised row per page (all zero for a page without text):
        sparse TF-IDF or BM25 weights, or dense embeddings.
    language_ids : numpy.ndarray
        int32 index into ``languages`` per page, -1 when unknown.
    languages : tuple of str
        The distinct primary language subtags, sorted.
    ids : numpy.ndarray or None
        int64 id of each page (its URL id, say), when given to ``fit``:
        ``score_ids`` takes pairs of these instead of row indices.
    id_order : numpy.ndarray or None
        The rows in increasing order of ``ids``.
    """

    vectors: Vectors
    language_ids: npt.NDArray[np.int32]
    languages: tuple[str, ...]
    ids: npt.NDArray[np.int64] | None = None
    id_order: npt.NDArray[np.intp] | None = None

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        *,
        languages: Sequence[str | None] | None = None,
        embedder: TextEmbedder | None = None,
        weighting: Weighting = "tfidf",
        stop_words: Mapping[str, Collection[str]] | None = None,
        min_df: int = 1,
        ids: npt.ArrayLike | None = None,
    ) -> RelevanceModel:
        """Return the model of the pages whose main texts are *texts*, one row each.

        Parameters
        ----------
        texts : sequence of str
            Main text of each page (add the title in front to weigh it in).
        languages : sequence of str or None, optional
            Language code of each page (``"en"``, ``"pt-BR"``), ``None`` when
            unknown; all unknown when not given.
        embedder : TextEmbedder, optional
            Vectors from this backend instead of term weights. Pages with no
            text are not sent to it and keep a zero vector.
        weighting : {"tfidf", "bm25"}
            Term weights: sublinear TF-IDF (the default) or BM25's.
        stop_words : mapping of str to collection of str, optional
            Words left out of the pages of each language, by primary subtag;
            scikit-learn's English list for ``"en"`` when not given. Give ``{}``
            to keep every word.
        min_df : int
            Words on fewer pages than this are left out (1 keeps all).
        ids : array_like of int, optional
            A distinct id per page, such as the ``url_id`` column of
            ``Store.page_texts``, for ``score_ids``.

        Returns
        -------
        RelevanceModel

        Raises
        ------
        ValueError
            If *languages* or *ids* and *texts* differ in length, *ids* repeat
            an id, the weighting is unknown, or the embedder returns an array
            of the wrong shape or with non-finite values.

        Examples
        --------
        >>> model = RelevanceModel.fit(
        ...     ["espresso grinder and crema", "grinder burrs for espresso", "tomato seedlings"],
        ...     languages=["en", "en-GB", None],
        ... )
        >>> model.similarity(0, 1) > model.similarity(0, 2)
        True
        >>> model.score_pairs([0, 0], [1, 2]).language.tolist()
        [1, -1]
        """
        if languages is None:
            languages = [None] * len(texts)
        if len(languages) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        language_ids, names = _language_ids(languages)
        if embedder is not None:
            vectors: Vectors = _embedded(texts, embedder)
        else:
            stops = _default_stop_words() if stop_words is None else stop_words
            counts = _term_counts(texts, language_ids, names, stops, min_df=min_df)
            vectors = _weighted(counts, weighting)
        if ids is None:
            return cls(vectors, language_ids, names)
        page_ids = np.asarray(ids, dtype=np.int64)
        if page_ids.shape != (len(texts),):
            raise ValueError(f"{len(texts)} texts but ids of shape {page_ids.shape}")
        order = np.argsort(page_ids, kind="stable")
        repeated = page_ids[order][1:][np.diff(page_ids[order]) == 0]
        if repeated.size:
            raise ValueError(f"page id {repeated[0]} is given to more than one text")
        return cls(vectors, language_ids, names, page_ids, order)

    @property
    def n_pages(self) -> int:
        """The number of pages (rows) of the model."""
        return int(self.vectors.shape[0])

    def language_of(self, page: int) -> str | None:
        """Return the primary language subtag of *page*, or ``None`` when unknown."""
        index = int(self.language_ids[page])
        return self.languages[index] if index >= 0 else None

    def similarity(self, source: int, target: int) -> float:
        """Return the relevance of the pages at rows *source* and *target*, in ``[0, 1]``.

        Raises
        ------
        IndexError
            If a row is outside the model.
        """
        return float(self.similarities([source], [target])[0])

    def similarities(
        self, sources: npt.ArrayLike, targets: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Return the relevance of each pair ``(sources[k], targets[k])``, in ``[0, 1]``.

        Row-wise dot products, computed by a compiled loop over the pairs (in
        parallel) for term weights and by ``PAIRS_PER_CHUNK`` pairs at a time
        for embeddings; no Python step per pair.

        Parameters
        ----------
        sources, targets : array_like of int
            Row indices, one per pair, of equal length.

        Returns
        -------
        numpy.ndarray
            float64, one score per pair; 0 where either page has no text.

        Raises
        ------
        ValueError
            If *sources* and *targets* are not 1-D of one length.
        IndexError
            If an index is outside ``[0, n_pages)``.
        """
        source_rows, target_rows = self._pairs(sources, targets)
        if not isinstance(self.vectors, np.ndarray):
            scores = _row_dots(self.vectors, source_rows, target_rows)
        else:
            scores = np.empty(source_rows.size, dtype=np.float64)
            for start in range(0, source_rows.size, PAIRS_PER_CHUNK):
                chunk = slice(start, start + PAIRS_PER_CHUNK)
                scores[chunk] = _row_dots(self.vectors, source_rows[chunk], target_rows[chunk])
        return np.clip(scores, 0.0, 1.0, out=scores)

    def language_matches(
        self, sources: npt.ArrayLike, targets: npt.ArrayLike
    ) -> npt.NDArray[np.int8]:
        """Return the ``LanguageMatch`` code of each pair ``(sources[k], targets[k])``.

        Raises
        ------
        ValueError, IndexError
            As ``similarities``.
        """
        source_rows, target_rows = self._pairs(sources, targets)
        source_ids = self.language_ids[source_rows]
        target_ids = self.language_ids[target_rows]
        verdict = np.where(
            source_ids == target_ids, np.int8(LanguageMatch.SAME), np.int8(LanguageMatch.DIFFERENT)
        ).astype(np.int8)
        verdict[(source_ids < 0) | (target_ids < 0)] = LanguageMatch.UNKNOWN
        return verdict

    def score_pairs(self, sources: npt.ArrayLike, targets: npt.ArrayLike) -> PairRelevance:
        """Return the relevance and the language verdict of each ``(sources[k], targets[k])``.

        Raises
        ------
        ValueError, IndexError
            As ``similarities``.

        Examples
        --------
        >>> model = RelevanceModel.fit(["red bike", "red bike", ""], languages=["en", "fr", "en"])
        >>> result = model.score_pairs([0, 0], [1, 2])
        >>> result.scores.round(6).tolist(), result.language_match(0).name
        ([1.0, 0.0], 'DIFFERENT')
        >>> result.is_measured.tolist()
        [True, False]
        """
        source_rows, target_rows = self._pairs(sources, targets)
        has_words = self._has_words()
        return PairRelevance(
            self.similarities(source_rows, target_rows),
            self.language_matches(source_rows, target_rows),
            has_words[source_rows] & has_words[target_rows],
        )

    def _has_words(self) -> npt.NDArray[np.bool_]:
        """Return whether each page's vector is not all zero (it had words)."""
        if isinstance(self.vectors, np.ndarray):
            has: npt.NDArray[np.bool_] = np.any(self.vectors != 0.0, axis=1)
            return has
        return np.diff(self.vectors.indptr) > 0

    def rows_of(self, ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Return the row of the page of each id, -1 for ids the model does not hold.

        Raises
        ------
        ValueError
            If the model was fitted without ids.
        """
        if self.ids is None or self.id_order is None:
            raise ValueError("the model was fitted without ids; give ids= to fit")
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1)
        sorted_ids = self.ids[self.id_order]
        at = np.searchsorted(sorted_ids, wanted)
        inside = at < sorted_ids.size
        found = np.zeros(wanted.shape, dtype=bool)
        found[inside] = sorted_ids[at[inside]] == wanted[inside]
        rows = np.full(wanted.shape, -1, dtype=np.intp)
        rows[found] = self.id_order[at[found]]
        return rows

    def score_ids(self, source_ids: npt.ArrayLike, target_ids: npt.ArrayLike) -> PairRelevance:
        """Return the relevance and language verdict of pairs of page ids (see ``fit``'s *ids*).

        A pair with a page the model does not hold (no stored text) scores 0,
        its language ``UNKNOWN``, and is not measured.

        Raises
        ------
        ValueError
            If the model was fitted without ids, or the id arrays are not 1-D of one length.

        Examples
        --------
        >>> model = RelevanceModel.fit(["gravel bikes", "gravel tyres"], ids=[40, 7])
        >>> result = model.score_ids([40, 40], [7, 99])
        >>> bool(result.scores[0] > 0), float(result.scores[1]), result.language_match(1).name
        (True, 0.0, 'UNKNOWN')
        >>> result.is_measured.tolist()
        [True, False]
        """
        sources = np.asarray(source_ids, dtype=np.int64)
        targets = np.asarray(target_ids, dtype=np.int64)
        if sources.ndim != 1 or sources.shape != targets.shape:
            raise ValueError(
                f"source and target ids must be 1-D of one length, "
                f"got shapes {sources.shape} and {targets.shape}"
            )
        source_rows, target_rows = self.rows_of(sources), self.rows_of(targets)
        held = (source_rows >= 0) & (target_rows >= 0)
        scores = np.zeros(sources.size, dtype=np.float64)
        language = np.full(sources.size, LanguageMatch.UNKNOWN, dtype=np.int8)
        is_measured = np.zeros(sources.size, dtype=np.bool_)
        inner = self.score_pairs(source_rows[held], target_rows[held])
        scores[held] = inner.scores
        language[held] = inner.language
        is_measured[held] = inner.is_measured
        return PairRelevance(scores, language, is_measured)

    def _pairs(
        self, sources: npt.ArrayLike, targets: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        source_rows = np.asarray(sources, dtype=np.intp)
        target_rows = np.asarray(targets, dtype=np.intp)
        if source_rows.ndim != 1 or source_rows.shape != target_rows.shape:
            raise ValueError(
                f"sources and targets must be 1-D of one length, "
                f"got shapes {source_rows.shape} and {target_rows.shape}"
            )
        n_pages = self.n_pages
        for rows in (source_rows, target_rows):
            if rows.size and (rows.min() < 0 or rows.max() >= n_pages):
                bad = rows[(rows < 0) | (rows >= n_pages)][0]
                raise IndexError(f"page {bad} is outside the model's {n_pages} pages")
        return source_rows, target_rows


def relevance(
    source_text: str,
    target_text: str,
    *,
    source_language: str | None = None,
    target_language: str | None = None,
    corpus: Sequence[str] = (),
    embedder: TextEmbedder | None = None,
    weighting: Weighting = "tfidf",
) -> Relevance:
    """Return the relevance of two texts and whether they share a language.

    Fits a ``RelevanceModel`` on the two texts and the *corpus*: word weights
    learnt from two texts alone tell little about which words are common, so
    pass other pages of the same web as *corpus* when scoring many pairs, or
    better fit one model for them all.

    Parameters
    ----------
    source_text, target_text : str
        Main texts of the two pages.
    source_language, target_language : str, optional
        Their language codes, ``None`` when unknown.
    corpus : sequence of str
        More texts to learn the word weights from.
    embedder : TextEmbedder, optional
        Vectors from this backend instead of term weights.
    weighting : {"tfidf", "bm25"}
        Term weights, when there is no embedder.

    Returns
    -------
    Relevance
        The score in ``[0, 1]`` (1 for identical texts, 0 when either is empty)
        and the ``LanguageMatch``.

    Examples
    --------
    >>> same = relevance("pour over coffee kettle", "pour over coffee kettle")
    >>> round(same.score, 9), same.language.name
    (1.0, 'UNKNOWN')
    >>> relevance("pour over coffee", "", source_language="en", target_language="en").score
    0.0
    """
    model = RelevanceModel.fit(
        [source_text, target_text, *corpus],
        languages=[source_language, target_language, *([None] * len(corpus))],
        embedder=embedder,
        weighting=weighting,
    )
    pair = model.score_pairs([0], [1])
    return Relevance(float(pair.scores[0]), pair.language_match(0))


def primary_language(code: str | None) -> str | None:
    """Return the lowercase primary subtag of a language *code*, or ``None``.

    Examples
    --------
    >>> primary_language("pt-BR"), primary_language(" EN "), primary_language("x")
    ('pt', 'en', None)
    """
    if not code:
        return None
    found = _LANGUAGE_TAG.fullmatch(code)
    return found.group(1).lower() if found else None


def language_match(source: str | None, target: str | None) -> LanguageMatch:
    """Return whether two language codes name the same primary language.

    Examples
    --------
    >>> language_match("en-GB", "en").name, language_match("de", None).name
    ('SAME', 'UNKNOWN')
    """
    first, second = primary_language(source), primary_language(target)
    if first is None or second is None:
        return LanguageMatch.UNKNOWN
    return LanguageMatch.SAME if first == second else LanguageMatch.DIFFERENT


def _language_ids(
    languages: Sequence[str | None],
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Return the index of each page's primary language among the sorted distinct ones."""
    codes = np.array([primary_language(code) or "" for code in languages], dtype=np.str_)
    names, inverse = np.unique(codes, return_inverse=True)
    ids = inverse.reshape(-1).astype(np.int32)
    if names.size and names[0] == "":
        ids -= 1
        names = names[1:]
    return ids, tuple(str(name) for name in names)


def _default_stop_words() -> dict[str, Collection[str]]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # type: ignore[import-untyped]

    return {"en": ENGLISH_STOP_WORDS}


def _term_counts(
    texts: Sequence[str],
    language_ids: npt.NDArray[np.int32],
    languages: tuple[str, ...],
    stop_words: Mapping[str, Collection[str]],
    *,
    min_df: int,
) -> Matrix:
    """Return the word counts of each text, stop words of its language removed."""
    # Imported here: scikit-learn takes a while to import, and only fitting needs it.
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        lowercase=True, token_pattern=WORD_PATTERN, min_df=min_df, dtype=np.float64
    )
    try:
        counts = sparse.csr_array(vectorizer.fit_transform(list(texts)))
    except ValueError as exc:
        # No word at all, or none on min_df pages: nothing to compare, every score 0.
        if "empty vocabulary" not in str(exc) and "no terms remain" not in str(exc):
            raise
        return sparse.csr_array((len(texts), 0), dtype=np.float64)
    columns: dict[str, int] = vectorizer.vocabulary_
    entry_languages = np.repeat(language_ids, np.diff(counts.indptr))
    dropped = np.zeros(counts.nnz, dtype=bool)
    for index, language in enumerate(languages):
        stop_columns = [
            columns[word.lower()]
            for word in stop_words.get(language, ())
            if word.lower() in columns
        ]
        if not stop_columns:
            continue
        is_stop = np.zeros(counts.shape[1], dtype=bool)
        is_stop[stop_columns] = True
        dropped |= (entry_languages == index) & is_stop[counts.indices]
    if dropped.any():
        counts.data[dropped] = 0.0
        counts.eliminate_zeros()
    return counts


def _weighted(counts: Matrix, weighting: Weighting) -> Matrix:
    """Return *counts* weighted by *weighting*, each row L2-normalised."""
    n_pages = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    if weighting == "tfidf":
        # scikit-learn's TfidfTransformer(sublinear_tf=True, smooth_idf=True).
        idf = np.log((1.0 + n_pages) / (1.0 + document_frequency)) + 1.0
        data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    elif weighting == "bm25":
        idf = np.log1p((n_pages - document_frequency + 0.5) / (document_frequency + 0.5))
        lengths = np.asarray(counts.sum(axis=1), dtype=np.float64).reshape(-1)
        mean_length = float(lengths.mean()) if n_pages and lengths.any() else 1.0
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / mean_length)
        row_norm = np.repeat(norm, np.diff(counts.indptr))
        data = idf[counts.indices] * counts.data * (BM25_K1 + 1.0) / (counts.data + row_norm)
    else:
        raise ValueError(f"unknown weighting {weighting!r}; use 'tfidf' or 'bm25'")
    weighted = sparse.csr_array((data, counts.indices, counts.indptr), shape=counts.shape)
    return _normalised_rows(weighted)


def _normalised_rows(vectors: Matrix) -> Matrix:
    """Return *vectors* with each non-zero row scaled to unit L2 norm."""
    squares = sparse.csr_array(
        (vectors.data**2, vectors.indices, vectors.indptr), shape=vectors.shape
    )
    norms = np.sqrt(np.asarray(squares.sum(axis=1)).reshape(-1))
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    data = vectors.data * np.repeat(scale, np.diff(vectors.indptr))
    unit = sparse.csr_array((data, vectors.indices, vectors.indptr), shape=vectors.shape)
    # CountVectorizer numbers words alphabetically after counting, leaving each
    # row's columns out of order; sorted rows multiply by merging, 2-3x faster.
    unit.sort_indices()
    return unit


def _embedded(texts: Sequence[str], embedder: TextEmbedder) -> npt.NDArray[np.float64]:
    """Return the embedder's unit vectors of *texts*; a text without a word gets zeros."""
    has_text = np.array([_TOKEN.search(text) is not None for text in texts], dtype=bool)
    kept = [text for text, keep in zip(texts, has_text, strict=True) if keep]
    found = np.asarray(embedder.embed(kept), dtype=np.float64) if kept else np.empty((0, 0))
    if kept and (found.ndim != 2 or found.shape[0] != len(kept)):
        raise ValueError(
            f"{type(embedder).__name__}.embed gave shape {found.shape} for {len(kept)} texts; "
            "it must give one row per text"
        )
    if not np.isfinite(found).all():
        raise ValueError(f"{type(embedder).__name__}.embed gave non-finite values")
    vectors = np.zeros((len(texts), found.shape[1] if kept else 0), dtype=np.float64)
    vectors[has_text] = found
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: npt.NDArray[np.float64] = np.divide(
        vectors, norms, out=np.zeros_like(vectors), where=norms > 0
    )
    return unit


def _row_dots(
    vectors: Vectors,
    sources: npt.NDArray[np.intp],
    targets: npt.NDArray[np.intp],
) -> npt.NDArray[np.float64]:
    """Return the dot product of row ``sources[k]`` with row ``targets[k]``, for each k."""
    if isinstance(vectors, np.ndarray):
        dots: npt.NDArray[np.float64] = np.einsum("ij,ij->i", vectors[sources], vectors[targets])
        return dots
    merged: npt.NDArray[np.float64] = _sparse_row_dots(
        vectors.indptr.astype(np.int64, copy=False),
        vectors.indices.astype(np.int32, copy=False),
        vectors.data.astype(np.float64, copy=False),
        sources.astype(np.int64, copy=False),
        targets.astype(np.int64, copy=False),
    )
    return merged


@numba.njit(cache=True, nogil=True, parallel=True)
def _sparse_row_dots(
    indptr: Any, indices: Any, data: Any, sources: Any, targets: Any
) -> Any:  # pragma: no cover - compiled; run through _row_dots
    """Dot products of pairs of CSR rows with sorted columns, by merging them, pairs in parallel.

    Gathering the rows and multiplying them with SciPy took 4.6 s per million
    pairs of 257-word pages here; merging in place reads only the two rows.
    Both orders of a pair sum the same products in the same order: symmetric.
    """
    out = np.empty(sources.size, dtype=np.float64)
    for k in numba.prange(sources.size):
        i, i_end = indptr[sources[k]], indptr[sources[k] + 1]
        j, j_end = indptr[targets[k]], indptr[targets[k] + 1]
        total = 0.0
        while i < i_end and j < j_end:
            column_i, column_j = indices[i], indices[j]
            if column_i == column_j:
                total += data[i] * data[j]
                i += 1
                j += 1
            elif column_i < column_j:
                i += 1
            else:
                j += 1
        out[k] = total
    return out
