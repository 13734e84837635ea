"""``python -m linkequity.samples.web``: the developers' way to a WARC file and a manifest."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from linkequity.samples.web.__main__ import main

if TYPE_CHECKING:
    from pathlib import Path


def test_writes_the_warc_and_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc, manifest = tmp_path / "out.warc.gz", tmp_path / "out.json"

    code = main(["--seed", "3", "--sites", "14", "--warc", str(warc), "--manifest", str(manifest)])

    assert code == 0
    assert json.loads(manifest.read_text())["seed"] == 3
    assert warc.read_bytes()[:2] == b"\x1f\x8b"
    assert "14 sites, 280 pages" in capsys.readouterr().out


def test_refuses_too_few_sites(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--sites", "3"])

    assert done.value.code == 2
    assert "at least 14 sites" in capsys.readouterr().err
