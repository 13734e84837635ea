import hashlib
from pathlib import Path

import pytest

from linkequity.errors import UnreadableExport
from linkequity.sources.digest import file_sha256


def test_digest_of_a_file_larger_than_one_chunk(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # 2.5 MB, three chunks
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(UnreadableExport, match="nope.csv"):
        file_sha256(tmp_path / "nope.csv")
