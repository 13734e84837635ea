"""A local sentence-transformers model as the relevance backend: refused politely when absent."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import pytest

from linkequity.errors import MissingExtra, UsageError
from linkequity.services.embedding import load_local_embedder

if TYPE_CHECKING:
    from pathlib import Path


def test_a_model_path_that_is_no_folder_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no-model is not a folder holding a model"):
        load_local_embedder(tmp_path / "no-model")


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None,
    reason="sentence-transformers is installed here",
)
def test_without_sentence_transformers_the_extra_to_install_is_named(tmp_path: Path) -> None:
    with pytest.raises(MissingExtra, match="pip install sentence-transformers"):
        load_local_embedder(tmp_path)
