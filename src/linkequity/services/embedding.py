"""Use case: a local sentence-transformers model as the relevance backend.

TF-IDF is the default backend of ``analysis.relevance`` and needs nothing. A
user who has sentence-transformers installed and a model saved in a local
folder can use it instead; nothing is ever downloaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from linkequity.analysis.relevance import SentenceEncoderEmbedder
from linkequity.errors import MissingExtra, UsageError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["load_local_embedder"]


def load_local_embedder(path: Path, *, batch_size: int = 32) -> SentenceEncoderEmbedder:
    """Return an embedder over the sentence-transformers model saved in the folder *path*.

    Parameters
    ----------
    path : Path
        A folder written by ``SentenceTransformer.save`` (or a Hugging Face
        snapshot of one). It is read with ``local_files_only=True``: nothing
        is downloaded.
    batch_size : int
        Texts encoded per call of the model.

    Returns
    -------
    SentenceEncoderEmbedder

    Raises
    ------
    UsageError
        If *path* is not a folder.
    MissingExtra
        If sentence-transformers is not installed.

    Examples
    --------
    >>> from pathlib import Path
    >>> load_local_embedder(Path("no-such-model"))
    Traceback (most recent call last):
    ...
    linkequity.errors.UsageError: no-such-model is not a folder holding a model
    """
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder holding a model")
    try:
        library = importlib.import_module("sentence_transformers")
    except ImportError as exc:
        raise MissingExtra(
            "an embedding model needs sentence-transformers: pip install sentence-transformers"
        ) from exc
    model = library.SentenceTransformer(str(path), local_files_only=True)
    return SentenceEncoderEmbedder(model, batch_size=batch_size)
